// `powerinfer2` (PowerInfer-2, arXiv 2406.06282 v3) and `llmflash` (LLM in a flash, arXiv
// 2312.11514, as PowerInfer-2 evaluates it): sparse decode with FFN weights in flash behind a DRAM
// neuron cache, every mechanism a parameter (sim/policy/sparse_ffn.hpp lowers the FFN):
// - memory: the budget (--memory or workload.ffn_offload) is split as the paper does: a fixed
//   region (attention, embeddings, LM head, norms, KV cache), the predictors, the quantisation
//   scales, the runtime, and the neuron cache (the rest; hot region `hot_share` of it), in
//   sparse_offload_memory.hpp;
// - neuron clusters: the hottest neurons of each FFN (up to `npu_share`, as many as the hot region
//   holds) run densely on the NPU (`hybrid`), the cold ones sparsely on the CPU behind the
//   predictor; hot clusters are cached cluster by cluster, cold neurons one by one (LRU both);
// - flash: bundles (Gate/Up/Down together; INT4 read as two 4 KiB pages, Up/Down only if the Gate
//   fires) from one I/O core; `bundling` off stores three matrices (a read per row);
// - the cluster pipeline (`pipeline`) or matrix-level overlap;
// - prefill: dense on the NPU, the next layer's offloaded FFN preloaded by sequential reads on the
//   I/O core.
// `llmflash` is the same machinery with its own defaults: CPU only, its sliding window (a neuron
// stays in DRAM while it was active in the last `window` tokens; the window, not the budget, bounds
// what it keeps, unless the whole FFN fits), whole-bundle reads issued from several cores,
// matrix-level overlap.
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "sim/graph/op_formulas.hpp"
#include "sim/lower/transformer_lowering.hpp"
#include "sim/policy/head_split.hpp"
#include "sim/policy/impl/sparse_offload_memory.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/policy.hpp"
#include "sim/policy/sparse_ffn.hpp"
#include "sim/sparse/activation_trace.hpp"
#include "sim/sparse/prefetched_activations.hpp"

namespace socsim {
namespace {

struct Defaults {
  bool hybrid, pipeline, split;
  int64_t read_threads;
  double hot_share, io_slowdown;
  int64_t window;
  bool window_fit;
};

class SparseOffloadPolicy : public Policy {
 public:
  explicit SparseOffloadPolicy(Defaults d) : d_(d) {}

