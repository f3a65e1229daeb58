// `socsim record-activations`: writes a trace of the seeded activation model for a model (the
// documented trace format of sim/sparse/activation_trace.hpp), as a template for measured traces
// or to freeze the activations of a study; `--set policy.activation_trace=FILE` replays one.
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/sparse/activation_trace.hpp"

namespace socsim::cli {

void add_record_activations_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model = "bamboo-7b", out;
    int64_t tokens = 64;
    uint64_t seed = 1;
    double hotness = 1.0, locality = 0.5;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "record-activations", "write the seeded activation model's trace for a sparse model");
  sub->add_option("--model", o->model, "model: shipped name or path")->capture_default_str();
  sub->add_option("--tokens", o->tokens, "decoded tokens to record")->capture_default_str();
  sub->add_option("--seed", o->seed, "seed of the activation model")->capture_default_str();
  sub->add_option("--hotness", o->hotness, "power-law exponent of firing rates")
      ->capture_default_str();
  sub->add_option("--locality", o->locality, "chance a neuron keeps its state between tokens")
      ->capture_default_str();
  sub->add_option("--out", o->out, "trace file to write")->required();
  sub->callback([o, &exit_code] {
    RunRequest req;
    req.model = o->model;
    const LoadedRun run = load_run(req);
    if (!run.model.has_sparsity)
      throw InputError({"--model " + o->model},
                       "the model has no sparsity section (ffn_active): nothing to record");
    ActivationParams p;
    p.seed = o->seed, p.hotness_exponent = o->hotness, p.locality = o->locality;
    StochasticActivations source(activation_shape(run.model), p);
    write_activation_trace(source, o->tokens, o->out);
    std::cout << "wrote " << o->tokens << " tokens of " << run.model.name << " to " << o->out
              << "\n";
    exit_code = 0;
  });
}

}  // namespace socsim::cli
