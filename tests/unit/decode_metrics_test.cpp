// decode_metrics() on hand-built task graphs and hand-set timings: per-token latencies,
// nearest-rank percentiles, flash bytes per decoded token and the compute / I/O / wait split of the
// decode critical path, every expected value worked out by hand below.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "sim/driver/decode_metrics.hpp"

using namespace socsim;

namespace {

// Every op starts this long after its dispatch (its launch delay, part of its time on the path).
constexpr double kLaunch = 0.25;

struct Builder {
  TaskGraph g;
  std::vector<OpTiming> t;
  OpId add(Phase phase, int32_t token, double dispatch, double end, std::vector<OpId> preds,
           double flash = 0) {
    Op op;
    op.phase = phase;
    op.token = token;
    op.kind = flash > 0 ? OpKind::kFlashRead : OpKind::kMatmul;
    op.flash_bytes = flash;
    const OpId id = g.add(op, {}, preds, "op");
    t.push_back({dispatch, std::min(dispatch + kLaunch, end), end});
    return id;
  }
};

// One decode op per token, chained, with the given latencies (whole seconds: exact sums).
DecodeMetrics chain(const std::vector<double>& latencies, double ttft = 100) {
  Builder b;
  OpId prev = b.add(Phase::kPrefill, -1, 0, ttft, {});
  double now = ttft;
  for (size_t i = 0; i < latencies.size(); ++i) {
    prev = b.add(Phase::kDecode, static_cast<int32_t>(i), now, now + latencies[i], {prev});
    now += latencies[i];
  }
  return decode_metrics(b.g, b.t, ttft);
}

}  // namespace

// ttft = 10. Token 0: A (compute, 10..12), R (read 4096 B after A, dispatched at 13 although A
// ended at 12, ends 15), X (compute 10..11, off the path), B (after R and X, 15..16). Token 1: F
// (read 8192 B after B, 16..20), C (compute after B, 17..18), D (after F and C, dispatched 22,
// ends 24).
// Latencies: 16 - 10 = 6, 24 - 16 = 8. Flash: (4096 + 8192) / 2 tokens.
// Critical path from D (last to end) through the last-finishing predecessor: D <- F (ends 20,
// after C's 18) <- B <- R (ends 15, after X's 11) <- A <- prefill.
// Compute: A 2 + B 1 + D 2 = 5. I/O: R 2 + F 4, plus R's queueing for the I/O issuer 13 - 12 = 1
// (a read that waits, waits for I/O) = 7. Wait: D 22 - 20 = 2, F 0, B 0, A 0 (dispatched at ttft)
// = 2. Total 14 = 24 - 10.
TEST(DecodeMetrics, HandBuiltGraph) {
  Builder b;
  const OpId p = b.add(Phase::kPrefill, -1, 0, 10, {});
  const OpId a = b.add(Phase::kDecode, 0, 10, 12, {p});
  const OpId r = b.add(Phase::kDecode, 0, 13, 15, {a}, 4096);
  const OpId x = b.add(Phase::kDecode, 0, 10, 11, {p});
  const OpId bb = b.add(Phase::kDecode, 0, 15, 16, {r, x});
  const OpId f = b.add(Phase::kDecode, 1, 16, 20, {bb}, 8192);
  const OpId c = b.add(Phase::kDecode, 1, 17, 18, {bb});
  b.add(Phase::kDecode, 1, 22, 24, {f, c});

  const DecodeMetrics m = decode_metrics(b.g, b.t, 10);
  EXPECT_EQ(m.token_latency_s, (std::vector<double>{6, 8}));
  EXPECT_DOUBLE_EQ(m.mean_s, 7);
  EXPECT_DOUBLE_EQ(m.p50_s, 6);  // rank ceil(0.5 x 2) = 1
  EXPECT_DOUBLE_EQ(m.p90_s, 8);  // rank ceil(1.8) = 2
  EXPECT_DOUBLE_EQ(m.p99_s, 8);
  EXPECT_DOUBLE_EQ(m.flash_bytes_per_token, 6144);
  EXPECT_DOUBLE_EQ(m.critical_compute_s, 5);
  EXPECT_DOUBLE_EQ(m.critical_io_s, 7);
  EXPECT_DOUBLE_EQ(m.critical_wait_s, 2);
}

