// Sensitivity and uncertainty bands on hand-checkable cases. tests/provenance/bandwidth_bound.yaml
// makes the cpu policy's decode DRAM-bound (20 GB/s against 4 TOPS and a 100 GB/s port), so
// decode_tokens_per_s is the DRAM share of a token's time times the bandwidth; its one
// assumption is that bandwidth, with the range [x0.5, x2].
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/sensitivity/bands.hpp"
#include "sim/sensitivity/perturb.hpp"
#include "sim/sensitivity/point_batch.hpp"
#include "sim/sensitivity/sampling.hpp"
#include "sim/sensitivity/sensitivity.hpp"
#include "sim/stats/median.hpp"
#include "tests/unit/in_data_dir.hpp"

using namespace socsim;

namespace {

class Sensitivity : public socsim::testing::InDataDir {
 protected:
  static RunRequest fixture_run() {
    RunRequest r;
    r.hw = "tests/provenance/bandwidth_bound.yaml";
    r.policy = "cpu";
    r.sets = {"workload.prompt=16", "workload.gen=4"};
    return r;
  }
  static const ParameterSensitivity& find(const SensitivityReport& r, const std::string& path) {
    for (const ParameterSensitivity& p : r.ranked)
      if (p.param.path == path) return p;
    throw std::runtime_error("not ranked: " + path);
  }

 private:
  std::filesystem::path saved_;
};

}  // namespace

TEST_F(Sensitivity, CentralDifferenceMovesValuesIntegersAndTables) {
  ParameterProvenance q;
  q.path = "hw.dram.bandwidth";
  q.value.dim = Dim::kBandwidth;
  q.value.scalar = 20e9;
  std::string why;
  auto d = central_difference(q, 0.1, why);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->minus.set, "hw.dram.bandwidth=18GB/s");
  EXPECT_EQ(d->plus.set, "hw.dram.bandwidth=22GB/s");
  EXPECT_EQ(d->p0, 20e9);
  ParameterProvenance n;
  n.path = "model.layers";
  n.value.shape = ParameterValue::Shape::kInteger;
  n.value.scalar = 24;
  d = central_difference(n, 0.1, why);
  EXPECT_EQ(d->minus.set, "model.layers=22");  // max(1, round(2.4)) = 2
  EXPECT_EQ(d->plus.p, 26);
  n.value.scalar = 2;
  EXPECT_EQ(central_difference(n, 0.1, why)->minus.set, "model.layers=1");  // at least 1
  ParameterProvenance c;
  c.path = "hw.flash.random_read";
  c.value.shape = ParameterValue::Shape::kCurve;
  c.value.x_dim = Dim::kBytes;
  c.value.dim = Dim::kBandwidth;
  c.value.points = {{4096, 1e9}, {524288, 3.5e9}};
  d = central_difference(c, 0.5, why);
  EXPECT_EQ(d->plus.set, "hw.flash.random_read=[[4KiB, 1.5GB/s], [512KiB, 5.25GB/s]]");
  EXPECT_EQ(d->p0, 1);
  EXPECT_EQ(d->minus.p, 0.5);
  q.value.scalar = 0;
  EXPECT_FALSE(central_difference(q, 0.1, why));
  EXPECT_EQ(why, "its value is 0: a relative change is undefined");
}

// decode time per token = DRAM time + launch overheads (compute hides under the transfer), so
// E = DRAM share of the token's time, which the same run without launch overhead gives by hand:
// E = T(no launch) / T. The central difference of 1 / (L + x / p) differs from that share by
// O(delta^2 L / T) < 1e-4 here; 2e-3 leaves room for SimGrid's rounding of the shared link.
TEST_F(Sensitivity, BandwidthBoundDecodeHasElasticityOneToTheBindingBandwidth) {
  SensitivityOptions o;
  o.run = fixture_run();
  o.metrics = {"decode_tokens_per_s", "ttft_s"};
  o.jobs = 2;
  const SensitivityReport r = run_sensitivity(o);
  ASSERT_FALSE(r.ranked.empty());
  EXPECT_EQ(r.ranked.front().param.path, "hw.dram.bandwidth");
  const double e = find(r, "hw.dram.bandwidth").elasticity[0];
  InputCache cache;
  RunRequest no_launch = fixture_run();
  no_launch.sets.push_back("hw.cpu.big.launch_overhead=0s");
  const double tps_no_launch =
      run_one_isolated(no_launch, BackendKind::kSimGrid, cache).at("decode_tokens_per_s");
  const double dram_share = r.base[0] / tps_no_launch;  // T(no launch) / T
  EXPECT_GT(dram_share, 0.9);
  EXPECT_LT(dram_share, 0.99);  // the launch overheads are really there
  EXPECT_NEAR(e, dram_share, 2e-3);
  // The cores' own port (100 GB/s) does not bind, nor does anything on the GPU.
  EXPECT_NEAR(find(r, "hw.cpu.big.port_bandwidth").elasticity[0], 0, 1e-9);
  EXPECT_NEAR(find(r, "hw.gpu.clock").elasticity[0], 0, 1e-12);
  EXPECT_NEAR(find(r, "hw.gpu.clock").elasticity[1], 0, 1e-12);
  EXPECT_EQ(find(r, "hw.dram.bandwidth").param.kind, ProvenanceKind::kAssumption);
  // Skipped with their reasons: a zero value, a bound.
  std::map<std::string, std::string> skipped;
  for (const SkippedParameter& s : r.skipped) skipped[s.param.path] = s.reason;
  EXPECT_EQ(skipped["hw.cpu.big.idle_power"], "its value is 0: a relative change is undefined");
  EXPECT_EQ(skipped["hw.gpu.concurrency"],
            "-delta: input_error: --set hw.gpu.concurrency=0: error: gpu.concurrency: 0 is out of "
            "range; it must be between 1 and 64");
}

