// FFN activation model (PowerInfer-2 sparse decode): reproducibility by seed, the power-law firing
// probabilities (normalised and capped), measured mean fractions and per-rank rates against them,
// token-to-token transition rates for a given locality, state persistence of unrouted experts,
// routing (distinct experts, skew, locality), and parameter checks. Statistical checks use
// tolerances of 4-5 standard deviations (inflated for the correlation that locality adds), far
// below the effects they test.
#include <gtest/gtest.h>

#include "tests/unit/activation_test_util.hpp"

using namespace socsim;
using namespace socsim::test_activation;

// --- reproducibility ---

TEST(ActivationModel, SameSeedGivesIdenticalTokens) {
  const ActivationShape shape = make_shape(4, 8, 2, 1024, 0.15);
  StochasticActivations a(shape, make_params(7, 0.5)), b(shape, make_params(7, 0.5));
  for (int t = 0; t < 64; ++t) {
    a.next_token();
    b.next_token();
    ASSERT_EQ(a.token(), t);
    ASSERT_EQ(snapshot(a), snapshot(b)) << "token " << t;
  }
}

TEST(ActivationModel, DifferentSeedsGiveDifferentTokens) {
  const ActivationShape shape = make_shape(4, 8, 2, 1024, 0.15);
  StochasticActivations a(shape, make_params(7, 0.5)), b(shape, make_params(8, 0.5));
  int differ = 0;
  for (int t = 0; t < 64; ++t) {
    a.next_token();
    b.next_token();
    differ += snapshot(a) != snapshot(b);
  }
  EXPECT_EQ(differ, 64);
}

// The model uses its own PRNG and arithmetic: a seed gives these exact tokens on every platform
// and library version. Update the constant only when the model is changed on purpose.
TEST(ActivationModel, PinnedSequenceForSeed) {
  StochasticActivations s(make_shape(3, 8, 2, 2048, 0.15), make_params(2024, 0.5));
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int t = 0; t < 16; ++t) {
    s.next_token();
    h = fnv(h, snapshot(s));
  }
  EXPECT_EQ(h, 0x496516eca3857c81ULL);
}

// --- firing probabilities ---

TEST(ActivationModel, FiringProbabilitiesFollowThePowerLaw) {
  for (double alpha : {0.0, 0.7, 1.0, 1.6}) {
    for (double f : {0.02, 0.15, 0.5}) {
      SCOPED_TRACE(testing::Message() << "alpha " << alpha << " f " << f);
      const int64_t n = 14336;
      StochasticActivations s(make_shape(1, 1, 1, n, f), make_params(1, 0.5, alpha));
      const std::vector<double> p = model_probabilities(s);
      const std::vector<double> exact = exact_power_law(n, f, alpha);
      // The mean is exactly the active fraction (capping redistributes the excess).
      EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0) / n, f, 1e-12);
      for (int64_t r = 1; r < n; ++r) ASSERT_LE(p[r], p[r - 1] + 1e-15) << "rank " << r;
      EXPECT_LE(p[0], 1.0);
      EXPECT_EQ(p[0] == 1.0, exact[0] == 1.0);  // the same ranks are capped
      // Cumulative shares match the exact power law (rank buckets average p over at most a
      // factor (17/16)^alpha).
      for (double top : {0.001, 0.01, 0.03, 0.1, 0.3}) {
        const auto k = static_cast<size_t>(top * n);
        const double model = std::accumulate(p.begin(), p.begin() + k, 0.0);
        const double want = std::accumulate(exact.begin(), exact.begin() + k, 0.0);
        EXPECT_NEAR(model / want, 1.0, 0.01) << "top " << top;
      }
    }
  }
}

