// The simulator's own energy accountant (SimGrid has no NPU, flash or DRAM-bytes energy). Over a
// time window it integrates, per compute unit, idle power on every core for the whole window plus
// (busy - idle) power for each core while it holds a running op; DRAM energy per byte moved plus
// background power; flash active power while any read is in service and idle power otherwise; and
// the constant power of the rest of the SoC. For CPU clusters this is the same load-linear model as
// SimGrid's host-energy plugin, which a test checks.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/cost/estimator.hpp"
#include "sim/engine/simulation.hpp"

namespace socsim {

struct EnergyBreakdown {
  std::vector<std::pair<std::string, double>>
      by_unit;  // "cpu.big", ..., "gpu", "npu", "dram", "flash", "other"
  double total = 0;
  double get(std::string_view name) const;
};

EnergyBreakdown account_energy(const TaskGraph& g, const std::vector<OpCost>& costs,
                               const std::vector<OpTiming>& timing, const PlatformSpec& p,
                               double t0, double t1);
// The same over several windows (t0, t1) in one pass over the ops and one sort of the flash reads;
// each result equals account_energy's for its window, bit for bit.
std::vector<EnergyBreakdown> account_energy(const TaskGraph& g, const std::vector<OpCost>& costs,
                                            const std::vector<OpTiming>& timing,
                                            const PlatformSpec& p,
                                            std::span<const std::pair<double, double>> windows);

}  // namespace socsim
