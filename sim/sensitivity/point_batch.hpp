// Running many variants of one design point (the same run with different `--set`s) for the
// sensitivity runner and the uncertainty bands: each variant is isolated like a sweep point, in
// the sweep's fork-per-batch worker pool (children inherit the warm input cache), and the
// results come back in request order whatever the number of jobs, so every report built on them
// is byte-identical for any -j.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/driver/input_cache.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/engine/backend.hpp"
#include "sim/sweep/result_row.hpp"

namespace socsim {

struct BatchPoint {
  PointStatus status = PointStatus::kOk;
  std::string message;          // why it did not run
  std::vector<double> metrics;  // in the order asked; NaN when absent or not a number
};

// Runs every request (jobs > 1: in parallel children) and returns the named flattened result
// keys of each (e.g. "ttft_s", "energy_j_by_unit.npu").
std::vector<BatchPoint> run_batch(const std::vector<RunRequest>& requests,
                                  const std::vector<std::string>& metrics, BackendKind backend,
                                  int jobs, InputCache& cache);

// Runs one request in a child process and returns its flattened result (`socsim run --json`
// without sim_wall_s). A run that cannot happen as asked throws InfeasibleError, bad input
// InputError (with its diagnostics), anything else std::runtime_error.
nlohmann::ordered_json run_one_isolated(const RunRequest& request, BackendKind backend,
                                        InputCache& cache);

// The numeric keys of a flattened result, in order.
std::vector<std::string> numeric_keys(const nlohmann::ordered_json& flat);

}  // namespace socsim
