// Reduced reference models and the plain FP32 forward pass; see reference_model.hpp.
#include "sim/verify/reference_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace socsim::verify {
namespace {

using kernels::KvCache;

Mat randn(std::mt19937_64& rng, int64_t rows, int64_t cols, float stddev) {
  std::normal_distribution<float> d(0.f, stddev);
  Mat m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = d(rng);
  return m;
}

int64_t round_up(int64_t v, int64_t to) {
  return std::max(to, (v + to - 1) / to * to);
}

// Inverse of the standard normal upper tail: z with P(Z > z) = p, by bisection on erfc.
double upper_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Firing probabilities with a power-law (Zipf, exponent 1) profile whose mean is `mean`, capped
// at 1.
std::vector<double> power_law_probabilities(int64_t n, double mean, std::mt19937_64& rng) {
  std::vector<double> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = 1.0 / static_cast<double>(i + 1);
  for (int iter = 0; iter < 50; ++iter) {  // rescale to the mean, respecting the cap
    const double sum = std::accumulate(p.begin(), p.end(), 0.0);
    const double scale = mean * static_cast<double>(n) / sum;
    for (double& v : p) v = std::min(1.0, v * scale);
  }
  std::shuffle(p.begin(), p.end(), rng);
  return p;
}

void norm(const ReferenceModel& m, const Mat& x, const Vec& gain, const Vec& bias, Mat& y) {
  if (m.spec.norm == NormKind::kRmsNorm)
    kernels::rmsnorm(x, gain, m.norm_eps, y);
  else
    kernels::layernorm(x, gain, bias, m.norm_eps, y);
}

}  // namespace

kernels::Act act_of(Activation a) {
  switch (a) {
    case Activation::kSilu:
      return kernels::Act::kSilu;
    case Activation::kGelu:
      return kernels::Act::kGelu;
    case Activation::kRelu:
      return kernels::Act::kRelu;
    case Activation::kDRelu:
      return kernels::Act::kDRelu;
  }
  return kernels::Act::kSilu;
}

ModelSpec reduce_spec(const ModelSpec& full, const ReducedShape& s) {
  ModelSpec r = full;
  r.name = full.name + "-reduced";
  r.layers = s.layers;
  r.hidden = s.hidden;
  r.head_dim = std::min<int64_t>(32, s.hidden / 2);
  r.heads = std::max<int64_t>(2, std::min(full.heads, s.hidden / r.head_dim));
  r.kv_heads = std::max<int64_t>(1, r.heads * full.kv_heads / full.heads);
  while (r.heads % r.kv_heads != 0) --r.kv_heads;
  r.ffn = round_up(s.hidden * full.ffn / full.hidden, 32);
  r.vocab = s.vocab;
  if (r.has_sparsity && !r.sparsity.per_layer.empty())
    r.sparsity.per_layer.resize(static_cast<size_t>(s.layers), full.sparsity.ffn_active);
  r.max_context = std::max<int64_t>(full.max_context, 1 << 16);
  return r;
}

ReferenceModel build_reference_model(const ModelSpec& full, const ReducedShape& shape,
                                     uint64_t seed) {
  std::mt19937_64 rng(seed);
  ReferenceModel m;
  m.spec = reduce_spec(full, shape);
  const ModelSpec& s = m.spec;
  const int64_t h = s.hidden, qkv = s.q_dim() + 2 * s.kv_dim();
  std::vector<int> channels(static_cast<size_t>(h));
  std::iota(channels.begin(), channels.end(), 0);
  std::shuffle(channels.begin(), channels.end(), rng);
  m.outlier_channels.assign(channels.begin(), channels.begin() + shape.outlier_channels);
  std::sort(m.outlier_channels.begin(), m.outlier_channels.end());

  auto gain = [&] {
    Vec g = Vec::Ones(h) + 0.1f * randn(rng, h, 1, 1.f).col(0);
    for (int c : m.outlier_channels) g(c) *= shape.outlier_scale;
    return g;
  };
  auto bias = [&] {
    return s.norm == NormKind::kLayerNorm ? Vec(0.02f * randn(rng, h, 1, 1.f).col(0)) : Vec();
  };
  const float in_std = 1.f / std::sqrt(static_cast<float>(h));
  const float out_scale = 1.f / std::sqrt(2.f * static_cast<float>(s.layers));
  m.embed = randn(rng, s.vocab, h, 1.f);
  const int64_t experts = s.has_moe ? s.moe.experts : 1;
  for (int64_t l = 0; l < s.layers; ++l) {
    LayerWeights lw;
    lw.attn_gain = gain();
    lw.attn_bias = bias();
    // Inputs of the projections carry the gains, outlier channels included. As in trained LLMs the
    // weight rows of outlier channels are damped (by 1/sqrt(outlier_scale)), so those few channels
    // carry a large but not overwhelming share of each output (about a quarter with 3 channels at
    // 30x in 256), and the weights are scaled so pre-activations have unit variance.
    Vec row_scale = Vec::Ones(h);
    for (int c : m.outlier_channels) row_scale(c) = 1.f / std::sqrt(shape.outlier_scale);
    auto input_weights = [&](const Vec& g, int64_t cols) {
      const float std = 1.f / std::sqrt((g.array() * row_scale.array()).matrix().squaredNorm());
      Mat w = randn(rng, h, cols, std);
      w.array().colwise() *= row_scale.array();
      return w;
    };
    lw.w_qkv = input_weights(lw.attn_gain, qkv);
    lw.w_o = randn(rng, s.q_dim(), h, out_scale / std::sqrt(static_cast<float>(s.q_dim())));
    lw.ffn_gain = gain();
    lw.ffn_bias = bias();
    if (s.has_moe) lw.w_router = input_weights(lw.ffn_gain, s.moe.experts);
    // Variance of a pre-activation x.w for unit-variance normalised x: sum_j gain_j^2 w_j^2.
    const Vec gain_sq = lw.ffn_gain.array().square();
    for (int64_t e = 0; e < experts; ++e) {
      ExpertWeights ew;
      if (s.gated) ew.w_gate = input_weights(lw.ffn_gain, s.ffn);
      ew.w_up = input_weights(lw.ffn_gain, s.ffn);
      ew.w_down = randn(rng, s.ffn, h, out_scale / std::sqrt(static_cast<float>(s.ffn)));
      const bool sparse = s.activation == Activation::kRelu || s.activation == Activation::kDRelu;
      if (sparse && s.has_sparsity) {
        const Mat& wg = s.gated ? ew.w_gate : ew.w_up;
        const double mean = s.ffn_active_fraction(l);
        // dReLU also needs relu(up) > 0 (probability 1/2), so the gate fires twice as often.
        const double gate_factor = s.activation == Activation::kDRelu ? 2.0 : 1.0;
        std::vector<double> p =
            power_law_probabilities(s.ffn, std::min(1.0, mean * gate_factor), rng);
        ew.gate_bias.resize(s.ffn);
        for (int64_t i = 0; i < s.ffn; ++i) {
          const double sigma =
              std::sqrt(static_cast<double>((gain_sq.array() * wg.col(i).array().square()).sum()));
          const double pi = std::clamp(p[static_cast<size_t>(i)], 1e-6, 1.0 - 1e-6);
          ew.gate_bias(i) = static_cast<float>(-sigma * upper_quantile(pi));
        }
      }
      lw.experts.push_back(std::move(ew));
    }
    m.layers.push_back(std::move(lw));
  }
  m.final_gain = Vec::Ones(h);
  m.final_bias = s.norm == NormKind::kLayerNorm ? Vec(Vec::Zero(h)) : Vec();
  m.lm_head = s.tied_embeddings ? Mat(m.embed.transpose()) : randn(rng, h, s.vocab, in_std);
  return m;
}

