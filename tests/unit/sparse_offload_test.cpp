// The sparse offloading policies (`powerinfer2`, `llmflash`) on Bamboo-7B and the OnePlus 12, short
// runs (prompt 16, 16 decoded tokens) with half of the FFN weights in flash: determinism, the
// effect of each mechanism flag, memory vs cache hit rate and flash traffic, the memory plan's
// parts, the inputs they reject, and the decode metrics of a run.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/sparse/activation_model.hpp"
#include "sim/sparse/bundle_reads.hpp"

using namespace socsim;

namespace {

constexpr int64_t kPrompt = 16, kGen = 17;

struct Sim {
  LoadedRun loaded;
  std::unique_ptr<RunOutput> out;
  const RunMetrics& m() const { return out->metrics; }
};

std::vector<std::string> with_defaults(double ffn_offload, std::vector<std::string> sets) {
  std::vector<std::string> all{"workload.prompt=" + std::to_string(kPrompt),
                               "workload.gen=" + std::to_string(kGen)};
  if (!std::isnan(ffn_offload)) all.push_back(fmt::format("workload.ffn_offload={}", ffn_offload));
  all.insert(all.end(), sets.begin(), sets.end());
  return all;
}

Sim run(const std::string& policy, double ffn_offload, std::vector<std::string> sets = {},
        const std::string& hw = "oneplus-12", const std::string& model = "bamboo-7b") {
  RunRequest req;
  req.hw = hw;
  req.model = model;
  req.policy = policy;
  req.sets = with_defaults(ffn_offload, std::move(sets));
  Sim r;
  r.loaded = load_run(req);
  r.out = simulate(r.loaded, BackendKind::kSimGrid);
  return r;
}

double metric(const Sim& r, std::string_view name) {
  for (const auto& [k, v] : r.m().policy_metrics)
    if (k == name) return v;
  ADD_FAILURE() << "no policy metric " << name;
  return std::numeric_limits<double>::quiet_NaN();
}

double flash_per_token(const Sim& r) {
  return r.m().decode.flash_bytes_per_token;
}

// Flash requests of the decode phase (bytes over request size, per flash op).
double decode_requests(const Sim& r) {
  double n = 0;
  for (OpId i = 0; i < r.out->graph.size(); ++i) {
    const Op& op = r.out->graph.op(i);
    if (op.phase == Phase::kDecode && op.flash_bytes > 0) n += op.flash_bytes / op.flash_request;
  }
  return n;
}

// One flash page per matrix row of the model (Gate, Up or Down of one neuron).
double row_page(const ModelSpec& m) {
  return std::ceil(ffn_row_bytes(m.hidden, m.weight_dtype) / kFlashPage) * kFlashPage;
}

}  // namespace

// The activation model is seeded: the same seed gives the same decode, bit for bit (each run in a
// fresh process, as `socsim reproduce` runs design points), another seed other neurons.
TEST(SparseOffload, SeedDeterminesTheDecode) {
  auto point = [](int seed) {
    return run_isolated([seed] {
      const Sim r = run("powerinfer2", 0.5, {fmt::format("policy.seed={}", seed)});
      std::vector<double> v{flash_per_token(r), metric(r, "cache_hit_rate"),
                            r.m().decode_tokens_per_s};
      v.insert(v.end(), r.m().decode.token_latency_s.begin(), r.m().decode.token_latency_s.end());
      return v;
    });
  };
  const std::vector<double> a = point(1), b = point(1), c = point(2);
  ASSERT_EQ(a.size(), 3u + (kGen - 1));
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], c[0]);  // other neurons fire, other misses
  EXPECT_NE(a[1], c[1]);
}

// The flash traffic the lowering counts is the traffic of the graph's decode flash ops.
TEST(SparseOffload, PolicyFlashBytesMatchTheGraph) {
  for (const char* policy : {"powerinfer2", "llmflash"}) {
    const Sim r = run(policy, 0.5);
    EXPECT_GT(flash_per_token(r), 0.0) << policy;
    EXPECT_DOUBLE_EQ(metric(r, "ffn_flash_bytes_per_token"), flash_per_token(r)) << policy;
  }
}

