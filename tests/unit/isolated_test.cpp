// run_isolated (sim/driver/isolated.hpp): the function runs in a forked child; its values, its
// input errors (every diagnostic with its location and severity) and other exceptions come back to
// the parent, and nothing else the child changes does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/config/diagnostics.hpp"
#include "sim/driver/isolated.hpp"

using namespace socsim;

namespace {
int counter = 0;
}  // namespace

TEST(Isolated, ReturnsTheValuesComputedInTheChild) {
  const pid_t parent = ::getpid();
  const std::vector<double> v = run_isolated([] {
    double sum = 0;
    for (int i = 1; i <= 10; ++i) sum += i * 0.1;
    return std::vector<double>{sum, -0.0, 1e300, std::numeric_limits<double>::infinity(),
                               static_cast<double>(::getpid())};
  });
  ASSERT_EQ(v.size(), 5u);
  double sum = 0;
  for (int i = 1; i <= 10; ++i) sum += i * 0.1;
  EXPECT_EQ(v[0], sum);  // bit for bit
  EXPECT_EQ(v[1], 0.0);
  EXPECT_TRUE(std::signbit(v[1]));
  EXPECT_EQ(v[2], 1e300);
  EXPECT_EQ(v[3], std::numeric_limits<double>::infinity());
  EXPECT_NE(v[4], static_cast<double>(parent));  // computed in another process
  EXPECT_GT(v[4], 0.0);

  EXPECT_TRUE(run_isolated([] { return std::vector<double>{}; }).empty());
  const std::vector<double> nan =
      run_isolated([] { return std::vector<double>{std::numeric_limits<double>::quiet_NaN()}; });
  ASSERT_EQ(nan.size(), 1u);
  EXPECT_TRUE(std::isnan(nan[0]));
}

// More than a pipe buffer (64 KiB) of results: the parent reads while the child writes.
TEST(Isolated, LargeResults) {
  const std::vector<double> v = run_isolated([] {
    std::vector<double> out(200000);
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(i) * 0.5;
    return out;
  });
  ASSERT_EQ(v.size(), 200000u);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], static_cast<double>(i) * 0.5) << i;
}

TEST(Isolated, InputErrorKeepsEveryDiagnostic) {
  Diagnostics sent;
  sent.error({"hwprofiles/x.yaml", 42, 17}, "npu.clock: expected a frequency, got '3 apples'");
  sent.warning({"--set", 0, 0}, "value: with colons: and\ttabs\nand a second line");
  sent.note({"", 3, 1}, "");
  sent.error({"models/with spaces.yaml", 1, 2}, "second error, \x1f inside");
  try {
    run_isolated([&]() -> std::vector<double> { throw InputError(sent); });
    FAIL() << "no exception";
  } catch (const InputError& e) {
    const auto& got = e.diagnostics().all();
    ASSERT_EQ(got.size(), sent.all().size());
    for (size_t i = 0; i < got.size(); ++i) {
      const Diagnostic& want = sent.all()[i];
      EXPECT_EQ(got[i].severity, want.severity) << i;
      EXPECT_EQ(got[i].loc.file, want.loc.file) << i;
      EXPECT_EQ(got[i].loc.line, want.loc.line) << i;
      EXPECT_EQ(got[i].loc.col, want.loc.col) << i;
      EXPECT_EQ(got[i].message, want.message) << i;
    }
    EXPECT_EQ(e.diagnostics().error_count(), 2);
    EXPECT_EQ(std::string(e.what()), sent.to_string());
  }
}

// Any other exception comes back as a std::runtime_error (not an InputError) with its message.
TEST(Isolated, OtherExceptionsBecomeRuntimeErrors) {
  bool caught = false;
  try {
    run_isolated([]() -> std::vector<double> { throw std::logic_error("a bug: cycle in graph"); });
  } catch (const InputError&) {
    ADD_FAILURE() << "became an InputError";
  } catch (const std::runtime_error& e) {
    caught = true;
    EXPECT_EQ(std::string(e.what()), "a bug: cycle in graph");
  }
  EXPECT_TRUE(caught);
  EXPECT_THROW(run_isolated([]() -> std::vector<double> { throw std::out_of_range(""); }),
               std::runtime_error);
}

// A child that dies without reporting is an error, not an empty result.
TEST(Isolated, ChildDeathIsAnError) {
  EXPECT_THROW(run_isolated([]() -> std::vector<double> { ::_exit(0); }), std::runtime_error);
  EXPECT_THROW(run_isolated([]() -> std::vector<double> { ::_exit(3); }), std::runtime_error);
}

TEST(Isolated, ChildStateDoesNotLeak) {
  counter = 5;
  const std::vector<double> v = run_isolated([] {
    counter += 10;
    return std::vector<double>{static_cast<double>(counter)};
  });
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], 15.0);  // the child saw the parent's state and changed its own copy
  EXPECT_EQ(counter, 5);
  // Each call starts again from the parent's state.
  EXPECT_EQ(run_isolated([] { return std::vector<double>{static_cast<double>(++counter)}; }),
            std::vector<double>{6.0});
  EXPECT_EQ(counter, 5);
}
