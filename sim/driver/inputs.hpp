// Loading one design point's inputs: a hardware profile and a model (shipped names or paths), a
// policy by name, the workload, and `--set` overrides for any of them. Everything is read and
// checked before anything is simulated; every problem found is reported at once (InputError).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/hw/engine_spec.hpp"
#include "sim/hw/hw_spec.hpp"
#include "sim/lower/workload.hpp"
#include "sim/model/model_spec.hpp"
#include "sim/policy/policy.hpp"
#include "sim/session/session_spec.hpp"

namespace socsim {

struct RunRequest {
  std::string hw = "redmi-k70-pro";
  std::string model = "qwen1.5-1.8b";
  std::string policy = "cpu";
  std::vector<std::string> sets;  // "hw.npu.clock=600MHz", "workload.prompt=512", ...
  // An app session (shipped name in experiments/sessions/ or a path); empty = one prompt.
  std::string session;
};

struct LoadedRun {
  std::unique_ptr<HwSpec> hw;  // stable address: the platform points into it; engine applied
  ModelSpec model;
  std::string policy_name;
  std::unique_ptr<Policy> policy;
  Workload workload;
  std::string hw_path, model_path;
  std::string engine_path;  // empty: the policy names no engine profile
  EngineSpec engine;
  std::string session_path;  // empty: no session
  SessionSpec session;
};

// Resolves a shipped name ("redmi-k70-pro") or a path to a file; reports unknown names with the
// closest shipped one, located at `option` (e.g. "--hw redmi").
std::string resolve_input(const std::string& name_or_path, const std::string& dir,
                          const std::string& option, Diagnostics& diags);
// Names of the shipped files in a data directory ("hwprofiles", "models", "hwprofiles/engines"),
// sorted.
std::vector<std::string> shipped_names(const std::string& dir);

class InputCache;
// With a cache, files are resolved and parsed once per process (input_cache.hpp); the result is
// the same either way.
LoadedRun load_run(const RunRequest& req, InputCache* cache = nullptr);

// The resolved configuration of a loaded run (every value after defaults and overrides) as YAML.
std::string resolved_config(LoadedRun& run);

// Applies the declared defaults of a policy's parameters (as if read from an empty mapping).
void apply_policy_defaults(Policy& p);

}  // namespace socsim