std::vector<int32_t> make_tokens(const ReferenceModel& m, int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> d(0, static_cast<int32_t>(m.spec.vocab - 1));
  std::vector<int32_t> t(static_cast<size_t>(count));
  for (int32_t& v : t) v = d(rng);
  return t;
}

void ffn_forward(const ReferenceModel& m, const LayerWeights& lw, const Mat& h, Mat& out) {
  const ModelSpec& s = m.spec;
  const kernels::Act act = act_of(s.activation);
  auto expert = [&](const ExpertWeights& ew, const Mat& x, Mat& y) {
    kernels::ffn_dense(x, s.gated ? &ew.w_gate : nullptr,
                       ew.gate_bias.size() ? &ew.gate_bias : nullptr, ew.w_up, ew.w_down, act, y);
  };
  if (!s.has_moe) return expert(lw.experts[0], h, out);
  Eigen::MatrixXi idx;
  Mat weights;
  kernels::moe_route(h, lw.w_router, static_cast<int>(s.moe.experts_per_token), idx, weights);
  out = Mat::Zero(h.rows(), h.cols());
  Mat y;
  for (int64_t r = 0; r < h.rows(); ++r)
    for (int64_t k = 0; k < idx.cols(); ++k) {
      expert(lw.experts[static_cast<size_t>(idx(r, k))], h.row(r), y);
      out.row(r) += weights(r, k) * y.row(0);
    }
}

ForwardResult reference_forward(const ReferenceModel& m, const std::vector<int32_t>& tokens,
                                int64_t prompt, int64_t gen) {
  const ModelSpec& s = m.spec;
  ForwardResult r;
  r.kv.resize(static_cast<size_t>(s.layers));
  for (KvCache& c : r.kv) c.reserve(prompt + gen, s.kv_dim());
  auto step = [&](int64_t pos, int64_t rows) {
    Mat x, hbuf, qkv, attn, o, f;
    kernels::embedding(m.embed,
                       std::span<const int32_t>(tokens.data() + pos, static_cast<size_t>(rows)), x);
    for (int64_t l = 0; l < s.layers; ++l) {
      const LayerWeights& lw = m.layers[static_cast<size_t>(l)];
      norm(m, x, lw.attn_gain, lw.attn_bias, hbuf);
      kernels::gemm_f32(hbuf, lw.w_qkv, qkv);
      Mat q = qkv.leftCols(s.q_dim()), k = qkv.middleCols(s.q_dim(), s.kv_dim()),
          v = qkv.rightCols(s.kv_dim());
      kernels::rope(q, k, static_cast<int>(s.heads), static_cast<int>(s.kv_heads),
                    static_cast<int>(s.head_dim), pos);
      kernels::kv_append(r.kv[static_cast<size_t>(l)], k, v);
      kernels::attention(q, r.kv[static_cast<size_t>(l)], pos, static_cast<int>(s.heads),
                         static_cast<int>(s.kv_heads), static_cast<int>(s.head_dim), attn);
      kernels::gemm_f32(attn, lw.w_o, o);
      x += o;
      norm(m, x, lw.ffn_gain, lw.ffn_bias, hbuf);
      ffn_forward(m, lw, hbuf, f);
      x += f;
    }
    Mat last = x.bottomRows(1), normed, logits;
    norm(m, last, m.final_gain, m.final_bias, normed);
    kernels::lm_head(normed, m.lm_head, logits);
    r.logits.push_back(logits);
  };
  step(0, prompt);
  for (int64_t t = 1; t < gen; ++t) step(prompt + t - 1, 1);
  return r;
}

}  // namespace socsim::verify
