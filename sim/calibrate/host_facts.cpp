// Host facts for calibration: CPU model, clock (read and measured), vector ISA and FP32 peak,
// installed memory, and the fixed cost of one kernel launch through the Executor; see
// host_benchmarks.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "kernels/kernels.hpp"
#include "sim/calibrate/host_benchmarks.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/stats/median.hpp"
#include "sim/verify/executor.hpp"
#include "sim/verify/reference_model.hpp"

namespace socsim::calibrate {
namespace {

std::string cpuinfo_field(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    return v;
  }
  return "";
}

bool has_flag(const std::string& flags, const std::string& f) {
  return (" " + flags + " ").find(" " + f + " ") != std::string::npos;
}

// Core clock from a chain of dependent integer adds (one cycle of latency each): the best of a
// few 10 ms trials, so that preemption only lowers discarded trials.
double measure_clock() {
#if defined(__x86_64__)
  double best = 0;
  for (int trial = 0; trial < 7; ++trial) {
    uint64_t x = 0;
    constexpr int64_t kLoops = 1'000'000;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < kLoops; ++i)
      asm volatile(
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
          : "+r"(x));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 16.0 * kLoops / s);
  }
  return best;
#else
  return 0;
#endif
}

}  // namespace

HostInfo detect_host() {
  HostInfo h;
  h.cpu_model = cpuinfo_field("/proc/cpuinfo", "model name");
  if (h.cpu_model.empty()) h.cpu_model = "unknown CPU";
  const std::string mhz = cpuinfo_field("/proc/cpuinfo", "cpu MHz");
  if (!mhz.empty()) h.cpuinfo_clock = std::stod(mhz) * 1e6;
  h.measured_clock = measure_clock();
  h.clock = h.measured_clock > 0 ? h.measured_clock : h.cpuinfo_clock > 0 ? h.cpuinfo_clock : 2e9;
  const std::string flags = cpuinfo_field("/proc/cpuinfo", "flags");
  if (has_flag(flags, "avx512f"))
    h.isa = "AVX-512 (2 FMA units x 16 lanes x 2)", h.flops_per_cycle = 64;
  else if (has_flag(flags, "avx2") && has_flag(flags, "fma"))
    h.isa = "AVX2+FMA (2 FMA units x 8 lanes x 2)", h.flops_per_cycle = 32;
  else if (has_flag(flags, "avx"))
    h.isa = "AVX (8-lane add + 8-lane mul)", h.flops_per_cycle = 16;
  else
    h.isa = "SSE2 (4-lane add + 4-lane mul)", h.flops_per_cycle = 8;
  h.peak_fp32 = h.flops_per_cycle * h.clock;
  const std::string mem = cpuinfo_field("/proc/meminfo", "MemTotal");
  h.dram_capacity = mem.empty() ? 8e9 : std::stod(mem) * 1024.0;  // "24684092 kB"
  h.kernel_simd = Eigen::SimdInstructionSetsInUse();
  return h;
}

double executor_launch_overhead(bool quick, std::string* note) {
  RunRequest req;
  const std::vector<std::string> hw = shipped_names("hwprofiles");
  if (!hw.empty()) req.hw = hw.front();  // any profile: only the graph's structure is used
  const int64_t prompt = 4, gen = quick ? 9 : 33;
  req.sets = {"model.weight_dtype=fp32",
              "model.activation_dtype=fp32",
              "model.kv_dtype=fp32",
              "policy.granularity=op",
              fmt::format("workload.prompt={}", prompt),
              fmt::format("workload.gen={}", gen)};
  LoadedRun run = load_run(req);
  verify::ReducedShape shape;
  shape.layers = 2, shape.hidden = 32, shape.vocab = 64;
  const verify::ReferenceModel model = verify::build_reference_model(run.model, shape, 7);
  run.model = model.spec;
  run.workload.memory = kUnset;
  const std::unique_ptr<RunOutput> sim = simulate(run, BackendKind::kAnalytic);
  const std::vector<int32_t> tokens = verify::make_tokens(model, prompt + gen - 1, 8);
  std::vector<double> per_launch, secs;
  verify::ExecOptions opt;
  opt.op_seconds = &secs;
  for (int rep = 0; rep < (quick ? 3 : 9); ++rep) {
    verify::Executor(model, sim->graph, sim->platform, opt).run(sim->dispatch_order, tokens);
    double total = 0, launches = 0;
    for (OpId i = 0; i < sim->graph.size(); ++i)
      if (sim->graph.op(i).phase == Phase::kDecode)
        total += secs[i], launches += sim->graph.op(i).launches;
    per_launch.push_back(total / launches);
  }
  if (note)
    *note = fmt::format(
        "Executor on {} reduced to 2 layers x hidden 32, one primitive per op: median over {} runs "
        "of the mean decode op time ({} decode steps)",
        req.model, per_launch.size(), gen - 1);
  return median(per_launch);
}

}  // namespace socsim::calibrate
