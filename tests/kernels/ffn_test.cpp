// Reference kernels, FFN side: dense FFN against a naive computation, the sparse FFN over the
// oracle neuron set equal to the dense FFN exactly (ReLU and dReLU), the cost of dropping active
// neurons, the MoE top-k router, embedding lookup and the LM head.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/kernels.hpp"
#include "tests/kernels/kernel_test_util.hpp"

using namespace socsim::kernels;
using namespace socsim::kernels::testing;

namespace {

constexpr int kHidden = 64, kFfn = 512;

struct Ffn {
  Mat gate, up, down;
  Vec bias;
  bool gated = false;
  Act act = Act::kRelu;
  const Mat* g() const { return gated ? &gate : nullptr; }
};

// Weights scaled so that x W ~ N(0, 1); the bias shifts gate (or up, when plain) pre-activations.
Ffn make_ffn(Act act, bool gated, float bias, uint32_t seed) {
  Ffn f;
  f.act = act;
  f.gated = gated;
  f.gate = random_mat(kHidden, kFfn, seed, 0.125f);
  f.up = random_mat(kHidden, kFfn, seed + 1, 0.125f);
  f.down = random_mat(kFfn, kHidden, seed + 2, 0.05f);
  f.bias = Vec::Constant(kFfn, bias);
  return f;
}

Mat dense(const Ffn& f, const Mat& x) {
  Mat y;
  ffn_dense(x, f.g(), &f.bias, f.up, f.down, f.act, y);
  return y;
}

Mat sparse(const Ffn& f, const Mat& x, const std::vector<int32_t>& neurons) {
  Mat y;
  ffn_sparse(x, f.g(), &f.bias, f.up, f.down, f.act, neurons, y);
  return y;
}

std::vector<int32_t> oracle(const Ffn& f, const Mat& x) {
  return active_neurons(x, f.g(), &f.bias, f.up, f.act);
}

}  // namespace

TEST(KernelsFfn, DenseMatchesNaive) {
  const Mat x = random_mat(5, kHidden, 1);
  for (bool gated : {true, false}) {
    const Ffn f = make_ffn(gated ? Act::kSilu : Act::kGelu, gated, 0.3f, 2);
    Mat pre = naive_gemm(x, gated ? f.gate : f.up);
    pre.rowwise() += f.bias.transpose();
    const Mat up = naive_gemm(x, f.up);
    Mat h(pre.rows(), pre.cols());
    for (int64_t i = 0; i < h.size(); ++i) {
      const double p = pre.data()[i];
      const double a = gated ? p / (1 + std::exp(-p))
                             : 0.5 * p * (1 + std::tanh(0.7978845608 * (p + 0.044715 * p * p * p)));
      h.data()[i] = static_cast<float>(gated ? a * up.data()[i] : a);
    }
    EXPECT_LT(rel_max_err(dense(f, x), naive_gemm(h, f.down)), 1e-5) << "gated " << gated;
  }
}

TEST(KernelsFfn, SparseOverOracleEqualsDenseExactly) {
  // Bias per row count so that ~15% of neurons fire for at least one row.
  struct Case {
    Act act;
    bool gated;
    int rows;
    float bias;
  };
  const Case cases[] = {{Act::kRelu, false, 1, -1.04f},  {Act::kRelu, false, 5, -1.85f},
                        {Act::kRelu, false, 12, -2.21f}, {Act::kDRelu, true, 1, -0.52f},
                        {Act::kDRelu, true, 5, -1.52f},  {Act::kDRelu, true, 12, -1.93f}};
  std::mt19937 gen(7);
  for (const Case& c : cases) {
    const Ffn f = make_ffn(c.act, c.gated, c.bias, 10 + c.rows);
    const Mat x = random_mat(c.rows, kHidden, 20 + c.rows);
    std::vector<int32_t> active = oracle(f, x);
    const double fraction = static_cast<double>(active.size()) / kFfn;
    EXPECT_GT(fraction, 0.05) << c.rows;
    EXPECT_LT(fraction, 0.30) << c.rows;
    std::shuffle(active.begin(), active.end(), gen);  // order of the set does not matter
    const Mat yd = dense(f, x), ys = sparse(f, x, active);
    EXPECT_EQ(max_abs_diff(ys, yd), 0.0) << "act " << static_cast<int>(c.act) << " rows " << c.rows;
    EXPECT_TRUE((ys.array() == yd.array()).all());
    EXPECT_GT(yd.cwiseAbs().maxCoeff(), 0.f);
    // Extra inactive neurons change nothing either.
    std::vector<int32_t> more = active;
    for (int32_t j = 0; j < kFfn; j += 7) more.push_back(j);
    EXPECT_EQ(max_abs_diff(sparse(f, x, more), yd), 0.0);
  }
}

