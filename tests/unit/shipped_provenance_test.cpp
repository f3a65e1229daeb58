// Every shipped number says where it comes from: each hardware profile (hwprofiles/), engine
// profile (hwprofiles/engines/) and model (models/) has no malformed provenance tag and no
// untagged numeric parameter, a table row by row and a default not written in the file by the
// tag of its declaration. So `socsim describe NAME --provenance` ends "0% untagged" for each, and
// `--bands` ignores none of their numbers.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "sim/driver/inputs.hpp"
#include "sim/provenance/run_provenance.hpp"
#include "tests/unit/in_data_dir.hpp"

using namespace socsim;

namespace {

class ShippedProvenance : public socsim::testing::InDataDir {};

}  // namespace

TEST_F(ShippedProvenance, EveryNumberOfEveryShippedInputIsTagged) {
  const std::pair<const char*, const char*> kinds[] = {
      {"hw", "hwprofiles"}, {"engine", "hwprofiles/engines"}, {"model", "models"}};
  size_t files = 0;
  for (const auto& [root, dir] : kinds) {
    for (const std::string& name : shipped_names(dir)) {
      if (name == "host") continue;  // written by `socsim calibrate` on this machine, not shipped
      Diagnostics d;
      const std::string path = resolve_input(name, dir, name, d);
      ASSERT_EQ(d.to_string(), "") << name;
      EXPECT_EQ(input_root(path, d), root) << path;
      const auto params = file_provenance(root, path, d);
      EXPECT_EQ(d.to_string(), "") << path;  // no malformed tag, no range excluding its value
      EXPECT_FALSE(params.empty()) << path;
      for (const ParameterProvenance& p : params)
        for (size_t i = 0; i < p.numbers(); ++i)
          EXPECT_NE(p.number_kind(i), ProvenanceKind::kUntagged)
              << path << ": " << p.path << (p.value.is_table() ? " row " + std::to_string(i) : "")
              << " is untagged (" << p.source << ")";
      ++files;
    }
  }
  EXPECT_GE(files, 35u);  // 10 hardware profiles, 5 engine profiles, 20 models
}
