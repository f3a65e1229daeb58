// Timing of the per-thread integer loop alone and on every thread; see thread_speed_bench.hpp.
#include "sim/calibrate/thread_speed_bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "sim/stats/median.hpp"

namespace socsim::calibrate {
namespace {

volatile uint64_t kept_sink = 0;

// Eight independent 64-bit multiply-add chains (a linear congruential step each): the core's
// integer multiplier and nothing else. Returns a value that depends on every step, so that the
// loop is not removed.
uint64_t integer_loop(int64_t iterations) {
  uint64_t a[8];
  for (uint64_t k = 0; k < 8; ++k) a[k] = k;
  for (int64_t i = 0; i < iterations; ++i)
    for (uint64_t& x : a) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  uint64_t s = 0;
  for (uint64_t x : a) s ^= x;
  return s;
}

double seconds_of(int64_t iterations, uint64_t* sink) {
  const auto t0 = std::chrono::steady_clock::now();
  *sink ^= integer_loop(iterations);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Rates of `threads` threads running `iterations` each, released together.
std::vector<double> run_together(int threads, int64_t iterations, uint64_t* sink) {
  std::vector<double> rate(static_cast<size_t>(threads));
  std::vector<uint64_t> sinks(static_cast<size_t>(threads));
  std::atomic<int> ready{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      rate[static_cast<size_t>(t)] =
          static_cast<double>(iterations) / seconds_of(iterations, &sinks[static_cast<size_t>(t)]);
    });
  for (std::thread& th : pool) th.join();
  for (uint64_t s : sinks) *sink ^= s;
  return rate;
}

}  // namespace

double ThreadSpeed::alone_median() const {
  return median(alone);
}
double ThreadSpeed::slowest_median() const {
  return median(slowest);
}

std::string ThreadSpeed::summary() const {
  const auto g = [](double v) { return fmt::format("{:.2f}", v / 1e9); };
  return fmt::format(
      "one thread alone {} G loop steps/s median (p10-p90 {}-{}), slowest of {} threads at once "
      "{} (p10-p90 {}-{}): {:.2f}x, {} runs each",
      g(alone_median()), g(quantile(alone, 0.1)), g(quantile(alone, 0.9)), threads,
      g(slowest_median()), g(quantile(slowest, 0.1)), g(quantile(slowest, 0.9)),
      alone_median() > 0 ? slowest_median() / alone_median() : 0.0, alone.size());
}

ThreadSpeed bench_thread_speed(int threads, int runs, double seconds) {
  ThreadSpeed s;
  s.threads = std::max(1, threads);
  uint64_t sink = 0;
  // Size a run from a short calibration loop.
  int64_t iterations = 1 << 16;
  while (seconds_of(iterations, &sink) < seconds / 8) iterations *= 2;
  iterations *= 8;
  for (int r = 0; r < runs; ++r) {
    s.alone.push_back(run_together(1, iterations, &sink)[0]);
    const std::vector<double> all = run_together(s.threads, iterations, &sink);
    s.slowest.push_back(*std::min_element(all.begin(), all.end()));
  }
  kept_sink = sink;  // the loops' results stay observable
  return s;
}

}  // namespace socsim::calibrate
