// The output directory of a sweep (or of one shard of it) and its files:
//   sweep.json      manifest: name, definition hash, point count, axes, base run, shard if any
//   definition.txt  the resolved definition (every point's values) the hash is computed from
//   sweep.yaml      a copy of the sweep file
//   results.jsonl   one row per finished point (result_row.hpp)
//   results.csv     the same rows as a table
// Every file but results.jsonl is written to a temporary file that is renamed into place, so a
// reader, or a sweep killed at any moment, sees a whole file, old or new. results.jsonl grows by
// whole rows while a sweep runs and is rewritten sorted by point (likewise renamed) at the end.
// A shard `I/N` holds the points whose index modulo N is I-1 (round robin, so slow and fast
// regions of the sweep spread over the shards).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace socsim {

struct ShardSpec {
  size_t index = 1, count = 1;  // 1-based; 1/1 is the whole sweep
  bool holds(size_t point) const { return point % count == index - 1; }
  size_t size_of(size_t points) const {  // points of a sweep of `points` in this shard
    return points / count + (points % count > index - 1 ? 1 : 0);
  }
};
// Parses "I/N" (1 <= I <= N); InputError located at `option`.
ShardSpec parse_shard(const std::string& text, const std::string& option);

// The manifest text (pretty JSON with a final newline); a pure function of the plan and shard.
std::string manifest_text(const SweepPlan& plan, const ShardSpec& shard);

struct Manifest {
  std::string name, hash;
  size_t points = 0;
  std::vector<std::string> axes;
  ShardSpec shard;
  std::string unsharded_text;  // the manifest with the shard removed (as the whole sweep writes it)
};
// nullopt when DIR has no sweep.json; an unreadable one is an InputError.
std::optional<Manifest> read_manifest(const std::string& dir);

std::string read_file(const std::string& path);  // throws InputError if it cannot be read
void write_file_atomic(const std::string& path, std::string_view data);
// The same with the file's text in pieces, written in order without joining them first.
void write_file_atomic(const std::string& path, std::span<const std::string_view> pieces);
// Writes the manifest, definition.txt and the sweep file copy into DIR (created if needed).
void write_definition_files(const std::string& dir, const std::string& manifest,
                            const std::string& definition, const std::string& sweep_file_text);

// Writes DIR/results.jsonl and DIR/results.csv from rows given in any order, one per point,
// sorted by point; returns the number of rows by status.
std::map<std::string, size_t> write_sorted_results(
    const std::string& dir, const std::vector<std::string>& axes,
    std::vector<std::pair<size_t, std::string_view>> rows);

}  // namespace socsim
