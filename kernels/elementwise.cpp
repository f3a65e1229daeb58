// Row-wise and element-wise kernels: RMSNorm, LayerNorm, rotary position embedding (rotate-half
// convention) and the FFN activations (SiLU, tanh-GELU, ReLU, dReLU), each with its FLOP count.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/internal.hpp"

namespace socsim::kernels {

using detail::require;

namespace {
double d(int64_t v) {
  return static_cast<double>(v);
}
}  // namespace

void rmsnorm(const Mat& x, const Vec& gain, float eps, Mat& y) {
  require(gain.size() == x.cols(), "rmsnorm: gain size != x.cols()");
  const int64_t n = x.cols();
  y.resize(x.rows(), n);  // y may be x
  if (n == 0) return;
  for (int64_t i = 0; i < x.rows(); ++i) {
    const float mean_sq = x.row(i).squaredNorm() / static_cast<float>(n);
    const float inv = 1.f / std::sqrt(mean_sq + eps);
    y.row(i) = (x.row(i) * inv).cwiseProduct(gain.transpose());
  }
}

void layernorm(const Mat& x, const Vec& gain, const Vec& bias, float eps, Mat& y) {
  require(gain.size() == x.cols() && bias.size() == x.cols(),
          "layernorm: gain/bias size != x.cols()");
  const int64_t n = x.cols();
  y.resize(x.rows(), n);  // y may be x
  if (n == 0) return;
  Eigen::RowVectorXf centred(n);
  for (int64_t i = 0; i < x.rows(); ++i) {
    centred = x.row(i).array() - x.row(i).mean();
    const float var = centred.squaredNorm() / static_cast<float>(n);
    const float inv = 1.f / std::sqrt(var + eps);
    y.row(i) = (centred * inv).cwiseProduct(gain.transpose()) + bias.transpose();
  }
}

double rmsnorm_flops(int64_t m, int64_t n) {
  return 4.0 * d(m) * d(n);
}
double layernorm_flops(int64_t m, int64_t n) {
  return 7.0 * d(m) * d(n);
}

void rope(Mat& q, Mat& k, int heads, int kv_heads, int head_dim, int64_t first_pos, float theta) {
  require(heads > 0 && kv_heads > 0, "rope: heads must be > 0");
  require(head_dim > 0 && head_dim % 2 == 0, "rope: head_dim must be even and > 0");
  require(q.cols() == static_cast<int64_t>(heads) * head_dim, "rope: q.cols() != heads*head_dim");
  require(k.cols() == static_cast<int64_t>(kv_heads) * head_dim,
          "rope: k.cols() != kv_heads*head_dim");
  require(k.rows() == q.rows(), "rope: q and k row counts differ");
  const int half = head_dim / 2;
  std::vector<double> inv_freq(static_cast<size_t>(half));
  for (int i = 0; i < half; ++i)
    inv_freq[static_cast<size_t>(i)] = std::pow(static_cast<double>(theta), -2.0 * i / head_dim);
  std::vector<float> cs(static_cast<size_t>(half)), sn(static_cast<size_t>(half));

  auto rotate = [&](float* row, int count) {
    for (int h = 0; h < count; ++h) {
      float* lo = row + static_cast<int64_t>(h) * head_dim;
      float* hi = lo + half;
      for (int i = 0; i < half; ++i) {
        const float x1 = lo[i], x2 = hi[i];
        lo[i] = x1 * cs[static_cast<size_t>(i)] - x2 * sn[static_cast<size_t>(i)];
        hi[i] = x2 * cs[static_cast<size_t>(i)] + x1 * sn[static_cast<size_t>(i)];
      }
    }
  };
  for (int64_t r = 0; r < q.rows(); ++r) {
    const double pos = static_cast<double>(first_pos + r);
    for (int i = 0; i < half; ++i) {  // angle in double: positions reach 1e5 radians
      const double angle = pos * inv_freq[static_cast<size_t>(i)];
      cs[static_cast<size_t>(i)] = static_cast<float>(std::cos(angle));
      sn[static_cast<size_t>(i)] = static_cast<float>(std::sin(angle));
    }
    rotate(q.row(r).data(), heads);
    rotate(k.row(r).data(), kv_heads);
  }
}

double rope_flops(int64_t m, int64_t width) {
  return 3.0 * d(m) * d(width);
}

// Plain dReLU (no up input) is ReLU.
void activation(const Mat& gate_or_up, const Mat* up, Act act, Mat& y) {
  const auto g = gate_or_up.array();
  if (up != nullptr)
    require(up->rows() == gate_or_up.rows() && up->cols() == gate_or_up.cols(),
            "activation: gate and up shapes differ");
  y.resize(gate_or_up.rows(), gate_or_up.cols());  // y may alias an input
  constexpr float kGeluC = 0.7978845608028654f;    // sqrt(2 / pi)
  switch (act) {
    case Act::kSilu:
      if (up)
        y.array() = g / (1.f + (-g).exp()) * up->array();
      else
        y.array() = g / (1.f + (-g).exp());
      break;
    case Act::kGelu:
      if (up)
        y.array() = 0.5f * g * (1.f + (kGeluC * (g + 0.044715f * g.cube())).tanh()) * up->array();
      else
        y.array() = 0.5f * g * (1.f + (kGeluC * (g + 0.044715f * g.cube())).tanh());
      break;
    case Act::kRelu:
      if (up)
        y.array() = g.max(0.f) * up->array();
      else
        y.array() = g.max(0.f);
      break;
    case Act::kDRelu:
      if (up)
        y.array() = g.max(0.f) * up->array().max(0.f);
      else
        y.array() = g.max(0.f);
      break;
  }
}

double activation_flops(int64_t m, int64_t width, Act act, bool gated) {
  double per = 1.0;
  switch (act) {
    case Act::kSilu:
      per = 4.0;
      break;
    case Act::kGelu:
      per = 8.0;
      break;
    case Act::kRelu:
      per = 1.0;
      break;
    case Act::kDRelu:
      per = 2.0;
      break;
  }
  if (gated) per += 1.0;
  return per * d(m) * d(width);
}

}  // namespace socsim::kernels