// The defaults reproduce the measurements they come from (activation_model.hpp): an FFN of 16384
// neurons with 10% active per token (OPT-6.7B's shape and sparsity) has 26% of its neurons carry
// 80% of the activations (PowerInfer, arXiv 2312.12456, Fig. 4a, OPT-30B per MLP block), and a
// window of the last 5 tokens holds about 24% of the neurons, of which 2.4% of all are new on
// each token (LLM in a flash, arXiv 2312.11514, App. C.1, OPT-6.7B).
TEST(ActivationModel, DefaultsReproduceTheMeasuredSkewAndWindow) {
  const ActivationShape shape = make_shape(1, 1, 1, 16384, 0.10);
  ActivationParams params;
  StochasticActivations s(shape, params);
  const std::vector<double> p = model_probabilities(s);
  std::vector<double> cumulative(p.size());
  std::partial_sum(p.begin(), p.end(), cumulative.begin());
  const auto for_80 =
      std::lower_bound(cumulative.begin(), cumulative.end(), 0.8 * cumulative.back());
  EXPECT_NEAR((for_80 - cumulative.begin()) / 16384.0, 0.26, 0.01);
  std::vector<int> last(16384, -100);  // token each neuron was last active
  double window = 0, fresh = 0;
  const int tokens = 400, warm = 10;
  for (int t = 0; t < tokens; ++t) {
    s.next_token();
    int in_window = 0, new_ones = 0;
    for (uint32_t id : s.active(0, 0)) new_ones += last[id] < t - 4;
    for (uint32_t id : s.active(0, 0)) last[id] = t;
    for (int v : last) in_window += v >= t - 4;
    if (t < warm) continue;
    window += in_window / 16384.0;
    fresh += new_ones / 16384.0;
  }
  EXPECT_NEAR(window / (tokens - warm), 0.24, 0.03);
  EXPECT_NEAR(fresh / (tokens - warm), 0.024, 0.003);
}

TEST(ActivationModel, DefaultHotnessOnMixtral47B) {
  // models/turbosparse-mixtral-47b.yaml; the figures are those quoted in activation_model.hpp.
  const ActivationShape shape =
      activation_shape(load_model(SOCSIM_DATA_DIR "/models/turbosparse-mixtral-47b.yaml"));
  EXPECT_EQ(shape.layers, 32);
  EXPECT_EQ(shape.experts, 8);
  EXPECT_EQ(shape.experts_per_token, 2);
  EXPECT_EQ(shape.neurons, 14336);
  EXPECT_DOUBLE_EQ(shape.active_fraction, 0.15);
  StochasticActivations s(shape);
  const std::vector<double> p = model_probabilities(s);
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  const auto always_on = std::count(p.begin(), p.end(), 1.0);
  EXPECT_NEAR(always_on / 14336.0, 0.047, 0.001);
  std::vector<double> cumulative(p.size());
  std::partial_sum(p.begin(), p.end(), cumulative.begin());
  const auto for_80 = std::lower_bound(cumulative.begin(), cumulative.end(), 0.8 * total);
  EXPECT_NEAR((for_80 - cumulative.begin()) / 14336.0, 0.32, 0.01);
}

// --- measured activity ---

// Mean active fraction over routed (layer, expert, token) against the target, within 4 sd.
void check_mean_fraction(const ActivationShape& shape, double lambda, int tokens) {
  StochasticActivations s(shape, make_params(11, lambda));
  std::vector<double> active(static_cast<size_t>(shape.layers), 0);
  for (int t = 0; t < tokens; ++t) {
    s.next_token();
    for (int64_t l = 0; l < shape.layers; ++l)
      for (int32_t e : s.experts(l)) active[l] += static_cast<double>(s.active(l, e).size());
  }
  for (int64_t l = 0; l < shape.layers; ++l) {
    const std::vector<double> p = model_probabilities(s, l);
    const double samples = static_cast<double>(tokens * shape.experts_per_token);
    const double measured = active[l] / (samples * static_cast<double>(shape.neurons));
    const double sd = sd_of_mean_rate(p, 0, p.size(), samples, lambda);
    EXPECT_NEAR(measured, shape.fraction(l), 4 * sd + 1e-9) << "layer " << l;
  }
}

TEST(ActivationModel, MeanActiveFractionDense) {
  check_mean_fraction(make_shape(2, 1, 1, 4096, 0.10), 0.5, 3000);
  check_mean_fraction(make_shape(1, 1, 1, 4096, 0.10), 0.0, 3000);
}