  void visit_params(FieldVisitor& v) override {
    auto b = [](bool x) { return x ? "true" : "false"; };
    v.flag("hybrid", o_.hybrid,
           {"hot neurons dense on the NPU; off: all on the CPU", b(d_.hybrid)});
    v.flag("neuron_cache", o_.cache,
           {"DRAM neuron cache; off: read every predicted neuron", "true"});
    v.flag("bundling", o_.bundled,
           {"Gate/Up/Down of a neuron stored together in flash; off: three matrices", "true"});
    v.flag("pipeline", o_.pipeline,
           {"cluster pipeline; off: matrix-level overlap", b(d_.pipeline)});
    v.integer("read_threads", o_.read_threads,
              {.help = "reader threads issuing blocking flash reads while the compute waits; 0: an "
                       "asynchronous I/O core beside the compute",
               .default_text = d_.read_threads > 0 ? "32" : "0",
               .min = 0,
               .max = 256,
               .provenance = d_.read_threads > 0
                                 ? "datasheet: LLM in a flash reads with 32 threads (arXiv "
                                   "2312.11514 section 4.1); its I/O and compute add up (Table 3)"
                                 : "datasheet: PowerInfer-2 has one I/O thread beside its compute "
                                   "threads (arXiv 2406.06282 v3 section 4.3)"});
    v.flag("gate_first", split_,
           {"quantised bundles read Gate first, Up/Down only if the Gate fires", b(d_.split)});
    v.integer("pipeline_depth", o_.pipeline_depth,
              {.help = "clusters a layer's flash-resident cold neurons are cut into when pipelined",
               .default_text = "4",
               .min = 1,
               .max = 1024,
               .provenance = "assumption [2, 16]: not stated by PowerInfer-2; its Fig. 6 example "
                             "has 8 clusters per matrix, 4 of them read from flash"});
    v.integer("cluster_size", cluster_size_,
              {.help = "hot neurons per cluster (one sequential read; assumption)",
               .default_text = "32",
               .min = 1,
               .max = 65536,
               .provenance = "assumption [x0.25, x4]: PowerInfer-2 gives no cluster size; one "
                             "sequential read of a few bundles"});
    v.quantity("npu_share", npu_share_, Dim::kNumber,
               {.help = "largest share of each FFN's neurons (the hottest) run densely on the NPU "
                        "(PowerInfer-2: half at batch 1)",
                .default_text = "0.5",
                .min = 0,
                .max = 1,
                .provenance = "datasheet: PowerInfer-2 (arXiv 2406.06282 v3) section 4.1.2: the "
                              "NPU takes half of each FFN's neurons at batch 1"});
    v.quantity(
        "hot_share", hot_share_, Dim::kNumber,
        {.help = "share of the neuron cache given to hot clusters; unset = the planner's choice "
                 "(most expected hits from the model's firing rates)",
         .default_text = d_.hot_share > 0 ? std::optional<std::string_view>() : "0",
         .min = 0,
         .max = 1,
         .derived = d_.hot_share > 0,
         .provenance = d_.hot_share > 0 ? ""
                                        : "datasheet: a mode, not a quantity: LLM in a flash "
                                          "keeps no hot region, its sliding window decides"});
    v.quantity("predictor_recall", o_.predictor_recall, Dim::kNumber,
               {.help = "share of active cold neurons the predictor catches; the coldest are "
                        "missed (not read, not computed; assumption: 1)",
                .default_text = "1",
                .min = 0,
                .max = 1,
                .provenance = "assumption [0.9, 1]: a perfect predictor; low-rank predictors miss "
                              "some of the coldest active neurons"});
    v.quantity("predictor_extra", o_.predictor_extra, Dim::kNumber,
               {.help = "predicted-but-inactive neurons per active one (LLM in a flash's low-rank "
                        "predictors: ~7% false positives, arXiv 2312.11514 App. B)",
                .default_text = "0.07",
                .min = 0,
                .max = 10,
                .provenance = "measured: LLM in a flash (arXiv 2312.11514) App. B: ~7% false "
                              "positives of its low-rank predictors"});
    v.integer("predictor_rank", o_.predictor_rank,
              {.help = "rank of each FFN's FP16 low-rank predictor; 276 gives PowerInfer-2's 2.6 "
                       "GB for TurboSparse-Mixtral-47B",
               .default_text = "276",
               .min = 1,
               .max = 65536,
               .provenance = "datasheet: the rank that gives PowerInfer-2's 2.6 GB of predictors "
                             "for TurboSparse-Mixtral-47B"});
    v.quantity("runtime_memory", runtime_, Dim::kBytes,
               {.help = "runtime buffers (PowerInfer-2, Mixtral-47B: 300 MB)",
                .default_text = "300MB",
                .min = 0,
                .max = 1e12,
                .provenance = "measured: PowerInfer-2 (arXiv 2406.06282 v3), the runtime's 300 MB "
                              "in its TurboSparse-Mixtral-47B memory budget"});
    v.quantity("io_slowdown", o_.io_slowdown, Dim::kNumber,
               {.help = "slowdown of random reads from the issue pattern (several cores into one "
                        "UFS queue: up to 1/0.6, PowerInfer-2)",
                .default_text = d_.io_slowdown > 1 ? "1.667" : "1",
                .min = 1,
                .max = 10,
                .provenance = d_.io_slowdown > 1
                                  ? "measured: PowerInfer-2 (arXiv 2406.06282 v3): random reads "
                                    "issued from several cores into one UFS queue lose up to 40%"
                                  : "datasheet: PowerInfer-2 issues every flash read from one I/O "
                                    "core, so no issue-pattern slowdown"});
    v.flag("page_faults", page_faults_,
           {"PC-style loading (PowerInfer on a PC, a llama.cpp fork): mmapped matrices, each "
            "missed row a synchronous page fault of `fault_request` on a compute thread",
            "false"});
    v.quantity("fault_request", fault_request_, Dim::kBytes,
               {.help = "bytes read per page fault (the kernel's read-around window; assumption: "
                        "Linux's default 128 KiB)",
                .default_text = "128KiB",
                .min = 4096,
                .max = 64 << 20,
                .provenance = "datasheet: Linux's default read-around window, 128 KiB "
                              "(VM_READAHEAD_PAGES); the kernel is taken to keep it"});
    v.integer(
        "window", o_.window,
        {.help = "LLM in a flash's sliding window in tokens: a neuron stays in DRAM while "
                 "active in the last `window` tokens; 0 = the neuron cache (LRU regions) "
                 "decides",
         .default_text = d_.window > 0 ? "256" : "0",
         .min = 0,
         .max = 1 << 20,
         .provenance = d_.window > 0 ? "assumption [x0.25, x4]: a cap, which window_fit shrinks to "
                                       "what the neuron cache holds; not from LLM in a flash"
                                     : "datasheet: a mode, not a quantity: PowerInfer-2 has no "
                                       "sliding window, its neuron cache decides"});
    v.flag("window_fit", window_fit_,
           {"size the window to the neuron cache: the largest window up to `window` whose "
            "expected footprint fits it (none fits: nothing is kept, every predicted neuron is "
            "read on every token)",
            d_.window_fit ? "true" : "false"});
    v.integer("compute_cores", compute_cores_,
              {.help = "cores of the largest CPU cluster computing (PowerInfer-2: 4 compute + 1 "
                       "I/O)",
               .default_text = "4",
               .min = 1,
               .max = 64,
               .provenance = "datasheet: PowerInfer-2's design: 4 compute cores and 1 I/O core"});
    v.text("activation_trace", trace_,
           {"recorded activation trace to replay (format: sim/sparse/activation_trace.hpp); "
            "empty = the seeded stochastic model",
            ""});
    v.integer("seed", seed_,
              {.help = "seed of the activation model",
               .default_text = "1",
               .min = 0,
               .max = 1e15,
               .provenance = "datasheet: a seed, not a quantity: fixed so that runs repeat"});
    v.quantity("hotness_exponent", act_.hotness_exponent, Dim::kNumber,
               {"power law of neuron firing rates; unset = the model's (sparsity.hotness_exponent)",
                std::nullopt, 0, 4, true});
    v.quantity("locality", act_.locality, Dim::kNumber,
               {"chance a neuron keeps its state from one token to the next; unset = the model's "
                "(sparsity.locality)",
                std::nullopt, 0, 0.999, true});
  }

