// Single-unit policies: every op of the model on one kind of unit, in creation order, as a plain
// engine on that unit runs it. The generic `cpu`, `gpu` and `npu` use the hardware profile's own
// kernel figures; the baselines of the mllm-NPU paper are the same lowering with an engine profile
// (hwprofiles/engines/): `llamacpp` and `mnn` on the CPU, `mlc` and `tflite` on the GPU, and
// `npu-naive` (whole-prompt static graphs built per prompt). None can offload weights to flash.
#include <fmt/format.h>
#include <cmath>

#include "sim/config/units.hpp"
#include "sim/lower/transformer_lowering.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/policy/mmap_paging.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/policy.hpp"

namespace socsim {
namespace {

class SingleUnitPolicy : public Policy {
 public:
  SingleUnitPolicy(UnitType type, const char* engine, bool graph_build, bool mmap = false)
      : type_(type),
        engine_default_(engine),
        output_rows_default_(std::string(engine) == "llamacpp" ? "true" : "false"),
        chunk_default_(std::string(engine) == "llamacpp" ? "512" : "0"),
        graph_build_default_(graph_build ? "true" : "false"),
        mmap_default_(mmap ? "true" : "false") {}

  std::string engine() const override { return engine_; }
  bool can_offload() const override { return mmap_; }
  // lower_transformer fuses a batch's rows; graphs built per prompt shape cannot serve a batch.
  bool batches() const override { return !graph_build_; }

  void visit_params(FieldVisitor& v) override {
    if (type_ == UnitType::kCpuCluster) {
      v.flag("mmap", mmap_,
             {"weights that exceed the memory budget are paged in from flash by page faults on "
              "every pass (llama.cpp's mmap loading); off = such a run does not fit",
              mmap_default_});
      v.quantity("mmap_request", mmap_request_, Dim::kBytes,
                 {.help = "bytes read per page fault (the kernel's mmap read-around window; "
                          "assumption: Linux's default 128 KiB)",
                  .default_text = "128KiB",
                  .min = 4096,
                  .max = 64 << 20,
                  .provenance = "datasheet: Linux's default read-around window, 128 KiB "
                                "(VM_READAHEAD_PAGES); the phone's kernel is taken to keep it"});
    }
    if (type_ == UnitType::kCpuCluster)
      v.flag("output_rows_only", output_rows_only_,
             {"the last layer of a prefill runs its FFN only for the last token, whose logits are "
              "wanted (llama.cpp gathers the output rows, inp_out_ids in src/llama-model.cpp)",
              output_rows_default_});
    if (type_ == UnitType::kCpuCluster)
      v.text("clusters", clusters_,
             {"comma-separated CPU clusters to run on (all their cores); empty = every cluster "
              "not marked efficiency_cores",
              ""});
    v.integer("chunk", chunk_,
              {.help = "prefill chunk length in tokens; 0 = the whole prompt at once",
               .default_text = chunk_default_,
               .min = 0,
               .max = 1 << 20,
               .provenance = "datasheet: 0 prefills the whole prompt as one batch; llama.cpp "
                             "runs a prompt in micro-batches of n_ubatch = 512 tokens (its "
                             "default in common/common.h and llama-bench; n_batch 512 before "
                             "n_ubatch existed)"});
    enum_field(v, "granularity", granularity_, kGranularityNames,
               {"ops per layer: op (every primitive), block (attention input, attention, output, "
                "FFN) or layer (one)",
                "layer"});
    if (type_ == UnitType::kNpu)
      v.flag("graph_build", graph_build_,
             {"pay the NPU graph setup, build and optimise time before prefill",
              graph_build_default_});
    v.text("engine", engine_,
           {"engine profile (name in hwprofiles/engines/ or a path); empty = the hardware "
            "profile's own kernel figures",
            engine_default_});
  }

