// The DRAM path of each compute unit, shared by both backends so that they agree exactly: an op on
// CPU clusters sends its bytes through each cluster's port, the shared CPU-complex link and the
// DRAM bus; a GPU or NPU op through its port and the DRAM bus. Bytes are split across the op's
// cores in proportion (every core moves an equal share).
#pragma once

#include <vector>

#include "sim/cost/estimator.hpp"
#include "sim/engine/backend.hpp"

namespace socsim {

// Link indices: one port per unit (0..units-1), then the CPU complex, then the DRAM bus.
struct LinkLayout {
  explicit LinkLayout(const PlatformSpec& p);
  size_t port(UnitId u) const { return u; }
  size_t cpu_link() const { return units; }
  size_t bus() const { return units + 1; }
  size_t count() const { return units + 2; }
  double bandwidth(size_t link) const { return bw[link]; }
  size_t units;
  std::vector<double> bw;
  std::vector<bool> is_cpu;
  // A link whose traffic is always part of a link at most as fast (a port at least as fast as the
  // CPU-complex link or the bus behind it) can never be the bottleneck under max-min sharing: its
  // load never exceeds the other's. Such links get no bytes, which changes no result and saves
  // the backend a resource per op.
  std::vector<bool> redundant;
};

// Bytes the op puts on every link (size count()).
void bytes_per_link(const LinkLayout& links, const LaunchDesc& d, std::vector<double>& out);

// Time of the op's main work (after delay and flash) when it runs alone.
double lone_work_time(const LinkLayout& links, const LaunchDesc& d, std::vector<double>& scratch);

// Whole time of an op alone on `place` with cost `c`: delay, flash service and main work. This is
// the duration schedulers see; planners use it to compare placements before lowering.
double lone_op_seconds(const LinkLayout& links, const Placement& place, const OpCost& c,
                       std::vector<double>& scratch);

}  // namespace socsim
