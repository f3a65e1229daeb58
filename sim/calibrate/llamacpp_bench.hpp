// Microbenchmarks of llama.cpp on this machine, the analogue of the mllm-NPU Table 3 matmul
// microbenchmarks for the phones: two-layer GGUF files of generic llama-style shapes (not the
// shipped models; a tiny one for fixed costs, 1,536, 3,072 and 4,096 wide with FFNs ~3x the
// width, and 2,048 wide with a 5.5x FFN), each timed for a prefill of 16 / 64 / 256 tokens, for 16
// decode steps at a short context, and (a grouped-query and a multi-head shape) for long prompts
// and decode at a 1,024-token context, in Q8_0, Q4_0 and F16, on 1 and 2 threads. Vocabularies of
// 4,608, 49,152, 131,072 and 262,144 separate the layer from the output matrix. These, and nothing
// end to end, calibrate the llamacpp-host profiles.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sim/calibrate/llamacpp_runner.hpp"

namespace socsim::calibrate {

// One benchmark: a two-layer model shape, its GGUF quantisation, a thread count and a run.
struct LlamaCppPoint {
  std::string shape;              // "h1536", ...: the benchmark model's name
  std::vector<std::string> sets;  // socsim overrides that give the same model (model.*)
  std::string quant;              // q8_0, q4_0, f16
  int threads = 1;
  int64_t prompt = 0, gen = 1;
  double prefill_s = 0;      // measured median
  double decode_mean_s = 0;  // measured median per step, mean over steps (0 when gen = 1)
};

struct LlamaCppBenchOptions {
  bool quick = false;           // one shape, one quantisation, one thread count (tests)
  int repeats = 5;              // measured repeats per run, after one warm-up
  bool keep_cpus_awake = true;  // SCHED_IDLE spinners during the runs (awake_cpus.hpp)
  TimingEstimator estimator = TimingEstimator::kMin;  // over the repeats
  int max_threads = 2;       // thread counts 1..max_threads (capped by the machine)
  std::string workdir = "";  // where GGUF files are written (default: the temp directory)
  std::ostream* log = nullptr;
};

// The points (without timings) the benchmarks cover.
std::vector<LlamaCppPoint> llamacpp_bench_plan(const LlamaCppBenchOptions& o);
// Writes each GGUF, times it in llama.cpp, fills the timings.
std::vector<LlamaCppPoint> run_llamacpp_benchmarks(const LlamaCppInstall& in,
                                                   const LlamaCppBenchOptions& o);

// The socsim weight type of a GGUF quantisation name ("q8_0" -> "int8", "q4_0" -> "int4",
// "f16" -> "fp16").
std::string socsim_weight_dtype(const std::string& quant);
// Loads the socsim model of a point (base model plus its overrides) and writes its GGUF.
void write_point_gguf(const LlamaCppPoint& p, const std::string& base_model,
                      const std::string& path);

std::string llamacpp_points_json(const std::vector<LlamaCppPoint>& points);
// Combines measurement sets of the same benchmarks taken at different times (saved calibrations):
// each point's prefill and decode times are the estimator over the sets that have the point, so
// a burst of load during one calibration is outvoted as one slow repeat would be. Points keep the
// order of their first appearance.
std::vector<LlamaCppPoint> merge_llamacpp_points(
    const std::vector<std::vector<LlamaCppPoint>>& sets, TimingEstimator e);
std::vector<LlamaCppPoint> llamacpp_points_from_json(const std::string& text,
                                                     const std::string& file);

}  // namespace socsim::calibrate
