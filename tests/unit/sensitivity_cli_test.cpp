// End to end: `socsim sensitivity` (exit codes and the exact text of bad --metric and --delta,
// JSON to stdout and to a file, malformed tags as warnings, --bands refusing malformed tags) and
// `socsim describe NAME --provenance` (the table and shares of a tagged fixture; the table and
// the located errors of a malformed one), and `reproduce --bands` (the band table; nothing to
// sample is bad input).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

using Args = std::vector<std::string>;

const std::string kFixture =
    std::string(SOCSIM_DATA_DIR) + "/tests/provenance/bandwidth_bound.yaml";

ProcessResult sensitivity(Args extra) {
  Args args = {"sensitivity", "--hw", kFixture, "--policy", "cpu", "--prompt", "16", "--gen", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_socsim(args);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

TEST(CliSensitivity, UnknownMetricIsBadInputListingTheValidOnes) {
  const ProcessResult r = sensitivity({"--metric", "ttft,energy_j"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(starts_with(r.err,
                          "--metric ttft: error: 'ttft' is not a numeric key of the run's result; "
                          "did you mean 'ttft_s'? (one of: prompt_tokens, gen_tokens, "))
      << r.err;
  EXPECT_NE(r.err.find(", decode_tokens_per_s, "), std::string::npos);
  EXPECT_NE(r.err.find(", energy_j_by_unit.cpu.big, "), std::string::npos);  // flattened keys
  EXPECT_NE(r.err.find(")\nsocsim: 1 error(s) in the input\n"), std::string::npos);
}

TEST(CliSensitivity, BadDeltaIsBadInput) {
  const ProcessResult zero = sensitivity({"--delta", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_EQ(zero.err,
            "--delta 0: error: the relative change must be above 0 and below 100%, not 0\n"
            "socsim: 1 error(s) in the input\n");
  const ProcessResult big = sensitivity({"--delta", "150%"});
  EXPECT_EQ(big.exit_code, 2);
  EXPECT_EQ(big.err,
            "--delta 150%: error: the relative change must be above 0 and below 100%, not 150%\n"
            "socsim: 1 error(s) in the input\n");
  const ProcessResult unit = sensitivity({"--delta", "10x"});
  EXPECT_EQ(unit.exit_code, 2);
  EXPECT_EQ(unit.err,
            "--delta 10x: error: '10x' should be a plain number, not carry the unit 'x'\n"
            "socsim: 1 error(s) in the input\n");
}

TEST(CliSensitivity, JsonOnStdoutMatchesTheFileAndTheTableIsPrinted) {
  TempFile json("sensitivity.json");
  const ProcessResult text = sensitivity({"--delta", "5%", "--top", "3", "--json", json.str()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(starts_with(text.out,
                          "sensitivity of qwen1.5-1.8b on bandwidth-bound, policy cpu (prompt 16, "
                          "gen 4), delta 5%\n"))
      << text.out;
  EXPECT_NE(text.out.find("\n     1 hw.dram.bandwidth "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("more; --top 0 lists all)\n"), std::string::npos);
  const ProcessResult out = sensitivity({"--delta", "5%", "--json", "-"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, read_text(json.path));
  const nlohmann::json j = parse_json(out.out);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["delta"], 0.05);
  EXPECT_EQ(j["metrics"],
            nlohmann::json({"ttft_s", "prefill_tokens_per_s", "decode_tokens_per_s", "energy_j"}));
  EXPECT_EQ(j["parameters"][0]["minus"]["set"], "hw.dram.bandwidth=19GB/s");
  EXPECT_GT(j["parameters"].size(), 20u);  // all of them, not the top 3
}

TEST(CliSensitivity, MalformedTagsAreWarningsUnlessBandsNeedThem) {
  const std::string malformed = std::string(SOCSIM_DATA_DIR) + "/tests/provenance/malformed.yaml";
  const ProcessResult r =
      run_socsim({"sensitivity", "--hw", malformed, "--prompt", "16", "--gen", "2", "--top", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, malformed +
                       ":6:43: warning: cpu.big.cores: provenance tag: expected ':' after "
                       "'datasheet' (datasheet: SOURCE)\n"
                       "socsim: warning: 9 malformed provenance tag(s), counted as untagged "
                       "(`socsim describe FILE --provenance` lists them)\n");
  const ProcessResult bands = run_socsim(
      {"sensitivity", "--hw", malformed, "--prompt", "16", "--gen", "2", "--bands", "3"});
  EXPECT_EQ(bands.exit_code, 2);
  EXPECT_TRUE(starts_with(bands.err, malformed + ":6:43: error: cpu.big.cores: provenance tag:"))
      << bands.err;
  EXPECT_NE(bands.err.find("socsim: 9 error(s) in the input\n"), std::string::npos);
}

TEST(CliDescribeProvenance, TaggedFixturePrintsKindsAndShares) {
  const std::string tagged = std::string(SOCSIM_DATA_DIR) + "/tests/provenance/tagged.yaml";
  const ProcessResult r = run_socsim({"describe", tagged, "--provenance"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(starts_with(r.out, "hw (" + tagged + "):\n")) << r.out;
  EXPECT_NE(r.out.find("  hw.cpu.big.idle_power                          assumption       50mW "
                       "[20mW, 100mW]      :14   clock-gated core\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n36 numbers: 19% measured, 14% datasheet, 33% assumption, 33% untagged "
                       "(32 parameters; a table counts its rows)\n"),
            std::string::npos);
}

TEST(CliDescribeProvenance, PolicyEngineAndModelByName) {
  const ProcessResult p = run_socsim({"describe", "policy.mllm-npu", "--provenance"});
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.out.find("policy.per_group_slowdown"), std::string::npos);
  EXPECT_NE(p.out.find("[8.1, 10.7]"), std::string::npos);
  const ProcessResult e = run_socsim({"describe", "mllm", "--provenance"});
  EXPECT_EQ(e.exit_code, 0);
  EXPECT_NE(e.out.find("engine.cpu.matmul"), std::string::npos);
  const ProcessResult m = run_socsim({"describe", "qwen1.5-1.8b", "--provenance"});
  EXPECT_EQ(m.exit_code, 0);
  EXPECT_NE(m.out.find("model.layers"), std::string::npos);
  const ProcessResult bad = run_socsim({"describe", "qwen1.5-1.8c", "--provenance"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "describe qwen1.5-1.8c: error: --provenance needs a policy, a hardware profile, an "
            "engine profile or a model (shipped name or path), not 'qwen1.5-1.8c'; did you mean "
            "'qwen1.5-1.8b'?\n"
            "socsim: 1 error(s) in the input\n");
}

TEST(CliDescribeProvenance, MalformedTagsPrintTheTableThenTheErrors) {
  const std::string malformed = std::string(SOCSIM_DATA_DIR) + "/tests/provenance/malformed.yaml";
  const ProcessResult r = run_socsim({"describe", malformed, "--provenance"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("  hw.cpu.big.rated_clock "), std::string::npos);
  EXPECT_NE(r.err.find(malformed + ":7:43: error: cpu.big.rated_clock: provenance tag: "
                                   "'assumption' needs its plausible range"),
            std::string::npos)
      << r.err;
}

}  // namespace socsim::testing

namespace socsim::testing {

TEST(CliReproduceBands, PrintsTheBandsAndNeedsAnAssumption) {
  const std::string dir = SOCSIM_DATA_DIR;
  const ProcessResult r = run_socsim({"reproduce", dir + "/tests/provenance/bands_experiment.yaml",
                                      "--csv", "-", "--bands", "8", "-j", "2"},
                                     "cd " + shell_quote(dir) + " &&");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  bands over 8 samples (seed 1) of 1 assumption-tagged parameters:\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" in band\n"), std::string::npos);
  EXPECT_NE(r.out.find("  warning: the bands ignore "), std::string::npos);
  // The only assumption set on the command line: nothing is left to sample.
  TempFile untagged("untagged_experiment.yaml");
  {
    std::ofstream f(untagged.path);
    f << "schema_version: 1\nname: untagged\nsource: test\nhw: "
      << dir + "/tests/provenance/bandwidth_bound.yaml"
      << "\nmetric: ttft_s\npoints:\n  - {label: a, model: qwen1.5-1.8b, policy: cpu, sets: "
         "hw.dram.bandwidth=20GB/s, prompt: 16, published: 1}\n";
  }
  const ProcessResult none =
      run_socsim({"reproduce", untagged.str(), "--csv", "-", "--bands", "8"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.out, "");  // found before anything runs
  EXPECT_EQ(none.err,
            "--bands: error: no number of experiment untagged is tagged as an assumption with a "
            "range (`assumption [LO, HI]: reason`), so there is nothing to sample\n"
            "socsim: 1 error(s) in the input\n");
}

}  // namespace socsim::testing
