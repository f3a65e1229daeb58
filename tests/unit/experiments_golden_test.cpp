// Golden runs of the paper experiments (experiments/**/*.yaml), one test per experiment file: every
// point's simulated value (and every simulated range end) is compared with the reviewed value in
// tests/golden/experiments/<name>.json (1e-9 relative), so any change to a model, profile, engine
// or policy that moves a reproduced number shows up in review. Set SOCSIM_UPDATE_GOLDEN=1 to
// rewrite the files from the current simulator, then review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/experiments/experiment.hpp"

using namespace socsim;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> experiment_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(SOCSIM_DATA_DIR) / "experiments"))
    if (e.path().extension() == ".yaml" && e.path().parent_path().filename() != "sweeps" &&
        e.path().parent_path().filename() != "sessions")
      files.push_back(e.path().string());  // sweeps/ and sessions/ hold sweep and session files
  std::sort(files.begin(), files.end());
  return files;
}

class ExperimentGolden : public testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(ExperimentGolden, MatchesItsReviewedValues) {
  const Reproduction r = reproduce(load_experiment(GetParam()));
  const fs::path golden =
      fs::path(SOCSIM_DATA_DIR) / "tests/golden/experiments" / (r.experiment.name + ".json");
  nlohmann::ordered_json now;
  for (const ReproducedPoint& p : r.rows) now[p.point.label] = p.simulated;
  for (const ReproducedRangeEnd& x : r.range_ends) now["range " + x.label] = x.simulated;
  if (std::getenv("SOCSIM_UPDATE_GOLDEN")) {
    std::ofstream(golden) << now.dump(2) << "\n";
    GTEST_SKIP() << "rewrote " << golden;
  }
  std::ifstream in(golden);
  ASSERT_TRUE(in) << "no golden file " << golden
                  << " (run with SOCSIM_UPDATE_GOLDEN=1 and review it)";
  const nlohmann::json expected = nlohmann::json::parse(in);
  EXPECT_EQ(expected.size(), now.size()) << golden;
  for (const auto& [label, value] : now.items()) {
    ASSERT_TRUE(expected.contains(label)) << golden << ": " << label;
    const double want = expected[label].get<double>(), got = value.get<double>();
    EXPECT_LE(std::fabs(got - want), 1e-9 * std::fabs(want))
        << r.experiment.name << " / " << label << ": expected " << want << ", got " << got;
  }
}

INSTANTIATE_TEST_SUITE_P(Experiments, ExperimentGolden, testing::ValuesIn(experiment_files()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = fs::path(info.param).stem().string();
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ExperimentGolden, EveryExperimentHasAGoldenFile) {
  const auto files = experiment_files();
  EXPECT_GE(files.size(), 6u);
  for (const std::string& f : files) {
    const Experiment e = load_experiment(f);
    EXPECT_TRUE(
        fs::exists(fs::path(SOCSIM_DATA_DIR) / "tests/golden/experiments" / (e.name + ".json")))
        << f;
  }
}
