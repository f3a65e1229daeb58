// Golden runs of the paper experiments (experiments/**/*.yaml): every point's simulated value is
// compared with the reviewed value in tests/golden/experiments/<name>.json (1e-9 relative), so any
// change to a model, profile or policy that moves a reproduced number shows up in review. Set
// SOCSIM_UPDATE_GOLDEN=1 to rewrite the files from the current simulator, then review the diff.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/experiments/experiment.hpp"

using namespace socsim;
namespace fs = std::filesystem;

TEST(ExperimentsGolden, EveryExperimentMatchesItsReviewedValues) {
  const fs::path root(SOCSIM_DATA_DIR);
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const Reproduction r = reproduce(load_experiment(entry.path().string()));
    const fs::path golden = root / "tests/golden/experiments" / (r.experiment.name + ".json");
    if (std::getenv("SOCSIM_UPDATE_GOLDEN")) {
      nlohmann::ordered_json j;
      for (const ReproducedPoint& p : r.rows) j[p.point.label] = p.simulated;
      std::ofstream(golden) << j.dump(2) << "\n";
      continue;
    }
    std::ifstream in(golden);
    ASSERT_TRUE(in) << "no golden file " << golden
                    << " (run with SOCSIM_UPDATE_GOLDEN=1 and review it)";
    const nlohmann::json expected = nlohmann::json::parse(in);
    EXPECT_EQ(expected.size(), r.rows.size()) << golden;
    for (const ReproducedPoint& p : r.rows) {
      ASSERT_TRUE(expected.contains(p.point.label)) << golden << ": " << p.point.label;
      const double want = expected[p.point.label].get<double>();
      EXPECT_LE(std::fabs(p.simulated - want), 1e-9 * std::fabs(want))
          << r.experiment.name << " / " << p.point.label << ": expected " << want << ", got "
          << p.simulated;
    }
  }
  EXPECT_GE(files, 2u);
}
