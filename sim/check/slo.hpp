// Service-level objectives for `socsim check --slo`: a comma-separated list of `metric<=value` or
// `metric>=value` terms, each value with the metric's unit (ttft<=1s, memory<=8GB,
// prefill_tps>=100, decode_tps>=5tok/s, energy_per_token<=0.5J, power<=6W). Every term is checked
// on every point that ran, and every violation is reported (point, metric, value, limit).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/check/point.hpp"
#include "sim/config/units.hpp"

namespace socsim::check {

struct SloMetric {
  std::string_view name;
  Dim dim;  // kNumber for throughputs (tokens per second)
  std::string_view help;
  double (*get)(const PointMetrics&);
};

// Every metric an SLO can name, in a fixed order.
const std::vector<SloMetric>& slo_metrics();

struct SloTerm {
  const SloMetric* metric = nullptr;
  bool at_most = true;  // metric <= limit; false: metric >= limit
  double limit = 0;     // SI
  std::string text;     // as written, e.g. "ttft<=1s"
};

// Parses the --slo text; every bad term is reported at once (InputError, exit code 2): unknown
// metric (with a "did you mean"), missing or wrong comparison, bad value or unit.
std::vector<SloTerm> parse_slo(const std::string& text);

struct SloViolation {
  std::string point;  // PointSpec::label()
  SloTerm term;
  double value = 0;
  std::string describe() const;  // "redmi-k70-pro/llama-2-7b/p512: ttft 1.32s > 1s"
};

// Violations of every term on one point (none if it did not run).
std::vector<SloViolation> check_slo(const std::vector<SloTerm>& terms, const PointResult& point);

// A metric value for people: "1.32s", "8.1GB", "104.2 tok/s".
std::string format_metric(const SloMetric& m, double value);

}  // namespace socsim::check
