// `socsim check` end to end through the built binary, on narrowed matrices: shipped policies pass
// (exit 0) with a table, verify and a baseline comparison; --json writes the same report for
// machines; a missed SLO exits 7 and names the violation; bad --slo text exits 2 with the error;
// a policy that can run nowhere in the matrix exits 3 with every point skipped.
#include <gtest/gtest.h>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

const std::vector<std::string> kNarrow = {"--hw",     "redmi-k70-pro", "--model", "qwen1.5-1.8b",
                                          "--prompt", "32,64",         "--gen",   "4"};

ProcessResult check(std::vector<std::string> args) {
  args.insert(args.begin(), "check");
  return run_socsim(args);
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(CheckCli, cpu_passes_with_verify) {
  const ProcessResult r = check(with({"cpu"}, kNarrow));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("redmi-k70-pro/qwen1.5-1.8b/p32"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("redmi-k70-pro/qwen1.5-1.8b/p64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("held"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("qwen1.5-1.8b  pass     on redmi-k70-pro"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check cpu: 2 points ran, 0 skipped"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PASS (exit 0)"), std::string::npos) << r.out;
}

TEST(CheckCli, mllm_npu_against_llamacpp_writes_json) {
  TempFile json("check.json");
  const ProcessResult r = check(with(
      {"mllm-npu", "--against", "llamacpp", "--json", json.str(), "--hw",
       "redmi-k70-pro,oneplus-ace2", "--model", "qwen1.5-1.8b", "--prompt", "64,256", "--gen", "4"},
      {}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("against llamacpp"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("geometric mean over 4 points both ran: TTFT speedup"), std::string::npos)
      << r.out;
  const nlohmann::json j = parse_json(read_text(json.path));
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["policy"], "mllm-npu");
  EXPECT_EQ(j["baseline"], "llamacpp");
  ASSERT_EQ(j["points"].size(), 4u);
  ASSERT_EQ(j["baseline_points"].size(), 4u);
  for (const nlohmann::json& p : j["points"]) {
    EXPECT_EQ(p["status"], "ok") << p.dump();
    EXPECT_GT(p["metrics"]["prefill_tokens_per_s"].get<double>(), 0) << p.dump();
    EXPECT_TRUE(p["violations"]["counts"].empty()) << p.dump();
  }
  EXPECT_EQ(j["comparison"]["points"], 4);
  EXPECT_GT(j["comparison"]["ttft_speedup"].get<double>(), 1.0) << "mllm-NPU prefill is faster";
  EXPECT_EQ(j["verify"][0]["status"], "pass");
  EXPECT_EQ(j["summary"]["exit_code"], 0);
}

TEST(CheckCli, missed_slo_exits_7_and_names_it) {
  const ProcessResult r =
      check(with({"cpu", "--no-verify", "--slo", "ttft<=1ms,memory<=64GB"}, kNarrow));
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_NE(r.out.find("SLO violations (2 of ttft<=1ms, memory<=64GB):"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("redmi-k70-pro/qwen1.5-1.8b/p32: ttft"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("> 1ms"), std::string::npos) << r.out;
  const ProcessResult met = check(with({"cpu", "--no-verify", "--slo", "ttft<=60s"}, kNarrow));
  EXPECT_EQ(met.exit_code, 0) << met.out << met.err;
  EXPECT_NE(met.out.find("SLOs (ttft<=60s): met on all 2 points"), std::string::npos) << met.out;
}

TEST(CheckCli, bad_slo_exits_2_with_the_error) {
  const ProcessResult r = check(with({"cpu", "--slo", "ttfx<=1s"}, kNarrow));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown metric 'ttfx'; did you mean 'ttft'?"), std::string::npos) << r.err;
  const ProcessResult unit = check(with({"cpu", "--slo", "memory<=8s"}, kNarrow));
  EXPECT_EQ(unit.exit_code, 2);
  EXPECT_NE(unit.err.find("unknown unit 's' for a size"), std::string::npos) << unit.err;
  const ProcessResult policy = check(with({"cpuu"}, kNarrow));
  EXPECT_EQ(policy.exit_code, 2);
  EXPECT_NE(policy.err.find("unknown policy 'cpuu'; did you mean 'cpu'?"), std::string::npos)
      << policy.err;
}

TEST(CheckCli, nowhere_to_run_exits_3_with_reasons) {
  const ProcessResult r =
      check({"powerinfer2", "--hw", "redmi-k70-pro", "--model", "qwen1.5-1.8b", "--prompt", "64"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("skipped  sparse offloading needs a model with a sparsity section"),
            std::string::npos)
      << r.out;
}

TEST(CheckCli, skeleton_policy_passes_on_cpu_and_gpu) {
  for (const char* unit : {"policy.unit=cpu", "policy.unit=gpu"}) {
    const ProcessResult r = check(with({"skeleton", "--set", unit}, kNarrow));
    EXPECT_EQ(r.exit_code, 0) << unit << "\n" << r.out << r.err;
  }
}

TEST(CheckCli, random_points_hold_and_report_counts) {
  const ProcessResult r = check({"--random", "4", "--seed", "5", "-j", "2", "--model",
                                 "qwen1.5-1.8b,llama-3.2-1b", "--hw", "redmi-k70-pro,oneplus-12"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("random check, seed 5: 4 points ran"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n0 violations in 12 runs of 4 random points"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("determinism: 1 points rerun in a fresh `socsim run` process"),
            std::string::npos)
      << r.out;
}

TEST(CheckCli, random_with_an_unknown_profile_exits_2_naming_it) {
  const ProcessResult r = check({"--random", "2", "--hw", "redmi-k70"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--hw redmi-k70"), std::string::npos) << r.err;
}

TEST(CheckCli, a_policy_is_required_without_random) {
  const ProcessResult r = check({"--hw", "redmi-k70-pro"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("name the policy to check"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace socsim::testing
