// `socsim sensitivity RUN-ARGS`: the elasticity of each metric to every numeric parameter of the
// run, with each parameter's provenance (sim/sensitivity/sensitivity.hpp); with --bands N, the
// spread of each metric when every assumption moves within its stated range
// (sim/sensitivity/bands.hpp). RUN-ARGS are those of `socsim run`.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/cli/run_options.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/sensitivity/bands.hpp"
#include "sim/sensitivity/sensitivity.hpp"

namespace socsim::cli {
namespace {

struct SensitivityArgs {
  RunArgs run;
  std::vector<std::string> metrics;
  std::string delta = "10%", json;
  size_t bands = 0, top = 25;
  uint64_t seed = 1;
  int jobs = 1;
};

double parse_delta(const std::string& text) {
  const QuantityParse q = parse_quantity(text, Dim::kNumber);
  if (!q.value) throw InputError({"--delta " + text}, q.error);
  if (!(*q.value > 0 && *q.value < 1))
    throw InputError(
        {"--delta " + text},
        fmt::format("the relative change must be above 0 and below 100%, not {}", text));
  return *q.value;
}

// Opened before anything runs: an unwritable path is bad input, found up front.
std::ofstream open_json(const std::string& path) {
  std::ofstream f;
  if (path.empty() || path == "-") return f;
  f.open(path);
  if (!f) throw InputError({path}, "cannot open for writing");
  return f;
}

// Tags only label the parameters here: malformed ones are a warning (the first, and how many),
// their numbers untagged; `describe FILE --provenance` lists them all.
void warn(const Diagnostics& tag_problems) {
  if (tag_problems.all().empty()) return;
  const Diagnostic& d = tag_problems.all().front();
  std::cerr << Diagnostic{Severity::kWarning, d.loc, d.message}.to_string() << "\n";
  std::cerr << fmt::format(
      "socsim: warning: {} malformed provenance tag(s), counted as untagged (`socsim describe "
      "FILE --provenance` lists them)\n",
      tag_problems.all().size());
}

void run(const SensitivityArgs& a) {
  const double delta = parse_delta(a.delta);
  std::ofstream json_file = open_json(a.json);
  std::string text;
  nlohmann::ordered_json json;
  Diagnostics tag_problems;
  if (a.bands > 0) {
    const BandReport r =
        run_bands({run_request(a.run), run_backend(a.run), a.metrics, a.bands, a.seed, a.jobs});
    text = format_bands(r);
    json = bands_json(r);
  } else {
    const SensitivityReport r =
        run_sensitivity({run_request(a.run), run_backend(a.run), a.metrics, delta, a.jobs});
    tag_problems = r.tag_problems;
    text = format_sensitivity(r, a.top);
    json = sensitivity_json(r);
  }
  if (a.json == "-")
    std::cout << json.dump(2) << "\n";
  else
    std::cout << text;
  std::cout.flush();
  warn(tag_problems);
  if (json_file.is_open()) json_file << json.dump(2) << "\n";
}

}  // namespace

void add_sensitivity_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<SensitivityArgs>();
  a->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* sub = app.add_subcommand(
      "sensitivity",
      "elasticity of the run's metrics to every numeric parameter, with its provenance; "
      "--bands N: the metrics' spread over the assumptions' ranges");
  add_run_args(sub, a->run);
  sub->add_option("--metric", a->metrics,
                  "numeric result keys, comma-separated (default: ttft_s, prefill_tokens_per_s, "
                  "decode_tokens_per_s when decoding, energy_j); the first ranks the table")
      ->delimiter(',');
  sub->add_option("--delta", a->delta, "relative change of each parameter, e.g. 10% or 0.05")
      ->capture_default_str();
  sub->add_option("--top", a->top, "parameters printed (0: all; --json has all)")
      ->capture_default_str();
  sub->add_option("--bands", a->bands,
                  "instead: run N points with every assumption-tagged number drawn in its range "
                  "and report each metric's median and 5-95% band");
  sub->add_option("--seed", a->seed, "seed of the --bands draws")->capture_default_str();
  sub->add_option("-j,--jobs", a->jobs, "worker processes (default: the number of cores)");
  sub->add_option("--json", a->json, "write the report as JSON to FILE, or - for stdout only");
  sub->callback([a, &exit_code] {
    run(*a);
    exit_code = 0;
  });
}

}  // namespace socsim::cli