  bool can_offload() const override { return true; }

  void check(const LowerContext& ctx, Diagnostics& d) const override {
    if (o_.hybrid && !ctx.hw.has_npu)
      d.error({"--set policy.hybrid"}, fmt::format("profile '{}' has no NPU", ctx.hw.name));
    if (!ctx.hw.has_flash)
      d.error({"--policy"}, fmt::format("profile '{}' has no flash", ctx.hw.name));
    if (!ctx.model.has_sparsity)
      d.error({"--model " + ctx.model.name},
              "sparse offloading needs a model with a sparsity section (ffn_active; for a "
              "SiLU/GELU model, method: threshold, e.g. CATS' 50% as PowerInfer-2 assumes)");
    if (!ctx.hw.has_flash || !ctx.model.has_sparsity) return;
    const SparseOffloadMemory mem = plan(ctx);
    if (mem.cache < 0)
      d.error({"--memory"},
              fmt::format("the budget leaves no room for the neuron cache: fixed region, "
                          "predictors, scales, runtime buffers and activations need {}",
                          format_human(mem.budget - mem.cache, Dim::kBytes)));
  }

  void lower(const LowerContext& ctx, TaskGraph& g) const override {
    const PlatformSpec& p = ctx.platform;
    const Placement cpu = compute_placement(p);
    const SparseOffloadMemory mem = plan(ctx);
    SparseFfnOptions o = o_;
    if (mem.cached_share() >= 1.0)
      o.window = 0;  // everything fits: the window never drops a neuron
    if (page_faults_) o.fault_request = fault_request_, o.pipeline = false;
    o.compute = cpu;
    o.io = io_placement(p);
    if (ctx.hw.has_npu) o.npu = device_placement(p, "npu");
    const BundleLayout layout =
        bundle_layout(ctx.model, cluster_size_, split_ ? GateSplit::kAuto : GateSplit::kWhole);
    ActivationParams ap = act_;
    ap.seed = static_cast<uint64_t>(seed_);
    if (std::isnan(ap.hotness_exponent)) ap.hotness_exponent = ctx.model.sparsity.hotness_exponent;
    if (std::isnan(ap.locality)) ap.locality = ctx.model.sparsity.locality;
    std::unique_ptr<ActivationSource> source;
    if (trace_.empty()) {
      source = std::make_unique<StochasticActivations>(activation_shape(ctx.model), ap);
    } else {
      source = std::make_unique<TraceActivations>(trace_);
      const ActivationShape want = activation_shape(ctx.model), got = source->shape();
      if (got.layers != want.layers || got.experts != want.experts || got.neurons != want.neurons ||
          got.experts_per_token != want.experts_per_token)
        throw InputError(
            {trace_},
            fmt::format("the trace's shape (layers {}, experts {}, experts_per_token "
                        "{}, neurons {}) is not {}'s ({}, {}, {}, {})",
                        got.layers, got.experts, got.experts_per_token, got.neurons, ctx.model.name,
                        want.layers, want.experts, want.experts_per_token, want.neurons));
    }
    fitted_window_ = -1;
    if (window_fit_ && o.window > 0) {
      o.window = fitted_window_ =
          fitted_window(ctx.model, *source, o.window, mem.cache, cluster_size_);
      if (o.window == 0) o.cache = false;  // not even one token's neurons fit: no reuse
    }
    const NeuronCacheConfig cc = cache_config(ctx, layout, ap, mem.cache);
    // The NPU's dense share (hybrid): the hottest neurons of the hot region, at most npu_share, and
    // no more than it runs in the CPU's time (the planner's balance).
    if (o.hybrid)
      o.npu_neurons =
          std::min<int64_t>({cc.hot_limit[0],
                             static_cast<int64_t>(npu_share_ * static_cast<double>(ctx.model.ffn)),
                             balanced_hot_limit(ctx, *source, o)}) /
          cluster_size_ * cluster_size_;
    auto cache = std::make_unique<NeuronCache>(cc);
    cache->warm();
    // Tokens are sampled ahead on a second core while this one replays the cache and builds ops.
    sparse_ = std::make_unique<SparseFfnLowering>(ctx.model, o, std::move(source), std::move(cache),
                                                  layout, /*prefetch=*/true);

    LoweringChoices ch;
    ch.granularity = Granularity::kBlock;
    ch.weight_dtype = ctx.model.weight_dtype;
    ch.matmul_dtype = DType::kInt8;
    ch.attention_dtype = DType::kFp16;
    ch.elementwise_dtype = DType::kFp16;
    ch.exploit_sparsity = true;
    ch.fuse_decode_attention = true;  // decode attention is one CPU op; the FFN is restructured
    // Decode attention is one op, or two split between the CPU and the NPU.
    const bool split_attention = o.hybrid && ctx.hw.has_npu;
    ch.decode_ops_per_layer = (split_attention ? 2 : 1) + SparseFfnLowering::max_ops_per_layer(o);
    const Placement npu = ctx.hw.has_npu ? o.npu : cpu;
    ch.place = [=](Stage s, Phase ph) {
      if (ph == Phase::kPrefill && s != Stage::kAttention && s != Stage::kEmbedding) return npu;
      return cpu;
    };
    const double resident = mem.cached_share();
    const double layer_ffn = ffn_weight_bytes(ctx.model) / static_cast<double>(ctx.model.layers);
    auto* sparse = sparse_.get();
    OpId last_preload = UINT32_MAX;
    const Placement io = o.io;
    double npu_heads = -1;  // the planner's share of attention heads on the NPU, set at first use
    ch.replace_stage = [=, &last_preload, &npu_heads](
                           Stage stage, const Op& tags, std::span<const OpId> preds,
                           std::span<const OpPart> parts, TaskGraph& graph) -> std::vector<OpId> {
      if (stage == Stage::kAttnIn && tags.phase == Phase::kDecode && split_attention) {
        if (npu_heads < 0) npu_heads = balanced_head_share(ctx.platform, cpu, o.npu, parts);
        return add_split_attention(tags, preds, parts, npu_heads, cpu, o.npu, graph);
      }
      if (stage != Stage::kFfn) return {};
      if (tags.phase == Phase::kDecode) return sparse->lower(tags, preds, graph);
      // Prefill: the layer's FFN waits for its offloaded weights, preloaded in layer order by one
      // sequential reader (the next layer's read overlaps this layer's compute).
      Op read = tags;
      read.kind = OpKind::kFlashRead;
      read.place = single_core(io);
      read.lane = kIoThreadLane;
      read.flash_bytes = (1.0 - resident) * layer_ffn;
      read.rank = static_cast<int64_t>(graph.size());
      std::vector<OpId> deps;
      if (last_preload != UINT32_MAX) deps.push_back(last_preload);
      std::vector<OpId> ffn_deps(preds.begin(), preds.end());
      if (read.flash_bytes > 0) {
        last_preload = graph.add(read, {}, deps, "preload");
        ffn_deps.push_back(last_preload);
      }
      Op ffn = tags;
      ffn.kind = OpKind::kMatmul;
      ffn.rank = static_cast<int64_t>(graph.size());
      std::vector<OpPart> dense(parts.begin(), parts.end());
      for (OpPart& part : dense) {  // prefill is dense: every neuron of the routed experts
        if (part.role == PartRole::kGateUp || part.role == PartRole::kDown)
          part.flops /= std::max(ctx.model.ffn_active_fraction(tags.layer), 1e-9);
      }
      return {graph.add(ffn, dense, ffn_deps, "ffn")};
    };
    lower_transformer(ctx, ch, g);
  }

  MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const override {
    MemoryPlan m;
    const SparseOffloadMemory mem = plan(ctx);
    m.weights = mem.resident_weights();
    m.kv_cache = mem.kv_cache;
    // PowerInfer-2's split has no activation line: the runtime buffers hold them (Mixtral: 300 MB)
    // unless a long prompt's prefill needs more (activation_reserve).
    m.activations = std::max(peak_activation_bytes(ctx.model, g), runtime_);
    return m;
  }

  std::vector<std::pair<std::string, double>> metrics() const override {
    if (!sparse_ || !sparse_->cache()) return {};
    const double tokens = std::max<double>(1, static_cast<double>(sparse_->tokens()));
    if (fitted_window_ == 0)  // sized to the cache, no window fits: no reuse at all
      return {{"cache_hit_rate", 0.0},
              {"window_tokens", 0.0},
              {"ffn_flash_bytes_per_token", sparse_->flash_bytes() / tokens}};
    if (sparse_->window() > 0)  // as lowered: no window when the whole FFN fits
      return {{"cache_hit_rate", sparse_->window_hit_rate()},
              {"window_tokens", static_cast<double>(sparse_->window())},
              {"ffn_flash_bytes_per_token", sparse_->flash_bytes() / tokens}};
    const CacheStats& s = sparse_->cache()->stats();
    return {{"cache_hit_rate", s.hit_rate()},
            {"cache_byte_hit_rate", s.byte_hit_rate()},
            {"hot_hit_rate", s.hot.hit_rate()},
            {"cold_hit_rate", s.cold.hit_rate()},
            {"neuron_cache_bytes",
             sparse_->cache()->hot_capacity_bytes() + sparse_->cache()->cold_capacity_bytes()},
            {"ffn_flash_bytes_per_token", sparse_->flash_bytes() / tokens}};
  }

