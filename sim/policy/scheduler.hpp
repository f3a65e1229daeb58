// Scheduler plug-ins: the run-time order in which a policy dispatches ready ops. A policy that
// exposes a `scheduler` parameter forwards Policy::begin/select/dispatched to one of these, so a
// new ordering rule is one file in schedulers/ and one registration line. Shipped: `in-order`
// (each unit runs its ops strictly in rank order, idling while the next one is not ready) and
// `cg-greedy` (mllm-NPU's rule: among ready ops run the one with the largest C(g), where a CPU/GPU
// op scores the NPU time it unlocks and an NPU op minus the CPU/GPU time it unlocks).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/platform.hpp"
#include "sim/policy/policy.hpp"

namespace socsim {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // `platform` tells which units are NPUs; it outlives the simulation.
  virtual void begin(const TaskGraph& g, const PlatformSpec& platform) = 0;
  virtual size_t select(std::span<const OpId> runnable, const SimView& view) = 0;
  virtual void dispatched(OpId op) = 0;
};

struct SchedulerInfo {
  std::string name;
  std::string summary;
  std::function<std::unique_ptr<Scheduler>()> make;
};

std::vector<SchedulerInfo>& scheduler_registry();
std::vector<std::string> scheduler_names();
const SchedulerInfo* find_scheduler(const std::string& name);

struct SchedulerRegistration {
  SchedulerRegistration(std::string name, std::string summary,
                        std::function<std::unique_ptr<Scheduler>()> make);
};

#define SOCSIM_REGISTER_SCHEDULER(Type, name, summary)            \
  static ::socsim::SchedulerRegistration socsim_sched_reg_##Type( \
      name, summary, [] { return std::make_unique<Type>(); })

}  // namespace socsim
