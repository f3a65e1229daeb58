// Attention heads split between the CPU and the NPU; see head_split.hpp.
#include "sim/policy/head_split.hpp"

#include <algorithm>

#include "sim/cost/estimator.hpp"
#include "sim/engine/link_model.hpp"

namespace socsim {

double op_alone_seconds(const PlatformSpec& p, const Placement& place,
                        const std::vector<OpPart>& parts) {
  static const CostModel model;
  TaskGraph g;
  Op op;
  op.place = place;
  g.add(op, parts, {}, "probe");
  std::vector<double> scratch;
  return lone_op_seconds(LinkLayout(p), place, model.estimate(g, 0, p), scratch);
}

std::vector<OpPart> head_share_parts(std::span<const OpPart> parts, double share, bool npu) {
  std::vector<OpPart> out;
  for (OpPart p : parts) {
    const bool whole = p.role == PartRole::kAttnNorm || p.role == PartRole::kAttnResidual;
    if (npu && p.role == PartRole::kAttnResidual) continue;  // merged on the CPU
    if (!whole) {
      p.flops *= share, p.weight_bytes *= share, p.kv_read *= share, p.kv_written *= share;
      p.act_read *= share, p.act_written *= share;
    }
    if (npu) p.role = PartRole::kNone;
    if (npu && p.kind == OpKind::kAttention) p.dtype = DType::kInt8;
    if (p.flops > 0 || p.bytes() > 0 || p.role != PartRole::kNone) out.push_back(p);
  }
  return out;
}

double balanced_head_share(const PlatformSpec& pf, const Placement& cpu, const Placement& npu,
                           std::span<const OpPart> parts) {
  double best = 0, best_t = op_alone_seconds(pf, cpu, head_share_parts(parts, 1.0, false));
  for (int eighths = 1; eighths <= 8; ++eighths) {
    const double share = eighths / 8.0;
    const double t = std::max(op_alone_seconds(pf, npu, head_share_parts(parts, share, true)),
                              op_alone_seconds(pf, cpu, head_share_parts(parts, 1 - share, false)));
    if (t < best_t) best = share, best_t = t;
  }
  return best;
}

std::vector<OpId> add_split_attention(const Op& tags, std::span<const OpId> preds,
                                      std::span<const OpPart> parts, double share,
                                      const Placement& cpu, const Placement& npu, TaskGraph& g) {
  const std::vector<OpId> in(preds.begin(), preds.end());
  Op op = tags;
  op.kind = OpKind::kAttention;
  std::vector<OpId> ends;
  if (share > 0) {
    op.place = npu;
    op.rank = static_cast<int64_t>(g.size());
    ends.push_back(g.add(op, head_share_parts(parts, share, true), in, "attention.npu"));
  }
  op.place = cpu;
  op.rank = static_cast<int64_t>(g.size());
  ends.insert(ends.begin(),
              g.add(op, head_share_parts(parts, 1.0 - share, false), in, "attention"));
  return ends;
}

}  // namespace socsim
