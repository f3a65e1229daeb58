// The one set of FLOP and byte formulas per op kind. The lowering, the cost model, the reports and
// the reference-kernel tests all call these, so a formula changes in one place. A multiply-
// accumulate counts as 2 FLOPs. Byte counts use the model's storage data types.
#pragma once

#include "sim/graph/task_graph.hpp"
#include "sim/model/model_spec.hpp"

namespace socsim::formulas {

// x[m,k] @ W[k,n]: weights in `wtype` (read once), activations in `atype`.
OpPart matmul(int64_t m, int64_t k, int64_t n, DType compute, DType wtype, DType atype);
// Causal attention of `q` new queries over `past` cached positions plus themselves; K/V cache in
// `kvtype`. Scores and context: 4 FLOPs per (query, key, head dim) pair; softmax 5 FLOPs per score.
OpPart attention(int64_t q, int64_t past, int64_t heads, int64_t kv_heads, int64_t head_dim,
                 DType compute, DType atype, DType kvtype);
// Number of (query, key) pairs of causal attention of q new queries after `past` positions.
double causal_pairs(int64_t q, int64_t past);
OpPart norm(int64_t m, int64_t width, NormKind kind, DType compute, DType atype, DType wtype);
OpPart rope(int64_t m, int64_t width, DType compute, DType atype);
// FFN activation over m rows of `width` neurons; gated applies act(gate) * up.
OpPart activation(int64_t m, int64_t width, Activation act, bool gated, DType compute, DType atype);
OpPart add(int64_t m, int64_t width, DType compute, DType atype);
// One pass over m x width elements that reads them in `from`, adds `addends` other tensors of the
// same shape in `addend_type` (0: a plain conversion) and writes them in `to`: a quantise or
// dequantise, or a dequantise-add-requantise merge. 2 FLOPs per element for the conversion (scale,
// round) plus one per addend.
OpPart convert(int64_t m, int64_t width, DType from, DType to, int addends, DType addend_type);
OpPart embedding(int64_t m, int64_t width, DType wtype, DType atype);
OpPart moe_router(int64_t m, int64_t hidden, int64_t experts, DType compute, DType atype);
// Expected number of distinct experts used by m tokens each routed to k of e experts (uniform).
double experts_touched(int64_t m, int64_t k, int64_t e);

}  // namespace socsim::formulas
