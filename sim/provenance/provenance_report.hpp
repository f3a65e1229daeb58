// Printing provenance: the `describe NAME --provenance` table (every numeric parameter with its
// kind, value, range, line and source, grouped by the file it was read from, then the shares of
// each kind), and the JSON form of one parameter used by `sensitivity --json`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/provenance/provenance.hpp"

namespace socsim {

std::string format_provenance(const std::vector<ParameterProvenance>& params);

// The value for people: "20us", "2.5", "7 rows", "1 row".
std::string value_text(const ParameterProvenance& p);
// The range for people ("[x0.5, x2]", "[20mW, 100mW]"), or "" without one.
std::string range_text(const ParameterProvenance& p);

// {"path", "kind", "source", "range": {"relative", "lo", "hi"} | null, "file", "line"}.
nlohmann::ordered_json provenance_json(const ParameterProvenance& p);

}  // namespace socsim
