// Coordinate-descent fit of the llamacpp-host profiles; see llamacpp_fit.hpp.
#include "sim/calibrate/llamacpp_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "sim/calibrate/host_benchmarks.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/units.hpp"
#include "sim/driver/simulate.hpp"

namespace socsim::calibrate {
namespace fs = std::filesystem;
namespace {

double round_sig(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}
std::string q(double v, Dim d) {
  return format_quantity(round_sig(v, 4), d);
}
std::string num(double v) {
  return fmt::format("{:.4g}", v);
}

std::string cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("flags", 0) == 0) return line + " ";
  return {};
}

// The loss of one log error: pseudo-Huber with a 5% scale, quadratic for small errors and linear
// beyond. Timing noise on a shared or virtual machine is heavy-tailed (whole files of runs read
// 30-70% slow while the same shape in another file does not), and a squared loss lets such a
// file pull the rate factors of every other run; a linear tail gives it the weight of one run.
double robust_loss(double log_error) {
  constexpr double kScale = 0.05;
  const double r = log_error / kScale;
  return kScale * kScale * (std::sqrt(1 + r * r) - 1);
}

// One fitted number: a pointer into the model, its bounds and whether it is a table value.
struct Param {
  double* value;
  double lo, hi;
};

std::vector<Param> params_of(LlamaCppHostModel& m) {
  std::vector<Param> p{{&m.port_bandwidth, 1e9, 1e12},
                       {&m.dram_bandwidth, 1e9, 1e12},
                       {&m.launch_overhead, 1e-7, 1e-3},
                       {&m.thread_wake, 1e-7, 5e-2},
                       {&m.step_overhead, 1e-6, 5e-2},
                       {&m.rate_int4, 0.05, 4},
                       {&m.step_overhead_per_vocab, 1e-12, 1e-6},
                       {&m.rate_fp16, 0.05, 4}};
  for (auto& point : m.thread_scaling) p.push_back({&point.second, 0.2, 1});
  for (Curve* c : {&m.matmul_compute, &m.matmul_memory, &m.attention_compute, &m.attention_memory,
                   &m.elementwise_compute, &m.elementwise_memory})
    for (auto& point : *c) p.push_back({&point.second, 1e-4, 1});
  return p;
}

std::string hw_yaml(const LlamaCppHostModel& m, const std::string& fit_note);
std::string engine_yaml(const LlamaCppHostModel& m, const std::string& fit_note);

}  // namespace

std::string llamacpp_clusters(int threads) {
  std::string s;
  for (int i = 0; i < threads; ++i) s += (i ? ",core" : "core") + std::to_string(i);
  return s;
}

RunRequest llamacpp_point_request(const LlamaCppPoint& p, const std::string& hw_path,
                                  const std::string& engine) {
  RunRequest req;
  req.hw = hw_path;
  req.model = "llama-2-7b";
  req.policy = "llamacpp";
  req.sets = p.sets;
  req.sets.push_back(fmt::format("workload.prompt={}", p.prompt));
  req.sets.push_back(fmt::format("workload.gen={}", p.gen));
  req.sets.push_back("policy.clusters=" + llamacpp_clusters(p.threads));
  req.sets.push_back("policy.engine=" + engine);
  // The timer runs each prompt as one batch (llamacpp_timer.mjs: batchSize = max(512, prompt)).
  req.sets.push_back("policy.chunk=0");
  return req;
}

LlamaCppHostModel detect_llamacpp_host() {
  const HostInfo h = detect_host();
  LlamaCppHostModel m;
  m.cpu_model = h.cpu_model;
  m.clock = h.cpuinfo_clock > 0 ? h.cpuinfo_clock : 2e9;
  m.cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  m.dram_capacity = h.dram_capacity;
  m.fp32_per_cycle = h.flops_per_cycle;
  const std::string flags = cpuinfo_flags();
  const auto has = [&](const char* f) {
    return flags.find(std::string(" ") + f + " ") != std::string::npos;
  };
  // Integer dot products per cycle: 2 units x lanes x 4 multiply-adds x 2 ops (VNNI), or half
  // that without VNNI (pmaddubsw + pmaddwd).
  if (has("avx512_fp16")) m.fp16_per_cycle = 2 * m.fp32_per_cycle;
  if (has("avx512_vnni") && has("avx512f"))
    m.int8_per_cycle = 256, m.isa = "AVX-512 VNNI";
  else if (has("avx512f"))
    m.int8_per_cycle = 128, m.isa = "AVX-512";
  else if (has("avx_vnni"))
    m.int8_per_cycle = 128, m.isa = "AVX-VNNI";
  else if (has("avx2"))
    m.int8_per_cycle = 64, m.isa = "AVX2";
  else
    m.int8_per_cycle = 32, m.isa = "SSE";
  return m;
}

