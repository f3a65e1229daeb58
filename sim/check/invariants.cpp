// Run invariants: the violation list, the context and the whole check; see invariants.hpp. The
// invariants themselves live in schedule_invariants.cpp, data_flow.cpp and total_invariants.cpp.
#include "sim/check/invariants.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/engine/link_model.hpp"

namespace socsim::check {

void Violations::add(std::string_view invariant, std::string detail) {
  auto it = std::find_if(counts_.begin(), counts_.end(),
                         [&](const auto& c) { return c.first == invariant; });
  if (it == counts_.end()) it = counts_.insert(counts_.end(), {std::string(invariant), 0});
  if (++it->second <= kDetailsPerInvariant)
    details_.push_back({std::string(invariant), std::move(detail)});
}

size_t Violations::count(std::string_view invariant) const {
  for (const auto& [name, n] : counts_)
    if (name == invariant) return n;
  return 0;
}

size_t Violations::total() const {
  size_t n = 0;
  for (const auto& c : counts_) n += c.second;
  return n;
}

std::vector<std::string> Violations::lines() const {
  std::vector<std::string> out;
  for (const auto& [name, n] : counts_) {
    std::string line = fmt::format("{} ({}):", name, n);
    size_t shown = 0;
    for (const Violation& d : details_)
      if (d.invariant == name) line += (shown++ ? "; " : " ") + d.detail;
    if (n > shown) line += fmt::format("; and {} more", n - shown);
    out.push_back(line);
  }
  return out;
}

InvariantContext context_of(const LoadedRun& run) {
  return {&run.model, run.workload, run.policy && run.policy->can_offload()};
}

Violations check_invariants(const RunOutput& out, const InvariantContext& ctx) {
  Violations v;
  // The others index timing and costs by op: check their shape first and stop if it is wrong.
  check_times(out, v);
  check_dispatch(out, v);
  if (out.timing.size() != out.graph.size() || out.costs.size() != out.graph.size()) return v;
  check_slots(out, v);
  check_dependencies(out, v);
  check_data_flow(out, v);
  check_memory(out, v);
  check_memory_plan(out, ctx, v);
  check_energy(out, v);
  check_critical_path(out, v);
  check_bandwidth(out, ctx, v);
  check_metrics(out, ctx, v);
  return v;
}

std::vector<double> alone_seconds(const RunOutput& out) {
  const LinkLayout links(out.platform);
  std::vector<double> scratch, alone(out.graph.size(), 0.0);
  for (OpId i = 0; i < out.graph.size() && i < out.costs.size(); ++i) {
    const Placement& place = out.graph.op(i).place;
    const OpCost& c = out.costs[i];
    alone[i] = place.count == 0 ? c.delay_s + c.flash_service_s
                                : lone_op_seconds(links, place, c, scratch);
  }
  return alone;
}

double time_tolerance(const RunOutput& out) {
  double end = 0;
  for (const OpTiming& t : out.timing) end = std::max(end, t.end);
  return 1e-9 * std::max(1.0, end);
}

std::string describe_op(const TaskGraph& g, OpId id) {
  const Op& op = g.op(id);
  std::string where(kPhaseNames[static_cast<size_t>(op.phase)]);
  if (op.phase == Phase::kPrefill && op.chunk >= 0) where += fmt::format(" chunk {}", op.chunk);
  if (op.phase == Phase::kDecode && op.token >= 0) where += fmt::format(" token {}", op.token);
  if (op.layer >= 0) where += fmt::format(", layer {}", op.layer);
  return fmt::format("op {} '{}' ({})", id, g.name(id), where);
}

}  // namespace socsim::check
