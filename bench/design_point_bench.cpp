// Speed of one design point against bare SimGrid 3.32 on the same task graph (Llama-2-7B on the
// Redmi K70 Pro, `cpu` policy, 1,024-token prefill + 128 generated tokens, 4,352 ops):
//  - Process/socsim: a whole `socsim run` process for the point, and the `sim_wall_s` it reports
//    (lowering, costing, SimGrid run, metrics). Targets: sim_wall_s <= 10 ms, and ops per
//    sim_wall_s >= 0.5x the bare-SimGrid rate below.
//  - Process/raw: a process that loads the same graph from a file and simulates it as one L07
//    parallel task per op (the op's units and DRAM links with socsim's amounts), lazily launched
//    by a bare loop on s4u (raw_dag.hpp, raw_dag_process.cpp); its own wall time of engine,
//    platform and run is the reference rate. Target: socsim's whole process <= 1.1x this one's.
//    The two processes differ at both ends: socsim parses two YAML files (after dropping their
//    comments) and ends without the libraries' static destructors (sim/cli/main.cpp), while the
//    raw process reads a binary file and ends normally.
//  - DesignPoint, RawDag/ptask, RawDag/exec: the same in a forked child of this process (fresh
//    SimGrid state per iteration); RawDag/exec makes each op one plain Exec on its first unit,
//    the cheapest activity. LowerAndCost: lowering and cost estimation alone, in process.
// Counter ops_per_s (ops per wall second). A summary of the targets follows the table. On a
// virtual machine whose page faults cost microseconds, the forked rows include the
// copy-on-write faults of every page the child writes. This process sets its heap up as socsim's
// main() does (sim/graph/huge_page_heap.hpp), so the forked rows, bare SimGrid's included, run on
// a heap backed by huge pages; the raw process is left as a bare SimGrid user would write it.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "bench/bench_main.hpp"
#include "bench/child_timer.hpp"
#include "bench/raw_dag_of_run.hpp"
#include "sim/driver/simulate.hpp"

extern char** environ;

using namespace socsim;
using socsim::bench::time_in_child;

