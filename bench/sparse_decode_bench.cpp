// Speed target of sparse offloaded decode (PowerInfer-2 issue): 1,024 decoded tokens of
// TurboSparse-Mixtral-47B on the OnePlus 12 with a 19 GB budget under `powerinfer2`, with the
// per-neuron activation model and neuron cache state (723k ops). Target: 1.0 s of wall time. The
// benchmark times the whole design point (activation replay, cache, lowering, costing, SimGrid,
// metrics) and, separately, the lowering alone (activation model + neuron cache + op creation),
// so the SimGrid share is their difference. Each timed iteration runs in a forked child with
// fresh SimGrid state (see design_point_bench.cpp).
#include <benchmark/benchmark.h>

#include <fmt/format.h>
#include "bench/child_timer.hpp"

#include <chrono>
#include <functional>

#include "sim/driver/simulate.hpp"
#include "sim/engine/platform.hpp"

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

}  // namespace

BENCHMARK(BM_MixtralDecode1024)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_MixtralDecode1024LoweringOnly)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_MAIN();