TEST(ActivationModel, MeanActiveFractionMoe) {
  check_mean_fraction(make_shape(2, 8, 2, 2048, 0.15), 0.5, 3000);
}

TEST(ActivationModel, PerLayerFractionsFromModelSpec) {
  ModelSpec m;
  m.layers = 3;
  m.ffn = 2048;
  m.has_moe = true;
  m.moe.experts = 4;
  m.moe.experts_per_token = 1;
  m.has_sparsity = true;
  m.sparsity.ffn_active = 0.2;
  m.sparsity.per_layer = {0.05, 0.3, 0.6};
  const ActivationShape shape = activation_shape(m);
  EXPECT_EQ(shape.experts, 4);
  EXPECT_EQ(shape.experts_per_token, 1);
  EXPECT_EQ(shape.neurons, 2048);
  EXPECT_DOUBLE_EQ(shape.fraction(1), 0.3);
  check_mean_fraction(shape, 0.5, 3000);

  ModelSpec dense;
  dense.layers = 2;
  dense.ffn = 100;
  const ActivationShape d = activation_shape(dense);
  EXPECT_EQ(d.experts, 1);
  EXPECT_DOUBLE_EQ(d.fraction(0), 1.0);
  StochasticActivations all(d);
  all.next_token();
  EXPECT_EQ(all.active(1, 0).size(), 100u);  // no sparsity: every neuron fires
}

TEST(ActivationModel, PerRankRatesFollowFiringProbability) {
  const int64_t n = 2048;
  const double lambda = 0.3;
  const int tokens = 4000;
  StochasticActivations s(make_shape(1, 1, 1, n, 0.10), make_params(3, lambda));
  std::vector<double> count(static_cast<size_t>(n), 0);
  for (int t = 0; t < tokens; ++t) {
    s.next_token();
    for (uint32_t id : s.active(0, 0)) ++count[id];
  }
  const std::vector<double> p = model_probabilities(s);
  const size_t bounds[] = {0, 4, 16, 64, 256, 1024, 2048};
  double previous_rate = 2;
  for (size_t g = 0; g + 1 < std::size(bounds); ++g) {
    const size_t lo = bounds[g], hi = bounds[g + 1];
    const double measured =
        std::accumulate(count.begin() + lo, count.begin() + hi, 0.0) / (tokens * (hi - lo));
    const double want = std::accumulate(p.begin() + lo, p.begin() + hi, 0.0) / (hi - lo);
    EXPECT_NEAR(measured, want, 4 * sd_of_mean_rate(p, lo, hi, tokens, lambda) + 1e-9)
        << "ranks [" << lo << ", " << hi << ")";
    EXPECT_LE(measured, previous_rate) << "hotter ranks fire at least as often";
    previous_rate = measured;
  }
  const double hottest = std::accumulate(count.begin(), count.begin() + 4, 0.0) / (4 * tokens);
  EXPECT_GT(hottest, 10 * previous_rate);
  // The hottest 3% of ids carry their power-law share of all activations.
  const auto top = static_cast<size_t>(0.03 * n);
  const double share = std::accumulate(count.begin(), count.begin() + top, 0.0) /
                       std::accumulate(count.begin(), count.end(), 0.0);
  const double want =
      std::accumulate(p.begin(), p.begin() + top, 0.0) / std::accumulate(p.begin(), p.end(), 0.0);
  EXPECT_NEAR(share, want, 0.01);
  EXPECT_GT(share, 0.25);  // 3% of the neurons, more than a quarter of the activations
}

// --- locality ---

struct Transitions {
  double on_on = 0, on = 0, off_on = 0, off = 0;
};

// Transition counts over ranks [lo, hi) of a dense single-layer model.
Transitions measure_transitions(int64_t n, double lambda, int tokens, size_t lo, size_t hi) {
  StochasticActivations s(make_shape(1, 1, 1, n, 0.10), make_params(5, lambda));
  std::vector<uint8_t> prev(static_cast<size_t>(n), 0), cur(static_cast<size_t>(n), 0);
  Transitions c;
  for (int t = 0; t < tokens; ++t) {
    s.next_token();
    std::fill(cur.begin(), cur.end(), 0);
    for (uint32_t id : s.active(0, 0)) cur[id] = 1;
    if (t > 0) {
      for (size_t r = lo; r < hi; ++r) {
        (prev[r] ? c.on : c.off) += 1;
        (prev[r] ? c.on_on : c.off_on) += cur[r];
      }
    }
    std::swap(prev, cur);
  }
  return c;
}

