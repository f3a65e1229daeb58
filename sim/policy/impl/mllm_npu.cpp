// `mllm-npu`: the prefill design of mllm-NPU / llm.npu (arXiv 2407.05858; ASPLOS '25), mechanism by
// mechanism, each a parameter so an ablation is one flag:
// - chunked prefill: the prompt runs in fixed-size chunks (the last one padded: static shapes);
//   with `chunk_sharing` the linear/norm graphs are built once ahead of time and shared by all
//   chunks (only their memory is paid), without it every chunk shape's graphs are built and
//   optimised before prefill (the profile's graph build and optimise times);
// - linear layers in INT8 per-tensor on the NPU; with `shadow_outliers` the activation outliers of
//   the layers kept after `outlier_prune_rate` are handled in float on the CPU. Each shadowed
//   linear layer (`shadow_linears`: every one, as the paper describes, or down_proj only, as the
//   public mllm code does) ends its NPU graph: its INT8 output crosses to the CPU, which reads the
//   cold outlier weight rows from flash (hot rows are resident), multiplies the outlier channels
//   in float, dequantises the NPU output, adds the float partial sum and requantises, then a new
//   NPU graph starts from that (its own launch, plus `sync_overhead` per hand-off); the NPU has
//   nothing of this chunk to do meanwhile. Without shadow outliers the accuracy-safe alternative
//   is paid: per-group INT8 on the NPU (slowdown `per_group_slowdown`) or the linear layers in
//   float on the CPU;
// - attention (and the shadow work) on `cpu_threads` of the fastest CPU cores, or the GPU with
//   `cpu_side=gpu`;
// - out-of-order subgraph scheduling with a scheduler plug-in (`cg-greedy`, `in-order`);
// - decode on the CPU, as the paper does.
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "sim/graph/op_formulas.hpp"
#include "sim/lower/transformer_lowering.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/policy.hpp"
#include "sim/policy/scheduler.hpp"

namespace socsim {
namespace {

constexpr std::array<std::string_view, 2> kSides{"cpu", "gpu"};
constexpr std::array<std::string_view, 2> kFallbacks{"npu-per-group", "cpu-float"};
constexpr std::array<std::string_view, 2> kShadowLinears{"all", "down"};

class MllmNpuPolicy final : public Policy {
 public:
  void visit_params(FieldVisitor& v) override {
    v.integer("chunk_size", chunk_,
              {.help = "prefill chunk length in tokens (mllm-NPU default 256)",
               .default_text = "256",
               .min = 1,
               .max = 1 << 16,
               .provenance = "datasheet: mllm-NPU's (arXiv 2407.05858) default chunk length, 256 "
                             "tokens"});
    v.flag("chunk_sharing", sharing_,
           {"share static chunk graphs built ahead of time; off = build and optimise per prompt",
            "true"});
    v.flag("shadow_outliers", shadow_,
           {"run activation outliers in FP32 on the CPU beside the INT8 NPU layers", "true"});
    v.quantity("outlier_prune_rate", prune_, Dim::kNumber,
               {.help = "share of layers whose outliers are pruned (mllm-NPU default 0.85)",
                .default_text = "0.85",
                .min = 0,
                .max = 1,
                .provenance = "datasheet: mllm-NPU's (arXiv 2407.05858) default outlier pruning "
                              "rate, 0.85"});
    v.integer("outlier_channels", channels_,
              {.help = "activation outlier channels per layer (mllm-NPU: 5-15)",
               .default_text = "10",
               .min = 0,
               .max = 4096,
               .provenance = "assumption [5, 15]: mllm-NPU (arXiv 2407.05858) reports 5-15 "
                             "outlier channels per layer; the middle is taken"});
    v.quantity("hot_outlier_share", hot_, Dim::kNumber,
               {.help = "share of outlier occurrences whose weight rows are resident (mllm-NPU: "
                        "<3% of channels give >80%)",
                .default_text = "0.8",
                .min = 0,
                .max = 1,
                .provenance = "measured: mllm-NPU (arXiv 2407.05858): fewer than 3% of channels "
                              "give more than 80% of the outliers; 0.8 is that lower bound"});
    v.choice(
        "outlier_fallback", fallback_, kFallbacks,
        {"without shadow outliers: per-group INT8 on the NPU, or float linear layers on the CPU",
         "npu-per-group"});
    v.quantity(
        "per_group_slowdown", per_group_, Dim::kNumber,
        {.help = "NPU per-group vs per-tensor INT8 time (mllm-NPU: 8.1-10.7x; geometric mean)",
         .default_text = "9.3",
         .min = 1,
         .max = 1000,
         .provenance = "assumption [8.1, 10.7]: mllm-NPU (arXiv 2407.05858) measures "
                       "8.1-10.7x per-group slowdowns; their geometric mean is taken"});
    v.choice("shadow_linears", linears_, kShadowLinears,
             {"linear layers of a shadowed layer that get a CPU round trip: every one (the "
              "paper's design) or down_proj only (the public mllm code, CPULinearINT8Shadow)",
              "all"});
    v.quantity("sync_overhead", sync_, Dim::kTime,
               {.help = "CPU-NPU hand-off cost per shadow round trip beyond the new graph's launch",
                .default_text = "0s",
                .min = 0,
                .max = 1,
                .provenance = "assumption [0s, 3ms]: no measurement; 2-3 ms per hand-off would "
                              "make the synchronisation share mllm-NPU reports (29.7%)"});
    v.integer("cpu_threads", threads_,
              {.help = "threads of the CPU side (attention, shadow work) on the fastest cores",
               .default_text = "4",
               .min = 1,
               .max = 64,
               .provenance = "datasheet: mllm's default -t 4 (CPUBackend cpu_threads = 4; "
                             "github.com/UbiquitousLearning/mllm v1, commit b9772d0b)"});
    v.flag("out_of_order", ooo_,
           {"schedule ready subgraphs with `scheduler`; off = in-order", "true"});
    v.text("scheduler", scheduler_,
           {"scheduler plug-in used when out_of_order is on (see `socsim list`)", "cg-greedy"});
    v.choice("cpu_side", side_, kSides, {"unit running attention and shadow work", "cpu"});
    v.text("engine", engine_,
           {"engine profile (hwprofiles/engines/ name or path): the mllm CPU backend beside QNN "
            "on the NPU; empty = the hardware profile's own kernel figures",
            "mllm"});
  }

