// The run totals' invariants: memory against the budget and against what the run holds, energy
// against idle power, and the consistency of the metrics; see invariants.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/check/invariants.hpp"
#include "sim/config/units.hpp"
#include "sim/policy/memory_plan.hpp"

namespace socsim::check {
namespace {

std::string bytes(double b) {
  return format_human(b, Dim::kBytes);
}

// Weight bytes the linear layers of one forward pass read (projections, FFN, LM head): the first
// decode step, or the first prefill chunk when nothing is decoded, less what the pass reads from
// flash (mllm-NPU's cold outlier rows are fetched when needed, not held). A floor of the resident
// weights: embedding rows (a table the LM head may share) and norm gains (which parameter counts
// leave out) are not counted.
double forward_pass_weight_bytes(const TaskGraph& g) {
  int32_t token = -1;
  for (OpId i = 0; i < g.size(); ++i)
    if (g.op(i).phase == Phase::kDecode && (token < 0 || g.op(i).token < token))
      token = g.op(i).token;
  double sum = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    const bool in_pass = token >= 0 ? op.phase == Phase::kDecode && op.token == token
                                    : op.phase == Phase::kPrefill && op.chunk <= 0;
    if (!in_pass) continue;
    for (const OpPart& p : g.parts(i))
      if (p.kind == OpKind::kMatmul) sum += p.weight_bytes;
    sum -= op.flash_bytes;
  }
  return std::max(0.0, sum);
}

}  // namespace

void check_memory(const RunOutput& out, Violations& v) {
  const RunMetrics& m = out.metrics;
  if (m.memory.total() > m.memory_budget * (1 + kRoundingTolerance))
    v.add("memory",
          fmt::format("the plan needs {} (weights {}, float rows {}, KV cache {}, "
                      "activations {}, graphs {}), over the {} budget",
                      bytes(m.memory.total()), bytes(m.memory.weights),
                      bytes(m.memory.float_weights), bytes(m.memory.kv_cache),
                      bytes(m.memory.activations), bytes(m.memory.graphs), bytes(m.memory_budget)));
  const MemoryPlan& p = m.memory;
  for (double part : {p.weights, p.float_weights, p.kv_cache, p.activations, p.graphs})
    if (!std::isfinite(part) || part < 0) {
      v.add("memory", fmt::format("a part of the memory plan is {}", part));
      break;
    }
}

void check_memory_plan(const RunOutput& out, const InvariantContext& ctx, Violations& v) {
  if (!ctx.model) return;
  const MemoryPlan& p = out.metrics.memory;
  const double kv = kv_cache_bytes(*ctx.model, ctx.workload);
  if (p.kv_cache < kv * (1 - kRoundingTolerance))
    v.add("memory-plan",
          fmt::format("the plan's KV cache {} is less than the {} of {} positions",
                      bytes(p.kv_cache), bytes(kv), ctx.workload.prompt + ctx.workload.gen));
  const double act = peak_activation_bytes(*ctx.model, out.graph);
  if (p.activations < act * (1 - kRoundingTolerance))
    v.add("memory-plan", fmt::format("the plan's activations {} are less than the largest op's {}",
                                     bytes(p.activations), bytes(act)));
  if (ctx.can_offload) return;
  const double weights = forward_pass_weight_bytes(out.graph);
  if (p.weights + p.float_weights < weights * (1 - kRoundingTolerance))
    v.add("memory-plan",
          fmt::format("the plan's resident weights {} are less than the {} one forward pass reads "
                      "(the policy cannot offload weights to flash)",
                      bytes(p.weights + p.float_weights), bytes(weights)));
}

