// Trace writer; see trace.hpp.
#include "sim/report/trace.hpp"

#include <algorithm>

namespace socsim {

using nlohmann::ordered_json;

static ordered_json track_name(int tid, const std::string& name) {
  return {
      {"ph", "M"}, {"pid", 1}, {"tid", tid}, {"name", "thread_name"}, {"args", {{"name", name}}}};
}

TraceWriter::TraceWriter(const PlatformSpec& p) : p_(p), first_track_(p.units.size()) {
  for (size_t u = 0; u < p.units.size(); ++u) {
    first_track_[u] = next_tid_;
    for (int c = 0; c < p.units[u].cores; ++c, ++next_tid_)
      events_.push_back(track_name(next_tid_, p.units[u].cores > 1
                                                  ? p.units[u].name + "/" + std::to_string(c)
                                                  : p.units[u].name));
  }
  flash_tid_ = next_tid_++;
  events_.push_back(track_name(flash_tid_, "flash"));
  events_.push_back(
      {{"ph", "M"}, {"pid", 1}, {"name", "process_name"}, {"args", {{"name", "SoC"}}}});
}

void TraceWriter::add_run(const RunOutput& out, double offset) {
  const TaskGraph& g = out.graph;
  std::vector<OpId> order(g.size());
  for (OpId i = 0; i < g.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](OpId a, OpId b) { return out.timing[a].start < out.timing[b].start; });
  std::vector<std::vector<double>> core_free(p_.units.size());
  for (size_t u = 0; u < p_.units.size(); ++u) core_free[u].assign(p_.units[u].cores, 0.0);
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
    const double ts = (offset + t.start) * 1e6, dur = (t.end - t.start) * 1e6;
    for (uint8_t k = 0; k < op.place.count; ++k) {
      const UnitId u = op.place.unit[k];
      for (int n = 0, core = 0; n < op.place.cores[k] && core < p_.units[u].cores; ++core) {
        if (core_free[u][core] > t.start + 1e-12 * std::max(1.0, t.start)) continue;
        core_free[u][core] = t.end;
        events_.push_back({{"ph", "X"},
                           {"pid", 1},
                           {"tid", first_track_[u] + core},
                           {"name", g.name(i)},
                           {"ts", ts},
                           {"dur", dur},
                           {"args", args}});
        ++n;
      }
    }
    if (c.flash_service_s > 0)
      events_.push_back({{"ph", "X"},
                         {"pid", 1},
                         {"tid", flash_tid_},
                         {"name", g.name(i)},
                         {"ts", ts},
                         {"dur", dur},
                         {"args", args}});
    if (t.end > t.start && c.actual_bytes > 0) {
      const double bw = c.actual_bytes / (t.end - t.start);
      dram_delta_[offset + t.start] += bw;
      dram_delta_[offset + t.end] -= bw;
    }
  }
}

void TraceWriter::add_span(const std::string& track, const std::string& name, double start,
                           double end, ordered_json args) {
  auto it = named_tracks_.find(track);
  if (it == named_tracks_.end()) {
    it = named_tracks_.emplace(track, next_tid_++).first;
    events_.push_back(track_name(it->second, track));
  }
  events_.push_back({{"ph", "X"},
                     {"pid", 1},
                     {"tid", it->second},
                     {"name", name},
                     {"ts", start * 1e6},
                     {"dur", std::max(0.0, end - start) * 1e6},
                     {"args", std::move(args)}});
}

void TraceWriter::add_counter(const std::string& name, double t, const std::string& series,
                              double value) {
  events_.push_back(
      {{"ph", "C"}, {"pid", 1}, {"name", name}, {"ts", t * 1e6}, {"args", {{series, value}}}});
}

void TraceWriter::write(std::ostream& os) {
  double bw = 0;
  for (const auto& [time, delta] : dram_delta_) {
    bw += delta;
    add_counter("DRAM GB/s", time, "GB/s", std::max(0.0, bw) / 1e9);
  }
  dram_delta_.clear();
  ordered_json doc;
  doc["displayTimeUnit"] = "ms";
  doc["traceEvents"] = std::move(events_);
  events_ = ordered_json::array();
  os << doc.dump() << "\n";
}

void write_trace(std::ostream& os, const RunOutput& out) {
  TraceWriter w(out.platform);
  w.add_run(out);
  w.write(os);
}

}  // namespace socsim
