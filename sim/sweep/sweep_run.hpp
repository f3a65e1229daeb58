// `socsim sweep`: reads a sweep file, enumerates its points (or one shard of them), checks every
// value up front, opens (or resumes) the output directory, runs the points not yet done in the
// fork-per-batch worker pool with progress on stderr, and finally writes the results sorted by
// point. Run the same command again after an interruption to finish the rest.
#pragma once

#include <map>
#include <string>

#include "sim/sweep/sweep_dir.hpp"

namespace socsim {

struct SweepOptions {
  std::string file, out;
  int jobs = 1;
  size_t batch = 2000;
  double point_timeout_s = 0;  // a point running longer has its worker killed; 0: no limit
  ShardSpec shard;
  bool restart = false, quiet = false;
};

struct SweepSummary {
  std::string name;
  size_t points = 0;   // in this shard
  size_t resumed = 0;  // already done when the run started
  size_t ran = 0;      // run now
  std::map<std::string, size_t> by_status;
  double seconds = 0;
};

SweepSummary run_sweep(const SweepOptions& o);

// "1408 points: 1400 ok, 8 infeasible".
std::string status_counts_text(size_t points, const std::map<std::string, size_t>& by_status);

}  // namespace socsim
