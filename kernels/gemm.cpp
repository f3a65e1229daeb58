// FP32 GEMM: gemm_f32 on Eigen's blocked product, and the fixed-summation-order GEMM
// (detail::gemm_ordered) used by the FFN kernels so that dense and sparse FFNs agree bitwise.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/internal.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace socsim::kernels {

void gemm_f32(const Mat& x, const Mat& w, Mat& y) {
  detail::require(x.cols() == w.rows(), "gemm_f32: x.cols() != w.rows()");
  detail::require(&y != &x && &y != &w, "gemm_f32: y aliases an input");
  y.resize(x.rows(), w.cols());
  y.noalias() = x * w;
}

double gemm_flops(int64_t m, int64_t k, int64_t n) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(n);
}

namespace detail {
namespace {

constexpr int64_t kTileCols = 16;   // micro-tile width: 4 SSE vectors of 4 floats
constexpr int64_t kDepth = 256;     // k rows of b packed per panel (16 KiB)
constexpr int64_t kStreamRows = 8;  // below this many rows of a, stream b row by row

// Row path for few rows: c_row += a_row(p) * b.row(p), four k at a time but one add per term,
// in k order, so each element is the plain sequential sum.
void ordered_row(const float* a, int64_t k, const float* b, int64_t n, float* __restrict c) {
  std::fill(c, c + n, 0.f);
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    const float* __restrict b0 = b + p * n;
    const float* __restrict b1 = b0 + n;
    const float* __restrict b2 = b1 + n;
    const float* __restrict b3 = b2 + n;
    const float a0 = a[p], a1 = a[p + 1], a2 = a[p + 2], a3 = a[p + 3];
    for (int64_t j = 0; j < n; ++j) {
      float s = c[j];
      s += a0 * b0[j];
      s += a1 * b1[j];
      s += a2 * b2[j];
      s += a3 * b3[j];
      c[j] = s;
    }
  }
  for (; p < k; ++p) {
    const float* __restrict b0 = b + p * n;
    const float a0 = a[p];
    for (int64_t j = 0; j < n; ++j) c[j] += a0 * b0[j];
  }
}

// R rows x 16 columns of c over `depth` packed rows of b (each 16 floats); continues the sums
// already in c unless `first`.
template <int R>
void micro_tile(const float* a, int64_t lda, const float* bp, int64_t depth, float* c, int64_t ldc,
                bool first) {
#if defined(__SSE2__)
  __m128 acc[R][4];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < 4; ++v)
      acc[r][v] = first ? _mm_setzero_ps() : _mm_loadu_ps(c + r * ldc + 4 * v);
  for (int64_t p = 0; p < depth; ++p) {
    const float* row = bp + p * kTileCols;
    const __m128 b0 = _mm_loadu_ps(row), b1 = _mm_loadu_ps(row + 4);
    const __m128 b2 = _mm_loadu_ps(row + 8), b3 = _mm_loadu_ps(row + 12);
    for (int r = 0; r < R; ++r) {
      const __m128 av = _mm_set1_ps(a[r * lda + p]);
      acc[r][0] = _mm_add_ps(acc[r][0], _mm_mul_ps(av, b0));
      acc[r][1] = _mm_add_ps(acc[r][1], _mm_mul_ps(av, b1));
      acc[r][2] = _mm_add_ps(acc[r][2], _mm_mul_ps(av, b2));
      acc[r][3] = _mm_add_ps(acc[r][3], _mm_mul_ps(av, b3));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < 4; ++v) _mm_storeu_ps(c + r * ldc + 4 * v, acc[r][v]);
#else
  float acc[R][kTileCols];
  for (int r = 0; r < R; ++r)
    for (int64_t j = 0; j < kTileCols; ++j) acc[r][j] = first ? 0.f : c[r * ldc + j];
  for (int64_t p = 0; p < depth; ++p)
    for (int r = 0; r < R; ++r) {
      const float av = a[r * lda + p];
      for (int64_t j = 0; j < kTileCols; ++j) acc[r][j] += av * bp[p * kTileCols + j];
    }
  for (int r = 0; r < R; ++r)
    for (int64_t j = 0; j < kTileCols; ++j) c[r * ldc + j] = acc[r][j];
#endif
}

}  // namespace

void gemm_ordered(const Mat& a, const Mat& b, Mat& c) {
  require(a.cols() == b.rows(), "gemm_ordered: a.cols() != b.rows()");
  require(&c != &a && &c != &b, "gemm_ordered: c aliases an input");
  const int64_t m = a.rows(), k = a.cols(), n = b.cols();
  c.resize(m, n);
  if (m == 0 || n == 0) return;
  if (k == 0) {
    c.setZero();
    return;
  }
  if (m < kStreamRows) {
    for (int64_t i = 0; i < m; ++i) ordered_row(a.data() + i * k, k, b.data(), n, c.data() + i * n);
    return;
  }
  const int64_t full = n - n % kTileCols;
  std::vector<float> panel(static_cast<size_t>(kDepth * kTileCols));
  for (int64_t j0 = 0; j0 < full; j0 += kTileCols) {
    for (int64_t p0 = 0; p0 < k; p0 += kDepth) {
      const int64_t depth = std::min(kDepth, k - p0);
      for (int64_t p = 0; p < depth; ++p)
        std::copy_n(b.data() + (p0 + p) * n + j0, kTileCols, panel.data() + p * kTileCols);
      const float* ap = a.data() + p0;
      float* cp = c.data() + j0;
      int64_t i = 0;
      for (; i + 3 <= m; i += 3)
        micro_tile<3>(ap + i * k, k, panel.data(), depth, cp + i * n, n, p0 == 0);
      for (; i < m; ++i) micro_tile<1>(ap + i * k, k, panel.data(), depth, cp + i * n, n, p0 == 0);
    }
  }
  for (int64_t i = 0; i < m; ++i)  // leftover columns: the same sequential sum, one at a time
    for (int64_t j = full; j < n; ++j) {
      float s = 0.f;
      for (int64_t p = 0; p < k; ++p) s += a(i, p) * b(p, j);
      c(i, j) = s;
    }
}

}  // namespace detail
}  // namespace socsim::kernels
