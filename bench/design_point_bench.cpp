// Speed targets of the engine, as Google Benchmarks:
//  - DesignPoint/*: one whole design point (Llama-2-7B on the Redmi K70 Pro, cpu policy, 1024-token
//    prefill + 128 generated tokens): lowering, cost estimation, simulation, metrics. Target: under
//    20 ms of wall time with the SimGrid backend.
//  - RawSimGridDag: the same DAG (same activities: launch-delay Execs and ptasks with the same
//  entries
//    and amounts) driven by a bare lazy-launch loop straight on s4u, i.e. SimGrid's own speed.
//    Target: socsim's simulated ops per second >= 0.7x this rate.
// Counter: ops_per_s (simulated ops per wall second). SimGrid 3.32 leaves static handlers behind
// every engine, slowing each later engine of a process, so every timed iteration runs in a forked
// child with fresh SimGrid state (as sweeps do) and reports its wall time to the parent.
#include <benchmark/benchmark.h>

#include <xbt/log.h>
#include "bench/child_timer.hpp"

#include <chrono>
#include <functional>
#include <simgrid/s4u.hpp>

#include "sim/driver/simulate.hpp"
#include "sim/engine/link_model.hpp"

namespace sg4 = simgrid::s4u;
using namespace socsim;
using socsim::bench::time_in_child;

