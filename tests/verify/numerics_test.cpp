// Numerics of the reference models: a sparse FFN over the oracle neuron set equals the dense FFN
// exactly on a ReLU-sparse model (and loses accuracy with recall below 1), and shadow-outlier INT8
// is far closer to FP32 than per-tensor INT8, with the error growing as outlier layers are pruned.
#include <gtest/gtest.h>

#include <random>

#include "sim/driver/inputs.hpp"
#include "sim/verify/accuracy_proxy.hpp"

using namespace socsim;
using namespace socsim::verify;

namespace {

ReferenceModel sparse_model(const std::string& name) {
  RunRequest req;
  req.model = name;
  LoadedRun run = load_run(req);
  return build_reference_model(run.model, {2, 128, 256, 3, 30.f}, 5);
}

// Layer-0 FFN input of a random prompt.
Mat ffn_input(const ReferenceModel& m, int rows) {
  Mat x, h;
  std::vector<int32_t> tokens = make_tokens(m, rows, 9);
  kernels::embedding(m.embed, tokens, x);
  kernels::rmsnorm(x, m.layers[0].ffn_gain, m.norm_eps, h);
  return h;
}

}  // namespace

TEST(SparseFfn, OracleEqualsDenseAndRecallBelowOneDoesNot) {
  for (const char* name : {"bamboo-7b", "llama-2-13b-prosparse"}) {  // dReLU and ReLU
    const ReferenceModel m = sparse_model(name);
    const ExpertWeights& ew = m.layers[0].experts[0];
    const kernels::Act act = act_of(m.spec.activation);
    const Mat h = ffn_input(m, 4);
    Mat dense, sparse;
    kernels::ffn_dense(h, &ew.w_gate, &ew.gate_bias, ew.w_up, ew.w_down, act, dense);
    const std::vector<int32_t> oracle =
        kernels::active_neurons(h, &ew.w_gate, &ew.gate_bias, ew.w_up, act);
    const double active = static_cast<double>(oracle.size()) / static_cast<double>(m.spec.ffn);
    EXPECT_LT(active, 0.6) << name << ": the FFN must be sparse";
    kernels::ffn_sparse(h, &ew.w_gate, &ew.gate_bias, ew.w_up, ew.w_down, act, oracle, sparse);
    EXPECT_EQ((sparse - dense).cwiseAbs().maxCoeff(), 0.f) << name;
    // A predictor of recall r misses (1 - r) of the active neurons.
    double previous = 0;
    for (double recall : {0.95, 0.8, 0.5}) {
      std::vector<int32_t> kept;
      std::mt19937 rng(1);
      std::bernoulli_distribution keep(recall);
      for (int32_t n : oracle)
        if (keep(rng)) kept.push_back(n);
      kernels::ffn_sparse(h, &ew.w_gate, &ew.gate_bias, ew.w_up, ew.w_down, act, kept, sparse);
      const double err = (sparse - dense).cwiseAbs().maxCoeff() / dense.cwiseAbs().maxCoeff();
      std::printf("%s: recall %.2f -> relative FFN error %.4f\n", name, recall, err);
      EXPECT_GT(err, previous) << name << " recall " << recall;
      previous = err;
    }
  }
}

TEST(ShadowOutliers, FarCloserThanPerTensorAndDegradeWithPruning) {
  VerifyRequest req;
  req.run.model = "qwen1.5-1.8b";
  req.run.policy = "npu";
  req.run.sets = {"workload.prompt=16", "workload.gen=4"};
  req.shape = {8, 256, 512, 3, 30.f};  // the accuracy-proxy command's defaults
  const std::vector<ProxyRow> rows = accuracy_proxy(req, {0.0, 0.5, 1.0});
  ASSERT_EQ(rows.size(), 4u);
  std::printf("%s", format_proxy(rows).c_str());
  const double in_scale = rows[0].error.rel, shadow = rows[1].error.rel;
  EXPECT_LT(shadow * 3, in_scale)
      << "shadow outliers must be far closer to FP32 than per-tensor INT8";
  EXPECT_LE(rows[1].error.rel, rows[2].error.rel);
  EXPECT_LT(rows[2].error.rel, rows[3].error.rel);
  EXPECT_EQ(rows[3].pruned_layers, 8);
}
