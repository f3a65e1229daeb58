// Which FFN neurons fire on each decoded token, for PowerInfer-2-style sparse decode (arXiv
// 2406.06282): per token and per layer, the routed experts (MoE) and the ascending ids of the
// active neurons of each routed expert. Consumers (neuron cache, planners, lowering) read an
// ActivationSource; StochasticActivations is the seeded model below, TraceActivations
// (activation_trace.hpp) replays a recorded trace.
//
// Neuron ids are hotness ranks: id 0 is the most frequently active neuron of its expert, as after
// PowerInfer-2's offline profiling, which permutes each FFN's neurons by activation frequency.
// Expert ids are popularity ranks in the same way (expert 0 is routed most often when
// expert_skew > 0).
//
// The stochastic model, per layer and per routed expert:
//  - Hotness: neuron r fires with marginal probability p_r proportional to (r+1)^-alpha, scaled so
//    the mean over the expert's neurons is the layer's active fraction f; a p_r above 1 is capped
//    at 1 and the excess spread over the others so that the mean stays exactly f. Ranks are
//    grouped in log-spaced buckets (single ranks up to 32, then buckets 1/16 as wide as their
//    start) and every neuron of a bucket uses the bucket's mean p: the mean stays exactly f and p
//    within a bucket varies by at most (17/16)^alpha. firing_probability returns this bucket p.
//  - Locality lambda: from one routed token to the next, each neuron keeps its state with
//    probability lambda, otherwise redraws Bernoulli(p_r). The marginal stays p_r, and
//    P(on -> on) = lambda + (1 - lambda) p_r, P(off -> on) = (1 - lambda) p_r.
//  - An expert's neuron state persists while the expert is not routed: when routed again it takes
//    one step from the state it had the last time it was routed (idle tokens do not evolve it).
//    The first time an expert is routed its state is drawn from the marginals.
//  - Routing: each layer keeps the previous token's expert set with probability expert_locality;
//    otherwise it draws experts_per_token distinct experts, one after another without
//    replacement, with weights (e+1)^-expert_skew.
// Probabilities are applied as 32-bit thresholds (to within 2^-33). Everything is a deterministic
// function of the seed (own PRNG and arithmetic, no std:: distributions), identical across
// platforms and library versions.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sim/model/model_spec.hpp"

namespace socsim {

struct ActivationShape {
  int64_t layers = 0;
  int64_t experts = 1;            // experts per layer; 1 = dense FFN
  int64_t experts_per_token = 1;  // routed experts per token and layer
  int64_t neurons = 0;            // FFN neurons per expert (ModelSpec::ffn)
  double active_fraction = 1.0;   // mean fraction of a routed expert's neurons active per token
  std::vector<double> per_layer;  // optional per-layer fractions (size layers); override the mean
  double fraction(int64_t layer) const {
    return per_layer.empty() ? active_fraction : per_layer[static_cast<size_t>(layer)];
  }
};

// Layers, experts, experts per token, ffn and the sparsity fractions of a model (dense models
// get experts = 1; models without sparsity get fraction 1).
ActivationShape activation_shape(const ModelSpec& m);

// Defaults come from other papers' measurements of ReLU models (OPT), not of the modelled ones:
// neither PowerInfer nor PowerInfer-2 publishes an exponent or a token-to-token persistence.
struct ActivationParams {
  uint64_t seed = 1;
  // Power law alpha = 1.25: with f = 0.10, 26% of an FFN's neurons carry 80% of its activations,
  // as PowerInfer (arXiv 2312.12456, Fig. 4a) measures per MLP block of OPT-30B (26%; 43% for the
  // ReGLU LLaMA2-70B, alpha ~0.9). On TurboSparse-Mixtral-47B (f = 0.15, 14336 neurons) the
  // hottest 4.7% of neurons are always on and 32% carry 80% of the activations.
  double hotness_exponent = kNaturalHotness;
  // With alpha = 1.25 and f = 0.10, locality 0.3 gives what LLM in a flash (arXiv 2312.11514,
  // App. C.1) measures on OPT-6.7B: a 5-token window holds 22% of the FFN (published 24%) and
  // 2.5% of the neurons are new on each token (published 2.4%).
  double locality = kDefaultLocality;
  // Uniform routing: Mixtral-style routers are trained with a load-balancing loss.
  double expert_skew = 0.0;
  // A layer repeats the previous token's expert set a quarter of the time, more often than chance
  // (1/28 for 2 of 8 experts); the Mixtral paper (arXiv 2401.04088, routing analysis) reports
  // that consecutive tokens repeat expert choices more often than chance.
  double expert_locality = 0.25;
};

class ActivationSource {
 public:
  virtual ~ActivationSource() = default;
  virtual const ActivationShape& shape() const = 0;
  // Advances to the next decoded token; the first call gives token 0.
  virtual void next_token() = 0;
  // The current token, -1 before the first next_token().
  virtual int64_t token() const = 0;
  // The experts routed at `layer` on the current token: experts_per_token distinct ids, ascending
  // ({0} for a dense model).
  virtual std::span<const int32_t> experts(int64_t layer) const = 0;
  // The active neurons of (layer, expert) on the current token, ascending ids; empty when the
  // expert is not routed at that layer.
  virtual std::span<const uint32_t> active(int64_t layer, int64_t expert) const = 0;
  // Probability that `neuron` of (layer, expert) is active on a token that routes to the expert.
  virtual double firing_probability(int64_t layer, int64_t expert, int64_t neuron) const = 0;
};

// The seeded model above. A step of a routed expert costs about its active neurons plus its state
// changes, not a draw per neuron: the previously active list is walked for drops, and new
// activations are drawn with geometric skips over the rank buckets where they are rare (ranks
// where p is large take one draw each; always-on ranks none).
class StochasticActivations final : public ActivationSource {
 public:
  // Throws InputError for shapes or parameters out of range.
  StochasticActivations(ActivationShape shape, ActivationParams params = {});
  ~StochasticActivations() override;
  const ActivationShape& shape() const override;
  const ActivationParams& params() const;
  void next_token() override;
  int64_t token() const override;
  std::span<const int32_t> experts(int64_t layer) const override;
  std::span<const uint32_t> active(int64_t layer, int64_t expert) const override;
  double firing_probability(int64_t layer, int64_t expert, int64_t neuron) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace socsim
