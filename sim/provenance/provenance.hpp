// Where each number of a run comes from. Every numeric parameter of a hardware profile, engine
// profile, model or policy gets a ParameterProvenance: its `--set` path, its kind (measured,
// datasheet, assumption with a plausible range, or untagged), the source text of its tag, the
// range, the place it was written, and its value in a form the sensitivity runner can perturb.
// The kinds are ordered from strongest to weakest: measured, datasheet, assumption, untagged. An
// assumption states how far it may be off; an untagged number says nothing, so it is the weakest.
// A table (curve) or number list takes the weakest kind of its rows.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/units.hpp"

namespace socsim {

enum class ProvenanceKind { kMeasured, kDatasheet, kAssumption, kUntagged };  // strong -> weak
inline constexpr int kProvenanceKinds = 4;

std::string_view kind_name(ProvenanceKind k);  // "measured", ..., "untagged"
inline ProvenanceKind weaker(ProvenanceKind a, ProvenanceKind b) {
  return a > b ? a : b;
}

// The plausible range of an assumption: absolute ends in the field's SI unit, or factors on the
// value (`relative`, written [x0.5, x2]).
struct ProvenanceRange {
  bool relative = false;
  double lo = 0, hi = 0;
};

// One parsed tag. `source` is the text after the colon (for untagged: the whole comment).
struct ProvenanceTag {
  ProvenanceKind kind = ProvenanceKind::kUntagged;
  std::string source;
  std::optional<ProvenanceRange> range;  // assumptions only
  // On a line of several values, the one key the range applies to (`assumption busy_power
  // [x0.7, x1.4]: ...`); the line's other values are assumptions without a range. Empty: the
  // range applies to every value of the line.
  std::string range_key;
};

// The value of a parameter, with what the sensitivity runner needs to write a perturbed one.
struct ParameterValue {
  enum class Shape { kQuantity, kInteger, kCurve, kNumbers };
  Shape shape = Shape::kQuantity;
  Dim dim = Dim::kNumber;    // of the value, of a curve's y or of a list's values
  Dim x_dim = Dim::kNumber;  // of a curve's x
  double scalar = 0;         // quantity (SI) or integer
  std::vector<std::pair<double, double>> points;  // curve
  std::vector<double> values;                     // list
  double min = 0, max = 0;                        // declared bounds (SI; on y for a curve)
  bool is_table() const { return shape == Shape::kCurve || shape == Shape::kNumbers; }
  size_t rows() const { return shape == Shape::kCurve ? points.size() : values.size(); }
};

// A table row's own tag (tables tagged row by row; with a tag on the key's line every row
// carries that tag).
struct RowProvenance {
  ProvenanceKind kind = ProvenanceKind::kUntagged;
  std::optional<ProvenanceRange> range;  // relative
  int line = 0;
};

struct ParameterProvenance {
  std::string path;  // as for --set: "hw.cpu.big.idle_power", "policy.hot_outlier_share"
  ProvenanceKind kind = ProvenanceKind::kUntagged;
  std::string source;
  std::optional<ProvenanceRange> range;  // for a table: the envelope of its assumption rows
  SourceLoc loc;                         // its value's line; line 0 when not written in a file
  ParameterValue value;
  std::vector<RowProvenance> rows;  // tables only, one per row
  size_t numbers() const { return value.is_table() ? rows.size() : 1; }
  // Kind of the i-th number (a table's row, else the parameter's own).
  ProvenanceKind number_kind(size_t i) const { return value.is_table() ? rows[i].kind : kind; }
};

// How many numbers (a table's rows one by one) are of each kind.
struct ProvenanceShares {
  size_t parameters = 0;
  size_t numbers = 0;
  size_t by_kind[kProvenanceKinds] = {0, 0, 0, 0};
};
ProvenanceShares provenance_shares(const std::vector<ParameterProvenance>& params);
// "N numbers: X% measured, Y% datasheet, Z% assumption, W% untagged".
std::string shares_text(const ProvenanceShares& s);

}  // namespace socsim
