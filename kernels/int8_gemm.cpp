// INT8 x INT8 GEMM with exact INT32 accumulation (gemm_int8). Pairs of k are multiplied and summed
// with 16-bit multiply-add (SSE2 pmaddwd) into INT32 tiles; the scales are applied once per
// accumulation block: the whole k for per-tensor/per-channel, each group for per-group.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/internal.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace socsim::kernels {
namespace {

using detail::require;
using I8 = Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr int64_t kDepth = 256;  // k rows per INT32 pass when there are no groups (even)

// (a0, a1) as two int16 halves of one int32, a0 in the low half (the pmaddwd lane layout).
int32_t pack_pair(int8_t a0, int8_t a1) {
  const auto lo = static_cast<uint16_t>(static_cast<int16_t>(a0));
  const auto hi = static_cast<uint16_t>(static_cast<int16_t>(a1));
  return static_cast<int32_t>(static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16));
}

// c[R x 8V] (+)= a-pairs[R x ceil(len/2)] * b[len x 8V] in INT32; b rows are ldb bytes apart.
template <int R, int V>
void micro_tile(const int32_t* ap, int64_t lda, const int8_t* b, int64_t ldb, int64_t len,
                int32_t* c, int64_t ldc, bool first) {
  const int64_t pairs = (len + 1) / 2;
#if defined(__SSE2__)
  __m128i acc[R][2 * V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < 2 * V; ++v)
      acc[r][v] = first ? _mm_setzero_si128()
                        : _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + r * ldc + 4 * v));
  for (int64_t p = 0; p < pairs; ++p) {
    const int8_t* b0 = b + 2 * p * ldb;
    const bool has_b1 = 2 * p + 1 < len;
    __m128i bv[2 * V];
    for (int v = 0; v < V; ++v) {
      const __m128i x0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b0 + 8 * v));
      const __m128i x1 = has_b1
                             ? _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b0 + ldb + 8 * v))
                             : _mm_setzero_si128();
      const __m128i t = _mm_unpacklo_epi8(x0, x1);             // b0[j], b1[j] interleaved, j = 0..7
      bv[2 * v] = _mm_srai_epi16(_mm_unpacklo_epi8(t, t), 8);  // sign-extended, j = 0..3
      bv[2 * v + 1] = _mm_srai_epi16(_mm_unpackhi_epi8(t, t), 8);  // j = 4..7
    }
    for (int r = 0; r < R; ++r) {
      const __m128i av = _mm_set1_epi32(ap[r * lda + p]);
      for (int v = 0; v < 2 * V; ++v)
        acc[r][v] = _mm_add_epi32(acc[r][v], _mm_madd_epi16(av, bv[v]));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < 2 * V; ++v)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(c + r * ldc + 4 * v), acc[r][v]);
#else
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 8 * V; ++j) {
      int32_t s = first ? 0 : c[r * ldc + j];
      for (int64_t p = 0; p < pairs; ++p) {
        const int32_t pr = ap[r * lda + p];
        const int32_t a0 = static_cast<int16_t>(pr & 0xffff), a1 = static_cast<int16_t>(pr >> 16);
        s += a0 * b[2 * p * ldb + j] + (2 * p + 1 < len ? a1 * b[(2 * p + 1) * ldb + j] : 0);
      }
      c[r * ldc + j] = s;
    }
#endif
}

struct Blocks {
  int64_t len;      // k values per block (the last may be shorter)
  int64_t count;    // number of blocks
  bool scale_each;  // scales apply per block (per-group) rather than once at the end
};

