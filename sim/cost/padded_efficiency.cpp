// See padded_efficiency.hpp. On a segment [x0, x1] with e linear in log x, d(x / e)/dx has the
// sign of e(x) - c with c = (e1 - e0) / ln(x1 / x0): time falls while e < c and rises after, so
// its minimum over x' >= x lies at x itself, at the segment's interior point where e = c, or at a
// later segment's minimum.
#include "sim/cost/padded_efficiency.hpp"

#include <algorithm>
#include <cmath>

#include "sim/config/schema.hpp"

namespace socsim {

double padded_efficiency(const std::vector<std::pair<double, double>>& points, double x,
                         double fallback) {
  const double at_x = interpolate_curve(points, x, fallback);
  if (points.size() < 2 || !(x > 0) || x >= points.back().first) return at_x;
  double best_per_size = 0;  // max of e(x') / x' over x' > x
  for (size_t i = 1; i < points.size(); ++i) {
    const auto [x0, e0] = points[i - 1];
    const auto [x1, e1] = points[i];
    if (x1 <= x) continue;
    best_per_size = std::max(best_per_size, e1 / x1);
    if (!(e1 > e0) || !(x0 > 0)) continue;
    const double span = std::log(x1 / x0);
    const double c = (e1 - e0) / span;
    if (c <= e0 || c >= e1) continue;
    const double x_min = x0 * std::exp((c - e0) / (e1 - e0) * span);
    if (x_min > x) best_per_size = std::max(best_per_size, c / x_min);
  }
  return std::max(at_x, x * best_per_size);
}

}  // namespace socsim
