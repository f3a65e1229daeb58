// Invariants every simulated run must satisfy whatever its policy, checked by `socsim check` on
// every design point and by the tests on hand-made runs. Each invariant reads a RunOutput (graph,
// costs, timing, dispatch order, platform, metrics) and reports violations under its name, so a
// failure says which rule broke and where:
//   slots          no unit holds more ops at once than it has slots (CPU cores, GPU/NPU kernels),
//                  no serial lane more than one
//   dependencies   every op starts no earlier than each of its graph predecessors ends
//   data-flow      every op starts no earlier than the ops producing the data it reads end: the
//                  data come from the parts' roles in creation order (the order `verify` proves
//                  right), so an edge a policy dropped from the graph is still caught
//   memory         the memory plan fits the run's budget
//   memory-plan    the plan holds what the run needs: the KV cache at the longest context, the
//                  largest op's activations and, unless the policy offloads, the weights that one
//                  forward pass reads
//   energy         every unit, DRAM, flash and the rest of the SoC draw at least their idle power
//                  over the whole run
//   critical-path  no op runs faster than alone (its estimated cost on an idle platform), and the
//                  makespan is at least the longest dependency chain of ops alone
//   dispatch       every op is dispatched exactly once, at non-decreasing times
//   times          all times and costs finite and non-negative, dispatch <= start <= end
//   bandwidth      in each phase, the bytes its ops move through DRAM (and read from flash) take
//                  at least their size over the profile's whole DRAM (best flash) bandwidth: for
//                  decode, tokens/s never beats bandwidth / bytes per token
//   metrics        TTFT <= total, positive throughputs, totals that agree with the ops and sums,
//                  no unit holding ops longer than its slots times the run (utilisation <= 1)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/driver/simulate.hpp"

namespace socsim::check {

// Relative tolerance of the checks that compare sums of the same doubles taken in another order:
// only rounding may differ.
inline constexpr double kRoundingTolerance = 1e-9;

struct Violation {
  std::string invariant;  // one of the names above
  std::string detail;     // what broke, where, by how much
};

// Violations of one run: every one is counted, the first few of each invariant keep a detail.
class Violations {
 public:
  static constexpr size_t kDetailsPerInvariant = 3;
  Violations() = default;
  // Rebuilt from details() and counts() (e.g. read back from a child process).
  Violations(std::vector<Violation> details, std::vector<std::pair<std::string, size_t>> counts)
      : details_(std::move(details)), counts_(std::move(counts)) {}
  void add(std::string_view invariant, std::string detail);
  bool empty() const { return counts_.empty(); }
  size_t count(std::string_view invariant) const;  // 0 if it held
  size_t total() const;
  const std::vector<Violation>& details() const { return details_; }
  // (invariant, count) in the order the invariants first failed.
  const std::vector<std::pair<std::string, size_t>>& counts() const { return counts_; }
  // "slots (2): ...; ..." per failed invariant, one line each.
  std::vector<std::string> lines() const;

 private:
  std::vector<Violation> details_;
  std::vector<std::pair<std::string, size_t>> counts_;
};

// What the invariants need beyond the RunOutput: the workload, and the model and offloading
// ability of the policy for the memory-plan floors (no model: those floors are not checked).
struct InvariantContext {
  const ModelSpec* model = nullptr;
  Workload workload;
  bool can_offload = false;  // weights may stay in flash: no resident-weights floor
};

InvariantContext context_of(const LoadedRun& run);

// Every invariant, in the order listed above.
Violations check_invariants(const RunOutput& out, const InvariantContext& ctx);

// Each invariant alone (they add to `v`).
void check_slots(const RunOutput& out, Violations& v);
void check_dependencies(const RunOutput& out, Violations& v);
void check_data_flow(const RunOutput& out, Violations& v);
void check_memory(const RunOutput& out, Violations& v);
void check_memory_plan(const RunOutput& out, const InvariantContext& ctx, Violations& v);
void check_energy(const RunOutput& out, Violations& v);
void check_critical_path(const RunOutput& out, Violations& v);
void check_dispatch(const RunOutput& out, Violations& v);
void check_times(const RunOutput& out, Violations& v);
void check_bandwidth(const RunOutput& out, const InvariantContext& ctx, Violations& v);
void check_metrics(const RunOutput& out, const InvariantContext& ctx, Violations& v);

// An op's time alone: what the engine asks of the backend for it on an idle platform (launch delay,
// flash service, then compute or DRAM traffic, whichever binds); 0 for an op on no unit that only
// waits for its inputs. The same estimate schedulers see (SimView::op_seconds).
std::vector<double> alone_seconds(const RunOutput& out);

// Absolute time tolerance of a run: 1e-9 of its makespan (at least 1 ns).
double time_tolerance(const RunOutput& out);

// "'L3.ffn' (prefill chunk 1, layer 3)": how violations name an op.
std::string describe_op(const TaskGraph& g, OpId id);

}  // namespace socsim::check
