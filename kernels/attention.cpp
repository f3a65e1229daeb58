// KV cache and causal multi-head attention with grouped-query heads: scores and context on Eigen
// products per head, a max-subtracted softmax per row, and the causal limit relative to `past`, so
// a prompt processed chunk by chunk gives the whole-prompt result up to FP32 rounding.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/internal.hpp"

namespace socsim::kernels {

using detail::require;

void KvCache::reserve(int64_t capacity, int64_t kv_dim) {
  require(capacity >= 0 && kv_dim > 0, "KvCache::reserve: bad capacity or kv_dim");
  require(length == 0 || k.cols() == kv_dim, "KvCache::reserve: kv_dim differs from the cache's");
  capacity = std::max(capacity, length);
  k.conservativeResize(capacity, kv_dim);
  v.conservativeResize(capacity, kv_dim);
}

void kv_append(KvCache& cache, const Mat& k, const Mat& v) {
  require(k.rows() == v.rows() && k.cols() == v.cols(), "kv_append: k and v shapes differ");
  require(cache.length == 0 || cache.k.cols() == k.cols(), "kv_append: kv_dim differs");
  const int64_t need = cache.length + k.rows();
  if (need > cache.k.rows() || cache.k.cols() != k.cols())
    cache.reserve(std::max(need, 2 * cache.k.rows()), k.cols());
  cache.k.middleRows(cache.length, k.rows()) = k;
  cache.v.middleRows(cache.length, v.rows()) = v;
  cache.length = need;
}

void attention(const Mat& q, const KvCache& cache, int64_t past, int heads, int kv_heads,
               int head_dim, Mat& out) {
  require(heads > 0 && kv_heads > 0 && head_dim > 0, "attention: heads and head_dim must be > 0");
  require(heads % kv_heads == 0, "attention: kv_heads must divide heads");
  require(q.cols() == static_cast<int64_t>(heads) * head_dim,
          "attention: q.cols() != heads*head_dim");
  require(cache.k.cols() == static_cast<int64_t>(kv_heads) * head_dim,
          "attention: cache width != kv_heads*head_dim");
  require(&out != &q, "attention: out aliases q");
  const int64_t rows = q.rows(), total = past + rows;
  require(past >= 0 && total <= cache.length, "attention: positions beyond the cache length");
  out.resize(rows, q.cols());
  if (rows == 0) return;

  const int group = heads / kv_heads;
  const float scale = 1.f / std::sqrt(static_cast<float>(head_dim));
  Mat scores(rows, total);
  for (int h = 0; h < heads; ++h) {
    const int64_t qc = static_cast<int64_t>(h) * head_dim;
    const int64_t kc = static_cast<int64_t>(h / group) * head_dim;
    const auto keys = cache.k.topRows(total).middleCols(kc, head_dim);
    const auto values = cache.v.topRows(total).middleCols(kc, head_dim);
    scores.noalias() = q.middleCols(qc, head_dim) * keys.transpose();
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t visible = past + r + 1;  // positions 0 .. past + r
      auto seen = scores.row(r).head(visible).array();
      seen *= scale;
      const float top = seen.maxCoeff();
      seen = (seen - top).exp();
      seen /= seen.sum();
      scores.row(r).tail(total - visible).setZero();
    }
    out.middleCols(qc, head_dim).noalias() = scores * values;
  }
}

double attention_flops(int64_t rows, int64_t past, int heads, int head_dim) {
  const double r = static_cast<double>(rows);
  const double pairs = r * static_cast<double>(past) + r * (r + 1.0) / 2.0;
  return 4.0 * pairs * heads * head_dim + 5.0 * pairs * heads;
}

}  // namespace socsim::kernels
