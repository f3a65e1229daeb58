// Trace writer; see trace.hpp.
#include "sim/report/trace.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace socsim {

void write_trace(std::ostream& os, const RunOutput& out) {
  using nlohmann::ordered_json;
  const TaskGraph& g = out.graph;
  const PlatformSpec& p = out.platform;
  // Track ids: per unit, one per core/slot; then flash and DRAM.
  std::vector<int> first_track(p.units.size());
  ordered_json events = ordered_json::array();
  int tid = 1;
  for (size_t u = 0; u < p.units.size(); ++u) {
    first_track[u] = tid;
    for (int c = 0; c < p.units[u].cores; ++c, ++tid)
      events.push_back({{"ph", "M"},
                        {"pid", 1},
                        {"tid", tid},
                        {"name", "thread_name"},
                        {"args",
                         {{"name", p.units[u].cores > 1 ? p.units[u].name + "/" + std::to_string(c)
                                                        : p.units[u].name}}}});
  }
  const int flash_tid = tid++;
  events.push_back({{"ph", "M"},
                    {"pid", 1},
                    {"tid", flash_tid},
                    {"name", "thread_name"},
                    {"args", {{"name", "flash"}}}});
  events.push_back(
      {{"ph", "M"}, {"pid", 1}, {"name", "process_name"}, {"args", {{"name", "SoC"}}}});

  std::vector<OpId> order(g.size());
  for (OpId i = 0; i < g.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](OpId a, OpId b) { return out.timing[a].start < out.timing[b].start; });
  std::vector<std::vector<double>> core_free(p.units.size());
  for (size_t u = 0; u < p.units.size(); ++u) core_free[u].assign(p.units[u].cores, 0.0);
  std::map<double, double> dram_delta;  // time -> change of bandwidth drawn
  const std::vector<std::string> est = estimator_names();
  for (OpId i : order) {
    const Op& op = g.op(i);
    const OpTiming& t = out.timing[i];
    const OpCost& c = out.costs[i];
    ordered_json args = {{"phase", kPhaseNames[static_cast<size_t>(op.phase)]},
                         {"layer", op.layer},
                         {"chunk", op.chunk},
                         {"token", op.token},
                         {"bytes", c.actual_bytes},
                         {"estimator", est[c.estimator]}};
    const double ts = t.start * 1e6, dur = (t.end - t.start) * 1e6;
    for (uint8_t k = 0; k < op.place.count; ++k) {
      const UnitId u = op.place.unit[k];
      for (int n = 0, core = 0; n < op.place.cores[k] && core < p.units[u].cores; ++core) {
        if (core_free[u][core] > t.start + 1e-12 * std::max(1.0, t.start)) continue;
        core_free[u][core] = t.end;
        events.push_back({{"ph", "X"},
                          {"pid", 1},
                          {"tid", first_track[u] + core},
                          {"name", g.name(i)},
                          {"ts", ts},
                          {"dur", dur},
                          {"args", args}});
        ++n;
      }
    }
    if (c.flash_service_s > 0)
      events.push_back({{"ph", "X"},
                        {"pid", 1},
                        {"tid", flash_tid},
                        {"name", g.name(i)},
                        {"ts", ts},
                        {"dur", dur},
                        {"args", args}});
    if (t.end > t.start && c.actual_bytes > 0) {
      const double bw = c.actual_bytes / (t.end - t.start);
      dram_delta[t.start] += bw;
      dram_delta[t.end] -= bw;
    }
  }
  double bw = 0;
  for (const auto& [time, delta] : dram_delta) {
    bw += delta;
    events.push_back({{"ph", "C"},
                      {"pid", 1},
                      {"name", "DRAM GB/s"},
                      {"ts", time * 1e6},
                      {"args", {{"GB/s", std::max(0.0, bw) / 1e9}}}});
  }
  ordered_json doc;
  doc["displayTimeUnit"] = "ms";
  doc["traceEvents"] = std::move(events);
  os << doc.dump() << "\n";
}

}  // namespace socsim
