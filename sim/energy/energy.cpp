// Energy accounting over a window; see energy.hpp.
#include "sim/energy/energy.hpp"

#include <algorithm>
#include <utility>

namespace socsim {

double EnergyBreakdown::get(std::string_view name) const {
  for (const auto& [n, e] : by_unit)
    if (n == name) return e;
  return 0;
}

static double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

EnergyBreakdown account_energy(const TaskGraph& g, const std::vector<OpCost>& costs,
                               const std::vector<OpTiming>& timing, const PlatformSpec& p,
                               double t0, double t1) {
  const std::pair<double, double> window{t0, t1};
  return std::move(account_energy(g, costs, timing, p, {&window, 1}).front());
}

std::vector<EnergyBreakdown> account_energy(const TaskGraph& g, const std::vector<OpCost>& costs,
                                            const std::vector<OpTiming>& timing,
                                            const PlatformSpec& p,
                                            std::span<const std::pair<double, double>> windows) {
  const size_t n = windows.size(), units = p.units.size();
  std::vector<double> busy_core_s(n * units, 0.0);  // window-major
  std::vector<double> dram_bytes(n, 0.0);
  std::vector<std::pair<double, double>> flash;  // (start, service time alone) of every read
  for (OpId i = 0; i < g.size(); ++i) {
    const OpTiming& t = timing[i];
    const Op& op = g.op(i);
    const OpCost& c = costs[i];
    const double span = t.end - t.start;
    for (size_t w = 0; w < n; ++w) {
      const auto [t0, t1] = windows[w];
      // A unit is busy from the end of the launch delay to completion (a flash read issued by a
      // core keeps that core busy).
      for (uint8_t k = 0; k < op.place.count; ++k)
        busy_core_s[w * units + op.place.unit[k]] +=
            op.place.cores[k] * overlap(t.start, t.end, t0, t1);
      if (span > 0)
        dram_bytes[w] += c.actual_bytes * overlap(t.start, t.end, t0, t1) / span;
      else if (t.end >= t0 && t.end <= t1)
        dram_bytes[w] += c.actual_bytes;
    }
    if (c.flash_service_s > 0) flash.emplace_back(t.start, c.flash_service_s);
  }
  // Concurrent reads share the device (SimGrid backend), which is work-conserving: a read issued
  // while it is busy extends the busy period by its own service time, so the busy periods are
  // those of a FIFO queue, not the union of the reads' lone intervals.
  if (p.has_flash) std::sort(flash.begin(), flash.end());
  std::vector<EnergyBreakdown> out(n);
  for (size_t w = 0; w < n; ++w) {
    const auto [t0, t1] = windows[w];
    const double window = std::max(0.0, t1 - t0);
    EnergyBreakdown& e = out[w];
    for (size_t u = 0; u < units; ++u) {
      const PlatformUnit& pu = p.units[u];
      e.by_unit.emplace_back(pu.name,
                             pu.idle_power * pu.cores * window +
                                 (pu.busy_power - pu.idle_power) * busy_core_s[w * units + u]);
    }
    e.by_unit.emplace_back(
        "dram", p.dram_energy_per_byte * dram_bytes[w] + p.dram_background_power * window);
    if (p.has_flash) {
      double active = 0, cur0 = 0, cur1 = -1;
      for (auto [a, s] : flash) {
        if (a > cur1) {
          active += overlap(cur0, cur1, t0, t1);
          cur0 = a, cur1 = a + s;
        } else {
          cur1 += s;
        }
      }
      active += overlap(cur0, cur1, t0, t1);
      e.by_unit.emplace_back(
          "flash", p.flash_active_power * active + p.flash_idle_power * (window - active));
    }
    e.by_unit.emplace_back("other", p.other_power * window);
    for (const auto& [name, v] : e.by_unit) e.total += v;
  }
  return out;
}

}  // namespace socsim
