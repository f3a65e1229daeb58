// The memory split of the sparse-offloading policies (`powerinfer2`, `llmflash`), as PowerInfer-2
// splits its budget: a fixed region (attention, embeddings, LM head, norms), the KV cache, the
// predictors, the quantisation scales that stay in DRAM, the activations (the runtime buffers, or
// a long prompt's prefill peak), and the neuron cache, which gets whatever is left. Computed once
// per check, lowering and memory report of a run: the activation reserve lowers the prefill.
// Also how the cache is used: LLM in a flash's window sized to it, PowerInfer-2's hot/cold split.
#pragma once

#include <cstdint>

#include "sim/graph/task_graph.hpp"
#include "sim/policy/policy.hpp"
#include "sim/sparse/activation_model.hpp"
#include "sim/sparse/bundle_reads.hpp"

namespace socsim {

// The policy parameters the split depends on.
struct SparseOffloadSizing {
  int64_t predictor_rank = 276;  // low-rank predictor per (layer, expert)
  int64_t cluster_size = 32;     // neurons per cluster (the bundle layout's unit)
  double runtime = 300e6;        // runtime buffers, the activations' floor
  Placement compute;             // where the prefill is lowered to measure its activations
};

struct SparseOffloadMemory {
  double budget = 0;       // the run's memory budget
  double fixed = 0;        // resident weights other than the FFN
  double kv_cache = 0;     // at the run's full length
  double predictors = 0;   // 2 x rank x (hidden + ffn) per (layer, expert)
  double scales = 0;       // quantisation scales of the FFN (flash bundles hold plain values)
  double activations = 0;  // max(runtime buffers, the prefill's peak); 0 with ffn_offload
  double cache = 0;        // the neuron cache: the rest of the budget (< 0: it does not fit)
  double all_bundles = 0;  // every FFN neuron's bundle as stored in flash
  // Share of the FFN neurons the cache holds, in [0, 1].
  double cached_share() const;
  // Weights the plan keeps in DRAM: fixed region, predictors, scales and the cache.
  double resident_weights() const;
};

// The split for the run of `ctx`; with workload.ffn_offload (and no explicit memory budget) the
// cache holds the other share of the FFN neurons instead of what the budget leaves.
SparseOffloadMemory plan_sparse_offload_memory(const LowerContext& ctx,
                                               const SparseOffloadSizing& sizing);

// LLM in a flash's window sized to a cache of `cache_bytes`: the largest window, at most
// `max_window` tokens, whose expected footprint fits (0 when not even one token's neurons do).
int64_t fitted_window(const ModelSpec& m, const ActivationSource& src, int64_t max_window,
                      double cache_bytes, int64_t cluster_size);

// PowerInfer-2's planner: the share of a `cache`-byte neuron cache given to the hot region, the
// tenth whose replay of profiled activations hits most.
double planned_hot_share(const ModelSpec& m, const ActivationParams& params, const BundleLayout& l,
                         double cache, int64_t cluster_size);

}  // namespace socsim
