// What the sensitivity runner and the uncertainty bands start from: the run as asked, loaded and
// checked in this process (bad input is reported before anything runs), the provenance of every
// numeric parameter it depends on, its result (run once in a child process, like every variant),
// and the metrics to report, checked against the numeric keys of that result.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/driver/input_cache.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/engine/backend.hpp"
#include "sim/provenance/provenance.hpp"

namespace socsim {

struct BaseRun {
  RunRequest request;
  BackendKind backend = BackendKind::kSimGrid;
  InputCache cache;  // warm: the variants' children inherit it
  std::vector<ParameterProvenance> params;
  Diagnostics tag_problems;       // malformed provenance tags, as errors
  nlohmann::ordered_json result;  // flattened `socsim run --json` of the run as asked
  std::vector<std::string> metrics;
  std::vector<double> base;  // the metrics of `result`
  std::string label;         // "qwen1.5-1.8b on redmi-k70-pro, policy cpu (prompt 256, gen 32)"
};

// Loads and runs `request`. `metrics` empty: ttft_s, prefill_tokens_per_s, decode_tokens_per_s
// (when the run decodes, gen > 1) and energy_j. A metric that is not a numeric key of the result
// is an InputError listing the valid ones; a run that cannot happen is an InfeasibleError.
void prepare_base(const RunRequest& request, BackendKind backend,
                  const std::vector<std::string>& metrics, BaseRun& out);

}  // namespace socsim
