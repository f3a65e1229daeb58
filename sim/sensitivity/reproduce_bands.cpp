// Uncertainty bands of an experiment's compared values; see reproduce_bands.hpp.
#include "sim/sensitivity/reproduce_bands.hpp"

#include <fmt/format.h>
#include <cmath>
#include <map>
#include <set>

#include "sim/provenance/run_provenance.hpp"
#include "sim/sensitivity/bands.hpp"
#include "sim/sensitivity/point_batch.hpp"
#include "sim/sensitivity/sampling.hpp"

namespace socsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Adds a request to the plan unless an equal one is there; returns its index. Malformed tags go
// to `tags`, each once.
size_t add_run(BandPlan& plan, const RunRequest& req, std::map<std::string, size_t>& index,
               Diagnostics& tags, std::set<std::string>& seen) {
  std::string key = req.hw + "\n" + req.model + "\n" + req.policy;
  for (const std::string& s : req.sets) key += "\n" + s;
  if (auto it = index.find(key); it != index.end()) return it->second;
  Diagnostics d;
  plan.params.push_back(run_provenance(load_run(req, &plan.cache), req.sets, d));
  for (const Diagnostic& x : d.all())
    if (seen.insert(x.to_string()).second) tags.error(x.loc, x.message);
  plan.requests.push_back(req);
  return index[key] = plan.requests.size() - 1;
}

BandRow band_row(const std::string& label, double simulated, double published,
                 const std::vector<double>& samples) {
  BandRow row{label, simulated, published, kNaN, kNaN, 0};
  const MetricBand b = band_of(simulated, samples);
  row.p5 = b.p5;
  row.p95 = b.p95;
  for (double v : samples) row.samples += !std::isnan(v);
  return row;
}

std::string band_cell(double v) {
  return std::isnan(v) ? "-" : fmt::format("{:.4g}", v);
}

}  // namespace

bool BandRow::compared() const {
  return !std::isnan(published) && samples > 0;
}
bool BandRow::inside() const {
  return compared() && p5 <= published && published <= p95;
}

void plan_bands(const Experiment& e, BandPlan& plan) {
  std::map<std::string, size_t> index;
  std::set<std::string> seen;
  Diagnostics tags;
  for (const ExperimentPoint& p : e.points) {
    const size_t own = add_run(plan, experiment_request(e, p, p.policy, p.sets), index, tags, seen);
    long base = -1;
    if (!p.baseline_policy.empty())
      base = static_cast<long>(add_run(
          plan, experiment_request(e, p, p.baseline_policy, p.baseline_sets), index, tags, seen));
    plan.of_point.emplace_back(own, base);
  }
  tags.throw_if_errors();
  for (const auto& ps : plan.params)
    for (const ParameterProvenance& p : ps)
      if (is_sampled(p)) return;
  throw InputError({"--bands"},
                   fmt::format("no number of experiment {} is tagged as an assumption with a "
                               "range (`assumption [LO, HI]: reason`), so there is nothing to "
                               "sample",
                               e.name));
}

