// Functional execution of schedules; see executor.hpp.
#include "sim/verify/executor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace socsim::verify {

using kernels::QuantScheme;

void round_to_half(Mat& x) {
  for (int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(Eigen::half(x.data()[i]));
}

Executor::Executor(const ReferenceModel& m, const TaskGraph& g, const PlatformSpec& p,
                   ExecOptions opt)
    : m_(m), g_(g), p_(p), opt_(opt) {}

Executor::Stream& Executor::stream_of(const Op& op) {
  const int key = op.phase == Phase::kDecode ? op.token : op.chunk;
  Stream& st = streams_[{static_cast<int>(op.phase), key}];
  return st;
}

void Executor::norm(const Mat& x, const Vec& gain, const Vec& bias, Mat& y) const {
  if (m_.spec.norm == NormKind::kRmsNorm)
    kernels::rmsnorm(x, gain, m_.norm_eps, y);
  else
    kernels::layernorm(x, gain, bias, m_.norm_eps, y);
}

const kernels::QuantMatrix& Executor::quantized(const Mat& w, QuantScheme s) {
  auto key = std::make_pair(&w, static_cast<int>(s));
  auto it = qcache_.find(key);
  if (it == qcache_.end()) it = qcache_.emplace(key, kernels::quantize_weights(w, s)).first;
  return it->second;
}

const Mat& Executor::half_rounded(const Mat& w) {
  auto it = hcache_.find(&w);
  if (it == hcache_.end()) {
    Mat r = w;
    round_to_half(r);
    it = hcache_.emplace(&w, std::move(r)).first;
  }
  return it->second;
}

void Executor::linear(const Op& op, const OpPart& p, const Mat& x, const Mat& w, Mat& y) {
  const std::pair<int, PartRole> key{op.layer, p.role};
  if (opt_.record) {
    float all = x.cwiseAbs().maxCoeff(), bulk = 0;
    for (int64_t c = 0; c < x.cols(); ++c)
      if (!std::binary_search(m_.outlier_channels.begin(), m_.outlier_channels.end(),
                              static_cast<int>(c)) ||
          x.cols() != m_.spec.hidden)
        bulk = std::max(bulk, x.col(c).cwiseAbs().maxCoeff());
    opt_.record->all[key] = std::max(opt_.record->all[key], all);
    opt_.record->bulk[key] = std::max(opt_.record->bulk[key], bulk);
  }
  switch (p.dtype) {
    case DType::kFp32:
      return kernels::gemm_f32(x, w, y);
    case DType::kFp16:
    case DType::kBf16: {
      Mat xh = x;
      round_to_half(xh);
      kernels::gemm_f32(xh, half_rounded(w), y);
      return round_to_half(y);
    }
    case DType::kInt8:
    case DType::kInt4:
      break;
  }
  const bool npu = op.place.count > 0 && p_.units[op.place.unit[0]].type == UnitType::kNpu;
  const QuantScheme s = npu ? opt_.npu_int8 : opt_.cpu_int8;
  float scale = 0;
  if (s == QuantScheme::kPerTensor) {
    if (!opt_.ranges || !opt_.ranges->all.count(key))
      throw std::logic_error("per-tensor INT8 needs calibrated activation ranges");
    const OutlierMode mode = op.layer >= 0 && static_cast<size_t>(op.layer) < opt_.outliers.size()
                                 ? opt_.outliers[static_cast<size_t>(op.layer)]
                                 : OutlierMode::kInScale;
    if (mode == OutlierMode::kInScale) {
      scale = opt_.ranges->all.at(key) / 127.f;
    } else {
      scale = opt_.ranges->bulk.at(key) / 127.f;
      if (mode == OutlierMode::kShadow) {
        kernels::gemm_shadow_outlier(x, quantized(w, s), w, scale, y);
        return;
      }
    }
  }
  kernels::gemm_int8(kernels::quantize_acts(x, s, scale), quantized(w, s), y);
}

void Executor::part(const Op& op, const OpPart& p, Stream& st, ForwardResult& out,
                    const std::vector<int32_t>& tokens) {
  const ModelSpec& s = m_.spec;
  const LayerWeights* lw = op.layer >= 0 ? &m_.layers[static_cast<size_t>(op.layer)] : nullptr;
  switch (p.role) {
    case PartRole::kEmbed:
      st.first_pos = op.pos;
      kernels::embedding(
          m_.embed, std::span<const int32_t>(tokens.data() + op.pos, static_cast<size_t>(op.rows)),
          st.x);
      return;
    case PartRole::kAttnNorm:
      return norm(st.x, lw->attn_gain, lw->attn_bias, st.h);
    case PartRole::kQkv: {
      Mat qkv;
      linear(op, p, st.h, lw->w_qkv, qkv);
      st.q = qkv.leftCols(s.q_dim());
      st.k = qkv.middleCols(s.q_dim(), s.kv_dim());
      st.v = qkv.rightCols(s.kv_dim());
      return;
    }
    case PartRole::kRope: {
      kernels::rope(st.q, st.k, static_cast<int>(s.heads), static_cast<int>(s.kv_heads),
                    static_cast<int>(s.head_dim), op.pos);
      kernels::KvCache& c = out.kv[static_cast<size_t>(op.layer)];
      c.k.middleRows(op.pos, op.rows) = st.k;
      c.v.middleRows(op.pos, op.rows) = st.v;
      c.length = std::max<int64_t>(c.length, op.pos + op.rows);
      return;
    }
    case PartRole::kAttention: {
      kernels::attention(st.q, out.kv[static_cast<size_t>(op.layer)], op.pos,
                         static_cast<int>(s.heads), static_cast<int>(s.kv_heads),
                         static_cast<int>(s.head_dim), st.attn);
      if (p.dtype == DType::kFp16 || p.dtype == DType::kBf16) round_to_half(st.attn);
      return;
    }
    case PartRole::kOProj:
      return linear(op, p, st.attn, lw->w_o, st.o);
    case PartRole::kAttnResidual:
      st.x += st.o;
      return;
    case PartRole::kFfnNorm:
      return norm(st.x, lw->ffn_gain, lw->ffn_bias, st.h);
    case PartRole::kRouter:
      return;  // MoE routing happens with the experts below
    case PartRole::kGateUp: {
      if (s.has_moe) return ffn_forward(m_, *lw, st.h, st.ffn);  // experts in FP32
      const ExpertWeights& ew = lw->experts[0];
      if (s.gated) {
        linear(op, p, st.h, ew.w_gate, st.gate);
        if (ew.gate_bias.size()) st.gate.rowwise() += ew.gate_bias.transpose();
      }
      linear(op, p, st.h, ew.w_up, st.up);
      if (!s.gated && ew.gate_bias.size()) st.up.rowwise() += ew.gate_bias.transpose();
      return;
    }
    case PartRole::kAct:
      if (s.has_moe) return;
      return kernels::activation(s.gated ? st.gate : st.up, s.gated ? &st.up : nullptr,
                                 act_of(s.activation), st.act);
    case PartRole::kDown:
      if (s.has_moe) return;
      return linear(op, p, st.act, lw->experts[0].w_down, st.ffn);
    case PartRole::kFfnResidual:
      st.x += st.ffn;
      return;
    case PartRole::kFinalNorm: {
      const Mat last = st.x.row(op.pos - st.first_pos);
      return norm(last, m_.final_gain, m_.final_bias, st.h);
    }
    case PartRole::kLmHead: {
      Mat logits;
      linear(op, p, st.h, m_.lm_head, logits);
      logits_.emplace_back(op.pos, std::move(logits));
      return;
    }
    case PartRole::kNone:
      return;
  }
}

ForwardResult Executor::run(std::span<const OpId> order, const std::vector<int32_t>& tokens) {
  ForwardResult out;
  out.kv.resize(static_cast<size_t>(m_.spec.layers));
  int64_t positions = 0;
  for (OpId i = 0; i < g_.size(); ++i)
    positions = std::max<int64_t>(positions, g_.op(i).pos + g_.op(i).rows);
  for (kernels::KvCache& c : out.kv) c.reserve(positions, m_.spec.kv_dim());
  if (static_cast<int64_t>(tokens.size()) < positions)
    throw std::logic_error("executor: fewer tokens than positions");
  streams_.clear();
  logits_.clear();
  if (opt_.op_seconds) opt_.op_seconds->assign(g_.size(), 0.0);
  for (OpId id : order) {
    const auto t0 = opt_.op_seconds ? std::chrono::steady_clock::now()
                                    : std::chrono::steady_clock::time_point{};
    const Op& op = g_.op(id);
    Stream& st = stream_of(op);
    for (const OpPart& p : g_.parts(id)) part(op, p, st, out, tokens);
    if (opt_.op_seconds)
      (*opt_.op_seconds)[id] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::sort(logits_.begin(), logits_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [pos, l] : logits_) out.logits.push_back(std::move(l));
  return out;
}

ActRanges calibrate_ranges(const ReferenceModel& m, const TaskGraph& g, const PlatformSpec& p,
                           const std::vector<int32_t>& tokens) {
  // Same graph in creation order, every linear part in FP32, recording input ranges.
  TaskGraph fp32 = g;
  for (OpId i = 0; i < fp32.size(); ++i)
    for (OpPart& part : fp32.parts_mut(i)) part.dtype = DType::kFp32;
  ActRanges r;
  ExecOptions opt;
  opt.record = &r;
  Executor e(m, fp32, p, opt);
  std::vector<OpId> order(fp32.size());
  for (OpId i = 0; i < fp32.size(); ++i) order[i] = i;
  e.run(order, tokens);
  return r;
}

}  // namespace socsim::verify
