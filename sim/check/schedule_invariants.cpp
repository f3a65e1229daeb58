// The schedule's invariants: slots, graph dependencies, dispatch, times and the critical path; see
// invariants.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/check/invariants.hpp"

namespace socsim::check {

// A unit's slots are taken from dispatch (the launch delay included) to completion. Sweep each
// unit's intervals, ends before starts at equal times; intervals shorter than the tolerance (ops
// that complete at once) hold nothing.
void check_slots(const RunOutput& out, Violations& v) {
  const TaskGraph& g = out.graph;
  const double tol = time_tolerance(out);
  struct Event {
    double t;
    int cores;  // negative: released
    OpId op;
  };
  std::vector<std::vector<Event>> events(out.platform.units.size());
  std::vector<std::vector<Event>> lanes(kLanes);  // a serial lane is one slot
  for (OpId i = 0; i < g.size(); ++i) {
    const Placement& p = g.op(i).place;
    const OpTiming& t = out.timing[i];
    if (!std::isfinite(t.dispatch) || !std::isfinite(t.end) || t.end - tol <= t.dispatch)
      continue;  // instant, or broken (the times invariant reports it)
    if (const uint8_t lane = g.op(i).lane; lane != 0) {
      lanes[lane].push_back({t.dispatch, 1, i});
      lanes[lane].push_back({t.end - tol, -1, i});
    }
    for (uint8_t k = 0; k < p.count; ++k) {
      if (p.unit[k] >= events.size()) {
        v.add("slots", fmt::format("{} is placed on unit {}, which the platform does not have",
                                   describe_op(g, i), p.unit[k]));
        continue;
      }
      events[p.unit[k]].push_back({t.dispatch, p.cores[k], i});
      events[p.unit[k]].push_back({t.end - tol, -p.cores[k], i});
    }
  }
  // Sweeps one slot pool's intervals; one detail per overload episode.
  auto sweep = [&](std::vector<Event>& ev, const std::string& name, int capacity) {
    std::sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) {
      return a.t != b.t ? a.t < b.t : a.cores < b.cores;
    });
    int held = 0;
    bool reported = false;
    for (const Event& e : ev) {
      held += e.cores;
      if (held > capacity && !reported && e.cores > 0) {
        v.add("slots", fmt::format("{} holds {} slots at {:.9g} s when {} has {} ({} dispatched)",
                                   name, held, e.t, name, capacity, describe_op(g, e.op)));
        reported = true;
      }
      if (held <= capacity) reported = false;
    }
  };
  for (size_t u = 0; u < events.size(); ++u)
    sweep(events[u], out.platform.units[u].name, out.platform.units[u].cores);
  for (size_t lane = 1; lane < lanes.size(); ++lane)
    if (!lanes[lane].empty()) sweep(lanes[lane], fmt::format("serial lane {}", lane), 1);
}

void check_dependencies(const RunOutput& out, Violations& v) {
  const TaskGraph& g = out.graph;
  const double tol = time_tolerance(out);
  for (OpId i = 0; i < g.size(); ++i)
    for (OpId p : g.preds(i))
      if (out.timing[i].start < out.timing[p].end - tol)
        v.add("dependencies",
              fmt::format("{} starts at {:.9g} s, before its predecessor {} ends at {:.9g} s",
                          describe_op(g, i), out.timing[i].start, describe_op(g, p),
                          out.timing[p].end));
}

void check_dispatch(const RunOutput& out, Violations& v) {
  const size_t n = out.graph.size();
  if (out.dispatch_order.size() != n)
    v.add("dispatch", fmt::format("{} dispatches for {} ops", out.dispatch_order.size(), n));
  std::vector<int> seen(n, 0);
  for (OpId id : out.dispatch_order) {
    if (id >= n) {
      v.add("dispatch", fmt::format("op {} dispatched, but the graph has {} ops", id, n));
      continue;
    }
    if (++seen[id] == 2)
      v.add("dispatch", fmt::format("{} dispatched more than once", describe_op(out.graph, id)));
  }
  for (OpId i = 0; i < n; ++i)
    if (seen[i] == 0)
      v.add("dispatch", fmt::format("{} never dispatched", describe_op(out.graph, i)));
  if (out.timing.size() != n) return;
  for (size_t k = 1; k < out.dispatch_order.size(); ++k) {
    const OpId a = out.dispatch_order[k - 1], b = out.dispatch_order[k];
    if (a < n && b < n && out.timing[b].dispatch < out.timing[a].dispatch)
      v.add("dispatch", fmt::format("{} dispatched at {:.9g} s after {} at {:.9g} s in the order",
                                    describe_op(out.graph, b), out.timing[b].dispatch,
                                    describe_op(out.graph, a), out.timing[a].dispatch));
  }
}

void check_times(const RunOutput& out, Violations& v) {
  const TaskGraph& g = out.graph;
  if (out.timing.size() != g.size() || out.costs.size() != g.size()) {
    v.add("times", fmt::format("{} timings and {} costs for {} ops", out.timing.size(),
                               out.costs.size(), g.size()));
    return;
  }
  const double tol = time_tolerance(out);
  auto bad = [](double x) { return !std::isfinite(x) || x < 0; };
  for (OpId i = 0; i < g.size(); ++i) {
    const OpTiming& t = out.timing[i];
    if (bad(t.dispatch) || bad(t.start) || bad(t.end))
      v.add("times", fmt::format("{} has dispatch {} start {} end {} s", describe_op(g, i),
                                 t.dispatch, t.start, t.end));
    else if (t.start < t.dispatch - tol || t.end < t.start - tol)
      v.add("times", fmt::format("{} is out of order: dispatch {:.9g} start {:.9g} end {:.9g} s",
                                 describe_op(g, i), t.dispatch, t.start, t.end));
    const OpCost& c = out.costs[i];
    if (bad(c.delay_s) || bad(c.compute_s) || bad(c.dram_bytes) || bad(c.actual_bytes) ||
        bad(c.flash_service_s))
      v.add("times",
            fmt::format("{} has a cost that is negative or not finite", describe_op(g, i)));
  }
}

// Relative slack for durations: the backends share links with floating-point rates.
constexpr double kDurationRel = 1e-6;

void check_critical_path(const RunOutput& out, Violations& v) {
  const TaskGraph& g = out.graph;
  const std::vector<double> alone = alone_seconds(out);
  const double tol = time_tolerance(out);
  std::vector<double> path(g.size(), 0.0);  // longest chain of ops alone ending with op i
  double longest = 0, makespan = 0;
  OpId last = 0;
  for (OpId i = 0; i < g.size(); ++i) {  // creation order is topological (preds exist first)
    const OpTiming& t = out.timing[i];
    const double took = t.end - t.dispatch;
    if (took < alone[i] * (1 - kDurationRel) - tol)
      v.add("critical-path", fmt::format("{} took {:.9g} s, less than its {:.9g} s alone",
                                         describe_op(g, i), took, alone[i]));
    for (OpId p : g.preds(i)) path[i] = std::max(path[i], path[p]);
    path[i] += alone[i];
    if (path[i] > longest) longest = path[i], last = i;
    makespan = std::max(makespan, t.end);
  }
  if (makespan < longest * (1 - kDurationRel) - tol)
    v.add("critical-path", fmt::format("makespan {:.9g} s is shorter than the critical path "
                                       "{:.9g} s of ops alone (ending with {})",
                                       makespan, longest, describe_op(g, last)));
}

}  // namespace socsim::check
