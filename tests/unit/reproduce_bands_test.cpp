// Uncertainty bands of a reproduction (tests/provenance/bands_experiment.yaml on the
// bandwidth-bound fixture, whose only assumption is the DRAM bandwidth in [x0.5, x2]): plain
// values get the quantiles of the drawn factors, a speedup of paired runs does not move, a range
// end follows its points sample by sample, and the published values fall in or out as designed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sim/experiments/experiment.hpp"
#include "sim/sensitivity/base_run.hpp"
#include "sim/sensitivity/reproduce_bands.hpp"
#include "sim/sensitivity/sampling.hpp"
#include "sim/stats/median.hpp"
#include "tests/unit/in_data_dir.hpp"

using namespace socsim;

namespace {

class ReproduceBands : public socsim::testing::InDataDir {};

}  // namespace

TEST_F(ReproduceBands, PlainDerivedAndRangeValuesGetPairedBands) {
  const Experiment e = load_experiment("tests/provenance/bands_experiment.yaml");
  const Reproduction r = reproduce(e);
  BandPlan plan;
  plan_bands(e, plan);
  EXPECT_EQ(plan.requests.size(), 3u);  // "inside", "outside" and "qwen" are one run
  const ReproductionBands b = reproduce_bands(e, plan, r, 40, 3, 2);
  ASSERT_EQ(b.rows.size(), 7u);  // 5 points, the range's two ends
  EXPECT_EQ(b.sampled_parameters, 1u);
  EXPECT_TRUE(b.failures.empty());
  std::vector<double> f;
  for (size_t k = 0; k < 40; ++k)
    f.push_back(draw_in({true, 0.5, 2.0}, unit_draw(3, k, "hw.dram.bandwidth")));
  const BandRow &inside = b.rows[0], &outside = b.rows[1], &speedup = b.rows[2], &low = b.rows[5],
                &high = b.rows[6];
  EXPECT_NEAR(inside.p5 / inside.simulated, quantile(f, 0.05), 1e-6);
  EXPECT_NEAR(inside.p95 / inside.simulated, quantile(f, 0.95), 1e-6);
  EXPECT_TRUE(inside.inside());
  EXPECT_TRUE(outside.compared());
  EXPECT_FALSE(outside.inside());
  // baseline_k / point_k with the same bandwidth in both: the band has no width.
  EXPECT_NEAR(speedup.p5, speedup.simulated, 1e-9 * speedup.simulated);
  EXPECT_NEAR(speedup.p95, speedup.simulated, 1e-9 * speedup.simulated);
  EXPECT_GT(speedup.simulated, 1.6);
  EXPECT_FALSE(speedup.inside());
  EXPECT_FALSE(b.rows[3].compared());  // a range member without a published value of its own
  EXPECT_EQ(low.label, "range small low");
  EXPECT_NEAR(low.p5 / low.simulated, quantile(f, 0.05), 1e-6);
  EXPECT_TRUE(low.inside());
  EXPECT_FALSE(high.inside());
  const std::string text = format_reproduction_bands(b);
  EXPECT_NE(text.find("published value inside the 5-95% band for 2 of 5 compared values\n"),
            std::string::npos)
      << text;
  BandPlan again;
  plan_bands(e, again);
  EXPECT_EQ(format_reproduction_bands(reproduce_bands(e, again, r, 40, 3, 1)), text);
}

// A sample in which some of a range's points failed (NaN) takes the range's ends from the points
// that ran; one in which all failed has no ends (NaN), and neither stops the bands. A range with
// no points at all is still an error of the experiment file.
TEST(RangeEnds, FailedPointsAreLeftOutOfASample) {
  Experiment e;
  e.name = "ranges";
  e.points.resize(3);
  e.points[0].range = e.points[1].range = "r";
  e.ranges = {{"r", PublishedRange{1, 4}}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<ReproducedRangeEnd> x = range_ends_of(e, {2, nan, 7});
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x[0].simulated, 2);
  EXPECT_EQ(x[1].simulated, 2);
  x = range_ends_of(e, {nan, nan, 7});
  EXPECT_TRUE(std::isnan(x[0].simulated));
  e.ranges.push_back({"empty", PublishedRange{1, 1}});
  EXPECT_THROW(range_ends_of(e, {1, 1, 1}), InputError);
}
