// FLOP and byte formulas; see op_formulas.hpp.
#include "sim/graph/op_formulas.hpp"

#include <cmath>

namespace socsim::formulas {
namespace {
double elem_bytes(DType t) {
  return plain_bits(t) / 8.0;
}
double weight_elem_bytes(DType t) {
  return storage_bits(t) / 8.0;
}
double d(int64_t v) {
  return static_cast<double>(v);
}
int32_t i32(int64_t v) {
  return static_cast<int32_t>(v);
}
}  // namespace

OpPart matmul(int64_t m, int64_t k, int64_t n, DType compute, DType wtype, DType atype) {
  OpPart p;
  p.kind = OpKind::kMatmul;
  p.dtype = compute;
  p.m = i32(m), p.n = i32(n), p.k = i32(k);
  p.flops = 2.0 * d(m) * d(k) * d(n);
  p.weight_bytes = d(k) * d(n) * weight_elem_bytes(wtype);
  p.act_read = d(m) * d(k) * elem_bytes(atype);
  p.act_written = d(m) * d(n) * elem_bytes(atype);
  return p;
}

double causal_pairs(int64_t q, int64_t past) {
  return d(q) * d(past) + d(q) * (d(q) + 1.0) / 2.0;
}

OpPart attention(int64_t q, int64_t past, int64_t heads, int64_t kv_heads, int64_t head_dim,
                 DType compute, DType atype, DType kvtype) {
  OpPart p;
  p.kind = OpKind::kAttention;
  p.dtype = compute;
  p.m = i32(q), p.n = i32(past + q), p.k = i32(heads * head_dim);
  const double pairs = causal_pairs(q, past);
  p.flops = 4.0 * pairs * d(heads) * d(head_dim) + 5.0 * pairs * d(heads);
  const double kv_row =
      2.0 * d(kv_heads) * d(head_dim) * elem_bytes(kvtype);  // K and V of one position
  p.kv_read = d(past + q) * kv_row;
  p.kv_written = 0;  // the K/V projections write the cache (counted with the QKV matmul's output)
  p.act_read = d(q) * d(heads * head_dim) * elem_bytes(atype);
  p.act_written = d(q) * d(heads * head_dim) * elem_bytes(atype);
  return p;
}

OpPart norm(int64_t m, int64_t width, NormKind kind, DType compute, DType atype, DType wtype) {
  OpPart p;
  p.kind = OpKind::kNorm;
  p.dtype = compute;
  p.m = i32(m), p.n = i32(width);
  p.flops = (kind == NormKind::kRmsNorm ? 4.0 : 7.0) * d(m) * d(width);
  p.weight_bytes =
      d(width) * (kind == NormKind::kRmsNorm ? 1.0 : 2.0) *
      elem_bytes(wtype == DType::kInt4 || wtype == DType::kInt8 ? DType::kFp32 : wtype);
  p.act_read = d(m) * d(width) * elem_bytes(atype);
  p.act_written = d(m) * d(width) * elem_bytes(atype);
  return p;
}

OpPart rope(int64_t m, int64_t width, DType compute, DType atype) {
  OpPart p;
  p.kind = OpKind::kRope;
  p.dtype = compute;
  p.m = i32(m), p.n = i32(width);
  p.flops = 3.0 * d(m) * d(width);  // one complex rotation (6 FLOPs) per pair of elements
  p.act_read = d(m) * d(width) * elem_bytes(atype);
  p.act_written = p.act_read;
  return p;
}

OpPart activation(int64_t m, int64_t width, Activation act, bool gated, DType compute,
                  DType atype) {
  OpPart p;
  p.kind = OpKind::kActivation;
  p.dtype = compute;
  p.m = i32(m), p.n = i32(width);
  double per = 1.0;
  switch (act) {
    case Activation::kSilu:
      per = 4.0;
      break;  // x / (1 + exp(-x))
    case Activation::kGelu:
      per = 8.0;
      break;  // tanh approximation
    case Activation::kRelu:
      per = 1.0;
      break;
    case Activation::kDRelu:
      per = 2.0;
      break;  // relu on gate and on up
  }
  if (gated) per += 1.0;  // act(gate) * up
  p.flops = per * d(m) * d(width);
  p.act_read = (gated ? 2.0 : 1.0) * d(m) * d(width) * elem_bytes(atype);
  p.act_written = d(m) * d(width) * elem_bytes(atype);
  return p;
}

OpPart add(int64_t m, int64_t width, DType compute, DType atype) {
  OpPart p;
  p.kind = OpKind::kAdd;
  p.dtype = compute;
  p.m = i32(m), p.n = i32(width);
  p.flops = d(m) * d(width);
  p.act_read = 2.0 * d(m) * d(width) * elem_bytes(atype);
  p.act_written = d(m) * d(width) * elem_bytes(atype);
  return p;
}

OpPart convert(int64_t m, int64_t width, DType from, DType to, int addends, DType addend_type) {
  OpPart p;
  p.kind = OpKind::kConvert;
  p.dtype = DType::kFp32;
  p.m = i32(m), p.n = i32(width);
  const double n = d(m) * d(width);
  p.flops = (2.0 + d(addends)) * n;
  p.act_read = n * (elem_bytes(from) + d(addends) * elem_bytes(addend_type));
  p.act_written = n * elem_bytes(to);
  return p;
}

OpPart embedding(int64_t m, int64_t width, DType wtype, DType atype) {
  OpPart p;
  p.kind = OpKind::kEmbedding;
  p.dtype = atype;
  p.m = i32(m), p.n = i32(width);
  p.flops = 0;
  p.weight_bytes = d(m) * d(width) * weight_elem_bytes(wtype);  // one row per token
  p.act_written = d(m) * d(width) * elem_bytes(atype);
  return p;
}

OpPart moe_router(int64_t m, int64_t hidden, int64_t experts, DType compute, DType atype) {
  OpPart p = matmul(m, hidden, experts, compute, DType::kFp16, atype);
  p.kind = OpKind::kMoeRouter;
  p.flops += d(m) * d(experts) * 2.0;  // softmax and top-k selection
  return p;
}

double experts_touched(int64_t m, int64_t k, int64_t e) {
  if (e <= 0) return 0;
  return d(e) * (1.0 - std::pow(1.0 - d(k) / d(e), d(m)));
}

}  // namespace socsim::formulas
