// Platform derivation from a hardware profile; see platform.hpp.
#include "sim/engine/platform.hpp"

namespace socsim {

int PlatformSpec::find(std::string_view name) const {
  for (size_t i = 0; i < units.size(); ++i)
    if (units[i].name == name) return static_cast<int>(i);
  return -1;
}

static PlatformUnit unit_of(std::string name, UnitType type, const ComputeUnitSpec& u) {
  PlatformUnit p;
  p.name = std::move(name);
  p.type = type;
  p.cores = static_cast<int>(type == UnitType::kCpuCluster ? u.cores : u.concurrency);
  p.port_bandwidth = u.port_bandwidth;
  p.idle_power = u.idle_power;
  p.busy_power = u.busy_power();
  p.spec = &u;
  return p;
}

PlatformSpec make_platform(const HwSpec& hw) {
  PlatformSpec p;
  for (const auto& [name, c] : hw.cpu)
    p.units.push_back(unit_of("cpu." + name, UnitType::kCpuCluster, c));
  if (hw.has_gpu) p.units.push_back(unit_of("gpu", UnitType::kGpu, hw.gpu));
  if (hw.has_npu) p.units.push_back(unit_of("npu", UnitType::kNpu, hw.npu));
  p.cpu_bandwidth = hw.dram.cpu_bandwidth;
  p.dram_bandwidth = hw.dram.bandwidth;
  p.has_flash = hw.has_flash;
  p.flash = hw.has_flash ? &hw.flash : nullptr;
  p.flash_active_power = hw.flash.active_power;
  p.flash_idle_power = hw.flash.idle_power;
  p.dram_energy_per_byte = hw.dram.energy_per_byte;
  p.dram_background_power = hw.dram.background_power;
  p.other_power = hw.other_power;
  return p;
}

}  // namespace socsim
