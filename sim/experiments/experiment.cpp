// Experiment files and their reproduction; see experiment.hpp.
#include "sim/experiments/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/config/yaml_reader.hpp"
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
             {"the published value of the metric", std::nullopt, 0, 1e12});
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
}

Experiment load_experiment(const std::string& path) {
  Diagnostics d;
  Experiment e;
  if (std::optional<YAML::Node> root = load_yaml_file(path, d)) {
    YamlReader r(path, *root, d);
    r.read_root([&](FieldVisitor& v) { visit_experiment(v, e); });
  }
  if (!d.has_errors() && e.points.empty())
    d.error({path}, "points: an experiment needs at least one point");
  d.throw_if_errors();
  return e;
}

Reproduction reproduce(const Experiment& e) {
  Reproduction r{e, {}, 0};
  std::vector<double> errors;
  for (const ExperimentPoint& p : e.points) {
    RunRequest req;
    req.hw = e.hw;
    req.model = p.model;
    req.policy = p.policy;
    std::istringstream sets(p.sets);
    for (std::string s; sets >> s;) req.sets.push_back(s);
    req.sets.push_back(fmt::format("workload.prompt={}", p.prompt));
    req.sets.push_back(fmt::format("workload.gen={}", p.gen));
    LoadedRun run = load_run(req);
    const auto out = simulate(run, BackendKind::kSimGrid);
    const auto json = result_json(run, *out);
    if (!json.contains(e.metric) || !json[e.metric].is_number())
      throw InputError({e.name}, fmt::format("metric '{}' is not a numeric result key", e.metric));
    ReproducedPoint row{p, json[e.metric].get<double>(), 0};
    row.error = (row.simulated - p.published) / p.published;
    errors.push_back(std::fabs(row.error));
    r.rows.push_back(row);
  }
  std::sort(errors.begin(), errors.end());
  const size_t n = errors.size();
  r.median_abs_error = n % 2 ? errors[n / 2] : 0.5 * (errors[n / 2 - 1] + errors[n / 2]);
  return r;
}

std::string format_reproduction(const Reproduction& r) {
  std::string s = fmt::format("{} on {} ({}), metric {}\n", r.experiment.name, r.experiment.hw,
                              r.experiment.source, r.experiment.metric);
  s += fmt::format("  {:<44} {:>12} {:>12} {:>9}\n", "point", "simulated", "published", "error");
  for (const ReproducedPoint& p : r.rows)
    s += fmt::format("  {:<44} {:>12.4g} {:>12.4g} {:>+8.1f}%\n", p.point.label, p.simulated,
                     p.point.published, 100 * p.error);
  s += fmt::format("  median |error| {:.1f}% over {} points\n", 100 * r.median_abs_error,
                   r.rows.size());
  return s;
}

std::string reproduction_csv(const Reproduction& r) {
  std::string s =
      "experiment,label,model,policy,sets,prompt,gen,metric,simulated,published,error\n";
  for (const ReproducedPoint& p : r.rows)
    s += fmt::format("{},\"{}\",{},{},\"{}\",{},{},{},{:.17g},{:.17g},{:.17g}\n", r.experiment.name,
                     p.point.label, p.point.model, p.point.policy, p.point.sets, p.point.prompt,
                     p.point.gen, r.experiment.metric, p.simulated, p.point.published, p.error);
  return s;
}

}  // namespace socsim
