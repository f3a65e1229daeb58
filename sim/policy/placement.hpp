// Placements shared by policies: a whole device (GPU or NPU, one kernel slot), one core of a
// placement, and the CPU clusters an LLM engine runs on by default (every cluster of performance
// cores, all their cores, as llama.cpp and mllm-NPU use the big and mid cores of a phone).
#pragma once

#include <vector>

#include "sim/engine/platform.hpp"

namespace socsim {

// The unit named `name` ("gpu", "npu"), one slot. The unit must exist (policies check first).
Placement device_placement(const PlatformSpec& p, const char* name);
// The first unit of `p` with a single core.
Placement single_core(const Placement& p);
// Cores (threads) a placement occupies, over its units.
int cores_of(const Placement& p);
// Every core of the given CPU units (at most 3 are used).
Placement clusters_placement(const PlatformSpec& p, const std::vector<int>& units);
// Every CPU cluster not marked `efficiency_cores` (all of them when every one is).
Placement performance_cpu_placement(const PlatformSpec& p);
// The `n` fastest CPU cores (by best peak per core at the operating clock), fastest cluster first:
// what an engine's n threads get from the OS scheduler on an otherwise idle phone.
Placement fastest_cores(const PlatformSpec& p, int n);

}  // namespace socsim