  void check(const LowerContext& ctx, Diagnostics& d) const override {
    if (type_ == UnitType::kGpu && !ctx.hw.has_gpu)
      d.error({"--policy gpu"}, fmt::format("profile '{}' has no GPU", ctx.hw.name));
    if (type_ == UnitType::kNpu && !ctx.hw.has_npu)
      d.error({"--policy npu"}, fmt::format("profile '{}' has no NPU", ctx.hw.name));
    if (type_ == UnitType::kNpu && ctx.hw.has_npu && !std::isnan(ctx.hw.npu.addressable_memory)) {
      // Each static graph maps its weights; the largest (a layer, or the LM head) must fit.
      const double bits = storage_bits(DType::kInt8) / 8.0;
      const double layer = static_cast<double>(ctx.model.attention_params_per_layer() +
                                               ctx.model.ffn_params_per_layer());
      const double largest =
          bits * std::max(layer, static_cast<double>(ctx.model.vocab * ctx.model.hidden));
      if (largest > ctx.hw.npu.addressable_memory)
        d.error({"--policy npu"},
                fmt::format("the largest NPU graph of {} maps {} of weights, more than the NPU's "
                            "addressable memory ({})",
                            ctx.model.name, format_human(largest, Dim::kBytes),
                            format_human(ctx.hw.npu.addressable_memory, Dim::kBytes)));
    }
    if (type_ == UnitType::kCpuCluster) {
      std::string bad;
      cpu_placement(ctx.platform, &bad);
      if (!bad.empty()) d.error({"--set policy.clusters"}, bad);
    }
  }

  void lower(const LowerContext& ctx, TaskGraph& g) const override {
    LoweringChoices ch;
    Placement place = placement(ctx.platform);
    ch.place = [place](Stage, Phase) { return place; };
    ch.weight_dtype = weight_dtype(ctx.model);
    ch.chunk = chunk_;
    ch.granularity = granularity_;
    ch.last_layer_output_rows_only = output_rows_only_;
    ch.launch_per_part = type_ != UnitType::kNpu;  // CPU/GPU engines launch a kernel per primitive
    switch (type_) {
      case UnitType::kCpuCluster:
        // Integer weights are multiplied in their own type (Q4_0 and Q8_0 dot products are
        // different kernels); a profile without an int4 peak computes int4 at its int8 peak.
        ch.matmul_dtype = ch.weight_dtype;
        ch.attention_dtype = DType::kFp32;
        ch.elementwise_dtype = DType::kFp32;
        break;
      case UnitType::kGpu:
        ch.matmul_dtype = ch.attention_dtype = ch.elementwise_dtype = DType::kFp16;
        break;
      case UnitType::kNpu:
        ch.matmul_dtype = DType::kInt8;
        ch.attention_dtype = ch.elementwise_dtype = DType::kFp16;
        ch.pad_last_chunk = chunk_ > 0;  // static shapes
        if (graph_build_ && ctx.hw.npu.has_graph) {
          Op setup;
          setup.kind = OpKind::kGraphBuild;
          setup.phase = Phase::kSetup;
          setup.fixed_time = graph_setup_time(ctx);
          ch.entry_deps.push_back(g.add(setup, {}, {}, "npu.graph_build"));
        }
        break;
    }
    if (mmap_) {
      // The page cache holds what the KV cache and the activations leave of a --memory budget
      // (the kernel evicts file pages for anonymous memory); the activations come from the same
      // run lowered without paging (page-in reads hold none). With an offload share instead, the
      // share defines what stays resident.
      const double weights = resident_weight_bytes(ctx.model, ch.weight_dtype);
      mmap_other_bytes_ = kv_cache_bytes(ctx.model, ctx.workload);
      if (!offload_share_run(ctx.workload)) {
        // Lowered first without paging: when the weights, KV cache and activations fit, that is
        // the run (a CPU policy adds no op before the transformer's).
        lower_transformer(ctx, ch, g);
        mmap_other_bytes_ += peak_activation_bytes(ctx.model, g);
        if (weights + mmap_other_bytes_ <= memory_budget(ctx.model, ctx.hw, ctx.workload)) {
          add_step_overhead(ctx, g);
          return;
        }
        g = TaskGraph{};
      }
      const MmapPaging paging = plan_mmap_paging(ctx, weights, mmap_other_bytes_, mmap_request_);
      ch.before_stage = [paging](Stage, const Op& tags, std::span<const OpPart> parts,
                                 std::span<const OpId> preds, TaskGraph& graph) {
        return page_in(paging, tags, parts, preds, graph);
      };
    }
    lower_transformer(ctx, ch, g);
    add_step_overhead(ctx, g);
  }

