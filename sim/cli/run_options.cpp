// Options naming one design point; see run_options.hpp.
#include "sim/cli/run_options.hpp"

#include <fmt/format.h>

namespace socsim::cli {

void add_run_args(CLI::App* sub, RunArgs& a) {
  sub->add_option("--hw", a.req.hw, "hardware profile: shipped name or YAML path")
      ->capture_default_str();
  sub->add_option("--model", a.req.model,
                  "model: shipped name, YAML or Hugging Face config.json path")
      ->capture_default_str();
  sub->add_option("--policy", a.req.policy, "scheduling policy (see `socsim list`)")
      ->capture_default_str();
  a.prompt_opt = sub->add_option("--prompt", a.prompt, "prompt tokens (default 256)");
  a.gen_opt = sub->add_option("--gen", a.gen, "tokens to generate (default 32)");
  sub->add_option("--memory", a.memory,
                  "memory budget, e.g. 8GB (default: the profile's dram.available)");
  sub->add_option(
      "--set", a.req.sets,
      "override any parameter: hw.PATH=V, model.PATH=V, policy.PATH=V, workload.PATH=V");
  sub->add_option("--backend", a.backend,
                  "engine backend: simgrid (contention) or analytic (contention-free)")
      ->check(CLI::IsMember({"simgrid", "analytic"}))
      ->capture_default_str();
}

RunRequest run_request(const RunArgs& a) {
  RunRequest req = a.req;
  if (a.prompt_opt->count() > 0) req.sets.push_back(fmt::format("workload.prompt={}", a.prompt));
  if (a.gen_opt->count() > 0) req.sets.push_back(fmt::format("workload.gen={}", a.gen));
  if (!a.memory.empty()) req.sets.push_back("workload.memory=" + a.memory);
  return req;
}

BackendKind run_backend(const RunArgs& a) {
  return a.backend == "analytic" ? BackendKind::kAnalytic : BackendKind::kSimGrid;
}

}  // namespace socsim::cli
