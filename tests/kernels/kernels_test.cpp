// Reference kernels, GEMM side: FP32 GEMM and the fixed-order GEMM against a naive loop, every
// kernel's FLOP count against the cost model's formula, INT8 quantised GEMM (accuracy per scheme,
// exact INT32 accumulation, outliers, static-scale clipping) and the shadow-outlier GEMM.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "kernels/internal.hpp"
#include "kernels/kernels.hpp"
#include "sim/graph/op_formulas.hpp"
#include "tests/kernels/kernel_test_util.hpp"

using namespace socsim::kernels;
using namespace socsim::kernels::testing;
namespace F = socsim::formulas;
using socsim::DType;

namespace {

using I8 = Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

I8 random_int8(int64_t rows, int64_t cols, uint32_t seed, int lo, int hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  I8 m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<int8_t>(dist(gen));
  return m;
}

Mat int8_reference(const QuantActs& x, const QuantMatrix& w) {  // dequantise, then FP32-exact GEMM
  Mat xd(x.q.rows(), x.q.cols()), wd(w.q.rows(), w.q.cols());
  for (int64_t i = 0; i < xd.rows(); ++i)
    for (int64_t c = 0; c < xd.cols(); ++c) {
      const float s = x.scheme == QuantScheme::kPerTensor    ? x.scale(0, 0)
                      : x.scheme == QuantScheme::kPerChannel ? x.scale(i, 0)
                                                             : x.scale(i, c / x.group);
      xd(i, c) = x.q(i, c) * s;
    }
  for (int64_t r = 0; r < wd.rows(); ++r)
    for (int64_t j = 0; j < wd.cols(); ++j) {
      const float s = w.scheme == QuantScheme::kPerTensor    ? w.scale(0, 0)
                      : w.scheme == QuantScheme::kPerChannel ? w.scale(0, j)
                                                             : w.scale(r / w.group, j);
      wd(r, j) = w.q(r, j) * s;
    }
  return naive_gemm(xd, wd);
}

}  // namespace

TEST(KernelsGemm, F32MatchesNaiveLoop) {
  for (auto [m, k, n] : {std::tuple{1, 64, 33}, {5, 100, 50}, {64, 300, 130}, {256, 96, 17}}) {
    const Mat x = random_mat(m, k, 1), w = random_mat(k, n, 2);
    Mat y;
    gemm_f32(x, w, y);
    ASSERT_EQ(y.rows(), m);
    ASSERT_EQ(y.cols(), n);
    EXPECT_LT(rel_max_err(y, naive_gemm(x, w)), 1e-5) << m << "x" << k << "x" << n;
  }
  Mat y;
  EXPECT_THROW(gemm_f32(random_mat(2, 3, 1), random_mat(4, 2, 2), y), std::invalid_argument);
}

TEST(KernelsGemm, OrderedGemmMatchesNaiveAndIgnoresOtherColumns) {
  // Both row paths (few rows: streamed; many rows: packed tiles) and a column tail.
  for (int m : {1, 3, 7, 8, 20}) {
    const Mat a = random_mat(m, 517, 3), b = random_mat(517, 53, 4);
    Mat c;
    socsim::kernels::detail::gemm_ordered(a, b, c);
    EXPECT_LT(rel_max_err(c, naive_gemm(a, b)), 1e-5) << m;
    // A column's value depends only on that column: any subset, anywhere, gives the same bits.
    const std::vector<int> cols{52, 0, 17, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46};
    Mat bs(b.rows(), static_cast<int64_t>(cols.size())), cs;
    for (size_t o = 0; o < cols.size(); ++o) bs.col(static_cast<int64_t>(o)) = b.col(cols[o]);
    socsim::kernels::detail::gemm_ordered(a, bs, cs);
    for (size_t o = 0; o < cols.size(); ++o)
      EXPECT_TRUE((cs.col(static_cast<int64_t>(o)).array() == c.col(cols[o]).array()).all())
          << "m=" << m << " column " << cols[o];
  }
}

