// Simulating one loaded design point: lower the run with its policy, check its memory against the
// budget, estimate every op, run the engine backend and derive the metrics (TTFT, prefill and
// decode throughput, energy by unit and phase, peak memory by part, estimator shares).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/driver/decode_metrics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/energy/energy.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/engine/simulation_memo.hpp"

namespace socsim {

// The run cannot happen as asked (e.g. the model does not fit the memory budget under a policy
// that cannot offload). Not a bug and not bad syntax: exit code 3.
class InfeasibleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunMetrics {
  double setup_s = 0;    // before prefill (e.g. NPU graph build)
  double prefill_s = 0;  // prefill alone
  double ttft_s = 0;     // setup + prefill: the first token's logits
  double prefill_tokens_per_s = 0;
  double decode_s = 0;             // after the first token
  double decode_tokens_per_s = 0;  // (gen - 1) / decode_s
  double total_s = 0;
  EnergyBreakdown energy;       // whole run
  double prefill_energy_j = 0;  // during [setup end, TTFT]
  double decode_energy_j = 0;   // during [TTFT, end]
  MemoryPlan memory;
  double memory_budget = 0;
  // Share of the NPU's prefill span (first NPU op start to last NPU op end) in which it held no op;
  // 0 when the NPU runs no prefill op.
  double npu_bubble_rate = 0;
  DecodeMetrics decode;  // per-token latency distribution, flash traffic, critical path
  std::vector<std::pair<std::string, double>> policy_metrics;  // the policy's own figures
  size_t ops_simulated = 0;
  double sim_wall_s = 0;
  std::vector<std::pair<std::string, double>> busy_s_by_estimator;  // op time per estimator
  std::vector<std::pair<std::string, double>> busy_s_by_unit;       // unit occupancy (any core)
};

struct RunOutput {
  RunMetrics metrics;
  TaskGraph graph;
  std::vector<OpCost> costs;
  std::vector<OpTiming> timing;
  std::vector<OpId> dispatch_order;  // the schedule as the engine dispatched it
  PlatformSpec platform;
};

// With a memo, a run whose engine inputs equal an earlier one's takes its result instead of
// simulating again (simulation_memo.hpp): the outputs are the same bit for bit.
std::unique_ptr<RunOutput> simulate(const LoadedRun& run, BackendKind backend,
                                    SimulationMemo* memo = nullptr);

}  // namespace socsim
