// Cost estimators turn an op and its placement into what it asks of the platform when alone:
// launch delay, compute time at the achieved efficiency, effective DRAM bytes, flash service time.
// Contention is not an estimator's business: the engine backend shares links and devices. Each
// estimate records the estimator that produced it, so a run can say how much of its time came from
// which model. Estimators are plug-ins (cost/impl/, one file each) registered with a priority: the
// cost model asks them in priority order and the first that applies wins.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/platform.hpp"
#include "sim/graph/task_graph.hpp"

namespace socsim {

struct OpCost {
  double delay_s = 0;          // fixed time before the work (launch overhead, pure-time ops)
  double compute_s = 0;        // compute time on the op's placement, alone
  double dram_bytes = 0;       // effective bytes (actual / memory efficiency)
  double actual_bytes = 0;     // bytes actually moved to or from DRAM (for energy)
  double flash_service_s = 0;  // flash device time, alone
  uint8_t estimator = 0;       // index into estimator_registry()
};

class Estimator {
 public:
  virtual ~Estimator() = default;
  virtual bool applies(const Op& op) const = 0;
  virtual OpCost estimate(const TaskGraph& g, OpId id, const PlatformSpec& p) const = 0;
  // True when estimate() reads nothing of the op but its parts, placement, launches, fixed time
  // and compute scale: ops equal in those (the same layer in every layer of a step) then share
  // one estimate.
  virtual bool shape_only() const { return false; }
};

struct EstimatorInfo {
  std::string name;
  std::string summary;
  int priority;  // lower is asked first
  std::function<std::unique_ptr<Estimator>()> make;
};

std::vector<EstimatorInfo>& estimator_registry();  // sorted by priority on first use of CostModel
std::vector<std::string> estimator_names();

struct EstimatorRegistration {
  EstimatorRegistration(std::string name, std::string summary, int priority,
                        std::function<std::unique_ptr<Estimator>()> make);
};

#define SOCSIM_REGISTER_ESTIMATOR(Type, name, summary, priority) \
  static ::socsim::EstimatorRegistration socsim_est_reg_##Type(  \
      name, summary, priority, [] { return std::make_unique<Type>(); })

// Estimates every op of a graph. Throws InputError when an op cannot be costed (e.g. a unit
// without any data type it could compute in).
class CostModel {
 public:
  CostModel();
  std::vector<OpCost> estimate_all(const TaskGraph& g, const PlatformSpec& p) const;
  OpCost estimate(const TaskGraph& g, OpId id, const PlatformSpec& p) const;

 private:
  std::vector<std::pair<uint8_t, std::unique_ptr<Estimator>>> estimators_;
};

}  // namespace socsim
