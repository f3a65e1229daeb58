// Generated documentation and resolved-config output from the declare-once schema: `describe`
// lists every parameter with type, unit, default, bounds and meaning; `write_resolved` emits the
// values actually used by a run (after defaults and overrides) as YAML with units.
#pragma once

#include <string>
#include <vector>

#include "sim/config/schema.hpp"

namespace socsim {

struct ParamRow {
  std::string path;      // dotted; "<name>" stands for any entry name, "<i>" for a list index
  std::string type;      // "size", "bandwidth", "integer", "boolean", "text", "one of a|b", ...
  std::string unit;      // SI symbol, "" when none
  std::string default_;  // "required", "derived", or the default text
  std::string bounds;    // "" when unbounded
  std::string help;
};

std::vector<ParamRow> describe_params(const std::function<void(FieldVisitor&)>& body);
std::string format_param_table(const std::vector<ParamRow>& rows, const std::string& root);

// Writes the visited spec's values as a YAML document (units formatted, derived values included).
std::string write_resolved(const std::function<void(FieldVisitor&)>& body);

}  // namespace socsim
