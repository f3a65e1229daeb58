// Uncertainty bands of one run; see bands.hpp.
#include "sim/sensitivity/bands.hpp"

#include <fmt/format.h>
#include <cmath>

#include "sim/sensitivity/point_batch.hpp"
#include "sim/sensitivity/sampling.hpp"
#include "sim/stats/median.hpp"

namespace socsim {

MetricBand band_of(double base, const std::vector<double>& samples) {
  std::vector<double> v;
  for (double x : samples)
    if (!std::isnan(x)) v.push_back(x);
  return {base, quantile(v, 0.5), quantile(v, 0.05), quantile(v, 0.95)};
}

void check_sampleable(const BaseRun& base, const std::string& what) {
  base.tag_problems.throw_if_errors();
  for (const ParameterProvenance& p : base.params)
    if (is_sampled(p)) return;
  throw InputError({"--bands"},
                   fmt::format("no number of {} is tagged as an assumption with a range "
                               "(`assumption [LO, HI]: reason`), so there is nothing to sample",
                               what));
}

BandReport run_bands(const BandOptions& o) {
  BaseRun base;
  prepare_base(o.run, o.backend, o.metrics, base);
  check_sampleable(base, base.label);
  BandReport r;
  r.label = base.label;
  r.samples = o.samples;
  r.seed = o.seed;
  r.metrics = base.metrics;
  for (const ParameterProvenance& p : base.params) {
    if (is_sampled(p)) r.sampled.push_back(p.path);
    for (size_t i = 0; i < p.numbers(); ++i) {
      const ProvenanceKind k = p.number_kind(i);
      r.untagged_numbers += k == ProvenanceKind::kUntagged;
      r.sampled_numbers += k == ProvenanceKind::kAssumption;
      r.held_numbers += k == ProvenanceKind::kMeasured || k == ProvenanceKind::kDatasheet;
    }
  }
  std::vector<RunRequest> requests;
  for (size_t k = 0; k < o.samples; ++k) {
    requests.push_back(o.run);
    for (std::string& s : sample_sets(base.params, o.seed, k))
      requests.back().sets.push_back(std::move(s));
  }
  const std::vector<BatchPoint> points =
      run_batch(requests, r.metrics, o.backend, o.jobs, base.cache);
  std::vector<std::vector<double>> by_metric(r.metrics.size());
  for (size_t k = 0; k < points.size(); ++k) {
    if (points[k].status != PointStatus::kOk) {
      r.failures.push_back(
          fmt::format("sample {}: {}: {}", k, status_name(points[k].status), points[k].message));
      continue;
    }
    ++r.ok;
    for (size_t m = 0; m < r.metrics.size(); ++m) by_metric[m].push_back(points[k].metrics[m]);
  }
  for (size_t m = 0; m < r.metrics.size(); ++m)
    r.bands.push_back(band_of(base.base[m], by_metric[m]));
  return r;
}

std::string format_bands(const BandReport& r) {
  std::string s = fmt::format(
      "uncertainty bands of {}: {} samples (seed {}) drawing {} assumption-tagged parameters\n",
      r.label, r.samples, r.seed, r.sampled.size());
  s += fmt::format("  {:<28} {:>12} {:>12} {:>12} {:>12}\n", "metric", "base", "median", "5%",
                   "95%");
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    const MetricBand& b = r.bands[m];
    s += fmt::format("  {:<28} {:>12.4g} {:>12.4g} {:>12.4g} {:>12.4g}\n", r.metrics[m], b.base,
                     b.median, b.p5, b.p95);
  }
  s += fmt::format("{} of {} samples ran\n", r.ok, r.samples);
  for (const std::string& f : r.failures) s += "  " + f + "\n";
  const size_t all = r.untagged_numbers + r.held_numbers + r.sampled_numbers;
  s += fmt::format(
      "warning: the band ignores {} untagged numbers ({:.0f}% of the run's {}; held at their "
      "values, like the {} measured or datasheet ones)\n",
      r.untagged_numbers, all > 0 ? 100.0 * static_cast<double>(r.untagged_numbers) / all : 0.0,
      all, r.held_numbers);
  return s;
}

nlohmann::ordered_json bands_json(const BandReport& r) {
  nlohmann::ordered_json j;
  j["run"] = r.label;
  j["samples"] = r.samples;
  j["seed"] = r.seed;
  j["sampled"] = r.sampled;
  j["untagged_numbers"] = r.untagged_numbers;
  j["held_numbers"] = r.held_numbers;
  j["assumption_numbers"] = r.sampled_numbers;
  nlohmann::ordered_json bands = nlohmann::ordered_json::object();
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    const MetricBand& b = r.bands[m];
    bands[r.metrics[m]] = {{"base", b.base}, {"median", b.median}, {"p5", b.p5}, {"p95", b.p95}};
  }
  j["bands"] = std::move(bands);
  j["ok"] = r.ok;
  j["failures"] = r.failures;
  return j;
}

}  // namespace socsim
