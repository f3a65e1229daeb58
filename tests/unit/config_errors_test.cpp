// Broken hardware profiles in tests/config_errors/: load_hw must throw InputError listing every
// problem, compiler-style with file:line:col. Broken engine profiles (engine_*.yaml) likewise, read
// and applied to the Redmi K70 Pro profile as the driver does. Paths are relative to the repository
// root (the test runs from there), so the expected text is the same on every checkout.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sim/config/diagnostics.hpp"
#include "sim/hw/engine_spec.hpp"
#include "sim/hw/hw_spec.hpp"
#include "sim/model/model_spec.hpp"

using namespace socsim;

namespace {

class ConfigErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = std::filesystem::current_path();
    std::filesystem::current_path(SOCSIM_DATA_DIR);
  }
  void TearDown() override { std::filesystem::current_path(saved_); }

  // The diagnostics text load_hw reports for a fixture, or "" if it loads.
  static std::string errors_of(const std::string& fixture) {
    try {
      load_hw("tests/config_errors/" + fixture);
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), e.diagnostics().to_string());
      return e.diagnostics().to_string();
    }
    return "";
  }

  // The diagnostics text of reading an engine fixture and applying it to `hw`, or "".
  static std::string engine_errors_of(const std::string& fixture, HwSpec hw) {
    const std::string path = "tests/config_errors/" + fixture;
    Diagnostics d;
    SourceMap where;
    const EngineSpec e = read_engine(path, d, &where);
    if (!d.has_errors()) apply_engine(hw, e, path, d, where);
    return d.to_string();
  }

 private:
  std::filesystem::path saved_;
};

}  // namespace

TEST_F(ConfigErrors, TypoKeys) {
  EXPECT_EQ(errors_of("typo_keys.yaml"),
            "tests/config_errors/typo_keys.yaml:6:5: error: missing required key "
            "'cpu.big.rated_clock' (clock at which "
            "`peak` is quoted)\n"
            "tests/config_errors/typo_keys.yaml:7:5: error: unknown key 'cpu.big.rated_clok'; did "
            "you mean "
            "'rated_clock'?\n"
            "tests/config_errors/typo_keys.yaml:13:3: error: missing required key 'dram.bandwidth' "
            "(total achievable "
            "bandwidth shared by all units)\n"
            "tests/config_errors/typo_keys.yaml:14:3: error: unknown key 'dram.bandwith'; did you "
            "mean 'bandwidth'?\n");
}

TEST_F(ConfigErrors, BadUnits) {
  EXPECT_EQ(
      errors_of("bad_units.yaml"),
      "tests/config_errors/bad_units.yaml:6:12: error: cpu.big.cores: '2.5' is not a whole number\n"
      "tests/config_errors/bad_units.yaml:8:12: error: cpu.big.clock: 300GHz is out of range; it "
      "must be between "
      "1MHz and 100GHz\n"
      "tests/config_errors/bad_units.yaml:9:18: error: cpu.big.peak.fp32: unknown unit 'GHz' for a "
      "throughput "
      "(expected e.g. 73TOPS)\n"
      "tests/config_errors/bad_units.yaml:10:38: error: cpu.big.dvfs.0.busy_power: '1.5' has no "
      "unit; a power "
      "needs one, e.g. 2.5W\n"
      "tests/config_errors/bad_units.yaml:11:21: error: cpu.big.port_bandwidth: unknown unit "
      "'Gb/s' for a "
      "bandwidth (expected e.g. 4GB/s)\n"
      "tests/config_errors/bad_units.yaml:14:13: error: dram.capacity: '12' has no unit; a size "
      "needs one, e.g. "
      "8KiB\n");
}

TEST_F(ConfigErrors, MissingSection) {
  EXPECT_EQ(errors_of("missing_section.yaml"),
            "tests/config_errors/missing_section.yaml:2:1: error: missing required key "
            "'schema_version' (version of "
            "the profile schema (1))\n"
            "tests/config_errors/missing_section.yaml:2:1: error: missing required section 'dram' "
            "(main memory)\n"
            "tests/config_errors/missing_section.yaml:11:6: error: 'npu' must be a mapping of keys "
            "to values, not a "
            "single value\n");
}

TEST_F(ConfigErrors, DuplicateKeys) {
  EXPECT_EQ(errors_of("duplicate_keys.yaml"),
            "tests/config_errors/duplicate_keys.yaml:12:3: error: duplicate key 'cpu.big' (first "
            "given on line 5)\n"
            "tests/config_errors/duplicate_keys.yaml:17:3: error: duplicate key 'dram.capacity' "
            "(first given on line "
            "15)\n");
}