  // An engine's fixed costs per forward pass (engine profile `step_overhead`: logits, sampling;
  // `step_overhead_per_vocab` for each row of logits; `thread_wake` when the pass runs on several
  // cores) are paid by the LM head: the one op outside the layers whose dominant part is a matmul.
  static void add_step_overhead(const LowerContext& ctx, TaskGraph& g) {
    int64_t logit_rows = ctx.workload.batch.empty() ? 1 : 0;
    for (const BatchSequence& s : ctx.workload.batch)
      logit_rows += s.logits && (s.end_layer < 0 || s.end_layer >= ctx.model.layers);
    for (OpId i = 0; i < g.size(); ++i) {
      Op& op = g.op_mut(i);
      if (op.layer != -1 || op.kind != OpKind::kMatmul || op.place.count == 0) continue;
      int cores = 0;
      for (uint8_t k = 0; k < op.place.count; ++k) cores += op.place.cores[k];
      const ComputeUnitSpec& u = *ctx.platform.units[op.place.unit[0]].spec;
      op.fixed_time +=
          u.step_overhead + (cores > 1 ? u.thread_wake : 0) +
          u.step_overhead_per_vocab * static_cast<double>(ctx.model.vocab * logit_rows);
    }
  }

  MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const override {
    MemoryPlan m;
    m.weights = resident_weight_bytes(ctx.model, weight_dtype(ctx.model));
    m.kv_cache = kv_cache_bytes(ctx.model, ctx.workload);
    m.activations = peak_activation_bytes(ctx.model, g);
    if (mmap_)  // the page cache holds the share that fits, whether or not a pass reuses it
      m.weights *=
          plan_mmap_paging(ctx, m.weights, mmap_other_bytes_, mmap_request_).cached_fraction;
    if (type_ == UnitType::kNpu && ctx.hw.npu.has_graph) {
      // One weight copy per prompt shape (prefill, decode): the first is `weights` itself.
      const double extra_copies = ctx.workload.gen > 1 ? 1.0 : 0.0;
      const double layer_weights =
          static_cast<double>(ctx.model.layer_params()) * storage_bits(DType::kInt8) / 8.0;
      m.graphs =
          graph_count(ctx) * ctx.hw.npu.graph.memory_per_graph + extra_copies * layer_weights;
    }
    return m;
  }

 private:
  mutable double mmap_other_bytes_ = 0;  // KV cache + activations of the last lowering (mmap)
  DType weight_dtype(const ModelSpec& m) const {
    if (type_ == UnitType::kNpu) return DType::kInt8;  // W8A8 per-tensor on the NPU
    return m.weight_dtype;
  }

  // Distinct static graphs: one per op of a layer plus embedding and LM head, for each prefill
  // shape (whole prompt or chunk) and for decode (one row; attention padded to the context).
  double graph_count(const LowerContext& ctx) const {
    const double per_layer = granularity_ == Granularity::kLayer   ? 1.0
                             : granularity_ == Granularity::kBlock ? 4.0
                                                                   : 10.0;
    const double per_shape = per_layer * static_cast<double>(ctx.model.layers) + 2.0;
    return per_shape * (ctx.workload.gen > 1 ? 2.0 : 1.0);
  }

  double graph_setup_time(const LowerContext& ctx) const {
    const NpuGraphSpec& gs = ctx.hw.npu.graph;
    return gs.setup + graph_count(ctx) * gs.build_per_graph +
           gs.optimize_per_param * static_cast<double>(ctx.model.layer_params()) *
               (ctx.workload.gen > 1 ? 2.0 : 1.0);
  }

