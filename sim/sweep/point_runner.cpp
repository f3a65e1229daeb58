// One sweep point in-process; see point_runner.hpp.
#include "sim/sweep/point_runner.hpp"

#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"
#include "sim/session/session_report.hpp"

namespace socsim {
namespace {

// Diagnostics on one line: "loc: error: a; loc: error: b".
std::string one_line(const Diagnostics& d) {
  std::string s;
  for (const Diagnostic& x : d.all()) s += (s.empty() ? "" : "; ") + x.to_string();
  return s;
}

}  // namespace

PointOutcome run_request_point(const RunRequest& req, BackendKind backend, InputCache& cache,
                               SimulationMemo* memo) {
  try {
    LoadedRun run = load_run(req, &cache);
    if (runs_as_session(run)) {
      prepare_session(run);
      const SessionResult r = simulate_session(run, run.session, {false, backend});
      return {PointStatus::kOk, "", flatten_result(session_json(run, r, false))};
    }
    const std::unique_ptr<RunOutput> out = simulate(run, backend, memo);
    return {PointStatus::kOk, "", flatten_result(result_json(run, *out))};
  } catch (const InputError& e) {
    return {PointStatus::kInputError, one_line(e.diagnostics()), {}};
  } catch (const InfeasibleError& e) {
    return {PointStatus::kInfeasible, e.what(), {}};
  } catch (const std::exception& e) {
    return {PointStatus::kError, e.what(), {}};
  }
}

std::string run_point(const SweepPlan& plan, size_t point, InputCache& cache,
                      SimulationMemo* memo) {
  const PointOutcome o = run_request_point(plan.request(point), plan.backend(point), cache, memo);
  return row_line(plan, point, o.status, o.message, o.result);
}

std::string crashed_row(const SweepPlan& plan, size_t point, const std::string& why) {
  return row_line(plan, point, PointStatus::kCrashed, why, {});
}

}  // namespace socsim
