// Unit parsing: values carry units and are parsed once into SI.
#include <gtest/gtest.h>

#include "sim/config/units.hpp"

using namespace socsim;

TEST(Units, ParsesDecimalAndBinaryPrefixes) {
  EXPECT_DOUBLE_EQ(*parse_quantity("4GB/s", Dim::kBandwidth).value, 4e9);
  EXPECT_DOUBLE_EQ(*parse_quantity("8KiB", Dim::kBytes).value, 8192.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("24GB", Dim::kBytes).value, 24e9);
  EXPECT_DOUBLE_EQ(*parse_quantity("1MiB", Dim::kBytes).value, 1048576.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("73TOPS", Dim::kOpsRate).value, 73e12);
  EXPECT_DOUBLE_EQ(*parse_quantity("3.3GHz", Dim::kFrequency).value, 3.3e9);
  EXPECT_DOUBLE_EQ(*parse_quantity("450ms", Dim::kTime).value, 0.45);
  EXPECT_DOUBLE_EQ(*parse_quantity("20pJ/B", Dim::kEnergyPerByte).value, 20e-12);
  EXPECT_DOUBLE_EQ(*parse_quantity("50%", Dim::kNumber).value, 0.5);
  EXPECT_DOUBLE_EQ(*parse_quantity("2.5 W", Dim::kPower).value, 2.5);
}

TEST(Units, RejectsMissingOrWrongUnits) {
  EXPECT_FALSE(parse_quantity("4", Dim::kBandwidth).value);
  EXPECT_EQ(parse_quantity("4", Dim::kBandwidth).error,
            "'4' has no unit; a bandwidth needs one, e.g. 4GB/s");
  EXPECT_EQ(parse_quantity("4GHz", Dim::kBandwidth).error,
            "unknown unit 'GHz' for a bandwidth (expected e.g. 4GB/s)");
  EXPECT_FALSE(parse_quantity("5mB", Dim::kBytes).value);  // milli-bytes make no sense
  EXPECT_FALSE(parse_quantity("abc", Dim::kTime).value);
  EXPECT_FALSE(parse_quantity("3GB", Dim::kNumber).value);
}

TEST(Units, FormatsRoundTrip) {
  for (auto [text, dim] :
       {std::pair{"4GB/s", Dim::kBandwidth}, {"450ms", Dim::kTime}, {"73TOPS", Dim::kOpsRate}}) {
    double v = *parse_quantity(text, dim).value;
    EXPECT_EQ(format_quantity(v, dim), text);
  }
}
