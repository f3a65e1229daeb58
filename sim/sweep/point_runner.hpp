// Running one design point of a sweep in the current process (a worker child): load its inputs
// through the worker's InputCache, simulate it, and turn the outcome into its result row. A point
// that cannot run is a row too: bad input (input_error), a run that cannot happen as asked
// (infeasible) or an internal error (error), each with its message; nothing a point does stops the
// sweep. The row's result is exactly `socsim run --json` of the same point, minus sim_wall_s.
#pragma once

#include <string>

#include "sim/driver/input_cache.hpp"
#include "sim/engine/simulation_memo.hpp"
#include "sim/sweep/result_row.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace socsim {

// With a memo, points whose simulations equal an earlier point's reuse its result
// (simulation_memo.hpp); rows are the same either way.
std::string run_point(const SweepPlan& plan, size_t point, InputCache& cache,
                      SimulationMemo* memo = nullptr);

// The outcome of running one request in this process: its status, why it did not run, and its
// flattened result (empty unless ok). Sweeps and the sensitivity runner share it.
struct PointOutcome {
  PointStatus status = PointStatus::kOk;
  std::string message;
  nlohmann::ordered_json result;
};
PointOutcome run_request_point(const RunRequest& req, BackendKind backend, InputCache& cache,
                               SimulationMemo* memo = nullptr);

// The row of a point whose worker process died while running it, twice.
std::string crashed_row(const SweepPlan& plan, size_t point, const std::string& why);

}  // namespace socsim
