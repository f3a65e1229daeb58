// Shared placements; see placement.hpp.
#include "sim/policy/placement.hpp"

#include <algorithm>
#include <cmath>

namespace socsim {

Placement device_placement(const PlatformSpec& p, const char* name) {
  Placement pl;
  pl.count = 1;
  pl.unit[0] = static_cast<UnitId>(p.find(name));
  pl.cores[0] = 1;
  return pl;
}

Placement single_core(const Placement& p) {
  Placement one = p;
  one.count = 1;
  one.cores[0] = 1;
  return one;
}

int cores_of(const Placement& p) {
  int n = 0;
  for (uint8_t i = 0; i < p.count; ++i) n += p.cores[i];
  return n;
}

Placement clusters_placement(const PlatformSpec& p, const std::vector<int>& units) {
  Placement pl;
  for (int u : units) {
    if (pl.count == 3) break;
    pl.unit[pl.count] = static_cast<UnitId>(u);
    pl.cores[pl.count] = static_cast<uint8_t>(p.units[static_cast<size_t>(u)].cores);
    ++pl.count;
  }
  return pl;
}

static double per_core(const PlatformUnit& u) {
  double best = 0;
  for (double v : u.spec->peak.by_dtype)
    if (!std::isnan(v)) best = std::max(best, v * u.spec->clock / u.spec->rated_clock);
  return best;
}

Placement performance_cpu_placement(const PlatformSpec& p) {
  std::vector<int> performance, all;
  for (size_t u = 0; u < p.units.size(); ++u) {
    if (p.units[u].type != UnitType::kCpuCluster) continue;
    all.push_back(static_cast<int>(u));
    if (!p.units[u].spec->efficiency_cores) performance.push_back(static_cast<int>(u));
  }
  return clusters_placement(p, performance.empty() ? all : performance);
}

Placement fastest_cores(const PlatformSpec& p, int n) {
  std::vector<size_t> cpus;
  for (size_t u = 0; u < p.units.size(); ++u)
    if (p.units[u].type == UnitType::kCpuCluster) cpus.push_back(u);
  std::stable_sort(cpus.begin(), cpus.end(),
                   [&](size_t a, size_t b) { return per_core(p.units[a]) > per_core(p.units[b]); });
  Placement pl;
  for (size_t u : cpus) {
    if (n <= 0 || pl.count == 3) break;
    const int take = std::min(n, p.units[u].cores);
    pl.unit[pl.count] = static_cast<UnitId>(u);
    pl.cores[pl.count] = static_cast<uint8_t>(take);
    ++pl.count;
    n -= take;
  }
  return pl;
}

}  // namespace socsim