  std::string engine() const override { return engine_; }

  void check(const LowerContext& ctx, Diagnostics& d) const override {
    if (!ctx.hw.has_npu)
      d.error({"--policy mllm-npu"}, fmt::format("profile '{}' has no NPU", ctx.hw.name));
    if (side_ == "gpu" && !ctx.hw.has_gpu)
      d.error({"--set policy.cpu_side"}, fmt::format("profile '{}' has no GPU", ctx.hw.name));
    if (!find_scheduler(scheduler_)) {
      std::string all;
      for (const std::string& n : scheduler_names()) all += (all.empty() ? "" : ", ") + n;
      d.error({"--set policy.scheduler"},
              fmt::format("unknown scheduler '{}' (one of: {})", scheduler_, all));
    }
  }

  void lower(const LowerContext& ctx, TaskGraph& g) const override {
    const PlatformSpec& p = ctx.platform;
    const Placement cpu = fastest_cores(p, static_cast<int>(threads_)),
                    npu = device_placement(p, "npu"),
                    side = side_ == "gpu" ? device_placement(p, "gpu") : cpu;
    const bool float_fallback = !shadow_ && fallback_ == "cpu-float";
    LoweringChoices ch;
    ch.chunk = chunk_;
    ch.pad_last_chunk = true;
    ch.granularity = Granularity::kBlock;
    ch.matmul_dtype = DType::kInt8;
    ch.attention_dtype = side_ == "gpu" ? DType::kFp16 : DType::kFp32;
    ch.elementwise_dtype = DType::kFp16;
    ch.weight_dtype = DType::kInt8;
    ch.place = [=](Stage s, Phase ph) {
      if (ph == Phase::kDecode) return cpu;  // decode runs on the CPU
      switch (s) {
        case Stage::kAttention:
          return side;
        case Stage::kEmbedding:
        case Stage::kLmHead:
          return cpu;
        default:
          return float_fallback ? cpu : npu;
      }
    };
    if (!sharing_ && ctx.hw.npu.has_graph) {
      Op setup;
      setup.kind = OpKind::kGraphBuild;
      setup.phase = Phase::kSetup;
      setup.fixed_time = graph_setup_time(ctx);
      ch.entry_deps.push_back(g.add(setup, {}, {}, "npu.graph_build"));
    }
    const std::vector<bool> shadowed = shadowed_layers(ctx.model.layers);
    ch.replace_stage = [&, side](Stage, const Op& tags, std::span<const OpId> preds,
                                 std::span<const OpPart> parts,
                                 TaskGraph& graph) -> std::vector<OpId> {
      if (tags.phase != Phase::kPrefill || !shadow_ || tags.layer < 0 ||
          !shadowed[static_cast<size_t>(tags.layer)])
        return {};
      return {split_at_shadowed_linears(ctx, tags, preds, parts, side, graph)};
    };
    lower_transformer(ctx, ch, g);
    if (!shadow_ && fallback_ == "npu-per-group")
      for (OpId i = 0; i < g.size(); ++i)
        if (g.op(i).phase == Phase::kPrefill && g.op(i).place.count > 0 &&
            g.op(i).place.unit[0] == npu.unit[0] && g.op(i).kind == OpKind::kMatmul)
          g.op_mut(i).compute_scale = per_group_;
    if (float_fallback)
      for (OpId i = 0; i < g.size(); ++i)
        if (g.op(i).phase == Phase::kPrefill)
          for (OpPart& part : g.parts_mut(i))
            if (part.kind == OpKind::kMatmul) part.dtype = DType::kFp32;
  }

  MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const override {
    MemoryPlan m;
    m.weights = resident_weight_bytes(ctx.model, DType::kInt8);
    m.float_weights = outlier_row_bytes(ctx) * hot_;  // hot rows resident, cold ones in flash
    m.kv_cache = kv_cache_bytes(ctx.model, ctx.workload);
    m.activations = peak_activation_bytes(ctx.model, g);
    if (ctx.hw.npu.has_graph) {
      // Shared graphs map the one weight copy; per-chunk graphs each hold their own.
      const double copies = sharing_ ? 0.0 : static_cast<double>(chunks(ctx) - 1);
      const double layer_weights =
          static_cast<double>(ctx.model.layer_params()) * storage_bits(DType::kInt8) / 8.0;
      m.graphs = graph_count(ctx) * ctx.hw.npu.graph.memory_per_graph + copies * layer_weights;
    }
    return m;
  }

  void begin(const TaskGraph& g, const PlatformSpec& p) const override {
    sched_ = find_scheduler(ooo_ ? scheduler_ : "in-order")->make();
    sched_->begin(g, p);
  }
  size_t select(std::span<const OpId> runnable, const SimView& view) const override {
    return sched_->select(runnable, view);
  }
  void dispatched(OpId op) const override { sched_->dispatched(op); }
  // The scheduler plug-ins read ranks, placements, edges and costs alone; its name is the rest.
  std::string schedule_key() const override {
    return "scheduler:" + (ooo_ ? scheduler_ : std::string("in-order"));
  }

 private:
  // Layers whose outliers are kept: the most important (1 - prune) share. Without a measured
  // importance ranking the first and last layers are kept first, alternating inwards.
  std::vector<bool> shadowed_layers(int64_t layers) const {
    std::vector<bool> keep(static_cast<size_t>(layers), false);
    const auto kept =
        static_cast<int64_t>(std::lround((1.0 - prune_) * static_cast<double>(layers)));
    for (int64_t i = 0, lo = 0, hi = layers - 1; i < kept; ++i)
      keep[static_cast<size_t>(i % 2 == 0 ? lo++ : hi--)] = true;
    return keep;
  }

  // Output width of each shadowed linear layer (what an outlier channel's weight row spans).
  double shadowed_width(const ModelSpec& m) const {
    const double down = static_cast<double>(m.hidden);
    if (linears_ == "down") return down;
    return static_cast<double>(m.q_dim() + 2 * m.kv_dim()) + static_cast<double>(m.hidden) +
           static_cast<double>((m.gated ? 2 : 1) * m.ffn) + down;
  }

  double outlier_row_bytes(const LowerContext& ctx) const {
    const std::vector<bool> layers = shadowed_layers(ctx.model.layers);
    const auto kept = static_cast<double>(std::count(layers.begin(), layers.end(), true));
    return shadow_ ? 2.0 * static_cast<double>(channels_) * shadowed_width(ctx.model) * kept
                   : 0.0;  // FP16 rows
  }

  bool shadows(PartRole r) const {
    if (linears_ == "down") return r == PartRole::kDown;
    return r == PartRole::kQkv || r == PartRole::kOProj || r == PartRole::kGateUp ||
           r == PartRole::kDown;
  }

