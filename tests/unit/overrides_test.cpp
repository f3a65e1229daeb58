// `--set PATH=VALUE` overrides: applied through the same visit() as the YAML reader, so values are
// parsed with units and bounds-checked; unknown paths get the closest valid path as a hint.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "sim/config/overrides.hpp"
#include "sim/config/yaml_reader.hpp"
#include "tests/unit/config_test_spec.hpp"

using namespace socsim;
using socsim::testing::kTestYaml;
using socsim::testing::TestSpec;
using socsim::testing::visit_test;

namespace {

TestSpec loaded(const char* yaml = kTestYaml) {
  Diagnostics d;
  TestSpec s;
  YamlReader reader("t.yaml", YAML::Load(yaml), d);
  reader.read_root([&](FieldVisitor& v) { visit_test(v, s); });
  EXPECT_FALSE(d.has_errors()) << d.to_string();
  return s;
}

// Parses and applies `sets` (all under root "hw") to `s`; returns the diagnostics text.
std::string apply(TestSpec& s, const std::vector<std::string>& sets) {
  Diagnostics d;
  std::vector<Override> ovs;
  for (const std::string& text : sets)
    if (auto o = parse_override(text, d)) ovs.push_back(*o);
  apply_overrides(
      "hw", ovs, [&](FieldVisitor& v) { visit_test(v, s); }, d);
  return d.to_string();
}

}  // namespace