// Expected P(on -> on) and P(off -> on) over ranks [lo, hi), weighted by occupancy.
std::pair<double, double> expected_transitions(const std::vector<double>& p, double lambda,
                                               size_t lo, size_t hi) {
  double on_on = 0, on = 0, off_on = 0, off = 0;
  for (size_t r = lo; r < hi; ++r) {
    on_on += p[r] * (lambda + (1 - lambda) * p[r]);
    on += p[r];
    off_on += (1 - p[r]) * (1 - lambda) * p[r];
    off += 1 - p[r];
  }
  return {on_on / on, off_on / off};
}

TEST(ActivationModel, LocalityGivesTransitionRates) {
  const int64_t n = 4096;
  const size_t lo = 256, hi = 4096;  // below the always-on ranks
  for (double lambda : {0.0, 0.6, 0.9}) {
    SCOPED_TRACE(testing::Message() << "lambda " << lambda);
    const Transitions c = measure_transitions(n, lambda, 2500, lo, hi);
    StochasticActivations s(make_shape(1, 1, 1, n, 0.10), make_params(5, lambda));
    const auto [on_on, off_on] = expected_transitions(model_probabilities(s), lambda, lo, hi);
    EXPECT_NEAR(c.on_on / c.on, on_on, 0.01);
    EXPECT_NEAR(c.off_on / c.off, off_on, 0.001);
  }
}

// An expert's state takes one step per token that routes to it, none while it is idle: after a
// gap, P(on -> on) is still lambda + (1 - lambda) p (it would fall towards p if idle tokens
// evolved the state, and be p if the state were redrawn).
TEST(ActivationModel, UnroutedExpertsKeepTheirState) {
  const int64_t n = 2048;
  const double lambda = 0.6;
  ActivationParams params = make_params(9, lambda);
  params.expert_locality = 0;
  StochasticActivations s(make_shape(1, 8, 1, n, 0.10), params);
  std::vector<std::vector<uint8_t>> last(8, std::vector<uint8_t>(static_cast<size_t>(n), 0));
  std::vector<int> last_token(8, -1);
  const size_t lo = 256;
  double on = 0, on_on = 0;
  int gaps = 0;
  for (int t = 0; t < 3000; ++t) {
    s.next_token();
    const int32_t e = s.experts(0)[0];
    std::vector<uint8_t> cur(static_cast<size_t>(n), 0);
    for (uint32_t id : s.active(0, e)) cur[id] = 1;
    if (last_token[e] >= 0 && t - last_token[e] >= 4) {
      ++gaps;
      for (size_t r = lo; r < cur.size(); ++r) {
        on += last[e][r];
        on_on += last[e][r] & cur[r];
      }
    }
    last[e] = cur;
    last_token[e] = t;
  }
  ASSERT_GT(gaps, 500);
  const auto [want, unused] = expected_transitions(model_probabilities(s), lambda, lo, n);
  EXPECT_NEAR(on_on / on, want, 0.015);
}

// --- routing ---

TEST(ActivationModel, RoutesDistinctExpertsEachToken) {
  for (auto [experts, k] : {std::pair{8, 2}, std::pair{6, 3}, std::pair{4, 4}}) {
    StochasticActivations s(make_shape(4, experts, k, 256, 0.2));
    EXPECT_EQ(s.token(), -1);
    EXPECT_TRUE(s.experts(0).empty());
    EXPECT_TRUE(s.active(0, 0).empty());
    for (int t = 0; t < 300; ++t) {
      s.next_token();
      for (int64_t l = 0; l < 4; ++l) {
        const auto routed = s.experts(l);
        ASSERT_EQ(static_cast<int64_t>(routed.size()), k);
        for (size_t i = 0; i < routed.size(); ++i) {
          ASSERT_GE(routed[i], 0);
          ASSERT_LT(routed[i], experts);
          if (i > 0) {
            ASSERT_LT(routed[i - 1], routed[i]);  // distinct, ascending
          }
        }
        for (int32_t e = 0; e < experts; ++e) {
          const bool is_routed = std::find(routed.begin(), routed.end(), e) != routed.end();
          const auto active = s.active(l, e);
          if (!is_routed) {
            ASSERT_TRUE(active.empty());
          }
          ASSERT_TRUE(std::is_sorted(active.begin(), active.end()));
          ASSERT_EQ(std::adjacent_find(active.begin(), active.end()), active.end());
          if (!active.empty()) {
            ASSERT_LT(active.back(), 256u);
          }
        }
      }
    }
  }
}