// Ops start kLaunch after their dispatch; an op's time on the path counts from its dispatch.
// A token ends with its last-finishing op, whatever the creation order; the first decode op with
// no predecessor waits from the first token's logits.
TEST(DecodeMetrics, TokenEndsWithItsLastOpAndRootsWaitFromTtft) {
  Builder b;
  b.add(Phase::kPrefill, -1, 0, 5, {});
  const OpId late = b.add(Phase::kDecode, 0, 7, 9, {}, 100);  // dispatched 2 s after the TTFT
  const OpId early = b.add(Phase::kDecode, 0, 9, 10, {late});
  b.add(Phase::kDecode, 0, 9, 9.5, {late});  // ends before `early`: not the token's end
  b.add(Phase::kDecode, 1, 10, 13, {early});
  const DecodeMetrics m = decode_metrics(b.g, b.t, 5);
  EXPECT_EQ(m.token_latency_s, (std::vector<double>{5, 3}));
  EXPECT_DOUBLE_EQ(m.flash_bytes_per_token, 50);
  // Path: token 1's op (3) <- early (1) <- late (read 2, queued 7 - 5 = 2: I/O as well).
  EXPECT_DOUBLE_EQ(m.critical_compute_s, 4);
  EXPECT_DOUBLE_EQ(m.critical_io_s, 4);
  EXPECT_DOUBLE_EQ(m.critical_wait_s, 0);
}

// Nearest rank: the value at rank ceil(q x n) of the sorted latencies.
TEST(DecodeMetrics, NearestRankPercentiles) {
  {  // n = 10, shuffled 1..10: ranks 5, 9, 10
    const DecodeMetrics m = chain({5, 1, 3, 9, 2, 4, 8, 6, 7, 10});
    EXPECT_DOUBLE_EQ(m.p50_s, 5);
    EXPECT_DOUBLE_EQ(m.p90_s, 9);
    EXPECT_DOUBLE_EQ(m.p99_s, 10);
    EXPECT_DOUBLE_EQ(m.mean_s, 5.5);
  }
  {  // n = 7: ranks ceil(3.5) = 4, ceil(6.3) = 7, 7
    const DecodeMetrics m = chain({70, 10, 60, 20, 50, 30, 40});
    EXPECT_DOUBLE_EQ(m.p50_s, 40);
    EXPECT_DOUBLE_EQ(m.p90_s, 70);
    EXPECT_DOUBLE_EQ(m.p99_s, 70);
    EXPECT_DOUBLE_EQ(m.mean_s, 40);
  }
  {  // n = 100, 100 down to 1: ranks 50, 90, 99
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) v.push_back(i);
    const DecodeMetrics m = chain(v);
    ASSERT_EQ(m.token_latency_s, v);
    EXPECT_DOUBLE_EQ(m.p50_s, 50);
    EXPECT_DOUBLE_EQ(m.p90_s, 90);
    EXPECT_DOUBLE_EQ(m.p99_s, 99);
    EXPECT_DOUBLE_EQ(m.mean_s, 50.5);
    EXPECT_DOUBLE_EQ(m.critical_compute_s, 5050);  // the chain is the path, no waiting
    EXPECT_DOUBLE_EQ(m.critical_wait_s, 0);
    EXPECT_DOUBLE_EQ(m.critical_io_s, 0);
    EXPECT_DOUBLE_EQ(m.flash_bytes_per_token, 0);
  }
  {  // one token: every percentile is it
    const DecodeMetrics m = chain({3});
    EXPECT_DOUBLE_EQ(m.p50_s, 3);
    EXPECT_DOUBLE_EQ(m.p90_s, 3);
    EXPECT_DOUBLE_EQ(m.p99_s, 3);
  }
}

// An op dispatched before the first token's logits (e.g. a read issued during prefill) has not
// waited: waiting never goes negative.
TEST(DecodeMetrics, NoNegativeWait) {
  Builder b;
  b.add(Phase::kPrefill, -1, 0, 5, {});
  const OpId early = b.add(Phase::kDecode, 0, 3, 8, {}, 4096);
  b.add(Phase::kDecode, 0, 8, 9, {early});
  const DecodeMetrics m = decode_metrics(b.g, b.t, 5);
  EXPECT_EQ(m.token_latency_s, (std::vector<double>{4}));
  EXPECT_DOUBLE_EQ(m.critical_wait_s, 0);
  EXPECT_DOUBLE_EQ(m.critical_compute_s, 1);
}

TEST(DecodeMetrics, NoDecodeOps) {
  Builder b;
  b.add(Phase::kPrefill, -1, 0, 5, {});
  const DecodeMetrics m = decode_metrics(b.g, b.t, 5);
  EXPECT_TRUE(m.token_latency_s.empty());
  EXPECT_EQ(m.mean_s, 0);
  EXPECT_EQ(m.p99_s, 0);
  EXPECT_EQ(m.flash_bytes_per_token, 0);
  EXPECT_EQ(m.critical_compute_s + m.critical_io_s + m.critical_wait_s, 0);
}