// Row i's scale for k-block g of the activations, and block g / column j's scale of the weights.
float act_scale(const QuantActs& x, int64_t i, int64_t g) {
  switch (x.scheme) {
    case QuantScheme::kPerTensor:
      return x.scale(0, 0);
    case QuantScheme::kPerChannel:
      return x.scale(i, 0);
    case QuantScheme::kPerGroup:
      return x.scale(i, g);
  }
  return 0.f;
}
float weight_scale(const QuantMatrix& w, int64_t g, int64_t j) {
  switch (w.scheme) {
    case QuantScheme::kPerTensor:
      return w.scale(0, 0);
    case QuantScheme::kPerChannel:
      return w.scale(0, j);
    case QuantScheme::kPerGroup:
      return w.scale(g, j);
  }
  return 0.f;
}

void check_scales(const QuantActs& x, const QuantMatrix& w, int64_t groups) {
  const int64_t m = x.q.rows(), n = w.q.cols();
  const auto& xs = x.scale;
  const auto& ws = w.scale;
  switch (x.scheme) {
    case QuantScheme::kPerTensor:
      require(xs.rows() == 1 && xs.cols() == 1, "x scale not 1x1");
      break;
    case QuantScheme::kPerChannel:
      require(xs.rows() == m && xs.cols() == 1, "x scale not m x 1");
      break;
    case QuantScheme::kPerGroup:
      require(xs.rows() == m && xs.cols() == groups, "x scale not m x groups");
      break;
  }
  switch (w.scheme) {
    case QuantScheme::kPerTensor:
      require(ws.rows() == 1 && ws.cols() == 1, "w scale not 1x1");
      break;
    case QuantScheme::kPerChannel:
      require(ws.rows() == 1 && ws.cols() == n, "w scale not 1 x n");
      break;
    case QuantScheme::kPerGroup:
      require(ws.rows() == groups && ws.cols() == n, "w scale not groups x n");
      break;
  }
}

// Adds (or, for the first block, stores) the scaled INT32 tile acc[m x width] at column j0.
void apply_scales(const std::vector<int32_t>& acc, int64_t width, const QuantActs& x,
                  const QuantMatrix& w, int64_t g, int64_t j0, bool add, Mat& y) {
  std::array<float, 64> ws{};  // width <= 64
  for (int64_t j = 0; j < width; ++j) ws[static_cast<size_t>(j)] = weight_scale(w, g, j0 + j);
  for (int64_t i = 0; i < y.rows(); ++i) {
    const float sx = act_scale(x, i, g);
    const int32_t* a = acc.data() + i * width;
    float* out = y.data() + i * y.cols() + j0;
    if (add) {
      for (int64_t j = 0; j < width; ++j)
        out[j] += static_cast<float>(a[j]) * (sx * ws[static_cast<size_t>(j)]);
    } else {
      for (int64_t j = 0; j < width; ++j)
        out[j] = static_cast<float>(a[j]) * (sx * ws[static_cast<size_t>(j)]);
    }
  }
}

// One strip of `width` columns at j0 through every block, with R x (8V) micro-tiles.
template <int R, int V>
void run_strip(const std::vector<int32_t>& ap, int64_t pairs_per_row, int64_t pairs_per_block,
               const I8& bq, const Blocks& blk, int64_t sub, const QuantActs& x,
               const QuantMatrix& w, int64_t j0, std::vector<int32_t>& acc, Mat& y) {
  constexpr int64_t kWidth = 8 * V;
  const int64_t m = y.rows(), k = bq.rows(), n = bq.cols();
  for (int64_t g = 0; g < blk.count; ++g) {
    const int64_t k0 = g * blk.len, len = std::min(blk.len, k - k0);
    // Without groups the block is all of k, walked in `sub`-row passes that continue the sums.
    for (int64_t s0 = 0; s0 < len; s0 += sub) {
      const int64_t slen = std::min(sub, len - s0);
      const int32_t* a = ap.data() + g * pairs_per_block + s0 / 2;
      const int8_t* b = bq.data() + (k0 + s0) * n + j0;
      const bool first = s0 == 0;
      int64_t i = 0;
      for (; i + R <= m; i += R)
        micro_tile<R, V>(a + i * pairs_per_row, pairs_per_row, b, n, slen, acc.data() + i * kWidth,
                         kWidth, first);
      for (; i < m; ++i)
        micro_tile<1, V>(a + i * pairs_per_row, pairs_per_row, b, n, slen, acc.data() + i * kWidth,
                         kWidth, first);
    }
    if (blk.scale_each || g + 1 == blk.count)
      apply_scales(acc, kWidth, x, w, g, j0, blk.scale_each && g > 0, y);
  }
}

}  // namespace

