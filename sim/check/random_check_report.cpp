// The text and JSON reports of `socsim check --random`; see random_check.hpp.
#include <fmt/format.h>

#include <map>

#include "sim/check/random_check.hpp"

namespace socsim::check {
namespace {

std::string run_problem(const RandomRun& run) {
  if (run.status == "error" || run.status == "crashed")
    return fmt::format("the run {}: {}", run.status == "error" ? "failed" : "crashed", run.message);
  std::string out;
  for (const std::string& line : run.violations) out += (out.empty() ? "" : "; ") + line;
  return out;
}

nlohmann::ordered_json run_json(const RandomRun& r) {
  nlohmann::ordered_json j = {{"status", r.status}};
  if (!r.message.empty()) j["message"] = r.message;
  if (r.ok()) {
    j["ttft_s"] = r.figures.ttft_s;
    j["total_s"] = r.figures.total_s;
    j["violations"] = r.violations;
  }
  return j;
}

}  // namespace

std::string format_random_report(const RandomCheckReport& r) {
  const RandomCheckRequest& q = r.request;
  std::string out = fmt::format(
      "random check, seed {}: {} points ran of {} drawn ({} could not run as drawn and were "
      "replaced; {} draws were rejected by the inputs or the policy's check before running)\n",
      q.seed, r.points.size(), r.drawn, r.infeasible, r.redraws);
  for (const std::string& e : r.infeasible_examples) out += "  e.g. " + e + "\n";
  std::map<std::string, size_t> by_policy;
  for (const RandomPointReport& p : r.points) ++by_policy[p.point.request.policy];
  out += "  by policy:";
  for (const auto& [name, n] : by_policy) out += fmt::format(" {} {},", name, n);
  out.back() = '\n';
  out += fmt::format("  invariants: {} runs checked (points and variants), {} broke one\n",
                     r.runs(), r.invariant_failures());
  size_t checked[kRelations] = {}, broken[kRelations] = {}, anomalies[kRelations] = {},
         rejected = 0;
  for (const RandomPointReport& p : r.points) {
    rejected += p.variants_rejected;
    for (const RelationOutcome& o : p.relations) {
      checked[static_cast<size_t>(o.relation)] += o.run.ok() && p.run.ok();
      broken[static_cast<size_t>(o.relation)] += !o.broken.empty();
      anomalies[static_cast<size_t>(o.relation)] += !o.anomaly.empty();
    }
  }
  out += "  relations:";
  for (size_t k = 0; k < kRelations; ++k)
    out += fmt::format(" {} {}/{} broken{},", relation_name(static_cast<Relation>(k)), broken[k],
                       checked[k],
                       anomalies[k] ? fmt::format(" ({} scheduling anomalies)", anomalies[k]) : "");
  out.back() = '\n';
  out += fmt::format("  ({} variants had invalid inputs and were not run)\n", rejected);
  size_t det = 0;
  for (const RandomPointReport& p : r.points) det += p.determinism_checked;
  out += fmt::format(
      "  determinism: {} points rerun {}and by the sweep's point runner under -j 1 and -j 2, {} "
      "differ\n",
      det, q.socsim_exe.empty() ? "" : "in a fresh `socsim run` process ",
      r.determinism_failures());

  std::string findings;
  for (const RandomPointReport& p : r.points) {
    std::string lines;
    if (std::string what = run_problem(p.run); !what.empty()) lines += "    point: " + what + "\n";
    for (const RelationOutcome& o : p.relations) {
      const std::string name(relation_name(o.relation));
      if (std::string what = run_problem(o.run); !what.empty())
        lines += fmt::format("    {} variant ({}): {}\n", name, o.change, what);
      if (!o.broken.empty()) lines += fmt::format("    {} ({}): {}\n", name, o.change, o.broken);
    }
    for (const std::string& d : p.determinism) lines += "    determinism: " + d + "\n";
    if (!lines.empty())
      findings +=
          fmt::format("  {}\n{}    reproduce: {}\n", p.point.label(), lines, p.point.command());
  }
  if (!findings.empty()) out += "violations:\n" + findings;
  std::string anomaly_lines;
  for (const RandomPointReport& p : r.points)
    for (const RelationOutcome& o : p.relations)
      if (!o.anomaly.empty())
        anomaly_lines +=
            fmt::format("  {}: {} ({}): {}\n    reproduce: {}\n", p.point.label(),
                        relation_name(o.relation), o.change, o.anomaly, p.point.command());
  if (!anomaly_lines.empty())
    out += "scheduling anomalies (not violations: the relation holds with a fixed order):\n" +
           anomaly_lines;
  out += fmt::format("{} violations in {} runs of {} random points ({:.1f} s, -j {})\n",
                     r.violations(), r.runs(), r.points.size(), r.wall_s, q.jobs);
  return out;
}

nlohmann::ordered_json random_report_json(const RandomCheckReport& r) {
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const RandomPointReport& p : r.points) {
    nlohmann::ordered_json relations = nlohmann::ordered_json::array();
    for (const RelationOutcome& o : p.relations)
      relations.push_back({{"relation", relation_name(o.relation)},
                           {"change", o.change},
                           {"run", run_json(o.run)},
                           {"broken", o.broken},
                           {"anomaly", o.anomaly}});
    nlohmann::ordered_json j = {
        {"index", p.point.index},         {"hw", p.point.request.hw},
        {"model", p.point.request.model}, {"policy", p.point.request.policy},
        {"sets", p.point.request.sets},   {"run", run_json(p.run)},
        {"relations", relations}};
    if (p.determinism_checked) j["determinism"] = p.determinism;
    points.push_back(std::move(j));
  }
  return {{"seed", r.request.seed},
          {"points", r.points.size()},
          {"drawn", r.drawn},
          {"replaced", r.infeasible},
          {"rejected_draws", r.redraws},
          {"runs", r.runs()},
          {"invariant_failures", r.invariant_failures()},
          {"failed_runs", r.failed_runs()},
          {"relations_checked", r.relations_checked()},
          {"relation_failures", r.relation_failures()},
          {"scheduling_anomalies", r.anomalies()},
          {"determinism_failures", r.determinism_failures()},
          {"violations", r.violations()},
          {"results", points}};
}

}  // namespace socsim::check