TEST(KernelsFfn, SparseOverAllNeuronsEqualsDenseForAnyActivation) {
  const Mat x = random_mat(9, kHidden, 30);
  const Ffn f = make_ffn(Act::kSilu, true, 0.f, 31);
  std::vector<int32_t> all(kFfn);
  for (int32_t j = 0; j < kFfn; ++j) all[static_cast<size_t>(j)] = j;
  EXPECT_EQ(oracle(f, x).size(), static_cast<size_t>(kFfn));  // SiLU: nothing is exactly zero
  EXPECT_EQ(max_abs_diff(sparse(f, x, all), dense(f, x)), 0.0);
  EXPECT_EQ(sparse(f, x, {}).cwiseAbs().maxCoeff(), 0.f);  // no neurons: zero output
}

TEST(KernelsFfn, DroppingActiveNeuronsCostsMoreAsMoreAreDropped) {
  const Ffn f = make_ffn(Act::kDRelu, true, -1.52f, 40);
  const Mat x = random_mat(5, kHidden, 41);
  const Mat yd = dense(f, x);
  std::vector<int32_t> active = oracle(f, x);
  std::shuffle(active.begin(), active.end(), std::mt19937(42));
  double previous = 0.0;
  for (double drop : {0.1, 0.3, 0.6, 1.0}) {  // nested: each drops a superset of the previous
    const auto keep = static_cast<size_t>(std::lround((1.0 - drop) * active.size()));
    const std::vector<int32_t> kept(active.end() - static_cast<std::ptrdiff_t>(keep), active.end());
    const double err = rel_fro_err(sparse(f, x, kept), yd);
    EXPECT_GT(err, previous) << "drop " << drop;
    previous = err;
  }
  EXPECT_NEAR(previous, 1.0, 1e-6);  // dropping every active neuron loses the whole output
}

TEST(KernelsMoe, RoutesToTopKWithRenormalisedWeights) {
  const Mat x = random_mat(10, 32, 50), w = random_mat(32, 8, 51);
  const Mat logits = naive_gemm(x, w);
  Eigen::MatrixXi experts;
  Mat weights;
  moe_route(x, w, 2, experts, weights);
  ASSERT_EQ(experts.rows(), 10);
  ASSERT_EQ(experts.cols(), 2);
  for (int64_t r = 0; r < 10; ++r) {
    std::vector<int> order(8);
    for (int e = 0; e < 8; ++e) order[static_cast<size_t>(e)] = e;
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return logits(r, a) > logits(r, b); });
    EXPECT_EQ(experts(r, 0), order[0]);
    EXPECT_EQ(experts(r, 1), order[1]);
    EXPECT_NEAR(weights.row(r).sum(), 1.f, 1e-6f);
    EXPECT_GE(weights(r, 0), weights(r, 1));
    const double l0 = logits(r, order[0]), l1 = logits(r, order[1]);
    EXPECT_NEAR(weights(r, 0), 1.0 / (1.0 + std::exp(l1 - l0)), 1e-5);
  }
  EXPECT_THROW(moe_route(x, w, 0, experts, weights), std::invalid_argument);
  EXPECT_THROW(moe_route(x, w, 9, experts, weights), std::invalid_argument);
}

TEST(KernelsEmbedding, PicksTableRows) {
  const Mat table = random_mat(16, 24, 60);
  const std::vector<int32_t> tokens{3, 0, 15, 3};
  Mat y;
  embedding(table, tokens, y);
  ASSERT_EQ(y.rows(), 4);
  for (size_t i = 0; i < tokens.size(); ++i)
    EXPECT_TRUE((y.row(static_cast<int64_t>(i)).array() == table.row(tokens[i]).array()).all());
  const std::vector<int32_t> bad{16};
  EXPECT_THROW(embedding(table, bad, y), std::invalid_argument);
}

TEST(KernelsLmHead, EqualsGemm) {
  const Mat x = random_mat(3, 64, 70), w = random_mat(64, 1000, 71);
  Mat logits, y;
  lm_head(x, w, logits);
  gemm_f32(x, w, y);
  EXPECT_TRUE((logits.array() == y.array()).all());
  EXPECT_LT(rel_max_err(logits, naive_gemm(x, w)), 1e-5);
}
