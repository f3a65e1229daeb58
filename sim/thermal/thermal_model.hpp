// The thermal RC network of thermal_spec.hpp, integrated over simulation steps at constant power,
// and the step-wise governor that turns its temperatures into clock caps on the profile's DVFS
// states. Both are driven by the session simulator between steps (sim/session/).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sim/hw/hw_spec.hpp"

namespace socsim {

class ThermalModel {
 public:
  // One heat-source node per unit (in the order of `units`); every node starts at ambient.
  ThermalModel(const ThermalSpec& spec, size_t units);
  // Advances `dt` seconds with each unit drawing unit_power[i] and the package `package_power`
  // (DRAM, flash, the rest of the SoC): backward Euler in sub-steps of at most a fifth of the
  // fastest time constant (stable for any step, accurate to a few percent of each transient).
  void advance(double dt, std::span<const double> unit_power, double package_power);
  double unit(size_t i) const { return t_[i]; }
  double package() const { return t_[n_]; }
  double skin() const { return t_[n_ + 1]; }
  double hottest_unit() const;

 private:
  void substep(double h, std::span<const double> unit_power, double package_power);
  const ThermalSpec& s_;
  size_t n_;
  std::vector<double> t_;        // units, package, skin (C)
  std::vector<double> scratch_;  // per-unit terms of a substep, kept to avoid an allocation each
};

// The compute units a governor caps: every CPU cluster, the GPU and the NPU of a profile, with
// their DVFS clocks up to the profile's operating clock.
struct ThrottledUnit {
  std::string name;  // "cpu.big", "gpu", "npu" (energy accounting names)
  ComputeUnitSpec* spec = nullptr;
  std::vector<double> clocks;  // ascending; the last is the unthrottled clock
  size_t level = 0;            // index into clocks
  size_t skin_steps = 0;       // states below the top the skin trip asks for
  size_t junction_steps = 0;   // states below the top this unit's own junction trip asks for
};

class ThermalGovernor {
 public:
  explicit ThermalGovernor(HwSpec& hw);
  std::vector<ThrottledUnit>& units() { return units_; }
  const std::vector<ThrottledUnit>& units() const { return units_; }
  // Moves each trip's cap one DVFS state from the temperatures, as Linux's step_wise governor
  // does per trip: the skin trip (shared by every unit) and each unit's junction trip rise one
  // state while at or above their limit, fall one state once below the limit less the
  // hysteresis, and hold in between; a unit runs at the lower of its two caps. Writes the clocks
  // into the profile; true when any unit runs below its top clock.
  bool update(const ThermalSpec& spec, const ThermalModel& m);
  bool throttled() const;

 private:
  std::vector<ThrottledUnit> units_;
};

}  // namespace socsim
