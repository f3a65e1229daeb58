// Plug-in registries: every shipped policy and estimator is registered (plug-in objects are linked
// directly, so none can be dropped by the linker), and estimators are asked in priority order.
#include <gtest/gtest.h>

#include "sim/cost/estimator.hpp"
#include "sim/policy/policy.hpp"

using namespace socsim;

TEST(Registry, ListsEveryShippedPolicy) {
  std::vector<std::string> names = policy_names();
  for (const char* expected : {"cpu", "gpu", "npu"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  EXPECT_EQ(find_policy("nope"), nullptr);
}

TEST(Registry, ListsEstimatorsInPriorityOrder) {
  EXPECT_EQ(estimator_names(), (std::vector<std::string>{"flash", "roofline", "fixed-time"}));
}
