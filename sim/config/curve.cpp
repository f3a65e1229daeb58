// Piecewise interpolation of the tables in profiles (efficiency over size, bandwidth over request
// size); declared in schema.hpp.
#include <cmath>

#include "sim/config/schema.hpp"

namespace socsim {

double interpolate_curve(const std::vector<std::pair<double, double>>& pts, double x,
                         double fallback) {
  if (pts.empty()) return fallback;
  if (x <= pts.front().first) return pts.front().second;
  if (x >= pts.back().first) return pts.back().second;
  for (size_t i = 1; i < pts.size(); ++i) {
    if (x > pts[i].first) continue;
    auto [x0, y0] = pts[i - 1];
    auto [x1, y1] = pts[i];
    double t =
        (x0 > 0 && x1 > 0 && x > 0) ? std::log(x / x0) / std::log(x1 / x0) : (x - x0) / (x1 - x0);
    return y0 + t * (y1 - y0);
  }
  return pts.back().second;
}

}  // namespace socsim
