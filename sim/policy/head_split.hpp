// PowerInfer-2's hybrid decode attention (arXiv 2406.06282 v3, section 4.1.2): each decode
// attention block (QKV projection, attention, output projection) is split by heads between the
// CPU and the NPU, which compute their heads at once; the CPU merges them and adds the residual.
// A planner picks the NPU's share that ends the block soonest, timing each half alone on its
// unit as the engine would (op_alone_seconds, also used by the sparse FFN's hot/cold planner).
#pragma once

#include <span>
#include <vector>

#include "sim/engine/platform.hpp"
#include "sim/graph/task_graph.hpp"

namespace socsim {

// Seconds an op of `parts` takes alone on `place` (launch, compute, memory at the unit's port).
double op_alone_seconds(const PlatformSpec& p, const Placement& place,
                        const std::vector<OpPart>& parts);

// The parts of one half of an attention block: `share` of every part's work (projections,
// attention, KV reads), the norm whole on both halves, the residual on the CPU's. The NPU's half
// carries no roles (functional execution computes the block on the CPU's half) and computes
// attention quantised: QNN keeps an 8-bit KV cache (Qualcomm AI Hub's Llama graphs), its FP16
// path being two orders of magnitude slower (mllm-NPU, arXiv 2407.05858, Table 3).
std::vector<OpPart> head_share_parts(std::span<const OpPart> parts, double share, bool npu);

// The NPU's share of heads, in eighths, that ends the block soonest (0: all on the CPU).
double balanced_head_share(const PlatformSpec& p, const Placement& cpu, const Placement& npu,
                           std::span<const OpPart> parts);

// Adds the block's two halves (the NPU's only when share > 0), both waiting for `preds`; returns
// the CPU's half first, then the NPU's: the next stage waits for both.
std::vector<OpId> add_split_attention(const Op& tags, std::span<const OpId> preds,
                                      std::span<const OpPart> parts, double share,
                                      const Placement& cpu, const Placement& npu, TaskGraph& g);

}  // namespace socsim
