// FFN kernels (dense, sparse over a neuron set, the oracle set of active neurons), the MoE top-k
// router, embedding lookup and LM head. The FFN projections use detail::gemm_ordered, whose
// per-column sums do not depend on the other columns, so ffn_sparse over the oracle set computes
// exactly the non-zero terms of ffn_dense in the same order and returns the same values.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "kernels/internal.hpp"

namespace socsim::kernels {

using detail::require;

namespace {

bool has_bias(const Vec* bias) {
  return bias != nullptr && bias->size() > 0;
}

void check_ffn(const Mat& x, const Mat* w_gate, const Vec* bias, const Mat& w_up) {
  require(w_up.rows() == x.cols(), "ffn: w_up.rows() != x.cols()");
  require(w_gate == nullptr || (w_gate->rows() == w_up.rows() && w_gate->cols() == w_up.cols()),
          "ffn: w_gate and w_up shapes differ");
  require(!has_bias(bias) || bias->size() == w_up.cols(), "ffn: bias size != ffn width");
}

// Activated hidden layer: act(x Wg + b) * (x Wu) when gated, act(x Wu + b) otherwise.
void hidden_layer(const Mat& x, const Mat* w_gate, const Vec* bias, const Mat& w_up, Act act,
                  Mat& h) {
  Mat up;
  detail::gemm_ordered(x, w_up, up);
  if (w_gate != nullptr) {
    Mat gate;
    detail::gemm_ordered(x, *w_gate, gate);
    if (has_bias(bias)) gate.rowwise() += bias->transpose();
    activation(gate, &up, act, h);
  } else {
    if (has_bias(bias)) up.rowwise() += bias->transpose();
    activation(up, nullptr, act, h);
  }
}

Mat gather_cols(const Mat& w, const std::vector<int32_t>& idx) {
  Mat out(w.rows(), static_cast<int64_t>(idx.size()));
  for (int64_t r = 0; r < w.rows(); ++r)
    for (size_t o = 0; o < idx.size(); ++o) out(r, static_cast<int64_t>(o)) = w(r, idx[o]);
  return out;
}

}  // namespace

void ffn_dense(const Mat& x, const Mat* w_gate, const Vec* gate_bias, const Mat& w_up,
               const Mat& w_down, Act act, Mat& y) {
  check_ffn(x, w_gate, gate_bias, w_up);
  require(w_down.rows() == w_up.cols(), "ffn_dense: w_down.rows() != ffn width");
  Mat h;
  hidden_layer(x, w_gate, gate_bias, w_up, act, h);
  detail::gemm_ordered(h, w_down, y);
}

void ffn_sparse(const Mat& x, const Mat* w_gate, const Vec* gate_bias, const Mat& w_up,
                const Mat& w_down, Act act, std::span<const int32_t> neurons, Mat& y) {
  check_ffn(x, w_gate, gate_bias, w_up);
  require(w_down.rows() == w_up.cols(), "ffn_sparse: w_down.rows() != ffn width");
  // Ascending and unique, so the down projection sums in the dense kernel's order.
  std::vector<int32_t> idx(neurons.begin(), neurons.end());
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  require(idx.empty() || (idx.front() >= 0 && idx.back() < w_up.cols()),
          "ffn_sparse: neuron index out of range");

  const Mat up = gather_cols(w_up, idx);
  const Mat gate = w_gate != nullptr ? gather_cols(*w_gate, idx) : Mat();
  Vec bias;
  if (has_bias(gate_bias)) {
    bias.resize(static_cast<int64_t>(idx.size()));
    for (size_t o = 0; o < idx.size(); ++o) bias(static_cast<int64_t>(o)) = (*gate_bias)(idx[o]);
  }
  Mat down(static_cast<int64_t>(idx.size()), w_down.cols());
  for (size_t o = 0; o < idx.size(); ++o) down.row(static_cast<int64_t>(o)) = w_down.row(idx[o]);

  Mat h;
  hidden_layer(x, w_gate != nullptr ? &gate : nullptr, &bias, up, act, h);
  detail::gemm_ordered(h, down, y);
}

std::vector<int32_t> active_neurons(const Mat& x, const Mat* w_gate, const Vec* gate_bias,
                                    const Mat& w_up, Act act) {
  check_ffn(x, w_gate, gate_bias, w_up);
  Mat h;
  hidden_layer(x, w_gate, gate_bias, w_up, act, h);
  std::vector<int32_t> active;
  for (int64_t j = 0; j < h.cols(); ++j)
    if ((h.col(j).array() != 0.f).any()) active.push_back(static_cast<int32_t>(j));
  return active;
}

void moe_route(const Mat& x, const Mat& w_router, int top_k, Eigen::MatrixXi& experts,
               Mat& weights) {
  const int64_t e = w_router.cols();
  require(top_k >= 1 && top_k <= e, "moe_route: top_k must be in [1, experts]");
  Mat logits;
  gemm_f32(x, w_router, logits);
  experts.resize(x.rows(), top_k);
  weights.resize(x.rows(), top_k);
  std::vector<int32_t> order(static_cast<size_t>(e));
  for (int64_t r = 0; r < x.rows(); ++r) {
    const auto row = logits.row(r);
    std::iota(order.begin(), order.end(), 0);
    // Largest logits first; ties go to the lower expert index.
    std::partial_sort(order.begin(), order.begin() + top_k, order.end(), [&](int32_t a, int32_t b) {
      return row(a) > row(b) || (row(a) == row(b) && a < b);
    });
    // softmax over all experts, then renormalised over the chosen k: the max cancels out.
    const float top = row(order[0]);
    float kept = 0.f;
    for (int t = 0; t < top_k; ++t) {
      const float p = std::exp(row(order[static_cast<size_t>(t)]) - top);
      experts(r, t) = order[static_cast<size_t>(t)];
      weights(r, t) = p;
      kept += p;
    }
    weights.row(r) /= kept;
  }
}

void embedding(const Mat& table, std::span<const int32_t> tokens, Mat& y) {
  require(&y != &table, "embedding: y aliases the table");
  y.resize(static_cast<int64_t>(tokens.size()), table.cols());
  for (size_t i = 0; i < tokens.size(); ++i) {
    require(tokens[i] >= 0 && tokens[i] < table.rows(), "embedding: token id out of range");
    y.row(static_cast<int64_t>(i)) = table.row(tokens[i]);
  }
}

void lm_head(const Mat& x, const Mat& w, Mat& logits) {
  gemm_f32(x, w, logits);
}

}  // namespace socsim::kernels
