// A simulated run's task graph as bare SimGrid sees it (raw_dag.hpp), for the benchmarks that
// compare socsim with the raw reference on the same graph: unit hosts (1 Gflop/s per core,
// amounts in nanoseconds of compute as socsim's adapter gives them), then one host per DRAM link
// (speed = bandwidth, amounts in bytes). Each op is one activity; an op without units (a pure-time
// or flash op) gets its fixed time, delay and flash service time on the first host.
#pragma once

#include "bench/raw_dag.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/engine/link_model.hpp"

namespace socsim::bench {

inline RawDag raw_dag_of(const RunOutput& out) {
  const TaskGraph& g = out.graph;
  const PlatformSpec& p = out.platform;
  LinkLayout links(p);
  RawDag d;
  for (const PlatformUnit& u : p.units) d.hosts.push_back({1e9, static_cast<uint32_t>(u.cores)});
  for (size_t l = 0; l < links.count(); ++l) d.hosts.push_back({links.bandwidth(l), 1});
  d.ops.resize(g.size());
  std::vector<double> bytes;
  for (OpId i = 0; i < g.size(); ++i) {
    const OpCost& c = out.costs[i];
    LaunchDesc desc;
    desc.place = g.op(i).place;
    desc.compute_s = c.compute_s;
    desc.dram_bytes = c.dram_bytes;
    RawOp& op = d.ops[i];
    for (uint8_t k = 0; k < desc.place.count; ++k)
      op.entries.push_back({desc.place.unit[k], c.compute_s * 1e9});
    bytes_per_link(links, desc, bytes);
    for (size_t l = 0; l < bytes.size(); ++l)
      if (bytes[l] > 0) op.entries.push_back({static_cast<uint32_t>(p.units.size() + l), bytes[l]});
    if (op.entries.empty())
      op.entries.push_back({0, (c.delay_s + g.op(i).fixed_time + c.flash_service_s) * 1e9});
    for (OpId s : g.succs(i)) op.succs.push_back(s);
  }
  return d;
}

}  // namespace socsim::bench
