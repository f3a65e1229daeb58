// Unit parsing: a number, then a prefix and a base symbol valid for the requested dimension.
#include "sim/config/units.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

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
    case Dim::kBytes:
      return {{"B", true, false}};
    case Dim::kBandwidth:
      return {{"B/s", true, false}, {"Bps", true, false}};
    case Dim::kOps:
      return {{"FLOP", false, false}, {"OP", false, false}};
    case Dim::kOpsRate:
      return {{"FLOPS", false, false},
              {"OPS", false, false},
              {"FLOP/s", false, false},
              {"OP/s", false, false}};
    case Dim::kRequestRate:
      return {{"IOPS", false, false}};
    case Dim::kFrequency:
      return {{"Hz", false, false}};
    case Dim::kTime:
      return {{"s", false, true}};
    case Dim::kPower:
      return {{"W", false, true}};
    case Dim::kEnergy:
      return {{"J", false, true}};
    case Dim::kEnergyPerByte:
      return {{"J/B", false, true}};
    case Dim::kTemperature:
      return {{"C", false, false}};
    case Dim::kThermalResistance:
      return {{"K/W", false, true}};
    case Dim::kHeatCapacity:
      return {{"J/K", false, true}};
    case Dim::kNumber:
      return {};
  }
  return {};
}

bool is_small(std::string_view p) {
  return p == "m" || p == "u" || p == "\xC2\xB5" || p == "n" || p == "p" || p == "f";
}

struct Scale {
  double factor;
  bool decimal;  // a power of ten
};

std::optional<Scale> scale_of(std::string_view unit, Dim d) {
  for (const Base& b : bases_for(d)) {
    if (unit.size() < b.symbol.size() || unit.substr(unit.size() - b.symbol.size()) != b.symbol)
      continue;
    std::string_view prefix = unit.substr(0, unit.size() - b.symbol.size());
    if (b.binary_prefixes)
      for (const Prefix& p : kBinary)
        if (p.symbol == prefix && !prefix.empty()) return Scale{p.scale, false};
    for (const Prefix& p : kDecimal) {
      if (p.symbol != prefix) continue;
      if (is_small(prefix) && !b.small_prefixes) continue;
      return Scale{p.scale, true};
    }
  }
  return std::nullopt;
}

// number x scale. A decimal scale shifts the decimal exponent of the text instead of multiplying,
// so that "1.2pJ/B" and "3fJ" give exactly the doubles nearest to 1.2e-12 and 3e-15.
double scaled(std::string_view number_text, double number, Scale scale) {
  if (!scale.decimal || number_text.find_first_of("xX") != std::string_view::npos)
    return number * scale.factor;
  std::string mantissa(number_text);
  long exponent = std::lround(std::log10(scale.factor));
  size_t e = mantissa.find_first_of("eE");
  if (e != std::string::npos) {
    exponent += std::clamp(std::strtol(mantissa.c_str() + e + 1, nullptr, 10), -100000L, 100000L);
    mantissa.resize(e);
  }
  return std::strtod(fmt::format("{}e{}", mantissa, exponent).c_str(), nullptr);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view dim_name(Dim d) {
  switch (d) {
    case Dim::kNumber:
      return "number";
    case Dim::kBytes:
      return "size";
    case Dim::kBandwidth:
      return "bandwidth";
    case Dim::kOps:
      return "operation count";
    case Dim::kOpsRate:
      return "throughput";
    case Dim::kRequestRate:
      return "request rate";
    case Dim::kFrequency:
      return "frequency";
    case Dim::kTime:
      return "time";
    case Dim::kPower:
      return "power";
    case Dim::kEnergy:
      return "energy";
    case Dim::kEnergyPerByte:
      return "energy per byte";
    case Dim::kTemperature:
      return "temperature";
    case Dim::kThermalResistance:
      return "thermal resistance";
    case Dim::kHeatCapacity:
      return "heat capacity";
  }
  return "?";
}

std::string_view dim_example(Dim d) {
  switch (d) {
    case Dim::kNumber:
      return "0.5";
    case Dim::kBytes:
      return "8KiB";
    case Dim::kBandwidth:
      return "4GB/s";
    case Dim::kOps:
      return "2GFLOP";
    case Dim::kOpsRate:
      return "73TOPS";
    case Dim::kRequestRate:
      return "100kIOPS";
    case Dim::kFrequency:
      return "3.3GHz";
    case Dim::kTime:
      return "450ms";
    case Dim::kPower:
      return "2.5W";
    case Dim::kEnergy:
      return "1.2J";
    case Dim::kEnergyPerByte:
      return "20pJ/B";
    case Dim::kTemperature:
      return "43C";
    case Dim::kThermalResistance:
      return "8K/W";
    case Dim::kHeatCapacity:
      return "60J/K";
  }
  return "?";
}

std::string_view dim_si_symbol(Dim d) {
  switch (d) {
    case Dim::kNumber:
      return "";
    case Dim::kBytes:
      return "B";
    case Dim::kBandwidth:
      return "B/s";
    case Dim::kOps:
      return "OP";
    case Dim::kOpsRate:
      return "OPS";
    case Dim::kRequestRate:
      return "IOPS";
    case Dim::kFrequency:
      return "Hz";
    case Dim::kTime:
      return "s";
    case Dim::kPower:
      return "W";
    case Dim::kEnergy:
      return "J";
    case Dim::kEnergyPerByte:
      return "J/B";
    case Dim::kTemperature:
      return "C";
    case Dim::kThermalResistance:
      return "K/W";
    case Dim::kHeatCapacity:
      return "J/K";
  }
  return "";
}

QuantityParse parse_quantity(std::string_view text, Dim d) {
  std::string_view s = trim(text);
  if (s.empty())
    return {std::nullopt,
            fmt::format("empty value, expected a {} such as {}", dim_name(d), dim_example(d))};
  std::string buf(s);
  char* end = nullptr;
  double number = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str())
    return {std::nullopt,
            fmt::format("'{}' is not a {} (expected e.g. {})", s, dim_name(d), dim_example(d))};
  if (!std::isfinite(number)) return {std::nullopt, fmt::format("'{}' is not a finite number", s)};
  std::string_view number_text =
      std::string_view(buf).substr(0, static_cast<size_t>(end - buf.c_str()));
  std::string_view unit = trim(std::string_view(buf).substr(number_text.size()));
  std::optional<Scale> scale;
  if (d == Dim::kNumber) {
    if (unit == "%")
      scale = Scale{1e-2, true};
    else if (unit.empty())
      scale = Scale{1.0, false};
    else
      return {std::nullopt,
              fmt::format("'{}' should be a plain number, not carry the unit '{}'", s, unit)};
  } else {
    if (unit.empty())
      return {std::nullopt, fmt::format("'{}' has no unit; a {} needs one, e.g. {}", s, dim_name(d),
                                        dim_example(d))};
    scale = scale_of(unit, d);
    if (!scale)
      return {std::nullopt, fmt::format("unknown unit '{}' for a {} (expected e.g. {})", unit,
                                        dim_name(d), dim_example(d))};
  }
  double value = scaled(number_text, number, *scale);
  if (!std::isfinite(value)) return {std::nullopt, fmt::format("'{}' is too large", s)};
  return {value, {}};
}

