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
  // The last layer of a prefill computes its FFN (norm, projections, residual) only for the rows
  // whose logits are wanted (the prompt's last token), as llama.cpp does: its graphs gather the
  // output rows (`inp_out_ids`) after the last layer's attention (src/llama-model.cpp).
  bool last_layer_output_rows_only = false;
  std::vector<OpId> entry_deps;  // extra predecessors of every prefill chunk (e.g. graph setup)
  // At most how many ops a policy's replace_stage and before_stage make of one decode layer (0 =
  // the granularity's count). Only sizes the graph's reserve: a policy that cuts a decode layer
  // into many ops (the sparse FFNs: ~22) gives its bound so that the op table is allocated and
  // prefaulted once instead of regrown (each regrowth copies the table into fresh pages).
  int64_t decode_ops_per_layer = 0;
  // Called before each stage op is created with an op carrying its tags and placement, its parts
  // and its predecessors; may add ops the stage also waits for (e.g. weights paged in from flash).
  std::function<std::vector<OpId>(Stage, const Op& tags, std::span<const OpPart> parts,
                                  std::span<const OpId> preds, TaskGraph& g)>
      before_stage;
  // Replaces a stage of a layer (attn_in, attn_out or ffn at block granularity; a decode step's
  // fused attention block is attn_in with the attention part among its parts): gets the
  // stage, an op carrying its tags (phase, chunk or token, position, rows, layer, placement), the
  // ops it waits for and the parts the standard op would have; adds its own ops and returns the
  // ops the next stage waits for (the first is the stage's output; every one is waited for), or
  // nothing to keep the standard op. Used to cut a stage into several ops (mllm-npu's graph split
  // at shadowed linear layers) or restructure it (the sparse offloaded FFNs).
  std::function<std::vector<OpId>(Stage, const Op& tags, std::span<const OpId> preds,
                                  std::span<const OpPart> parts, TaskGraph& g)>
      replace_stage;
};

// Appends the prefill and decode ops of ctx.workload; ranks follow creation order. Returns the id
// of the last prefill op (the first token's logits).
OpId lower_transformer(const LowerContext& ctx, const LoweringChoices& choices, TaskGraph& g);

}  // namespace socsim
