// Predicted vs measured llama.cpp runs; see validate_llamacpp.hpp.
#include "sim/calibrate/validate_llamacpp.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/llamacpp_fit.hpp"
#include "sim/calibrate/llamacpp_runner.hpp"
#include "sim/calibrate/page_cache_bench.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/gguf/synthetic_model.hpp"

namespace socsim::calibrate {
namespace fs = std::filesystem;

void summarise(LlamaCppValidation& v) {
  std::vector<double> e;
  for (const auto& r : v.rows) e.push_back(std::fabs(r.error()));
  std::sort(e.begin(), e.end());
  const size_t n = e.size();
  v.median_abs = n == 0 ? 0 : n % 2 ? e[n / 2] : 0.5 * (e[n / 2 - 1] + e[n / 2]);
  v.max_abs = n == 0 ? 0 : e.back();
  v.pass = n > 0 && v.median_abs <= v.median_target && v.max_abs <= v.max_target;
}

LlamaCppValidation validate_llamacpp(const ValidateLlamaCppOptions& o) {
  std::string why;
  const auto install = find_llamacpp(&why);
  if (!install) throw InfeasibleError(why);
  for (const std::string& f : {o.hw, o.engine})
    if (!fs::exists(f))
      throw InfeasibleError(f + " does not exist: run `socsim calibrate-llamacpp` first");
  LlamaCppValidation v;
  v.median_target = o.median_target, v.max_target = o.max_target;
  const std::string dtype = socsim_weight_dtype(o.quant);
  const fs::path dir = o.workdir.empty() ? fs::temp_directory_path() : fs::path(o.workdir);
  const std::string gguf_path =
      (dir /
       fmt::format("socsim-validate-{}-{}.gguf", fs::path(o.model).filename().string(), ::getpid()))
          .string();
  // The model as socsim sees it: the shipped architecture with the asked layers and weight type.
  std::vector<std::string> model_sets{"model.weight_dtype=" + dtype};
  if (o.layers > 0) model_sets.push_back(fmt::format("model.layers={}", o.layers));
  int64_t longest = 0;
  for (int64_t p : o.prompts) longest = std::max(longest, p + o.gen);
  const int64_t context = std::max<int64_t>(512, (longest + 255) / 256 * 256);
  RunRequest base;
  base.hw = o.hw, base.model = o.model, base.policy = "llamacpp", base.sets = model_sets;
  if (o.memory > 0) {
    std::string why;
    if (!memory_cgroup_available(&why))
      throw InfeasibleError(
          "--memory runs llama.cpp in a memory cgroup, which this machine does "
          "not allow: " +
          why);
    base.sets.push_back(fmt::format("workload.memory={:.0f}B", o.memory));
    base.sets.push_back(
        fmt::format("policy.mmap_request={:.0f}B", read_around_bytes(dir.string())));
  }
  // The timer runs each prompt as one batch (llamacpp_timer.mjs: batchSize = max(512, prompt)).
  base.sets.push_back("policy.chunk=0");
  // Each thread count's run adds its own cluster list to these; loading the model takes one core.
  const std::vector<std::string> run_sets = base.sets;
  base.sets.push_back("policy.clusters=core0");
  const LoadedRun loaded = load_run(base);
  if (o.memory > 0 && !loaded.hw->has_flash)
    throw InfeasibleError(o.hw +
                          " has no flash section: run `socsim calibrate-llamacpp` without "
                          "--no-disk (as root) to measure this machine's disk");
  const int64_t layers = loaded.model.layers;
  {
    gguf::SyntheticOptions g;
    g.quant = gguf::parse_quant(o.quant), g.context = context;
    gguf::write_synthetic_model(loaded.model, g, gguf_path);
  }
  if (o.log) *o.log << fmt::format("{} x {} layers, {}: {}\n", o.model, layers, o.quant, gguf_path);
  for (int t : o.threads) {
    std::vector<LlamaCppRun> runs;
    for (int64_t p : o.prompts) runs.push_back({p, o.gen});
    LlamaCppTimerOptions opt;
    opt.threads = t, opt.repeats = o.repeats, opt.context = context, opt.memory_limit = o.memory;
    opt.keep_cpus_awake = o.keep_cpus_awake;
    opt.estimator = o.estimator;
    std::vector<LlamaCppTiming> measured;
    try {
      measured = time_llamacpp(*install, gguf_path, runs, opt);
    } catch (...) {
      fs::remove(gguf_path);
      throw;
    }
    for (size_t i = 0; i < runs.size(); ++i) {
      RunRequest req = base;
      req.sets = run_sets;
      req.sets.push_back("policy.clusters=" + llamacpp_clusters(t));
      req.sets.push_back("policy.engine=" + o.engine);
      req.sets.push_back(fmt::format("workload.prompt={}", runs[i].prompt));
      req.sets.push_back(fmt::format("workload.gen={}", runs[i].gen));
      const std::vector<double> pred = run_isolated([&] {
        const RunMetrics r = simulate(load_run(req), BackendKind::kSimGrid)->metrics;
        return std::vector<double>{r.prefill_s, r.decode_s};
      });
      LlamaCppValidationRow row;
      row.model = o.model, row.quant = o.quant, row.layers = layers, row.threads = t;
      row.memory = o.memory;
      row.prompt = runs[i].prompt, row.gen = runs[i].gen;
      row.phase = "prefill", row.predicted = pred[0], row.measured = measured[i].prefill_s;
      v.rows.push_back(row);
      if (runs[i].gen > 1) {
        row.phase = "decode";
        row.predicted = pred[1] / static_cast<double>(runs[i].gen - 1);
        row.measured = measured[i].decode_mean_s();
        v.rows.push_back(row);
      }
      if (o.log)
        for (size_t k = v.rows.size() - (runs[i].gen > 1 ? 2 : 1); k < v.rows.size(); ++k)
          *o.log << fmt::format("  t{} prompt {} {}: predicted {:.2f} ms, measured {:.2f} ms\n", t,
                                v.rows[k].prompt, v.rows[k].phase, v.rows[k].predicted * 1e3,
                                v.rows[k].measured * 1e3);
    }
  }
  fs::remove(gguf_path);
  summarise(v);
  return v;
}

std::string format_llamacpp_validation(const LlamaCppValidation& v) {
  std::string s = fmt::format(
      "{:<14} {:>6} {:>5} {:>7} {:>7} {:>7} {:>4} {:<8} {:>12} {:>12} {:>8}\n", "model", "layers",
      "quant", "memory", "threads", "prompt", "gen", "phase", "predicted", "measured", "error");
  for (const auto& r : v.rows)
    s += fmt::format(
        "{:<14} {:>6} {:>5} {:>7} {:>7} {:>7} {:>4} {:<8} {:>9.2f} ms {:>9.2f} ms {:>+7.1f}%\n",
        r.model, r.layers, r.quant,
        r.memory > 0 ? fmt::format("{:.0f}MB", r.memory / 1e6) : std::string("-"), r.threads,
        r.prompt, r.gen, r.phase == "decode" ? "decode/t" : r.phase, r.predicted * 1e3,
        r.measured * 1e3, 100 * r.error());
  s += fmt::format(
      "median |error| {:.1f}% (target {:.0f}%), max {:.1f}% (target {:.0f}%) over {} values: {}\n",
      100 * v.median_abs, 100 * v.median_target, 100 * v.max_abs, 100 * v.max_target, v.rows.size(),
      v.pass ? "PASS" : "MISS");
  return s;
}

}  // namespace socsim::calibrate
