// The design points of a sweep, in a fixed order: the cartesian product of the product axes and
// zip groups (the first product axis varies slowest, each zip group is one dimension after them),
// then the explicit points, and every one of those repeated for each seed (the innermost
// dimension). Point i is always the same run, so results can be resumed, sharded and merged by
// index. Each point has a value (text as written) or none (the base run's) for every column, and
// becomes a RunRequest exactly as `socsim run --hw --model --policy --set ...` would build it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/driver/inputs.hpp"
#include "sim/engine/backend.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace socsim {

class SweepPlan {
 public:
  // Enumerates the points; throws InputError if there would be more than 2^31.
  explicit SweepPlan(SweepSpec spec);

  const SweepSpec& spec() const { return spec_; }
  size_t size() const { return size_; }
  // Axis paths in column order: product axes, zip groups, explicit points' new paths, seeds.
  const std::vector<std::string>& columns() const { return columns_; }
  // The value of column c at a point, or nullptr when the point keeps the base run's value.
  const SweepValue* value(size_t point, size_t column) const;
  // The run of a point: the base with the point's inputs and `--set`s (axis values after the
  // base's sets, so they win).
  RunRequest request(size_t point) const;
  BackendKind backend(size_t point) const;
  // Canonical text of everything that decides the results (name, base, columns and every point's
  // values) and its 64-bit FNV-1a hash in hex: two sweeps with one hash run the same points.
  std::string definition() const;
  std::string hash() const;
  // Lines added to the definition (so to the hash) that name what else decides the results: the
  // simulator build and the content of every input file (see sweep_environment).
  void set_environment(std::string lines);

 private:
  struct Source {  // where a column's value comes from
    int kind = 0;  // 0 product axis, 1 zip group, 2 explicit point, 3 seeds
    size_t index = 0, member = 0;
  };
  void add_column(const std::string& path, Source src);

  SweepSpec spec_;
  std::vector<std::string> columns_;
  std::vector<Source> sources_;  // per column
  std::vector<size_t> dims_;     // lengths of the product dimensions
  size_t product_points_ = 0, per_seed_ = 0, seeds_ = 1, size_ = 0;
  std::vector<SweepValue> seed_values_;
  std::string environment_;
  mutable std::string hash_;  // computed once
};

// 64-bit FNV-1a of `text`, and as 16 hex digits (the sweep's identity hashes).
uint64_t fnv1a64(std::string_view text);
std::string fnv1a_hex(std::string_view text);

// Compresses sorted point indexes into "0-4, 9, 12-13" (at most `max_items` runs, then "...").
std::string index_ranges(const std::vector<size_t>& sorted, size_t max_items = 12);

}  // namespace socsim