// Share of routings that go to each expert of 8 (top-2, 4 layers, 3000 tokens).
std::vector<double> routing_shares(double skew) {
  ActivationParams p;
  p.expert_skew = skew;
  p.expert_locality = 0;
  StochasticActivations s(make_shape(4, 8, 2, 64, 0.2), p);
  std::vector<double> share(8, 0);
  for (int t = 0; t < 3000; ++t) {
    s.next_token();
    for (int64_t l = 0; l < 4; ++l)
      for (int32_t e : s.experts(l)) share[e] += 1.0 / (3000 * 4 * 2);
  }
  return share;
}

TEST(ActivationModel, ExpertSkew) {
  for (double share : routing_shares(0.0)) EXPECT_NEAR(share, 1.0 / 8, 0.01);  // sd 0.002
  const std::vector<double> skewed = routing_shares(1.0);
  for (size_t e = 1; e < 8; ++e) EXPECT_LT(skewed[e], skewed[e - 1]);
  EXPECT_GT(skewed[0], 2.5 * skewed[7]);
}

TEST(ActivationModel, ExpertLocality) {
  for (double mu : {0.0, 0.7}) {
    ActivationParams p;
    p.expert_locality = mu;
    StochasticActivations s(make_shape(4, 8, 2, 64, 0.2), p);
    std::vector<std::vector<int32_t>> prev(4);
    double same = 0, pairs = 0;
    for (int t = 0; t < 2000; ++t) {
      s.next_token();
      for (int64_t l = 0; l < 4; ++l) {
        std::vector<int32_t> cur(s.experts(l).begin(), s.experts(l).end());
        if (t > 0) {
          same += cur == prev[l];
          ++pairs;
        }
        prev[l] = cur;
      }
    }
    // Kept with probability mu, otherwise a fresh uniform pair equals the old one 1 time in 28.
    EXPECT_NEAR(same / pairs, mu + (1 - mu) / 28.0, 0.025) << "mu " << mu;  // sd <= 0.0055
  }
}

// --- parameters ---

TEST(ActivationModel, RejectsBadShapesAndParameters) {
  auto message = [](const ActivationShape& s, const ActivationParams& p) -> std::string {
    try {
      StochasticActivations a(s, p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  const ActivationShape ok = make_shape(2, 8, 2, 64, 0.2);
  EXPECT_EQ(message(ok, {}), "");
  ActivationParams p;
  p.locality = 1.0;
  EXPECT_NE(message(ok, p).find("locality must be in [0, 1)"), std::string::npos);
  p = {};
  p.expert_locality = -0.1;
  EXPECT_NE(message(ok, p).find("expert_locality"), std::string::npos);
  p = {};
  p.hotness_exponent = -1;
  EXPECT_NE(message(ok, p).find("hotness_exponent"), std::string::npos);
  EXPECT_NE(message(make_shape(2, 2, 3, 64, 0.2), {}).find("experts_per_token"), std::string::npos);
  EXPECT_NE(message(make_shape(2, 8, 2, 64, 1.5), {}).find("active fraction"), std::string::npos);
  EXPECT_NE(message(make_shape(0, 8, 2, 64, 0.2), {}).find("layers"), std::string::npos);
  ActivationShape per_layer = ok;
  per_layer.per_layer = {0.1};
  EXPECT_NE(message(per_layer, {}).find("1 values for 2 layers"), std::string::npos);
}
