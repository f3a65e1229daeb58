// Machine-readable and human-readable results of one run: the JSON document of `socsim run
// --json` (SI units, stable key order) and the text summary printed by default.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/driver/simulate.hpp"

namespace socsim {

nlohmann::ordered_json result_json(const LoadedRun& run, const RunOutput& out);
std::string result_summary(const LoadedRun& run, const RunOutput& out);

}  // namespace socsim
