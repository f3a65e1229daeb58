// Predicted vs measured llama.cpp runs; see validate_llamacpp.hpp.
#include "sim/calibrate/validate_llamacpp.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

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

namespace {

// The settings every prediction of a validation run shares: the model's weight type and layers,
// one batch per prompt, and with a memory limit the same budget and the disk's fault size.
std::vector<std::string> shared_sets(const std::string& quant, int64_t layers, double memory,
                                     const std::string& workdir) {
  std::vector<std::string> sets{"model.weight_dtype=" + socsim_weight_dtype(quant)};
  if (layers > 0) sets.push_back(fmt::format("model.layers={}", layers));
  if (memory > 0) {
    sets.push_back(fmt::format("workload.memory={:.0f}B", memory));
    sets.push_back(fmt::format("policy.mmap_request={:.0f}B", read_around_bytes(workdir)));
  }
  // The timer runs each prompt as one batch (llamacpp_timer.mjs: batchSize = max(512, prompt)).
  sets.push_back("policy.chunk=0");
  return sets;
}

std::string workdir_of(const ValidateLlamaCppOptions& o) {
  return o.workdir.empty() ? fs::temp_directory_path().string() : o.workdir;
}

}  // namespace

void predict_llamacpp_rows(std::span<LlamaCppValidationRow> rows,
                           const ValidateLlamaCppOptions& o) {
  // One simulation per run (model, threads, prompt, ...); its prefill and decode rows share it.
  for (size_t i = 0; i < rows.size();) {
    const LlamaCppValidationRow& r = rows[i];
    size_t end = i + 1;
    while (end < rows.size() && rows[end].model == r.model && rows[end].quant == r.quant &&
           rows[end].layers == r.layers && rows[end].threads == r.threads &&
           rows[end].prompt == r.prompt && rows[end].gen == r.gen && rows[end].memory == r.memory)
      ++end;
    RunRequest req;
    req.hw = o.hw, req.model = r.model, req.policy = "llamacpp";
    req.sets = shared_sets(r.quant, r.layers, r.memory, workdir_of(o));
    req.sets.push_back("policy.clusters=" + llamacpp_clusters(r.threads));
    req.sets.push_back("policy.engine=" + o.engine);
    req.sets.push_back(fmt::format("workload.prompt={}", r.prompt));
    req.sets.push_back(fmt::format("workload.gen={}", r.gen));
    const std::vector<double> pred = run_isolated([&] {
      const RunMetrics m = simulate(load_run(req), BackendKind::kSimGrid)->metrics;
      return std::vector<double>{m.prefill_s, m.decode_s};
    });
    for (size_t k = i; k < end; ++k)
      rows[k].predicted =
          rows[k].phase == "decode" ? pred[1] / static_cast<double>(rows[k].gen - 1) : pred[0];
    i = end;
  }
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
  const fs::path dir = workdir_of(o);
  const std::string gguf_path =
      (dir /
       fmt::format("socsim-validate-{}-{}.gguf", fs::path(o.model).filename().string(), ::getpid()))
          .string();
  int64_t longest = 0;
  for (int64_t p : o.prompts) longest = std::max(longest, p + o.gen);
  const int64_t context = std::max<int64_t>(512, (longest + 255) / 256 * 256);
  if (o.memory > 0) {
    std::string why;
    if (!memory_cgroup_available(&why))
      throw InfeasibleError(
          "--memory runs llama.cpp in a memory cgroup, which this machine does "
          "not allow: " +
          why);
  }
  // The model as socsim sees it: the shipped architecture with the asked layers and weight type.
  RunRequest base;
  base.hw = o.hw, base.model = o.model, base.policy = "llamacpp";
  base.sets = shared_sets(o.quant, o.layers, o.memory, dir.string());
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
    const size_t first = v.rows.size();
    for (size_t i = 0; i < runs.size(); ++i) {
      LlamaCppValidationRow row;
      row.model = o.model, row.quant = o.quant, row.layers = layers, row.threads = t;
      row.memory = o.memory;
      row.prompt = runs[i].prompt, row.gen = runs[i].gen;
      row.phase = "prefill", row.measured = measured[i].prefill_s;
      v.rows.push_back(row);
      if (runs[i].gen > 1) {
        row.phase = "decode", row.measured = measured[i].decode_mean_s();
        v.rows.push_back(row);
      }
    }
    const std::span these = std::span(v.rows).subspan(first);
    predict_llamacpp_rows(these, o);
    if (o.log)
      for (const LlamaCppValidationRow& r : these)
        *o.log << fmt::format("  t{} prompt {} {}: predicted {:.2f} ms, measured {:.2f} ms\n", t,
                              r.prompt, r.phase, r.predicted * 1e3, r.measured * 1e3);
  }
  fs::remove(gguf_path);
  summarise(v);
  return v;
}

std::string llamacpp_validation_json(const std::vector<LlamaCppValidationRow>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const LlamaCppValidationRow& r : rows)
    j.push_back({{"model", r.model},
                 {"quant", r.quant},
                 {"layers", r.layers},
                 {"threads", r.threads},
                 {"memory_bytes", r.memory},
                 {"prompt", r.prompt},
                 {"gen", r.gen},
                 {"phase", r.phase},
                 {"measured_s", r.measured}});
  return j.dump(1) + "\n";
}

std::vector<LlamaCppValidationRow> llamacpp_validation_from_json(const std::string& text,
                                                                 const std::string& file) {
  std::vector<LlamaCppValidationRow> rows;
  try {
    for (const auto& e : nlohmann::json::parse(text)) {
      LlamaCppValidationRow r;
      r.model = e.at("model").get<std::string>();
      r.quant = e.at("quant").get<std::string>();
      r.layers = e.at("layers").get<int64_t>();
      r.threads = e.at("threads").get<int>();
      r.memory = e.at("memory_bytes").get<double>();
      r.prompt = e.at("prompt").get<int64_t>();
      r.gen = e.at("gen").get<int64_t>();
      r.phase = e.at("phase").get<std::string>();
      r.measured = e.at("measured_s").get<double>();
      if (r.phase != "prefill" && r.phase != "decode")
        throw InputError({file}, fmt::format("entry {}: key 'phase' must be prefill or decode, "
                                             "not '{}'",
                                             rows.size() + 1, r.phase));
      rows.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError({file}, std::string("not a saved llama.cpp validation: ") + e.what());
  }
  return rows;
}

std::vector<LlamaCppValidationRow> combine_llamacpp_rows(
    const std::vector<std::vector<LlamaCppValidationRow>>& passes, TimingEstimator e) {
  using Key =
      std::tuple<std::string, std::string, int64_t, int, double, int64_t, int64_t, std::string>;
  std::vector<LlamaCppValidationRow> rows;
  std::vector<std::vector<double>> measured;
  std::map<Key, size_t> index;
  for (const auto& pass : passes)
    for (const LlamaCppValidationRow& r : pass) {
      const Key k{r.model, r.quant, r.layers, r.threads, r.memory, r.prompt, r.gen, r.phase};
      const auto [it, added] = index.emplace(k, rows.size());
      if (added) {
        rows.push_back(r);
        measured.emplace_back();
      }
      measured[it->second].push_back(r.measured);
    }
  for (size_t i = 0; i < rows.size(); ++i) rows[i].measured = estimate(measured[i], e);
  return rows;
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