// Without the neuron cache every predicted neuron is read on every token: per layer, the Gate page
// of each predicted neuron and the Up/Down page of each active one, where the predictor adds
// predictor_extra inactive neurons per active one and ffn_active of the neurons are active.
TEST(SparseOffload, WithoutTheNeuronCacheEveryPredictedNeuronIsRead) {
  const Sim full = run("powerinfer2", 0.5);
  const Sim uncached = run("powerinfer2", 0.5, {"policy.neuron_cache=false"});
  const ModelSpec& m = full.loaded.model;
  const BundleLayout l = bundle_layout(m, 32);
  ASSERT_TRUE(l.split);  // INT4: Gate page, then the Up/Down pages
  const double active = m.ffn_active_fraction(0) * static_cast<double>(m.ffn);
  const double expected =
      static_cast<double>(m.layers) * active * ((1.0 + 0.07) * l.gate_read + l.up_down_read);
  EXPECT_NEAR(flash_per_token(uncached), expected, 0.03 * expected);
  // With the cache only misses are read, at most a whole bundle (two pages) per missed access;
  // the accesses are the predicted neurons, each of which costs the uncached run at least a page.
  const double hit = metric(full, "cache_hit_rate");
  EXPECT_GT(hit, 0.5);
  EXPECT_LE(flash_per_token(full), (1.0 - hit) * 2.0 * flash_per_token(uncached));
  EXPECT_EQ(metric(uncached, "cache_hit_rate"), 0.0);  // nothing goes through the cache
  EXPECT_LT(uncached.m().decode_tokens_per_s, full.m().decode_tokens_per_s);
}

// The pipeline only overlaps reads with compute: the same bytes, no faster without it.
TEST(SparseOffload, PipelineOverlapsTheSameReads) {
  const Sim full = run("powerinfer2", 0.5);
  const Sim serial = run("powerinfer2", 0.5, {"policy.pipeline=false"});
  EXPECT_EQ(flash_per_token(serial), flash_per_token(full));
  EXPECT_LE(serial.m().decode_tokens_per_s, full.m().decode_tokens_per_s);
  EXPECT_LT(serial.m().decode_tokens_per_s, full.m().decode_tokens_per_s * (1 - 1e-6));
}

// Unbundled, Up and Down of an active neuron are two row reads instead of one bundle read (INT4:
// one page each), so every extra request is one more page.
TEST(SparseOffload, UnbundledLayoutIssuesMoreReads) {
  const Sim full = run("powerinfer2", 0.5);
  const Sim rows = run("powerinfer2", 0.5, {"policy.bundling=false"});
  const double page = row_page(full.loaded.model);
  EXPECT_GT(flash_per_token(rows), flash_per_token(full));
  EXPECT_LT(flash_per_token(rows), 2.0 * flash_per_token(full));  // Gate pages are read as before
  const double extra_requests = decode_requests(rows) - decode_requests(full);
  EXPECT_GT(extra_requests, 0.0);
  const double extra_bytes = (flash_per_token(rows) - flash_per_token(full)) * (kGen - 1);
  EXPECT_NEAR(extra_requests * page, extra_bytes, 1e-6 * extra_bytes);
  EXPECT_LT(rows.m().decode_tokens_per_s, full.m().decode_tokens_per_s);
  EXPECT_EQ(metric(rows, "cache_hit_rate"), metric(full, "cache_hit_rate"));  // same cache
}

// Gate first reads Up/Down only for neurons that fire. Read whole, every predicted neuron costs a
// whole bundle: uncached, 2 x predicted pages instead of predicted + active pages, the difference
// the predictor's extra neurons (predictor_extra of the active ones). With the cache the extra
// (hottest inactive) neurons are cached, so the bytes can only stay the same or grow.
TEST(SparseOffload, GateFirstSavesTheInactiveNeuronsUpDownReads) {
  const Sim split = run("powerinfer2", 0.5, {"policy.neuron_cache=false"});
  const Sim whole =
      run("powerinfer2", 0.5, {"policy.neuron_cache=false", "policy.gate_first=false"});
  const double page = row_page(split.loaded.model);
  const double predicted = flash_per_token(whole) / (2 * page);
  const double active = flash_per_token(split) / page - predicted;
  EXPECT_GT(flash_per_token(whole), flash_per_token(split));
  EXPECT_NEAR((predicted - active) / active, 0.07, 0.002);

  const Sim cached_split = run("powerinfer2", 0.5);
  const Sim cached_whole = run("powerinfer2", 0.5, {"policy.gate_first=false"});
  EXPECT_GE(flash_per_token(cached_whole), flash_per_token(cached_split));
  // Whole bundles are one request each: never more requests than Gate + Up/Down.
  EXPECT_LE(decode_requests(cached_whole), decode_requests(cached_split));
}