TEST(KernelsFlops, EqualCostModelFormulas) {
  using socsim::Activation;
  using socsim::NormKind;
  const DType f = DType::kFp32;
  for (auto [m, k, n] : {std::tuple{1, 2048, 2048}, {256, 4096, 11008}, {7, 3, 5}}) {
    EXPECT_EQ(gemm_flops(m, k, n), F::matmul(m, k, n, f, DType::kInt8, f).flops);
    EXPECT_EQ(shadow_flops(m, 3, n), F::matmul(m, 3, n, f, f, f).flops);
    EXPECT_EQ(rmsnorm_flops(m, k), F::norm(m, k, NormKind::kRmsNorm, f, f, f).flops);
    EXPECT_EQ(layernorm_flops(m, k), F::norm(m, k, NormKind::kLayerNorm, f, f, f).flops);
    EXPECT_EQ(rope_flops(m, k), F::rope(m, k, f, f).flops);
    // The router: a GEMM plus 2 per logit for softmax and top-k.
    EXPECT_EQ(gemm_flops(m, k, 8) + 2.0 * m * 8, F::moe_router(m, k, 8, f, f).flops);
  }
  for (auto [rows, past] : {std::pair{1, 0}, {1, 4095}, {128, 0}, {64, 1000}})
    for (auto [heads, kv, hd] : {std::tuple{32, 8, 128}, {12, 12, 64}})
      EXPECT_EQ(attention_flops(rows, past, heads, hd),
                F::attention(rows, past, heads, kv, hd, f, f, f).flops);
  const std::pair<Act, Activation> acts[] = {{Act::kSilu, Activation::kSilu},
                                             {Act::kGelu, Activation::kGelu},
                                             {Act::kRelu, Activation::kRelu},
                                             {Act::kDRelu, Activation::kDRelu}};
  for (auto [a, b] : acts)
    for (bool gated : {false, true})
      EXPECT_EQ(activation_flops(9, 11008, a, gated),
                F::activation(9, 11008, b, gated, f, f).flops);
}

TEST(KernelsInt8, ScalesAreBlockMaximaOver127AndCodesRound) {
  // k = 100 is not a multiple of the group: 4 groups, the last of 4 rows.
  const Mat w = random_mat(100, 24, 5), x = random_mat(6, 100, 6);
  const QuantMatrix wt = quantize_weights(w, QuantScheme::kPerTensor);
  const QuantMatrix wc = quantize_weights(w, QuantScheme::kPerChannel);
  const QuantMatrix wg = quantize_weights(w, QuantScheme::kPerGroup, 32);
  const QuantActs xc = quantize_acts(x, QuantScheme::kPerChannel);
  const QuantActs xg = quantize_acts(x, QuantScheme::kPerGroup, 0.f, 32);
  ASSERT_EQ(wt.scale.size(), 1);
  ASSERT_EQ(wc.scale.rows(), 1);
  ASSERT_EQ(wc.scale.cols(), 24);
  ASSERT_EQ(wg.scale.rows(), 4);
  ASSERT_EQ(xc.scale.rows(), 6);
  ASSERT_EQ(xg.scale.cols(), 4);
  EXPECT_FLOAT_EQ(wt.scale(0, 0), w.cwiseAbs().maxCoeff() / 127.f);
  for (int64_t j = 0; j < 24; ++j) {
    EXPECT_FLOAT_EQ(wc.scale(0, j), w.col(j).cwiseAbs().maxCoeff() / 127.f);
    for (int64_t g = 0; g < 4; ++g) {
      const int64_t len = std::min<int64_t>(32, 100 - 32 * g);
      EXPECT_FLOAT_EQ(wg.scale(g, j), w.col(j).segment(32 * g, len).cwiseAbs().maxCoeff() / 127.f);
    }
  }
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_FLOAT_EQ(xc.scale(i, 0), x.row(i).cwiseAbs().maxCoeff() / 127.f);
    EXPECT_FLOAT_EQ(xg.scale(i, 1), x.row(i).segment(32, 32).cwiseAbs().maxCoeff() / 127.f);
  }
  for (int64_t r = 0; r < 100; ++r)  // every code is the nearest step to its value
    for (int64_t j = 0; j < 24; ++j) {
      const float s = wg.scale(r / 32, j);
      ASSERT_LE(std::abs(wg.q(r, j)), 127);
      ASSERT_LE(std::abs(wg.q(r, j) * s - w(r, j)), 0.5f * s * 1.0001f);
    }
}

