// Numeric ranges of a sweep axis, written with their unit: `{from: 500MHz, to: 750MHz, step:
// 25MHz}` (inclusive arithmetic steps), `{from: 1GB/s, to: 9GB/s, count: 5}` (evenly spaced) or
// `{from: 32, to: 512, factor: 2}` (geometric). The values are produced as text in the unit of
// `from` ("525MHz"), so they reach the override parser exactly like hand-written values.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace socsim {

struct RangeSpec {
  std::string from, to;
  std::optional<std::string> step, factor;
  std::optional<long long> count;
};

struct RangeResult {
  std::vector<std::string> values;
  std::string error;  // non-empty: what is wrong (the values are then empty)
};

// At most `limit` values; more is an error.
RangeResult expand_range(const RangeSpec& r, size_t limit);

}  // namespace socsim
