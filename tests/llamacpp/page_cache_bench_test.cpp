// The disk and page-cache microbenchmarks behind the host profile's flash section and
// dram.page_cache_keep (sim/calibrate/page_cache_bench.hpp), on a small file: the figures are
// positive and in range, the keep share is either measured in a memory cgroup or, where the
// machine allows none, left at 1 with the reason; and the host profile written from them loads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/calibrate/llamacpp_fit.hpp"
#include "sim/calibrate/page_cache_bench.hpp"
#include "sim/hw/hw_spec.hpp"

using namespace socsim;
using namespace socsim::calibrate;
namespace fs = std::filesystem;

TEST(PageCacheBench, MeasuresScanRatesAndAKeepShareInRange) {
  const PageCacheBench b = bench_page_cache(fs::temp_directory_path().string(), int64_t{64} << 20);
  EXPECT_GE(b.read_around, 4096.0);
  EXPECT_GT(b.scan_bw_1, 1e6);
  EXPECT_GT(b.scan_bw_2, 1e6);
  EXPECT_GT(b.capacity, 64e6);
  EXPECT_GE(b.keep, 0.0);
  EXPECT_LE(b.keep, 1.0);
  EXPECT_FALSE(b.keep_note.empty());
  if (b.keep_measured)
    EXPECT_EQ(b.keep_note.rfind("measured:", 0), 0u) << b.keep_note;
  else
    EXPECT_EQ(b.keep, 1.0) << b.keep_note;
}

TEST(PageCacheBench, TheHostProfileWithAFlashSectionLoads) {
  LlamaCppFit fit;
  fit.model = detect_llamacpp_host();
  PageCacheBench b;
  b.read_around = 8 << 20, b.scan_bw_1 = 1.5e9, b.scan_bw_2 = 1.2e9, b.capacity = 2.5e11;
  b.keep = 0, b.keep_measured = true, b.keep_note = "measured: test";
  fit.model.paging = b;
  const fs::path dir = fs::temp_directory_path() / "socsim-page-cache-bench-test";
  fs::create_directories(dir);
  write_llamacpp_host(fit, (dir / "hw.yaml").string(), (dir / "engine.yaml").string());
  const HwSpec hw = load_hw((dir / "hw.yaml").string());
  ASSERT_TRUE(hw.has_flash);
  EXPECT_EQ(hw.dram.page_cache_keep, 0.0);
  // Two threads were slower: the faster scan is the rate, the curve scales 2 threads down.
  ASSERT_EQ(hw.flash.queue_depth.size(), 2u);
  EXPECT_DOUBLE_EQ(hw.flash.queue_depth[0].second, 1.0);
  EXPECT_NEAR(hw.flash.queue_depth[1].second, 0.8, 1e-3);
  EXPECT_NEAR(hw.flash.random_read[0].second, 1.5e9, 1e6);
  fs::remove_all(dir);
}