 private:
  SparseOffloadMemory plan(const LowerContext& ctx) const {
    return plan_sparse_offload_memory(
        ctx, {o_.predictor_rank, cluster_size_, runtime_, compute_placement(ctx.platform)});
  }

  // The planner's hot limit (PowerInfer-2 profiles NPU and CPU speed per matrix size offline): the
  // number of hottest neurons per FFN, in whole clusters and at most npu_share, that the NPU runs
  // densely so that the layer's FFN ends soonest: the NPU's dense part against the CPU's
  // predictor and expected sparse work on the rest, which run beside it.
  int64_t balanced_hot_limit(const LowerContext& ctx, const ActivationSource& src,
                             const SparseFfnOptions& o) const {
    const ModelSpec& m = ctx.model;
    const DType a = m.activation_dtype, w = m.weight_dtype;
    const auto top = static_cast<int64_t>(npu_share_ * static_cast<double>(m.ffn));
    std::vector<double> tail(static_cast<size_t>(m.ffn) + 1, 0.0);  // expected active ids >= h
    for (int64_t r = m.ffn - 1; r >= 0; --r)
      tail[static_cast<size_t>(r)] =
          tail[static_cast<size_t>(r) + 1] + src.firing_probability(0, 0, r);
    const auto k = static_cast<double>(std::max<int64_t>(m.moe.experts_per_token, 1));
    int64_t best = 0;
    double best_t = 0;
    for (int64_t h = 0; h <= top; h += cluster_size_) {
      double t_npu = 0;
      if (h > 0)
        t_npu = op_alone_seconds(
            ctx.platform, o.npu,
            {formulas::matmul(1, m.hidden, (m.gated ? 2 : 1) * h * static_cast<int64_t>(k),
                              DType::kInt8, w, a),
             formulas::matmul(1, h * static_cast<int64_t>(k), m.hidden, DType::kInt8, w, a)});
      const auto act = static_cast<int64_t>(std::ceil(k * tail[static_cast<size_t>(h)]));
      const auto gate =
          static_cast<int64_t>(std::ceil((1.0 + o.predictor_extra) * static_cast<double>(act)));
      // The NPU runs beside the CPU's whole path: the predictor, then the sparse rest.
      std::vector<OpPart> cpu = SparseFfnLowering::predictor_parts(m, o, static_cast<int64_t>(k));
      if (gate > 0) cpu.push_back(formulas::matmul(1, m.hidden, gate, o.compute_dtype, w, a));
      if (act > 0) {
        cpu.push_back(formulas::matmul(1, m.hidden, act, o.compute_dtype, w, a));
        cpu.push_back(formulas::matmul(1, act, m.hidden, o.compute_dtype, w, a));
      }
      const double t_cpu = op_alone_seconds(ctx.platform, o.compute, cpu);
      const double t = std::max(t_npu, t_cpu);
      if (h == 0 || t < best_t) best = h, best_t = t;
    }
    return best;
  }

