// Experiment files and their reproduction; see experiment.hpp.
#include "sim/experiments/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/config/yaml_reader.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"

namespace socsim {

static void visit_point(FieldVisitor& v, ExperimentPoint& p) {
  v.text("label", p.label, {"row label"});
  v.text("model", p.model, {"shipped model name or path"});
  v.text("policy", p.policy, {"policy name"});
  v.text("sets", p.sets, {"space-separated PATH=VALUE overrides", ""});
  v.integer("prompt", p.prompt, {"prompt tokens", std::nullopt, 1, 1 << 20});
  v.integer("gen", p.gen, {"generated tokens", "1", 1, 1 << 20});
  v.quantity("published", p.published, Dim::kNumber,
             {"the published value of the metric; omit if only its range is published, or for a "
              "point that is simulated and reported but not compared (e.g. inside a sweep)",
              std::nullopt, 0, 1e12, true});
  v.text("baseline_policy", p.baseline_policy,
         {"compare against this policy's run: value = its metric / this point's metric", ""});
  v.text("baseline_sets", p.baseline_sets, {"space-separated overrides of the baseline run", ""});
  v.text("range", p.range, {"published range (under `ranges`) this point belongs to", ""});
  v.text("row", p.row, {"ranking row: the points of a row must order as published", ""});
}

static void visit_range(FieldVisitor& v, PublishedRange& r) {
  v.quantity("low", r.low, Dim::kNumber, {"published minimum", std::nullopt, 0, 1e12});
  v.quantity("high", r.high, Dim::kNumber, {"published maximum", std::nullopt, 0, 1e12});
}

void visit_experiment(FieldVisitor& v, Experiment& e) {
  v.integer("schema_version", e.schema_version,
            {"version of the experiment schema (1)", std::nullopt, 1, 1});
  v.text("name", e.name, {"experiment name"});
  v.text("source", e.source, {"where the published numbers come from"});
  v.text("hw", e.hw, {"hardware profile of every point"});
  v.text("metric", e.metric, {"result key compared (a numeric key of `socsim run --json`)"});
  list_entries<ExperimentPoint>(v, "points", {"design points with published values"}, e.points,
                                &visit_point);
  named_entries<PublishedRange>(v, "ranges",
                                {"published ranges over points (min..max)", std::nullopt, 0,
                                 std::numeric_limits<double>::infinity(), true},
                                e.ranges, &visit_range);
}

Experiment load_experiment(const std::string& path) {
  Diagnostics d;
  Experiment e = read_spec_file<Experiment>(path, &visit_experiment, d);
  if (!d.has_errors() && e.points.empty())
    d.error({path}, "points: an experiment needs at least one point");
  for (size_t i = 0; i < e.points.size() && !d.has_errors(); ++i) {
    const ExperimentPoint& p = e.points[i];
    bool known = p.range.empty();
    for (const auto& [name, r] : e.ranges) known = known || name == p.range;
    if (!known)
      d.error({fmt::format("{}: points.{}.range", path, i)},
              fmt::format("no range named '{}' under ranges", p.range));
  }
  d.throw_if_errors();
  return e;
}

RunRequest experiment_request(const Experiment& e, const ExperimentPoint& p,
                              const std::string& policy, const std::string& sets_text) {
  RunRequest req;
  req.hw = e.hw;
  req.model = p.model;
  req.policy = policy;
  std::istringstream sets(sets_text);
  for (std::string s; sets >> s;) req.sets.push_back(s);
  req.sets.push_back(fmt::format("workload.prompt={}", p.prompt));
  req.sets.push_back(fmt::format("workload.gen={}", p.gen));
  return req;
}

namespace {

double run_metric_here(const Experiment& e, const ExperimentPoint& p, const std::string& policy,
                       const std::string& sets_text) {
  LoadedRun run = load_run(experiment_request(e, p, policy, sets_text));
  const auto out = simulate(run, BackendKind::kSimGrid);
  const auto json = result_json(run, *out);
  if (!json.contains(e.metric) || !json[e.metric].is_number())
    throw InputError({e.name}, fmt::format("metric '{}' is not a numeric result key", e.metric));
  return json[e.metric].get<double>();
}

// Every point runs in its own child process: results do not depend on the points before it.
double run_metric(const Experiment& e, const ExperimentPoint& p, const std::string& policy,
                  const std::string& sets_text) {
  return run_isolated([&] { return std::vector<double>{run_metric_here(e, p, policy, sets_text)}; })
      .at(0);
}

std::vector<std::string> order_by(std::vector<std::pair<double, std::string>> v) {
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> labels;
  for (auto& [value, label] : v) labels.push_back(label);
  return labels;
}

}  // namespace

std::vector<ReproducedRangeEnd> range_ends_of(const Experiment& e,
                                              const std::vector<double>& values) {
  std::vector<ReproducedRangeEnd> ends;
  for (const auto& [name, range] : e.ranges) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    bool any = false;  // the range has points; a point whose run failed (NaN) is left out
    for (size_t i = 0; i < e.points.size() && i < values.size(); ++i) {
      if (e.points[i].range != name) continue;
      any = true;
      if (!std::isnan(values[i])) lo = std::min(lo, values[i]), hi = std::max(hi, values[i]);
    }
    if (!any) throw InputError({e.name}, fmt::format("range '{}' has no points", name));
    if (!std::isfinite(lo)) lo = hi = std::numeric_limits<double>::quiet_NaN();
    // A single published figure (low == high) is compared once.
    const bool single = range.low == range.high;
    for (int end = 0; end < (single ? 1 : 2); ++end) {
      ReproducedRangeEnd x;
      x.label = single ? name : fmt::format("{} {}", name, end == 0 ? "low" : "high");
      x.simulated = single ? std::sqrt(lo * hi) : (end == 0 ? lo : hi);
      x.published = end == 0 ? range.low : range.high;
      x.error = (x.simulated - x.published) / x.published;
      ends.push_back(x);
    }
  }
  return ends;
}

