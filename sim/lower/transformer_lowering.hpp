// Lowering of a decoder-only transformer into ops: prefill of the whole prompt or in chunks, then
// decode token by token over a growing KV cache. Policies call this with their choices (where each
// op kind runs, in which data type, chunking and fusion) and may post-process the graph.
//
// Granularity `block`: each layer becomes four ops: attn_in (norm, QKV projection, RoPE),
// attention, attn_out (output projection, residual), ffn (norm, up/gate, activation, down,
// residual; router and experts for MoE). `layer`: one op per layer. `op`: every primitive is its
// own op. Within a fused op compute and memory traffic overlap (as in a fused kernel or a static
// NPU graph) and its launch overhead is paid once per op, or once per primitive with
// `launch_per_part` (engines that launch one kernel per primitive).
#pragma once

#include <array>
#include <functional>

#include "sim/graph/task_graph.hpp"
#include "sim/lower/lower_context.hpp"

namespace socsim {

enum class Stage : uint8_t { kAttnIn, kAttention, kAttnOut, kFfn, kEmbedding, kLmHead };
enum class Granularity : uint8_t { kOp, kBlock, kLayer };
inline constexpr std::array<std::string_view, 3> kGranularityNames{"op", "block", "layer"};

struct LoweringChoices {
  std::function<Placement(Stage, Phase)> place;  // where each stage runs
  DType matmul_dtype = DType::kInt8;             // compute type of projections
  DType attention_dtype = DType::kFp32;          // compute type of attention
  DType elementwise_dtype = DType::kFp32;        // norms, activations, residuals
  DType weight_dtype = DType::kInt8;             // storage type of weights as the engine reads them
  int64_t chunk = 0;                             // prefill chunk length; 0 = whole prompt at once
  bool pad_last_chunk = false;  // static shapes: the last chunk is computed at full length
  Granularity granularity = Granularity::kBlock;
  bool launch_per_part = false;
  bool exploit_sparsity = false;  // FFN matmuls touch only active neurons (needs a sparse model)
  // Decode steps at block granularity fuse attn_in, attention and attn_out into one op (placed as
  // attn_in) and keep the FFN separate: fewer ops where the FFN is what a policy restructures.
  bool fuse_decode_attention = false;
  std::vector<OpId> entry_deps;  // extra predecessors of every prefill chunk (e.g. graph setup)
  // Called after each stage op `id` is created; may add side ops that run beside it from the same
  // inputs (e.g. shadow-outlier GEMMs). The next stage of the same chunk or token also waits for
  // the returned ops.
  std::function<std::vector<OpId>(Stage, OpId id, TaskGraph& g)> side_ops;
  // Called before each stage op is created with an op carrying its tags and placement, its parts
  // and its predecessors; may add ops the stage also waits for (e.g. weights paged in from flash).
  std::function<std::vector<OpId>(Stage, const Op& tags, std::span<const OpPart> parts,
                                  std::span<const OpId> preds, TaskGraph& g)>
      before_stage;
  // Replaces the FFN stage of a layer (block granularity): gets an op carrying the stage's tags
  // (phase, chunk or token, position, rows, layer, placement), the ops the FFN waits for and the
  // parts the standard FFN op would have; adds its own ops and returns the ops the next stage
  // waits for, or nothing to keep the standard FFN op (e.g. sparse offloaded FFNs).
  std::function<std::vector<OpId>(const Op& tags, std::span<const OpId> preds,
                                  std::span<const OpPart> ffn, TaskGraph& g)>
      ffn_stage;
};

// Appends the prefill and decode ops of ctx.workload; ranks follow creation order. Returns the id
// of the last prefill op (the first token's logits).
OpId lower_transformer(const LowerContext& ctx, const LoweringChoices& choices, TaskGraph& g);

}  // namespace socsim
