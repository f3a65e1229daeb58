// The seeded activation model: power-law firing probabilities per rank bucket, per-neuron
// persistence across tokens, router draws. Its random numbers and log/exp come from
// sim/stats/portable_random.hpp, so that a seed gives the same tokens on every platform.
#include "sim/sparse/activation_model.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <bit>

#include "sim/config/diagnostics.hpp"
#include "sim/stats/portable_random.hpp"

// No fused multiply-add contraction here either (see portable_random.hpp), so that the skips give
// the same bits everywhere.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace socsim {

namespace {

using portable::BulkRng;
using portable::exp_nonpos;
using portable::ExpSampler;
using portable::log_pos;
using portable::Rng;

// (r+1)^-alpha with the portable log and exp.
double power_weight(double rank, double alpha) {
  return exp_nonpos(-alpha * log_pos(rank + 1.0));
}

// Probability to a 32-bit threshold: a uniform 32-bit draw is below it with probability q (to
// 2^-33).
uint64_t threshold32(double q) {
  return static_cast<uint64_t>(std::clamp(q, 0.0, 1.0) * 0x1p32 + 0.5);
}

// Per rank and step, a skip bucket costs about kCandidateCost * P(off -> on) + p and a per-neuron
// bucket about 1 (relative costs of a candidate and of a draw, measured on x86-64): the cheaper
// mode is used.
constexpr double kCandidateCost = 3.5;

// Ends every state list, so that walks need no bounds checks (ids are below it).
constexpr uint32_t kSentinel = 0xffffffffU;

// How a bucket is stepped; as ranks grow (p falls) the modes come in this order.
enum class Mode : uint8_t { kAllOn, kPerNeuron, kSkip };

struct BucketRates {
  double p = 0;  // the bucket's mean firing probability
  Mode mode = Mode::kSkip;
  uint64_t on_thr = 0;    // P(off -> on), 32-bit threshold
  uint64_t keep_thr = 0;  // P(on -> on), 32-bit threshold
  double hazard = 0;      // -log(1 - P(off -> on)), for skips; 0 when no neuron turns on
  double inv_hazard = 0;
};

struct RateTable {
  std::vector<BucketRates> buckets;
  uint32_t per_neuron_start = 0;  // first rank of the kPerNeuron buckets (after the all-on ones)
  uint32_t skip_start = 0;        // first rank of the kSkip buckets (they come last)
};

// Marginals p_r = min(1, c (r+1)^-alpha) with mean exactly `fraction`: the capped ranks are a
// prefix; for k capped, c = (fraction N - k) / sum_{r >= k} w_r, the first k with c w_k <= 1.
std::vector<double> power_law(int64_t n, double fraction, double alpha) {
  std::vector<double> w(static_cast<size_t>(n)), suffix(static_cast<size_t>(n) + 1, 0.0);
  for (int64_t r = 0; r < n; ++r) w[r] = power_weight(static_cast<double>(r), alpha);
  for (int64_t r = n - 1; r >= 0; --r) suffix[r] = suffix[r + 1] + w[r];
  const double target = fraction * static_cast<double>(n);
  std::vector<double> p(static_cast<size_t>(n), 1.0);
  for (int64_t k = 0; k < n; ++k) {
    const double c = (target - static_cast<double>(k)) / suffix[k];
    if (c * w[k] <= 1.0) {
      for (int64_t r = k; r < n; ++r) p[r] = c * w[r];
      break;
    }
  }
  return p;
}

BucketRates rates_for(double p, double locality, Mode earliest) {
  BucketRates r;
  r.p = p;
  const double on = (1.0 - locality) * p;
  r.on_thr = threshold32(on);
  r.keep_thr = threshold32(locality + (1.0 - locality) * p);
  r.mode = p >= 1.0                         ? Mode::kAllOn
           : kCandidateCost * on + p >= 1.0 ? Mode::kPerNeuron
                                            : Mode::kSkip;
  r.mode = std::max(r.mode, earliest);  // keep the modes in rank order despite rounding
  if (r.mode == Mode::kSkip && on > 0) {
    r.hazard = -log_pos(1.0 - on);
    r.inv_hazard = 1.0 / r.hazard;
  }
  return r;
}

void check(const ActivationShape& s, const ActivationParams& p) {
  Diagnostics d;
  const SourceLoc at{"activation model"};
  if (s.layers < 1) d.error(at, fmt::format("layers must be at least 1, got {}", s.layers));
  if (s.experts < 1 || s.experts > 65535)
    d.error(at, fmt::format("experts must be in [1, 65535], got {}", s.experts));
  if (s.experts_per_token < 1 || s.experts_per_token > s.experts)
    d.error(at, fmt::format("experts_per_token must be in [1, experts = {}], got {}", s.experts,
                            s.experts_per_token));
  if (s.neurons < 1 || s.neurons >= 0xffffffffLL)
    d.error(at, fmt::format("neurons must be in [1, 2^32 - 1), got {}", s.neurons));
  if (!(s.active_fraction >= 0 && s.active_fraction <= 1))
    d.error(at, fmt::format("active fraction must be in [0, 1], got {}", s.active_fraction));
  if (!s.per_layer.empty() && static_cast<int64_t>(s.per_layer.size()) != s.layers)
    d.error(at, fmt::format("per-layer fractions: {} values for {} layers", s.per_layer.size(),
                            s.layers));
  for (size_t l = 0; l < s.per_layer.size(); ++l)
    if (!(s.per_layer[l] >= 0 && s.per_layer[l] <= 1))
      d.error(at, fmt::format("active fraction of layer {} must be in [0, 1], got {}", l,
                              s.per_layer[l]));
  if (!(p.hotness_exponent >= 0 && p.hotness_exponent <= 16))
    d.error(at, fmt::format("hotness_exponent must be in [0, 16], got {}", p.hotness_exponent));
  if (!(p.locality >= 0 && p.locality < 1))
    d.error(at, fmt::format("locality must be in [0, 1), got {}", p.locality));
  if (!(p.expert_skew >= 0 && p.expert_skew <= 16))
    d.error(at, fmt::format("expert_skew must be in [0, 16], got {}", p.expert_skew));
  if (!(p.expert_locality >= 0 && p.expert_locality <= 1))
    d.error(at, fmt::format("expert_locality must be in [0, 1], got {}", p.expert_locality));
  d.throw_if_errors();
}

}  // namespace