// Over [0, makespan] every unit draws at least idle power on every core (busy power is never
// below idle in a profile), DRAM its background power, flash its idle (or active) power and the
// rest of the SoC its constant power.
void check_energy(const RunOutput& out, Violations& v) {
  const PlatformSpec& p = out.platform;
  const EnergyBreakdown& e = out.metrics.energy;
  const double span = out.metrics.total_s;
  std::vector<std::pair<std::string, double>> floors;
  for (const PlatformUnit& u : p.units) floors.emplace_back(u.name, u.idle_power * u.cores * span);
  floors.emplace_back("dram", p.dram_background_power * span);
  if (p.has_flash)
    floors.emplace_back("flash", std::min(p.flash_idle_power, p.flash_active_power) * span);
  floors.emplace_back("other", p.other_power * span);
  double total_floor = 0;
  for (const auto& [name, floor] : floors) {
    total_floor += floor;
    const double got = e.get(name);
    if (!(got >= floor * (1 - kRoundingTolerance)))
      v.add("energy", fmt::format("{} used {:.6g} J, less than its idle {:.6g} J over {:.6g} s",
                                  name, got, floor, span));
  }
  if (!(e.total >= total_floor * (1 - kRoundingTolerance)))
    v.add("energy", fmt::format("the run used {:.6g} J, less than the idle power of the SoC over "
                                "{:.6g} s ({:.6g} J)",
                                e.total, span, total_floor));
}

void check_metrics(const RunOutput& out, const InvariantContext& ctx, Violations& v) {
  const RunMetrics& m = out.metrics;
  const double tol = time_tolerance(out);
  auto bad = [&](const char* what, double x) {
    if (!std::isfinite(x) || x < 0) v.add("metrics", fmt::format("{} is {}", what, x));
  };
  for (auto [what, x] : {std::pair{"setup_s", m.setup_s},
                         {"ttft_s", m.ttft_s},
                         {"prefill_s", m.prefill_s},
                         {"decode_s", m.decode_s},
                         {"total_s", m.total_s},
                         {"energy_j", m.energy.total},
                         {"prefill_tokens_per_s", m.prefill_tokens_per_s},
                         {"decode_tokens_per_s", m.decode_tokens_per_s}})
    bad(what, x);
  double end = 0;
  for (const OpTiming& t : out.timing) end = std::max(end, t.end);
  if (std::abs(m.total_s - end) > tol)
    v.add("metrics",
          fmt::format("total {:.9g} s but the last op ends at {:.9g} s", m.total_s, end));
  if (m.setup_s > m.ttft_s + tol || m.ttft_s > m.total_s + tol)
    v.add("metrics", fmt::format("setup {:.9g} s, TTFT {:.9g} s and total {:.9g} s are out of "
                                 "order",
                                 m.setup_s, m.ttft_s, m.total_s));
  if (ctx.workload.prompt > 0 && !(m.prefill_tokens_per_s > 0))
    v.add("metrics", fmt::format("prefill throughput {} tokens/s", m.prefill_tokens_per_s));
  if (ctx.workload.gen > 1 && !(m.decode_tokens_per_s > 0))
    v.add("metrics", fmt::format("decode throughput {} tokens/s", m.decode_tokens_per_s));
  double by_unit = 0;
  for (const auto& [name, j] : m.energy.by_unit) by_unit += j;
  if (std::abs(by_unit - m.energy.total) > kRoundingTolerance * std::max(1.0, m.energy.total))
    v.add("metrics",
          fmt::format("energy {:.9g} J but its parts sum to {:.9g} J", m.energy.total, by_unit));
  if (m.prefill_energy_j + m.decode_energy_j >
      m.energy.total * (1 + kRoundingTolerance) + kRoundingTolerance)
    v.add("metrics", fmt::format("prefill {:.6g} J + decode {:.6g} J exceed the run's {:.6g} J",
                                 m.prefill_energy_j, m.decode_energy_j, m.energy.total));
  // Utilisation <= 1: a unit's op time (ops on different cores or kernel slots overlap) is at most
  // its slots times the run.
  for (const auto& [unit, busy] : m.busy_s_by_unit) {
    const int u = out.platform.find(unit);
    const double slots = u >= 0 ? out.platform.units[static_cast<size_t>(u)].cores : 1;
    if (!(busy <= slots * (m.total_s + tol)))
      v.add("metrics", fmt::format("{} holds ops for {:.9g} s of a {:.9g} s run on {} slots "
                                   "(utilisation above 1)",
                                   unit, busy, m.total_s, slots));
  }
  if (m.ops_simulated != out.graph.size())
    v.add("metrics",
          fmt::format("{} ops simulated for a graph of {}", m.ops_simulated, out.graph.size()));
}

}  // namespace socsim::check
