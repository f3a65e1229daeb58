// How the cost of a design point grows with its size: Llama-2-7B on the Redmi K70 Pro under
// `mllm-npu` (chunked NPU prefill with shadow outliers: the most ops per token of the dense
// policies), from a 1,024-token prefill with 128 decoded tokens up to a 32,768-token prefill with
// 4,096 decoded tokens. Each size runs the whole point (lowering, costing, SimGrid, metrics) in a
// fresh forked child and reports ops, microseconds per op and the child's peak resident memory
// (ru_maxrss, which includes the parent's pages the child touched). Target: the cost per op stays
// flat (linear growth) up to the largest size.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include <chrono>

#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"

using namespace socsim;

namespace {

void BM_Growth(benchmark::State& state) {
  RunRequest req;
  req.hw = "redmi-k70-pro";
  req.model = "llama-2-7b";
  req.policy = "mllm-npu";
  // A what-if DRAM large enough for the largest point's NPU graphs and KV cache (the phone's
  // 24 GB does not hold them; speed, not feasibility, is measured here).
  req.sets = {fmt::format("workload.prompt={}", state.range(0)),
              fmt::format("workload.gen={}", state.range(1)), "hw.dram.capacity=512GB",
              "workload.memory=512GB"};
  const LoadedRun run = load_run(req);
  double ops = 0, rss = 0;
  for (auto _ : state) {
    const std::vector<double> r = run_isolated([&] {
      const auto t0 = std::chrono::steady_clock::now();
      auto out = simulate(run, BackendKind::kSimGrid);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      rusage u{};
      getrusage(RUSAGE_SELF, &u);
      return std::vector<double>{s, static_cast<double>(out->metrics.ops_simulated),
                                 static_cast<double>(u.ru_maxrss) * 1024.0};
    });
    state.SetIterationTime(r.at(0));
    ops = r.at(1), rss = r.at(2);
    state.counters["ops"] = ops;
    state.counters["us_per_op"] = r.at(0) / ops * 1e6;
  }
  state.counters["peak_rss_MB"] = rss / 1e6;
}

}  // namespace

BENCHMARK(BM_Growth)
    ->Args({1024, 128})
    ->Args({4096, 512})
    ->Args({16384, 2048})
    ->Args({32768, 4096})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
