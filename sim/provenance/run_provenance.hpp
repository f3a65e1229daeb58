// The provenance of a whole run, or of one input on its own. Collection is only done when asked
// (`describe --provenance`, `sensitivity`, `reproduce --bands`, tests), never by `socsim run`: it
// reads each input file again for its comments, and walks the specs as read plus the run's
// `--set`s (before derived values are filled in and before an engine profile scales the hardware
// tables), so every value is the one a `--set` of its path replaces.
#pragma once

#include <string>
#include <vector>

#include "sim/driver/inputs.hpp"
#include "sim/provenance/provenance.hpp"

namespace socsim {

// Every numeric parameter of a loaded run, in the order hw, engine, model, policy; `sets` are the
// run's `--set`s (workload ones are ignored: the workload is the question, not an assumption).
// Malformed tags are errors in `diags`.
std::vector<ParameterProvenance> run_provenance(const LoadedRun& run,
                                                const std::vector<std::string>& sets,
                                                Diagnostics& diags);

// Which kind of input a file is: "hw" (it has a `dram` section), "model" (a `layers` key, or a
// Hugging Face config.json) or "engine" (otherwise).
std::string input_root(const std::string& path, Diagnostics& diags);

// One input file on its own (`root` as input_root gives it), or a registered policy's defaults.
std::vector<ParameterProvenance> file_provenance(const std::string& root, const std::string& path,
                                                 Diagnostics& diags);
std::vector<ParameterProvenance> policy_provenance(const std::string& name, Diagnostics& diags);

}  // namespace socsim
