// Unit parsing: a number, then a prefix and a base symbol valid for the requested dimension.
#include "sim/config/units.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>
#include <fmt/format.h>

namespace socsim {
namespace {

struct Prefix {
  std::string_view symbol;
  double scale;
};

constexpr std::array<Prefix, 13> kDecimal{{{"", 1.0},
                                          {"k", 1e3},
                                          {"K", 1e3},
                                          {"M", 1e6},
                                          {"G", 1e9},
                                          {"T", 1e12},
                                          {"P", 1e15},
                                          {"m", 1e-3},
                                          {"u", 1e-6},
                                          {"\xC2\xB5", 1e-6},  // micro sign
                                          {"n", 1e-9},
                                          {"p", 1e-12},
                                          {"f", 1e-15}}};
constexpr std::array<Prefix, 5> kBinary{
    {{"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}, {"", 1.0}}};

struct Base {
  std::string_view symbol;
  bool binary_prefixes;
  bool small_prefixes;  // m, u, n, p allowed (e.g. ms, pJ), not for bytes
};

std::vector<Base> bases_for(Dim d) {
  switch (d) {
    case Dim::kBytes: return {{"B", true, false}};
    case Dim::kBandwidth: return {{"B/s", true, false}, {"Bps", true, false}};
    case Dim::kOps: return {{"FLOP", false, false}, {"OP", false, false}};
    case Dim::kOpsRate: return {{"FLOPS", false, false}, {"OPS", false, false}, {"FLOP/s", false, false}, {"OP/s", false, false}};
    case Dim::kRequestRate: return {{"IOPS", false, false}};
    case Dim::kFrequency: return {{"Hz", false, false}};
    case Dim::kTime: return {{"s", false, true}};
    case Dim::kPower: return {{"W", false, true}};
    case Dim::kEnergy: return {{"J", false, true}};
    case Dim::kEnergyPerByte: return {{"J/B", false, true}};
    case Dim::kNumber: return {};
  }
  return {};
}

bool is_small(std::string_view p) {
  return p == "m" || p == "u" || p == "\xC2\xB5" || p == "n" || p == "p" || p == "f";
}

std::optional<double> scale_of(std::string_view unit, Dim d) {
  for (const Base& b : bases_for(d)) {
    if (unit.size() < b.symbol.size() || unit.substr(unit.size() - b.symbol.size()) != b.symbol)
      continue;
    std::string_view prefix = unit.substr(0, unit.size() - b.symbol.size());
    if (b.binary_prefixes)
      for (const Prefix& p : kBinary)
        if (p.symbol == prefix && !prefix.empty()) return p.scale;
    for (const Prefix& p : kDecimal) {
      if (p.symbol != prefix) continue;
      if (is_small(prefix) && !b.small_prefixes) continue;
      return p.scale;
    }
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view dim_name(Dim d) {
  switch (d) {
    case Dim::kNumber: return "number";
    case Dim::kBytes: return "size";
    case Dim::kBandwidth: return "bandwidth";
    case Dim::kOps: return "operation count";
    case Dim::kOpsRate: return "throughput";
    case Dim::kRequestRate: return "request rate";
    case Dim::kFrequency: return "frequency";
    case Dim::kTime: return "time";
    case Dim::kPower: return "power";
    case Dim::kEnergy: return "energy";
    case Dim::kEnergyPerByte: return "energy per byte";
  }
  return "?";
}

std::string_view dim_example(Dim d) {
  switch (d) {
    case Dim::kNumber: return "0.5";
    case Dim::kBytes: return "8KiB";
    case Dim::kBandwidth: return "4GB/s";
    case Dim::kOps: return "2GFLOP";
    case Dim::kOpsRate: return "73TOPS";
    case Dim::kRequestRate: return "100kIOPS";
    case Dim::kFrequency: return "3.3GHz";
    case Dim::kTime: return "450ms";
    case Dim::kPower: return "2.5W";
    case Dim::kEnergy: return "1.2J";
    case Dim::kEnergyPerByte: return "20pJ/B";
  }
  return "?";
}

std::string_view dim_si_symbol(Dim d) {
  switch (d) {
    case Dim::kNumber: return "";
    case Dim::kBytes: return "B";
    case Dim::kBandwidth: return "B/s";
    case Dim::kOps: return "OP";
    case Dim::kOpsRate: return "OPS";
    case Dim::kRequestRate: return "IOPS";
    case Dim::kFrequency: return "Hz";
    case Dim::kTime: return "s";
    case Dim::kPower: return "W";
    case Dim::kEnergy: return "J";
    case Dim::kEnergyPerByte: return "J/B";
  }
  return "";
}

QuantityParse parse_quantity(std::string_view text, Dim d) {
  std::string_view s = trim(text);
  if (s.empty()) return {std::nullopt, fmt::format("empty value, expected a {} such as {}", dim_name(d), dim_example(d))};
  std::string buf(s);
  char* end = nullptr;
  double number = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str())
    return {std::nullopt, fmt::format("'{}' is not a {} (expected e.g. {})", s, dim_name(d), dim_example(d))};
  if (!std::isfinite(number)) return {std::nullopt, fmt::format("'{}' is not a finite number", s)};
  std::string_view unit = trim(std::string_view(buf).substr(static_cast<size_t>(end - buf.c_str())));
  if (d == Dim::kNumber) {
    if (unit.empty()) return {number, {}};
    if (unit == "%") return {number / 100.0, {}};
    return {std::nullopt, fmt::format("'{}' should be a plain number, not carry the unit '{}'", s, unit)};
  }
  if (unit.empty())
    return {std::nullopt, fmt::format("'{}' has no unit; a {} needs one, e.g. {}", s, dim_name(d), dim_example(d))};
  std::optional<double> scale = scale_of(unit, d);
  if (!scale)
    return {std::nullopt, fmt::format("unknown unit '{}' for a {} (expected e.g. {})", unit, dim_name(d), dim_example(d))};
  return {number * *scale, {}};
}

std::string format_quantity(double v, Dim d) {
  if (d == Dim::kNumber) return fmt::format("{:.10g}", v);
  std::string_view sym = dim_si_symbol(d);
  if (d == Dim::kTime || d == Dim::kPower || d == Dim::kEnergy || d == Dim::kEnergyPerByte) {
    static constexpr std::array<Prefix, 6> kSmall{{{"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3}, {"", 1.0}, {"k", 1e3}}};
    const Prefix* best = &kSmall[4];
    for (const Prefix& p : kSmall)
      if (std::fabs(v) >= p.scale) best = &p;
    if (v == 0) best = &kSmall[4];
    if (d == Dim::kEnergyPerByte) return fmt::format("{:.10g}{}J/B", v / best->scale, best->symbol);
    return fmt::format("{:.10g}{}{}", v / best->scale, best->symbol, sym);
  }
  static constexpr std::array<Prefix, 6> kBig{{{"", 1.0}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}}};
  const Prefix* best = &kBig[0];
  for (const Prefix& p : kBig)
    if (std::fabs(v) >= p.scale) best = &p;
  return fmt::format("{:.10g}{}{}", v / best->scale, best->symbol, sym);
}

}  // namespace socsim