namespace {

// Shortest text of `v / p.scale` (at most 17 significant digits) that parses back to exactly `v`,
// so that resolved configurations written with units read back to the same doubles.
std::string shortest(double v, const Prefix& p, std::string_view sym, Dim d) {
  double x = v / p.scale;
  // Start with all digits before the point, so that 450 prints as "450", not "4.5e+02".
  int first = std::fabs(x) >= 1 && std::fabs(x) < 1e17
                  ? static_cast<int>(std::floor(std::log10(std::fabs(x)))) + 1
                  : 1;
  for (int digits = first; digits <= 17; ++digits) {
    std::string text = fmt::format("{:.{}g}{}{}", x, digits, p.symbol, sym);
    QuantityParse q = parse_quantity(text, d);
    if (q.value && *q.value == v) return text;
  }
  // Scaling lost the last bit: fall back to the unprefixed unit, which is always exact.
  return fmt::format("{}{}", v, sym);
}

// The largest prefix not above |v| (the smallest one for tiny values, none for zero).
template <size_t N>
const Prefix& prefix_for(double v, const std::array<Prefix, N>& ps, const Prefix& unit) {
  if (v == 0) return unit;
  const Prefix* best = &ps[0];
  for (const Prefix& p : ps)
    if (std::fabs(v) >= p.scale * (1 - 1e-12)) best = &p;
  return *best;
}

}  // namespace

std::string format_quantity(double v, Dim d) {
  std::string_view sym = dim_si_symbol(d);
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return fmt::format("{}inf{}", v < 0 ? "-" : "", sym);
  static constexpr Prefix kNone{"", 1.0};
  if (d == Dim::kNumber) return shortest(v, kNone, sym, d);
  if (d == Dim::kTemperature) return shortest(v, kNone, sym, d);
  if (d == Dim::kTime || d == Dim::kPower || d == Dim::kEnergy || d == Dim::kEnergyPerByte ||
      d == Dim::kThermalResistance || d == Dim::kHeatCapacity) {
    static constexpr std::array<Prefix, 7> kSmall{
        {{"f", 1e-15}, {"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3}, {"", 1.0}, {"k", 1e3}}};
    return shortest(v, prefix_for(v, kSmall, kNone), sym, d);
  }
  static constexpr std::array<Prefix, 6> kBig{
      {{"", 1.0}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}}};
  std::string decimal = shortest(v, prefix_for(v, kBig, kNone), sym, d);
  if (d != Dim::kBytes && d != Dim::kBandwidth) return decimal;
  // Sizes that are powers of two read better with binary prefixes: 8KiB, not 8.192kB.
  static constexpr std::array<Prefix, 5> kBin{{{"", 1.0},
                                               {"Ki", 1024.0},
                                               {"Mi", 1048576.0},
                                               {"Gi", 1073741824.0},
                                               {"Ti", 1099511627776.0}}};
  const Prefix& bp = prefix_for(v, kBin, kNone);
  if (bp.symbol.empty()) return decimal;
  std::string binary = shortest(v, bp, sym, d);
  return binary.size() < decimal.size() ? binary : decimal;
}

}  // namespace socsim

namespace socsim {

std::string format_human(double value, Dim d, int digits) {
  std::string exact = format_quantity(value, d);
  // Split the exact text into number and unit, then round the number.
  size_t i = 0;
  while (i < exact.size() &&
         (std::isdigit(static_cast<unsigned char>(exact[i])) || exact[i] == '.' ||
          exact[i] == '-' || exact[i] == 'e' || exact[i] == '+'))
    ++i;
  const double number = std::strtod(exact.substr(0, i).c_str(), nullptr);
  std::string unit = exact.substr(i);
  if (d == Dim::kBytes && unit.size() == 3 &&
      unit[1] == 'i') {  // KiB/MiB/GiB: use decimal for people
    const double scales[] = {1e3, 1e6, 1e9, 1e12};
    const char* names[] = {"kB", "MB", "GB", "TB"};
    for (int k = 3; k >= 0; --k)
      if (std::fabs(value) >= scales[k])
        return fmt::format("{:.{}g}{}", value / scales[k], digits, names[k]);
  }
  return fmt::format("{:.{}g}{}", number, digits, unit);
}

}  // namespace socsim
