// The library of SoC profiles across vendors (Snapdragon 8 Gen 1 to 8 Elite, Dimensity 9300,
// Tensor G3, A17 Pro, M1 Max): each names its SoC and vendor, runs a dense model under every
// policy its units allow and a sparse model under the offloading policies, and the generations of
// one vendor order the way their datasheets do.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/driver/simulate.hpp"

using namespace socsim;

namespace {

RunMetrics run(const std::string& hw, const std::string& model, const std::string& policy) {
  RunRequest req;
  req.hw = hw, req.model = model, req.policy = policy;
  req.sets = {"workload.prompt=64", "workload.gen=4"};
  return simulate(load_run(req), BackendKind::kAnalytic)->metrics;
}

std::vector<std::string> profiles() {
  std::vector<std::string> out;
  for (const std::string& n : shipped_names("hwprofiles"))
    if (n != "host") out.push_back(n);  // written by `socsim calibrate`, not shipped
  return out;
}

}  // namespace

TEST(SocLibrary, TenProfilesFromFourVendors) {
  std::map<std::string, int> vendors;
  for (const std::string& n : profiles()) {
    RunRequest req;
    req.hw = n;
    const LoadedRun r = load_run(req);
    EXPECT_FALSE(r.hw->soc.empty()) << n;
    EXPECT_FALSE(r.hw->vendor.empty()) << n;
    ++vendors[r.hw->vendor];
  }
  EXPECT_GE(profiles().size(), 10u);
  EXPECT_GE(vendors.size(), 4u);  // Qualcomm, MediaTek, Google, Apple
}

TEST(SocLibrary, EveryProfileRunsThePoliciesItsUnitsAllow) {
  for (const std::string& n : profiles()) {
    RunRequest req;
    req.hw = n;
    const HwSpec hw = *load_run(req).hw;
    std::vector<std::string> dense{"cpu", "llamacpp", "mnn"};
    if (hw.has_gpu) dense.insert(dense.end(), {"gpu", "mlc"});
    if (hw.has_npu) dense.insert(dense.end(), {"npu", "mllm-npu"});
    for (const std::string& p : dense) {
      const RunMetrics m = run(n, "qwen1.5-1.8b", p);
      EXPECT_GT(m.prefill_tokens_per_s, 0.0) << n << " " << p;
      EXPECT_GT(m.decode_tokens_per_s, 0.0) << n << " " << p;
    }
    if (!hw.has_flash) continue;
    for (const char* p : {"powerinfer2", "llmflash"}) {
      const RunMetrics m = run(n, "turbosparse-mistral-7b", p);
      EXPECT_GT(m.decode_tokens_per_s, 0.0) << n << " " << p;
    }
  }
}

TEST(SocLibrary, SnapdragonGenerationsOrderByTheirDatasheets) {
  // 8 Gen 1 (LPDDR5-6400) < 8 Gen 3 (LPDDR5X-9600) < 8 Elite (LPDDR5X-10667): memory-bound
  // decode follows, and so do the CPU's prefill peaks.
  const std::vector<std::string> gens{"xiaomi-12", "oneplus-12", "oneplus-13"};
  double decode = 0, prefill = 0;
  for (const std::string& g : gens) {
    const RunMetrics m = run(g, "qwen1.5-1.8b", "llamacpp");
    EXPECT_GT(m.decode_tokens_per_s, decode) << g;
    EXPECT_GT(m.prefill_tokens_per_s, prefill) << g;
    decode = m.decode_tokens_per_s, prefill = m.prefill_tokens_per_s;
  }
  // The M1 Max's 512-bit memory outruns the A17 Pro's 64-bit one.
  EXPECT_GT(run("macbook-pro-m1-max", "qwen1.5-1.8b", "llamacpp").decode_tokens_per_s,
            2 * run("iphone-15-pro", "qwen1.5-1.8b", "llamacpp").decode_tokens_per_s);
}