TEST(KernelsInt8, EachSchemeIsCloseToF32) {
  const Mat x = random_mat(32, 256, 10), w = random_mat(256, 96, 11, 0.05f);
  Mat ref, y;
  gemm_f32(x, w, ref);
  for (QuantScheme s :
       {QuantScheme::kPerTensor, QuantScheme::kPerChannel, QuantScheme::kPerGroup}) {
    const QuantActs xq = quantize_acts(x, s);
    const QuantMatrix wq = quantize_weights(w, s);
    gemm_int8(xq, wq, y);
    const double err = rel_fro_err(y, ref);
    EXPECT_LT(err, 0.03) << static_cast<int>(s);
    EXPECT_GT(err, 0.0) << static_cast<int>(s);  // it is quantised
    // And it is exactly the product of the dequantised operands (up to FP32 rounding).
    EXPECT_LT(rel_max_err(y, int8_reference(xq, wq)), 1e-5) << static_cast<int>(s);
  }
  // Mixed: per-channel activations with per-group weights.
  gemm_int8(quantize_acts(x, QuantScheme::kPerChannel), quantize_weights(w, QuantScheme::kPerGroup),
            y);
  EXPECT_LT(rel_fro_err(y, ref), 0.03);
}

TEST(KernelsInt8, Int32AccumulationIsExact) {
  // All-positive codes near 127 over k = 4099: the sums (~5e7) exceed 2^24, so accumulating in
  // FP32 would round; INT32 accumulation then one conversion gives float(the exact sum).
  for (int m : {1, 2, 7}) {
    QuantActs x;
    x.q = random_int8(m, 4099, 20 + m, 100, 127);
    x.scale = Mat::Ones(1, 1);
    QuantMatrix w;
    w.q = random_int8(4099, 70, 30 + m, 100, 127);
    w.scale = Mat::Ones(1, 1);
    Mat y;
    gemm_int8(x, w, y);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < 70; ++j) {
        int64_t s = 0;
        for (int64_t c = 0; c < 4099; ++c) s += int64_t{x.q(i, c)} * w.q(c, j);
        ASSERT_EQ(y(i, j), static_cast<float>(s)) << m << " " << i << "," << j;
      }
  }
  // Per-group (odd group 33, mixed signs, -127..127) with unit scales: each group's INT32 sum is
  // exact and small enough that their FP32 total is exact too.
  QuantActs x;
  x.scheme = QuantScheme::kPerGroup;
  x.group = 33;
  x.q = random_int8(5, 99, 40, -127, 127);
  x.scale = Mat::Ones(5, 3);
  QuantMatrix w;
  w.scheme = QuantScheme::kPerGroup;
  w.group = 33;
  w.q = random_int8(99, 40, 41, -127, 127);
  w.scale = Mat::Ones(3, 40);
  Mat y;
  gemm_int8(x, w, y);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 40; ++j) {
      int64_t s = 0;
      for (int64_t c = 0; c < 99; ++c) s += int64_t{x.q(i, c)} * w.q(c, j);
      ASSERT_EQ(y(i, j), static_cast<float>(s));
    }
}