  // A shadowed layer's linear block as a chain: NPU graph segments cut after each shadowed linear
  // layer, each cut followed by the CPU's round trip (cold outlier rows from flash, the float
  // outlier GEMM, dequantise + add + requantise of the NPU output). Returns the chain's last op.
  OpId split_at_shadowed_linears(const LowerContext& ctx, const Op& tags,
                                 std::span<const OpId> preds, std::span<const OpPart> parts,
                                 const Placement& side, TaskGraph& g) const {
    std::vector<OpId> deps(preds.begin(), preds.end());
    std::vector<OpPart> segment;
    std::string_view stage = parts.front().role == PartRole::kAttnNorm ? "attn_in"
                             : parts.front().role == PartRole::kOProj  ? "attn_out"
                                                                       : "ffn";
    const std::string base = fmt::format("L{}.{}", tags.layer, stage);
    OpId last = UINT32_MAX;
    int piece = 0;
    auto flush = [&]() {
      if (segment.empty()) return;
      Op op = tags;
      op.kind = OpKind::kMatmul;
      op.rank = static_cast<int64_t>(g.size());
      last = g.add(op, segment, deps, piece == 0 ? base : fmt::format("{}.{}", base, piece));
      ++piece;
      deps.assign(1, last);
      segment.clear();
    };
    // A cut after a linear part also takes the elementwise parts that follow it on the NPU up to
    // the next linear part (the residual add after down_proj, RoPE after the QKV projection), as
    // the code's graphs end after the add.
    for (size_t i = 0; i < parts.size(); ++i) {
      segment.push_back(parts[i]);
      if (!shadows(parts[i].role)) continue;
      size_t j = i + 1;
      while (j < parts.size() && parts[j].kind != OpKind::kMatmul &&
             parts[j].kind != OpKind::kNorm && parts[j].kind != OpKind::kActivation)
        segment.push_back(parts[j++]);
      flush();
      last = round_trip(ctx, g, last, tags, parts[i], side);
      deps.assign(1, last);
      i = j - 1;
    }
    flush();
    return last;
  }

  // The CPU side of one shadowed linear layer `lin` whose NPU output `npu_out` arrived: the cold
  // outlier weight rows read from flash (issued when the layer's input is ready, beside the NPU
  // graph), the float GEMM of the outlier channels, and one pass that dequantises the NPU output,
  // adds the float partial sum and requantises it for the next NPU graph.
  OpId round_trip(const LowerContext& ctx, TaskGraph& g, OpId npu_out, const Op& tags,
                  const OpPart& lin, const Placement& side) const {
    const int64_t rows = lin.m, width = lin.n;
    std::vector<OpId> deps{npu_out};
    Op read = tags;
    read.kind = OpKind::kFlashRead;
    read.place = single_core(side);
    read.flash_bytes = (1.0 - hot_) * 2.0 * static_cast<double>(channels_ * width);  // FP16 rows
    read.flash_request = 4096;
    read.flash_span = 4e9;  // cold rows are scattered over the model file
    read.rank = static_cast<int64_t>(g.size());
    if (read.flash_bytes > 0) {
      const std::vector<OpId> inputs(g.preds(npu_out).begin(), g.preds(npu_out).end());
      deps.push_back(g.add(read, {}, inputs, "shadow.read"));
    }
    Op op = tags;
    op.kind = OpKind::kConvert;
    op.place = side;
    op.fixed_time = sync_;
    op.rank = static_cast<int64_t>(g.size());
    const DType f = ctx.model.activation_dtype;
    const std::array<OpPart, 2> work{
        formulas::matmul(rows, channels_, width, DType::kFp32, DType::kFp16, f),
        formulas::convert(rows, width, DType::kInt8, DType::kInt8, 1, DType::kFp32)};
    return g.add(op, work, deps, fmt::format("L{}.shadow", tags.layer));
  }

  int64_t chunks(const LowerContext& ctx) const {
    return (ctx.workload.prompt + chunk_ - 1) / chunk_;
  }

  // The paper's subgraphs: 6 per layer and chunk, of which the 5 linear/norm/quantize ones depend
  // only on the chunk length (shared by all chunks with chunk sharing) and the attention one on
  // the chunk index (one per chunk either way).
  double graph_count(const LowerContext& ctx) const {
    const auto layers = static_cast<double>(ctx.model.layers);
    const auto n = static_cast<double>(chunks(ctx));
    return sharing_ ? 5.0 * layers + layers * n : 6.0 * layers * n;
  }

  double graph_setup_time(const LowerContext& ctx) const {
    const NpuGraphSpec& gs = ctx.hw.npu.graph;
    return gs.setup + graph_count(ctx) * gs.build_per_graph +
           gs.optimize_per_param * static_cast<double>(ctx.model.layer_params()) *
               static_cast<double>(chunks(ctx));
  }

  int64_t chunk_ = 256;
  bool sharing_ = true, shadow_ = true, ooo_ = true;
  double prune_ = 0.85, hot_ = 0.8, per_group_ = 9.3, sync_ = 0;
  int64_t channels_ = 10, threads_ = 4;
  std::string linears_ = "all";
  std::string fallback_ = "npu-per-group", scheduler_ = "cg-greedy", side_ = "cpu", engine_;
  mutable std::unique_ptr<Scheduler> sched_;
};

}  // namespace

SOCSIM_REGISTER_POLICY(MllmNpuPolicy, "mllm-npu",
                       "mllm-NPU prefill: chunked INT8 NPU graphs, shadow outliers on the CPU, "
                       "out-of-order subgraphs");

}  // namespace socsim
