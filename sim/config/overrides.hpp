// `--set PATH=VALUE` overrides. Each override names a declared field by its dotted path under a
// root ("hw.npu.clock", "model.layers", "policy.threads") and is applied to the already-loaded spec
// by walking the same visit() functions the YAML reader uses, so a value is parsed with its unit
// and checked against its bounds exactly as if it had been written in the file. A path that names
// no field is an error with the closest valid path.
#pragma once

#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"

namespace socsim {

struct Override {
  std::string root;   // "hw", "model", "policy", "workload", "engine"
  std::string path;   // path below the root, e.g. "npu.clock"
  std::string value;  // text as typed; may be YAML flow syntax for lists
  bool used = false;
  std::string spelled() const { return root + "." + path + "=" + value; }
};

// Splits "hw.npu.clock=600MHz"; reports malformed text.
std::optional<Override> parse_override(const std::string& text, Diagnostics& diags);

// Applies every override whose root is `root` to the spec visited by `body`. Overrides that match
// no field are reported, with the closest path as a hint.
void apply_overrides(const std::string& root, std::vector<Override>& overrides,
                     const std::function<void(FieldVisitor&)>& body, Diagnostics& diags);

// Reports overrides whose root is none of `roots` (e.g. "hww.npu.clock").
void check_override_roots(const std::vector<Override>& overrides,
                          const std::vector<std::string>& roots, Diagnostics& diags);

}  // namespace socsim