  NeuronCacheConfig cache_config(const LowerContext& ctx, const BundleLayout& l,
                                 const ActivationParams& params, double cache_bytes) const {
    const ModelSpec& m = ctx.model;
    NeuronCacheConfig c;
    c.layers = m.layers;
    c.experts = std::max<int64_t>(m.moe.experts, 1);
    c.neurons = m.ffn;
    c.cluster_size = cluster_size_;
    c.bytes_per_neuron = l.bundle_bytes;
    const double cache = std::max(0.0, cache_bytes);
    // The hot region holds as many of the hottest neurons per matrix as hot_share of the cache
    // holds, in whole clusters, whether or not the NPU computes them; the cold region holds the
    // rest of the cache.
    const double matrices = static_cast<double>(c.layers * c.experts);
    const double share = std::isnan(hot_share_)
                             ? planned_hot_share(ctx.model, params, l, cache, cluster_size_)
                             : hot_share_;
    auto hot = static_cast<int64_t>(cache * share / (matrices * l.bundle_bytes));
    hot = std::min<int64_t>(hot, m.ffn) / cluster_size_ * cluster_size_;
    c.hot_limit = {hot};
    c.hot_bytes = static_cast<double>(hot) * matrices * l.bundle_bytes;
    c.cold_bytes = cache - c.hot_bytes;
    return c;
  }

