// `socsim check POLICY`: validates a scheduling policy before it is trusted. It runs the policy
// over a matrix of shipped hardware profiles, models and prompt lengths (each point in its own
// child process), checks every run invariant on each point (sim/check/invariants.hpp), executes
// the policy's schedule on the reference kernels for each model (`verify`), checks optional SLOs,
// and compares with a baseline policy on the same matrix. Points the policy legitimately cannot run
// (its check() refuses the profile or model, or the run is infeasible) are skipped with the reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/check/point.hpp"
#include "sim/check/slo.hpp"

namespace socsim::check {

// Exit codes of `socsim check` beyond main's (0 ok, 2 bad input, 3 infeasible: no point could run).
inline constexpr int kExitCheckFailed = 6;  // an invariant broke, a run failed or verify mismatched
inline constexpr int kExitSloViolated = 7;  // everything held, but an SLO was missed

// The default matrix's models: a small dense model, a 7B dense model and a 7B ReLU-sparse one (so
// sparse-offloading policies have a point).
inline const std::vector<std::string> kDefaultModels = {"qwen1.5-1.8b", "llama-2-7b", "bamboo-7b"};

struct CheckRequest {
  std::string policy;
  std::string baseline;             // empty: no comparison
  std::vector<std::string> hw;      // empty: every shipped profile but the machine-specific host
  std::vector<std::string> models;  // empty: kDefaultModels
  std::vector<int64_t> prompts{64, 512};
  int64_t gen = 8;
  // --set overrides: hw., model. and workload. apply to both policies, policy. and engine. to the
  // checked one; baseline_sets (policy., engine.) to the baseline only.
  std::vector<std::string> sets, baseline_sets;
  std::vector<SloTerm> slo;
  bool verify = true;
  int64_t verify_prompt = 16, verify_gen = 4;  // `socsim verify`'s defaults
};

enum class VerifyStatus { kPass, kMismatch, kSkipped, kFailed };
std::string_view verify_status_name(VerifyStatus s);

struct VerifyOutcome {
  std::string model, hw;
  VerifyStatus status = VerifyStatus::kSkipped;
  std::string reason;  // skipped or failed: why; otherwise the one-line result
  std::string numerics;
  double logits_rel = 0, tolerance = 0, vs_in_order = 0;
};

struct CheckReport {
  CheckRequest request;
  std::vector<PointSpec> matrix;
  std::vector<PointResult> points;
  std::vector<PointResult> baseline;  // same order as points; empty without a baseline
  std::vector<VerifyOutcome> verify;
  std::vector<SloViolation> slo;
  double wall_s = 0;

  size_t count(PointStatus s) const;
  size_t invariant_failures() const;  // points (of either policy) that ran and broke an invariant
  size_t failed_runs() const;         // points (of either policy) whose simulation threw
  size_t verify_count(VerifyStatus s) const;
  int exit_code() const;
};

// The points of the request's matrix: profiles x models x prompts, in that nesting.
std::vector<PointSpec> expand_matrix(const CheckRequest& req);

// Checks the request (names, prompts, overrides) and runs everything. Throws InputError on bad
// input.
CheckReport run_check(const CheckRequest& req);

}  // namespace socsim::check