ActivationShape activation_shape(const ModelSpec& m) {
  ActivationShape s;
  s.layers = m.layers;
  s.experts = m.has_moe ? m.moe.experts : 1;
  s.experts_per_token = m.has_moe ? m.moe.experts_per_token : 1;
  s.neurons = m.ffn;
  s.active_fraction = m.has_sparsity ? m.sparsity.ffn_active : 1.0;
  if (m.has_sparsity) s.per_layer = m.sparsity.per_layer;
  return s;
}

struct StochasticActivations::Impl {
  ActivationShape shape;
  ActivationParams params;
  uint64_t seeder;
  Rng rng;          // router
  BulkRng bulk;     // neuron decisions
  ExpSampler exps;  // geometric skips
  int64_t token = -1;
  std::vector<uint32_t> bucket_start;  // bucket b covers ranks [start[b], start[b+1])
  // Rates per distinct layer fraction: step (with locality) and first draw (from the marginals).
  std::vector<RateTable> step, first;
  std::vector<size_t> table_of_layer;
  std::vector<double> expert_weight;
  std::vector<int32_t> experts;              // layers x experts_per_token, current token
  std::vector<std::vector<uint32_t>> state;  // layers x experts: last state, ascending, sentinel
  std::vector<uint8_t> drawn;                // state drawn at least once
  std::vector<uint8_t> routed;               // routed on the current token
  std::vector<uint32_t> out;                 // scratch: the new state
  std::vector<uint8_t> marks;                // scratch: per-neuron ranks on, zero between steps
  std::vector<uint64_t> skip_bits;           // scratch: skip ranks on, zero between steps
  std::vector<uint32_t> draws;               // scratch: one uniform draw per decision
  std::vector<uint32_t> iota;                // 0, 1, 2, ...: the all-on ranks

  Impl(ActivationShape s, ActivationParams p)
      : shape(std::move(s)), params(p), seeder(p.seed), rng(seeder), bulk(seeder), exps(seeder) {}
  void build_tables();
  void route(int64_t layer);
  void evolve(const RateTable& rates, std::vector<uint32_t>& state);
  size_t idx(int64_t layer, int64_t expert) const {
    return static_cast<size_t>(layer * shape.experts + expert);
  }
};

