// What `socsim check` prints: a table with one line per point (status, key metrics, invariants; the
// broken invariants' details below their point), the verify results per model, the SLO violations,
// the comparison with the baseline (per point and a geometric-mean summary) and a summary line;
// and the same as JSON for machines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/check/check.hpp"

namespace socsim::check {

std::string format_report(const CheckReport& r);
std::string format_points(const CheckReport& r);
std::string format_verify(const CheckReport& r);
std::string format_slo(const CheckReport& r);
std::string format_comparison(const CheckReport& r);
std::string format_summary(const CheckReport& r);

// Geometric means over the points both policies ran: TTFT speedup (baseline / policy), prefill and
// decode throughput ratios and energy-per-token and memory ratios (policy / baseline).
struct Comparison {
  size_t points = 0;
  double ttft_speedup = 0, prefill_ratio = 0, decode_ratio = 0, energy_ratio = 0, memory_ratio = 0;
};
Comparison compare_with_baseline(const CheckReport& r);

nlohmann::json report_json(const CheckReport& r);

}  // namespace socsim::check