Reproduction reproduce(const Experiment& e) {
  Reproduction r{e, {}, {}, {}, {}, 0};
  std::vector<double>& errors = r.abs_errors;
  for (const ExperimentPoint& p : e.points) {
    ReproducedPoint row{p, run_metric(e, p, p.policy, p.sets), kUnset};
    if (!p.baseline_policy.empty())
      row.simulated = run_metric(e, p, p.baseline_policy, p.baseline_sets) / row.simulated;
    if (!std::isnan(p.published)) {
      row.error = (row.simulated - p.published) / p.published;
      errors.push_back(std::fabs(row.error));
    }
    r.rows.push_back(row);
  }
  std::vector<double> values;
  for (const ReproducedPoint& row : r.rows) values.push_back(row.simulated);
  r.range_ends = range_ends_of(e, values);
  for (const ReproducedRangeEnd& x : r.range_ends) errors.push_back(std::fabs(x.error));
  std::vector<std::string> rows;
  for (const ReproducedPoint& row : r.rows)
    if (!row.point.row.empty() && std::find(rows.begin(), rows.end(), row.point.row) == rows.end())
      rows.push_back(row.point.row);
  for (const std::string& name : rows) {
    std::vector<std::pair<double, std::string>> pub, sim;
    for (const ReproducedPoint& row : r.rows)
      if (row.point.row == name && !std::isnan(row.point.published)) {
        pub.emplace_back(row.point.published, row.point.label);
        sim.emplace_back(row.simulated, row.point.label);
      }
    r.rankings.push_back({name, order_by(pub), order_by(sim)});
  }
  r.median_abs_error = median(errors);
  return r;
}

std::string format_reproduction(const Reproduction& r) {
  std::string s = fmt::format("{} on {} ({}), metric {}\n", r.experiment.name, r.experiment.hw,
                              r.experiment.source, r.experiment.metric);
  s += fmt::format("  {:<44} {:>12} {:>12} {:>9}\n", "point", "simulated", "published", "error");
  for (const ReproducedPoint& p : r.rows) {
    if (std::isnan(p.point.published))
      s += fmt::format("  {:<44} {:>12.4g} {:>12} {:>9}\n", p.point.label, p.simulated,
                       p.point.range.empty() ? "-" : "(range " + p.point.range + ")", "");
    else
      s += fmt::format("  {:<44} {:>12.4g} {:>12.4g} {:>+8.1f}%\n", p.point.label, p.simulated,
                       p.point.published, 100 * p.error);
  }
  for (const ReproducedRangeEnd& x : r.range_ends)
    s += fmt::format("  {:<44} {:>12.4g} {:>12.4g} {:>+8.1f}%\n", "range " + x.label, x.simulated,
                     x.published, 100 * x.error);
  s += fmt::format("  median |error| {:.1f}% over {} compared values\n", 100 * r.median_abs_error,
                   r.abs_errors.size());
  if (!r.rankings.empty()) {
    size_t right = 0;
    for (const RankingCheck& k : r.rankings) right += k.right();
    s += fmt::format("  rankings right in {} of {} rows\n", right, r.rankings.size());
    for (const RankingCheck& k : r.rankings)
      if (!k.right()) {
        std::string pub, sim;
        for (const std::string& l : k.published_order) pub += (pub.empty() ? "" : " < ") + l;
        for (const std::string& l : k.simulated_order) sim += (sim.empty() ? "" : " < ") + l;
        s += fmt::format("    row {}: published {}; simulated {}\n", k.row, pub, sim);
      }
  }
  return s;
}

std::string reproduction_csv(const Reproduction& r) {
  std::string s =
      "experiment,label,model,policy,sets,prompt,gen,metric,simulated,published,error\n";
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.17g}", v); };
  for (const ReproducedPoint& p : r.rows)
    s += fmt::format("{},\"{}\",{},{},\"{}\",{},{},{},{},{},{}\n", r.experiment.name, p.point.label,
                     p.point.model, p.point.policy, p.point.sets, p.point.prompt, p.point.gen,
                     r.experiment.metric, num(p.simulated), num(p.point.published), num(p.error));
  for (const ReproducedRangeEnd& x : r.range_ends)
    s += fmt::format("{},\"range {}\",,range,\"\",,,{},{},{},{}\n", r.experiment.name, x.label,
                     r.experiment.metric, num(x.simulated), num(x.published), num(x.error));
  return s;
}

}  // namespace socsim