// More DRAM for the neuron cache: a higher hit rate and less flash traffic, none when the whole
// FFN fits (the planner's warm cache holds every neuron).
TEST(SparseOffload, MoreMemoryMeansMoreHitsAndFewerReads) {
  const Sim r50 = run("powerinfer2", 0.5);
  const Sim r25 = run("powerinfer2", 0.25);
  const Sim r0 = run("powerinfer2", 0.0);
  EXPECT_LT(metric(r50, "cache_hit_rate"), metric(r25, "cache_hit_rate"));
  EXPECT_LT(metric(r25, "cache_hit_rate"), metric(r0, "cache_hit_rate"));
  EXPECT_DOUBLE_EQ(metric(r0, "cache_hit_rate"), 1.0);
  EXPECT_GT(flash_per_token(r50), flash_per_token(r25));
  EXPECT_GT(flash_per_token(r25), flash_per_token(r0));
  EXPECT_LE(flash_per_token(r0), 1e-9 * flash_per_token(r50));
  EXPECT_LT(r50.m().decode_tokens_per_s, r25.m().decode_tokens_per_s);
  EXPECT_LT(r25.m().decode_tokens_per_s, r0.m().decode_tokens_per_s);
  // The cache holds the resident share of the neurons (whole padded bundles).
  const ModelSpec& m = r50.loaded.model;
  const double bundle = bundle_layout(m, 32).bundle_bytes;
  const double neurons = static_cast<double>(m.layers * m.ffn);
  for (const auto& [r, offload] : {std::pair{&r50, 0.5}, {&r25, 0.25}, {&r0, 0.0}}) {
    const double want = (1 - offload) * neurons * bundle;
    EXPECT_LE(metric(*r, "neuron_cache_bytes"), want);
    EXPECT_GE(metric(*r, "neuron_cache_bytes"), want - static_cast<double>(m.layers) * bundle);
  }
}

// LLM in a flash keeps what fired in the last `window` tokens: with everything in DRAM nothing is
// read and every access hits; with half the FFN in flash, less memory never reads less.
TEST(SparseOffload, LlmFlashReadsNothingWhenTheFfnFits) {
  const Sim r50 = run("llmflash", 0.5);
  const Sim r25 = run("llmflash", 0.25);
  const Sim r0 = run("llmflash", 0.0);
  EXPECT_GT(flash_per_token(r50), 0.0);
  EXPECT_GE(flash_per_token(r50), flash_per_token(r25));
  EXPECT_GT(flash_per_token(r25), flash_per_token(r0));
  EXPECT_LE(flash_per_token(r0), 1e-9 * flash_per_token(r50));
  EXPECT_LE(metric(r50, "cache_hit_rate"), metric(r25, "cache_hit_rate"));
  EXPECT_LT(metric(r25, "cache_hit_rate"), metric(r0, "cache_hit_rate"));
  EXPECT_DOUBLE_EQ(metric(r0, "cache_hit_rate"), 1.0);
  EXPECT_LT(r50.m().decode_tokens_per_s, r0.m().decode_tokens_per_s);
}

// A shorter window drops neurons sooner: fewer hits, more reads, slower decode.
TEST(SparseOffload, LlmFlashShorterWindowReadsMore) {
  const Sim w5 = run("llmflash", 0.5, {"policy.window=5", "policy.window_fit=false"});
  const Sim w1 = run("llmflash", 0.5, {"policy.window=1", "policy.window_fit=false"});
  EXPECT_EQ(metric(w5, "window_tokens"), 5.0);
  EXPECT_EQ(metric(w1, "window_tokens"), 1.0);
  EXPECT_GT(flash_per_token(w1), flash_per_token(w5));
  EXPECT_LT(metric(w1, "cache_hit_rate"), metric(w5, "cache_hit_rate"));
  EXPECT_LT(w1.m().decode_tokens_per_s, w5.m().decode_tokens_per_s);
}

