// Host calibration: single-threaded Google Benchmark microbenchmarks of the reference kernels
// (kernels/) on this machine, and the fit of a host hardware profile to them. The fitted quantities
// are exactly those of the roofline estimator (sim/cost/impl/roofline.cpp) for one core: a part
// costs launch_overhead + max(flops / (peak x eff_compute(size)), bytes / (eff_memory(bytes) x
// bandwidth)), and every table is chosen so that this formula reproduces the microbenchmarks. No
// end-to-end measurement is used: `socsim validate-host` checks the profile against those.
#pragma once

#include <array>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/graph/task_graph.hpp"
#include "sim/hw/hw_spec.hpp"

namespace socsim::calibrate {

// What the machine says about itself, and the theoretical FP32 peak of one core.
struct HostInfo {
  std::string cpu_model;      // /proc/cpuinfo "model name"
  double cpuinfo_clock = 0;   // Hz, /proc/cpuinfo "cpu MHz" (0 when absent)
  double measured_clock = 0;  // Hz, timed chain of dependent integer adds (0 when unavailable)
  double clock = 0;           // Hz used for the peak: measured, else /proc/cpuinfo
  std::string isa;            // widest FP32 vector ISA of the core ("AVX2+FMA", ...)
  int flops_per_cycle = 0;    // FP32 FLOP/cycle of one core with that ISA
  double peak_fp32 = 0;       // flops_per_cycle x clock
  double dram_capacity = 0;   // bytes, /proc/meminfo MemTotal
  std::string kernel_simd;    // Eigen's instruction sets in this build
};
HostInfo detect_host();

// Fixed cost of one kernel launch through the Executor: a tiny model (2 layers, hidden 32) is
// lowered one primitive per op and its decode ops, whose kernels touch a few KiB, are timed; the
// mean time per launch (median over runs). `note` receives how it was measured.
double executor_launch_overhead(bool quick, std::string* note);

struct BenchConfig {
  bool quick = false;      // a small subset (unit tests): a few shapes, short runs
  double min_time = 0.05;  // seconds per benchmark repetition
  int repetitions = 3;     // median over repetitions
  // Operands that persist across decode steps are cycled through, as a decode step re-reads each
  // only after the rest of the model. Weight matrices: `rotation` copies (a 4-layer stack of qkv,
  // o, gate_up, down), so the last-level cache holds small ones and not large ones. KV caches:
  // copies totalling at least `kv_footprint` bytes (cold: the weights streamed in between are
  // larger than the cache for any model worth a KV cache). At most kMaxRotationBytes either way.
  int rotation = 16;
  double kv_footprint = 128.0 * (1 << 20);
  std::ostream* log = nullptr;  // progress lines
};
inline constexpr double kMaxRotationBytes = 384.0 * (1 << 20);
// Copies of an operand of `bytes` to cycle through: max(count, footprint / bytes), clamped.
int rotation_count(double bytes, int count, double footprint);

// One microbenchmark: the parts it runs (as the cost model's formulas count their FLOPs and
// bytes, all FP32) and its median wall time. Most run one kernel; an elementwise "layer mix" is
// the sum of the elementwise kernels of one transformer layer.
struct KernelSample {
  std::string name;
  std::vector<OpPart> parts;
  double seconds = 0;
};

struct Measurements {
  HostInfo host;
  int rotation = 0;  // BenchConfig::rotation and kv_footprint of the benchmarks
  double kv_footprint = 0;
  double launch_overhead = 0;  // s per kernel launch through the Executor (tiny model)
  std::string launch_note;
  std::vector<KernelSample> gemm;                  // gemm_f32, M x K x N, weights in rotation
  std::vector<std::pair<double, double>> read_bw;  // working-set bytes -> read B/s
  double stream_bw = 0;  // B/s of a large streaming y = a x (read + write bytes)
  double stream_bytes = 0;
  std::vector<KernelSample> attention;
  std::vector<KernelSample> elementwise;  // each kernel alone
  std::vector<KernelSample> layer_mix;    // elementwise kernels of a llama-style layer, by rows
};
Measurements run_host_benchmarks(const BenchConfig& cfg);

// The roofline of one CPU core: what the profile says about it.
struct HostModel {
  double peak = 0;       // FP32 FLOP/s
  double bandwidth = 0;  // B/s: port_bandwidth = dram.bandwidth of the profile
  double launch = 0;     // s per kernel launch
  std::array<EfficiencyTable, 3> eff;
  // Time of one part alone, as sim/cost/impl/roofline.cpp computes it for one core.
  double part_seconds(const OpPart& p) const;
  double sample_seconds(const KernelSample& s) const;
};

struct FitError {
  double median = 0, max = 0;  // |model / measured - 1| over the class's microbenchmarks
};

// The fitted profile with the provenance of every number (comments of the written YAML).
struct HostFit {
  HostInfo host;
  HostModel model;
  std::array<std::vector<std::string>, 3> compute_notes, memory_notes;  // one per table point
  std::array<std::string, 3> notes;  // per op class: how its tables were fitted
  std::array<FitError, 3> error;
  double dram_stream_bw = 0;     // B/s, large streaming read/scale (the DRAM figure)
  double dram_stream_bytes = 0;  // bytes it moves per call (read + write)
  double dram_read_bw = 0;       // B/s, read of the largest working set
  std::string launch_note, bandwidth_note;
};

// Efficiency of one size bin: the value in [1e-4, 1] minimising the squared log error of
// `seconds(e)` against each sample's measured time; among equally good values the smallest (so
// that a bound the memory side already explains is not inflated).
double fit_bin(const std::vector<const KernelSample*>& samples,
               const std::function<double(const KernelSample&, double)>& seconds);

// Compute table of the samples' op class over size measure `by` ("rows", "flops" or "bytes") given
// the model's memory tables: samples are binned (rows: equal; else within a factor 1.6) and each
// bin fitted with fit_bin. Returns the curve and, per point, the samples it merges.
using Bins = std::vector<std::vector<const KernelSample*>>;
Curve fit_compute_table(const std::vector<KernelSample>& samples, const HostModel& model,
                        const std::string& by, Bins* bins = nullptr);

FitError fit_error(const std::vector<KernelSample>& samples, const HostModel& model);

HostFit fit_host_profile(const Measurements& m);

}  // namespace socsim::calibrate