void apply_llamacpp_host(const LlamaCppHostModel& m, HwSpec& hw) {
  // The CPU clusters' shared link is dram.cpu_bandwidth, which the profile leaves to default to
  // dram.bandwidth; loading fixed it at the start value, so both move together.
  hw.dram.bandwidth = hw.dram.cpu_bandwidth = m.dram_bandwidth;
  for (auto& [name, u] : hw.cpu) {
    u.port_bandwidth = m.port_bandwidth;
    u.launch_overhead = m.launch_overhead;
    u.thread_wake = m.thread_wake;
    u.thread_scaling = m.thread_scaling;
    u.step_overhead = m.step_overhead;
    u.step_overhead_per_vocab = m.step_overhead_per_vocab;
    u.peak.by_dtype[static_cast<size_t>(DType::kInt4)] = m.int8_per_cycle * m.clock * m.rate_int4;
    u.peak.by_dtype[static_cast<size_t>(DType::kFp16)] =
        (m.fp16_per_cycle > 0 ? m.fp16_per_cycle : m.fp32_per_cycle) * m.clock * m.rate_fp16;
    u.efficiency[0] = {"rows", m.matmul_compute, m.matmul_memory};
    u.efficiency[1] = {"rows", m.attention_compute, m.attention_memory};
    u.efficiency[2] = {"rows", m.elementwise_compute, m.elementwise_memory};
  }
}

