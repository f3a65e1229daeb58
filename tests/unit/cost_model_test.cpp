// The roofline and flash estimators against hand computations on a hand-built platform: compute
// at peak x efficiency(size), bytes over memory efficiency, launch overhead per kernel launch,
// data-type widening, multi-cluster placements, and flash bandwidth by size, span and issuer.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/cost/estimator.hpp"
#include "sim/graph/op_formulas.hpp"

using namespace socsim;
namespace F = socsim::formulas;

namespace {

struct Fixture {
  ComputeUnitSpec big, mid;
  FlashSpec flash;
  PlatformSpec p;
  Fixture() {
    for (ComputeUnitSpec* u : {&big, &mid}) {
      u->rated_clock = u->clock = 3e9;
      u->launch_overhead = 10e-6;
      u->port_bandwidth = 40e9;
    }
    big.peak.by_dtype[static_cast<size_t>(DType::kInt8)] = 400e9;
    big.peak.by_dtype[static_cast<size_t>(DType::kFp32)] = 100e9;
    mid.peak.by_dtype[static_cast<size_t>(DType::kInt8)] = 200e9;
    mid.peak.by_dtype[static_cast<size_t>(DType::kFp32)] = 50e9;
    big.efficiency[0].compute = {{1e6, 0.1}, {1e9, 0.5}};  // matmul, by flops (log-interpolated)
    big.efficiency[0].memory = {{1e3, 0.5}, {1e6, 0.8}};
    mid.efficiency = big.efficiency;
    flash.sequential_read = {{4096, 1e9}, {524288, 4e9}};
    flash.random_read = {{4096, 1e9}, {524288, 3.5e9}};
    flash.random_range = {{128e6, 1.0}, {4e9, 0.45}};
    flash.iops_limit = 250e3;
    flash.issuers = {{"big", {1000e6}}, {"mid", {800e6}}};
    p.units = {{"cpu.big", UnitType::kCpuCluster, 1, 40e9, 0, 0, &big},
               {"cpu.mid", UnitType::kCpuCluster, 4, 40e9, 0, 0, &mid}};
    p.flash = &flash;
    p.has_flash = true;
  }
};

}  // namespace

TEST(Roofline, ComputeAndBytesByHand) {
  Fixture f;
  TaskGraph g;
  OpPart mm = F::matmul(64, 2048, 2048, DType::kInt8, DType::kInt8, DType::kFp16);  // 5.37e8 FLOP
  Op op;
  op.place = {2, {0, 1, 0}, {1, 4, 0}};
  op.launches = 3;
  g.add(op, std::span<const OpPart>(&mm, 1), {}, "mm");
  OpCost c = CostModel().estimate(g, 0, f.p);
  // efficiency at 5.37e8 FLOP: log-interpolated between (1e6, 0.1) and (1e9, 0.5)
  const double eff = 0.1 + std::log(mm.flops / 1e6) / std::log(1e3) * 0.4;
  EXPECT_NEAR(c.compute_s, mm.flops / ((400e9 + 4 * 200e9) * eff), 1e-15);
  EXPECT_DOUBLE_EQ(c.actual_bytes, mm.bytes());
  EXPECT_DOUBLE_EQ(c.dram_bytes, mm.bytes() / 0.8);  // above the last memory point: clamped
  EXPECT_DOUBLE_EQ(c.delay_s, 3 * 10e-6);            // one launch per kernel
  EXPECT_EQ(estimator_names()[c.estimator], "roofline");
}

// Ops with equal parts and placement share one estimate in estimate_all; each shared cost must be
// the op's own estimate, and ops that differ (placement, launches, parts) must not share.
TEST(CostModel, SharedEstimatesEqualEachOpsOwn) {
  Fixture f;
  TaskGraph g;
  const OpPart a = F::matmul(1, 2048, 2048, DType::kInt8, DType::kInt8, DType::kFp16);
  const OpPart b = F::matmul(16, 2048, 2048, DType::kInt8, DType::kInt8, DType::kFp16);
  Op on_big, on_mid, twice;
  on_big.place = {1, {0, 0, 0}, {1, 0, 0}};
  on_mid.place = {1, {1, 0, 0}, {4, 0, 0}};
  twice = on_big;
  twice.launches = 2;
  for (int layer = 0; layer < 4; ++layer) {
    g.add(on_big, std::span<const OpPart>(&a, 1), {}, "a");
    g.add(on_mid, std::span<const OpPart>(&a, 1), {}, "a");
    g.add(twice, std::span<const OpPart>(&a, 1), {}, "a");
    g.add(on_big, std::span<const OpPart>(&b, 1), {}, "b");
  }
  const CostModel model;
  const std::vector<OpCost> all = model.estimate_all(g, f.p);
  ASSERT_EQ(all.size(), g.size());
  for (OpId i = 0; i < g.size(); ++i) {
    const OpCost own = model.estimate(g, i, f.p);
    EXPECT_EQ(all[i].compute_s, own.compute_s) << i;
    EXPECT_EQ(all[i].dram_bytes, own.dram_bytes) << i;
    EXPECT_EQ(all[i].delay_s, own.delay_s) << i;
    EXPECT_EQ(all[i].estimator, own.estimator) << i;
  }
  EXPECT_NE(all[0].compute_s, all[1].compute_s);  // another unit
  EXPECT_NE(all[0].delay_s, all[2].delay_s);      // another launch count
  EXPECT_NE(all[0].compute_s, all[3].compute_s);  // other parts
}

TEST(Roofline, MissingDataTypeWidens) {
  Fixture f;
  TaskGraph g;
  OpPart n = F::norm(16, 1024, NormKind::kRmsNorm, DType::kFp16, DType::kFp16,
                     DType::kInt8);  // no fp16 peak
  Op op;
  op.place = {1, {0, 0, 0}, {1, 0, 0}};
  g.add(op, std::span<const OpPart>(&n, 1), {}, "norm");
  OpCost c = CostModel().estimate(g, 0, f.p);
  EXPECT_DOUBLE_EQ(c.compute_s,
                   n.flops / 100e9);  // fp16 -> fp32 peak, elementwise table empty = 1.0
}

TEST(FlashEstimator, BandwidthBySizeSpanAndIssuer) {
  Fixture f;
  TaskGraph g;
  Op seq;
  seq.kind = OpKind::kFlashRead;
  seq.flash_bytes = 64 * 524288.0;
  seq.flash_request = 524288;
  g.add(seq, {}, {}, "seq");
  Op rnd = seq;
  rnd.flash_bytes = 1000 * 4096.0;
  rnd.flash_request = 4096;
  rnd.flash_span = 4e9;                   // large span: factor 0.45
  rnd.place = {1, {1, 0, 0}, {1, 0, 0}};  // issued from the mid cluster: 0.8 of the best
  g.add(rnd, {}, {}, "rnd");
  CostModel cm;
  EXPECT_DOUBLE_EQ(cm.estimate(g, 0, f.p).flash_service_s, seq.flash_bytes / 4e9);
  const double bw = std::min(1e9 * 0.45, 250e3 * 4096.0) * 0.8;
  EXPECT_DOUBLE_EQ(cm.estimate(g, 1, f.p).flash_service_s, rnd.flash_bytes / bw);
  EXPECT_EQ(estimator_names()[cm.estimate(g, 1, f.p).estimator], "flash");
}
