// Functional equivalence of schedules on the reference kernels: chunked prefill equals whole-prompt
// prefill, any dependency-respecting dispatch order equals creation order bit for bit, and every
// registered policy passes `verify` (its schedule computes the model within its numerics' budget).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "sim/driver/simulate.hpp"
#include "sim/policy/policy.hpp"
#include "sim/verify/verify.hpp"

using namespace socsim;
using namespace socsim::verify;

namespace {

struct Executed {
  std::unique_ptr<RunOutput> sim;
  ReferenceModel model;
};

// Lowers and simulates `model` (reduced) under the cpu policy with the given overrides.
Executed simulate_reduced(const std::string& name, std::vector<std::string> sets,
                          const ReducedShape& shape) {
  RunRequest req;
  req.model = name;
  req.policy = "cpu";
  req.sets = std::move(sets);
  LoadedRun run = load_run(req);
  Executed e{nullptr, build_reference_model(run.model, shape, 7)};
  run.model = e.model.spec;
  e.sim = simulate(run, BackendKind::kAnalytic);
  return e;
}

ForwardResult execute(const Executed& e, std::span<const OpId> order,
                      const std::vector<int32_t>& tokens) {
  ExecOptions opt;
  return Executor(e.model, e.sim->graph, e.sim->platform, opt).run(order, tokens);
}

std::vector<OpId> creation_order(const TaskGraph& g) {
  std::vector<OpId> o(g.size());
  for (OpId i = 0; i < g.size(); ++i) o[i] = i;
  return o;
}

// A random topological order of g (a valid out-of-order dispatch).
std::vector<OpId> random_topological_order(const TaskGraph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> pending(g.size());
  std::vector<OpId> ready, order;
  for (OpId i = 0; i < g.size(); ++i)
    if ((pending[i] = static_cast<uint32_t>(g.preds(i).size())) == 0) ready.push_back(i);
  while (!ready.empty()) {
    std::uniform_int_distribution<size_t> pick(0, ready.size() - 1);
    const size_t k = pick(rng);
    const OpId id = ready[k];
    ready[k] = ready.back();
    ready.pop_back();
    order.push_back(id);
    for (OpId s : g.succs(id))
      if (--pending[s] == 0) ready.push_back(s);
  }
  return order;
}

const std::vector<std::string> kFp32 = {"model.weight_dtype=fp32", "workload.prompt=37",
                                        "workload.gen=4"};

}  // namespace

TEST(VerifyEquivalence, ChunkedPrefillEqualsWholePrompt) {
  const ReducedShape shape{3, 128, 256, 3, 30.f};
  std::vector<std::string> chunked = kFp32;
  chunked.push_back("policy.chunk=8");
  chunked.push_back("policy.granularity=op");
  Executed whole = simulate_reduced("qwen1.5-1.8b", kFp32, shape);
  Executed parts = simulate_reduced("qwen1.5-1.8b", chunked, shape);
  ASSERT_GT(parts.sim->graph.size(), whole.sim->graph.size());
  const std::vector<int32_t> tokens = make_tokens(whole.model, 37 + 3, 11);
  const ForwardResult a = execute(whole, creation_order(whole.sim->graph), tokens);
  const ForwardResult b = execute(parts, parts.sim->dispatch_order, tokens);
  const ErrorStats e = compare(b.logits, a.logits);
  EXPECT_EQ(a.logits.size(), 4u);
  EXPECT_LT(e.rel, 1e-5) << e.max_abs;
  // And both equal the plain FP32 forward pass.
  EXPECT_LT(compare(a.logits, reference_forward(whole.model, tokens, 37, 4).logits).rel, 1e-5);
}

TEST(VerifyEquivalence, OutOfOrderDispatchEqualsInOrderBitForBit) {
  const ReducedShape shape{3, 128, 256, 3, 30.f};
  std::vector<std::string> sets = kFp32;
  sets.push_back("policy.chunk=6");
  sets.push_back("policy.granularity=block");
  Executed e = simulate_reduced("mistral-7b", sets, shape);
  const std::vector<int32_t> tokens = make_tokens(e.model, 40, 3);
  const ForwardResult in_order = execute(e, creation_order(e.sim->graph), tokens);
  for (uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<OpId> order = random_topological_order(e.sim->graph, seed);
    ASSERT_EQ(order.size(), e.sim->graph.size());
    ASSERT_NE(order, creation_order(e.sim->graph));
    const ForwardResult shuffled = execute(e, order, tokens);
    EXPECT_EQ(compare(shuffled.logits, in_order.logits).max_abs, 0.0) << "seed " << seed;
  }
}

TEST(VerifyPolicies, EveryRegisteredPolicyPassesVerify) {
  for (const std::string& policy : policy_names()) {
    VerifyRequest req;
    req.run.model = "qwen1.5-1.8b";
    req.run.policy = policy;
    req.run.sets = {"workload.prompt=24", "workload.gen=3"};
    if (policy == "powerinfer2" || policy == "llmflash") {  // sparse offloading needs ReLU sparsity
      req.run.model = "bamboo-7b";
      req.run.sets.push_back("workload.ffn_offload=0.5");
    }
    req.shape = {2, 128, 256, 3, 30.f};
    const VerifyReport r = run_verify(req);
    EXPECT_TRUE(r.pass) << format_report(r);
    EXPECT_EQ(r.vs_in_order.max_abs, 0.0) << policy;
    EXPECT_GT(r.logits.max_abs, 0.0) << policy << ": quantised numerics cannot be exact";
  }
}

TEST(VerifyPolicies, Fp32ScheduleMatchesPlainForwardTightly) {
  VerifyRequest req;
  req.run.model = "gemma-2b";
  req.run.policy = "cpu";
  req.run.sets = {"model.weight_dtype=fp32", "workload.prompt=20", "workload.gen=3",
                  "policy.chunk=7"};
  req.shape = {2, 128, 256, 3, 30.f};
  const VerifyReport r = run_verify(req);
  EXPECT_EQ(r.numerics, "fp32");
  EXPECT_TRUE(r.pass) << format_report(r);
  EXPECT_LT(r.logits.rel, 1e-5);
  EXPECT_LT(r.kv.rel, 1e-5);
}