// Sized to the cache (llmflash's default), the window grows with the budget and its expected
// footprint, recomputed here from the firing rates, fits the cache while one token more would not;
// with no room for even one token's neurons nothing is kept and every predicted neuron is read.
TEST(SparseOffload, LlmFlashWindowSizedToTheCache) {
  const Sim small = run("llmflash", 0.75), large = run("llmflash", 0.25);
  const double k_small = metric(small, "window_tokens"), k_large = metric(large, "window_tokens");
  EXPECT_GE(k_small, 1.0);
  EXPECT_GT(k_large, k_small);
  EXPECT_GT(metric(large, "cache_hit_rate"), metric(small, "cache_hit_rate"));
  // Footprint of a window of k tokens, in neurons (dense model: q = 1).
  const ModelSpec& m = small.loaded.model;
  const ActivationShape shape = activation_shape(m);
  ActivationParams ap;  // the policy's defaults
  ap.seed = 1;
  ap.hotness_exponent = 1.25;
  ap.locality = 0.3;
  const StochasticActivations src(shape, ap);
  auto footprint = [&](double k) {
    double n = 0;
    for (int64_t l = 0; l < m.layers; ++l)
      for (int64_t r = 0; r < m.ffn; ++r)
        n += 1.0 - std::pow(1.0 - src.firing_probability(l, 0, r), k);
    return n * bundle_layout(m, 32).bundle_bytes;
  };
  const double cache =
      0.25 * static_cast<double>(m.layers * m.ffn) * bundle_layout(m, 32).bundle_bytes;
  EXPECT_LE(footprint(k_small), cache);
  EXPECT_GT(footprint(k_small + 1), cache);
  const Sim none = run("llmflash", 0.999);
  EXPECT_EQ(metric(none, "window_tokens"), 0.0);
  EXPECT_EQ(metric(none, "cache_hit_rate"), 0.0);
  EXPECT_GT(flash_per_token(none), flash_per_token(small));
}

// The plan's weights: the fixed region (all but the FFN), the FP16 low-rank predictors (hidden x r
// + r x ffn per layer and expert), the quantisation scales of the FFN, and the neuron cache (the
// resident share of the neurons as padded bundles); the runtime buffers count as activations.
TEST(SparseOffload, MemoryPlanParts) {
  const Sim r = run("powerinfer2", 0.5);
  const ModelSpec& m = r.loaded.model;
  const double ffn = ffn_weight_bytes(m);
  const double fixed = resident_weight_bytes(m, m.weight_dtype) - ffn;
  const double experts = static_cast<double>(std::max<int64_t>(m.moe.experts, 1));
  auto predictor = [&](double rank) {
    return 2.0 * static_cast<double>(m.layers) * experts * rank *
           static_cast<double>(m.hidden + m.ffn);
  };
  const double scales = ffn * (1.0 - plain_bits(m.weight_dtype) / storage_bits(m.weight_dtype));
  EXPECT_GT(scales, 0.0);  // INT4 with per-block scales
  const double cache = 0.5 * static_cast<double>(m.layers) * experts * static_cast<double>(m.ffn) *
                       bundle_layout(m, 32).bundle_bytes;
  EXPECT_NEAR(r.m().memory.weights, fixed + predictor(276) + scales + cache,
              1e-9 * r.m().memory.weights);
  EXPECT_DOUBLE_EQ(r.m().memory.kv_cache, kv_cache_bytes(m, r.loaded.workload));
  EXPECT_EQ(r.m().memory.activations, 300e6);  // the runtime buffers hold the activations

  const Sim r100 = run("powerinfer2", 0.5, {"policy.predictor_rank=100"});
  const Sim r500 = run("powerinfer2", 0.5, {"policy.predictor_rank=500"});
  EXPECT_NEAR(r500.m().memory.weights - r100.m().memory.weights, predictor(500) - predictor(100),
              1e-9 * r.m().memory.weights);
  const Sim runtime = run("powerinfer2", 0.5, {"policy.runtime_memory=500MB"});
  EXPECT_NEAR(runtime.m().memory.activations - r.m().memory.activations, 200e6, 1.0);
  const Sim r25 = run("powerinfer2", 0.25);
  EXPECT_NEAR(r25.m().memory.weights - r.m().memory.weights, 0.5 * cache,
              1e-9 * r.m().memory.weights);
  // An offload share defines the run: its budget is what the plan needs. A budget given as
  // --memory holds the plan (the runtime buffers hold the activations).
  EXPECT_DOUBLE_EQ(r.m().memory_budget, r.m().memory.total());
  const Sim given = run("powerinfer2", std::nan(""), {"workload.memory=5GB"});
  EXPECT_DOUBLE_EQ(given.m().memory_budget, 5e9);
  EXPECT_LE(given.m().memory.total(), 5e9);
  EXPECT_GT(given.m().memory.total(), 0.99 * 5e9);
}

TEST(SparseOffload, RejectsModelsWithoutSparsity) {
  for (const char* policy : {"powerinfer2", "llmflash"}) {
    try {
      run(policy, 0.5, {}, "oneplus-12", "qwen1.5-1.8b");
      ADD_FAILURE() << policy << " accepted a dense model";
    } catch (const InputError& e) {
      EXPECT_NE(e.diagnostics().to_string().find("sparsity"), std::string::npos)
          << e.diagnostics().to_string();
    }
  }
}

