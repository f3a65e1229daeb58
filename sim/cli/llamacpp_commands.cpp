// `socsim gguf` (write a llama.cpp weight file with a socsim model's architecture and seeded random
// weights) and `socsim validate-llamacpp` (predict llama.cpp on this machine from its
// microbenchmarks, measure the same runs in llama.cpp, compare).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/llamacpp_drift_probe.hpp"
#include "sim/calibrate/llamacpp_fit.hpp"
#include "sim/calibrate/llamacpp_runner.hpp"
#include "sim/calibrate/thread_speed_bench.hpp"
#include "sim/calibrate/validate_llamacpp.hpp"
#include "sim/driver/simulate.hpp"

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/file_text.hpp"
#include "sim/config/units.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/gguf/synthetic_model.hpp"

namespace socsim::cli {
namespace {

// The whole text of a file the user named (an error naming it when it cannot be read).
std::string read_named_file(const std::string& file) {
  std::optional<std::string> text = read_file_text(file);
  if (!text) throw InputError({file}, "cannot open");
  return std::move(*text);
}

constexpr const char* kLetCpusIdleHelp =
    "time without the idle-priority spinners that keep every CPU awake (on a virtual machine a "
    "halted vCPU can delay a woken llama.cpp thread to the next timer tick)";

template <class T>
std::vector<T> parse_csv(const std::string& text, const std::string& option) {
  std::vector<T> v;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if constexpr (std::is_same_v<T, std::string>) {
      v.push_back(item);
    } else {
      try {
        size_t used = 0;
        v.push_back(static_cast<T>(std::stoll(item, &used)));
        if (used != item.size()) throw std::invalid_argument(item);
      } catch (const std::exception&) {
        throw InputError({option + " " + text}, fmt::format("'{}' is not an integer", item));
      }
      if (v.back() <= 0) throw InputError({option + " " + text}, "values must be positive");
    }
  }
  if (v.empty()) throw InputError({option + " " + text}, "empty list");
  return v;
}

CLI::Option* add_estimator_option(CLI::App* sub, std::string& estimator) {
  return sub
      ->add_option("--estimator", estimator,
                   "time of a run over its repeats: min (the least disturbed by other load) or "
                   "median")
      ->check(CLI::IsMember({"min", "median"}))
      ->capture_default_str();
}

calibrate::TimingEstimator estimator_of(const std::string& name) {
  return name == "median" ? calibrate::TimingEstimator::kMedian : calibrate::TimingEstimator::kMin;
}

void add_calibrate_llamacpp(CLI::App& app, int& exit_code) {
  struct Args {
    std::string hw = "hwprofiles/local/llamacpp-host.yaml";
    std::string engine = "hwprofiles/local/llamacpp-host-engine.yaml";
    std::string save, workdir;
    std::vector<std::string> from;
    bool quick = false, no_disk = false, let_cpus_idle = false;
    int repeats = 5, passes = 2;
    int64_t disk_bytes = int64_t{1} << 30;
    std::string estimator = "min";
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "calibrate-llamacpp",
      "time llama.cpp on two-layer microbenchmark models and fit the llamacpp-host hardware and "
      "engine profiles (about 7 minutes a pass, two passes; run it on a quiet machine)");
  sub->add_option("--out", a->hw, "hardware profile to write")->capture_default_str();
  sub->add_option("--engine-out", a->engine, "engine profile to write")->capture_default_str();
  sub->add_option("--save", a->save, "also save the measurements as JSON");
  CLI::Option* from =
      sub->add_option("--from", a->from,
                      "fit saved measurements instead of measuring; several files (A,B) saved at "
                      "different times are combined point by point with the estimator")
          ->delimiter(',');
  sub->add_option("--repeats", a->repeats, "measured repeats per run")->capture_default_str();
  sub->add_option("--passes", a->passes,
                  "time every microbenchmark this many times, a whole pass apart (minutes), and "
                  "combine each one's passes with the estimator: a shared machine's speed moves by "
                  "tens of percent within the hour, and repeats back to back do not see that")
      ->check(CLI::Range(1, 10))
      ->capture_default_str()
      ->excludes(from);
  add_estimator_option(sub, a->estimator);
  sub->add_option("--workdir", a->workdir, "where benchmark GGUF files are written");
  sub->add_flag("--quick", a->quick, "one small benchmark file (seconds; for tests)");
  sub->add_flag("--no-disk", a->no_disk,
                "skip the disk and page-cache benchmarks (the profile gets no flash section)");
  sub->add_option("--disk-bytes", a->disk_bytes, "size of the page-cache benchmark's file")
      ->capture_default_str();
  sub->add_flag("--let-cpus-idle", a->let_cpus_idle, kLetCpusIdleHelp);
  sub->callback([a, &exit_code] {
    std::vector<calibrate::LlamaCppPoint> points;
    if (a->from.empty()) {
      std::string why;
      const auto install = calibrate::find_llamacpp(&why);
      if (!install) throw InfeasibleError(why);
      calibrate::LlamaCppBenchOptions o;
      o.quick = a->quick, o.repeats = a->repeats, o.workdir = a->workdir, o.log = &std::cerr;
      o.keep_cpus_awake = !a->let_cpus_idle;
      o.estimator = estimator_of(a->estimator);
      std::vector<std::vector<calibrate::LlamaCppPoint>> passes;
      for (int pass = 1; pass <= a->passes; ++pass) {
        std::cerr << fmt::format("timing llama.cpp microbenchmarks, pass {} of {}\n", pass,
                                 a->passes);
        passes.push_back(calibrate::run_llamacpp_benchmarks(*install, o));
      }
      points = calibrate::merge_llamacpp_points(passes, o.estimator);
    } else {
      std::vector<std::vector<calibrate::LlamaCppPoint>> sets;
      for (const std::string& file : a->from)
        sets.push_back(calibrate::llamacpp_points_from_json(read_named_file(file), file));
      points = calibrate::merge_llamacpp_points(sets, estimator_of(a->estimator));
    }
    if (!a->save.empty()) {
      std::ofstream f(a->save);
      if (!f) throw InputError({a->save}, "cannot open for writing");
      f << calibrate::llamacpp_points_json(points);
    }
    std::cerr << "fitting\n";
    calibrate::LlamaCppFit fit =
        calibrate::fit_llamacpp_host(points, calibrate::detect_llamacpp_host(), &std::cerr);
    if (!a->quick && !a->no_disk) {
      std::cerr << "timing page faults from disk\n";
      const std::string dir =
          a->workdir.empty() ? std::filesystem::temp_directory_path().string() : a->workdir;
      fit.model.paging = calibrate::bench_page_cache(dir, a->disk_bytes);
      const calibrate::PageCacheBench& b = *fit.model.paging;
      std::cout << fmt::format(
          "page faults from {}: {:g} KiB read-around, cold scan {:.2f} GB/s (1 thread), {:.2f} "
          "GB/s (2 threads); page cache keep {:.2f} ({})\n",
          b.device.empty() ? "disk" : b.device, b.read_around / 1024, b.scan_bw_1 / 1e9,
          b.scan_bw_2 / 1e9, b.keep, b.keep_note);
    }
    if (!a->quick && fit.model.cores > 1) {
      std::cerr << "timing each thread's speed alone and with every thread busy\n";
      fit.model.thread_speed_note = calibrate::bench_thread_speed(fit.model.cores).summary();
      std::cout << "thread speed: " << fit.model.thread_speed_note << "\n";
    }
    for (const auto& r : fit.rows) {
      std::cout << fmt::format("{:<12} {:>5} t{} prompt {:>4}: prefill {:>8.2f} ms fit {:>+6.1f}%",
                               r.point.shape, r.point.quant, r.point.threads, r.point.prompt,
                               r.point.prefill_s * 1e3,
                               100 * (r.predicted_prefill_s / r.point.prefill_s - 1));
      if (r.point.gen > 1)
        std::cout << fmt::format(", decode {:>7.2f} ms/token fit {:>+6.1f}%",
                                 r.point.decode_mean_s * 1e3,
                                 100 * (r.predicted_decode_s / r.point.decode_mean_s - 1));
      std::cout << "\n";
    }
    calibrate::write_llamacpp_host(fit, a->hw, a->engine);
    calibrate::write_probe_reference(points, a->engine);
    std::cout << fmt::format(
        "microbenchmarks reproduced within median {:.1f}%, max {:.1f}% ({} runs)\nwrote {} and "
        "{}\n",
        100 * fit.median_abs, 100 * fit.max_abs, fit.rows.size(), a->hw, a->engine);
    exit_code = 0;
  });
}

struct ValidateArgs {
  calibrate::ValidateLlamaCppOptions o;
  std::string models = "qwen1.5-1.8b", threads = "1,2", prompts = "64,256", memory;
  bool let_cpus_idle = false;
  std::string estimator = "min";
  int passes = 1;
  bool no_probe = false;
  std::string save;
  std::vector<std::string> from;
};

// Measures (and predicts) every model of `a` in llama.cpp, pass after pass, with the drift probe
// before the models and after each pass; each row's passes are combined by the estimator.
std::vector<calibrate::LlamaCppValidationRow> measure_validation(ValidateArgs& a,
                                                                 std::vector<std::string>& probes) {
  a.o.keep_cpus_awake = !a.let_cpus_idle;
  a.o.estimator = estimator_of(a.estimator);
  if (!a.memory.empty()) {
    const QuantityParse q = parse_quantity(a.memory, Dim::kBytes);
    if (!q.value || *q.value <= 0)
      throw InputError({"--memory " + a.memory}, q.value ? "must be positive" : q.error);
    a.o.memory = *q.value;
  }
  try {
    (void)gguf::parse_quant(a.o.quant);
  } catch (const std::invalid_argument& e) {
    throw InputError({"--quant " + a.o.quant}, e.what());
  }
  a.o.threads = parse_csv<int>(a.threads, "--threads");
  a.o.prompts = parse_csv<int64_t>(a.prompts, "--prompt");
  if (a.o.gen < 1) throw InputError({"--gen"}, "must be at least 1");
  a.o.log = &std::cerr;
  const std::vector<std::string> models = parse_csv<std::string>(a.models, "--model");
  // Every pass measures the whole list again, minutes later; each row's measurements of all
  // passes are combined by the estimator, as the repeats within a pass are.
  std::vector<std::vector<calibrate::LlamaCppValidationRow>> passes(static_cast<size_t>(a.passes));
  // The drift probe: one calibration microbenchmark, before the models and after each pass.
  const auto probe = [&](const std::string& when) {
    if (a.no_probe) return;
    std::string why;
    const auto install = calibrate::find_llamacpp(&why);
    if (!install) throw InfeasibleError(why);
    calibrate::DriftProbeOptions p;
    p.threads = a.o.threads, p.hw = a.o.hw, p.engine = a.o.engine;
    p.workdir = a.o.workdir, p.repeats = a.o.repeats;
    p.keep_cpus_awake = a.o.keep_cpus_awake, p.estimator = a.o.estimator;
    probes.push_back(
        fmt::format("drift probe {}: {}", when,
                    calibrate::format_drift_probe(calibrate::probe_llamacpp_drift(*install, p))));
    std::cerr << probes.back() << "\n";
  };
  probe("before the models");
  for (size_t pass = 0; pass < passes.size(); ++pass) {
    for (const std::string& m : models) {
      calibrate::ValidateLlamaCppOptions o = a.o;
      o.model = m;
      const std::vector<calibrate::LlamaCppValidationRow> rows =
          calibrate::validate_llamacpp(o).rows;
      passes[pass].insert(passes[pass].end(), rows.begin(), rows.end());
    }
    probe(fmt::format("after pass {}", pass + 1));
  }
  return calibrate::combine_llamacpp_rows(passes, a.o.estimator);
}

void add_validate_llamacpp(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ValidateArgs>();
  CLI::App* sub = app.add_subcommand(
      "validate-llamacpp",
      "predict llama.cpp runs on this machine with the llamacpp-host profiles, measure them in "
      "llama.cpp and compare (exit 5 when median |error| > 10% or max > 25%)");
  std::vector<CLI::Option*> measuring{
      sub->add_option("--model", a->models, "model names or files, comma-separated")
          ->capture_default_str(),
      sub->add_option("--layers", a->o.layers, "layers of the measured model (0 = all)")
          ->capture_default_str(),
      sub->add_option("--quant", a->o.quant, "q8_0, q4_0 or f16")->capture_default_str(),
      sub->add_option("--threads", a->threads, "thread counts, comma-separated")
          ->capture_default_str(),
      sub->add_option("--prompt", a->prompts, "prompt lengths, comma-separated")
          ->capture_default_str(),
      sub->add_option("--gen", a->o.gen, "generated tokens (the first by prefill)")
          ->capture_default_str(),
      sub->add_option("--repeats", a->o.repeats, "measured repeats")->capture_default_str(),
      sub->add_option("--passes", a->passes,
                      "measure the whole model list this many times, minutes apart; each row "
                      "combines all passes' measurements with the estimator")
          ->check(CLI::Range(1, 100))
          ->capture_default_str()};
  add_estimator_option(sub, a->estimator);
  sub->add_option("--save", a->save, "also save the measurements as JSON");
  CLI::Option* from =
      sub->add_option("--from", a->from,
                      "predict measurements saved by --save again (with --hw/--engine) instead "
                      "of running llama.cpp; several files (A,B: passes saved at different "
                      "times) are combined row by row with the estimator")
          ->delimiter(',');
  sub->add_option("--hw", a->o.hw, "hardware profile")->capture_default_str();
  sub->add_option("--engine", a->o.engine, "engine profile")->capture_default_str();
  sub->add_option("--workdir", a->o.workdir, "where the GGUF file is written");
  measuring.push_back(
      sub->add_option("--memory", a->memory,
                      "run llama.cpp in a memory cgroup of this size (e.g. 600MB; needs root) and "
                      "predict with the same budget"));
  measuring.push_back(sub->add_flag("--let-cpus-idle", a->let_cpus_idle, kLetCpusIdleHelp));
  measuring.push_back(sub->add_flag(
      "--no-probe", a->no_probe,
      "skip the drift probe (a calibration microbenchmark timed before the models and after "
      "each pass, to show how far the machine moved since the calibration)"));
  for (CLI::Option* m : measuring) from->excludes(m);
  sub->callback([a, &exit_code] {
    calibrate::LlamaCppValidation all;
    all.median_target = a->o.median_target, all.max_target = a->o.max_target;
    std::vector<std::string> probes;
    if (a->from.empty()) {
      all.rows = measure_validation(*a, probes);
    } else {
      std::vector<std::vector<calibrate::LlamaCppValidationRow>> files;
      for (const std::string& file : a->from) {
        files.push_back(calibrate::llamacpp_validation_from_json(read_named_file(file), file));
        if (files.back().empty()) throw InputError({file}, "holds no measurements");
      }
      all.rows = calibrate::combine_llamacpp_rows(files, estimator_of(a->estimator));
      calibrate::predict_llamacpp_rows(all.rows, a->o);
    }
    if (!a->save.empty()) {
      std::ofstream f(a->save);
      if (!f) throw InputError({a->save}, "cannot open for writing");
      f << calibrate::llamacpp_validation_json(all.rows);
    }
    calibrate::summarise(all);
    if (!probes.empty())
      std::cout << "# the drift probe times a calibration microbenchmark (h3072 Q8_0, 16-token "
                   "prefill, 16 decode steps) and reads predicted / measured - 1 and the speed "
                   "against calibrate-llamacpp's own measurement of it: far from x1.00 means the "
                   "machine moved since the calibration\n";
    for (const std::string& line : probes) std::cout << line << "\n";
    std::cout << calibrate::format_llamacpp_validation(all);
    exit_code = all.pass ? 0 : 5;
  });
}

}  // namespace

