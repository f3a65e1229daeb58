// `socsim compare` (the quick start's main job): a row per policy with the numbers `socsim run`
// gives for that policy, the policies that cannot run the model with their reason, the HTML and
// JSON outputs, and bad input as errors rather than rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(CompareCli, EveryPolicyARowWithTheRunsNumbers) {
  const std::string dir = (std::filesystem::temp_directory_path() / "socsim-compare-test").string();
  std::filesystem::create_directories(dir);
  const ProcessResult r = run_socsim({"compare", "--prompt", "64", "--gen", "4", "--html",
                                      dir + "/c.html", "--json", dir + "/c.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("TTFT (s)"), std::string::npos);
  EXPECT_NE(r.out.find("energy (J)"), std::string::npos);
  const nlohmann::json rows = parse_json(slurp(dir + "/c.json"));
  ASSERT_TRUE(rows.is_array());
  size_t ran = 0, cannot = 0;
  for (const auto& row : rows) {
    const std::string policy = row["policy"];
    EXPECT_NE(r.out.find("\n" + policy + " "), std::string::npos) << policy;
    if (row["result"].is_null()) {
      ++cannot;
      EXPECT_FALSE(row["cannot_run"].get<std::string>().empty()) << policy;
      continue;
    }
    ++ran;
    // The row is what `socsim run --policy P` computes.
    const ProcessResult one =
        run_socsim({"run", "--policy", policy, "--prompt", "64", "--gen", "4", "--json", "-"});
    ASSERT_EQ(one.exit_code, 0) << one.err;
    const nlohmann::json j = parse_json(one.out);
    EXPECT_EQ(row["result"]["ttft_s"], j["ttft_s"]) << policy;
    EXPECT_EQ(row["result"]["energy_j"], j["energy_j"]) << policy;
    EXPECT_NE(r.out.find(fmt::format("{:.3f}", j["ttft_s"].get<double>())), std::string::npos);
  }
  EXPECT_GE(ran, 5u);     // cpu, gpu, npu, mllm-npu, llamacpp and the engines
  EXPECT_GE(cannot, 1u);  // powerinfer2 needs a sparse model
  EXPECT_NE(r.out.find("cannot run: "), std::string::npos);
  const std::string html = slurp(dir + "/c.html");
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("TTFT (s)"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(CompareCli, BadInputIsAnErrorNotARow) {
  ProcessResult r = run_socsim({"compare", "--hw", "redmi-k70"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("redmi-k70-pro"), std::string::npos) << r.err;
  r = run_socsim({"compare", "--set", "policy.chunk_size=64"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("policy parameters"), std::string::npos) << r.err;
  r = run_socsim({"compare", "--policies", "cpu,nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace socsim::testing