  Placement placement(const PlatformSpec& p) const {
    if (type_ == UnitType::kCpuCluster) return cpu_placement(p, nullptr);
    return device_placement(p, type_ == UnitType::kGpu ? "gpu" : "npu");
  }

  // The clusters named in `clusters_`, or every cluster not marked efficiency_cores.
  Placement cpu_placement(const PlatformSpec& p, std::string* error) const {
    if (clusters_.empty()) return performance_cpu_placement(p);
    std::vector<int> chosen;
    size_t pos = 0;
    while (pos <= clusters_.size()) {
      size_t comma = clusters_.find(',', pos);
      std::string name =
          clusters_.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      int u = p.find("cpu." + name);
      if (u < 0 || p.units[u].type != UnitType::kCpuCluster) {
        if (error) *error = fmt::format("policy.clusters: no CPU cluster named '{}'", name);
      } else {
        chosen.push_back(u);
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (chosen.size() > 3 && error) *error = "policy.clusters: at most 3 clusters";
    return clusters_placement(p, chosen);
  }

  UnitType type_;
  const char* engine_default_;
  const char* output_rows_default_;
  const char* chunk_default_;
  const char* graph_build_default_;
  const char* mmap_default_;
  bool mmap_ = false;
  double mmap_request_ = 128 * 1024;
  std::string engine_;
  std::string clusters_;
  int64_t chunk_ = 0;
  Granularity granularity_ = Granularity::kLayer;
  bool graph_build_ = false;
  bool output_rows_only_ = false;
};

#define SOCSIM_SINGLE_UNIT_POLICY(Type, unit, ...)  \
  class Type final : public SingleUnitPolicy {      \
   public:                                          \
    Type() : SingleUnitPolicy(unit, __VA_ARGS__) {} \
  }

SOCSIM_SINGLE_UNIT_POLICY(CpuPolicy, UnitType::kCpuCluster, "", false);
SOCSIM_SINGLE_UNIT_POLICY(GpuPolicy, UnitType::kGpu, "", false);
SOCSIM_SINGLE_UNIT_POLICY(NpuPolicy, UnitType::kNpu, "", false);
SOCSIM_SINGLE_UNIT_POLICY(LlamaCppPolicy, UnitType::kCpuCluster, "llamacpp", false, true);
SOCSIM_SINGLE_UNIT_POLICY(MnnPolicy, UnitType::kCpuCluster, "mnn", false);
SOCSIM_SINGLE_UNIT_POLICY(MlcPolicy, UnitType::kGpu, "mlc", false);
SOCSIM_SINGLE_UNIT_POLICY(TflitePolicy, UnitType::kGpu, "tflite", false);
SOCSIM_SINGLE_UNIT_POLICY(NpuNaivePolicy, UnitType::kNpu, "", true);

}  // namespace

SOCSIM_REGISTER_POLICY(CpuPolicy, "cpu",
                       "every op on the CPU clusters (all cores of each), profile kernel figures");
SOCSIM_REGISTER_POLICY(GpuPolicy, "gpu", "every op on the GPU, one kernel at a time, FP16 compute");
SOCSIM_REGISTER_POLICY(NpuPolicy, "npu",
                       "every op on the NPU: INT8 matmuls, FP16 elsewhere, static shapes");
SOCSIM_REGISTER_POLICY(LlamaCppPolicy, "llamacpp",
                       "llama.cpp on the CPU clusters (engine profile llamacpp)");
SOCSIM_REGISTER_POLICY(MnnPolicy, "mnn", "MNN-LLM on the CPU clusters (engine profile mnn)");
SOCSIM_REGISTER_POLICY(MlcPolicy, "mlc", "MLC-LLM on the GPU, OpenCL (engine profile mlc)");
SOCSIM_REGISTER_POLICY(TflitePolicy, "tflite",
                       "TFLite / MediaPipe LLM on the GPU (engine profile tflite)");
SOCSIM_REGISTER_POLICY(NpuNaivePolicy, "npu-naive",
                       "direct NPU offload: whole-prompt static graphs built and optimised per "
                       "prompt, then every op on the NPU");

}  // namespace socsim
