// Strict YAML reader: values with units in SI, defaults, derived fields, and the exact text of
// every kind of error (with file:line:col), all collected from one document.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/config/diagnostics.hpp"
#include "sim/config/file_text.hpp"
#include "sim/config/yaml_reader.hpp"
#include "tests/unit/config_test_spec.hpp"

using namespace socsim;
using socsim::testing::kTestYaml;
using socsim::testing::TestSpec;
using socsim::testing::visit_test;

namespace {

struct Read {
  TestSpec spec;
  Diagnostics diags;
  std::string text() const { return diags.to_string(); }
};

Read read(const std::string& yaml) {
  Read r;
  YamlReader reader("t.yaml", YAML::Load(yaml), r.diags);
  reader.read_root([&](FieldVisitor& v) { visit_test(v, r.spec); });
  return r;
}

// The required fields only; lines 1-10.
const std::string kMinimal = R"(schema_version: 1
name: x
bandwidth: 4GB/s
npu:
  clock: 1GHz
engines:
  big:
    cores: 2
dvfs:
  - clock: 1GHz
)";

// kMinimal with the line holding `from` replaced by `to`.
std::string with(const std::string& from, const std::string& to) {
  std::string s = kMinimal;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST(ConfigReader, HappyPathValuesInSi) {
  Read r = read(kTestYaml);
  ASSERT_EQ(r.text(), "");
  const TestSpec& s = r.spec;
  EXPECT_EQ(s.schema_version, 1);
  EXPECT_EQ(s.name, "pixel");
  EXPECT_EQ(s.mode, "fast");
  EXPECT_TRUE(s.turbo);
  EXPECT_DOUBLE_EQ(s.bandwidth, 4e9);
  EXPECT_DOUBLE_EQ(s.npu_clock, 3.3e9);
  EXPECT_DOUBLE_EQ(s.npu_peak, 73e12);
  EXPECT_TRUE(s.has_cache);
  EXPECT_DOUBLE_EQ(s.cache_size, 8192);
  EXPECT_DOUBLE_EQ(s.cache_energy, 1.2e-12);
  ASSERT_EQ(s.engines.size(), 2u);
  EXPECT_EQ(s.engines[0].first, "big");
  EXPECT_EQ(s.engines[0].second.cores, 2);
  EXPECT_DOUBLE_EQ(s.engines[0].second.memory, 24e9);
  EXPECT_EQ(s.engines[1].first, "little");
  EXPECT_EQ(s.engines[1].second.cores, 4);
  ASSERT_EQ(s.dvfs.size(), 2u);
  EXPECT_DOUBLE_EQ(s.dvfs[0].clock, 1e9);
  EXPECT_DOUBLE_EQ(s.dvfs[0].power, 0.5);
  EXPECT_DOUBLE_EQ(s.dvfs[1].power, 1.5);
  ASSERT_EQ(s.efficiency.size(), 2u);
  EXPECT_DOUBLE_EQ(s.efficiency[0].first, 4096);
  EXPECT_DOUBLE_EQ(s.efficiency[1].first, 1048576);
  EXPECT_DOUBLE_EQ(s.efficiency[1].second, 0.9);
  ASSERT_EQ(s.fractions.size(), 3u);
  EXPECT_DOUBLE_EQ(s.fractions[1], 0.75);
}

TEST(ConfigReader, DefaultsApplied) {
  Read r = read(kMinimal);
  ASSERT_EQ(r.text(), "");
  EXPECT_EQ(r.spec.mode, "balanced");
  EXPECT_FALSE(r.spec.turbo);
  EXPECT_DOUBLE_EQ(r.spec.latency, 0.45);
  EXPECT_EQ(r.spec.threads, 4);
  EXPECT_DOUBLE_EQ(r.spec.npu_memory, 8192);
  EXPECT_DOUBLE_EQ(r.spec.engines[0].second.memory, 1e9);
  EXPECT_DOUBLE_EQ(r.spec.dvfs[0].power, 1.0);
  EXPECT_FALSE(r.spec.has_cache);
}

TEST(ConfigReader, DerivedFieldsLeftUnset) {
  Read r = read(kMinimal);
  ASSERT_EQ(r.text(), "");
  EXPECT_TRUE(std::isnan(r.spec.npu_peak));
  EXPECT_TRUE(r.spec.efficiency.empty());
  EXPECT_TRUE(r.spec.fractions.empty());
}

TEST(ConfigReader, MissingRequiredKeyPointsAtParentMapping) {
  Read r = read(with("  clock: 1GHz\n", "  peak: 1TOPS\n"));
  EXPECT_EQ(r.text(), "t.yaml:5:3: error: missing required key 'npu.clock' (NPU clock)\n");
  Read root = read(with("name: x\n", ""));
  EXPECT_EQ(root.text(), "t.yaml:1:1: error: missing required key 'name' (device name)\n");
  Read entry = read(with("    cores: 2\n", "    memory: 2GB\n"));
  EXPECT_EQ(entry.text(),
            "t.yaml:8:5: error: missing required key 'engines.big.cores' (cores of the engine)\n");
  Read section = read(with("npu:\n  clock: 1GHz\n", ""));
  EXPECT_EQ(section.text(),
            "t.yaml:1:1: error: missing required section 'npu' (the accelerator)\n");
}

TEST(ConfigReader, UnknownKeyWithDidYouMean) {
  Read r = read(with("  clock: 1GHz\n", "  clok: 1GHz\n"));
  EXPECT_EQ(r.text(),
            "t.yaml:5:3: error: missing required key 'npu.clock' (NPU clock)\n"
            "t.yaml:5:3: error: unknown key 'npu.clok'; did you mean 'clock'?\n");
  Read swapped = read(with("name: x\n", "name: x\ntrubo: true\n"));
  EXPECT_EQ(swapped.text(), "t.yaml:3:1: error: unknown key 'trubo'; did you mean 'turbo'?\n");
}

TEST(ConfigReader, UnknownKeyWithoutCloseMatchListsValidKeys) {
  Read r = read(with("name: x\n", "name: x\ncolour: red\n"));
  EXPECT_EQ(r.text(),
            "t.yaml:3:1: error: unknown key 'colour' (valid keys here: schema_version, name, mode, "
            "turbo, "
            "bandwidth, latency, threads, npu, cache, engines, dvfs, efficiency, fractions)\n");
  Read nested = read(with("    cores: 2\n", "    cores: 2\n    x: 1\n"));
  EXPECT_EQ(nested.text(),
            "t.yaml:9:5: error: unknown key 'engines.big.x' (valid keys here: cores, memory)\n");
}

TEST(ConfigReader, DuplicateKeys) {
  Read r = read(with("name: x\n", "name: x\nname: y\n"));
  EXPECT_EQ(r.text(), "t.yaml:3:1: error: duplicate key 'name' (first given on line 2)\n");
  Read nested = read(with("  clock: 1GHz\n", "  clock: 1GHz\n  clock: 2GHz\n"));
  EXPECT_EQ(nested.text(),
            "t.yaml:6:3: error: duplicate key 'npu.clock' (first given on line 5)\n");
  Read names = read(with("    cores: 2\n", "    cores: 2\n  big:\n    cores: 3\n"));
  EXPECT_EQ(names.text(),
            "t.yaml:9:3: error: duplicate key 'engines.big' (first given on line 7)\n");
  EXPECT_EQ(names.spec.engines.size(), 1u);  // the repeated entry is not added again
}

TEST(ConfigReader, WrongUnitAndBareNumber) {
  Read wrong = read(with("bandwidth: 4GB/s", "bandwidth: 4GHz"));
  EXPECT_EQ(
      wrong.text(),
      "t.yaml:3:12: error: bandwidth: unknown unit 'GHz' for a bandwidth (expected e.g. 4GB/s)\n");
  Read bare = read(with("bandwidth: 4GB/s", "bandwidth: 4"));
  EXPECT_EQ(bare.text(),
            "t.yaml:3:12: error: bandwidth: '4' has no unit; a bandwidth needs one, e.g. 4GB/s\n");
  Read bytes = read(with("  clock: 1GHz\n", "  clock: 1GHz\n  memory: 5mB\n"));
  EXPECT_EQ(bytes.text(),
            "t.yaml:6:11: error: npu.memory: unknown unit 'mB' for a size (expected e.g. 8KiB)\n");
  Read text = read(with("bandwidth: 4GB/s", "bandwidth: fast"));
  EXPECT_EQ(text.text(),
            "t.yaml:3:12: error: bandwidth: 'fast' is not a bandwidth (expected e.g. 4GB/s)\n");
}

TEST(ConfigReader, OutOfBounds) {
  Read r = read(with("bandwidth: 4GB/s", "bandwidth: 2TB/s"));
  EXPECT_EQ(
      r.text(),
      "t.yaml:3:12: error: bandwidth: 2TB/s is out of range; it must be between 1MB/s and 1TB/s\n");
  Read version = read(with("schema_version: 1", "schema_version: 2"));
  EXPECT_EQ(version.text(),
            "t.yaml:1:17: error: schema_version: 2 is out of range; it must be 1\n");
  Read list = read(with("name: x\n", "name: x\nfractions: [0.5, 120%]\n"));
  EXPECT_EQ(list.text(),
            "t.yaml:3:18: error: fractions: 120% is out of range; it must be between 0 and 1\n");
  EXPECT_TRUE(list.spec.fractions.empty());  // a list with a bad value is not taken in part
}

TEST(ConfigReader, Integers) {
  Read half = read(with("name: x\n", "name: x\nthreads: 2.5\n"));
  EXPECT_EQ(half.text(), "t.yaml:3:10: error: threads: '2.5' is not a whole number\n");
  Read percent = read(with("name: x\n", "name: x\nthreads: 50%\n"));
  EXPECT_EQ(percent.text(), "t.yaml:3:10: error: threads: '50%' is not a whole number\n");
  Read exp = read(with("name: x\n", "name: x\nthreads: 1e3\n"));
  EXPECT_EQ(exp.text(), "");
  EXPECT_EQ(exp.spec.threads, 1000);
  Read huge = read(with("name: x\n", "name: x\nthreads: 1e300\n"));
  EXPECT_EQ(huge.text(),
            "t.yaml:3:10: error: threads: 1e300 is out of range; it must be between 1 and 10000\n");
  EXPECT_EQ(huge.spec.threads, 0);  // left as it was
  // Without bounds, values beyond 2^53 are not silently truncated.
  Diagnostics d;
  int64_t n = 7;
  YamlReader reader("n.yaml", YAML::Load("n: 1e19\n"), d);
  reader.read_root([&](FieldVisitor& v) { v.integer("n", n, {"a count"}); });
  EXPECT_EQ(d.to_string(), "n.yaml:1:4: error: n: 1e19 is too large for an integer\n");
  EXPECT_EQ(n, 7);
}

TEST(ConfigReader, BadBooleanAndChoice) {
  Read b = read(with("name: x\n", "name: x\nturbo: maybe\n"));
  EXPECT_EQ(b.text(), "t.yaml:3:8: error: turbo: 'maybe' is not a boolean (use true or false)\n");
  Read yes = read(with("name: x\n", "name: x\nturbo: True\n"));
  EXPECT_EQ(yes.text(), "");
  EXPECT_TRUE(yes.spec.turbo);
  Read c = read(with("name: x\n", "name: x\nmode: fsat\n"));
  EXPECT_EQ(c.text(),
            "t.yaml:3:7: error: mode: unknown value 'fsat'; did you mean 'fast'? (one of: fast, "
            "balanced, frugal)\n");
  Read far = read(with("name: x\n", "name: x\nmode: eco\n"));
  EXPECT_EQ(far.text(),
            "t.yaml:3:7: error: mode: unknown value 'eco' (one of: fast, balanced, frugal)\n");
}

TEST(ConfigReader, Curves) {
  Read dec = read(with("name: x\n", "name: x\nefficiency: [[8KiB, 0.5], [4KiB, 0.9]]\n"));
  EXPECT_EQ(dec.text(),
            "t.yaml:3:28: error: efficiency: x values must increase (4KiB after 8KiB)\n");
  Read pair = read(with("name: x\n", "name: x\nefficiency: [[8KiB, 0.5], [16KiB]]\n"));
  EXPECT_EQ(pair.text(), "t.yaml:3:27: error: 'efficiency.1' must be a pair [8KiB, 0.5]\n");
  Read both = read(with("name: x\n", "name: x\nefficiency: [[8, 2]]\n"));
  EXPECT_EQ(both.text(),
            "t.yaml:3:15: error: efficiency: '8' has no unit; a size needs one, e.g. 8KiB\n"
            "t.yaml:3:18: error: efficiency: 2 is out of range; it must be between 0 and 1\n");
  Read flat = read(with("name: x\n", "name: x\nefficiency: 0.5\n"));
  EXPECT_EQ(
      flat.text(),
      "t.yaml:3:13: error: 'efficiency' must be a list of [8KiB, 0.5] pairs, not a single value\n");
}

TEST(ConfigReader, WrongShapes) {
  Read scalar_section = read(with("npu:\n  clock: 1GHz\n", "npu: 5\n"));
  EXPECT_EQ(scalar_section.text(),
            "t.yaml:4:6: error: 'npu' must be a mapping of keys to values, not a single value\n");
  Read optional = read(with("name: x\n", "name: x\ncache: [1, 2]\n"));
  EXPECT_EQ(optional.text(),
            "t.yaml:3:8: error: 'cache' must be a mapping of keys to values, not a list\n");
  EXPECT_FALSE(optional.spec.has_cache);
  Read empty = read(with("name: x\n", "name:\n"));
  EXPECT_EQ(empty.text(), "t.yaml:2:1: error: 'name' has no value\n");
  Read mapped = read(with("bandwidth: 4GB/s", "bandwidth: {value: 4GB/s}"));
  EXPECT_EQ(mapped.text(),
            "t.yaml:3:12: error: 'bandwidth' must be a single value, not a mapping\n");
  Read entry = read(with("    cores: 2\n", "    - 2\n"));
  EXPECT_EQ(entry.text(),
            "t.yaml:8:5: error: 'engines.big' must be a mapping of keys to values, not a list\n");
  Read item = read(with("  - clock: 1GHz\n", "  - 1GHz\n"));
  EXPECT_EQ(
      item.text(),
      "t.yaml:10:5: error: 'dvfs.0' must be a mapping of keys to values, not a single value\n");
  Read list = read(with("  - clock: 1GHz\n", "  clock: 1GHz\n"));
  EXPECT_EQ(list.text(), "t.yaml:10:3: error: 'dvfs' must be a list, not a mapping\n");
}

TEST(ConfigReader, DocumentNotAMapping) {
  Read list = read("- 1\n- 2\n");
  EXPECT_EQ(
      list.text(),
      "t.yaml:1:1: error: expected a mapping of keys to values at the top level, not a list\n");
  Read empty = read("# nothing\n");
  EXPECT_EQ(empty.text(),
            "t.yaml: error: the document is empty; expected a mapping of keys to values\n");
}

TEST(ConfigReader, SeveralErrorsAllReportedInSourceOrder) {
  const std::string doc = R"(schema_version: 1
name: x
bandwith: 4GB/s
mode: turbo
npu:
  clock: 3.3
  clock: 2GHz
engines:
  big:
    cores: 0
dvfs:
  - clock: 1GHz
    power: 2
)";
  Read r = read(doc);
  EXPECT_EQ(r.diags.error_count(), 7);
  EXPECT_EQ(
      r.text(),
      "t.yaml:1:1: error: missing required key 'bandwidth' (memory bandwidth)\n"
      "t.yaml:3:1: error: unknown key 'bandwith'; did you mean 'bandwidth'?\n"
      "t.yaml:4:7: error: mode: unknown value 'turbo' (one of: fast, balanced, frugal)\n"
      "t.yaml:6:10: error: npu.clock: '3.3' has no unit; a frequency needs one, e.g. 3.3GHz\n"
      "t.yaml:7:3: error: duplicate key 'npu.clock' (first given on line 6)\n"
      "t.yaml:10:12: error: engines.big.cores: 0 is out of range; it must be between 1 and 64\n"
      "t.yaml:13:12: error: dvfs.0.power: '2' has no unit; a power needs one, e.g. 2.5W\n");
}

