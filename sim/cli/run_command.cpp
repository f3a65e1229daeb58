// `socsim run`: simulate one design point and print a summary, JSON and/or a trace.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/report/result_json.hpp"
#include "sim/report/trace.hpp"

namespace socsim::cli {
namespace {

struct RunOptions {
  RunRequest req;
  int64_t prompt = 0, gen = 0;
  const CLI::Option* prompt_opt = nullptr;  // given? then any value is passed on and checked
  const CLI::Option* gen_opt = nullptr;
  std::string memory, json, trace, backend = "simgrid", config_out;
};

std::ofstream open_out(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw InputError({path}, "cannot open for writing");
  return f;
}

void run(RunOptions& o, int& exit_code) {
  RunRequest req = o.req;
  if (o.prompt_opt->count() > 0) req.sets.push_back(fmt::format("workload.prompt={}", o.prompt));
  if (o.gen_opt->count() > 0) req.sets.push_back(fmt::format("workload.gen={}", o.gen));
  if (!o.memory.empty()) req.sets.push_back("workload.memory=" + o.memory);
  LoadedRun loaded = load_run(req);
  // Open every output before simulating: an unwritable path is bad input, found up front.
  std::ofstream json_file, trace_file, config_file;
  if (!o.json.empty() && o.json != "-") json_file = open_out(o.json);
  if (!o.trace.empty()) trace_file = open_out(o.trace);
  if (!o.config_out.empty()) config_file = open_out(o.config_out);
  const BackendKind kind = o.backend == "analytic" ? BackendKind::kAnalytic : BackendKind::kSimGrid;
  std::unique_ptr<RunOutput> out = simulate(loaded, kind);
  const std::string json = result_json(loaded, *out).dump(2) + "\n";
  if (o.json == "-") {
    std::cout << json;
  } else {
    std::cout << result_summary(loaded, *out);
    if (!o.json.empty()) json_file << json;
  }
  if (!o.trace.empty()) write_trace(trace_file, *out);
  if (!o.config_out.empty()) config_file << resolved_config(loaded);
  exit_code = 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand(
      "run", "simulate one design point (defaults: qwen1.5-1.8b on redmi-k70-pro, cpu policy)");
  sub->add_option("--hw", o->req.hw, "hardware profile: shipped name or YAML path")
      ->capture_default_str();
  sub->add_option("--model", o->req.model,
                  "model: shipped name, YAML or Hugging Face config.json path")
      ->capture_default_str();
  sub->add_option("--policy", o->req.policy, "scheduling policy (see `socsim list`)")
      ->capture_default_str();
  o->prompt_opt = sub->add_option("--prompt", o->prompt, "prompt tokens (default 256)");
  o->gen_opt = sub->add_option("--gen", o->gen, "tokens to generate (default 32)");
  sub->add_option("--memory", o->memory,
                  "memory budget, e.g. 8GB (default: the profile's dram.available)");
  sub->add_option(
      "--set", o->req.sets,
      "override any parameter: hw.PATH=V, model.PATH=V, policy.PATH=V, workload.PATH=V");
  sub->add_option("--json", o->json,
                  "write the result as JSON to FILE, or - for stdout (then no summary)");
  sub->add_option("--trace", o->trace, "write a Chrome/Perfetto trace-event JSON to FILE");
  sub->add_option("--config-out", o->config_out, "write the resolved configuration (YAML) to FILE");
  sub->add_option("--backend", o->backend,
                  "engine backend: simgrid (contention) or analytic (contention-free)")
      ->check(CLI::IsMember({"simgrid", "analytic"}))
      ->capture_default_str();
  sub->callback([o, &exit_code] { run(*o, exit_code); });
}

}  // namespace socsim::cli
