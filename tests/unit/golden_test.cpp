// Golden design points: every tests/golden/<name>.json holds the arguments of a `socsim run`, its
// expected exit code and either the expected result JSON or the expected stderr. This test re-runs
// each one and compares every stored value (numbers within 1e-9 relative), printing a table of
// key, expected and got on mismatch. Regenerate the files with tests/golden/update.sh.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

namespace fs = std::filesystem;
constexpr double kRelTol = 1e-9;

fs::path golden_dir() {
  return fs::path(SOCSIM_DATA_DIR) / "tests" / "golden";
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(golden_dir(), ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct Mismatch {
  std::string key, expected, got;
};

// Compares `got` against every value stored in `expected` (keys absent from `expected` are not
// checked, so adding output keys does not break the goldens; removing one does).
void compare(const nlohmann::json& expected, const nlohmann::json& got, const std::string& key,
             std::vector<Mismatch>& out) {
  if (expected.is_object()) {
    if (!got.is_object()) {
      out.push_back({key, "an object", got.dump()});
      return;
    }
    for (const auto& [k, v] : expected.items()) {
      const std::string sub = key.empty() ? k : key + "." + k;
      if (!got.contains(k))
        out.push_back({sub, v.dump(), "(missing)"});
      else
        compare(v, got[k], sub, out);
    }
    return;
  }
  if (expected.is_number()) {
    if (!got.is_number()) {
      out.push_back({key, expected.dump(), got.dump()});
      return;
    }
    const double e = expected.get<double>(), g = got.get<double>();
    if (!near_rel(e, g, kRelTol)) {
      const double rel = std::abs(g - e) / std::max(std::abs(e), std::abs(g));
      out.push_back({key, fmt::format("{}", e), fmt::format("{}  (rel. diff {:.3g})", g, rel)});
    }
    return;
  }
  if (expected != got) out.push_back({key, expected.dump(), got.dump()});
}

std::string table(const std::vector<Mismatch>& rows) {
  size_t w = 3, we = 8;
  for (const Mismatch& m : rows)
    w = std::max(w, m.key.size()), we = std::max(we, m.expected.size());
  std::string s = fmt::format("  {:<{}}  {:<{}}  {}\n", "key", w, "expected", we, "got");
  for (const Mismatch& m : rows)
    s += fmt::format("  {:<{}}  {:<{}}  {}\n", m.key, w, m.expected, we, m.got);
  return s;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesStoredResult) {
  const fs::path file = golden_dir() / (GetParam() + ".json");
  const nlohmann::json golden = parse_json(read_text(file));
  ASSERT_FALSE(golden.is_discarded()) << file << " is not valid JSON";
  ASSERT_TRUE(golden.contains("args") && golden["args"].is_array()) << file;
  ASSERT_TRUE(golden.contains("exit_code")) << file;

  std::vector<std::string> args = {"run"};
  std::string cmdline = "socsim run";
  for (const nlohmann::json& a : golden["args"]) {
    args.push_back(a.get<std::string>());
    cmdline += " " + a.get<std::string>();
  }
  args.insert(args.end(), {"--json", "-"});
  const ProcessResult r = run_socsim(args);
  SCOPED_TRACE(cmdline + "  (regenerate with tests/golden/update.sh if the change is intended)");

  const int expected_exit = golden["exit_code"];
  ASSERT_EQ(r.exit_code, expected_exit) << "stderr:\n" << r.err;
  if (expected_exit != 0) {
    ASSERT_TRUE(golden.contains("stderr")) << file;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, golden["stderr"].get<std::string>());
    return;
  }
  ASSERT_TRUE(golden.contains("expected") && golden["expected"].is_object()) << file;
  const nlohmann::json got = parse_json(r.out);
  ASSERT_FALSE(got.is_discarded()) << "not JSON:\n" << r.out;
  std::vector<Mismatch> diff;
  compare(golden["expected"], got, "", diff);
  EXPECT_TRUE(diff.empty()) << diff.size() << " value(s) differ from " << file.filename() << ":\n"
                            << table(diff);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);  // GoldenSet.IsPresent reports it
INSTANTIATE_TEST_SUITE_P(DesignPoints, Golden, ::testing::ValuesIn(golden_names()), test_name);

// The goldens cover the shipped design space: at least the six points of update.sh exist, and at
// least one of them is infeasible (exit 3).
TEST(GoldenSet, IsPresent) {
  const std::vector<std::string> names = golden_names();
  EXPECT_GE(names.size(), 6u) << "run tests/golden/update.sh";
  int infeasible = 0;
  for (const std::string& n : names) {
    const nlohmann::json g = parse_json(read_text(golden_dir() / (n + ".json")));
    if (!g.is_discarded() && g.value("exit_code", 0) == 3) ++infeasible;
  }
  EXPECT_GE(infeasible, 1);
}

// The comparison itself: a value off by more than the tolerance is reported with its full key.
TEST(GoldenCompare, ReportsNestedMismatchesOnly) {
  const nlohmann::json expected = {{"a", 1.0}, {"b", {{"c", 2.0}, {"d", "x"}}}, {"e", 5.0}};
  nlohmann::json got = {{"a", 1.0 + 1e-12}, {"b", {{"c", 2.001}, {"d", "x"}}}, {"extra", 1}};
  std::vector<Mismatch> diff;
  compare(expected, got, "", diff);
  ASSERT_EQ(diff.size(), 2u) << table(diff);
  EXPECT_EQ(diff[0].key, "b.c");
  EXPECT_EQ(diff[1].key, "e");
  EXPECT_EQ(diff[1].got, "(missing)");
}

}  // namespace
}  // namespace socsim::testing
