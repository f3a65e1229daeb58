// SLO terms: the metric table, parsing and checking; see slo.hpp.
#include "sim/check/slo.hpp"

#include <fmt/format.h>

#include <cmath>

namespace socsim::check {

const std::vector<SloMetric>& slo_metrics() {
  static const std::vector<SloMetric> metrics = {
      {"ttft", Dim::kTime, "time to first token (setup + prefill)",
       [](const PointMetrics& m) { return m.ttft_s; }},
      {"total", Dim::kTime, "whole run", [](const PointMetrics& m) { return m.total_s; }},
      {"decode_latency", Dim::kTime, "mean time per decoded token",
       [](const PointMetrics& m) { return m.decode_latency_s; }},
      {"prefill_tps", Dim::kNumber, "prefill tokens per second",
       [](const PointMetrics& m) { return m.prefill_tps; }},
      {"decode_tps", Dim::kNumber, "decode tokens per second",
       [](const PointMetrics& m) { return m.decode_tps; }},
      {"memory", Dim::kBytes, "peak memory of the plan",
       [](const PointMetrics& m) { return m.peak_memory_bytes; }},
      {"energy", Dim::kEnergy, "energy of the whole run",
       [](const PointMetrics& m) { return m.energy_j; }},
      {"energy_per_token", Dim::kEnergy, "energy per processed token (prompt + decode steps)",
       [](const PointMetrics& m) { return m.energy_per_token_j; }},
      {"power", Dim::kPower, "mean power over the run",
       [](const PointMetrics& m) { return m.power_w; }},
  };
  return metrics;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

const SloMetric* find_metric(std::string_view name) {
  for (const SloMetric& m : slo_metrics())
    if (m.name == name) return &m;
  return nullptr;
}

// Throughputs may carry "tok/s" (or "tokens/s"); other metrics use the unit parser as it is.
QuantityParse parse_limit(const SloMetric& m, std::string_view value) {
  if (m.dim == Dim::kNumber)
    for (std::string_view unit : {"tokens/s", "tok/s"})
      if (value.size() > unit.size() && value.substr(value.size() - unit.size()) == unit) {
        value.remove_suffix(unit.size());
        break;
      }
  QuantityParse q = parse_quantity(value, m.dim);
  if (q.value && *q.value < 0) return {std::nullopt, fmt::format("'{}' is negative", value)};
  return q;
}

}  // namespace

std::vector<SloTerm> parse_slo(const std::string& text) {
  Diagnostics d;
  const SourceLoc at{"--slo " + text};
  std::vector<SloTerm> terms;
  std::vector<std::string> names;
  for (const SloMetric& m : slo_metrics()) names.emplace_back(m.name);
  std::string all;
  for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string_view term = trim(std::string_view(text).substr(pos, comma - pos));
    pos = comma + 1;
    if (term.empty()) {
      d.error(at, "empty term (expected e.g. ttft<=1s,decode_tps>=5)");
      continue;
    }
    const size_t le = term.find("<="), ge = term.find(">=");
    if (le == std::string_view::npos && ge == std::string_view::npos) {
      d.error(at, fmt::format("'{}' is not metric<=value or metric>=value", term));
      continue;
    }
    const size_t op = std::min(le, ge);
    const std::string name(trim(term.substr(0, op)));
    const SloMetric* metric = find_metric(name);
    if (!metric) {
      const std::string hint = closest_match(name, names);
      d.error(at, fmt::format("unknown metric '{}'{} (metrics: {})", name,
                              hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
      continue;
    }
    const QuantityParse q = parse_limit(*metric, trim(term.substr(op + 2)));
    if (!q.value) {
      d.error(at, fmt::format("{}: {}", term, q.error));
      continue;
    }
    terms.push_back({metric, op == le, *q.value, std::string(term)});
  }
  d.throw_if_errors();
  return terms;
}

std::string format_metric(const SloMetric& m, double value) {
  if (m.dim == Dim::kNumber) return fmt::format("{:.4g} tok/s", value);
  return format_human(value, m.dim);
}

std::string SloViolation::describe() const {
  return fmt::format("{}: {} {} {} {}", point, term.metric->name,
                     format_metric(*term.metric, value), term.at_most ? ">" : "<",
                     format_metric(*term.metric, term.limit));
}

std::vector<SloViolation> check_slo(const std::vector<SloTerm>& terms, const PointResult& point) {
  std::vector<SloViolation> out;
  if (point.status != PointStatus::kOk) return out;
  for (const SloTerm& t : terms) {
    const double v = t.metric->get(point.metrics);
    const bool ok = t.at_most ? v <= t.limit : v >= t.limit;  // NaN fails both
    if (!ok) out.push_back({point.spec.label(), t, v});
  }
  return out;
}

}  // namespace socsim::check
