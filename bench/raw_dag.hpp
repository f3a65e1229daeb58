// The reference the engine's speed is measured against: a task graph as bare SimGrid 3.32 sees it
// (hosts with speeds and core counts; ops as lists of (host, amount) entries with successor lists)
// and the fastest way to simulate it straight on s4u: own dependency counters, activities created
// lazily when their op is ready, one static completion callback. Each op is one L07 parallel task
// over its entries, or (plain mode) one Exec on its first entry's host. Header-only and free of
// socsim code, so that a process linked to SimGrid alone (raw_dag_process.cpp) can run it; the
// file format lets the benchmarks hand it the DAG socsim lowered.
#pragma once

#include <xbt/log.h>
#include <simgrid/s4u.hpp>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace socsim::bench {

struct RawHost {
  double speed = 1e9;
  uint32_t cores = 1;
};

struct RawEntry {
  uint32_t host = 0;
  double amount = 0;
};

struct RawOp {
  std::vector<RawEntry> entries;
  std::vector<uint32_t> succs;
};

struct RawDag {
  std::vector<RawHost> hosts;
  std::vector<RawOp> ops;
};

// A flat little-endian binary file: host count, hosts, op count, then per op its entries and
// successors, each list preceded by its length.
inline void write_raw_dag(const RawDag& d, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  const auto u32 = [&](uint32_t v) { std::fwrite(&v, sizeof v, 1, f); };
  u32(static_cast<uint32_t>(d.hosts.size()));
  for (const RawHost& h : d.hosts) std::fwrite(&h.speed, sizeof h.speed, 1, f), u32(h.cores);
  u32(static_cast<uint32_t>(d.ops.size()));
  for (const RawOp& op : d.ops) {
    u32(static_cast<uint32_t>(op.entries.size()));
    for (const RawEntry& e : op.entries) u32(e.host), std::fwrite(&e.amount, sizeof e.amount, 1, f);
    u32(static_cast<uint32_t>(op.succs.size()));
    for (uint32_t s : op.succs) u32(s);
  }
  std::fclose(f);
}

inline RawDag read_raw_dag(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot read " + path);
  bool ok = true;
  const auto u32 = [&] {
    uint32_t v = 0;
    ok &= std::fread(&v, sizeof v, 1, f) == 1;
    return v;
  };
  const auto f64 = [&] {
    double v = 0;
    ok &= std::fread(&v, sizeof v, 1, f) == 1;
    return v;
  };
  RawDag d;
  d.hosts.resize(u32());
  for (RawHost& h : d.hosts) h.speed = f64(), h.cores = u32();
  d.ops.resize(ok ? u32() : 0);
  for (RawOp& op : d.ops) {
    op.entries.resize(ok ? u32() : 0);
    for (RawEntry& e : op.entries) e.host = u32(), e.amount = f64();
    op.succs.resize(ok ? u32() : 0);
    for (uint32_t& s : op.succs) s = u32();
  }
  std::fclose(f);
  if (!ok) throw std::runtime_error(path + " is truncated");
  return d;
}

namespace raw_detail {

struct RawRun {
  const RawDag* dag = nullptr;
  bool ptask = true;
  std::vector<simgrid::s4u::Host*> hosts;
  std::vector<uint32_t> pending;
  std::vector<simgrid::s4u::ActivityPtr> alive, graveyard;
  std::vector<simgrid::s4u::Host*> host_buf;
  std::vector<double> amount_buf;
};

inline RawRun*& current() {
  static RawRun* run = nullptr;
  return run;
}

inline void launch(uint32_t i) {
  RawRun& r = *current();
  const RawOp& op = r.dag->ops[i];
  auto ex = simgrid::s4u::Exec::init();
  if (r.ptask) {
    r.host_buf.clear(), r.amount_buf.clear();
    for (const RawEntry& e : op.entries) {
      r.host_buf.push_back(r.hosts[e.host]);
      r.amount_buf.push_back(e.amount);
    }
    ex->set_hosts(r.host_buf);
    ex->set_flops_amounts(r.amount_buf);
  } else {
    ex->set_host(r.hosts[op.entries.front().host]);
    ex->set_flops_amount(op.entries.front().amount);
  }
  ex->set_data(reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
  ex->start();
  r.alive[i] = std::move(ex);
}

}  // namespace raw_detail

// Simulates the DAG in a fresh engine (call once per process: SimGrid 3.32 model options and
// callbacks are process-wide); returns the simulated makespan.
inline double simulate_raw_dag(const RawDag& d, bool ptask) {
  namespace sg4 = simgrid::s4u;
  using raw_detail::current;
  sg4::Engine e("raw");
  xbt_log_control_set("root.thres:critical");
  sg4::Engine::set_config("host/model:ptask_L07");
  sg4::Engine::set_config("surf/precision:1e-13");
  sg4::Activity::on_completion_cb([](sg4::Activity const& a) {
    raw_detail::RawRun& r = *current();
    const auto i = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(a.get_data<void>()));
    r.graveyard.push_back(std::move(r.alive[i]));
    for (uint32_t s : r.dag->ops[i].succs)
      if (--r.pending[s] == 0) raw_detail::launch(s);
  });
  sg4::Engine::on_time_advance_cb([](double) { current()->graveyard.clear(); });
  raw_detail::RawRun run;
  run.dag = &d, run.ptask = ptask;
  auto* zone = sg4::create_full_zone("soc");
  for (size_t h = 0; h < d.hosts.size(); ++h) {
    auto* host = zone->create_host("h" + std::to_string(h), d.hosts[h].speed);
    host->set_core_count(static_cast<int>(d.hosts[h].cores));
    host->seal();
    run.hosts.push_back(host);
  }
  zone->seal();
  run.pending.assign(d.ops.size(), 0);
  for (const RawOp& op : d.ops)
    for (uint32_t s : op.succs) ++run.pending[s];
  run.alive.resize(d.ops.size());
  current() = &run;
  for (uint32_t i = 0; i < d.ops.size(); ++i)
    if (run.pending[i] == 0) raw_detail::launch(i);
  e.run();
  run.graveyard.clear();
  current() = nullptr;
  return sg4::Engine::get_clock();
}

}  // namespace socsim::bench
