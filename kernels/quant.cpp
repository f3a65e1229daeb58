// Symmetric INT8 quantisation (per-tensor, per-channel, per-group) of weights and activations, and
// the mllm-NPU shadow-outlier GEMM built on gemm_int8 (see int8_gemm.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/internal.hpp"

namespace socsim::kernels {
namespace {

using detail::require;

// Scale that maps max|v| to 127; an all-zero block gets scale 1 (its codes are all 0 anyway).
float scale_for(float max_abs) {
  return max_abs > 0.f ? max_abs / 127.f : 1.f;
}

int8_t quantize_value(float v, float scale) {
  const float q = std::nearbyint(v / scale);  // round half to even (default rounding mode)
  return static_cast<int8_t>(std::clamp(q, -127.f, 127.f));
}

int64_t group_count(int64_t k, int group) {
  return (k + group - 1) / group;
}

}  // namespace

// Per-group with k not a multiple of `group`: the last group is shorter, so scale has
// ceil(k / group) rows (k / group when it divides).
QuantMatrix quantize_weights(const Mat& w, QuantScheme scheme, int group) {
  require(scheme != QuantScheme::kPerGroup || group > 0, "quantize_weights: group must be > 0");
  const int64_t k = w.rows(), n = w.cols();
  QuantMatrix out;
  out.scheme = scheme;
  out.group = group;
  out.q.resize(k, n);
  switch (scheme) {
    case QuantScheme::kPerTensor: {
      out.scale.resize(1, 1);
      out.scale(0, 0) = scale_for(w.size() == 0 ? 0.f : w.cwiseAbs().maxCoeff());
      const float s = out.scale(0, 0);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t j = 0; j < n; ++j) out.q(r, j) = quantize_value(w(r, j), s);
      break;
    }
    case QuantScheme::kPerChannel: {
      out.scale.setZero(1, n);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t j = 0; j < n; ++j)
          out.scale(0, j) = std::max(out.scale(0, j), std::abs(w(r, j)));
      for (int64_t j = 0; j < n; ++j) out.scale(0, j) = scale_for(out.scale(0, j));
      for (int64_t r = 0; r < k; ++r)
        for (int64_t j = 0; j < n; ++j) out.q(r, j) = quantize_value(w(r, j), out.scale(0, j));
      break;
    }
    case QuantScheme::kPerGroup: {
      const int64_t groups = group_count(k, group);
      out.scale.setZero(groups, n);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t j = 0; j < n; ++j)
          out.scale(r / group, j) = std::max(out.scale(r / group, j), std::abs(w(r, j)));
      out.scale = out.scale.unaryExpr([](float v) { return scale_for(v); });
      for (int64_t r = 0; r < k; ++r)
        for (int64_t j = 0; j < n; ++j)
          out.q(r, j) = quantize_value(w(r, j), out.scale(r / group, j));
      break;
    }
  }
  return out;
}

QuantActs quantize_acts(const Mat& x, QuantScheme scheme, float static_scale, int group) {
  require(scheme != QuantScheme::kPerGroup || group > 0, "quantize_acts: group must be > 0");
  const int64_t m = x.rows(), k = x.cols();
  QuantActs out;
  out.scheme = scheme;
  out.group = group;
  out.q.resize(m, k);
  switch (scheme) {
    case QuantScheme::kPerTensor: {
      out.scale.resize(1, 1);
      out.scale(0, 0) = static_scale > 0.f
                            ? static_scale
                            : scale_for(x.size() == 0 ? 0.f : x.cwiseAbs().maxCoeff());
      const float s = out.scale(0, 0);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t c = 0; c < k; ++c) out.q(i, c) = quantize_value(x(i, c), s);
      break;
    }
    case QuantScheme::kPerChannel: {
      out.scale.resize(m, 1);
      for (int64_t i = 0; i < m; ++i) {
        const float s = scale_for(k == 0 ? 0.f : x.row(i).cwiseAbs().maxCoeff());
        out.scale(i, 0) = s;
        for (int64_t c = 0; c < k; ++c) out.q(i, c) = quantize_value(x(i, c), s);
      }
      break;
    }
    case QuantScheme::kPerGroup: {
      const int64_t groups = group_count(k, group);
      out.scale.resize(m, groups);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t g = 0; g < groups; ++g) {
          const int64_t c0 = g * group, len = std::min<int64_t>(group, k - c0);
          const float s = scale_for(x.row(i).segment(c0, len).cwiseAbs().maxCoeff());
          out.scale(i, g) = s;
          for (int64_t c = c0; c < c0 + len; ++c) out.q(i, c) = quantize_value(x(i, c), s);
        }
      break;
    }
  }
  return out;
}

int gemm_shadow_outlier(const Mat& x, const QuantMatrix& w_int8, const Mat& w_f32,
                        float act_static_scale, Mat& y) {
  require(w_f32.rows() == w_int8.q.rows() && w_f32.cols() == w_int8.q.cols(),
          "gemm_shadow_outlier: w_f32 and w_int8 shapes differ");
  require(x.cols() == w_f32.rows(), "gemm_shadow_outlier: x.cols() != w.rows()");
  require(&y != &x && &y != &w_f32, "gemm_shadow_outlier: y aliases an input");
  const QuantActs xq = quantize_acts(x, QuantScheme::kPerTensor, act_static_scale);
  gemm_int8(xq, w_int8, y);
  if (act_static_scale <= 0.f) return 0;  // dynamic scale: nothing is clipped

  const float limit = 127.f * act_static_scale;
  const int64_t m = x.rows(), k = x.cols();
  std::vector<int64_t> outliers;
  for (int64_t c = 0; c < k; ++c) {
    bool clipped = false;
    for (int64_t i = 0; i < m && !clipped; ++i) clipped = std::abs(x(i, c)) > limit;
    if (clipped) outliers.push_back(c);
  }
  if (outliers.empty()) return 0;
  const auto cnt = static_cast<int64_t>(outliers.size());
  Mat residual(m, cnt), w_rows(cnt, w_f32.cols());
  for (int64_t o = 0; o < cnt; ++o) {
    const int64_t c = outliers[static_cast<size_t>(o)];
    for (int64_t i = 0; i < m; ++i) residual(i, o) = x(i, c) - std::clamp(x(i, c), -limit, limit);
    w_rows.row(o) = w_f32.row(c);
  }
  y.noalias() += residual * w_rows;
  return static_cast<int>(cnt);
}

double shadow_flops(int64_t m, int64_t outlier_channels, int64_t n) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(outlier_channels) *
         static_cast<double>(n);
}

}  // namespace socsim::kernels
