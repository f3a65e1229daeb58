// Session result JSON, summary and trace; see session_report.hpp.
#include "sim/session/session_report.hpp"

#include <fmt/format.h>

#include "sim/config/units.hpp"
#include "sim/report/trace.hpp"

namespace socsim {

using nlohmann::ordered_json;

static ordered_json percentiles_json(const Percentiles& p) {
  return {{"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"mean", p.mean}, {"max", p.max}};
}

ordered_json session_json(const LoadedRun& run, const SessionResult& r, bool series) {
  ordered_json j;
  j["hw"] = run.hw->name;
  j["model"] = run.model.name;
  j["policy"] = run.policy_name;
  j["session"] = r.name;
  j["scheduler"] = r.scheduler;
  j["requests"] = r.requests.size();
  j["makespan_s"] = r.makespan_s;
  j["busy_s"] = r.busy_s;
  j["ttft_s"] = percentiles_json(r.ttft);
  j["tpot_s"] = percentiles_json(r.tpot);
  j["e2e_s"] = percentiles_json(r.e2e);
  j["queueing_s"] = percentiles_json(r.queueing);
  j["energy_j"] = r.energy.total;
  ordered_json by_unit = ordered_json::object();
  for (const auto& [n, e] : r.energy.by_unit) by_unit[n] = e;
  j["energy_j_by_unit"] = by_unit;
  j["energy_j_per_request"] =
      r.requests.empty() ? 0.0 : r.energy.total / static_cast<double>(r.requests.size());
  j["kv_budget_bytes"] = r.kv_budget;
  j["peak_memory_bytes"] = r.peak_memory;
  j["steps"] = r.step_count;
  j["ops_simulated"] = r.ops_simulated;
  ordered_json reqs = ordered_json::array();
  for (const SessionRequestResult& q : r.requests)
    reqs.push_back({{"id", q.id},
                    {"priority", q.priority},
                    {"arrival_s", q.arrival},
                    {"start_s", q.start},
                    {"first_token_s", q.first_token},
                    {"end_s", q.end},
                    {"prompt_tokens", q.prompt},
                    {"reused_tokens", q.reused},
                    {"recomputed_tokens", q.recomputed},
                    {"gen_tokens", q.gen},
                    {"ttft_s", q.ttft()},
                    {"tpot_s", q.tpot()},
                    {"e2e_s", q.e2e()},
                    {"queueing_s", q.queueing()},
                    {"energy_j", q.energy_j}});
  j["decode_tokens_per_s"] = {{"burst_60s", decode_rate(r, 60, false)},
                              {"sustained_60s", decode_rate(r, 60, true)},
                              {"sustained_300s", decode_rate(r, 300, true)}};
  j["by_request"] = reqs;
  if (r.thermal.enabled) {
    const SessionThermal& th = r.thermal;
    ordered_json samples = ordered_json::array();
    for (const ThermalSample& x : th.samples) {
      ordered_json clocks = ordered_json::object();
      for (size_t i = 0; i < th.units.size(); ++i) clocks[th.units[i]] = x.clocks[i];
      samples.push_back({{"t_s", x.t},
                         {"skin_c", x.skin_c},
                         {"package_c", x.package_c},
                         {"hottest_c", x.hottest_c},
                         {"clock_hz", clocks}});
    }
    j["thermal"] = {{"throttled_s", th.throttled_s},
                    {"throttled_share", r.makespan_s > 0 ? th.throttled_s / r.makespan_s : 0.0},
                    {"peak_skin_c", th.peak_skin_c},
                    {"peak_package_c", th.peak_package_c},
                    {"peak_hottest_c", th.peak_hottest_c}};
    if (series) j["thermal"]["samples"] = samples;
  }
  ordered_json tl = ordered_json::array();
  for (const SessionSample& s : r.timeline)
    tl.push_back({{"t_s", s.t},
                  {"kv_bytes", s.kv_bytes},
                  {"memory_bytes", s.memory_bytes},
                  {"running", s.running},
                  {"waiting", s.waiting}});
  if (series) j["timeline"] = tl;
  return j;
}

std::string session_summary(const LoadedRun& run, const SessionResult& r) {
  auto t = [](double s) {
    return s >= 1 ? fmt::format("{:.3f}s", s) : fmt::format("{:.1f}ms", s * 1e3);
  };
  std::string s =
      fmt::format("session '{}' ({} requests) of {} on {} with policy '{}', scheduler {}\n", r.name,
                  r.requests.size(), run.model.name, run.hw->name, run.policy_name, r.scheduler);
  s += fmt::format("  {:<12} {:>9} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9}\n", "request", "arrival",
                   "prompt", "reused", "TTFT", "TPOT", "e2e", "energy");
  for (const SessionRequestResult& q : r.requests)
    s += fmt::format("  {:<12} {:>9} {:>9} {:>10} {:>10} {:>10} {:>9} {:>7.2f} J\n", q.id,
                     t(q.arrival), q.prompt, q.reused, t(q.ttft()), t(q.tpot()), t(q.e2e()),
                     q.energy_j);
  auto pct = [&](const char* name, const Percentiles& p) {
    return fmt::format("  {:<16} P50 {}   P90 {}   P99 {}\n", name, t(p.p50), t(p.p90), t(p.p99));
  };
  s += pct("TTFT", r.ttft) + pct("TPOT", r.tpot) + pct("end to end", r.e2e) +
       pct("queueing", r.queueing);
  s += fmt::format(
      "  session          {} ({} computing), {:.2f} J ({:.2f} J per request)\n", t(r.makespan_s),
      t(r.busy_s), r.energy.total,
      r.requests.empty() ? 0.0 : r.energy.total / static_cast<double>(r.requests.size()));
  s +=
      fmt::format("  peak memory      {} (KV budget {})\n",
                  format_human(r.peak_memory, Dim::kBytes), format_human(r.kv_budget, Dim::kBytes));
  s += fmt::format("  decode           {:.2f} tokens/s in the first minute, {:.2f} in the last\n",
                   decode_rate(r, 60, false), decode_rate(r, 60, true));
  if (r.thermal.enabled)
    s += fmt::format(
        "  thermal          throttled {} ({:.0f}%), peak skin {:.1f} C, package {:.1f} C, hot spot "
        "{:.1f} C\n",
        t(r.thermal.throttled_s),
        r.makespan_s > 0 ? 100 * r.thermal.throttled_s / r.makespan_s : 0.0, r.thermal.peak_skin_c,
        r.thermal.peak_package_c, r.thermal.peak_hottest_c);
  s += fmt::format("  simulated        {} steps, {} ops\n", r.step_count, r.ops_simulated);
  return s;
}

void write_session_trace(std::ostream& os, const SessionResult& r) {
  if (r.steps.empty() || !r.steps.front().run)
    throw std::logic_error("session trace: no steps kept");
  const PlatformSpec& p = r.steps.front().run->platform;
  TraceWriter w(p);
  for (const SessionStep& step : r.steps) w.add_run(*step.run, step.start);
  for (const SessionRequestResult& q : r.requests) {
    const std::string track = "request " + q.id;
    if (q.start > q.arrival) w.add_span(track, "waiting", q.arrival, q.start);
    w.add_span(track, "prefill", q.start, q.first_token,
               {{"prompt_tokens", q.prompt}, {"reused_tokens", q.reused}});
    if (q.end > q.first_token)
      w.add_span(track, "decode", q.first_token, q.end, {{"gen_tokens", q.gen}});
  }
  for (const SessionSample& s : r.timeline) {
    w.add_counter("KV cache MB", s.t, "MB", s.kv_bytes / 1e6);
    w.add_counter("requests", s.t, "running", s.running);
  }
  for (const ThermalSample& x : r.thermal.samples) {
    w.add_counter("temperature C", x.t, "skin", x.skin_c);
    w.add_counter("temperature C", x.t, "hot spot", x.hottest_c);
    for (size_t i = 0; i < r.thermal.units.size(); ++i)
      w.add_counter("clock MHz " + r.thermal.units[i], x.t, "MHz", x.clocks[i] / 1e6);
  }
  w.write(os);
}

}  // namespace socsim