LlamaCppFit fit_llamacpp_host(const std::vector<LlamaCppPoint>& points,
                              const LlamaCppHostModel& host, std::ostream* log) {
  LlamaCppFit fit;
  fit.model = host;
  LlamaCppHostModel& m = fit.model;
  const fs::path tmp =
      fs::temp_directory_path() / fmt::format("socsim-llamacpp-fit-{}.yaml", ::getpid());
  {
    std::ofstream f(tmp);
    f << hw_yaml(m, "start values of the fit");
  }
  std::vector<LoadedRun> runs;
  for (const LlamaCppPoint& p : points)
    runs.push_back(load_run(llamacpp_point_request(p, tmp.string(), "")));
  fs::remove(tmp);
  const auto evaluate = [&](std::vector<LlamaCppFitRow>* rows) {
    double cost = 0;
    ++fit.evaluations;
    for (size_t i = 0; i < runs.size(); ++i) {
      apply_llamacpp_host(m, *runs[i].hw);
      const RunMetrics r = simulate(runs[i], BackendKind::kAnalytic)->metrics;
      const LlamaCppPoint& p = points[i];
      const double dec = p.gen > 1 ? r.decode_s / static_cast<double>(p.gen - 1) : 0;
      cost += robust_loss(std::log(r.prefill_s / p.prefill_s));
      if (p.gen > 1) cost += robust_loss(std::log(dec / p.decode_mean_s));
      if (rows) rows->push_back({p, r.prefill_s, dec});
    }
    return cost;
  };
  // Bandwidth floors from the data: a decode step streams every weight but the embedding table
  // (a row lookup), so bytes / step time is a rate the memory reached. The per-core port is at
  // least the best one-thread rate and the shared DRAM at least the best rate of any thread count;
  // the fit starts there (coordinate descent cannot raise the shared bandwidth and the thread
  // costs together, so started below it stays there).
  double port_floor = 0, dram_floor = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const LlamaCppPoint& p = points[i];
    if (p.gen <= 1 || p.decode_mean_s <= 0) continue;
    const ModelSpec& model = runs[i].model;
    const int64_t params =
        model.total_params() - (model.tied_embeddings ? 0 : model.embedding_params());
    const double streamed = static_cast<double>(params) * storage_bits(model.weight_dtype) / 8.0;
    const double rate = streamed / p.decode_mean_s;
    dram_floor = std::max(dram_floor, rate);
    if (p.threads == 1) port_floor = std::max(port_floor, rate);
  }
  // One scaling point per thread count measured above 1.
  std::set<int> several;
  for (const LlamaCppPoint& p : points)
    if (p.threads > 1) several.insert(p.threads);
  m.thread_scaling.clear();
  for (int t : several) m.thread_scaling.emplace_back(t, 1.0);
  std::vector<Param> params = params_of(m);
  for (Param& p : params) {
    if (p.value == &m.port_bandwidth && port_floor > 0) p.lo = port_floor;
    if (p.value == &m.dram_bandwidth && dram_floor > 0) p.lo = dram_floor;
    *p.value = std::clamp(*p.value, p.lo, p.hi);
  }
  double best = evaluate(nullptr);
  for (double step = 2.0; step > 1.005; step = std::sqrt(step)) {
    for (bool improved = true; improved;) {
      improved = false;
      for (Param& p : params)
        for (double f : {step, 1 / step}) {
          const double old = *p.value;
          *p.value = std::clamp(old * f, p.lo, p.hi);
          if (*p.value == old) continue;
          const double c = evaluate(nullptr);
          if (c < best - 1e-12) {
            best = c, improved = true;
          } else {
            *p.value = old;
          }
        }
    }
    if (log)
      *log << fmt::format("  fit step x{:.3f}: mean loss {:.3g} ({} evaluations)\n", step,
                          best / static_cast<double>(2 * points.size()), fit.evaluations);
  }
  evaluate(&fit.rows);
  std::vector<double> errs;
  for (const LlamaCppFitRow& r : fit.rows) {
    errs.push_back(std::fabs(r.predicted_prefill_s / r.point.prefill_s - 1));
    if (r.point.gen > 1)
      errs.push_back(std::fabs(r.predicted_decode_s / r.point.decode_mean_s - 1));
  }
  std::sort(errs.begin(), errs.end());
  fit.median_abs = errs.empty() ? 0 : errs[errs.size() / 2];
  fit.max_abs = errs.empty() ? 0 : errs.back();
  return fit;
}

