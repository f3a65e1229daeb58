// llama.cpp's mmap loading (policy `llamacpp`, sim/policy/mmap_paging.hpp) on Bamboo-7B and the
// OnePlus 12: weights beyond the memory budget are paged in from flash before every stage that
// uses them, a share fixed by the budget; with room for every weight nothing is paged and the run
// is the plain CPU policy's.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>
#include <map>

#include "sim/driver/simulate.hpp"
#include "sim/policy/memory_plan.hpp"

using namespace socsim;

namespace {

struct Sim {
  LoadedRun loaded;
  std::unique_ptr<RunOutput> out;
  const RunMetrics& m() const { return out->metrics; }
};

Sim run(const std::string& policy, std::vector<std::string> sets,
        BackendKind backend = BackendKind::kSimGrid) {
  RunRequest req;
  req.hw = "oneplus-12";
  req.model = "bamboo-7b";
  req.policy = policy;
  sets.insert(sets.begin(), {"workload.prompt=16", "workload.gen=9"});
  req.sets = std::move(sets);
  Sim r;
  r.loaded = load_run(req);
  r.out = simulate(r.loaded, backend);
  return r;
}

std::string offload(double share) {
  return fmt::format("workload.ffn_offload={}", share);
}

size_t page_ins(const TaskGraph& g) {
  size_t n = 0;
  for (OpId i = 0; i < g.size(); ++i) n += g.name(i) == "page_in";
  return n;
}

double weight_bytes(const TaskGraph& g, OpId i) {
  double w = 0;
  for (const OpPart& p : g.parts(i)) w += p.weight_bytes;
  return w;
}

}  // namespace

// The page cache keeps (budget - KV cache) of the weights; every stage first faults in the rest
// of its own weights, so each decoded token reads (1 - resident) x the weights it uses.
TEST(MmapPaging, PagesInTheNonResidentShareOfEveryStage) {
  const Sim r = run("llamacpp", {offload(0.5)});
  const ModelSpec& m = r.loaded.model;
  const double weights = resident_weight_bytes(m, m.weight_dtype);
  const double budget = memory_budget(m, *r.loaded.hw, r.loaded.workload);
  const double resident = (budget - kv_cache_bytes(m, r.loaded.workload)) / weights;
  // ffn_offload = 0.5: the budget holds all but half of the FFN weights (plus the KV cache).
  EXPECT_NEAR(resident, 1.0 - 0.5 * ffn_weight_bytes(m) / weights, 1e-12);
  ASSERT_GT(resident, 0.0);
  ASSERT_LT(resident, 1.0);
  EXPECT_NEAR(r.m().memory.weights, resident * weights, 1e-9 * weights);

  const TaskGraph& g = r.out->graph;
  std::map<int32_t, double> read_by_token, weights_by_token;
  size_t stages = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    if (op.kind == OpKind::kFlashRead) {
      EXPECT_EQ(g.name(i), "page_in");
      EXPECT_EQ(op.flash_request, 128 * 1024);  // Linux's read-around window (policy default)
      EXPECT_GT(op.flash_depth, 0);             // one outstanding fault per compute thread
      if (op.phase == Phase::kDecode) read_by_token[op.token] += op.flash_bytes;
      continue;
    }
    const double w = weight_bytes(g, i);
    if (w <= 0) continue;
    ++stages;
    if (op.phase == Phase::kDecode) weights_by_token[op.token] += w;
    // The stage waits for exactly one page_in of its non-resident weights.
    int reads = 0;
    for (OpId p : g.preds(i)) {
      if (g.op(p).kind != OpKind::kFlashRead) continue;
      ++reads;
      EXPECT_NEAR(g.op(p).flash_bytes, (1.0 - resident) * w, 1e-9 * w) << g.name(i);
      EXPECT_EQ(g.op(p).place.unit, op.place.unit);  // faults stall the stage's own threads
    }
    EXPECT_EQ(reads, 1) << g.name(i);
  }
  EXPECT_EQ(page_ins(g), stages);
  ASSERT_EQ(weights_by_token.size(), 8u);  // gen - 1 decode steps
  double total_read = 0;
  for (const auto& [t, w] : weights_by_token) {
    EXPECT_NEAR(read_by_token[t], (1.0 - resident) * w, 1e-9 * w) << "token " << t;
    // Every layer's weights and the LM head pass once per token; the embedding table does not.
    EXPECT_GE(w, static_cast<double>(m.layer_params() + m.vocab * m.hidden) *
                     storage_bits(m.weight_dtype) / 8);
    EXPECT_LT(w, weights);
    total_read += read_by_token[t];
  }
  EXPECT_NEAR(r.m().decode.flash_bytes_per_token, total_read / 8, 1e-9 * total_read);
  EXPECT_GT(r.m().decode.critical_io_s, 0.0);
}

// A larger fault window reads the same bytes in fewer requests.
TEST(MmapPaging, RequestSizeChangesRequestsNotBytes) {
  const Sim a = run("llamacpp", {offload(0.5)});
  const Sim b = run("llamacpp", {offload(0.5), "policy.mmap_request=1MiB"});
  EXPECT_EQ(a.m().decode.flash_bytes_per_token, b.m().decode.flash_bytes_per_token);
  for (OpId i = 0; i < b.out->graph.size(); ++i) {
    if (b.out->graph.op(i).kind == OpKind::kFlashRead) {
      EXPECT_EQ(b.out->graph.op(i).flash_request, 1024.0 * 1024.0);
    }
  }
}