TEST_F(Sensitivity, OutputIsIdenticalForAnyJobs) {
  SensitivityOptions o;
  o.run = fixture_run();
  o.jobs = 1;
  const SensitivityReport one = run_sensitivity(o);
  o.jobs = 2;
  const SensitivityReport two = run_sensitivity(o);
  EXPECT_EQ(sensitivity_json(one).dump(), sensitivity_json(two).dump());
  EXPECT_EQ(format_sensitivity(one, 0), format_sensitivity(two, 0));
}

// Without launch overheads decode_tokens_per_s is proportional to the bandwidth, so each sample
// is the base times the factor drawn for hw.dram.bandwidth, and the band is the quantiles of the
// drawn factors: computed here from the same draws. With 40 log-uniform draws in [x0.5, x2] the
// 5% and 95% quantiles lie near the ends (0.54 and 1.87 in expectation), never beyond them.
TEST_F(Sensitivity, BandEndsFollowTheOnlyAssumptionsRange) {
  BandOptions o;
  o.run = fixture_run();
  o.run.sets.push_back("hw.cpu.big.launch_overhead=0s");
  o.metrics = {"decode_tokens_per_s"};
  o.samples = 40;
  o.seed = 7;
  o.jobs = 2;
  const BandReport r = run_bands(o);
  ASSERT_EQ(r.ok, 40u);
  EXPECT_EQ(r.sampled, std::vector<std::string>{"hw.dram.bandwidth"});
  std::vector<double> factors;
  for (size_t k = 0; k < 40; ++k)
    factors.push_back(draw_in({true, 0.5, 2.0}, unit_draw(7, k, "hw.dram.bandwidth")));
  const MetricBand& b = r.bands.at(0);
  EXPECT_NEAR(b.p5 / b.base, quantile(factors, 0.05), 1e-6);
  EXPECT_NEAR(b.p95 / b.base, quantile(factors, 0.95), 1e-6);
  EXPECT_NEAR(b.median / b.base, quantile(factors, 0.5), 1e-6);
  EXPECT_GE(b.p5 / b.base, 0.5 - 1e-9);
  EXPECT_LT(b.p5 / b.base, 0.65);
  EXPECT_GT(b.p95 / b.base, 1.55);
  EXPECT_LE(b.p95 / b.base, 2.0 + 1e-9);
  EXPECT_GT(r.untagged_numbers, 0u);  // the model's numbers
  o.jobs = 1;
  EXPECT_EQ(bands_json(run_bands(o)).dump(), bands_json(r).dump());
}

TEST_F(Sensitivity, DrawsDependOnSeedSampleAndPathOnly) {
  EXPECT_EQ(unit_draw(1, 3, "hw.dram.bandwidth"), unit_draw(1, 3, "hw.dram.bandwidth"));
  EXPECT_NE(unit_draw(1, 3, "hw.dram.bandwidth"), unit_draw(2, 3, "hw.dram.bandwidth"));
  EXPECT_NE(unit_draw(1, 3, "hw.dram.bandwidth"), unit_draw(1, 4, "hw.dram.bandwidth"));
  EXPECT_NE(unit_draw(1, 3, "hw.dram.bandwidth"), unit_draw(1, 3, "hw.npu.clock"));
  double lo = 1, hi = 0;
  for (size_t k = 0; k < 1000; ++k) {
    const double u = unit_draw(5, k, "p");
    lo = std::min(lo, u), hi = std::max(hi, u);
  }
  EXPECT_LT(lo, 0.01);
  EXPECT_GT(hi, 0.99);
  // Log-uniform from a ratio of 2, uniform below it.
  EXPECT_DOUBLE_EQ(draw_in({false, 1, 4}, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(draw_in({false, 1, 1.5}, 0.5), 1.25);
  EXPECT_DOUBLE_EQ(draw_in({false, 0, 4}, 0.5), 2.0);
}

TEST_F(Sensitivity, BandsNeedAnAssumption) {
  BandOptions o;
  o.run = fixture_run();
  o.run.sets.push_back("hw.dram.bandwidth=20GB/s");  // set on the command line: untagged
  o.samples = 4;
  try {
    run_bands(o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().to_string(),
              "--bands: error: no number of qwen1.5-1.8b on bandwidth-bound, policy cpu (prompt "
              "16, gen 4) is tagged as an assumption with a range (`assumption [LO, HI]: "
              "reason`), so there is nothing to sample\n");
  }
}
