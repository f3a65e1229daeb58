// The simulation core: our own dependency counters, per-unit slots and lazy launch on top of a
// time-advance Backend. An op becomes ready when its predecessors have completed; it is runnable
// when every unit of its placement has enough free slots (cores for a CPU cluster, kernels for a
// GPU/NPU: one at a time by default) and its serial lane, if it has one, is idle. Among runnable
// ops the policy picks (lowest rank by default). Ops that ask nothing of the platform complete at
// once without the backend.
#pragma once

#include <vector>

#include "sim/cost/estimator.hpp"
#include "sim/engine/backend.hpp"
#include "sim/policy/policy.hpp"

namespace socsim {

struct OpTiming {
  double dispatch = -1;  // slots taken
  double start = -1;     // work begins (after the launch delay)
  double end = -1;       // completion
};

class Simulation final : public CompletionSink {
 public:
  Simulation(const TaskGraph& g, const std::vector<OpCost>& costs, const PlatformSpec& platform,
             const Policy& policy, Backend& backend);
  // Runs to completion; throws std::logic_error if some op never ran (a cycle or an impossible
  // placement, which is a bug in a policy).
  std::vector<OpTiming> run();
  void on_complete(OpId op, double now) override;
  // Ops in the order they were dispatched (what a functional execution of the schedule replays).
  const std::vector<OpId>& dispatch_order() const { return order_; }

 private:
  bool fits(const Op& op) const;
  void take(const Op& op, int sign);
  void dispatch(double now);
  void finish(OpId op, double now);

  const TaskGraph& g_;
  const std::vector<OpCost>& costs_;
  const PlatformSpec& platform_;
  const Policy& policy_;
  Backend& backend_;
  std::vector<uint32_t> pending_;
  std::vector<int> free_;
  std::vector<uint8_t> lane_busy_;  // by lane; lane 0 (no lane) is never busy
  std::vector<OpId> ready_;
  std::vector<OpId> runnable_;
  std::vector<OpId> instant_;  // completed without the backend, processed iteratively
  std::vector<OpTiming> timing_;
  std::vector<OpId> order_;
  std::vector<double> op_seconds_;  // estimated duration alone, for schedulers
  size_t completed_ = 0;
  bool in_dispatch_ = false;
};

}  // namespace socsim
