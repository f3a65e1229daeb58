// The fork-per-batch worker pool on its own: every point is reported once, in the rows of the
// child that ran it (rows open with {"point":N}), and cheap points are not handed out one child
// each at the end of a run.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/sweep/worker_pool.hpp"

using namespace socsim;

namespace {

// Runs `n` points that each take `point_s` (a sleep: the same under sanitizers and load) on two
// workers; returns the pool's statistics and checks that every point came back once.
PoolStats run_sleeping_points(size_t n, double point_s) {
  std::vector<size_t> points(n);
  for (size_t i = 0; i < n; ++i) points[i] = i;
  std::vector<int> seen(n, 0);
  PoolCallbacks cb;
  cb.run = [&](size_t p) {
    std::this_thread::sleep_for(std::chrono::duration<double>(point_s));
    return "{\"point\":" + std::to_string(p) + "}";
  };
  cb.rows = [&](const std::vector<size_t>& ps, std::string_view) {
    for (size_t p : ps) ++seen[p];
  };
  cb.crashed = [&](size_t p, const std::string&) { ADD_FAILURE() << "point " << p << " crashed"; };
  const PoolStats stats = run_worker_pool(points, {2, 2000, 0}, cb);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "point " << i;
  return stats;
}

}  // namespace

// 2,000 points of 0.2 ms: guided shares alone would end with batches of 5, 4, 3, 2, 1, 1, ...
// (about 24 children); batches of at least 50 ms of points (about 250) need 7 or 8.
TEST(WorkerPool, CheapPointsEndInBatchesWorthAFork) {
  const PoolStats stats = run_sleeping_points(2000, 0.0002);
  EXPECT_GE(stats.children, 2u);
  EXPECT_LE(stats.children, 12u);
}

// Points of 30 ms each are worth a child apiece: six points still go to more than one child, so
// both workers run.
TEST(WorkerPool, CostlyPointsStillSpreadOverTheWorkers) {
  const PoolStats stats = run_sleeping_points(6, 0.03);
  EXPECT_GE(stats.children, 3u);
}
