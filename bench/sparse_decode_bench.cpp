// Speed target of sparse offloaded decode (PowerInfer-2 issue): 1,024 decoded tokens of
// TurboSparse-Mixtral-47B on the OnePlus 12 with a 19 GB budget under `powerinfer2`, with the
// per-neuron activation model and neuron cache state (723k ops). Target: 1.0 s of wall time. The
// benchmark times the whole design point (activation replay, cache, lowering, costing, SimGrid,
// metrics); the lowering alone (activation model + neuron cache + op creation); socsim's engine
// alone on the lowered graph (SimGrid, the adapter and the simulation core, launch delays
// included: 461k of the ops wait for one, so the engine takes about 1.27M steps against 0.81M
// without them); and the raw reference: the same graph as bare SimGrid 3.32 sees it, one L07
// parallel task (or one plain Exec) per op, launched lazily by a bare loop on s4u
// (raw_dag_of_run.hpp): what SimGrid alone needs for these 723k activities, the floor of any
// engine that gives each op its own activity. Each timed iteration runs in a forked child with
// fresh SimGrid state (see design_point_bench.cpp).
#include <benchmark/benchmark.h>

#include <fmt/format.h>
#include "bench/bench_main.hpp"
#include "bench/child_timer.hpp"
#include "bench/raw_dag_of_run.hpp"

#include <chrono>
#include <functional>

#include "sim/driver/simulate.hpp"
#include "sim/engine/platform.hpp"
#include "sim/engine/simulation.hpp"

using namespace socsim;
using socsim::bench::time_in_child;

namespace {

LoadedRun mixtral_point(int64_t gen) {
  RunRequest req;
  req.hw = "oneplus-12";
  req.model = "turbosparse-mixtral-47b";
  req.policy = "powerinfer2";
  req.sets = {"workload.prompt=64", fmt::format("workload.gen={}", gen + 1),
              "workload.memory=19GB"};
  return load_run(req);
}

void BM_MixtralDecode1024(benchmark::State& state) {
  LoadedRun run = mixtral_point(1024);
  for (auto _ : state)
    state.SetIterationTime(time_in_child([&] {
      auto out = simulate(run, BackendKind::kSimGrid);
      benchmark::DoNotOptimize(out->metrics.total_s);
    }));
}

void BM_MixtralDecode1024LoweringOnly(benchmark::State& state) {
  LoadedRun run = mixtral_point(1024);
  for (auto _ : state)
    state.SetIterationTime(time_in_child([&] {
      PlatformSpec p = make_platform(*run.hw);
      LowerContext ctx{run.model, *run.hw, p, run.workload};
      TaskGraph g;
      run.policy->lower(ctx, g);
      benchmark::DoNotOptimize(g.size());
    }));
}

// The point lowered and costed once (by an analytic run), for the rows that time the engine alone.
struct LoweredPoint {
  LoadedRun run = mixtral_point(1024);
  std::unique_ptr<RunOutput> out = simulate(run, BackendKind::kAnalytic);
};
const LoweredPoint& lowered_point() {
  static const LoweredPoint point;
  return point;
}

// socsim's engine alone on the lowered, costed graph: SimGrid's platform and engine, the adapter
// and the simulation core (dependencies, slots, launch delays, the policy's order), as the full row
// runs them, without lowering, costing or metrics. The raw rows run the same graph.
void BM_MixtralEngineOnly(benchmark::State& state) {
  const LoweredPoint& p = lowered_point();
  for (auto _ : state)
    state.SetIterationTime(time_in_child([&] {
      std::unique_ptr<Backend> backend = make_backend(BackendKind::kSimGrid);
      backend->build(p.out->platform);
      Simulation sim(p.out->graph, p.out->costs, p.out->platform, *p.run.policy, *backend);
      benchmark::DoNotOptimize(sim.run().size());
    }));
  state.counters["ops"] = static_cast<double>(p.out->graph.size());
}

void BM_MixtralRawDag(benchmark::State& state, bool ptask) {
  static const bench::RawDag dag = bench::raw_dag_of(*lowered_point().out);
  for (auto _ : state)
    state.SetIterationTime(
        time_in_child([&] { benchmark::DoNotOptimize(bench::simulate_raw_dag(dag, ptask)); }));
  state.counters["ops"] = static_cast<double>(dag.ops.size());
}

}  // namespace

BENCHMARK_CAPTURE(BM_MixtralRawDag, ptask, true)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_MixtralRawDag, exec, false)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK(BM_MixtralEngineOnly)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_MixtralDecode1024)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_MixtralDecode1024LoweringOnly)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
int main(int argc, char** argv) {
  return socsim::bench::run_benchmarks(argc, argv);
}
