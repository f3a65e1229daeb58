// Speed of `socsim sweep` on its target sweep, experiments/sweeps/qwen-mllm-npu-prefill.yaml
// (Qwen1.5-1.8B, mllm-npu, 256-token prefill; 1,056 points): target 1,000 points/s at -j 2 on a
// 2-core machine. Each stage of a worker's per-point path is timed alone on the sweep's points
// (cycling through them), in one process, as a worker runs them:
//  - Load: load_run with a warm InputCache (override parsing, checks, derived fields).
//  - Simulate: lowering, cost estimation, the SimGrid run and the metrics.
//  - Row: result_json flattened into the JSONL row.
//  - Point: all three, as run_point (what a worker does per point).
//  - Csv: the parent's share: reading a row back into its results.csv line.
//  - WholeSweep: `socsim sweep ... -j 2` end to end (fork-per-batch pool, files, fsync) as a child
//    process, once; counter points_per_s (wall time).
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/bench_main.hpp"
#include "sim/driver/input_cache.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/result_row.hpp"
#include "sim/sweep/sweep_points.hpp"

using namespace socsim;
namespace fs = std::filesystem;

namespace {

const std::string kSweep =
    std::string(SOCSIM_DATA_DIR) + "/experiments/sweeps/qwen-mllm-npu-prefill.yaml";

const SweepPlan& plan() {
  static const SweepPlan p(read_sweep(kSweep));
  return p;
}

void per_point(benchmark::State& state) {
  state.counters["points_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Load(benchmark::State& state) {
  InputCache cache;
  size_t i = 0;
  for (auto _ : state) {
    LoadedRun run = load_run(plan().request(i++ % plan().size()), &cache);
    benchmark::DoNotOptimize(run.hw.get());
  }
  per_point(state);
}

void BM_Simulate(benchmark::State& state) {
  InputCache cache;
  std::vector<LoadedRun> runs;
  for (size_t i = 0; i < 64; ++i)
    runs.push_back(load_run(plan().request(i * 16 % plan().size()), &cache));
  size_t i = 0;
  for (auto _ : state) {
    auto out = simulate(runs[i++ % runs.size()], BackendKind::kSimGrid);
    benchmark::DoNotOptimize(out->metrics.total_s);
  }
  per_point(state);
}

void BM_Row(benchmark::State& state) {
  InputCache cache;
  const LoadedRun run = load_run(plan().request(0), &cache);
  const auto out = simulate(run, BackendKind::kSimGrid);
  for (auto _ : state) {
    std::string line =
        row_line(plan(), 0, PointStatus::kOk, "", flatten_result(result_json(run, *out)));
    benchmark::DoNotOptimize(line.data());
  }
  per_point(state);
}

void BM_Point(benchmark::State& state) {
  InputCache cache;
  size_t i = 0;
  for (auto _ : state) {
    std::string line = run_point(plan(), i++ % plan().size(), cache);
    benchmark::DoNotOptimize(line.data());
  }
  per_point(state);
}

void BM_Csv(benchmark::State& state) {
  InputCache cache;
  const std::string line = run_point(plan(), 0, cache);
  CsvLayout layout(plan().columns());
  layout.add(*parse_row(line, plan().columns()));
  for (auto _ : state) {
    std::string csv = layout.line(*parse_row(line, plan().columns()));
    benchmark::DoNotOptimize(csv.data());
  }
  per_point(state);
}

// Times `socsim sweep FILE -j N` end to end as a child process (N = the benchmark's argument);
// counter points_per_s over the sweep's `points` points.
void time_whole_sweep(benchmark::State& state, const std::string& sweep, size_t points) {
  const fs::path out =
      fs::temp_directory_path() / ("socsim_sweep_bench_" + std::to_string(::getpid()));
  const std::string cmd = std::string(SOCSIM_BINARY) + " sweep " + sweep + " --out " +
                          out.string() + " -j " + std::to_string(state.range(0)) +
                          " --restart --quiet";
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    if (std::system(cmd.c_str()) != 0) state.SkipWithError("socsim sweep failed");
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["points_per_s"] = benchmark::Counter(
      static_cast<double>(points * state.iterations()), benchmark::Counter::kIsRate);
  fs::remove_all(out);
}

void BM_WholeSweep(benchmark::State& state) {
  time_whole_sweep(state, kSweep, plan().size());
}

// The design-space sweep of the speed issue: experiments/sweeps/mllm-npu-design-space.yaml
// (13,200 mllm-NPU prefill points over 4 phones, NPU clock, chunking and mechanisms) end to end.
// Target: >= 3,000 points/s at -j 2.
void BM_DesignSpaceSweep(benchmark::State& state) {
  const std::string sweep =
      std::string(SOCSIM_DATA_DIR) + "/experiments/sweeps/mllm-npu-design-space.yaml";
  time_whole_sweep(state, sweep, SweepPlan(read_sweep(sweep)).size());
}

}  // namespace

BENCHMARK(BM_DesignSpaceSweep)
    ->Arg(2)
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Simulate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Row)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Point)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Csv)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WholeSweep)
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  return socsim::bench::run_benchmarks(argc, argv);
}
