// `mllm-npu`: the prefill design of mllm-NPU / llm.npu (arXiv 2407.05858; ASPLOS '25), mechanism by
// mechanism, each a parameter so an ablation is one flag:
// - chunked prefill: the prompt runs in fixed-size chunks (the last one padded: static shapes);
//   with `chunk_sharing` the linear/norm graphs are built once ahead of time and shared by all
//   chunks (only their memory is paid), without it every chunk shape's graphs are built and
//   optimised before prefill (the profile's graph build and optimise times);
// - linear layers in INT8 per-tensor on the NPU; with `shadow_outliers` the activation outliers of
//   the layers kept after `outlier_prune_rate` are multiplied in FP32 on the CPU beside each NPU
//   block (hot outlier weight rows resident, cold rows read from flash, one CPU-NPU synchronisation
//   per shadowed layer); without it the accuracy-safe alternative is paid: per-group INT8 on the
//   NPU (slowdown `per_group_slowdown`) or the linear layers in float on the CPU;
// - attention (and the shadow work) on the CPU, or the GPU with `cpu_side=gpu`;
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

class MllmNpuPolicy final : public Policy {
 public:
  void visit_params(FieldVisitor& v) override {
    v.integer("chunk_size", chunk_,
              {"prefill chunk length in tokens (mllm-NPU default 256)", "256", 1, 1 << 16});
    v.flag("chunk_sharing", sharing_,
           {"share static chunk graphs built ahead of time; off = build and optimise per prompt",
            "true"});
    v.flag("shadow_outliers", shadow_,
           {"run activation outliers in FP32 on the CPU beside the INT8 NPU layers", "true"});
    v.quantity("outlier_prune_rate", prune_, Dim::kNumber,
               {"share of layers whose outliers are pruned (mllm-NPU default 0.85)", "0.85", 0, 1});
    v.integer("outlier_channels", channels_,
              {.help = "activation outlier channels per layer (mllm-NPU: 5-15)",
               .default_text = "10",
               .min = 0,
               .max = 4096,
               .provenance = "assumption [5, 15]: mllm-NPU (arXiv 2407.05858) reports 5-15 "
                             "outlier channels per layer; the middle is taken"});
    v.quantity("hot_outlier_share", hot_, Dim::kNumber,
               {"share of outlier occurrences whose weight rows are resident (mllm-NPU: <3% of "
                "channels give >80%)",
                "0.8", 0, 1});
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
    const Placement cpu = performance_cpu_placement(p), npu = device_placement(p, "npu"),
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
    const double sync = ctx.hw.npu.launch_overhead;  // one CPU-NPU round trip
    ch.side_ops = [&, side, sync](Stage s, OpId id, TaskGraph& graph) -> std::vector<OpId> {
      const Op op = graph.op(id);  // a copy: adding ops may move the graph's storage
      if (op.phase != Phase::kPrefill || !shadow_ || op.layer < 0 ||
          !shadowed[static_cast<size_t>(op.layer)])
        return {};
      if (s != Stage::kAttnIn && s != Stage::kAttnOut && s != Stage::kFfn) return {};
      return {shadow_op(ctx, graph, id, s, side, s == Stage::kAttnIn ? sync : 0.0)};
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

  // Output widths of the linear layers of a block (what an outlier channel's weight row spans).
  static int64_t block_width(const ModelSpec& m, Stage s) {
    if (s == Stage::kAttnIn) return m.q_dim() + 2 * m.kv_dim();
    if (s == Stage::kAttnOut) return m.hidden;
    return (m.gated ? 2 : 1) * m.ffn + m.hidden;
  }

  double outlier_row_bytes(const LowerContext& ctx) const {
    const ModelSpec& m = ctx.model;
    double per_layer = 0;
    for (Stage s : {Stage::kAttnIn, Stage::kAttnOut, Stage::kFfn})
      per_layer += static_cast<double>(block_width(m, s));
    const std::vector<bool> layers = shadowed_layers(m.layers);
    const auto kept = static_cast<double>(std::count(layers.begin(), layers.end(), true));
    return shadow_ ? 2.0 * static_cast<double>(channels_) * per_layer * kept : 0.0;  // FP16 rows
  }

  // The FP32 GEMM of the outlier channels beside an NPU block, after reading its cold weight rows.
  OpId shadow_op(const LowerContext& ctx, TaskGraph& g, OpId main_id, Stage s,
                 const Placement& side, double sync) const {
    const Op main = g.op(main_id);
    const int64_t width = block_width(ctx.model, s);
    const double row_bytes = 2.0 * static_cast<double>(channels_ * width);
    Op read;
    read.kind = OpKind::kFlashRead;
    read.phase = main.phase, read.chunk = main.chunk, read.layer = main.layer, read.pos = main.pos;
    read.place = single_core(side);
    read.flash_bytes = (1.0 - hot_) * row_bytes;
    read.flash_request = 4096;
    read.flash_span = 4e9;  // cold rows are scattered over the model file
    std::vector<OpId> preds(g.preds(main_id).begin(), g.preds(main_id).end());
    OpId cold = UINT32_MAX;
    read.rank = static_cast<int64_t>(g.size());  // creation order, like every lowered op
    if (read.flash_bytes > 0) cold = g.add(read, {}, preds, "shadow.read");
    if (cold != UINT32_MAX) preds.push_back(cold);
    Op op = read;
    op.kind = OpKind::kMatmul;
    op.place = single_core(side);  // a small GEMM: one core, leaving the rest to attention
    op.flash_bytes = op.flash_request = op.flash_span = 0;
    op.fixed_time = sync;
    op.rank = static_cast<int64_t>(g.size());
    OpPart gemm = formulas::matmul(main.rows, channels_, width, DType::kFp32, DType::kFp16,
                                   ctx.model.activation_dtype);
    return g.add(op, std::span<const OpPart>(&gemm, 1), preds, "shadow");
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
  double prune_ = 0.85, hot_ = 0.8, per_group_ = 9.3;
  int64_t channels_ = 10;
  std::string fallback_ = "npu-per-group", scheduler_ = "cg-greedy", side_ = "cpu", engine_;
  mutable std::unique_ptr<Scheduler> sched_;
};

}  // namespace

SOCSIM_REGISTER_POLICY(MllmNpuPolicy, "mllm-npu",
                       "mllm-NPU prefill: chunked INT8 NPU graphs, shadow outliers on the CPU, "
                       "out-of-order subgraphs");

}  // namespace socsim