TEST(KernelsInt8, PerGroupBeatsPerTensorOnOutlierChannels) {
  Mat x = random_mat(16, 256, 50);
  for (int c : {9, 100, 201}) x.col(c) *= 50.f;
  const Mat w = random_mat(256, 64, 51, 0.05f);
  Mat ref, yt, yg;
  gemm_f32(x, w, ref);
  gemm_int8(quantize_acts(x, QuantScheme::kPerTensor), quantize_weights(w, QuantScheme::kPerTensor),
            yt);
  gemm_int8(quantize_acts(x, QuantScheme::kPerGroup, 0.f, 32),
            quantize_weights(w, QuantScheme::kPerGroup, 32), yg);
  const double et = rel_fro_err(yt, ref), eg = rel_fro_err(yg, ref);
  EXPECT_LT(eg, 0.5 * et) << "per-group " << eg << " per-tensor " << et;
}

TEST(KernelsInt8, StaticActivationScaleClips) {
  const Mat x = random_mat(8, 64, 60);  // |x| up to ~3
  const float s = 0.01f;                // represents at most 1.27
  const QuantActs q = quantize_acts(x, QuantScheme::kPerTensor, s);
  EXPECT_EQ(q.scale(0, 0), s);
  int clipped = 0;
  for (int64_t i = 0; i < x.size(); ++i) {
    const float v = x.data()[i];
    const int code = q.q.data()[i];
    if (std::abs(v) > 1.275f) {
      EXPECT_EQ(code, v > 0 ? 127 : -127);
      ++clipped;
    } else {
      EXPECT_NEAR(code * s, v, 0.5f * s + 1e-6f);
    }
  }
  EXPECT_GT(clipped, 0);
  // A dynamic scale does not clip: the largest value keeps its magnitude.
  const QuantActs dyn = quantize_acts(x, QuantScheme::kPerTensor);
  EXPECT_NEAR(dyn.q.cast<float>().cwiseAbs().maxCoeff() * dyn.scale(0, 0), x.cwiseAbs().maxCoeff(),
              1e-6f);
}

TEST(KernelsShadow, OutliersRunInFp32) {
  Mat x = random_mat(16, 256, 70);
  const std::vector<int> outliers{5, 77, 200};
  float normal_max = 0.f;
  for (int64_t c = 0; c < x.cols(); ++c)
    if (std::find(outliers.begin(), outliers.end(), c) == outliers.end())
      normal_max = std::max(normal_max, x.col(c).cwiseAbs().maxCoeff());
  for (int c : outliers) x.col(c) *= 50.f;
  const float s = 1.001f * normal_max / 127.f;  // static scale calibrated on the normal range
  const Mat w = random_mat(256, 64, 71, 0.05f);
  const QuantMatrix wq = quantize_weights(w, QuantScheme::kPerChannel);
  Mat ref, plain, shadow;
  gemm_f32(x, w, ref);
  gemm_int8(quantize_acts(x, QuantScheme::kPerTensor, s), wq, plain);
  EXPECT_EQ(gemm_shadow_outlier(x, wq, w, s, shadow), 3);
  const double ep = max_abs_diff(plain, ref), es = max_abs_diff(shadow, ref);
  EXPECT_LT(10.0 * es, ep) << "shadow " << es << " plain " << ep;
  EXPECT_LT(rel_fro_err(shadow, ref), 0.03);
  // Without outliers nothing is clipped, and the result is the plain INT8 one.
  Mat calm = random_mat(16, 256, 72), calm_plain, calm_shadow;
  calm = calm.cwiseMax(-126.f * s).cwiseMin(126.f * s);
  gemm_int8(quantize_acts(calm, QuantScheme::kPerTensor, s), wq, calm_plain);
  EXPECT_EQ(gemm_shadow_outlier(calm, wq, w, s, calm_shadow), 0);
  EXPECT_EQ(max_abs_diff(calm_shadow, calm_plain), 0.0);
  // A dynamic scale (<= 0) clips nothing either.
  EXPECT_EQ(gemm_shadow_outlier(x, wq, w, 0.f, calm_shadow), 0);
}
