// The memory split of the sparse-offloading policies; see sparse_offload_memory.hpp.
#include "sim/policy/impl/sparse_offload_memory.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/lower/transformer_lowering.hpp"
#include "sim/model/dtype.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/sparse/bundle_reads.hpp"
#include "sim/sparse/neuron_cache.hpp"

namespace socsim {
namespace {

// What the activations need beside the cache: the runtime buffers, or the prefill's peak when the
// prompt is long enough to need more (every head's attention scores grow with the prompt
// squared). The prefill is lowered alone (dense, on the compute cores) to measure it; a decode
// step holds one row, within the buffers.
double activation_reserve(const LowerContext& ctx, const SparseOffloadSizing& s) {
  Workload prefill_only = ctx.workload;
  prefill_only.gen = 0;
  const LowerContext pre{ctx.model, ctx.hw, ctx.platform, prefill_only};
  LoweringChoices ch;
  const Placement cpu = s.compute;
  ch.place = [cpu](Stage, Phase) { return cpu; };
  ch.weight_dtype = ctx.model.weight_dtype;
  ch.matmul_dtype = DType::kInt8;
  ch.attention_dtype = ch.elementwise_dtype = DType::kFp16;
  TaskGraph g;
  lower_transformer(pre, ch, g);
  return std::max(s.runtime, peak_activation_bytes(ctx.model, g));
}

}  // namespace

double SparseOffloadMemory::cached_share() const {
  return std::clamp(cache / all_bundles, 0.0, 1.0);
}

double SparseOffloadMemory::resident_weights() const {
  return fixed + predictors + scales + std::max(0.0, cache);
}

SparseOffloadMemory plan_sparse_offload_memory(const LowerContext& ctx,
                                               const SparseOffloadSizing& s) {
  const ModelSpec& m = ctx.model;
  const DType w = m.weight_dtype;
  const double matrices = static_cast<double>(m.layers * std::max<int64_t>(m.moe.experts, 1));
  SparseOffloadMemory p;
  p.budget = memory_budget(m, ctx.hw, ctx.workload);
  p.fixed = resident_weight_bytes(m, w) - ffn_weight_bytes(m);
  p.kv_cache = kv_cache_bytes(m, ctx.workload);
  p.predictors = 2.0 * matrices * static_cast<double>(s.predictor_rank) *
                 static_cast<double>(m.hidden + m.ffn);
  p.scales = ffn_weight_bytes(m) * (1.0 - plain_bits(w) / storage_bits(w));
  p.all_bundles =
      matrices * static_cast<double>(m.ffn) * bundle_layout(m, s.cluster_size).bundle_bytes;
  if (!std::isnan(ctx.workload.ffn_offload) && std::isnan(ctx.workload.memory)) {
    p.cache = (1.0 - ctx.workload.ffn_offload) * p.all_bundles;
  } else {
    p.activations = activation_reserve(ctx, s);
    p.cache = p.budget - p.fixed - p.kv_cache - p.predictors - p.scales - p.activations;
  }
  return p;
}

// LLM in a flash holds the neurons active in the last `window` tokens. Sized to the cache, the
// window is the largest whose expected footprint fits: a neuron firing with probability p on a
// token routed to its expert (routed with probability q = experts_per_token / experts) is held
// with probability 1 - (1 - q p)^k. Tokens are taken as independent; locality makes the real
// footprint smaller, so the window errs short. Experts share their layer's firing rates.
int64_t fitted_window(const ModelSpec& m, const ActivationSource& src, int64_t max_window,
                      double cache_bytes, int64_t cluster_size) {
  const double experts = static_cast<double>(std::max<int64_t>(m.moe.experts, 1));
  const double q = static_cast<double>(std::max<int64_t>(m.moe.experts_per_token, 1)) / experts;
  std::map<double, double> neurons_by_p;  // the rates are bucketed: a few hundred keys
  for (int64_t l = 0; l < m.layers; ++l)
    for (int64_t r = 0; r < m.ffn; ++r)
      neurons_by_p[q * src.firing_probability(l, 0, r)] += experts;
  const double cache_neurons = cache_bytes / bundle_layout(m, cluster_size).bundle_bytes;
  auto footprint = [&](int64_t k) {
    double n = 0;
    for (const auto& [p, count] : neurons_by_p)
      n += count * (1.0 - std::pow(1.0 - p, static_cast<double>(k)));
    return n;
  };
  int64_t lo = 0, hi = max_window;  // the footprint grows with the window
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (footprint(mid) <= cache_neurons)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

// PowerInfer-2's planner sizes the hot and cold regions by profiling the model's activations
// (section 5). So does this one: it replays 64 tokens of one layer of the seeded activation
// model (its own seed, not the run's) through a one-layer cache of each candidate split, in
// tenths, and keeps the split with the most hits. Layers share their firing rates, so one layer
// stands for all; locality and expert routing are part of the replay.
double planned_hot_share(const ModelSpec& m, const ActivationParams& params, const BundleLayout& l,
                         double cache, int64_t cluster_size) {
  ActivationShape shape = activation_shape(m);
  const double matrices = static_cast<double>(m.layers * std::max<int64_t>(m.moe.experts, 1));
  shape.layers = 1;
  shape.per_layer.clear();
  const double per_matrix = cache / matrices;  // bytes
  double best = 0;
  int64_t best_hits = -1;
  for (int tenth = 0; tenth <= 10; ++tenth) {
    const double share = tenth / 10.0;
    NeuronCacheConfig c;
    c.layers = 1;
    c.experts = shape.experts;
    c.neurons = m.ffn;
    c.cluster_size = cluster_size;
    c.bytes_per_neuron = l.bundle_bytes;
    const auto hot =
        std::min<int64_t>(static_cast<int64_t>(per_matrix * share / l.bundle_bytes), m.ffn) /
        cluster_size * cluster_size;
    c.hot_limit = {hot};
    c.hot_bytes = static_cast<double>(hot * shape.experts) * l.bundle_bytes;
    c.cold_bytes = std::max(0.0, per_matrix * static_cast<double>(shape.experts) - c.hot_bytes);
    NeuronCache trial(c);
    trial.warm();
    ActivationParams p = params;
    p.seed = params.seed ^ 0x9e3779b97f4a7c15ull;  // a profiling run, not the measured tokens
    StochasticActivations src(shape, p);
    int64_t hits = 0;
    for (int t = 0; t < 64; ++t) {
      src.next_token();
      for (int32_t e : src.experts(0)) hits += trial.access(0, e, src.active(0, e)).hits();
    }
    if (hits > best_hits) best = share, best_hits = hits;
  }
  return best;
}

}  // namespace socsim
