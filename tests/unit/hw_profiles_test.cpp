// Shipped hardware profiles: every file in hwprofiles/ loads without diagnostics, and the key
// calibrated facts hold: the four profile names, the K70 Pro NPU INT8 peak, the modelled lone times
// of mllm-NPU Table 3 matmuls on the K70 Pro (NPU INT8, CPU INT8, GPU FP16) against the published
// latencies, the OnePlus 12 bandwidths of PowerInfer-2 and its UFS 4.0 512 KiB random-read rate.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/config/schema.hpp"
#include "sim/hw/hw_spec.hpp"

using namespace socsim;

namespace {

const std::string kDir = std::string(SOCSIM_DATA_DIR) + "/hwprofiles";

std::map<std::string, HwSpec> load_all() {
  std::map<std::string, HwSpec> out;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() != ".yaml") continue;
    Diagnostics d;
    HwSpec s = read_hw(e.path().string(), d);
    if (!d.has_errors()) finalize_hw(s, e.path().string(), d);
    EXPECT_TRUE(d.all().empty()) << d.to_string();
    out.emplace(e.path().stem().string(), std::move(s));
  }
  return out;
}

const ComputeUnitSpec& cluster(const HwSpec& hw, const std::string& name) {
  for (const auto& [n, u] : hw.cpu)
    if (n == name) return u;
  ADD_FAILURE() << "no CPU cluster " << name;
  return hw.cpu.front().second;
}

struct Matmul {
  double m, k, n;
};

// Lone time of an op on units (spec, cores) by the cost model's formula:
// launch + max(flops / sum(c * peak * eff_compute(size)), bytes / eff_memory / bandwidth).
double lone_time(const std::vector<std::pair<const ComputeUnitSpec*, int>>& units, bool cpu,
                 const DramSpec& dram, DType t, const Matmul& mm, double weight_bits) {
  const double flops = 2 * mm.m * mm.k * mm.n;
  const double bytes = mm.k * mm.n * weight_bits / 8 + (mm.m * mm.k + mm.m * mm.n) * 2;
  const size_t cls = static_cast<size_t>(OpClass::kMatmul);
  // Memory efficiency comes from the first unit of the placement, as in the roofline estimator.
  const double mem_eff = interpolate_curve(units.front().first->efficiency[cls].memory, bytes, 1.0);
  double rate = 0, launch = 0, bw = dram.bandwidth;
  if (cpu) bw = std::min(bw, dram.cpu_bandwidth);
  for (const auto& [u, c] : units) {
    const EfficiencyTable& e = u->efficiency[cls];
    const double size = e.by == "rows" ? mm.m : e.by == "bytes" ? bytes : flops;
    rate += c * u->peak_at_clock(t) * interpolate_curve(e.compute, size, 1.0);
    launch = std::max(launch, u->launch_overhead);
    bw = std::min(bw, u->port_bandwidth);
  }
  return launch + std::max(flops / rate, bytes / mem_eff / bw);
}

// mllm-NPU Table 3 (Redmi K70 Pro), latencies in seconds.
struct Row {
  Matmul mm;
  double npu_int8, cpu_int8, gpu_fp16;
};
const std::vector<Row> kTable3{
    {{64, 2048, 2048}, 0.9e-3, 4.2e-3, 1.7e-3},   {{64, 2048, 8192}, 1.5e-3, 6.8e-3, 4.8e-3},
    {{64, 2048, 11008}, 2.0e-3, 11.6e-3, 6.9e-3}, {{32, 4096, 4096}, 1.7e-3, 7.5e-3, 3.1e-3},
    {{32, 4096, 8192}, 2.9e-3, 13.1e-3, 7.7e-3},  {{32, 4096, 11008}, 4.1e-3, 19.6e-3, 10.4e-3}};

}  // namespace

TEST(HwProfiles, AllLoadWithoutDiagnostics) {
  auto all = load_all();
  std::set<std::string> names, stems;
  for (const auto& [stem, hw] : all) {
    if (stem == "host") continue;  // written by `socsim calibrate` on this machine, not shipped
    stems.insert(stem);
    names.insert(hw.name);
    EXPECT_EQ(hw.name, stem) << "profile name should match its file name";
    EXPECT_TRUE(hw.has_flash) << stem;
    EXPECT_LE(hw.dram.cpu_bandwidth, hw.dram.bandwidth) << stem;
  }
  const std::set<std::string> expected{
      "redmi-k70-pro", "redmi-k60-pro", "oneplus-12",  "oneplus-ace2",  "xiaomi-12",
      "oneplus-13",    "vivo-x100-pro", "pixel-8-pro", "iphone-15-pro", "macbook-pro-m1-max"};
  EXPECT_EQ(names, expected);
}

