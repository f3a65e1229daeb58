// DRAM path layout shared by the backends; see link_model.hpp.
#include "sim/engine/link_model.hpp"

#include <algorithm>

namespace socsim {

LinkLayout::LinkLayout(const PlatformSpec& p) : units(p.units.size()) {
  for (const PlatformUnit& u : p.units) {
    bw.push_back(u.port_bandwidth);
    is_cpu.push_back(u.type == UnitType::kCpuCluster);
  }
  bw.push_back(p.cpu_bandwidth);
  bw.push_back(p.dram_bandwidth);
  redundant.assign(count(), false);
  for (size_t u = 0; u < units; ++u)
    redundant[u] = bw[u] >= (is_cpu[u] ? std::min(bw[cpu_link()], bw[bus()]) : bw[bus()]);
  redundant[cpu_link()] = bw[cpu_link()] >= bw[bus()];
}

void bytes_per_link(const LinkLayout& links, const LaunchDesc& d, std::vector<double>& out) {
  out.assign(links.count(), 0.0);
  int total_cores = 0;
  for (uint8_t i = 0; i < d.place.count; ++i) total_cores += d.place.cores[i];
  if (total_cores == 0 || d.dram_bytes == 0) return;
  for (uint8_t i = 0; i < d.place.count; ++i) {
    const double b = d.dram_bytes * d.place.cores[i] / total_cores;
    out[links.port(d.place.unit[i])] += b;
    if (links.is_cpu[d.place.unit[i]]) out[links.cpu_link()] += b;
    out[links.bus()] += b;
  }
  for (size_t l = 0; l < out.size(); ++l)
    if (links.redundant[l]) out[l] = 0;
}

double lone_work_time(const LinkLayout& links, const LaunchDesc& d, std::vector<double>& scratch) {
  bytes_per_link(links, d, scratch);
  double t = d.compute_s;
  for (size_t l = 0; l < links.count(); ++l)
    if (scratch[l] > 0) t = std::max(t, scratch[l] / links.bandwidth(l));
  return t;
}

double lone_op_seconds(const LinkLayout& links, const Placement& place, const OpCost& c,
                       std::vector<double>& scratch) {
  LaunchDesc d;
  d.place = place;
  d.compute_s = c.compute_s;
  d.dram_bytes = c.dram_bytes;
  return c.delay_s + c.flash_service_s + lone_work_time(links, d, scratch);
}

}  // namespace socsim
