// `skeleton`: the documented starting point for a new scheduling policy. It is the smallest correct
// policy: one parameter-driven choice of unit (every op on the CPU clusters or on the GPU), the
// shared transformer lowering, the shared memory accounting and the engine's default run-time
// order. It is compiled and registered like every shipped policy, so it never rots, and
// `socsim check skeleton` must pass on it. To write your own policy:
//   1. copy this file to sim/policy/impl/<name>.cpp, rename the class and the registered name;
//   2. add the file to SOCSIM_PLUGIN_SOURCES in sim/sources.cmake (plug-ins are linked as objects,
//      so the registration below cannot be dropped by the linker);
//   3. build, then `socsim describe policy.<name>` lists your parameters and
//      `socsim check <name> --against cpu` validates the policy (see sim/policy/README.md).
#include <fmt/format.h>

#include "sim/lower/transformer_lowering.hpp"
#include "sim/policy/memory_plan.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/policy.hpp"

namespace socsim {
namespace {

constexpr std::array<std::string_view, 2> kUnits{"cpu", "gpu"};

class SkeletonPolicy final : public Policy {
 public:
  // (1) Parameters, declared once: name, type, unit, default, bounds and a sentence. The same
  // declaration reads `--set policy.unit=gpu`, prints `socsim describe policy.skeleton` and writes
  // the resolved configuration. Members hold the values; the defaults below are applied before
  // any override, so keep the member initialisers equal to them.
  void visit_params(FieldVisitor& v) override {
    v.choice("unit", unit_, kUnits, {"unit every op runs on: the CPU clusters or the GPU", "cpu"});
    v.integer("chunk", chunk_,
              {.help = "prefill chunk length in tokens; 0 = the whole prompt at once",
               .default_text = "0",
               .min = 0,
               .max = 1 << 20,
               .provenance = "datasheet: a mode, not a quantity: 0 prefills the whole prompt as "
                             "one batch"});
  }

  // (2) Refuse what the policy cannot do, with a located message (never throw, never exit): the
  // run stops with exit code 2, and `socsim check` reports the point as skipped with this reason.
  void check(const LowerContext& ctx, Diagnostics& d) const override {
    if (unit_ == "gpu" && !ctx.hw.has_gpu)
      d.error({"--set policy.unit=gpu"}, fmt::format("profile '{}' has no GPU", ctx.hw.name));
  }

  // (3) Lower the run into a task graph. The shared transformer lowering creates every op (prefill
  // chunks, then decode steps over a growing KV cache) with its parts, roles, tags and
  // dependencies; the policy only answers its questions: where each stage runs, in which data
  // types, at which granularity. Ranks follow creation order. Hooks in LoweringChoices add ops a
  // stage waits for (before_stage) or replace a linear stage by ops of its own (replace_stage).
  // Never drop a dependency the lowering made: `socsim check` would report a data-flow violation
  // and `socsim verify` a mismatch.
  void lower(const LowerContext& ctx, TaskGraph& g) const override {
    const bool gpu = unit_ == "gpu";
    // All cores of every performance CPU cluster, or the GPU's single kernel slot.
    const Placement place =
        gpu ? device_placement(ctx.platform, "gpu") : performance_cpu_placement(ctx.platform);
    LoweringChoices ch;
    ch.place = [place](Stage, Phase) { return place; };
    ch.weight_dtype = ctx.model.weight_dtype;  // weights as the model stores them
    // CPU engines multiply quantised weights with INT8 kernels and keep the rest in FP32; GPUs
    // compute in FP16.
    const bool quantised = ch.weight_dtype == DType::kInt4 || ch.weight_dtype == DType::kInt8;
    ch.matmul_dtype = gpu ? DType::kFp16 : (quantised ? DType::kInt8 : ch.weight_dtype);
    ch.attention_dtype = ch.elementwise_dtype = gpu ? DType::kFp16 : DType::kFp32;
    ch.chunk = chunk_;
    ch.granularity = Granularity::kBlock;  // four ops per layer (see transformer_lowering.hpp)
    ch.launch_per_part = true;             // a CPU/GPU engine launches a kernel per primitive
    lower_transformer(ctx, ch, g);
  }

  // (4) The memory the run holds at its peak, by part. The driver refuses a run whose total
  // exceeds the budget (unless can_offload() is true), and `socsim check` verifies the plan covers
  // the KV cache, the largest op's activations and the weights a forward pass reads.
  MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const override {
    MemoryPlan m;
    m.weights = resident_weight_bytes(ctx.model, ctx.model.weight_dtype);
    m.kv_cache = kv_cache_bytes(ctx.model, ctx.workload);
    m.activations = peak_activation_bytes(ctx.model, g);
    return m;
  }

  // (5) Optional: the run-time order. The default select() dispatches the lowest-rank runnable op;
  // override begin/select/dispatched (or forward them to a scheduler plug-in, as mllm-npu does)
  // to reorder. select() only ever sees ops whose inputs are complete and whose units are free.
  // A policy that does so also overrides schedule_key() to name what its order depends on.

 private:
  std::string unit_ = "cpu";
  int64_t chunk_ = 0;
};

}  // namespace

SOCSIM_REGISTER_POLICY(SkeletonPolicy, "skeleton",
                       "the documented starting point for a new policy (sim/policy/skeleton/): "
                       "every op on the CPU or the GPU (policy.unit)");

}  // namespace socsim