namespace {

std::string curve_yaml(const Curve& c, Dim x, int indent) {
  std::string s;
  const std::string pad(static_cast<size_t>(indent), ' ');
  for (const auto& [a, b] : c)
    s += fmt::format("{}- [{}, {}]\n", pad,
                     x == Dim::kNumber ? num(a) : fmt::format("{:g}kB", a / 1e3), num(b));
  return s;
}

// The page cache's keep share (under dram:) and a flash section for the disk as llama.cpp's
// page faults read it: requests of the read-around window, 1 or 2 faulting threads.
std::string paging_yaml(const PageCacheBench& b) {
  std::string y = fmt::format("  page_cache_keep: {:.2f}   # {}\n", b.keep, b.keep_note);
  const std::string ra = fmt::format("{:g}KiB", b.read_around / 1024);
  const std::string dev = b.device.empty() ? "the disk" : b.device;
  y += fmt::format(
      "\nflash:    # {} as mmap page faults read it: {} read-around (sysfs read_ahead_kb), cold "
      "file, matrix by matrix (16 MiB), each thread faulting its share of the rows (`socsim "
      "calibrate-llamacpp`, medians of 5)\n",
      dev, ra);
  if (b.capacity > 0)
    y += fmt::format("  capacity: {}   # measured: statvfs of the benchmark's folder\n",
                     q(b.capacity, Dim::kBytes));
  // The faster of the two scans is the device's rate; the queue-depth curve scales it to each
  // thread count (two threads can be slower: their faults break each other's read-ahead).
  const double best = std::max(b.scan_bw_1, b.scan_bw_2);
  const std::string bw = q(best, Dim::kBandwidth);
  y += fmt::format("  sequential_read:\n    - [{}, {}]   # measured: the faster cold scan\n", ra,
                   bw);
  y += fmt::format("  random_read:\n    - [{}, {}]   # measured: the faster cold scan\n", ra, bw);
  y += fmt::format(
      "  iops_limit: {:.0f}IOPS   # measured: the faster scan's request rate, not a limit\n",
      std::ceil(best / b.read_around * 1.01));
  y += fmt::format(
      "  queue_depth:\n    - [1, {:.3f}]   # measured: cold scan, 1 thread ({})\n"
      "    - [2, {:.3f}]   # measured: cold scan, 2 threads ({})\n",
      b.scan_bw_1 / best, q(b.scan_bw_1, Dim::kBandwidth), b.scan_bw_2 / best,
      q(b.scan_bw_2, Dim::kBandwidth));
  return y;
}

std::string hw_yaml(const LlamaCppHostModel& m, const std::string& fit_note) {
  std::string y = fmt::format(
      "# This machine ({}) as llama.cpp uses it, written by `socsim calibrate-llamacpp`.\n"
      "# One single-core cluster per hardware thread, so that N llama.cpp threads are the "
      "clusters\n"
      "# core0..coreN-1 (`--set policy.clusters=core0,core1`); peaks from the ISA ({}) at the\n"
      "# /proc/cpuinfo clock; bandwidths fitted to llama.cpp's weight streaming in the\n"
      "# microbenchmarks ({}). Use with the engine profile llamacpp-host.\n"
      "schema_version: 1\nname: llamacpp-host\nsoc: \"{} (host, llama.cpp)\"\n\ncpu:\n",
      m.cpu_model, m.isa, fit_note, m.cpu_model);
  for (int c = 0; c < m.cores; ++c) {
    y += fmt::format("  core{}:\n    cores: 1\n", c);
    y += fmt::format("    rated_clock: {}          # measured: /proc/cpuinfo cpu MHz\n",
                     q(m.clock, Dim::kFrequency));
    y += "    peak:\n";
    y += fmt::format("      fp32: {}   # datasheet: {} FLOP/cycle (FMA units x lanes x 2)\n",
                     q(m.fp32_per_cycle * m.clock, Dim::kOpsRate), num(m.fp32_per_cycle));
    if (m.fp16_per_cycle > 0)
      y += fmt::format("      fp16: {}   # datasheet: {} FLOP/cycle (AVX512-FP16 FMA)\n",
                       q(m.fp16_per_cycle * m.clock, Dim::kOpsRate), num(m.fp16_per_cycle));
    y += fmt::format("      int8: {}   # datasheet: {} ops/cycle ({} integer dot products)\n",
                     q(m.int8_per_cycle * m.clock, Dim::kOpsRate), num(m.int8_per_cycle), m.isa);
    y += fmt::format(
        "    dvfs:\n      - {{clock: {}, busy_power: 15W}}  # assumption [5W, 30W]: power is not "
        "measured here\n",
        q(m.clock, Dim::kFrequency));
    y += fmt::format("    port_bandwidth: {}   # measured: fit to llama.cpp decode, one thread\n",
                     q(m.port_bandwidth, Dim::kBandwidth));
    y += "    efficiency:   # 1.0 here: the engine profile carries llama.cpp's measured tables\n"
         "      matmul: {}\n      attention: {}\n      elementwise: {}\n";
  }
  y += fmt::format(
      "\ndram:\n  capacity: {}          # measured: /proc/meminfo MemTotal\n"
      "  bandwidth: {}         # measured: fit to llama.cpp decode on every thread\n",
      q(m.dram_capacity, Dim::kBytes), q(m.dram_bandwidth, Dim::kBandwidth));
  if (m.paging) y += paging_yaml(*m.paging);
  return y;
}

std::string engine_yaml(const LlamaCppHostModel& m, const std::string& fit_note) {
  std::string y = fmt::format(
      "# llama.cpp on this machine, written by `socsim calibrate-llamacpp` from llama.cpp's own\n"
      "# microbenchmarks (two-layer GGUF models; {}). Its tables replace the hardware\n"
      "# profile's: matmul by rows (tokens at once) as a fraction of the int8 peak (Q8_0), with\n"
      "# rate factors for Q4_0 (int4) and F16 kernels; attention by query rows (its time grows "
      "with\n"
      "# the FLOPs, heads x queries x keys, at the efficiency of its row count); elementwise by\n"
      "# rows.\n"
      "# Use with the hardware profile llamacpp-host.\n"
      "schema_version: 1\nname: llamacpp-host\n"
      "engine: llama.cpp (node-llama-cpp 3.22.1 prebuilt CPU build) on this machine\ncpu:\n",
      fit_note);
  y += fmt::format("  launch_overhead: {}   # measured: fit, per ggml op (thread barrier)\n",
                   q(m.launch_overhead, Dim::kTime));
  y += fmt::format("  thread_wake: {}   # measured: fit, per forward pass on 2+ threads\n",
                   q(m.thread_wake, Dim::kTime));
  if (!m.thread_scaling.empty())
    y += "  thread_scaling:   # measured: fit, each thread's compute rate on N threads vs one "
         "thread alone (llama.cpp's threads meet at a barrier after every op, so a kernel goes at "
         "its slowest thread's pace)" +
         (m.thread_speed_note.empty()
              ? std::string()
              : "; without llama.cpp, an integer loop: " + m.thread_speed_note) +
         "\n" + curve_yaml(m.thread_scaling, Dim::kNumber, 4);
  y += fmt::format("  step_overhead: {}   # measured: fit, per forward pass (binding, sampling)\n",
                   q(m.step_overhead, Dim::kTime));
  y += fmt::format(
      "  step_overhead_per_vocab: {}   # measured: fit, per forward pass and vocabulary entry: "
      "node-llama-cpp makes a new sampler per evaluation, whose constructor value-initialises a "
      "fresh 12-byte token candidate per entry (AddonSampler.cpp; its page faults dominate); "
      "timed by a 256-wide model whose output matrix is small, vocabularies of 4,608 to "
      "262,144 tokens\n",
      q(m.step_overhead_per_vocab, Dim::kTime));
  y += "  dtype_rate:\n";
  y += fmt::format("    int4: {}   # measured: fit, Q4_0 vs Q8_0 kernels\n", num(m.rate_int4));
  y += fmt::format(
      "    fp16: {}   # measured: fit, F16 kernels vs the fp16 peak (fp32 without native FP16)\n",
      num(m.rate_fp16));
  y += "  efficiency:\n    matmul:\n      by: rows\n      compute:   # measured: fit\n";
  y += curve_yaml(m.matmul_compute, Dim::kNumber, 8);
  y += "      memory:    # measured: fit\n" + curve_yaml(m.matmul_memory, Dim::kBytes, 8);
  y += "    attention:\n      by: rows\n      compute:   # measured: fit\n";
  y += curve_yaml(m.attention_compute, Dim::kNumber, 8);
  y += "      memory:    # measured: fit\n" + curve_yaml(m.attention_memory, Dim::kBytes, 8);
  y += "    elementwise:\n      by: rows\n      compute:   # measured: fit\n";
  y += curve_yaml(m.elementwise_compute, Dim::kNumber, 8);
  y += "      memory:    # measured: fit\n" + curve_yaml(m.elementwise_memory, Dim::kBytes, 8);
  return y;
}

}  // namespace

void write_llamacpp_host(const LlamaCppFit& fit, const std::string& hw_path,
                         const std::string& engine_path) {
  const std::string note = fmt::format("{} runs, reproduced within median {:.1f}%, max {:.1f}%",
                                       fit.rows.size(), 100 * fit.median_abs, 100 * fit.max_abs);
  for (const auto& [path, text] : {std::pair{hw_path, hw_yaml(fit.model, note)},
                                   std::pair{engine_path, engine_yaml(fit.model, note)}}) {
    if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
    std::ofstream f(path);
    if (!f) throw InputError({path}, "cannot open for writing");
    f << text;
  }
}

}  // namespace socsim::calibrate