  // The performance cluster (not marked efficiency_cores; PowerInfer-2 computes on the 8 Gen 3's
  // six big and mid cores, not its two little ones) with the most cores free of the I/O reader,
  // whose core reads and does not compute; at most compute_cores of them. A cluster with no free
  // core shares the reader's.
  Placement compute_placement(const PlatformSpec& p) const {
    const Placement io = io_placement(p);
    const Placement candidates = performance_cpu_placement(p);
    const auto free_cores = [&](UnitId u) {
      return p.units[u].cores - (io.count > 0 && io.unit[0] == u ? io.cores[0] : 0);
    };
    UnitId best = candidates.unit[0];
    for (uint8_t i = 1; i < candidates.count; ++i)
      if (free_cores(candidates.unit[i]) > free_cores(best)) best = candidates.unit[i];
    Placement pl = clusters_placement(p, {static_cast<int>(best)});
    const int64_t free = free_cores(best);
    pl.cores[0] =
        static_cast<uint8_t>(std::min<int64_t>(compute_cores_, free > 0 ? free : pl.cores[0]));
    return pl;
  }
  // One core of the fastest cluster issues the reads (PowerInfer-2: the big core reads fastest).
  Placement io_placement(const PlatformSpec& p) const {
    return single_core(performance_cpu_placement(p));
  }

  Defaults d_;
  SparseFfnOptions o_;
  ActivationParams act_;
  bool split_ = true;
  std::string trace_;
  bool window_fit_ = false;
  mutable int64_t fitted_window_ = -1;  // the window fitted by the last lowering; -1: none
  bool page_faults_ = false;
  double fault_request_ = 128 * 1024;
  int64_t cluster_size_ = 32, compute_cores_ = 4, seed_ = 1;
  double npu_share_ = 0.5, hot_share_ = kUnset, runtime_ = 300e6;
  mutable std::unique_ptr<SparseFfnLowering> sparse_;
};

class PowerInfer2Policy final : public SparseOffloadPolicy {
 public:
  PowerInfer2Policy() : SparseOffloadPolicy({true, true, true, 0, 0.5, 1.0, 0, false}) {}
};
class LlmFlashPolicy final : public SparseOffloadPolicy {
 public:
  LlmFlashPolicy() : SparseOffloadPolicy({false, false, false, 32, 0.0, 1.667, 5, true}) {}
};

}  // namespace

SOCSIM_REGISTER_POLICY(PowerInfer2Policy, "powerinfer2",
                       "PowerInfer-2: hot neuron clusters on the NPU, cold neurons on the CPU "
                       "behind a predictor, FFN in flash behind a neuron cache, cluster pipeline");
SOCSIM_REGISTER_POLICY(LlmFlashPolicy, "llmflash",
                       "LLM in a flash: predictor, sliding window of recently active neurons, "
                       "row-column bundles read by several cores, CPU only");

}  // namespace socsim
