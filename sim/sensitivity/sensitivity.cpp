// The sensitivity runner; see sensitivity.hpp.
#include "sim/sensitivity/sensitivity.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "sim/provenance/provenance_report.hpp"
#include "sim/sensitivity/point_batch.hpp"

namespace socsim {
namespace {

// Why a variant did not run, for the skipped list.
std::string failure(const char* side, const BatchPoint& b) {
  return fmt::format("{}: {}: {}", side, status_name(b.status), b.message);
}

// "0.87s"-like text of a metric value for people.
std::string metric_text(double v) {
  return std::isnan(v) ? "-" : fmt::format("{:.4g}", v);
}
std::string elasticity_text(double e) {
  return std::isnan(e) ? "-" : fmt::format("{:+.3f}", e);
}

nlohmann::ordered_json number(double v) {
  return std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v);
}

std::string shortened(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

}  // namespace

SensitivityReport run_sensitivity(const SensitivityOptions& o) {
  BaseRun base;
  prepare_base(o.run, o.backend, o.metrics, base);
  SensitivityReport r;
  r.label = base.label;
  r.delta = o.delta;
  r.metrics = base.metrics;
  r.base = base.base;
  r.tag_problems = base.tag_problems;
  std::vector<RunRequest> requests;
  std::vector<ParameterSensitivity> moved;
  for (const ParameterProvenance& p : base.params) {
    std::string why;
    const std::optional<CentralDifference> d = central_difference(p, o.delta, why);
    if (!d) {
      r.skipped.push_back({p, why});
      continue;
    }
    moved.push_back({p, *d, {}, {}, {}});
    for (const Perturbation* side : {&d->minus, &d->plus}) {
      requests.push_back(o.run);
      requests.back().sets.push_back(side->set);
    }
  }
  const std::vector<BatchPoint> points =
      run_batch(requests, r.metrics, o.backend, o.jobs, base.cache);
  for (size_t i = 0; i < moved.size(); ++i) {
    ParameterSensitivity& s = moved[i];
    const BatchPoint &minus = points[2 * i], &plus = points[2 * i + 1];
    if (minus.status != PointStatus::kOk || plus.status != PointStatus::kOk) {
      r.skipped.push_back({s.param, minus.status != PointStatus::kOk ? failure("-delta", minus)
                                                                     : failure("+delta", plus)});
      continue;
    }
    s.minus = minus.metrics;
    s.plus = plus.metrics;
    const double dp = (s.diff.plus.p - s.diff.minus.p) / s.diff.p0;
    for (size_t m = 0; m < r.metrics.size(); ++m)
      s.elasticity.push_back(r.base[m] == 0 ? std::nan("")
                                            : (s.plus[m] - s.minus[m]) / (r.base[m] * dp));
    r.ranked.push_back(std::move(s));
  }
  // Skipped ones in declaration order, whatever made them skip.
  std::stable_sort(r.skipped.begin(), r.skipped.end(), [&](const auto& a, const auto& b) {
    auto pos = [&](const SkippedParameter& k) {
      for (size_t i = 0; i < base.params.size(); ++i)
        if (base.params[i].path == k.param.path) return i;
      return base.params.size();
    };
    return pos(a) < pos(b);
  });
  // Largest |E| first; undefined last; ties keep the declaration order (stable).
  auto key = [](const ParameterSensitivity& s) {
    const double e = s.elasticity.empty() ? std::nan("") : s.elasticity[0];
    return std::isnan(e) ? -1.0 : std::fabs(e);
  };
  std::stable_sort(r.ranked.begin(), r.ranked.end(),
                   [&](const auto& a, const auto& b) { return key(a) > key(b); });
  return r;
}

std::string format_sensitivity(const SensitivityReport& r, size_t top) {
  std::string s = fmt::format("sensitivity of {}, delta {:g}%\nbase:", r.label, 100 * r.delta);
  for (size_t m = 0; m < r.metrics.size(); ++m)
    s += fmt::format(" {} {}", r.metrics[m], metric_text(r.base[m]));
  s += fmt::format(
      "\nelasticity (M+ - M-) / (M0 (p+ - p-) / p0) of {} parameters, ranked by |{}|:\n",
      r.ranked.size(), r.metrics.front());
  std::vector<size_t> width;
  s += fmt::format("  {:>4} {:<46} {:<10}", "#", "parameter", "kind");
  for (const std::string& m : r.metrics) {
    width.push_back(std::max<size_t>(8, m.size()));
    s += fmt::format(" {:>{}}", m, width.back());
  }
  s += "  source\n";
  const size_t n = top == 0 ? r.ranked.size() : std::min(top, r.ranked.size());
  for (size_t i = 0; i < n; ++i) {
    const ParameterSensitivity& p = r.ranked[i];
    s += fmt::format("  {:>4} {:<46} {:<10}", i + 1, p.param.path, kind_name(p.param.kind));
    for (size_t m = 0; m < r.metrics.size(); ++m)
      s += fmt::format(" {:>{}}", elasticity_text(p.elasticity[m]), width[m]);
    s += "  " + shortened(p.param.source, 70) + "\n";
  }
  if (n < r.ranked.size())
    s += fmt::format("  ({} more; --top 0 lists all)\n", r.ranked.size() - n);
  if (!r.skipped.empty()) {
    s += fmt::format("skipped {} parameters:\n", r.skipped.size());
    for (const SkippedParameter& k : r.skipped)
      s += fmt::format("  {:<46} {}\n", k.param.path, shortened(k.reason, 160));
  }
  return s;
}

nlohmann::ordered_json sensitivity_json(const SensitivityReport& r) {
  nlohmann::ordered_json j;
  j["run"] = r.label;
  j["delta"] = r.delta;
  j["metrics"] = r.metrics;
  nlohmann::ordered_json base = nlohmann::ordered_json::object();
  for (size_t m = 0; m < r.metrics.size(); ++m) base[r.metrics[m]] = number(r.base[m]);
  j["base"] = std::move(base);
  nlohmann::ordered_json params = nlohmann::ordered_json::array();
  for (const ParameterSensitivity& p : r.ranked) {
    nlohmann::ordered_json x = provenance_json(p.param);
    x["value"] = value_text(p.param);
    for (const auto& [name, side, values] : {std::tuple("minus", &p.diff.minus, &p.minus),
                                             std::tuple("plus", &p.diff.plus, &p.plus)}) {
      nlohmann::ordered_json v;
      v["set"] = side->set;
      v["p"] = side->p;
      for (size_t m = 0; m < r.metrics.size(); ++m) v[r.metrics[m]] = number((*values)[m]);
      x[name] = std::move(v);
    }
    nlohmann::ordered_json e = nlohmann::ordered_json::object();
    for (size_t m = 0; m < r.metrics.size(); ++m) e[r.metrics[m]] = number(p.elasticity[m]);
    x["elasticity"] = std::move(e);
    params.push_back(std::move(x));
  }
  j["parameters"] = std::move(params);
  nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
  for (const SkippedParameter& k : r.skipped) {
    nlohmann::ordered_json x = provenance_json(k.param);
    x["reason"] = k.reason;
    skipped.push_back(std::move(x));
  }
  j["skipped"] = std::move(skipped);
  return j;
}

}  // namespace socsim
