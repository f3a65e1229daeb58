// One design point of a `socsim check` matrix: a policy on a (profile, model, prompt, gen), run in
// its own child process (SimGrid keeps process-wide state), with the outcome the check reports:
// ran (key metrics and the invariants' violations), skipped (the policy cannot run there: its
// check() refuses the platform or model, or the run is infeasible, e.g. the model does not fit a
// policy that cannot offload) or failed (the simulation itself threw: a policy bug).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/check/invariants.hpp"

namespace socsim::check {

struct PointSpec {
  std::string hw, model;
  int64_t prompt = 0, gen = 0;
  std::string label() const;  // "redmi-k70-pro/qwen1.5-1.8b/p512"
};

enum class PointStatus { kOk, kSkipped, kFailed };
std::string_view status_name(PointStatus s);  // "ok", "skipped", "failed"

// Key metrics of a run, in SI units.
struct PointMetrics {
  double ttft_s = 0, prefill_s = 0, total_s = 0;
  double prefill_tps = 0, decode_tps = 0;  // tokens per second
  double decode_latency_s = 0;             // mean time per decoded token
  double energy_j = 0;
  double energy_per_token_j = 0;  // per processed token: prompt tokens plus decode steps
  double power_w = 0;             // mean over the run
  double peak_memory_bytes = 0, memory_budget_bytes = 0;
  double ops = 0;
};

PointMetrics metrics_of(const RunOutput& out, const Workload& w);

struct PointResult {
  PointSpec spec;
  std::string policy;
  PointStatus status = PointStatus::kOk;
  std::string reason;  // why skipped or failed
  PointMetrics metrics;
  Violations violations;
  bool passed() const { return status == PointStatus::kOk && violations.empty(); }
};

// Loads the point (bad input throws InputError here, in the parent) and simulates it in a child
// process, checking every invariant on the run. `sets` are --set overrides; the point's prompt and
// gen are applied after them.
PointResult run_point(const std::string& policy, const PointSpec& spec,
                      const std::vector<std::string>& sets);

nlohmann::json to_json(const PointResult& r);
PointResult point_from_json(const nlohmann::json& j);

}  // namespace socsim::check
