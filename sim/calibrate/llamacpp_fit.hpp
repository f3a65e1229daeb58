// Fits the llamacpp-host profiles to llama.cpp's microbenchmarks (llamacpp_bench.hpp) and writes
// them: a hardware profile of this machine (one single-core cluster per hardware thread, so one or
// more llama.cpp threads map to clusters; ISA peaks at the /proc/cpuinfo clock; per-core and shared
// memory bandwidths) and an engine profile (llama.cpp's own efficiency tables per op class, a rate
// factor for Q4_0 and F16 kernels relative to Q8_0, and its per-op overhead). The fit minimises a
// robust (pseudo-Huber) loss of the log error of socsim's predictions of the benchmark runs by
// coordinate descent; every prediction is socsim's own lowering of the benchmark model with the
// `llamacpp` policy.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/page_cache_bench.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/hw/hw_spec.hpp"

namespace socsim::calibrate {

struct LlamaCppHostModel {
  std::string cpu_model;
  int cores = 2;
  double clock = 2e9;           // /proc/cpuinfo
  double fp32_per_cycle = 32;   // ISA: FMA lanes x 2 x units
  double int8_per_cycle = 128;  // ISA: integer dot-product ops per cycle
  double fp16_per_cycle = 0;    // ISA: native FP16 FMA (AVX512-FP16); 0 = none (fp32 rate)
  std::string isa;
  double dram_capacity = 8e9;
  // Fitted.
  double port_bandwidth = 10e9, dram_bandwidth = 20e9, launch_overhead = 5e-6;
  double thread_wake = 1e-3, step_overhead = 0.5e-3, step_overhead_per_vocab = 1e-9;
  Curve matmul_compute{{1, 0.2}, {16, 0.2}, {64, 0.2}, {256, 0.2}};  // by rows
  Curve matmul_memory{{1e6, 1}, {16e6, 1}, {128e6, 1}};              // by op bytes
  double rate_int4 = 1, rate_fp16 = 1;
  // [threads, factor on each thread's compute rate], one point per measured thread count above 1
  // (the fit adds them).
  Curve thread_scaling;
  // The same slowdown measured without llama.cpp (thread_speed_bench.hpp), for the profile's
  // comment; empty when not measured.
  std::string thread_speed_note;
  Curve attention_compute{{1, 0.05}, {16, 0.05}, {256, 0.05}, {1024, 0.05}};  // by query rows
  Curve attention_memory{{1e6, 1}};
  Curve elementwise_compute{{1, 0.01}, {256, 0.01}};  // by rows
  Curve elementwise_memory{{1e6, 1}};
  // Measured apart from the fit: the disk as page faults read it, and the page cache's keep
  // share (page_cache_bench.hpp); the profile has no flash section without it.
  std::optional<PageCacheBench> paging;
};

struct LlamaCppFitRow {
  LlamaCppPoint point;
  double predicted_prefill_s = 0, predicted_decode_s = 0;
};

struct LlamaCppFit {
  LlamaCppHostModel model;
  std::vector<LlamaCppFitRow> rows;
  double median_abs = 0, max_abs = 0;  // over prefill and decode values
  int evaluations = 0;
};

LlamaCppHostModel detect_llamacpp_host();
// Sets the CPU clusters, bandwidths and (as the engine profile would) efficiency tables, peaks
// and launch overhead of `hw` from the model.
void apply_llamacpp_host(const LlamaCppHostModel& m, HwSpec& hw);
// Fits the model's fitted numbers to `points`, starting from `host` (its ISA facts, clock and
// cores stay as given: detect_llamacpp_host() on the machine that measured the points).
LlamaCppFit fit_llamacpp_host(const std::vector<LlamaCppPoint>& points,
                              const LlamaCppHostModel& host, std::ostream* log);
// Writes the two YAML files; every number commented with the benchmarks behind it.
void write_llamacpp_host(const LlamaCppFit& fit, const std::string& hw_path,
                         const std::string& engine_path);

// The socsim request that predicts a benchmark point with the hardware profile at `hw_path` and
// the engine profile `engine` (empty: the hardware profile's own tables).
RunRequest llamacpp_point_request(const LlamaCppPoint& p, const std::string& hw_path,
                                  const std::string& engine);

// Cluster list for `threads` llama.cpp threads ("core0,core1").
std::string llamacpp_clusters(int threads);

}  // namespace socsim::calibrate
