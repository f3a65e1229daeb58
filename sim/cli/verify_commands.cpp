// `socsim verify` (execute a policy's simulated schedule on the reference kernels and compare it
// with in-order and plain FP32 execution) and `socsim accuracy-proxy` (error of INT8 NPU execution
// against the outlier-layer pruning rate).
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "sim/cli/commands.hpp"
#include "sim/verify/accuracy_proxy.hpp"

namespace socsim::cli {
namespace {

struct VerifyOptions {
  verify::VerifyRequest req;
  int64_t prompt = 16, gen = 4;
  std::string rates = "0,0.25,0.5,0.75,0.85,1";
};

void add_common(CLI::App* sub, VerifyOptions& o) {
  sub->add_option("--hw", o.req.run.hw, "hardware profile: shipped name or YAML path")
      ->capture_default_str();
  sub->add_option("--model", o.req.run.model, "model whose architecture is reduced and executed")
      ->capture_default_str();
  sub->add_option("--prompt", o.prompt, "prompt tokens")->capture_default_str();
  sub->add_option("--gen", o.gen, "generated tokens (teacher-forced)")->capture_default_str();
  sub->add_option("--layers", o.req.shape.layers, "layers of the reduced model")
      ->capture_default_str();
  sub->add_option("--hidden", o.req.shape.hidden, "hidden size of the reduced model")
      ->capture_default_str();
  sub->add_option("--seed", o.req.seed, "seed of weights and tokens")->capture_default_str();
  sub->add_option("--set", o.req.run.sets,
                  "override any parameter (hw., model., policy., workload.)");
}

void finish_request(VerifyOptions& o) {
  o.req.run.sets.push_back(fmt::format("workload.prompt={}", o.prompt));
  o.req.run.sets.push_back(fmt::format("workload.gen={}", o.gen));
}

}  // namespace

void add_verify_commands(CLI::App& app, int& exit_code) {
  auto v = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify", "execute a policy's schedule on reference kernels and check its answer");
  add_common(sub, *v);
  sub->add_option("--policy", v->req.run.policy, "scheduling policy")->capture_default_str();
  sub->add_option("--tolerance", v->req.tolerance,
                  "relative logits error allowed (default: by numerics)");
  sub->callback([v, &exit_code] {
    finish_request(*v);
    const verify::VerifyReport r = verify::run_verify(v->req);
    std::cout << verify::format_report(r);
    exit_code = r.pass ? 0 : 4;
  });

  auto a = std::make_shared<VerifyOptions>();
  CLI::App* proxy = app.add_subcommand("accuracy-proxy",
                                       "INT8 NPU logits error vs the outlier-layer pruning rate");
  a->req.shape.layers = 8;  // enough layers for the pruning rates to differ
  add_common(proxy, *a);
  a->req.run.policy = "npu";
  proxy->add_option("--policy", a->req.run.policy, "policy placing INT8 matmuls on the NPU")
      ->capture_default_str();
  proxy->add_option("--rates", a->rates, "comma-separated pruning rates")->capture_default_str();
  proxy->callback([a, &exit_code] {
    finish_request(*a);
    std::vector<double> rates;
    std::stringstream ss(a->rates);
    for (std::string item; std::getline(ss, item, ',');) {
      try {
        rates.push_back(std::stod(item));
      } catch (const std::exception&) {
        throw InputError({"--rates " + a->rates}, fmt::format("'{}' is not a number", item));
      }
      if (rates.back() < 0 || rates.back() > 1)
        throw InputError({"--rates " + a->rates}, "rates must be in [0, 1]");
    }
    std::cout << verify::format_proxy(verify::accuracy_proxy(a->req, rates));
    exit_code = 0;
  });
}

}  // namespace socsim::cli
