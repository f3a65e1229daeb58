// The mllm-npu policy's mechanisms, one flag each (Qwen1.5-1.8B on the Redmi K70 Pro, prompt 512):
// shared chunk graphs vs per-prompt graph building, shadow outliers vs their fallbacks, outlier
// pruning, out-of-order vs in-order scheduling, the CPU/GPU side, padding, and decode on the CPU.
#include <gtest/gtest.h>

#include "sim/driver/simulate.hpp"

using namespace socsim;

namespace {

std::unique_ptr<RunOutput> run(std::vector<std::string> sets, LoadedRun* keep = nullptr) {
  RunRequest req;
  req.model = "qwen1.5-1.8b";
  req.policy = "mllm-npu";
  sets.push_back("workload.prompt=512");
  sets.push_back("workload.gen=4");
  req.sets = std::move(sets);
  LoadedRun loaded = load_run(req);
  auto out = simulate(loaded, BackendKind::kSimGrid);
  if (keep) *keep = std::move(loaded);
  return out;
}

int unit_of(const RunOutput& out, OpId i) {
  return out.graph.op(i).place.count ? out.graph.op(i).place.unit[0] : -1;
}

}  // namespace

TEST(MllmNpu, ChunkSharingAvoidsGraphBuildingButHoldsFewerGraphs) {
  LoadedRun loaded;
  const auto shared = run({}, &loaded);
  const auto rebuilt = run({"policy.chunk_sharing=false"});
  EXPECT_EQ(shared->metrics.setup_s, 0.0);
  // 2 chunks x 6 graphs x 24 layers built (3.2 ms each) and optimised (4 ns per layer parameter,
  // 1.21e9 of them, per chunk).
  EXPECT_GT(rebuilt->metrics.setup_s, 2 * 1.2e9 * 4e-9);
  EXPECT_NEAR(rebuilt->metrics.prefill_s, shared->metrics.prefill_s,
              1e-9 * shared->metrics.prefill_s);
  // Shared: 5 linear graphs per layer once plus one attention graph per layer and chunk; each
  // holds the profile's 9.9 MB besides weights. Per chunk: 6 per layer and chunk, and the second
  // chunk's graphs hold a second copy of the INT8 layer weights.
  const double per_graph = loaded.hw->npu.graph.memory_per_graph;
  EXPECT_DOUBLE_EQ(shared->metrics.memory.graphs, (5 * 24 + 2 * 24) * per_graph);
  const double layer_weights =
      static_cast<double>(loaded.model.layer_params()) * storage_bits(DType::kInt8) / 8;
  EXPECT_DOUBLE_EQ(rebuilt->metrics.memory.graphs, 2 * 6 * 24 * per_graph + layer_weights);
}

TEST(MllmNpu, ShadowOutliersBeatTheAccuracySafeFallbacks) {
  const double shadow = run({})->metrics.prefill_s;
  const double per_group = run({"policy.shadow_outliers=false"})->metrics.prefill_s;
  const double cpu_float =
      run({"policy.shadow_outliers=false", "policy.outlier_fallback=cpu-float"})->metrics.prefill_s;
  EXPECT_GT(per_group, 2 * shadow);
  EXPECT_GT(cpu_float, 2 * shadow);
}

// Pruning removes CPU work. (Prefill time need not fall monotonically with it: cg-greedy is a list
// scheduling heuristic, and with less CPU work it can order the CPU ops worse.)
TEST(MllmNpu, PruningOutlierLayersRemovesShadowWork) {
  const auto none = run({"policy.outlier_prune_rate=0"});
  const auto most = run({"policy.outlier_prune_rate=0.85"});
  const auto all = run({"policy.outlier_prune_rate=1"});
  auto cpu_seconds = [](const RunOutput& o) {
    double s = 0;
    for (const auto& [unit, sec] : o.metrics.busy_s_by_unit)
      if (unit.rfind("cpu.", 0) == 0) s += sec;
    return s;
  };
  EXPECT_GT(cpu_seconds(*none), cpu_seconds(*most));
  EXPECT_GT(cpu_seconds(*most), cpu_seconds(*all));
  auto shadows = [](const RunOutput& o) {
    size_t n = 0;
    for (OpId i = 0; i < o.graph.size(); ++i) n += o.graph.name(i) == "shadow";
    return n;
  };
  // 2 chunks x 3 NPU blocks per kept layer: 24 kept of 24, round(0.15 x 24) = 4, none.
  EXPECT_EQ(shadows(*none), 2u * 3 * 24);
  EXPECT_EQ(shadows(*most), 2u * 3 * 4);
  EXPECT_EQ(shadows(*all), 0u);
  EXPECT_GT(none->metrics.memory.float_weights,
            most->metrics.memory.float_weights);  // resident FP16 outlier rows
  EXPECT_EQ(all->metrics.memory.float_weights, 0.0);
  EXPECT_EQ(none->metrics.memory.weights, all->metrics.memory.weights);  // the INT8 part
}

TEST(MllmNpu, OutOfOrderSchedulingShortensPrefillAndBubbles) {
  const auto ooo = run({});
  const auto in_order = run({"policy.out_of_order=false"});
  EXPECT_LT(ooo->metrics.prefill_s, in_order->metrics.prefill_s);
  EXPECT_LT(ooo->metrics.npu_bubble_rate, in_order->metrics.npu_bubble_rate);
  EXPECT_GT(in_order->metrics.npu_bubble_rate, 0.0);
}

TEST(MllmNpu, PlacesPrefillBlocksOnTheNpuAttentionOnTheSideUnitAndDecodeOnTheCpu) {
  for (const char* side : {"cpu", "gpu"}) {
    const auto out = run({std::string("policy.cpu_side=") + side});
    const int npu = out->platform.find("npu"), gpu = out->platform.find("gpu");
    size_t attention = 0;
    for (OpId i = 0; i < out->graph.size(); ++i) {
      const Op& op = out->graph.op(i);
      if (op.phase == Phase::kDecode) {
        ASSERT_GE(unit_of(*out, i), 0);
        EXPECT_EQ(out->platform.units[op.place.unit[0]].type, UnitType::kCpuCluster)
            << out->graph.name(i);
      } else if (op.phase == Phase::kPrefill && op.kind == OpKind::kAttention) {
        ++attention;
        EXPECT_EQ(unit_of(*out, i) == gpu, std::string(side) == "gpu");
        EXPECT_NE(unit_of(*out, i), npu);
      } else if (op.phase == Phase::kPrefill && op.layer >= 0 && out->graph.name(i) != "shadow" &&
                 op.kind != OpKind::kFlashRead) {
        EXPECT_EQ(unit_of(*out, i), npu) << out->graph.name(i);
      }
    }
    EXPECT_EQ(attention, 2u * 24);  // 2 chunks of 256 x 24 layers
  }
}

TEST(MllmNpu, LastChunkIsPaddedToTheStaticShape) {
  RunRequest req;
  req.model = "qwen1.5-1.8b";
  req.policy = "mllm-npu";
  req.sets = {"workload.prompt=300", "workload.gen=1"};
  LoadedRun loaded = load_run(req);
  const auto out = simulate(loaded, BackendKind::kAnalytic);
  for (OpId i = 0; i < out->graph.size(); ++i) {
    const Op& op = out->graph.op(i);
    if (op.phase != Phase::kPrefill || op.chunk != 1 || out->graph.name(i) != "L0.attn_in")
      continue;
    EXPECT_EQ(out->graph.parts(i)[1].m, 256);  // computed at the chunk length
    EXPECT_EQ(op.rows, 300 - 256);             // of which 44 are real positions
  }
}
