// `socsim merge OUT SHARD_DIR...`: joins the output directories of a sweep's shards (each run
// with --shard I/N, e.g. as a Slurm job array) into one directory byte-for-byte identical to the
// output of the unsharded sweep (results.jsonl, results.csv, sweep.json, definition.txt,
// sweep.yaml). It refuses, naming the directories and points concerned, shards of different
// sweeps, shards that overlap (a point in two of them) and incomplete sets (points missing:
// which, and which shard should have held them).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace socsim {

struct MergeSummary {
  std::string name;
  size_t points = 0;
  std::map<std::string, size_t> by_status;
};

MergeSummary merge_shards(const std::string& out, const std::vector<std::string>& shard_dirs);

}  // namespace socsim
