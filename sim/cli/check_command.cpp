// `socsim check POLICY`: run a policy over a matrix of shipped profiles, models and prompt lengths,
// check every run invariant, verify its schedules on the reference kernels, check SLOs and compare
// with a baseline (sim/check/). Exit code 6 when an invariant breaks, a run fails or verify
// mismatches; 7 when only SLOs are missed; 3 when the policy could run on no point.
// `socsim check --random N --seed S [-j J] [POLICY]` checks N random design points instead
// (sim/check/random_check.hpp); exit code 6 on any violation.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>

#include "sim/check/check_report.hpp"
#include "sim/check/random_check.hpp"
#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"

namespace socsim::cli {

namespace {

struct CheckOptions {
  check::CheckRequest req;
  std::string slo, json;
  bool no_verify = false;
  size_t random = 0;
  uint64_t seed = 1;
  int jobs = 1;
};

// Runs `check` (opening `--json FILE` first, so a bad path fails before any work) and prints its
// report as text, or as JSON on stdout for `--json -`; returns the exit code.
template <class Report, class Json>
int report(const std::string& json, const std::function<Report()>& check,
           std::string (*text)(const Report&), Json (*to_json)(const Report&)) {
  std::ofstream json_file;
  if (!json.empty() && json != "-") {
    json_file.open(json);
    if (!json_file) throw InputError({json}, "cannot open for writing");
  }
  const Report r = check();
  if (json == "-") {
    std::cout << to_json(r).dump(2) << "\n";
  } else {
    std::cout << text(r);
    if (json_file.is_open()) json_file << to_json(r).dump(2) << "\n";
  }
  return r.exit_code();
}

// --random: the random-point check; its report, and the exit code.
int run_random(const CheckOptions& o) {
  check::RandomCheckRequest req;
  req.points = o.random;
  req.seed = o.seed;
  req.jobs = std::max(1, o.jobs);
  req.space.hw = o.req.hw;
  req.space.models = o.req.models;
  if (!o.req.policy.empty()) req.space.policies = {o.req.policy};
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) req.socsim_exe.assign(exe, static_cast<size_t>(n));
  return report<check::RandomCheckReport>(
      o.json, [&] { return check::run_random_check(req); }, &check::format_random_report,
      &check::random_report_json);
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand(
      "check",
      "validate a policy: invariants on a matrix of profiles, models and prompts, "
      "verify, SLOs, comparison with a baseline");
  sub->add_option("policy", o->req.policy,
                  "the policy to check (see `socsim list`); with --random, the only policy drawn");
  sub->add_option("--random", o->random,
                  "check N random design points instead of the matrix: random profiles (shipped "
                  "or perturbed within bounds), models, policies, prompts and budgets, against "
                  "every invariant, metamorphic relations and determinism");
  sub->add_option("--seed", o->seed, "seed of --random")->capture_default_str();
  sub->add_option("-j,--jobs", o->jobs, "worker processes for --random")->capture_default_str();
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
    if (o->random > 0) {
      exit_code = run_random(*o);
      return;
    }
    if (o->req.policy.empty()) throw InputError({"socsim check"}, "name the policy to check");
    check::CheckRequest req = o->req;
    if (!o->slo.empty()) req.slo = check::parse_slo(o->slo);
    req.verify = !o->no_verify;
    exit_code = report<check::CheckReport>(
        o->json, [&] { return check::run_check(req); }, &check::format_report, &check::report_json);
  });
}

}  // namespace socsim::cli
