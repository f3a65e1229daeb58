// Activations sampled ahead on a worker thread (sim/sparse/prefetched_activations.hpp) are the
// wrapped source's sequence exactly, whatever the ring depth; work derived per routed expert on the
// worker equals the same function applied by the consumer; and a failure of the wrapped source
// surfaces at the token it occurred on.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/sparse/prefetched_activations.hpp"
#include "tests/unit/activation_test_util.hpp"

namespace socsim {
namespace {

using test_activation::make_params;
using test_activation::make_shape;
using test_activation::snapshot;

std::unique_ptr<ActivationSource> moe_source(uint64_t seed) {
  return std::make_unique<StochasticActivations>(make_shape(4, 8, 2, 512, 0.15),
                                                 make_params(seed, 0.5));
}

// Odd ids, and how many ids are below 100: something that depends on every id of the list.
uint32_t odd_ids(int64_t layer, int32_t expert, std::span<const uint32_t> active,
                 std::vector<uint32_t>& out) {
  out.clear();
  uint32_t below = 0;
  for (uint32_t id : active) {
    if (id % 2 == 1) out.push_back(id + static_cast<uint32_t>(layer * 1000 + expert));
    below += id < 100;
  }
  return below;
}

TEST(PrefetchedActivations, SameSequenceAsTheWrappedSourceForAnyDepth) {
  for (int depth : {1, 2, 7}) {
    auto plain = moe_source(3);
    PrefetchedActivations ahead(moe_source(3), depth);
    EXPECT_EQ(ahead.token(), -1);
    for (int t = 0; t < 40; ++t) {
      plain->next_token();
      ahead.next_token();
      ASSERT_EQ(ahead.token(), t);
      ASSERT_EQ(snapshot(ahead), snapshot(*plain)) << "depth " << depth << " token " << t;
    }
  }
}

TEST(PrefetchedActivations, DerivedWorkEqualsTheFunctionAppliedByTheConsumer) {
  auto plain = moe_source(9);
  PrefetchedActivations ahead(moe_source(9), 3, odd_ids);
  std::vector<uint32_t> want;
  int64_t nonempty = 0;
  for (int t = 0; t < 25; ++t) {
    plain->next_token();
    ahead.next_token();
    for (int64_t l = 0; l < 4; ++l) {
      for (int32_t e = 0; e < 8; ++e) {
        const bool routed = !plain->active(l, e).empty();
        const uint32_t count = routed ? odd_ids(l, e, plain->active(l, e), want) : 0;
        if (!routed) want.clear();
        EXPECT_EQ(ahead.derived_count(l, e), count);
        const auto got = ahead.derived_ids(l, e);
        ASSERT_EQ(std::vector<uint32_t>(got.begin(), got.end()), want);
        nonempty += !want.empty();
      }
    }
  }
  EXPECT_GT(nonempty, 25 * 4);  // the comparison saw real lists
  PrefetchedActivations none(moe_source(9), 2);
  none.next_token();
  EXPECT_EQ(none.derived_count(0, none.experts(0)[0]), 0u);
  EXPECT_TRUE(none.derived_ids(0, none.experts(0)[0]).empty());
}

// A source that fails on its fourth token.
class FailingSource final : public ActivationSource {
 public:
  FailingSource() : inner_(moe_source(1)) {}
  const ActivationShape& shape() const override { return inner_->shape(); }
  void next_token() override {
    if (inner_->token() == 2) throw std::runtime_error("trace ends at token 3");
    inner_->next_token();
  }
  int64_t token() const override { return inner_->token(); }
  std::span<const int32_t> experts(int64_t l) const override { return inner_->experts(l); }
  std::span<const uint32_t> active(int64_t l, int64_t e) const override {
    return inner_->active(l, e);
  }
  double firing_probability(int64_t l, int64_t e, int64_t n) const override {
    return inner_->firing_probability(l, e, n);
  }

 private:
  std::unique_ptr<ActivationSource> inner_;
};

TEST(PrefetchedActivations, WrappedSourceErrorSurfacesAtItsToken) {
  PrefetchedActivations ahead(std::make_unique<FailingSource>(), 4);
  for (int t = 0; t < 3; ++t) EXPECT_NO_THROW(ahead.next_token());
  EXPECT_EQ(ahead.token(), 2);
  EXPECT_THROW(ahead.next_token(), std::runtime_error);
}

}  // namespace
}  // namespace socsim
