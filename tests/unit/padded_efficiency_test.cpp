// Efficiency tables read so that time never falls as the problem grows: on a dense grid the time
// (size / efficiency) of the iPhone 15 Pro GPU's rows table, an mllm-NPU-style Hexagon rows table
// and seeded random tables never decreases; where the table's own time already rises, the values
// are the plain log-linear interpolation; and a non-monotone segment is lifted to exactly the time
// of the larger size.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "sim/config/schema.hpp"
#include "sim/cost/padded_efficiency.hpp"

using namespace socsim;

namespace {

using Table = std::vector<std::pair<double, double>>;

double time_at(const Table& t, double x) {
  return x / padded_efficiency(t, x, 1.0);
}

// The largest relative fall of time between neighbouring points of a log grid from 0.5 to 4x the
// table's last size.
double worst_fall(const Table& t) {
  double worst = 0, prev = time_at(t, 0.5);
  for (double x = 0.5; x < 4 * t.back().first; x *= 1.01) {
    const double now = time_at(t, x);
    worst = std::max(worst, (prev - now) / prev);
    prev = now;
  }
  return worst;
}

}  // namespace

TEST(PaddedEfficiency, TimeNeverFallsOnShippedShapes) {
  const Table gpu{{1, 0.106}, {256, 0.300}, {512, 0.720}, {1024, 0.881}};
  const Table npu{{1, 0.010}, {32, 0.0125}, {64, 0.0288}, {65536, 0.945}};
  // Unpadded, both tables have time falling with size somewhere.
  const auto raw_time = [](const Table& t, double x) { return x / interpolate_curve(t, x, 1.0); };
  EXPECT_GT(raw_time(gpu, 257), raw_time(gpu, 500));
  EXPECT_GT(raw_time(npu, 64), raw_time(npu, 140));
  EXPECT_LE(worst_fall(gpu), 1e-12);
  EXPECT_LE(worst_fall(npu), 1e-12);
}

TEST(PaddedEfficiency, TimeNeverFallsOnRandomTables) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> step(0.2, 3.0), eff(0.01, 1.0);
  for (int i = 0; i < 200; ++i) {
    Table t;
    double x = std::exp(step(rng));
    for (int k = 0; k < 2 + i % 5; ++k, x *= std::exp(step(rng))) t.emplace_back(x, eff(rng));
    EXPECT_LE(worst_fall(t), 1e-9) << "table " << i;
    // Padding only ever raises an efficiency.
    for (double y = 0.5; y < 2 * t.back().first; y *= 1.1)
      EXPECT_GE(padded_efficiency(t, y, 1.0), interpolate_curve(t, y, 1.0));
  }
}

TEST(PaddedEfficiency, RisingTimeIsLeftAlone) {
  // 5x the efficiency over 1000x the size: time rises everywhere, nothing changes.
  const Table t{{1e6, 0.1}, {1e9, 0.5}};
  for (double x : {1.0, 1e6, 3e7, 1e9, 1e12})
    EXPECT_DOUBLE_EQ(padded_efficiency(t, x, 1.0), interpolate_curve(t, x, 1.0));
  EXPECT_DOUBLE_EQ(padded_efficiency({}, 5.0, 0.7), 0.7);
  EXPECT_DOUBLE_EQ(padded_efficiency({{3, 0.4}}, 5.0, 0.7), 0.4);
}

TEST(PaddedEfficiency, AFallingSegmentTakesTheLargerSizesTime) {
  // 4x the efficiency for 2x the size: 10 takes 10/0.2 = 50, 20 takes 20/0.8 = 25, so every size
  // from 10 to 20 runs as 20 padded (25 units of time) while that is faster.
  const Table t{{10, 0.2}, {20, 0.8}};
  EXPECT_DOUBLE_EQ(time_at(t, 10), 25);
  EXPECT_DOUBLE_EQ(time_at(t, 12), 25);
  EXPECT_DOUBLE_EQ(time_at(t, 20), 25);
  EXPECT_DOUBLE_EQ(time_at(t, 40), 50);  // constant efficiency beyond the last point
  EXPECT_DOUBLE_EQ(time_at(t, 8), 25);   // below the first point too (40 unpadded)
}
