// One design point from loaded inputs to metrics; see simulate.hpp.
#include "sim/driver/simulate.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>

#include "sim/config/units.hpp"
#include "sim/policy/memory_plan.hpp"

namespace socsim {

static void check_memory(const LoadedRun& run, const MemoryPlan& m, double budget) {
  auto b = [](double v) { return format_human(v, Dim::kBytes); };
  if (run.policy->can_offload()) {
    // Weights may stay in flash; the KV cache, activations and graphs cannot.
    const double pinned = m.kv_cache + m.activations + m.graphs;
    if (pinned <= budget) return;
    throw InfeasibleError(fmt::format(
        "{} cannot run under policy '{}' with a {} budget: its KV cache {}, activations {} and "
        "NPU graphs {} alone need {}, and only weights can stay in flash (raise --memory or "
        "shorten the run)",
        run.model.name, run.policy_name, b(budget), b(m.kv_cache), b(m.activations), b(m.graphs),
        b(pinned)));
  }
  if (m.total() <= budget) return;
  throw InfeasibleError(
      fmt::format("{} does not fit in memory under policy '{}': it needs {} (weights {}, float "
                  "outlier rows {}, KV cache {}, activations {}, NPU graphs {}) "
                  "but the budget is {}; policy '{}' cannot offload weights to flash (raise "
                  "--memory, shorten the run, or pick an "
                  "offloading policy)",
                  run.model.name, run.policy_name, b(m.total()), b(m.weights), b(m.float_weights),
                  b(m.kv_cache), b(m.activations), b(m.graphs), b(budget), run.policy_name));
}

// Idle share of the NPU between its first and last prefill op (busy time as the union of its ops).
static double npu_bubble_rate(const TaskGraph& g, const std::vector<OpTiming>& t,
                              const PlatformSpec& p) {
  const int npu = p.find("npu");
  if (npu < 0) return 0;
  std::vector<std::pair<double, double>> busy;
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    if (op.phase == Phase::kPrefill && op.place.count > 0 &&
        op.place.unit[0] == static_cast<UnitId>(npu))
      busy.emplace_back(t[i].start, t[i].end);
  }
  if (busy.empty()) return 0;
  std::sort(busy.begin(), busy.end());
  double covered = 0, cur0 = busy[0].first, cur1 = busy[0].second;
  for (const auto& [a, b] : busy) {
    if (a > cur1) {
      covered += cur1 - cur0;
      cur0 = a;
    }
    cur1 = std::max(cur1, b);
  }
  covered += cur1 - cur0;
  const double span = cur1 - busy[0].first;
  return span > 0 ? 1.0 - covered / span : 0.0;
}

// Runs the engine on the lowered, costed graph, or takes a memoised run of the same inputs.
static void run_engine(const LoadedRun& run, BackendKind kind, SimulationMemo* memo,
                       RunOutput& out) {
  const bool memoised = memo && kind != BackendKind::kSimGridWithEnergyPlugin;
  if (memoised)
    if (const MemoisedRun* hit =
            memo->find(out.graph, out.costs, out.platform, run.policy->schedule_key(), kind)) {
      out.timing = hit->timing;
      out.dispatch_order = hit->dispatch_order;
      return;
    }
  std::unique_ptr<Backend> backend = make_backend(kind);
  backend->build(out.platform);
  Simulation sim(out.graph, out.costs, out.platform, *run.policy, *backend);
  out.timing = sim.run();
  out.dispatch_order = sim.dispatch_order();
  if (memoised) memo->keep({out.timing, out.dispatch_order});
}

std::unique_ptr<RunOutput> simulate(const LoadedRun& run, BackendKind backend_kind,
                                    SimulationMemo* memo) {
  const auto wall0 = std::chrono::steady_clock::now();
  if (run.hw->has_thermal && run.hw->thermal.enabled)
    throw InputError({"--set hw.thermal.enabled=true"},
                     "the thermal model acts between the steps of a session; this command "
                     "simulates single runs (use `socsim run`, a sweep or socsim.run, which "
                     "simulate such a run as a session of one request)");
  auto out = std::make_unique<RunOutput>();
  out->platform = make_platform(*run.hw);
  LowerContext ctx{run.model, *run.hw, out->platform, run.workload};
  Diagnostics d;
  run.policy->check(ctx, d);
  d.throw_if_errors();
  run.policy->lower(ctx, out->graph);
  out->graph.build_successors();

  RunMetrics& m = out->metrics;
  m.memory = run.policy->memory(ctx, out->graph);
  m.memory_budget = run.policy->budget(ctx, m.memory);
  if (m.memory_budget > run.hw->dram.capacity)
    throw InputError(
        {"--memory"},
        fmt::format("the memory budget {} exceeds {}'s DRAM ({}); for a what-if device set "
                    "hw.dram.capacity as well",
                    format_human(m.memory_budget, Dim::kBytes), run.hw->name,
                    format_human(run.hw->dram.capacity, Dim::kBytes)));
  check_memory(run, m.memory, m.memory_budget);

  static const CostModel cost_model;
  out->costs = cost_model.estimate_all(out->graph, out->platform);
  run_engine(run, backend_kind, memo, *out);

  const TaskGraph& g = out->graph;
  double setup_end = 0, ttft = 0, end = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    const double e = out->timing[i].end;
    end = std::max(end, e);
    if (g.op(i).phase == Phase::kSetup) setup_end = std::max(setup_end, e);
    if (g.op(i).phase == Phase::kPrefill) ttft = std::max(ttft, e);
  }
  m.setup_s = setup_end;
  m.ttft_s = ttft;
  m.prefill_s = ttft - setup_end;
  m.prefill_tokens_per_s =
      m.prefill_s > 0 ? static_cast<double>(run.workload.prompt) / m.prefill_s : 0;
  m.total_s = end;
  m.decode_s = end - ttft;
  const int64_t decoded =
      run.workload.prompt == 0 ? run.workload.gen : std::max<int64_t>(run.workload.gen - 1, 0);
  m.decode_tokens_per_s = m.decode_s > 0 ? static_cast<double>(decoded) / m.decode_s : 0;
  // The whole run, prefill and decode in one pass over the ops.
  const std::pair<double, double> windows[] = {{0, end}, {setup_end, ttft}, {ttft, end}};
  std::vector<EnergyBreakdown> energy =
      account_energy(g, out->costs, out->timing, out->platform, windows);
  m.energy = std::move(energy[0]);
  m.prefill_energy_j = energy[1].total;
  m.decode_energy_j = energy[2].total;
  m.ops_simulated = g.size();
  m.npu_bubble_rate = npu_bubble_rate(g, out->timing, out->platform);
  m.decode = decode_metrics(g, out->timing, ttft);
  m.policy_metrics = run.policy->metrics();

  std::vector<std::string> est = estimator_names();
  std::vector<double> by_est(est.size(), 0.0), by_unit(out->platform.units.size(), 0.0);
  for (OpId i = 0; i < g.size(); ++i) {
    const double dur = out->timing[i].end - out->timing[i].dispatch;
    by_est[out->costs[i].estimator] += dur;
    for (uint8_t k = 0; k < g.op(i).place.count; ++k) by_unit[g.op(i).place.unit[k]] += dur;
  }
  for (size_t i = 0; i < est.size(); ++i) m.busy_s_by_estimator.emplace_back(est[i], by_est[i]);
  for (size_t u = 0; u < by_unit.size(); ++u)
    m.busy_s_by_unit.emplace_back(out->platform.units[u].name, by_unit[u]);
  m.sim_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace socsim
