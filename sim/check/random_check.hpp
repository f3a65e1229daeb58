// `socsim check --random N --seed S`: N random design points (random_points.hpp) that run,
// each checked against every run invariant (invariants.hpp: slots, dependencies, data flow,
// memory, energy >= idle power x time, critical path, DRAM and flash bandwidth bounds,
// utilisation <= 1, metrics), against metamorphic relations with variants of itself
// (metamorphic.hpp), and every `determinism_every`-th point for bit-identical results in a
// fresh `socsim run` process and in the sweep's point runner under -j 1 and -j 2. Points whose
// run cannot happen (the model does not fit a policy that cannot offload) are replaced by further
// draws, so N points run. Every run is a forked child of the sweep worker pool; the report is the
// same for any number of jobs. A relation broken under a dynamic scheduler is redone with the
// fixed-order one, to tell a scheduling anomaly from a fault (RelationOutcome::anomaly).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/check/metamorphic.hpp"
#include "sim/check/random_points.hpp"

namespace socsim::check {

struct RandomCheckRequest {
  RandomSpace space;
  size_t points = 100;
  uint64_t seed = 1;
  int jobs = 1;
  size_t relations_per_point = 2;
  size_t determinism_every = 20;  // 0: no determinism checks
  std::string socsim_exe;         // for the fresh-process runs; empty: that comparison is skipped
};

// One simulated run (a point or a variant).
struct RandomRun {
  std::string status = "ok";  // ok, infeasible, input_error, error, crashed
  std::string message;
  RunFigures figures;
  std::vector<std::string> violations;  // the broken invariants, one line each
  std::string result;                   // the flattened result, for determinism checks only
  bool ok() const { return status == "ok"; }
};

struct RelationOutcome {
  Relation relation = Relation::kDramBandwidth;
  std::string change;
  RunRequest request;  // the variant
  RandomRun run;
  std::string broken;  // empty: it held (or the variant could not run: see run.status)
  // A relation broken under a policy's dynamic scheduler that holds when both runs are redone
  // with the fixed-order `in-order` scheduler: list scheduling is not monotone (a faster op can
  // change which ready op a unit takes next), so this is a scheduling anomaly, reported but not
  // a violation. Empty otherwise.
  std::string anomaly;
};

struct RandomPointReport {
  RandomPoint point;
  RandomRun run;
  std::vector<RelationOutcome> relations;
  size_t variants_rejected = 0;  // variants whose inputs were invalid (e.g. a clock off bounds)
  std::vector<std::string> determinism;  // mismatches; empty when the same or not checked
  bool determinism_checked = false;
};

struct RandomCheckReport {
  RandomCheckRequest request;
  std::vector<RandomPointReport> points;  // the points that ran (or failed), by draw index
  size_t drawn = 0, infeasible = 0, redraws = 0;
  std::vector<std::string> infeasible_examples;  // the first few, with their reasons
  double wall_s = 0;

  size_t runs() const;                // runs that happened (points and variants)
  size_t invariant_failures() const;  // runs (points or variants) that broke an invariant
  size_t failed_runs() const;         // runs that threw or crashed
  size_t relation_failures() const;
  size_t relations_checked() const;
  size_t anomalies() const;
  size_t determinism_failures() const;
  size_t violations() const;  // the sum of the four above
  int exit_code() const;      // 0, or kExitCheckFailed (check.hpp)
};

RandomCheckReport run_random_check(const RandomCheckRequest& req);
std::string format_random_report(const RandomCheckReport& r);
nlohmann::ordered_json random_report_json(const RandomCheckReport& r);

}  // namespace socsim::check
