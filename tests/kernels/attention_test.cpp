// Reference kernels: causal attention over the KV cache (naive comparison, whole prompt vs chunks
// vs decode, grouped-query heads), RMSNorm/LayerNorm, RoPE and the FFN activations against scalar
// formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "kernels/kernels.hpp"
#include "tests/kernels/kernel_test_util.hpp"

using namespace socsim::kernels;
using namespace socsim::kernels::testing;

namespace {

// Per query row and head, in double: softmax over positions 0..past+r of q.k / sqrt(d), times v.
Mat naive_attention(const Mat& q, const Mat& k, const Mat& v, int64_t past, int heads, int kv_heads,
                    int hd) {
  Mat out(q.rows(), q.cols());
  const int group = heads / kv_heads;
  for (int64_t r = 0; r < q.rows(); ++r)
    for (int h = 0; h < heads; ++h) {
      const int64_t qc = int64_t{h} * hd, kc = int64_t{h / group} * hd, n = past + r + 1;
      std::vector<double> s(static_cast<size_t>(n));
      double top = -1e300, sum = 0;
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int c = 0; c < hd; ++c) dot += double{q(r, qc + c)} * k(j, kc + c);
        s[static_cast<size_t>(j)] = dot / std::sqrt(static_cast<double>(hd));
        top = std::max(top, s[static_cast<size_t>(j)]);
      }
      for (double& e : s) sum += (e = std::exp(e - top));
      for (int c = 0; c < hd; ++c) {
        double acc = 0;
        for (int64_t j = 0; j < n; ++j) acc += s[static_cast<size_t>(j)] / sum * v(j, kc + c);
        out(r, qc + c) = static_cast<float>(acc);
      }
    }
  return out;
}

KvCache filled_cache(const Mat& k, const Mat& v) {
  KvCache c;
  c.reserve(4, k.cols());  // smaller than needed: appending grows it
  kv_append(c, k, v);
  return c;
}

}  // namespace

TEST(KernelsAttention, MatchesNaive) {
  const int heads = 4, hd = 16;
  const Mat k = random_mat(12, heads * hd, 1), v = random_mat(12, heads * hd, 2);
  const Mat q = random_mat(7, heads * hd, 3);
  const KvCache cache = filled_cache(k, v);
  EXPECT_EQ(cache.length, 12);
  Mat out;
  attention(q, cache, 5, heads, heads, hd, out);  // positions 5..11 over the 12 cached
  EXPECT_LT(rel_max_err(out, naive_attention(q, k, v, 5, heads, heads, hd)), 1e-5);
}

TEST(KernelsAttention, GroupedQueryHeadsMatchNaive) {
  const int heads = 8, kv_heads = 2, hd = 16;
  const Mat k = random_mat(10, kv_heads * hd, 4), v = random_mat(10, kv_heads * hd, 5);
  const Mat q = random_mat(6, heads * hd, 6);
  Mat out;
  attention(q, filled_cache(k, v), 4, heads, kv_heads, hd, out);
  EXPECT_LT(rel_max_err(out, naive_attention(q, k, v, 4, heads, kv_heads, hd)), 1e-5);
  // Heads of one group read the same K/V but their own queries: outputs differ across heads.
  EXPECT_GT(max_abs_diff(out.middleCols(0, hd), out.middleCols(hd, hd)), 1e-3);
  EXPECT_THROW(attention(q, filled_cache(k, v), 4, heads, 3, hd, out), std::invalid_argument);
}