// The OnePlus 12 profile with its NPU section removed: the hybrid split needs an NPU.
TEST(SparseOffload, HybridNeedsAnNpu) {
  std::ifstream in(std::string(SOCSIM_DATA_DIR) + "/hwprofiles/oneplus-12.yaml");
  ASSERT_TRUE(in);
  std::ostringstream kept;
  bool in_npu = false, removed = false;
  for (std::string line; std::getline(in, line);) {
    const bool top = !line.empty() && line[0] != ' ' && line[0] != '#';
    if (top) in_npu = line.rfind("npu:", 0) == 0;
    removed = removed || in_npu;
    if (!in_npu) kept << line << '\n';
  }
  ASSERT_TRUE(removed);
  const std::string path = ::testing::TempDir() + "/oneplus-12-no-npu.yaml";
  std::ofstream(path) << kept.str();

  try {
    run("powerinfer2", 0.5, {"policy.hybrid=true"}, path);
    ADD_FAILURE() << "hybrid accepted without an NPU";
  } catch (const InputError& e) {
    EXPECT_NE(e.diagnostics().to_string().find("no NPU"), std::string::npos)
        << e.diagnostics().to_string();
  }
  const Sim cpu_only = run("powerinfer2", 0.5, {"policy.hybrid=false"}, path);
  EXPECT_FALSE(cpu_only.loaded.hw->has_npu);
  EXPECT_GT(cpu_only.m().decode_tokens_per_s, 0.0);
  const Sim llmflash = run("llmflash", 0.5, {}, path);  // CPU only by default
  EXPECT_GT(llmflash.m().decode_tokens_per_s, 0.0);
}

// Per-token latencies, their percentiles, and the critical path of a run's decode.
TEST(SparseOffload, DecodeMetricsAreConsistent) {
  for (const char* policy : {"powerinfer2", "llmflash"}) {
    for (double offload : {0.5, 0.0}) {
      SCOPED_TRACE(fmt::format("{} ffn_offload={}", policy, offload));
      const Sim r = run(policy, offload);
      const DecodeMetrics& d = r.m().decode;
      ASSERT_EQ(d.token_latency_s.size(), static_cast<size_t>(kGen - 1));
      const auto [lo, hi] = std::minmax_element(d.token_latency_s.begin(), d.token_latency_s.end());
      EXPECT_GT(*lo, 0.0);
      EXPECT_LE(d.p50_s, d.p90_s);
      EXPECT_LE(d.p90_s, d.p99_s);
      EXPECT_EQ(d.p99_s, *hi);  // nearest rank of P99 among fewer than 100 is the largest
      EXPECT_GE(d.p50_s, *lo);
      EXPECT_LE(*lo, d.mean_s);
      EXPECT_LE(d.mean_s, *hi);
      double sum = 0;
      for (double v : d.token_latency_s) sum += v;
      EXPECT_NEAR(sum, r.m().decode_s, 1e-9 * r.m().decode_s);
      EXPECT_NEAR(r.m().decode_tokens_per_s, 1.0 / d.mean_s, 1e-9 / d.mean_s);
      // The critical path runs from the first token's logits to the last op.
      const double path = d.critical_compute_s + d.critical_io_s + d.critical_wait_s;
      EXPECT_NEAR(path / r.m().decode_s, 1.0, 1e-9);
      EXPECT_GT(d.critical_compute_s, 0.0);
      EXPECT_GE(d.critical_wait_s, 0.0);
      if (offload > 0)
        EXPECT_GT(d.critical_io_s, 0.0);
      else
        EXPECT_EQ(d.critical_io_s, 0.0);  // nothing is read during decode
    }
  }
}

// A predictor that misses the coldest active neurons reads and computes less (their accuracy is
// what it costs): flash bytes fall as recall falls, recall 1 is the default, and with recall 0
// only the hot neurons (none on this profile, whose planner gives the NPU nothing) and the false
// positives (none: they scale with the predicted active ones) remain.
TEST(SparseOffload, LowerRecallReadsLess) {
  const Sim full = run("powerinfer2", 0.5);
  const Sim one = run("powerinfer2", 0.5, {"policy.predictor_recall=1"});
  const Sim most = run("powerinfer2", 0.5, {"policy.predictor_recall=0.9"});
  const Sim none = run("powerinfer2", 0.5, {"policy.predictor_recall=0"});
  EXPECT_EQ(flash_per_token(one), flash_per_token(full));
  EXPECT_LT(flash_per_token(most), flash_per_token(one));
  EXPECT_LT(flash_per_token(none), flash_per_token(most));
  EXPECT_GT(most.m().decode_tokens_per_s, one.m().decode_tokens_per_s);
}
