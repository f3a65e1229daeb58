// `socsim check` on policies defined here, broken the ways a policy can break what the engine does
// not enforce: a graph that drops the dependencies the lowering made (attention then starts before
// its q/k/v and keys exist), a memory plan that understates the weights so a run that cannot fit
// is simulated anyway; and a legal reordering (highest rank first) that must not be flagged. Also
// the shipped policies pass, and points a policy cannot run are skipped with the reason.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/check/check.hpp"
#include "sim/lower/transformer_lowering.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/policy/placement.hpp"

namespace socsim::test {
namespace {

using check::PointResult;
using check::PointSpec;
using check::PointStatus;

// Every op on the CPU clusters except attention, which runs on the GPU; prefill in 8-token chunks.
class CpuGpuPolicy : public Policy {
 public:
  void visit_params(FieldVisitor&) override {}
  void check(const LowerContext&, Diagnostics&) const override {}
  void lower(const LowerContext& ctx, TaskGraph& g) const override {
    const Placement cpu = performance_cpu_placement(ctx.platform),
                    gpu = device_placement(ctx.platform, "gpu");
    LoweringChoices ch;
    ch.place = [=](Stage s, Phase) { return s == Stage::kAttention ? gpu : cpu; };
    ch.weight_dtype = ctx.model.weight_dtype;
    ch.matmul_dtype = DType::kInt8;
    ch.attention_dtype = DType::kFp16;
    ch.elementwise_dtype = DType::kFp32;
    ch.chunk = 8;
    lower_transformer(ctx, ch, g);
  }
  MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const override {
    MemoryPlan m;
    m.weights = resident_weight_bytes(ctx.model, ctx.model.weight_dtype);
    m.kv_cache = kv_cache_bytes(ctx.model, ctx.workload);
    m.activations = peak_activation_bytes(ctx.model, g);
    return m;
  }
};

// Drops every predecessor of the prefill attention ops after the first chunk: the engine lets
// them start at once on the idle GPU.
class DroppedEdgePolicy final : public CpuGpuPolicy {
 public:
  void lower(const LowerContext& ctx, TaskGraph& g) const override {
    TaskGraph full;
    CpuGpuPolicy::lower(ctx, full);
    for (OpId i = 0; i < full.size(); ++i) {
      const Op& op = full.op(i);
      const bool orphan =
          op.kind == OpKind::kAttention && op.phase == Phase::kPrefill && op.chunk > 0;
      const std::span<const OpId> preds = orphan ? std::span<const OpId>() : full.preds(i);
      g.add(op, full.parts(i), preds, full.name(i));
    }
  }
};

// States no weights at all: a model that cannot fit the budget is simulated anyway.
class UnderstatedMemoryPolicy final : public CpuGpuPolicy {
 public:
  MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const override {
    MemoryPlan m = CpuGpuPolicy::memory(ctx, g);
    m.weights = 0;
    return m;
  }
};

// Dispatches the runnable op of highest rank: out of creation order, but the engine only offers
// ops whose inputs are complete, so nothing breaks.
class HighestRankPolicy final : public CpuGpuPolicy {
 public:
  size_t select(std::span<const OpId> runnable, const SimView& view) const override {
    size_t best = 0;
    for (size_t i = 1; i < runnable.size(); ++i)
      if (view.graph.op(runnable[i]).rank > view.graph.op(runnable[best]).rank) best = i;
    return best;
  }
};

SOCSIM_REGISTER_POLICY(CpuGpuPolicy, "test-cpu-gpu", "test: attention on the GPU");
SOCSIM_REGISTER_POLICY(DroppedEdgePolicy, "test-dropped-edge", "test: drops attention's inputs");
SOCSIM_REGISTER_POLICY(UnderstatedMemoryPolicy, "test-understated-memory", "test: no weights");
SOCSIM_REGISTER_POLICY(HighestRankPolicy, "test-highest-rank", "test: highest rank first");

const PointSpec kSmall{"redmi-k70-pro", "qwen1.5-1.8b", 24, 4};

std::string dump(const PointResult& r) {
  std::string s = std::string(check::status_name(r.status)) + " " + r.reason + "\n";
  for (const std::string& line : r.violations.lines()) s += line + "\n";
  return s;
}

TEST(CheckPolicies, shipped_policies_hold_every_invariant) {
  for (const char* policy :
       {"cpu", "gpu", "npu", "mllm-npu", "llamacpp", "skeleton", "test-cpu-gpu"}) {
    const PointResult r = check::run_point(policy, kSmall, {});
    EXPECT_EQ(r.status, PointStatus::kOk) << policy << ": " << dump(r);
    EXPECT_TRUE(r.violations.empty()) << policy << ": " << dump(r);
    EXPECT_GT(r.metrics.prefill_tps, 0) << policy;
  }
}

TEST(CheckPolicies, dropped_dependency_is_caught_as_data_flow) {
  const PointResult r = check::run_point("test-dropped-edge", kSmall, {});
  ASSERT_EQ(r.status, PointStatus::kOk) << dump(r);
  EXPECT_GT(r.violations.count("data-flow"), 0u) << dump(r);
  EXPECT_EQ(r.violations.count("dependencies"), 0u) << "the engine respects the graph it got";
  const std::string text = dump(r);
  EXPECT_NE(text.find("L0.attention"), std::string::npos) << text;
  EXPECT_NE(text.find("q/k/v"), std::string::npos) << text;
  EXPECT_NE(text.find("keys and values"), std::string::npos) << text;
}

TEST(CheckPolicies, understated_memory_plan_is_caught) {
  const std::vector<std::string> budget{"workload.memory=4GB"};
  const PointSpec big{"redmi-k70-pro", "llama-2-7b", 24, 4};
  const PointResult honest = check::run_point("test-cpu-gpu", big, budget);
  EXPECT_EQ(honest.status, PointStatus::kSkipped) << dump(honest);
  EXPECT_NE(honest.reason.find("does not fit in memory"), std::string::npos) << honest.reason;
  const PointResult r = check::run_point("test-understated-memory", big, budget);
  ASSERT_EQ(r.status, PointStatus::kOk) << dump(r);
  EXPECT_EQ(r.violations.count("memory-plan"), 1u) << dump(r);
  EXPECT_EQ(r.violations.count("memory"), 0u) << "the understated plan fits its budget";
}

TEST(CheckPolicies, out_of_order_dispatch_is_not_a_violation) {
  check::CheckRequest req;
  req.policy = "test-highest-rank";
  req.hw = {"redmi-k70-pro"};
  req.models = {"qwen1.5-1.8b"};
  req.prompts = {24};
  req.gen = 4;
  const check::CheckReport r = check::run_check(req);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_TRUE(r.points[0].passed()) << dump(r.points[0]);
  ASSERT_EQ(r.verify.size(), 1u);
  EXPECT_EQ(r.verify[0].status, check::VerifyStatus::kPass) << r.verify[0].reason;
  EXPECT_EQ(r.exit_code(), 0);
}

TEST(CheckPolicies, broken_policy_fails_the_check) {
  check::CheckRequest req;
  req.policy = "test-dropped-edge";
  req.baseline = "cpu";
  req.hw = {"redmi-k70-pro"};
  req.models = {"qwen1.5-1.8b"};
  req.prompts = {24, 40};
  req.gen = 4;
  req.verify = false;
  const check::CheckReport r = check::run_check(req);
  EXPECT_EQ(r.invariant_failures(), 2u);
  EXPECT_EQ(r.exit_code(), check::kExitCheckFailed);
  ASSERT_EQ(r.baseline.size(), 2u);
  EXPECT_TRUE(r.baseline[0].passed());
}

TEST(CheckPolicies, points_a_policy_cannot_run_are_skipped_with_the_reason) {
  const PointResult sparse = check::run_point("powerinfer2", kSmall, {});
  EXPECT_EQ(sparse.status, PointStatus::kSkipped);
  EXPECT_NE(sparse.reason.find("sparsity section"), std::string::npos) << sparse.reason;
  const PointResult npu = check::run_point("npu", {"oneplus-ace2", "llama-2-7b", 64, 4}, {});
  EXPECT_EQ(npu.status, PointStatus::kSkipped);
  EXPECT_NE(npu.reason.find("does not fit in memory"), std::string::npos) << npu.reason;
  check::CheckRequest req;
  req.policy = "npu";
  req.hw = {"oneplus-ace2"};
  req.models = {"llama-2-7b"};
  req.prompts = {64};
  const check::CheckReport r = check::run_check(req);
  EXPECT_EQ(r.count(PointStatus::kSkipped), 1u);
  EXPECT_EQ(r.exit_code(), 3) << "nothing could run";
  ASSERT_EQ(r.verify.size(), 1u);  // the reduced model fits where the full one does not
  EXPECT_EQ(r.verify[0].status, check::VerifyStatus::kPass) << r.verify[0].reason;
}

TEST(CheckPolicies, matrix_defaults_cover_shipped_profiles_and_models) {
  check::CheckRequest req;
  req.policy = "cpu";
  const std::vector<PointSpec> m = check::expand_matrix(req);
  const std::vector<std::string> profiles = shipped_names("hwprofiles");
  const auto phones =
      profiles.size() - static_cast<size_t>(std::count(profiles.begin(), profiles.end(), "host"));
  EXPECT_GE(phones, 4u);
  EXPECT_EQ(m.size(), phones * check::kDefaultModels.size() * 2);
  for (const PointSpec& p : m) EXPECT_NE(p.hw, "host");
  req.hw = {"oneplus-12"};
  req.models = {"phi-2", "gemma-2b"};
  req.prompts = {16, 32, 64};
  EXPECT_EQ(check::expand_matrix(req).size(), 6u);
  req.prompts = {0};
  EXPECT_THROW(check::run_check(req), InputError);
}

}  // namespace
}  // namespace socsim::test
