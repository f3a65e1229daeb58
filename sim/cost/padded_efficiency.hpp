// The efficiency a unit reaches on a problem of a given size, read from an efficiency table so that
// time never falls as the problem grows. A table's points come from microbenchmarks of other shapes
// (square GEMMs, fixed-width layers) and are interpolated log-linearly in size; between points
// whose efficiency rises faster than the size, that makes a larger problem finish sooner than a
// smaller one, which no tiled kernel does: its time is a non-decreasing step function of each
// dimension (tile quantisation), and an engine can always run the smaller problem padded to the
// larger one. So the efficiency at size x is the best of the table's value at x and of x / x' times
// the value at any larger size x' (time(x) = min over x' >= x of time(x'), with time proportional
// to size over efficiency).
#pragma once

#include <utility>
#include <vector>

namespace socsim {

// max(e(x), max over x' > x of e(x') * x / x'), with e the log-linear interpolation of `points`
// (sorted by size, sizes > 0) and `fallback` for an empty table. Beyond the last point the table's
// value is constant, so time grows there and only points up to the last one can be better.
double padded_efficiency(const std::vector<std::pair<double, double>>& points, double x,
                         double fallback);

}  // namespace socsim