TEST(Overrides, SetsQuantityWithUnitsAtNestedPath) {
  TestSpec s = loaded();
  EXPECT_EQ(apply(s, {"hw.npu.clock=600MHz", "hw.bandwidth=8GiB/s", "hw.latency=2s"}), "");
  EXPECT_DOUBLE_EQ(s.npu_clock, 600e6);
  EXPECT_DOUBLE_EQ(s.bandwidth, 8.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(s.latency, 2.0);
  EXPECT_DOUBLE_EQ(s.npu_peak, 73e12);  // untouched
}

TEST(Overrides, SetsNamedEntryFieldAndListElement) {
  TestSpec s = loaded();
  EXPECT_EQ(apply(s, {"hw.engines.little.cores=8", "hw.dvfs.1.clock=2.5GHz"}), "");
  EXPECT_EQ(s.engines[1].second.cores, 8);
  EXPECT_EQ(s.engines[0].second.cores, 2);
  EXPECT_DOUBLE_EQ(s.dvfs[1].clock, 2.5e9);
  EXPECT_DOUBLE_EQ(s.dvfs[0].clock, 1e9);
}

TEST(Overrides, SetsCurveNumbersFlagTextAndChoiceFromYamlText) {
  TestSpec s = loaded();
  EXPECT_EQ(apply(s, {"hw.efficiency=[[1KiB, 0.5], [2KiB, 0.8]]", "hw.fractions=[0.1, 20%]",
                      "hw.turbo=false", "hw.name=true", "hw.mode=frugal", "hw.threads=1e3"}),
            "");
  ASSERT_EQ(s.efficiency.size(), 2u);
  EXPECT_DOUBLE_EQ(s.efficiency[0].first, 1024);
  EXPECT_DOUBLE_EQ(s.efficiency[0].second, 0.5);
  EXPECT_DOUBLE_EQ(s.efficiency[1].first, 2048);
  EXPECT_DOUBLE_EQ(s.efficiency[1].second, 0.8);
  ASSERT_EQ(s.fractions.size(), 2u);
  EXPECT_DOUBLE_EQ(s.fractions[1], 0.2);
  EXPECT_FALSE(s.turbo);
  EXPECT_EQ(s.name, "true");  // a text field takes the text as typed
  EXPECT_EQ(s.mode, "frugal");
  EXPECT_EQ(s.threads, 1000);
  EXPECT_EQ(apply(s, {"hw.turbo=true"}), "");
  EXPECT_TRUE(s.turbo);
}

TEST(Overrides, SetsDerivedFieldAndOptionalSectionWhenPresent) {
  TestSpec s = loaded();
  EXPECT_EQ(apply(s, {"hw.npu.peak=40TOPS", "hw.cache.size=16KiB"}), "");
  EXPECT_DOUBLE_EQ(s.npu_peak, 40e12);
  EXPECT_DOUBLE_EQ(s.cache_size, 16384);
}

TEST(Overrides, UnknownPathHasHint) {
  TestSpec s = loaded();
  EXPECT_EQ(apply(s, {"hw.npu.clok=1GHz"}),
            "--set hw.npu.clok=1GHz: error: unknown parameter 'hw.npu.clok'; did you mean "
            "'hw.npu.clock'?\n");
  EXPECT_EQ(apply(s, {"hw.dvfs.7.clock=1GHz"}),
            "--set hw.dvfs.7.clock=1GHz: error: unknown parameter 'hw.dvfs.7.clock'; did you mean "
            "'hw.dvfs.0.clock'?\n");
  EXPECT_EQ(
      apply(s, {"hw.voltage=1"}),
      "--set hw.voltage=1: error: unknown parameter 'hw.voltage' (see `socsim describe hw`)\n");
  EXPECT_EQ(apply(s, {"hw.npu=1GHz"}),
            "--set hw.npu=1GHz: error: 'hw.npu' is a section, not a parameter; set one of its "
            "fields, e.g. "
            "'hw.npu.clock'\n");
}

TEST(Overrides, ValuesAreParsedAndBoundsChecked) {
  TestSpec s = loaded();
  EXPECT_EQ(apply(s, {"hw.npu.clock=1THz"}),
            "--set hw.npu.clock=1THz: error: npu.clock: 1THz is out of range; it must be between "
            "1MHz and 100GHz\n");
  EXPECT_DOUBLE_EQ(s.npu_clock, 3.3e9);  // unchanged
  EXPECT_EQ(apply(s, {"hw.bandwidth=4"}),
            "--set hw.bandwidth=4: error: bandwidth: '4' has no unit; a bandwidth needs one, e.g. "
            "4GB/s\n");
  EXPECT_EQ(
      apply(s, {"hw.bandwidth="}),
      "--set hw.bandwidth=: error: bandwidth: empty value, expected a bandwidth such as 4GB/s\n");
  EXPECT_EQ(
      apply(s, {"hw.engines.big.cores=2.5"}),
      "--set hw.engines.big.cores=2.5: error: engines.big.cores: '2.5' is not a whole number\n");
  EXPECT_EQ(apply(s, {"hw.dvfs.0.power=-1W"}),
            "--set hw.dvfs.0.power=-1W: error: dvfs.0.power: -1W is out of range; it must be "
            "between 0W and 100W\n");
  EXPECT_EQ(
      apply(s, {"hw.turbo=sometimes"}),
      "--set hw.turbo=sometimes: error: turbo: 'sometimes' is not a boolean (use true or false)\n");
  EXPECT_EQ(apply(s, {"hw.efficiency=[[2KiB, 0.5], [1KiB, 0.8]]"}),
            "--set hw.efficiency=[[2KiB, 0.5], [1KiB, 0.8]]: error: efficiency: x values must "
            "increase (1KiB after "
            "2KiB)\n");
  EXPECT_EQ(apply(s, {"hw.efficiency=[[1, 0.5], [2, 0.8]]"}),
            "--set hw.efficiency=[[1, 0.5], [2, 0.8]]: error: efficiency: '1' has no unit; a size "
            "needs one, e.g. "
            "8KiB\n"
            "--set hw.efficiency=[[1, 0.5], [2, 0.8]]: error: efficiency: '2' has no unit; a size "
            "needs one, e.g. "
            "8KiB\n");
  EXPECT_EQ(s.efficiency.size(), 2u);  // a rejected table leaves the old one whole
  EXPECT_DOUBLE_EQ(s.efficiency[0].first, 4096);
  EXPECT_EQ(apply(s, {"hw.efficiency=[[1KiB, 0.5]"}),
            "--set hw.efficiency=[[1KiB, 0.5]: error: efficiency: cannot parse the value: end of "
            "sequence flow not "
            "found\n");
  EXPECT_EQ(apply(s, {"hw.name=a: b"}),
            "--set hw.name=a: b: error: 'name' must be a single value, not a mapping\n");
}

TEST(Overrides, InsideAbsentOptionalSection) {
  TestSpec s = loaded(R"(schema_version: 1
name: x
bandwidth: 4GB/s
npu: {clock: 1GHz}
engines: {big: {cores: 2}}
dvfs: [{clock: 1GHz}]
)");
  ASSERT_FALSE(s.has_cache);
  EXPECT_EQ(apply(s, {"hw.cache.size=1KiB"}),
            "--set hw.cache.size=1KiB: error: cannot set 'hw.cache.size': the section 'hw.cache' "
            "is not present in "
            "the input\n");
  EXPECT_FALSE(s.has_cache);
}

TEST(Overrides, OnlyOwnRootIsApplied) {
  TestSpec s = loaded();
  Diagnostics d;
  std::vector<Override> ovs{*parse_override("model.layers=4", d),
                            *parse_override("hw.threads=8", d)};
  apply_overrides(
      "hw", ovs, [&](FieldVisitor& v) { visit_test(v, s); }, d);
  EXPECT_EQ(d.to_string(), "");
  EXPECT_FALSE(ovs[0].used);
  EXPECT_TRUE(ovs[1].used);
  EXPECT_EQ(s.threads, 8);
}

TEST(Overrides, UnknownRoot) {
  Diagnostics d;
  std::vector<Override> ovs{*parse_override("hww.npu.clock=1GHz", d),
                            *parse_override("hw.npu.clock=1GHz", d), *parse_override("zzz.a=1", d)};
  check_override_roots(ovs, {"hw", "model", "policy"}, d);
  EXPECT_EQ(d.to_string(),
            "--set hww.npu.clock=1GHz: error: unknown parameter root 'hww'; did you mean 'hw'? "
            "(one of: hw, model, "
            "policy)\n"
            "--set zzz.a=1: error: unknown parameter root 'zzz' (one of: hw, model, policy)\n");
}

TEST(Overrides, ParseOverride) {
  Diagnostics d;
  std::optional<Override> o = parse_override("hw.npu.clock = 600MHz", d);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->root, "hw");
  EXPECT_EQ(o->path, "npu.clock");
  EXPECT_EQ(o->value, "600MHz");
  EXPECT_EQ(o->spelled(), "hw.npu.clock=600MHz");
  std::optional<Override> eq = parse_override("hw.name=a=b", d);  // only the first '=' splits
  ASSERT_TRUE(eq);
  EXPECT_EQ(eq->value, "a=b");
  EXPECT_EQ(d.to_string(), "");
  for (const char* bad :
       {"hw.npu.clock", "npu=5", "hw..clock=1", ".npu=1", "hw.=1", "=1GHz", "hw.npu.clock"})
    EXPECT_FALSE(parse_override(bad, d)) << bad;
  EXPECT_EQ(d.error_count(), 7);
  EXPECT_EQ(d.all()[0].to_string(),
            "--set hw.npu.clock: error: expected PATH=VALUE with a dotted PATH, e.g. "
            "hw.npu.clock=600MHz");
  EXPECT_EQ(
      d.all()[2].to_string(),
      "--set hw..clock=1: error: expected PATH=VALUE with a dotted PATH, e.g. hw.npu.clock=600MHz");
}