TEST(KernelsAttention, ChunkedAndDecodeEqualWholePrompt) {
  const int heads = 4, kv_heads = 2, hd = 32, prompt = 23;
  const Mat q = random_mat(prompt, heads * hd, 7);
  const Mat k = random_mat(prompt, kv_heads * hd, 8), v = random_mat(prompt, kv_heads * hd, 9);
  Mat whole;
  attention(q, filled_cache(k, v), 0, heads, kv_heads, hd, whole);
  EXPECT_LT(rel_max_err(whole, naive_attention(q, k, v, 0, heads, kv_heads, hd)), 1e-5);

  KvCache cache;
  int64_t start = 0;
  for (int64_t rows : {3, 5, 7, 8}) {  // chunks of a 23-token prompt
    kv_append(cache, k.middleRows(start, rows), v.middleRows(start, rows));
    Mat out;
    attention(q.middleRows(start, rows), cache, start, heads, kv_heads, hd, out);
    EXPECT_LT(rel_max_err(out, whole.middleRows(start, rows)), 1e-5) << "chunk at " << start;
    start += rows;
  }
  EXPECT_EQ(start, prompt);

  KvCache dec;
  for (int64_t t = 0; t < prompt; ++t) {  // one token at a time over a growing cache
    kv_append(dec, k.middleRows(t, 1), v.middleRows(t, 1));
    Mat out;
    attention(q.middleRows(t, 1), dec, t, heads, kv_heads, hd, out);
    EXPECT_LT(rel_max_err(out, whole.middleRows(t, 1)), 1e-5) << "token " << t;
  }
  // Growth kept the earliest rows.
  EXPECT_EQ(max_abs_diff(dec.k.topRows(prompt), k), 0.0);
  EXPECT_EQ(max_abs_diff(dec.v.topRows(prompt), v), 0.0);
}

TEST(KernelsAttention, ReadsNothingBeyondItsPositions) {
  const int heads = 2, hd = 8;
  const Mat k = random_mat(9, heads * hd, 10), v = random_mat(9, heads * hd, 11);
  const Mat q = random_mat(3, heads * hd, 12);
  KvCache a = filled_cache(k, v), b = filled_cache(k, v);
  b.k.row(8).setConstant(100.f);  // position 8 is after the last query (past 3 + rows 3 -> 0..5)
  b.v.row(8).setConstant(100.f);
  b.k.row(5).setConstant(100.f);  // position 5 is visible to the last query only
  Mat oa, ob;
  attention(q, a, 3, heads, heads, hd, oa);
  attention(q, b, 3, heads, heads, hd, ob);
  EXPECT_EQ(max_abs_diff(oa.topRows(2), ob.topRows(2)), 0.0);
  EXPECT_GT(max_abs_diff(oa.bottomRows(1), ob.bottomRows(1)), 1e-3);
  EXPECT_THROW(attention(q, a, 7, heads, heads, hd, oa), std::invalid_argument);  // beyond length
}

TEST(KernelsNorm, MatchScalarFormulas) {
  const Mat x = random_mat(5, 96, 20, 2.f);
  const Vec gain = random_vec(96, 21), bias = random_vec(96, 22);
  const float eps = 1e-5f;
  Mat rms, ln;
  rmsnorm(x, gain, eps, rms);
  layernorm(x, gain, bias, eps, ln);
  for (int64_t i = 0; i < x.rows(); ++i) {
    double sq = 0, mean = 0, var = 0;
    for (int64_t j = 0; j < 96; ++j) sq += double{x(i, j)} * x(i, j), mean += x(i, j);
    mean /= 96;
    for (int64_t j = 0; j < 96; ++j) var += (x(i, j) - mean) * (x(i, j) - mean);
    var /= 96;
    for (int64_t j = 0; j < 96; ++j) {
      const double r = x(i, j) / std::sqrt(sq / 96 + eps) * gain(j);
      const double l = (x(i, j) - mean) / std::sqrt(var + eps) * gain(j) + bias(j);
      EXPECT_NEAR(rms(i, j), r, 1e-5 * (1 + std::abs(r)));
      EXPECT_NEAR(ln(i, j), l, 1e-5 * (1 + std::abs(l)));
    }
  }
  Mat inplace = x;
  rmsnorm(inplace, gain, eps, inplace);
  EXPECT_EQ(max_abs_diff(inplace, rms), 0.0);
}