void StochasticActivations::Impl::build_tables() {
  const int64_t n = shape.neurons;
  for (int64_t lo = 0; lo < n;) {
    bucket_start.push_back(static_cast<uint32_t>(lo));
    lo = std::min(n, lo + std::max<int64_t>(1, lo / 16));
  }
  bucket_start.push_back(static_cast<uint32_t>(n));
  const size_t buckets = bucket_start.size() - 1;

  std::vector<double> fractions;
  for (int64_t l = 0; l < shape.layers; ++l) {
    const double f = shape.fraction(l);
    auto it = std::find(fractions.begin(), fractions.end(), f);
    table_of_layer.push_back(static_cast<size_t>(it - fractions.begin()));
    if (it != fractions.end()) continue;
    fractions.push_back(f);
    const std::vector<double> p = power_law(n, f, params.hotness_exponent);
    for (auto [table, locality] : {std::pair{&step.emplace_back(), params.locality},
                                   std::pair{&first.emplace_back(), 0.0}}) {
      Mode earliest = Mode::kAllOn;
      for (size_t b = 0; b < buckets; ++b) {
        double sum = 0;
        for (uint32_t r = bucket_start[b]; r < bucket_start[b + 1]; ++r) sum += p[r];
        const double mean = std::min(1.0, sum / (bucket_start[b + 1] - bucket_start[b]));
        table->buckets.push_back(rates_for(mean, locality, earliest));
        earliest = table->buckets.back().mode;
        if (earliest == Mode::kAllOn) table->per_neuron_start = bucket_start[b + 1];
        if (earliest != Mode::kSkip) table->skip_start = bucket_start[b + 1];
      }
    }
  }
  for (int64_t e = 0; e < shape.experts; ++e)
    expert_weight.push_back(power_weight(static_cast<double>(e), params.expert_skew));
  experts.assign(static_cast<size_t>(shape.layers * shape.experts_per_token), 0);
  state.assign(static_cast<size_t>(shape.layers * shape.experts), {kSentinel});
  drawn.assign(state.size(), 0);
  routed.assign(state.size(), 0);
  out.resize(static_cast<size_t>(n) + 1);
  draws.resize(static_cast<size_t>(n) + 8);
  marks.assign(static_cast<size_t>(n), 0);
  skip_bits.assign((static_cast<size_t>(n) + 63) / 64, 0);
  uint32_t all_on = 0;
  for (const RateTable& t : first) all_on = std::max(all_on, t.per_neuron_start);
  for (const RateTable& t : step) all_on = std::max(all_on, t.per_neuron_start);
  for (uint32_t r = 0; r < all_on; ++r) iota.push_back(r);
}

void StochasticActivations::Impl::route(int64_t layer) {
  const int64_t k = shape.experts_per_token;
  int32_t* cur = &experts[static_cast<size_t>(layer * k)];
  if (shape.experts == 1) return;  // always {0}
  if (token > 0 && rng.uniform01() < params.expert_locality) return;
  // k distinct experts, drawn one after another with weights (e+1)^-skew.
  double total = 0;
  for (double w : expert_weight) total += w;
  for (int64_t i = 0; i < k; ++i) {
    const double u = rng.uniform01() * total;
    double acc = 0;
    int32_t pick = -1;
    for (int32_t e = 0; e < shape.experts; ++e) {
      if (std::find(cur, cur + i, e) != cur + i) continue;
      pick = e;  // the last candidate absorbs rounding
      acc += expert_weight[static_cast<size_t>(e)];
      if (u < acc) break;
    }
    cur[i] = pick;
    total -= expert_weight[static_cast<size_t>(pick)];
  }
  std::sort(cur, cur + k);
}

