// `socsim validate-llamacpp`: predicts llama.cpp on this machine with the llamacpp-host profiles
// (fitted to microbenchmarks only, `socsim calibrate-llamacpp`) and the `llamacpp` policy, then
// measures the same runs in llama.cpp on a GGUF of the same architecture (seeded random weights,
// the model's real vocabulary, `layers` layers) and prints predicted vs measured prefill time and
// decode time per token (the mean over the generated tokens, so KV growth is included), with the
// error per row and the median / max. With a memory limit the weights that do not fit are paged in
// from disk through mmap faults, as the `llamacpp` policy models it. Nothing measured here feeds
// back into the profiles.
#pragma once

#include "sim/calibrate/llamacpp_runner.hpp"

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace socsim::calibrate {

struct ValidateLlamaCppOptions {
  std::string model = "qwen1.5-1.8b";
  int64_t layers = 4;  // 0 = the model's own
  std::string quant = "q8_0";
  std::vector<int> threads{1, 2};
  std::vector<int64_t> prompts{64, 256};
  int64_t gen = 32;
  int repeats = 3;
  std::string hw = "hwprofiles/local/llamacpp-host.yaml";
  std::string engine = "hwprofiles/local/llamacpp-host-engine.yaml";
  std::string workdir;  // where the GGUF goes (default: the temp directory)
  // > 0: llama.cpp runs in a memory cgroup of this many bytes (needs root), the GGUF dropped from
  // the page cache first; socsim predicts with the same budget (--memory) and the disk's
  // read-around window as the fault size (policy.mmap_request).
  double memory = 0;
  bool keep_cpus_awake = true;  // SCHED_IDLE spinners during the runs (awake_cpus.hpp)
  TimingEstimator estimator = TimingEstimator::kMin;  // over the repeats
  double median_target = 0.10, max_target = 0.25;
  std::ostream* log = nullptr;
};

struct LlamaCppValidationRow {
  std::string model, quant;
  int64_t layers = 0, prompt = 0, gen = 0;
  int threads = 1;
  double memory = 0;  // the memory limit (bytes), 0 = none
  std::string phase;  // "prefill" (s) or "decode" (s per token)
  double predicted = 0, measured = 0;
  double error() const { return predicted / measured - 1; }
};

struct LlamaCppValidation {
  std::vector<LlamaCppValidationRow> rows;
  double median_abs = 0, max_abs = 0, median_target = 0, max_target = 0;
  bool pass = false;
};

LlamaCppValidation validate_llamacpp(const ValidateLlamaCppOptions& o);
// Sets each row's prediction with the profiles of `o` (o.hw, o.engine, o.workdir's disk); rows of
// one run (the same model, threads, prompt, ...) share one simulation.
void predict_llamacpp_rows(std::span<LlamaCppValidationRow> rows, const ValidateLlamaCppOptions& o);
// The measured rows as JSON (`validate-llamacpp --save`), and back (`--from`: predict saved
// measurements again, e.g. with other profiles, without running llama.cpp).
std::string llamacpp_validation_json(const std::vector<LlamaCppValidationRow>& rows);
std::vector<LlamaCppValidationRow> llamacpp_validation_from_json(const std::string& text,
                                                                 const std::string& file);
// Rows of several passes (measured one after another, or saved at different times) as one list:
// each run (model, quant, layers, threads, memory, prompt, gen, phase) once, in the order first
// seen, with its first prediction and measured as the estimator over every pass that has it.
std::vector<LlamaCppValidationRow> combine_llamacpp_rows(
    const std::vector<std::vector<LlamaCppValidationRow>>& passes, TimingEstimator e);
std::string format_llamacpp_validation(const LlamaCppValidation& v);
// Summarises rows (median/max and pass) against the targets.
void summarise(LlamaCppValidation& v);

}  // namespace socsim::calibrate
