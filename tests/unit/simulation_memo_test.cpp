// Reuse of identical simulations (sim/engine/simulation_memo.hpp): points whose engine inputs are
// equal share one simulation and get the same outputs as without the memo; anything the engine or
// the scheduler reads (a cost, the scheduler, the platform) keeps runs apart; the byte budget
// evicts the oldest runs.
#include <gtest/gtest.h>

#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"

using namespace socsim;

namespace {

LoadedRun mllm_point(std::vector<std::string> sets) {
  RunRequest req;
  req.policy = "mllm-npu";
  req.sets = {"workload.prompt=64", "workload.gen=1"};
  req.sets.insert(req.sets.end(), sets.begin(), sets.end());
  return load_run(req);
}

std::string result_of(const LoadedRun& run, SimulationMemo* memo) {
  nlohmann::ordered_json j = result_json(run, *simulate(run, BackendKind::kSimGrid, memo));
  j.erase("sim_wall_s");
  return j.dump();
}

TEST(SimulationMemo, AnInactiveParameterReusesTheRunWithTheSameResult) {
  // Without shadow outlier execution the prune rate changes nothing the engine sees.
  const LoadedRun a = mllm_point({"policy.shadow_outliers=false", "policy.outlier_prune_rate=0.5"});
  const LoadedRun b = mllm_point({"policy.shadow_outliers=false", "policy.outlier_prune_rate=0.9"});
  SimulationMemo memo;
  const std::string first = result_of(a, &memo);
  const std::string second = result_of(b, &memo);
  EXPECT_EQ(memo.misses(), 1u);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(first, result_of(a, nullptr));
  EXPECT_EQ(second, result_of(b, nullptr));
}

TEST(SimulationMemo, WhatTheEngineReadsKeepsRunsApart) {
  SimulationMemo memo;
  result_of(mllm_point({"policy.shadow_outliers=true", "policy.outlier_prune_rate=0.5"}), &memo);
  // Another prune rate with shadow execution on: other ops and costs.
  result_of(mllm_point({"policy.shadow_outliers=true", "policy.outlier_prune_rate=0.9"}), &memo);
  // The same graph under the in-order scheduler instead of cg-greedy.
  result_of(mllm_point({"policy.shadow_outliers=true", "policy.outlier_prune_rate=0.5",
                        "policy.out_of_order=false"}),
            &memo);
  // Another NPU clock: other costs.
  result_of(mllm_point({"policy.shadow_outliers=true", "policy.outlier_prune_rate=0.5",
                        "hw.npu.clock=600MHz"}),
            &memo);
  EXPECT_EQ(memo.hits(), 0u);
  EXPECT_EQ(memo.misses(), 4u);
}

TEST(SimulationMemo, KeysHoldCostsPlatformAndScheduler) {
  const LoadedRun run = mllm_point({});
  auto out = simulate(run, BackendKind::kSimGrid);
  std::string key, other;
  write_simulation_key(out->graph, out->costs, out->platform, "lowest-rank", BackendKind::kSimGrid,
                       key);
  write_simulation_key(out->graph, out->costs, out->platform, "lowest-rank", BackendKind::kSimGrid,
                       other);
  EXPECT_EQ(key, other);
  write_simulation_key(out->graph, out->costs, out->platform, "scheduler:in-order",
                       BackendKind::kSimGrid, other);
  EXPECT_NE(key, other);
  write_simulation_key(out->graph, out->costs, out->platform, "lowest-rank", BackendKind::kAnalytic,
                       other);
  EXPECT_NE(key, other);
  std::vector<OpCost> costs = out->costs;
  costs.back().compute_s = std::nextafter(costs.back().compute_s, 1.0);
  write_simulation_key(out->graph, costs, out->platform, "lowest-rank", BackendKind::kSimGrid,
                       other);
  EXPECT_NE(key, other);
  PlatformSpec platform = out->platform;
  platform.dram_bandwidth *= 2;
  write_simulation_key(out->graph, out->costs, platform, "lowest-rank", BackendKind::kSimGrid,
                       other);
  EXPECT_NE(key, other);
}

TEST(SimulationMemo, TheBudgetEvictsTheOldestRuns) {
  // Five runs of about the same size (the NPU clock changes costs, not the graph's shape).
  std::vector<LoadedRun> runs;
  for (const char* clock : {"500MHz", "550MHz", "600MHz", "650MHz", "700MHz"})
    runs.push_back(mllm_point({std::string("hw.npu.clock=") + clock}));
  SimulationMemo sizing;
  result_of(runs[0], &sizing);
  ASSERT_GT(sizing.bytes(), 0u);
  // Room for four of them: the fifth evicts the first.
  SimulationMemo memo(sizing.bytes() * 4 + sizing.bytes() / 2);
  for (const LoadedRun& r : runs) result_of(r, &memo);
  EXPECT_LE(memo.bytes(), sizing.bytes() * 4 + sizing.bytes() / 2);
  result_of(runs[4], &memo);
  EXPECT_EQ(memo.hits(), 1u);
  result_of(runs[0], &memo);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(memo.misses(), 6u);
}

}  // namespace
