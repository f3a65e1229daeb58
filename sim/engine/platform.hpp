// The simulated platform as the engine backends see it: compute units with core counts, the links
// between units and DRAM (a port per unit, a shared CPU-complex link, the shared DRAM bus) and the
// flash device. Built from a HwSpec by make_platform(); backends never read the profile itself.
#pragma once

#include <string>
#include <vector>

#include "sim/graph/task_graph.hpp"
#include "sim/hw/hw_spec.hpp"

namespace socsim {

enum class UnitType : uint8_t { kCpuCluster, kGpu, kNpu };

struct PlatformUnit {
  std::string name;  // "cpu.big", "gpu", "npu"
  UnitType type = UnitType::kCpuCluster;
  int cores = 1;                          // slots: CPU cores, or kernels at once for GPU/NPU
  double port_bandwidth = 0;              // B/s, the unit's own path to DRAM
  double idle_power = 0;                  // per core (CPU) or device, W
  double busy_power = 0;                  // per core (CPU) or device at the operating clock, W
  const ComputeUnitSpec* spec = nullptr;  // the profile entry (owned by the HwSpec)
};

struct PlatformSpec {
  std::vector<PlatformUnit> units;
  double cpu_bandwidth = 0;   // shared by all CPU clusters, B/s
  double dram_bandwidth = 0;  // shared by all units, B/s
  bool has_flash = false;
  const FlashSpec* flash = nullptr;  // the profile's flash (owned by the HwSpec)
  double flash_active_power = 0;
  double flash_idle_power = 0;
  double dram_energy_per_byte = 0;
  double dram_background_power = 0;
  double other_power = 0;
  int find(std::string_view name) const;  // -1 when absent
};

PlatformSpec make_platform(const HwSpec& hw);

}  // namespace socsim