ReproductionBands reproduce_bands(const Experiment& e, BandPlan& plan, const Reproduction& r,
                                  size_t samples, uint64_t seed, int jobs) {
  ReproductionBands b;
  b.experiment = e.name;
  b.samples = samples;
  b.seed = seed;
  std::map<std::string, const ParameterProvenance*> distinct;
  for (const auto& ps : plan.params)
    for (const ParameterProvenance& p : ps) distinct.emplace(p.path, &p);
  for (const auto& [path, p] : distinct) {
    b.sampled_parameters += is_sampled(*p);
    for (size_t i = 0; i < p->numbers(); ++i)
      b.untagged_numbers += p->number_kind(i) == ProvenanceKind::kUntagged;
  }
  const size_t n = plan.requests.size();
  std::vector<RunRequest> requests;
  for (size_t k = 0; k < samples; ++k)
    for (size_t i = 0; i < n; ++i) {
      requests.push_back(plan.requests[i]);
      for (std::string& s : sample_sets(plan.params[i], seed, k))
        requests.back().sets.push_back(std::move(s));
    }
  const std::vector<BatchPoint> points =
      run_batch(requests, {e.metric}, BackendKind::kSimGrid, jobs, plan.cache);
  auto value = [&](size_t run, size_t k) {
    const BatchPoint& x = points[k * n + run];
    return x.status == PointStatus::kOk ? x.metrics.at(0) : kNaN;
  };
  for (size_t k = 0; k < samples; ++k)
    for (size_t i = 0; i < n; ++i)
      if (points[k * n + i].status != PointStatus::kOk)
        b.failures.push_back(fmt::format(
            "sample {} of {} ({}): {}: {}", k, plan.requests[i].model, plan.requests[i].policy,
            status_name(points[k * n + i].status), points[k * n + i].message));
  // Each point's value in each sample: its metric, or the baseline's over it (paired by k).
  std::vector<std::vector<double>> per_point(e.points.size(), std::vector<double>(samples));
  for (size_t j = 0; j < e.points.size(); ++j)
    for (size_t k = 0; k < samples; ++k) {
      const auto [own, base] = plan.of_point[j];
      per_point[j][k] =
          base < 0 ? value(own, k) : value(static_cast<size_t>(base), k) / value(own, k);
    }
  for (size_t j = 0; j < e.points.size(); ++j)
    b.rows.push_back(
        band_row(r.rows[j].point.label, r.rows[j].simulated, e.points[j].published, per_point[j]));
  // Range ends per sample, from the same sample of every point of the range.
  std::vector<std::vector<double>> ends(r.range_ends.size());
  for (size_t k = 0; k < samples; ++k) {
    std::vector<double> values;
    for (size_t j = 0; j < e.points.size(); ++j) values.push_back(per_point[j][k]);
    const std::vector<ReproducedRangeEnd> x = range_ends_of(e, values);
    size_t at = 0;
    for (const auto& [name, range] : e.ranges) {
      bool ran = true;  // every point of the range ran in this sample
      for (size_t j = 0; j < e.points.size(); ++j)
        ran = ran && (e.points[j].range != name || !std::isnan(values[j]));
      for (size_t end = 0; end < (range.low == range.high ? 1u : 2u); ++end, ++at)
        ends[at].push_back(ran ? x[at].simulated : kNaN);
    }
  }
  for (size_t i = 0; i < r.range_ends.size(); ++i)
    b.rows.push_back(band_row("range " + r.range_ends[i].label, r.range_ends[i].simulated,
                              r.range_ends[i].published, ends[i]));
  return b;
}

std::string format_reproduction_bands(const ReproductionBands& b) {
  std::string s =
      fmt::format("  bands over {} samples (seed {}) of {} assumption-tagged parameters:\n",
                  b.samples, b.seed, b.sampled_parameters);
  s += fmt::format("  {:<44} {:>12} {:>12} {:>12} {:>12} {:>8}\n", "point", "simulated",
                   "published", "5%", "95%", "in band");
  size_t compared = 0, inside = 0;
  for (const BandRow& r : b.rows) {
    compared += r.compared();
    inside += r.inside();
    s += fmt::format("  {:<44} {:>12} {:>12} {:>12} {:>12} {:>8}\n", r.label,
                     band_cell(r.simulated), band_cell(r.published), band_cell(r.p5),
                     band_cell(r.p95), r.compared() ? (r.inside() ? "yes" : "no") : "-");
  }
  s += fmt::format("  published value inside the 5-95% band for {} of {} compared values\n", inside,
                   compared);
  for (size_t i = 0; i < b.failures.size() && i < 5; ++i) s += "  " + b.failures[i] + "\n";
  if (b.failures.size() > 5)
    s += fmt::format("  ({} more samples did not run)\n", b.failures.size() - 5);
  s += fmt::format("  warning: the bands ignore {} untagged numbers (held at their values)\n",
                   b.untagged_numbers);
  return s;
}

}  // namespace socsim