TEST(KernelsRope, RotatesPairsByPosition) {
  const int heads = 4, kv_heads = 2, hd = 16, half = hd / 2;
  const float theta = 10000.f;
  const Mat q0 = random_mat(6, heads * hd, 30), k0 = random_mat(6, kv_heads * hd, 31);
  Mat q = q0, k = k0;
  rope(q, k, heads, kv_heads, hd, 1000, theta);
  for (int64_t r = 0; r < 6; ++r)
    for (int h = 0; h < heads; ++h)
      for (int i = 0; i < half; ++i) {
        const int64_t lo = int64_t{h} * hd + i, hi = lo + half;
        const double a = (1000.0 + r) * std::pow(double{theta}, -2.0 * i / hd);
        const double x1 = q0(r, lo), x2 = q0(r, hi);
        EXPECT_NEAR(q(r, lo), x1 * std::cos(a) - x2 * std::sin(a), 1e-5);
        EXPECT_NEAR(q(r, hi), x2 * std::cos(a) + x1 * std::sin(a), 1e-5);
        EXPECT_NEAR(double{q(r, lo)} * q(r, lo) + double{q(r, hi)} * q(r, hi), x1 * x1 + x2 * x2,
                    1e-5 * (1 + x1 * x1 + x2 * x2));  // a rotation keeps each pair's norm
      }
  EXPECT_GT(max_abs_diff(k, k0), 1e-2);  // k is rotated too

  // Position 0 is the identity.
  Mat q1 = q0.topRows(1), k1 = k0.topRows(1);
  rope(q1, k1, heads, kv_heads, hd, 0, theta);
  EXPECT_EQ(max_abs_diff(q1, q0.topRows(1)), 0.0);
  EXPECT_EQ(max_abs_diff(k1, k0.topRows(1)), 0.0);

  // Scores depend on relative position only: q at 7, k at 3 scores as q at 107, k at 103.
  auto score = [&](int64_t qpos, int64_t kpos) {
    Mat qa = q0.topRows(1), ka = k0.topRows(1), qb = q0.topRows(1), kb = k0.topRows(1);
    rope(qa, ka, heads, kv_heads, hd, qpos, theta);
    rope(qb, kb, heads, kv_heads, hd, kpos, theta);
    return qa.row(0).head(hd).dot(kb.row(0).head(hd));
  };
  EXPECT_NEAR(score(7, 3), score(107, 103), 1e-4);
  EXPECT_GT(std::abs(score(7, 3) - score(7, 6)), 1e-3);
}

TEST(KernelsActivation, MatchScalarFormulas) {
  const Mat g = random_mat(4, 200, 40, 3.f), u = random_mat(4, 200, 41, 2.f);
  auto silu = [](double x) { return x / (1 + std::exp(-x)); };
  auto gelu = [](double x) {
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
  };
  auto relu = [](double x) { return x > 0 ? x : 0.0; };
  Mat y;
  for (Act act : {Act::kSilu, Act::kGelu, Act::kRelu, Act::kDRelu})
    for (bool gated : {false, true}) {
      activation(g, gated ? &u : nullptr, act, y);
      for (int64_t i = 0; i < g.size(); ++i) {
        const double x = g.data()[i], up = u.data()[i];
        double e = act == Act::kSilu ? silu(x) : act == Act::kGelu ? gelu(x) : relu(x);
        if (gated) e *= act == Act::kDRelu ? relu(up) : up;
        ASSERT_NEAR(y.data()[i], e, 2e-6 * (1 + std::abs(e)))
            << static_cast<int>(act) << " gated " << gated << " x " << x;
      }
    }
  // dReLU is zero wherever either input is non-positive.
  activation(g, &u, Act::kDRelu, y);
  for (int64_t i = 0; i < g.size(); ++i)
    if (g.data()[i] <= 0 || u.data()[i] <= 0) {
      ASSERT_EQ(y.data()[i], 0.f);
    }
}
