// Thermal RC network and step-wise governor; see thermal_model.hpp.
#include "sim/thermal/thermal_model.hpp"

#include <algorithm>
#include <cmath>

namespace socsim {

ThermalModel::ThermalModel(const ThermalSpec& spec, size_t units)
    : s_(spec), n_(units), t_(units + 2, spec.ambient) {}

double ThermalModel::hottest_unit() const {
  double h = package();
  for (size_t i = 0; i < n_; ++i) h = std::max(h, t_[i]);
  return h;
}

void ThermalModel::advance(double dt, std::span<const double> unit_power, double package_power) {
  if (!(dt > 0)) return;
  const double fastest = std::min({s_.source_resistance * s_.source_capacity,
                                   s_.package_skin_resistance * s_.package_capacity,
                                   s_.skin_ambient_resistance * s_.skin_capacity});
  const double max_h = fastest / 5;
  const auto steps = static_cast<int64_t>(std::ceil(dt / max_h));
  const double h = dt / static_cast<double>(steps);
  for (int64_t k = 0; k < steps; ++k) substep(h, unit_power, package_power);
}

// Backward Euler on the star network: every unit node couples only to the package node, so the
// linear system reduces to one equation for the package and the skin (eliminated in closed form).
void ThermalModel::substep(double h, std::span<const double> up, double pp) {
  const double gs = 1 / s_.source_resistance, gp = 1 / s_.package_skin_resistance,
               ga = 1 / s_.skin_ambient_resistance;
  const double cs = s_.source_capacity / h, cp = s_.package_capacity / h, ck = s_.skin_capacity / h;
  // Unit i: (cs + gs) Ti' = cs Ti + Pi + gs Tp'  ->  Ti' = a_i + b Tp'
  const double b = gs / (cs + gs);
  double sum_a = 0;
  std::vector<double>& a = scratch_;
  a.resize(n_);
  for (size_t i = 0; i < n_; ++i) {
    a[i] = (cs * t_[i] + up[i]) / (cs + gs);
    sum_a += a[i];
  }
  // Skin: (ck + gp + ga) Tk' = ck Tk + ga Ta + gp Tp'  ->  Tk' = c + d Tp'
  const double c = (ck * t_[n_ + 1] + ga * s_.ambient) / (ck + gp + ga), d = gp / (ck + gp + ga);
  // Package: (cp + n gs + gp) Tp' = cp Tp + pp + gs sum(Ti') + gp Tk'
  const double n = static_cast<double>(n_);
  const double tp =
      (cp * t_[n_] + pp + gs * sum_a + gp * c) / (cp + n * gs + gp - gs * n * b - gp * d);
  for (size_t i = 0; i < n_; ++i) t_[i] = a[i] + b * tp;
  t_[n_] = tp;
  t_[n_ + 1] = c + d * tp;
}

static ThrottledUnit throttled_unit(std::string name, ComputeUnitSpec& u) {
  ThrottledUnit t;
  t.name = std::move(name);
  t.spec = &u;
  for (const DvfsState& s : u.dvfs)
    if (s.clock < u.clock) t.clocks.push_back(s.clock);
  t.clocks.push_back(u.clock);
  t.level = t.clocks.size() - 1;
  return t;
}

ThermalGovernor::ThermalGovernor(HwSpec& hw) {
  for (auto& [name, u] : hw.cpu) units_.push_back(throttled_unit("cpu." + name, u));
  if (hw.has_gpu) units_.push_back(throttled_unit("gpu", hw.gpu));
  if (hw.has_npu) units_.push_back(throttled_unit("npu", hw.npu));
}

// One step of a trip's cap: up at or above the limit, down below limit - hysteresis, else hold.
static size_t step_trip(size_t steps, double temp, double limit, double hysteresis, size_t most) {
  if (temp >= limit) return std::min(steps + 1, most);
  if (temp < limit - hysteresis && steps > 0) return steps - 1;
  return steps;
}

bool ThermalGovernor::update(const ThermalSpec& spec, const ThermalModel& m) {
  for (size_t i = 0; i < units_.size(); ++i) {
    ThrottledUnit& u = units_[i];
    const size_t most = u.clocks.size() - 1;
    u.skin_steps = step_trip(u.skin_steps, m.skin(), spec.skin_limit, spec.hysteresis, most);
    u.junction_steps =
        step_trip(u.junction_steps, m.unit(i), spec.junction_limit, spec.hysteresis, most);
    u.level = most - std::max(u.skin_steps, u.junction_steps);
    u.spec->clock = u.clocks[u.level];
  }
  return throttled();
}

bool ThermalGovernor::throttled() const {
  for (const ThrottledUnit& u : units_)
    if (u.level + 1 < u.clocks.size()) return true;
  return false;
}

}  // namespace socsim
