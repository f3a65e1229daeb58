// `socsim validate-host`: end-to-end check of a calibrated host profile. Reduced versions of a
// shipped architecture at several sizes and prompt lengths are simulated with the host profile and
// the `cpu` policy in FP32 (predicted prefill time and decode time per token); the same graph is
// then executed in the same dispatch order on the reference kernels with per-op wall-clock timing
// (measured), and the two are compared. Nothing measured here feeds back into the profile.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sim/graph/task_graph.hpp"

namespace socsim::calibrate {

struct ValidateOptions {
  std::string profile = "hwprofiles/host.yaml";
  std::string model = "qwen1.5-1.8b";  // architecture to reduce
  std::vector<std::pair<int64_t, int64_t>> sizes{
      {256, 4}, {512, 4}, {1024, 8}};  // (hidden, layers)
  std::vector<int64_t> prompts{32, 64, 128, 256};
  int64_t gen = 16;  // tokens produced: the first by prefill, gen - 1 decode steps
  int repeats = 3;   // measured executions per point (median), after one warm-up
  // cpu policy granularity: `layer` (the policy default, one fused op per layer) or `op` (one
  // primitive per op, as the executor runs them); the predictions differ by ~1% here.
  std::string granularity = "layer";
  uint64_t seed = 1;
  bool breakdown = false;  // also print predicted and measured time by op kind
  double median_target = 0.10, max_target = 0.25;  // |predicted / measured - 1|
  std::ostream* log = nullptr;                     // progress lines
};

struct ValidationRow {
  int64_t hidden = 0, layers = 0, prompt = 0;
  std::string phase;  // "prefill" (seconds) or "decode" (seconds per token)
  double predicted = 0, measured = 0;
  std::array<double, kOpKindNames.size()> predicted_by_kind{}, measured_by_kind{};
  double error() const { return predicted / measured - 1; }
};

struct ValidationReport {
  std::string model, profile, granularity;
  int repeats = 0;
  bool breakdown = false;
  std::vector<ValidationRow> rows;
  double median_abs = 0, max_abs = 0;
  double median_target = 0, max_target = 0;
  bool pass = false;
};

ValidationReport validate_host(const ValidateOptions& o);
std::string format_validation(const ValidationReport& r);

}  // namespace socsim::calibrate