TEST_F(ConfigErrors, SyntaxErrors) {
  EXPECT_EQ(errors_of("tab_indent.yaml"),
            "tests/config_errors/tab_indent.yaml:5:10: error: syntax error: illegal map value "
            "(tabs are not allowed in "
            "indentation)\n");
  EXPECT_EQ(errors_of("unclosed_bracket.yaml"),
            "tests/config_errors/unclosed_bracket.yaml:7:1: error: syntax error: end of sequence "
            "flow not found\n");
}

TEST_F(ConfigErrors, MissingFile) {
  EXPECT_EQ(errors_of("no_such_profile.yaml"),
            "tests/config_errors/no_such_profile.yaml: error: cannot open file\n");
}

// Rules across fields are checked after reading, but still point at the offending key.
TEST_F(ConfigErrors, CrossFieldRulesAreLocated) {
  EXPECT_EQ(errors_of("cross_field.yaml"),
            "tests/config_errors/cross_field.yaml:103:3: error: gpu.clock: 1GHz is outside the "
            "DVFS range "
            "300MHz..903MHz\n"
            "tests/config_errors/cross_field.yaml:201:3: error: dram.available (30GB) exceeds "
            "dram.capacity "
            "(24GB)\n");
}

TEST_F(ConfigErrors, EngineProfileTypoKeys) {
  EXPECT_EQ(engine_errors_of("engine_typo_keys.yaml", load_hw("hwprofiles/redmi-k70-pro.yaml")),
            "tests/config_errors/engine_typo_keys.yaml:6:3: error: unknown key 'cpu.matmull'; did "
            "you mean 'matmul'?\n"
            "tests/config_errors/engine_typo_keys.yaml:7:20: error: cpu.launch_overhead: '5' has "
            "no unit; a time needs one, e.g. 450ms\n"
            "tests/config_errors/engine_typo_keys.yaml:8:1: error: unknown key 'dsp' (valid keys "
            "here: schema_version, name, engine, cpu, gpu, npu)\n");
}

// Factors are checked against the profile they are applied to, and located at their key.
TEST_F(ConfigErrors, EngineFactorAbovePeak) {
  const HwSpec hw = load_hw("hwprofiles/redmi-k70-pro.yaml");
  // The profile's GPU elementwise table is empty (1.0 everywhere) and its matmul table below 1.
  ASSERT_TRUE(hw.gpu.efficiency[static_cast<size_t>(OpClass::kElementwise)].compute.empty());
  EXPECT_EQ(engine_errors_of("engine_above_peak.yaml", hw),
            "tests/config_errors/engine_above_peak.yaml:7:3: error: gpu.elementwise: factor 1.5 "
            "takes gpu elementwise efficiency to 1.5, above peak (1.0)\n");
}

// Sparsity of a SiLU FFN has to be a threshold (CATS-style); without a method the error points at
// the sparsity section.
TEST_F(ConfigErrors, SiluModelNeedsThresholdSparsity) {
  std::string text;
  try {
    load_model("tests/config_errors/silu_natural_sparsity.yaml");
  } catch (const InputError& e) {
    text = e.diagnostics().to_string();
  }
  EXPECT_EQ(text,
            "tests/config_errors/silu_natural_sparsity.yaml:13:1: error: sparsity.method: a silu "
            "FFN has no natural zeros; give method: threshold (small activations cut by a "
            "calibrated threshold, as CATS does)\n");
}

// A frozen map's records are shared by its copies; a copy's own later records win over them, and
// the original does not see them.
TEST(SourceMapFreeze, CopiesShareFrozenRecordsAndKeepTheirOwn) {
  SourceMap file;
  file.record("npu", {"hw.yaml", 10, 1});
  file.record("npu.clock", {"hw.yaml", 12, 3});
  file.freeze();
  file.record("dram.bandwidth", {"hw.yaml", 20, 3});
  file.freeze();  // a second freeze keeps the first one's records
  SourceMap point = file;
  point.record("npu.clock", {"--set hw.npu.clock=600MHz", 0, 0});
  EXPECT_EQ(point.find("npu.clock", "hw.yaml").file, "--set hw.npu.clock=600MHz");
  EXPECT_EQ(file.find("npu.clock", "hw.yaml").line, 12);
  EXPECT_EQ(point.find("npu.peak.int8", "hw.yaml").line, 10);  // the closest recorded parent
  EXPECT_EQ(point.find("dram.bandwidth", "hw.yaml").line, 20);
  EXPECT_EQ(point.find("gpu.clock", "hw.yaml").line, 0);
}