void add_gguf_command(CLI::App& app, int& exit_code) {
  add_calibrate_llamacpp(app, exit_code);
  add_validate_llamacpp(app, exit_code);
  struct Args {
    std::string model, quant = "q8_0", out;
    int64_t layers = 0, vocab = 0, context = 0;
    uint64_t seed = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "gguf", "write a GGUF weight file of a model's architecture with seeded random weights");
  sub->add_option("--model", args->model, "model name or file")->required();
  sub->add_option("--layers", args->layers, "layers (default: the model's)");
  sub->add_option("--quant", args->quant, "q8_0, q4_0 or f16")->capture_default_str();
  sub->add_option("--vocab", args->vocab, "vocabulary size (default: the model's)");
  sub->add_option("--context", args->context, "context length (default: the model's)");
  sub->add_option("--seed", args->seed, "weight seed")->capture_default_str();
  sub->add_option("--out", args->out, "output file")->required();
  sub->callback([args, &exit_code] {
    Diagnostics diags;
    const std::string path = resolve_input(args->model, "models", "--model", diags);
    if (diags.has_errors()) throw InputError(diags);
    const ModelSpec m = load_model(path);
    gguf::SyntheticOptions o;
    try {
      o.quant = gguf::parse_quant(args->quant);
      o.layers = args->layers, o.vocab = args->vocab, o.context = args->context;
      o.seed = args->seed;
      const uint64_t bytes = gguf::write_synthetic_model(m, o, args->out);
      std::cout << fmt::format("wrote {} ({} architecture, {} tensor data {:.1f} MB)\n", args->out,
                               gguf::llama_cpp_architecture(m), args->quant, bytes / 1e6);
    } catch (const std::invalid_argument& e) {
      throw InputError({args->model}, e.what());
    }
    exit_code = 0;
  });
}

}  // namespace socsim::cli