namespace {

RunRequest llama_request() {
  RunRequest req;
  req.hw = "redmi-k70-pro";
  req.model = "llama-2-7b";
  req.policy = "cpu";
  req.sets = {"workload.prompt=1024", "workload.gen=128"};
  return req;
}

// Median seconds per iteration of each benchmark, for the summary.
std::map<std::string, std::vector<double>>& samples() {
  static std::map<std::string, std::vector<double>> s;
  return s;
}
double median_of(const std::string& name) {
  std::vector<double> v = samples()[name];
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

const RunOutput& prepared() {
  static const std::unique_ptr<RunOutput> out =
      simulate(load_run(llama_request()), BackendKind::kAnalytic);
  return *out;
}
double op_count() {
  return static_cast<double>(prepared().graph.size());
}

void record(benchmark::State& state, const std::string& name, double seconds) {
  state.SetIterationTime(seconds);
  samples()[name].push_back(seconds);
}
void report(benchmark::State& state) {
  state.counters["ops_per_s"] = benchmark::Counter(
      op_count() * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

bench::RawDag raw_dag() {
  return bench::raw_dag_of(prepared());
}

void BM_DesignPoint(benchmark::State& state, BackendKind kind, const char* name) {
  LoadedRun run = load_run(llama_request());
  for (auto _ : state)
    record(state, name, time_in_child([&] {
             auto out = simulate(run, kind);
             benchmark::DoNotOptimize(out->metrics.total_s);
           }));
  report(state);
}
BENCHMARK_CAPTURE(BM_DesignPoint, simgrid, BackendKind::kSimGrid, "socsim")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK_CAPTURE(BM_DesignPoint, analytic, BackendKind::kAnalytic, "analytic")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

void BM_RawDag(benchmark::State& state, bool ptask, const char* name) {
  const bench::RawDag dag = raw_dag();
  for (auto _ : state)
    record(state, name,
           time_in_child([&] { benchmark::DoNotOptimize(bench::simulate_raw_dag(dag, ptask)); }));
  report(state);
}
BENCHMARK_CAPTURE(BM_RawDag, ptask, true, "raw ptask")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK_CAPTURE(BM_RawDag, exec, false, "raw exec")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

void BM_LowerAndCost(benchmark::State& state) {
  LoadedRun run = load_run(llama_request());
  PlatformSpec p = make_platform(*run.hw);
  LowerContext ctx{run.model, *run.hw, p, run.workload};
  static const CostModel cost;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    TaskGraph g;
    run.policy->lower(ctx, g);
    g.build_successors();
    auto costs = cost.estimate_all(g, p);
    benchmark::DoNotOptimize(costs.data());
    record(state, "lower+cost",
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  report(state);
}
BENCHMARK(BM_LowerAndCost)->Unit(benchmark::kMillisecond)->UseManualTime();

// A child process running argv to completion: its wall seconds and its standard output.
struct ProcessRun {
  double seconds = 0;
  nlohmann::json out;
};
ProcessRun run_process(std::vector<std::string> argv) {
  const std::string out_file =
      (std::filesystem::temp_directory_path() / fmt::format("socsim-bench-out-{}.json", ::getpid()))
          .string();
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) != 0)
    throw std::runtime_error(std::string("cannot start ") + args[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  posix_spawn_file_actions_destroy(&fa);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(std::string(args[0]) + " failed");
  std::ifstream in(out_file);
  r.out = nlohmann::json::parse(in);
  std::filesystem::remove(out_file);
  return r;
}

// A whole `socsim run` process for the point; also records its own sim_wall_s (the design point
// as a CLI user times it: lowering, costing, SimGrid, metrics, no fork).
void BM_ProcessSocsim(benchmark::State& state) {
  for (auto _ : state) {
    const ProcessRun r =
        run_process({SOCSIM_BINARY, "run", "--hw", "redmi-k70-pro", "--model", "llama-2-7b",
                     "--policy", "cpu", "--prompt", "1024", "--gen", "128", "--json", "-"});
    record(state, "process socsim", r.seconds);
    samples()["cli socsim"].push_back(r.out.at("sim_wall_s").get<double>());
  }
  report(state);
}
BENCHMARK(BM_ProcessSocsim)->Unit(benchmark::kMillisecond)->UseManualTime();

// The bare-SimGrid process on the same graph; also records its simulation's own wall time
// (engine, platform, run).
void BM_ProcessRaw(benchmark::State& state) {
  const std::string file =
      (std::filesystem::temp_directory_path() / fmt::format("socsim-raw-dag-{}.bin", ::getpid()))
          .string();
  bench::write_raw_dag(raw_dag(), file);
  for (auto _ : state) {
    const ProcessRun r = run_process({RAW_DAG_PROCESS, file});
    record(state, "process raw", r.seconds);
    samples()["cli raw"].push_back(r.out.at("sim_wall_s").get<double>());
  }
  std::filesystem::remove(file);
  report(state);
}
BENCHMARK(BM_ProcessRaw)->Unit(benchmark::kMillisecond)->UseManualTime();

void print_summary() {
  const double n = op_count();
  const auto rate = [&](const char* k) {
    const double t = median_of(k);
    return t > 0 ? n / t : 0.0;
  };
  const double point = median_of("cli socsim"), ratio = rate("cli socsim") / rate("cli raw");
  const double proc = median_of("process socsim") / median_of("process raw");
  fmt::print(
      "\n{} ops; medians of the iterations above\n"
      "design point (sim_wall_s of the CLI process): socsim {:.2f} ms, {:.0f}k ops/s; bare "
      "SimGrid ptask DAG {:.2f} ms, {:.0f}k ops/s\n"
      "  target <= 10 ms: {}; >= 0.5x the ptask rate: {:.2f}x, {}\n"
      "whole process: socsim {:.1f} ms, bare SimGrid {:.1f} ms: {:.2f}x (target <= 1.1x: {})\n"
      "in a forked child (page faults of copy-on-write included): socsim {:.0f}k ops/s, raw ptask "
      "{:.0f}k ops/s, raw exec {:.0f}k ops/s; lowering+costing {:.2f} ms\n",
      n, point * 1e3, rate("cli socsim") / 1e3, median_of("cli raw") * 1e3, rate("cli raw") / 1e3,
      point <= 0.010 ? "met" : "MISSED", ratio, ratio >= 0.5 ? "met" : "MISSED",
      median_of("process socsim") * 1e3, median_of("process raw") * 1e3, proc,
      proc <= 1.1 ? "met" : "MISSED", rate("socsim") / 1e3, rate("raw ptask") / 1e3,
      rate("raw exec") / 1e3, median_of("lower+cost") * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  if (const int status = socsim::bench::run_benchmarks(argc, argv)) return status;
  if (!samples()["cli socsim"].empty() && !samples()["cli raw"].empty()) print_summary();
  return 0;
}
