// How the cost of a design point grows with its size, in two series. Dense: Llama-2-7B on the
// Redmi K70 Pro under `mllm-npu` (chunked NPU prefill with shadow outliers: the most ops per token
// of the dense policies), from a 1,024-token prefill with 128 decoded tokens up to a 32,768-token
// prefill with 4,096 decoded tokens (555k ops). Sparse: TurboSparse-Mixtral-47B on the OnePlus 12
// under `powerinfer2` at 19 GB (about 700 ops per decoded token: neuron-cluster reads, cache state,
// sparse FFN parts), from 1,024 to 14,336 decoded tokens (10.1M ops). Each size runs the whole
// point (lowering, costing, SimGrid, metrics) in a fresh forked child and reports ops,
// microseconds per op and the child's peak resident memory (ru_maxrss, which includes the
// parent's pages the child touched). Target: the cost per op stays flat (linear growth) up to the
// largest size; the summary after the table compares each series' largest size with its smallest.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_main.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"

using namespace socsim;

namespace {

struct Size {
  double ops = 0, us_per_op = 0, peak_rss = 0;
};

// Every measured size of each series, by workload size (the series' first argument).
std::map<std::string, std::map<int64_t, Size>>& sizes() {
  static std::map<std::string, std::map<int64_t, Size>> s;
  return s;
}

void time_point(benchmark::State& state, const std::string& series, const RunRequest& req) {
  const LoadedRun run = load_run(req);
  Size size;
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
    size = {r.at(1), r.at(0) / r.at(1) * 1e6, r.at(2)};
    state.counters["ops"] = size.ops;
    state.counters["us_per_op"] = size.us_per_op;
  }
  state.counters["peak_rss_MB"] = size.peak_rss / 1e6;
  sizes()[series][state.range(0)] = size;
}

void BM_DenseGrowth(benchmark::State& state) {
  RunRequest req;
  req.hw = "redmi-k70-pro";
  req.model = "llama-2-7b";
  req.policy = "mllm-npu";
  // A what-if DRAM large enough for the largest point's NPU graphs and KV cache (the phone's
  // 24 GB does not hold them; speed, not feasibility, is measured here).
  req.sets = {fmt::format("workload.prompt={}", state.range(0)),
              fmt::format("workload.gen={}", state.range(1)), "hw.dram.capacity=512GB",
              "workload.memory=512GB"};
  time_point(state, "dense (Llama-2-7B, mllm-npu)", req);
}

void BM_SparseDecodeGrowth(benchmark::State& state) {
  RunRequest req;
  req.hw = "oneplus-12";
  req.model = "turbosparse-mixtral-47b";
  req.policy = "powerinfer2";
  req.sets = {"workload.prompt=64", fmt::format("workload.gen={}", state.range(0) + 1),
              "workload.memory=19GB"};
  time_point(state, "sparse decode (TurboSparse-Mixtral-47B, powerinfer2)", req);
}

// Linear growth: the largest size of a series costs at most this much more per op than its
// smallest (cache misses grow with the working set; anything super-linear grows without bound).
constexpr double kFlatRatio = 1.25;

void print_summary() {
  for (const auto& [series, by_size] : sizes()) {
    if (by_size.size() < 2) continue;
    const Size& small = by_size.begin()->second;
    const Size& large = by_size.rbegin()->second;
    const double ratio = large.us_per_op / small.us_per_op;
    fmt::print(
        "{}: {:.2f} us/op at {:.0f} ops, {:.2f} us/op at {:.0f} ops ({:.0f} MB peak): {:.2f}x"
        " (target <= {:.2f}x: {})\n",
        series, small.us_per_op, small.ops, large.us_per_op, large.ops, large.peak_rss / 1e6, ratio,
        kFlatRatio, ratio <= kFlatRatio ? "met" : "MISSED");
  }
}

}  // namespace

BENCHMARK(BM_DenseGrowth)
    ->Args({1024, 128})
    ->Args({4096, 512})
    ->Args({16384, 2048})
    ->Args({32768, 4096})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SparseDecodeGrowth)
    ->Arg(1024)
    ->Arg(4096)
    ->Arg(14336)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  if (const int status = socsim::bench::run_benchmarks(argc, argv)) return status;
  print_summary();
  return 0;
}