namespace {

LoadedRun llama_point() {
  RunRequest req;
  req.hw = "redmi-k70-pro";
  req.model = "llama-2-7b";
  req.policy = "cpu";
  req.sets = {"workload.prompt=1024", "workload.gen=128"};
  return load_run(req);
}

void report(benchmark::State& state, double ops) {
  state.counters["ops_per_s"] = benchmark::Counter(ops * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}

void BM_DesignPoint(benchmark::State& state, BackendKind kind) {
  LoadedRun run = llama_point();
  const double ops =
      static_cast<double>(simulate(run, BackendKind::kAnalytic)->metrics.ops_simulated);
  for (auto _ : state)
    state.SetIterationTime(time_in_child([&] {
      auto out = simulate(run, kind);
      benchmark::DoNotOptimize(out->metrics.total_s);
    }));
  report(state, ops);
}

// The bare lazy-launch loop over the same DAG, with activities prepared before timing starts.
struct RawOp {
  double delay_flops = 0;
  std::vector<int> hosts;  // indices into the host table
  std::vector<double> amounts;
};

struct RawDag {
  std::vector<RawOp> ops;
  std::vector<std::vector<uint32_t>> succ;
  std::vector<uint32_t> preds;
  std::vector<sg4::Host*> host;
  sg4::Host* timer = nullptr;
  std::vector<uint32_t> pending;
  std::vector<sg4::ActivityPtr> alive, graveyard;
};
RawDag* g_raw = nullptr;

void raw_start(uint32_t i, bool delay) {
  RawDag& d = *g_raw;
  const RawOp& op = d.ops[i];
  sg4::ExecPtr ex = sg4::Exec::init();
  if (delay) {
    ex->set_flops_amount(op.delay_flops);
    ex->set_host(d.timer);
  } else {
    std::vector<sg4::Host*> hs;
    for (int h : op.hosts) hs.push_back(d.host[static_cast<size_t>(h)]);
    ex->set_hosts(hs);
    ex->set_flops_amounts(op.amounts);
  }
  ex->set_data(reinterpret_cast<void*>(static_cast<intptr_t>(i) * 2 + (delay ? 1 : 0)));
  ex->start();
  d.alive[i] = ex;
}

void raw_launch(uint32_t i) {
  raw_start(i, g_raw->ops[i].delay_flops > 0);
}

void BM_RawSimGridDag(benchmark::State& state) {
  LoadedRun run = llama_point();
  auto prepared = simulate(run, BackendKind::kAnalytic);  // graph, costs and platform (no engine)
  const TaskGraph& g = prepared->graph;
  const PlatformSpec& p = prepared->platform;
  LinkLayout links(p);
  RawDag dag;
  dag.ops.resize(g.size());
  dag.succ.resize(g.size());
  std::vector<double> bytes;
  for (OpId i = 0; i < g.size(); ++i) {
    const OpCost& c = prepared->costs[i];
    LaunchDesc d;
    d.place = g.op(i).place;
    d.compute_s = c.compute_s;
    d.dram_bytes = c.dram_bytes;
    dag.ops[i].delay_flops = c.delay_s * 1e9;
    for (uint8_t k = 0; k < d.place.count; ++k) {
      dag.ops[i].hosts.push_back(d.place.unit[k]);
      dag.ops[i].amounts.push_back(c.compute_s * 1e9);
    }
    bytes_per_link(links, d, bytes);
    for (size_t l = 0; l < bytes.size(); ++l)
      if (bytes[l] > 0) {
        dag.ops[i].hosts.push_back(static_cast<int>(p.units.size() + l));
        dag.ops[i].amounts.push_back(bytes[l]);
      }
    for (OpId s : g.succs(i)) dag.succ[i].push_back(s);
    dag.preds.push_back(static_cast<uint32_t>(g.preds(i).size()));
  }
  static bool configured = false;
  double activities = 0;
  for (const RawOp& op : dag.ops) activities += op.delay_flops > 0 ? 2 : 1;
  for (auto _ : state)
    state.SetIterationTime(time_in_child([&] {
      sg4::Engine e("raw");
      socsim::simgrid_process_setup(false);
      if (!configured) {
        sg4::Activity::on_completion_cb([](sg4::Activity const& a) {
          if (!g_raw) return;
          const auto tag = reinterpret_cast<intptr_t>(a.get_data<void>());
          const auto i = static_cast<uint32_t>(tag / 2);
          g_raw->graveyard.push_back(std::move(g_raw->alive[i]));
          if (tag % 2 == 1) return raw_start(i, false);
          for (uint32_t s : g_raw->succ[i])
            if (--g_raw->pending[s] == 0) raw_launch(s);
        });
        sg4::Engine::on_time_advance_cb([](double) {
          if (g_raw) g_raw->graveyard.clear();
        });
        configured = true;
      }
      auto* zone = sg4::create_full_zone("soc");
      dag.host.clear();
      for (const PlatformUnit& u : p.units) {
        auto* h = zone->create_host(u.name, 1e9);
        h->set_core_count(u.cores);
        h->seal();
        dag.host.push_back(h);
      }
      for (size_t l = 0; l < links.count(); ++l) {
        auto* h = zone->create_host("link" + std::to_string(l), links.bandwidth(l));
        h->seal();
        dag.host.push_back(h);
      }
      dag.timer = zone->create_host("timer", 1e9);
      dag.timer->set_core_count(4096);
      dag.timer->seal();
      zone->seal();
      dag.pending = dag.preds;
      dag.alive.assign(g.size(), nullptr);
      g_raw = &dag;
      for (uint32_t i = 0; i < g.size(); ++i)
        if (dag.pending[i] == 0) raw_launch(i);
      e.run();
      dag.graveyard.clear();
      g_raw = nullptr;
    }));
  report(state, static_cast<double>(g.size()));
  state.counters["activities_per_op"] = activities / static_cast<double>(g.size());
}
BENCHMARK(BM_RawSimGridDag)->Unit(benchmark::kMillisecond)->UseManualTime();
BENCHMARK_CAPTURE(BM_DesignPoint, simgrid, BackendKind::kSimGrid)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK_CAPTURE(BM_DesignPoint, analytic, BackendKind::kAnalytic)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

void BM_LowerAndCost(benchmark::State& state) {
  LoadedRun run = llama_point();
  PlatformSpec p = make_platform(*run.hw);
  LowerContext ctx{run.model, *run.hw, p, run.workload};
  static const CostModel cost;
  for (auto _ : state) {
    TaskGraph g;
    run.policy->lower(ctx, g);
    g.build_successors();
    auto costs = cost.estimate_all(g, p);
    benchmark::DoNotOptimize(costs.data());
  }
}
BENCHMARK(BM_LowerAndCost)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
