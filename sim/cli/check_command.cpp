// `socsim check POLICY`: run a policy over a matrix of shipped profiles, models and prompt lengths,
// check every run invariant, verify its schedules on the reference kernels, check SLOs and compare
// with a baseline (sim/check/). Exit code 6 when an invariant breaks, a run fails or verify
// mismatches; 7 when only SLOs are missed; 3 when the policy could run on no point.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "sim/check/check_report.hpp"
#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"

namespace socsim::cli {

void add_check_command(CLI::App& app, int& exit_code) {
  struct Options {
    check::CheckRequest req;
    std::string slo, json;
    bool no_verify = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "check",
      "validate a policy: invariants on a matrix of profiles, models and prompts, "
      "verify, SLOs, comparison with a baseline");
  sub->add_option("policy", o->req.policy, "the policy to check (see `socsim list`)")->required();
  sub->add_option("--against", o->req.baseline,
                  "baseline policy to compare with, on the same points");
  sub->add_option("--slo", o->slo,
                  "comma-separated objectives, e.g. ttft<=1s,memory<=8GB,decode_tps>=5 (metrics: "
                  "ttft, total, decode_latency, prefill_tps, decode_tps, memory, energy, "
                  "energy_per_token, power)");
  sub->add_option("--hw", o->req.hw,
                  "hardware profiles, comma-separated (default: every shipped profile but host)")
      ->delimiter(',');
  sub->add_option("--model", o->req.models,
                  "models, comma-separated (default: qwen1.5-1.8b,llama-2-7b,bamboo-7b)")
      ->delimiter(',');
  sub->add_option("--prompt", o->req.prompts, "prompt lengths, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--gen", o->req.gen, "tokens generated at every point")->capture_default_str();
  sub->add_option("--set", o->req.sets,
                  "override: hw., model., workload. for both policies; policy., engine. for the "
                  "checked one");
  sub->add_option("--baseline-set", o->req.baseline_sets,
                  "override a parameter of the baseline: policy.PATH=V or engine.PATH=V");
  sub->add_flag("--no-verify", o->no_verify, "skip executing the schedules on reference kernels");
  sub->add_option("--json", o->json, "write the report as JSON to FILE, or - for stdout only");
  sub->callback([o, &exit_code] {
    check::CheckRequest req = o->req;
    if (!o->slo.empty()) req.slo = check::parse_slo(o->slo);
    req.verify = !o->no_verify;
    std::ofstream json_file;
    if (!o->json.empty() && o->json != "-") {
      json_file.open(o->json);
      if (!json_file) throw InputError({o->json}, "cannot open for writing");
    }
    const check::CheckReport r = check::run_check(req);
    if (o->json == "-") {
      std::cout << check::report_json(r).dump(2) << "\n";
    } else {
      std::cout << check::format_report(r);
      if (json_file.is_open()) json_file << check::report_json(r).dump(2) << "\n";
    }
    exit_code = r.exit_code();
  });
}

}  // namespace socsim::cli
