// Helpers for the `socsim check` tests: a real simulated run kept with the inputs it came from (so
// the invariants get their context), and a RunOutput made by hand from an engine-test Bench (a
// hand-built platform, graph and costs run through Simulation), whose fields a test then breaks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/check/invariants.hpp"
#include "sim/energy/energy.hpp"
#include "tests/unit/engine_test_support.hpp"

namespace socsim::test {

struct SimulatedRun {
  LoadedRun run;
  std::unique_ptr<RunOutput> out;
  check::InvariantContext context() const { return check::context_of(run); }
};

// `policy` on redmi-k70-pro with qwen1.5-1.8b (or `model`), a short prompt and a few tokens.
inline SimulatedRun simulated_run(const std::string& policy, std::vector<std::string> sets = {},
                                  const std::string& model = "qwen1.5-1.8b") {
  sets.insert(sets.begin(), {"workload.prompt=24", "workload.gen=4"});
  SimulatedRun s{load_run({"redmi-k70-pro", model, policy, sets, {}}), nullptr};
  s.out = simulate(s.run, BackendKind::kSimGrid);
  return s;
}

// Runs a Bench's graph on the analytic backend and packs it as a RunOutput with consistent
// metrics (everything is prefill; energy from the accountant; memory plan 1 GB of an 8 GB budget).
inline RunOutput hand_run(Bench& b, const Policy& policy = TestPolicy()) {
  b.g.build_successors();
  RunOutput out;
  out.graph = b.g;
  out.costs = b.costs;
  out.platform = b.platform;
  auto backend = make_backend(BackendKind::kAnalytic);
  backend->build(out.platform);
  Simulation sim(out.graph, out.costs, out.platform, policy, *backend);
  out.timing = sim.run();
  out.dispatch_order = sim.dispatch_order();
  RunMetrics& m = out.metrics;
  for (const OpTiming& t : out.timing) m.total_s = std::max(m.total_s, t.end);
  m.ttft_s = m.prefill_s = m.total_s;
  m.prefill_tokens_per_s = 1 / m.total_s;
  m.energy = account_energy(out.graph, out.costs, out.timing, out.platform, 0, m.total_s);
  m.prefill_energy_j = m.energy.total;
  m.memory.weights = 1e9;
  m.memory_budget = 8e9;
  m.ops_simulated = out.graph.size();
  return out;
}

// The workload hand_run's metrics describe: one prompt token, nothing decoded.
inline check::InvariantContext hand_context() {
  check::InvariantContext c;
  c.workload.prompt = 1;
  c.workload.gen = 1;
  return c;
}

}  // namespace socsim::test