// One step of every neuron of one expert, writing the new state in rank order: old active neurons
// stay on with P(on -> on), the others turn on with P(off -> on). All-on ranks are copied.
// Per-neuron ranks take one draw each (whether a rank was on comes from a byte mark). In skip
// buckets the candidates for turning on come from geometric skips over all the bucket's ranks,
// drawn as floor(E / hazard) with E ~ Exp(1) (E left over at the end of a bucket is still Exp(1),
// by memorylessness, and carries into the next one); they set bits, then each old active neuron's
// draw sets or clears its own bit (so a candidate that was on already changes nothing), and a scan
// of the bits gives the skip ranks in order. No loop depends on its previous iteration through a
// load, which keeps them fast.
void StochasticActivations::Impl::evolve(const RateTable& rates, std::vector<uint32_t>& st) {
  const uint32_t per_neuron = rates.per_neuron_start, skip = rates.skip_start;
  const uint32_t* __restrict old = st.data();
  const uint32_t* const old_end = old + st.size() - 1;  // before the sentinel
  const uint32_t* const old_per_neuron = std::lower_bound(old, old_end, per_neuron);
  const uint32_t* const old_skip = std::lower_bound(old_per_neuron, old_end, skip);
  bulk.fill32(draws.data(), (skip - per_neuron) + static_cast<size_t>(old_end - old_skip));
  const uint32_t* __restrict u = draws.data();
  uint8_t* __restrict mark = marks.data();
  uint64_t* __restrict skip_on = skip_bits.data();
  uint32_t* __restrict o = out.data();

  std::copy(iota.data(), iota.data() + per_neuron, o);
  size_t n = per_neuron;
  for (const uint32_t* p = old_per_neuron; p < old_skip; ++p) mark[*p] = 1;
  const uint32_t* p = old_skip;
  double clock = exps();
  const size_t buckets = bucket_start.size() - 1;
  for (size_t b = 0; b < buckets; ++b) {
    const uint32_t lo = bucket_start[b], hi = bucket_start[b + 1];
    const BucketRates& r = rates.buckets[b];
    if (r.mode == Mode::kAllOn) continue;
    if (r.mode == Mode::kPerNeuron) {
      const uint64_t on = r.on_thr, flip = r.keep_thr ^ r.on_thr;
      for (uint32_t pos = lo; pos < hi; ++pos) {
        const uint64_t was = mark[pos];
        mark[pos] = 0;
        o[n] = pos;
        n += *u++ < (on ^ (flip & (0 - was)));  // keep_thr when it was on, without a branch
      }
      continue;
    }
    if (r.hazard > 0) {
      for (uint32_t from = lo;;) {
        const double skip_ranks = clock * r.inv_hazard;
        const double room = static_cast<double>(hi - from);
        if (skip_ranks >= room) {
          clock = std::max(0.0, clock - room * r.hazard);
          break;
        }
        clock = exps();
        const uint32_t c = from + static_cast<uint32_t>(skip_ranks);
        skip_on[c >> 6] |= uint64_t{1} << (c & 63);
        from = c + 1;
      }
    }
    for (const uint64_t keep = r.keep_thr; *p < hi; ++p) {  // the old neuron's draw decides
      const uint64_t bit = uint64_t{1} << (*p & 63), stays = *u++ < keep;
      uint64_t& w = skip_on[*p >> 6];
      w ^= (w ^ (0 - stays)) & bit;
    }
  }
  const size_t words = (static_cast<size_t>(shape.neurons) + 63) / 64;
  for (size_t w = skip / 64; w < words; ++w) {  // the skip ranks in order; clears the bits
    uint64_t set = skip_on[w];
    skip_on[w] = 0;
    const auto base = static_cast<uint32_t>(64 * w);
    for (; set != 0; set &= set - 1) o[n++] = base + static_cast<uint32_t>(std::countr_zero(set));
  }
  o[n] = kSentinel;
  st.assign(o, o + n + 1);
}

StochasticActivations::StochasticActivations(ActivationShape shape, ActivationParams params) {
  check(shape, params);
  impl_ = std::make_unique<Impl>(std::move(shape), params);
  impl_->build_tables();
}

StochasticActivations::~StochasticActivations() = default;

const ActivationShape& StochasticActivations::shape() const {
  return impl_->shape;
}
const ActivationParams& StochasticActivations::params() const {
  return impl_->params;
}
int64_t StochasticActivations::token() const {
  return impl_->token;
}

void StochasticActivations::next_token() {
  Impl& m = *impl_;
  ++m.token;
  const int64_t k = m.shape.experts_per_token;
  for (int64_t l = 0; l < m.shape.layers; ++l) {
    int32_t* cur = &m.experts[static_cast<size_t>(l * k)];
    for (int64_t i = 0; i < k; ++i) m.routed[m.idx(l, cur[i])] = 0;
    m.route(l);
    const size_t table = m.table_of_layer[static_cast<size_t>(l)];
    for (int64_t i = 0; i < k; ++i) {
      const size_t s = m.idx(l, cur[i]);
      m.routed[s] = 1;
      m.evolve(m.drawn[s] ? m.step[table] : m.first[table], m.state[s]);
      m.drawn[s] = 1;
    }
  }
}

std::span<const int32_t> StochasticActivations::experts(int64_t layer) const {
  if (impl_->token < 0) return {};
  const size_t k = static_cast<size_t>(impl_->shape.experts_per_token);
  return {impl_->experts.data() + static_cast<size_t>(layer) * k, k};
}

std::span<const uint32_t> StochasticActivations::active(int64_t layer, int64_t expert) const {
  const size_t s = impl_->idx(layer, expert);
  if (!impl_->routed[s]) return {};
  return {impl_->state[s].data(), impl_->state[s].size() - 1};
}

double StochasticActivations::firing_probability(int64_t layer, int64_t /*expert*/,
                                                 int64_t neuron) const {
  const Impl& m = *impl_;
  const auto it =
      std::upper_bound(m.bucket_start.begin(), m.bucket_start.end(), static_cast<uint32_t>(neuron));
  const size_t bucket = static_cast<size_t>(it - m.bucket_start.begin()) - 1;
  return m.step[m.table_of_layer[static_cast<size_t>(layer)]].buckets[bucket].p;
}

}  // namespace socsim
