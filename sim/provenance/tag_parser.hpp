// The provenance tag grammar, written at the start of the comment on a number's line:
//   measured: <source>                 a measurement (microbenchmark, a paper's measured table)
//   datasheet: <source>                a vendor figure, datasheet or published config
//   assumption [LO, HI]: <reason>      an assumption and its plausible range, in the field's unit
//                                      ([0.02W, 0.1W]) or as factors on the value ([x0.5, x2])
//   assumption KEY [xLO, xHI]: <reason> on a line of several values ({clock: .., busy_power: ..}),
//                                      the range of the value of KEY only; the others on the line
//                                      are assumptions without a range (bands do not move them)
// Any other comment (or none) is untagged. A comment whose first word is `measured`, `datasheet`
// or `assumption` but does not follow the grammar is an error, reported with the offset of the
// problem in the comment so that callers can locate it (file:line:col).
#pragma once

#include <string>
#include <string_view>

#include "sim/provenance/provenance.hpp"

namespace socsim {

struct TagParse {
  ProvenanceTag tag;
  std::string error;    // empty when the text is a valid tag or no tag at all
  size_t error_at = 0;  // offset in `text` of the problem
};

// Parses a comment's text (after '#' and the spaces that follow it). Absolute range ends are
// parsed with `dim`. When `relative_only` is non-empty (e.g. "a table"), only factors are
// accepted, and the message says what takes them.
TagParse parse_provenance_tag(std::string_view text, Dim dim, std::string_view relative_only = {});

// Why `range` does not contain `value` (SI), or "" when it does; a relative range must contain x1.
std::string range_excludes(const ProvenanceRange& range, double value, Dim dim);

// "[x0.5, x2]" or "[20mW, 100mW]".
std::string range_text(const ProvenanceRange& range, Dim dim);

}  // namespace socsim
