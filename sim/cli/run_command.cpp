// `socsim run`: simulate one design point and print a summary, JSON and/or a trace.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/run_options.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/report/result_json.hpp"
#include "sim/report/trace.hpp"
#include "sim/session/session_report.hpp"

namespace socsim::cli {
namespace {

struct RunOptions {
  RunArgs args;
  std::string json, trace, config_out, session;
};

std::ofstream open_out(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw InputError({path}, "cannot open for writing");
  return f;
}

void run(RunOptions& o, int& exit_code) {
  RunRequest req = run_request(o.args);
  req.session = o.session;
  LoadedRun loaded = load_run(req);
  // Open every output before simulating: an unwritable path is bad input, found up front.
  std::ofstream json_file, trace_file, config_file;
  if (!o.json.empty() && o.json != "-") json_file = open_out(o.json);
  if (!o.trace.empty()) trace_file = open_out(o.trace);
  if (!o.config_out.empty()) config_file = open_out(o.config_out);
  prepare_session(loaded);
  if (runs_as_session(loaded)) {
    SessionOptions so;
    so.keep_steps = !o.trace.empty();
    so.backend = run_backend(o.args);
    const SessionResult r = simulate_session(loaded, loaded.session, so);
    const std::string json = session_json(loaded, r).dump(2) + "\n";
    if (o.json == "-") {
      std::cout << json;
    } else {
      std::cout << session_summary(loaded, r);
      if (!o.json.empty()) json_file << json;
    }
    if (!o.trace.empty()) write_session_trace(trace_file, r);
    if (!o.config_out.empty()) config_file << resolved_config(loaded);
    exit_code = 0;
    return;
  }
  std::unique_ptr<RunOutput> out = simulate(loaded, run_backend(o.args));
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
  add_run_args(sub, o->args);
  sub->add_option("--json", o->json,
                  "write the result as JSON to FILE, or - for stdout (then no summary)");
  sub->add_option("--trace", o->trace, "write a Chrome/Perfetto trace-event JSON to FILE");
  sub->add_option("--config-out", o->config_out, "write the resolved configuration (YAML) to FILE");
  sub->add_option("--session", o->session,
                  "run an app session of many requests (shipped name in experiments/sessions/ "
                  "or a YAML path); its scheduling: --set session.scheduler=fcfs|sarathi|layered");
  sub->callback([o, &exit_code] { run(*o, exit_code); });
}

}  // namespace socsim::cli