void gemm_int8(const QuantActs& x, const QuantMatrix& w, Mat& y) {
  const int64_t m = x.q.rows(), k = x.q.cols(), n = w.q.cols();
  require(w.q.rows() == k, "gemm_int8: x.cols() != w.rows()");
  const bool xg = x.scheme == QuantScheme::kPerGroup, wg = w.scheme == QuantScheme::kPerGroup;
  require(!xg || x.group > 0, "gemm_int8: activation group must be > 0");
  require(!wg || w.group > 0, "gemm_int8: weight group must be > 0");
  require(!(xg && wg) || x.group == w.group, "gemm_int8: activation and weight groups differ");
  Blocks blk{k, 1, false};
  if (xg || wg) {
    blk.len = xg ? x.group : w.group;
    blk.count = (k + blk.len - 1) / blk.len;
    blk.scale_each = true;
  }
  require(blk.len < 131072, "gemm_int8: INT32 accumulation block longer than 131071");
  check_scales(x, w, blk.scale_each ? blk.count : 1);
  y.setZero(m, n);
  if (m == 0 || n == 0 || k == 0) return;

  // Activations as int16 pairs, each block padded to an even length.
  const int64_t pairs_per_block = blk.scale_each ? (blk.len + 1) / 2 : (k + 1) / 2;
  const int64_t pairs_per_row = pairs_per_block * blk.count;
  std::vector<int32_t> ap(static_cast<size_t>(m * pairs_per_row), 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t g = 0; g < blk.count; ++g) {
      const int64_t k0 = g * blk.len, len = std::min(blk.len, k - k0);
      int32_t* dst = ap.data() + i * pairs_per_row + g * pairs_per_block;
      for (int64_t p = 0; 2 * p < len; ++p)
        dst[p] =
            pack_pair(x.q(i, k0 + 2 * p), 2 * p + 1 < len ? x.q(i, k0 + 2 * p + 1) : int8_t{0});
    }
  const int64_t sub = blk.scale_each ? blk.len : kDepth;

  // Few rows: wide 1 x 64 tiles (streaming the weights); otherwise 3 x 16 tiles.
  const int64_t width = m < 3 ? 64 : 16;
  const int64_t full = n - n % width;
  std::vector<int32_t> acc(static_cast<size_t>(m * width));
  for (int64_t j0 = 0; j0 < full; j0 += width) {
    if (width == 64)
      run_strip<1, 8>(ap, pairs_per_row, pairs_per_block, w.q, blk, sub, x, w, j0, acc, y);
    else
      run_strip<3, 2>(ap, pairs_per_row, pairs_per_block, w.q, blk, sub, x, w, j0, acc, y);
  }
  // Leftover columns: plain INT32 dot products over the same blocks.
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = full; j < n; ++j) {
      float out = 0.f;
      for (int64_t g = 0; g < blk.count; ++g) {
        const int64_t k0 = g * blk.len, len = std::min(blk.len, k - k0);
        int32_t s = 0;
        for (int64_t c = k0; c < k0 + len; ++c)
          s += static_cast<int32_t>(x.q(i, c)) * static_cast<int32_t>(w.q(c, j));
        const float v = static_cast<float>(s) * (act_scale(x, i, g) * weight_scale(w, g, j));
        out = g == 0 ? v : out + v;
      }
      y(i, j) = out;
    }
}

}  // namespace socsim::kernels
