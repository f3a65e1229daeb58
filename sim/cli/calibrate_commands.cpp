// `socsim calibrate` (microbenchmark the reference kernels on this machine and write a host
// profile) and `socsim validate-host` (predict reduced models with that profile and compare with
// their real execution; exit 5 when the accuracy targets are missed).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/calibrate/host_benchmarks.hpp"
#include "sim/calibrate/host_profile_writer.hpp"
#include "sim/calibrate/validate_host.hpp"
#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/file_text.hpp"

namespace socsim::cli {
namespace {

// Benchmarks (or reads saved measurements), fits, prints the speed report, writes the profile.
void calibrate_to(const calibrate::BenchConfig& cfg, const std::string& out,
                  const std::string& save = "", const std::string& from = "") {
  calibrate::Measurements m;
  if (from.empty()) {
    m = calibrate::run_host_benchmarks(cfg);
  } else {
    const std::optional<std::string> text = read_file_text(from);
    if (!text) throw InputError({from}, "cannot open");
    m = calibrate::measurements_from_json(*text, from);
  }
  if (!save.empty()) {
    std::ofstream f(save);
    if (!f) throw InputError({save}, "cannot open for writing");
    f << calibrate::measurements_json(m);
  }
  const calibrate::HostFit fit = calibrate::fit_host_profile(m);
  std::cout << calibrate::kernel_speed_report(m, fit);
  calibrate::write_host_profile(fit, out);
  std::cout << fmt::format("wrote host profile {} (loads with `socsim run --hw {}`)\n", out, out);
}

std::vector<int64_t> parse_list(const std::string& text, const std::string& option) {
  std::vector<int64_t> v;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      v.push_back(std::stoll(item));
    } catch (const std::exception&) {
      throw InputError({option + " " + text}, fmt::format("'{}' is not an integer", item));
    }
    if (v.back() <= 0) throw InputError({option + " " + text}, "values must be positive");
  }
  if (v.empty()) throw InputError({option + " " + text}, "empty list");
  return v;
}

void add_bench_options(CLI::App* sub, calibrate::BenchConfig& cfg) {
  sub->add_flag("--quick", cfg.quick, "a small subset of the microbenchmarks (seconds; for tests)");
  sub->add_option("--min-time", cfg.min_time, "seconds per benchmark repetition")
      ->capture_default_str();
  sub->add_option("--repetitions", cfg.repetitions, "repetitions per benchmark (median)")
      ->capture_default_str();
  sub->add_option("--kv-footprint", cfg.kv_footprint,
                  "bytes of KV caches each attention benchmark cycles through, at least")
      ->capture_default_str();
  sub->add_option("--rotation", cfg.rotation,
                  "weight matrices each matmul benchmark cycles through")
      ->capture_default_str();
}

struct ValidateCli {
  calibrate::ValidateOptions opt;
  calibrate::BenchConfig bench;
  std::string hidden = "256,512,1024", layers = "4,4,8", prompts = "32,64,128,256";
};

}  // namespace

void add_calibrate_commands(CLI::App& app, int& exit_code) {
  struct CalibrateCli {
    calibrate::BenchConfig bench;
    std::string out = "hwprofiles/host.yaml", save, from;
  };
  auto c = std::make_shared<CalibrateCli>();
  CLI::App* cal = app.add_subcommand(
      "calibrate",
      "microbenchmark the reference kernels on this machine (one thread) and write a host profile");
  cal->add_option("--out", c->out, "host profile to write")->capture_default_str();
  cal->add_option("--save-measurements", c->save, "also write the raw measurements (JSON)");
  cal->add_option("--from-measurements", c->from,
                  "fit saved measurements (JSON) instead of running the benchmarks");
  add_bench_options(cal, c->bench);
  cal->callback([c, &exit_code] {
    c->bench.log = &std::cerr;
    calibrate_to(c->bench, c->out, c->save, c->from);
    exit_code = 0;
  });

  auto v = std::make_shared<ValidateCli>();
  CLI::App* val = app.add_subcommand(
      "validate-host",
      "predict reduced models with the host profile and compare with their real execution");
  val->add_option("--profile", v->opt.profile, "host profile (calibrated first when missing)")
      ->capture_default_str();
  val->add_option("--model", v->opt.model, "architecture to reduce")->capture_default_str();
  val->add_option("--hidden", v->hidden, "comma-separated hidden sizes")->capture_default_str();
  val->add_option("--layers", v->layers, "comma-separated layer counts, one per hidden size")
      ->capture_default_str();
  val->add_option("--prompts", v->prompts, "comma-separated prompt lengths")->capture_default_str();
  val->add_option("--gen", v->opt.gen, "tokens generated (gen - 1 decode steps)")
      ->capture_default_str();
  val->add_option("--repeats", v->opt.repeats, "measured executions per point (median)")
      ->capture_default_str();
  val->add_option("--granularity", v->opt.granularity, "cpu policy granularity: op, block or layer")
      ->capture_default_str();
  val->add_option("--seed", v->opt.seed, "seed of weights and tokens")->capture_default_str();
  val->add_flag(
      "--breakdown", v->opt.breakdown,
      "also print predicted and measured time by op kind (per primitive with --granularity op)");
  add_bench_options(val, v->bench);
  val->callback([v, &exit_code] {
    const std::vector<int64_t> hidden = parse_list(v->hidden, "--hidden"),
                               layers = parse_list(v->layers, "--layers");
    if (hidden.size() != layers.size())
      throw InputError({"--layers " + v->layers}, "give one layer count per hidden size");
    v->opt.sizes.clear();
    for (size_t i = 0; i < hidden.size(); ++i) v->opt.sizes.emplace_back(hidden[i], layers[i]);
    v->opt.prompts = parse_list(v->prompts, "--prompts");
    if (v->opt.gen < 1) throw InputError({"--gen"}, "at least 1 token");
    if (v->opt.repeats < 1) throw InputError({"--repeats"}, "at least 1 execution");
    if (!std::filesystem::exists(v->opt.profile)) {
      std::cerr << fmt::format("validate-host: {} does not exist; calibrating first\n",
                               v->opt.profile);
      v->bench.log = &std::cerr;
      calibrate_to(v->bench, v->opt.profile);
    }
    v->opt.log = &std::cerr;
    const calibrate::ValidationReport r = calibrate::validate_host(v->opt);
    std::cout << calibrate::format_validation(r);
    exit_code = r.pass ? 0 : 5;
  });
}

}  // namespace socsim::cli