TEST(ConfigReader, AppendsToExistingDiagnostics) {
  Diagnostics d;
  d.error({"other.yaml", 2, 1}, "earlier problem");
  TestSpec s;
  YamlReader reader("t.yaml", YAML::Load(with("bandwidth: 4GB/s", "bandwidth: 4")), d);
  reader.read_root([&](FieldVisitor& v) { visit_test(v, s); });
  EXPECT_EQ(d.error_count(), 2);
  EXPECT_EQ(d.all().front().message, "earlier problem");
  EXPECT_THROW(d.throw_if_errors(), InputError);
}

TEST(ConfigReader, ClosestMatch) {
  const std::vector<std::string> keys{"clock", "idle_power", "by", "bandwidth"};
  EXPECT_EQ(closest_match("clok", keys), "clock");
  EXPECT_EQ(closest_match("idel_power", keys), "idle_power");  // a swap is one edit
  EXPECT_EQ(closest_match("BandWidth", keys), "bandwidth");    // case-insensitive
  EXPECT_EQ(closest_match("x", keys), "");                     // too short to guess from
  EXPECT_EQ(closest_match("latency", keys), "");
  EXPECT_EQ(closest_match("\xC3\xA9t\xC3\xA9", keys), "");  // non-ASCII input is safe
}

// Whole files come back byte for byte (binary, with NULs); a missing file or a directory is no
// text, and read_input_text reports it at the path.
TEST(FileText, ReadsWholeFilesAndRefusesWhatIsNotOne) {
  const auto dir = std::filesystem::temp_directory_path() / "socsim-file-text-test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "bytes.bin").string();
  const std::string bytes("a\0b\r\nc", 6);
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(read_file_text(path), bytes);
  EXPECT_EQ(read_file_text((dir / "absent.yaml").string()), std::nullopt);
  EXPECT_EQ(read_file_text(dir.string()), std::nullopt);
  Diagnostics d;
  EXPECT_EQ(read_input_text(dir.string(), d), std::nullopt);
  EXPECT_EQ(d.to_string(), dir.string() + ": error: cannot open file\n");
  std::filesystem::remove_all(dir);
}
