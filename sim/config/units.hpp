// Physical quantities in configuration values. Every number with a dimension is written with its
// unit inside the value ("4GB/s", "73TOPS", "450ms", "8KiB") and parsed exactly once into SI base
// units (bytes, seconds, hertz, operations, watts, joules). Decimal prefixes are powers of 1000,
// binary prefixes (KiB, MiB, ...) powers of 1024, so "MB" and "MiB" differ.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace socsim {

enum class Dim {
  kNumber,             // dimensionless ratio or count; accepts "0.5" or "50%"
  kBytes,              // B
  kBandwidth,          // B/s
  kOps,                // OP or FLOP (a count of arithmetic operations)
  kOpsRate,            // OPS, FLOPS (operations per second)
  kRequestRate,        // IOPS
  kFrequency,          // Hz
  kTime,               // s
  kPower,              // W
  kEnergy,             // J
  kEnergyPerByte,      // J/B
  kTemperature,        // C (degrees Celsius, the SI derived unit; no prefixes)
  kThermalResistance,  // K/W
  kHeatCapacity,       // J/K
};

// Human name of a dimension with an example value, for error messages and `describe`.
std::string_view dim_name(Dim d);
std::string_view dim_example(Dim d);
// The SI unit symbol a dimension is stored in ("B/s", "s", ...); empty for kNumber.
std::string_view dim_si_symbol(Dim d);

struct QuantityParse {
  std::optional<double> value;  // set on success
  std::string error;            // set on failure: what was wrong, never empty then
};

// Parses "4GB/s" as Dim::kBandwidth into 4e9. Whitespace between number and unit is allowed.
QuantityParse parse_quantity(std::string_view text, Dim d);

// Formats an SI value back with a readable prefix, e.g. 4e9 kBandwidth -> "4GB/s".
std::string format_quantity(double value, Dim d);

}  // namespace socsim

namespace socsim {

// Formats for people (summaries, messages): at most `digits` significant digits with a prefix,
// e.g. 26469367808 B -> "26.47GB", 3.4103 s -> "3.41s". Not for values read back.
std::string format_human(double value, Dim d, int digits = 4);

}  // namespace socsim
