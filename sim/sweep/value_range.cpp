// Range expansion; see value_range.hpp.
#include "sim/sweep/value_range.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace socsim {
namespace {

struct Number {
  double value = 0;
  std::string unit;  // text after the number, trimmed ("MHz", "GB/s", "" for a plain number)
};

std::optional<Number> split_number(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v)) return std::nullopt;
  std::string unit(end);
  const size_t b = unit.find_first_not_of(" \t"), e = unit.find_last_not_of(" \t");
  unit = b == std::string::npos ? std::string() : unit.substr(b, e - b + 1);
  return Number{v, unit};
}

// Shortest text of v with 12 significant digits at most: steps of 0.1 give "0.3", not
// "0.30000000000000004"; whole numbers print without a decimal point.
std::string format_value(double v, const std::string& unit) {
  if (v == 0) v = 0;  // no "-0"
  std::string s = fmt::format("{:.12g}", v);
  return s + unit;
}

}  // namespace

RangeResult expand_range(const RangeSpec& r, size_t limit) {
  const std::optional<Number> from = split_number(r.from), to = split_number(r.to);
  if (!from) return {{}, fmt::format("from: '{}' is not a number (with an optional unit)", r.from)};
  if (!to) return {{}, fmt::format("to: '{}' is not a number (with an optional unit)", r.to)};
  if (from->unit != to->unit)
    return {{},
            fmt::format("from and to must be written in the same unit ('{}' vs '{}')", from->unit,
                        to->unit)};
  const int kinds = (r.step ? 1 : 0) + (r.count ? 1 : 0) + (r.factor ? 1 : 0);
  if (kinds != 1) return {{}, "give exactly one of step, count or factor"};
  const double a = from->value, b = to->value;
  std::vector<double> v;
  if (r.step) {
    const std::optional<Number> step = split_number(*r.step);
    if (!step) return {{}, fmt::format("step: '{}' is not a number", *r.step)};
    if (!step->unit.empty() && step->unit != from->unit)
      return {{},
              fmt::format("step must be written in the unit of from ('{}'), not '{}'", from->unit,
                          step->unit)};
    if (step->value <= 0) return {{}, "step must be positive (from may be above to)"};
    const double n = std::floor(std::fabs(b - a) / step->value * (1 + 1e-12) + 1e-9);
    if (n + 1 > static_cast<double>(limit))
      return {{}, fmt::format("the range has more than {} values", limit)};
    const double dir = b >= a ? 1 : -1;
    for (double i = 0; i <= n; ++i) v.push_back(a + dir * i * step->value);
  } else if (r.count) {
    if (*r.count < 1) return {{}, "count must be at least 1"};
    if (static_cast<size_t>(*r.count) > limit)
      return {{}, fmt::format("the range has more than {} values", limit)};
    if (*r.count == 1 && a != b) return {{}, "count 1 needs from equal to to"};
    for (long long i = 0; i < *r.count; ++i)
      v.push_back(*r.count == 1
                      ? a
                      : a + (b - a) * static_cast<double>(i) / static_cast<double>(*r.count - 1));
  } else {
    const std::optional<Number> f = split_number(*r.factor);
    if (!f || !f->unit.empty())
      return {{}, fmt::format("factor: '{}' is not a plain number", *r.factor)};
    if (f->value <= 1) return {{}, "factor must be above 1"};
    if (a <= 0 || b < a) return {{}, "a geometric range needs 0 < from <= to"};
    for (double x = a; x <= b * (1 + 1e-12); x *= f->value) {
      if (v.size() == limit) return {{}, fmt::format("the range has more than {} values", limit)};
      v.push_back(x);
    }
  }
  RangeResult out;
  for (double x : v) out.values.push_back(format_value(x, from->unit));
  return out;
}

}  // namespace socsim