// With every weight resident (the profile's 19 GB, or exactly weights + KV cache) nothing is
// paged, and llama.cpp (an engine profile of factors 1) is the plain CPU policy.
// Under a --memory budget the page cache gets what the KV cache and the activations leave (the
// kernel evicts file pages for anonymous memory): the plan fills the budget, never more.
TEST(MmapPaging, PageCacheLeavesRoomForActivationsUnderAMemoryBudget) {
  const Sim r = run("llamacpp", {"workload.memory=3GB"});
  const ModelSpec& m = r.loaded.model;
  const double weights = resident_weight_bytes(m, m.weight_dtype);
  const double act = r.m().memory.activations, kv = r.m().memory.kv_cache;
  EXPECT_GT(act, 0.0);
  EXPECT_DOUBLE_EQ(r.m().memory_budget, 3e9);
  EXPECT_NEAR(r.m().memory.weights, 3e9 - kv - act, 1e-9 * weights);
  EXPECT_NEAR(r.m().memory.total(), 3e9, 1.0);
  EXPECT_GT(page_ins(r.out->graph), 0u);
}

TEST(MmapPaging, NoPagingWhenTheWeightsFit) {
  for (BackendKind backend : {BackendKind::kAnalytic, BackendKind::kSimGrid}) {
    const Sim cpu = run("cpu", {"policy.output_rows_only=true"}, backend);  // as llama.cpp
    for (const std::vector<std::string>& sets :
         std::vector<std::vector<std::string>>{{}, {offload(0)}}) {
      const Sim llama = run("llamacpp", sets, backend);
      EXPECT_EQ(page_ins(llama.out->graph), 0u);
      EXPECT_EQ(llama.m().decode.flash_bytes_per_token, 0.0);
      const double weights =
          resident_weight_bytes(llama.loaded.model, llama.loaded.model.weight_dtype);
      EXPECT_DOUBLE_EQ(llama.m().memory.weights, weights);
      ASSERT_EQ(llama.out->graph.size(), cpu.out->graph.size());
      const double tol = backend == BackendKind::kAnalytic ? 0.0 : 1e-9;
      EXPECT_NEAR(llama.m().prefill_s, cpu.m().prefill_s, tol * cpu.m().prefill_s);
      EXPECT_NEAR(llama.m().decode_s, cpu.m().decode_s, tol * cpu.m().decode_s);
      for (OpId i = 0; i < cpu.out->graph.size(); ++i)
        ASSERT_NEAR(llama.out->timing[i].end, cpu.out->timing[i].end, tol * cpu.m().total_s + 1e-15)
            << i;
    }
  }
}

// Without mmap the weights must fit: a budget below them makes the run infeasible.
TEST(MmapPaging, WithoutMmapATooSmallBudgetIsInfeasible) {
  EXPECT_THROW(run("llamacpp", {offload(0.5), "policy.mmap=false"}), InfeasibleError);
  EXPECT_NO_THROW(run("llamacpp", {"policy.mmap=false"}));  // the profile's 19 GB
  EXPECT_NO_THROW(run("llamacpp", {offload(0.5)}));         // mmap (the default) pages instead
}

// Less memory, more of every pass paged in: decode slows down monotonically.
TEST(MmapPaging, DecodeSlowsAsTheBudgetShrinks) {
  double prev_speed = 0, prev_bytes = 0;
  for (double share : {0.0, 0.25, 0.5, 0.75}) {
    const Sim r = run("llamacpp", {offload(share)});
    if (share > 0) {
      EXPECT_LT(r.m().decode_tokens_per_s, prev_speed) << share;
      EXPECT_GT(r.m().decode.flash_bytes_per_token, prev_bytes) << share;
    }
    prev_speed = r.m().decode_tokens_per_s;
    prev_bytes = r.m().decode.flash_bytes_per_token;
  }
}

// The page cache's keep share (dram.page_cache_keep): a pure-LRU cache (0) keeps nothing of a
// cyclic scan larger than itself, so every pass reads all the weights; 0.5 keeps half of the share
// that fits. Measured on Linux by `socsim calibrate-llamacpp` (page_cache_bench.hpp).
TEST(MmapPaging, PageCacheKeepScalesTheResidentShare) {
  const Sim keep = run("llamacpp", {offload(0.5)});
  const Sim half = run("llamacpp", {offload(0.5), "hw.dram.page_cache_keep=0.5"});
  const Sim lru = run("llamacpp", {offload(0.5), "hw.dram.page_cache_keep=0"});
  const ModelSpec& m = keep.loaded.model;
  const double weights = resident_weight_bytes(m, m.weight_dtype);
  const double fits = keep.m().memory.weights / weights;
  ASSERT_GT(fits, 0.5);
  ASSERT_LT(fits, 1.0);
  const double per_token = keep.m().decode.flash_bytes_per_token / (1 - fits);  // weights passed
  EXPECT_NEAR(lru.m().decode.flash_bytes_per_token, per_token, 1e-9 * per_token);
  EXPECT_NEAR(half.m().decode.flash_bytes_per_token, (1 - 0.5 * fits) * per_token,
              1e-9 * per_token);
  EXPECT_LT(lru.m().decode_tokens_per_s, half.m().decode_tokens_per_s);
  EXPECT_LT(half.m().decode_tokens_per_s, keep.m().decode_tokens_per_s);
  // The page cache holds the fitting share whether or not a pass finds it again.
  EXPECT_DOUBLE_EQ(lru.m().memory.weights, keep.m().memory.weights);
  EXPECT_DOUBLE_EQ(half.m().memory.weights, keep.m().memory.weights);
  // Weights that fit are never paged, whatever the cache's policy.
  const Sim fit = run("llamacpp", {"hw.dram.page_cache_keep=0"});
  EXPECT_EQ(page_ins(fit.out->graph), 0u);
}
