// Collecting the provenance of every numeric parameter of one spec (a hardware profile, engine
// profile, model or policy). The spec is walked through its declaration (FieldVisitor) beside the
// YAML document it was read from; each number's tag is the comment on its value's line. A table
// (curve) or number list is tagged on its key's line (the whole table) or row by row; a line that
// holds several values (`{clock: 1.5GHz, busy_power: 1W}`) takes only a relative range. Values
// reached through a YAML alias are the anchored node's, so they carry the anchor's comments. A
// value set on the command line is untagged (its file comment no longer describes it); a value
// absent from the file takes the provenance declared with its default (FieldInfo::provenance).
// Numbers that are not parameters are left out: constants (min == max, e.g. schema_version),
// unset derived values (computed from others) and empty tables.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <vector>

#include "sim/config/overrides.hpp"
#include "sim/config/schema.hpp"
#include "sim/provenance/line_comments.hpp"
#include "sim/provenance/provenance.hpp"

namespace socsim {

struct ProvenanceInput {
  std::string root;  // "hw", "engine", "model", "policy": the first part of every path
  std::string file;  // where the document was read from; "" for a spec declared in code only
  const YAML::Node* doc = nullptr;                   // the document read, or nullptr
  const LineComments* comments = nullptr;            // its comments, or nullptr
  std::string absent_source = "default";             // source of an untagged value not in the doc
  std::string code_label;                            // locates errors of tags declared in code
  const std::vector<Override>* overrides = nullptr;  // `--set`s (any root; this one's are used)
};

// Appends the provenance of every numeric parameter of the spec visited by `body` to `out`, in
// declaration order. Malformed tags (and ranges that do not contain their value) are errors in
// `diags`, each once even when an anchor shares its line among several parameters.
void collect_provenance(const ProvenanceInput& in, const std::function<void(FieldVisitor&)>& body,
                        std::vector<ParameterProvenance>& out, Diagnostics& diags);

}  // namespace socsim