TEST(HwProfiles, K70ProNpuPeakIs73Tops) {
  HwSpec hw = load_hw(kDir + "/redmi-k70-pro.yaml");
  ASSERT_TRUE(hw.has_npu);
  EXPECT_DOUBLE_EQ(hw.npu.peak_at_clock(DType::kInt8), 73e12);
  EXPECT_DOUBLE_EQ(hw.npu.addressable_memory, 4e9);
}

TEST(HwProfiles, K70ProReproducesTable3Row1) {
  HwSpec hw = load_hw(kDir + "/redmi-k70-pro.yaml");
  const Row& r = kTable3.front();  // 64x2048x2048, int8 weights at 8.5 bits incl. scales
  double npu =
      lone_time({{&hw.npu, 1}}, false, hw.dram, DType::kInt8, r.mm, storage_bits(DType::kInt8));
  EXPECT_NEAR(npu / r.npu_int8, 1.0, 0.25) << "NPU " << npu * 1e3 << " ms";
  // The generic cpu policy: all clusters but the slowest, here 1 big + 5 mid threads.
  const ComputeUnitSpec &big = cluster(hw, "big"), &mid = cluster(hw, "mid");
  double cpu = lone_time({{&big, static_cast<int>(big.cores)}, {&mid, static_cast<int>(mid.cores)}},
                         true, hw.dram, DType::kInt8, r.mm, storage_bits(DType::kInt8));
  EXPECT_NEAR(cpu / r.cpu_int8, 1.0, 0.25) << "CPU " << cpu * 1e3 << " ms";
}

TEST(HwProfiles, K70ProNpuAndGpuTrackAllTable3Rows) {
  HwSpec hw = load_hw(kDir + "/redmi-k70-pro.yaml");
  for (const Row& r : kTable3) {
    double npu =
        lone_time({{&hw.npu, 1}}, false, hw.dram, DType::kInt8, r.mm, storage_bits(DType::kInt8));
    double gpu =
        lone_time({{&hw.gpu, 1}}, false, hw.dram, DType::kFp16, r.mm, storage_bits(DType::kFp16));
    EXPECT_NEAR(npu / r.npu_int8, 1.0, 0.25) << r.mm.m << "x" << r.mm.k << "x" << r.mm.n;
    EXPECT_NEAR(gpu / r.gpu_fp16, 1.0, 0.25) << r.mm.m << "x" << r.mm.k << "x" << r.mm.n;
  }
}

TEST(HwProfiles, OnePlus12BandwidthsAndFlash) {
  HwSpec hw = load_hw(kDir + "/oneplus-12.yaml");
  EXPECT_DOUBLE_EQ(hw.dram.cpu_bandwidth, 43.9e9);  // PowerInfer-2: CPU only
  EXPECT_DOUBLE_EQ(hw.npu.port_bandwidth, 56e9);    // NPU only
  EXPECT_DOUBLE_EQ(hw.dram.bandwidth, 59.6e9);      // CPU + NPU
  EXPECT_DOUBLE_EQ(hw.dram.available, 19e9);
  EXPECT_DOUBLE_EQ(interpolate_curve(hw.flash.random_read, 512 * 1024.0, 0), 3.5e9);
  EXPECT_DOUBLE_EQ(interpolate_curve(hw.flash.random_read, 4096, 0), 1e9);
}

TEST(HwProfiles, SiblingsKeepTheirOwnMemory) {
  HwSpec ace2 = load_hw(kDir + "/oneplus-ace2.yaml");
  EXPECT_DOUBLE_EQ(ace2.dram.available, 11e9);  // PowerInfer-2: 11 GB of 16 GB for the app
  EXPECT_LT(ace2.dram.bandwidth, load_hw(kDir + "/oneplus-12.yaml").dram.bandwidth);
  EXPECT_LT(interpolate_curve(ace2.flash.sequential_read, 512 * 1024.0, 0), 4e9);  // UFS 3.1
}
