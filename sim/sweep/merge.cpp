// Merging shard outputs; see merge.hpp.
#include "sim/sweep/merge.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sim/sweep/result_row.hpp"
#include "sim/sweep/sweep_dir.hpp"

namespace socsim {
namespace fs = std::filesystem;

MergeSummary merge_shards(const std::string& out, const std::vector<std::string>& dirs) {
  Diagnostics d;
  std::vector<Manifest> manifests;
  for (const std::string& dir : dirs) {
    std::optional<Manifest> m = read_manifest(dir);
    if (!m)
      d.error({dir}, "not a sweep output directory (no sweep.json)");
    else
      manifests.push_back(*m);
  }
  d.throw_if_errors();
  const Manifest& first = manifests.front();
  for (size_t i = 1; i < dirs.size(); ++i)
    if (manifests[i].hash != first.hash)
      d.error({dirs[i]}, fmt::format("is a shard of another sweep ('{}', {} points, definition {}) "
                                     "than {} ('{}', {} points, definition {})",
                                     manifests[i].name, manifests[i].points, manifests[i].hash,
                                     dirs[0], first.name, first.points, first.hash));
  d.throw_if_errors();

  // Rows by point, and where each came from.
  std::vector<std::string> texts(dirs.size());
  std::vector<int> owner(first.points, -1);
  std::vector<std::pair<size_t, std::string_view>> rows;
  for (size_t i = 0; i < dirs.size(); ++i) {
    const fs::path path = fs::path(dirs[i]) / "results.jsonl";
    texts[i] = fs::exists(path) ? read_file(path.string()) : std::string();
    std::vector<size_t> overlap;
    size_t other = 0;
    for (size_t pos = 0; pos < texts[i].size();) {
      const size_t nl = texts[i].find('\n', pos);
      if (nl == std::string::npos) break;  // a partial last row: that point is missing
      const std::string_view line(texts[i].data() + pos, nl - pos);
      pos = nl + 1;
      const std::optional<RowCells> r = parse_row(line, first.axes);
      if (!r || r->point >= first.points) {
        d.error({path.string()}, fmt::format("line '{:.60}' is not a row of this sweep", line));
        continue;
      }
      if (owner[r->point] >= 0) {
        overlap.push_back(r->point);
        other = static_cast<size_t>(owner[r->point]);
        continue;
      }
      owner[r->point] = static_cast<int>(i);
      rows.emplace_back(r->point, line);
    }
    if (!overlap.empty())
      d.error({dirs[i]}, fmt::format("overlaps {}: {} point(s) are in both ({})", dirs[other],
                                     overlap.size(), index_ranges(overlap)));
  }
  d.throw_if_errors();

  std::vector<size_t> missing;
  for (size_t p = 0; p < first.points; ++p)
    if (owner[p] < 0) missing.push_back(p);
  if (!missing.empty()) {
    std::string where;
    for (size_t i = 0; i < dirs.size(); ++i) {
      size_t lacking = 0;
      const ShardSpec& s = manifests[i].shard;
      for (size_t p : missing) lacking += s.holds(p) ? 1 : 0;
      if (lacking > 0)
        where += fmt::format(
            "; {} (shard {}/{}) is incomplete: {} of its {} points missing (run "
            "it again to finish it)",
            dirs[i], s.index, s.count, lacking, s.size_of(first.points));
    }
    const size_t count = first.shard.count;
    for (size_t k = 1; k <= count; ++k) {
      bool given = false;
      for (const Manifest& m : manifests)
        given = given || (m.shard.count == count && m.shard.index == k);
      if (!given) where += fmt::format("; no shard {}/{} was given", k, count);
    }
    d.error({out}, fmt::format("cannot merge: {} of {} points missing ({}){}", missing.size(),
                               first.points, index_ranges(missing), where));
  }
  if (std::optional<Manifest> existing = read_manifest(out);
      existing && existing->hash != first.hash)
    d.error({out}, fmt::format("holds another sweep ('{}', definition {}); choose another output "
                               "directory",
                               existing->name, existing->hash));
  d.throw_if_errors();

  write_definition_files(out, first.unsharded_text,
                         read_file((fs::path(dirs[0]) / "definition.txt").string()),
                         read_file((fs::path(dirs[0]) / "sweep.yaml").string()));
  MergeSummary s{first.name, first.points, write_sorted_results(out, first.axes, rows)};
  return s;
}

}  // namespace socsim
