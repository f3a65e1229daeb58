// Generated parameter docs (describe_params on the real hardware schema), the resolved-config
// writer and its exact round trip through the strict reader, and unit formatting.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <string>

#include "sim/config/describe.hpp"
#include "sim/config/yaml_reader.hpp"
#include "sim/hw/hw_spec.hpp"
#include "tests/unit/config_test_spec.hpp"

using namespace socsim;

namespace {

const ParamRow* find_row(const std::vector<ParamRow>& rows, const std::string& path) {
  for (const ParamRow& r : rows)
    if (r.path == path) return &r;
  return nullptr;
}

std::vector<ParamRow> hw_rows() {
  HwSpec hw;
  return describe_params([&](FieldVisitor& v) { visit_hw(v, hw); });
}

// A profile using every hardware field.
const char* kFullProfile = R"(schema_version: 1
name: test-phone
soc: Test SoC
cpu:
  big:
    cores: 1
    rated_clock: 3.3GHz
    peak: {fp32: 105.6GFLOPS, fp16: 211.2GFLOPS, int8: 422.4GOPS}
    idle_power: 50mW
    dvfs:
      - {clock: 1.5GHz, busy_power: 1W}
      - {clock: 3.3GHz, busy_power: 5.3W}
    launch_overhead: 20us
    port_bandwidth: 30GB/s
    efficiency:
      matmul: {by: flops, compute: [[5.37e8, 0.093], [2.89e9, 0.139]], memory: [[4KiB, 0.4], [16MiB, 0.9]]}
      attention: {}
      elementwise: {by: rows, compute: [[1, 0.25]]}
  little:
    cores: 2
    rated_clock: 2.2GHz
    peak: {fp32: 17.6GFLOPS}
    dvfs: [{clock: 2.2GHz, busy_power: 0.3W}]
    port_bandwidth: 10GB/s
    efficiency: {matmul: {}, attention: {}, elementwise: {}}
gpu:
  rated_clock: 1GHz
  peak: {fp16: 4TFLOPS}
  dvfs: [{clock: 500MHz, busy_power: 1W}, {clock: 1GHz, busy_power: 3W}]
  port_bandwidth: 60GB/s
  efficiency: {matmul: {}, attention: {}, elementwise: {}}
npu:
  concurrency: 2
  rated_clock: 1.2GHz
  clock: 1GHz
  peak: {fp16: 36TOPS, int8: 73TOPS, int4: 146TOPS}
  dvfs: [{clock: 600MHz, busy_power: 2W}, {clock: 1.2GHz, busy_power: 4.5W}]
  launch_overhead: 100us
  port_bandwidth: 56GB/s
  efficiency: {matmul: {by: rows, compute: [[1, 0.2], [128, 0.9]]}, attention: {}, elementwise: {}}
  graph: {setup: 450ms, build_per_graph: 1.5s, optimize_per_param: 2ns, memory_per_graph: 64MiB}
  addressable_memory: 3.5GiB
dram:
  capacity: 24GB
  available: 16GB
  bandwidth: 77GB/s
  energy_per_byte: 1.2pJ/B
  background_power: 80mW
flash:
  capacity: 1TB
  sequential_read: [[128KiB, 2GB/s], [1MiB, 4GB/s]]
  random_read: [[4KiB, 300MB/s], [64KiB, 1.5GB/s]]
  iops_limit: 100kIOPS
  queue_depth: [[1, 0.2], [32, 1]]
  issuers: {big: {random_4k: 400MB/s}}
  active_power: 1.2W
other_power: 500mW
)";

HwSpec read_profile(const std::string& label, const std::string& yaml, Diagnostics& d) {
  HwSpec hw;
  YamlReader reader(label, YAML::Load(yaml), d);
  reader.read_root([&](FieldVisitor& v) { visit_hw(v, hw); });
  return hw;
}

std::string resolved(HwSpec& hw) {
  return write_resolved([&](FieldVisitor& v) { visit_hw(v, hw); });
}

}  // namespace

TEST(Describe, HwRowsHaveTypeUnitDefaultAndBounds) {
  std::vector<ParamRow> rows = hw_rows();
  const ParamRow* peak = find_row(rows, "npu.peak.int8");
  ASSERT_NE(peak, nullptr);
  EXPECT_EQ(peak->type, "throughput");
  EXPECT_EQ(peak->unit, "OPS");
  EXPECT_EQ(peak->default_, "derived");
  EXPECT_EQ(peak->bounds, ">= 0OPS");
  const ParamRow* cores = find_row(rows, "cpu.<name>.cores");
  ASSERT_NE(cores, nullptr);
  EXPECT_EQ(cores->type, "integer");
  EXPECT_EQ(cores->unit, "");
  EXPECT_EQ(cores->default_, "required");
  EXPECT_EQ(cores->bounds, "[1, 64]");
  EXPECT_EQ(cores->help, "number of cores in the cluster");
  const ParamRow* clock = find_row(rows, "npu.dvfs.<i>.clock");
  ASSERT_NE(clock, nullptr);
  EXPECT_EQ(clock->type, "frequency");
  EXPECT_EQ(clock->bounds, "[1MHz, 100GHz]");
  const ParamRow* energy = find_row(rows, "dram.energy_per_byte");
  ASSERT_NE(energy, nullptr);
  EXPECT_EQ(energy->default_, "0J/B");
  EXPECT_EQ(energy->bounds, "[0J/B, 1uJ/B]");
  const ParamRow* seq = find_row(rows, "flash.sequential_read");
  ASSERT_NE(seq, nullptr);
  EXPECT_EQ(seq->type, "table of [size, bandwidth]");
  EXPECT_EQ(seq->unit, "B, B/s");
  EXPECT_EQ(seq->bounds, "[100kB/s, 1TB/s]");
  const ParamRow* by = find_row(rows, "gpu.efficiency.matmul.by");
  ASSERT_NE(by, nullptr);
  EXPECT_EQ(by->type, "one of flops|rows|bytes");
  EXPECT_EQ(by->default_, "flops");
  const ParamRow* graph = find_row(rows, "npu.graph");
  ASSERT_NE(graph, nullptr);
  EXPECT_EQ(graph->type, "section (optional)");
  const ParamRow* soc = find_row(rows, "soc");
  ASSERT_NE(soc, nullptr);
  EXPECT_EQ(soc->default_, "\"\"");  // an empty default is shown, not left blank
  EXPECT_EQ(find_row(rows, "cpu.<name>.concurrency"), nullptr);  // CPU clusters have cores instead
  EXPECT_EQ(find_row(rows, "gpu.graph"), nullptr);
}

TEST(Describe, TableText) {
  std::vector<ParamRow> rows = hw_rows();
  std::string table = format_param_table(rows, "hw");
  EXPECT_NE(table.find("hw.npu.peak.int8  throughput [OPS]  default: derived  bounds: >= 0OPS\n"
                       "    peak throughput in this data type (multiply-accumulate = 2 ops); omit "
                       "if unsupported\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("hw.cpu.<name>.cores  integer  default: required  bounds: [1, 64]\n"
                       "    number of cores in the cluster\n"),
            std::string::npos);
  EXPECT_NE(
      table.find(
          "hw.cpu  (mapping of named entries)\n    CPU clusters by name (e.g. big, mid, little)\n"),
      std::string::npos);
}

TEST(Describe, ResolvedRoundTripsThroughReader) {
  Diagnostics d;
  HwSpec a = read_profile("full.yaml", kFullProfile, d);
  ASSERT_EQ(d.to_string(), "");
  std::string text = resolved(a);
  EXPECT_NE(text.find("int8: 73TOPS"), std::string::npos) << text;
  EXPECT_NE(text.find("energy_per_byte: 1.2pJ/B"), std::string::npos);
  EXPECT_NE(text.find("setup: 450ms"), std::string::npos);
  EXPECT_NE(text.find("memory_per_graph: 64MiB"), std::string::npos);
  EXPECT_NE(text.find("sequential_read: [[128KiB, 2GB/s], [1MiB, 4GB/s]]"), std::string::npos);
  EXPECT_EQ(text.find("unset"),
            std::string::npos);  // unsupported data types are omitted, not "unset"

  HwSpec b = read_profile("resolved.yaml", text, d);
  ASSERT_EQ(d.to_string(), "") << text;
  EXPECT_EQ(resolved(b), text);
  ASSERT_EQ(b.cpu.size(), 2u);
  EXPECT_EQ(b.cpu[1].first, "little");
  EXPECT_EQ(b.cpu[1].second.cores, 2);
  for (int t = 0; t < kNumDTypes; ++t) {
    EXPECT_EQ(std::isnan(b.npu.peak.by_dtype[t]), std::isnan(a.npu.peak.by_dtype[t])) << t;
    if (!std::isnan(a.npu.peak.by_dtype[t])) {
      EXPECT_EQ(b.npu.peak.by_dtype[t], a.npu.peak.by_dtype[t]) << t;
    }
  }
  EXPECT_EQ(b.npu.clock, a.npu.clock);
  EXPECT_EQ(b.npu.concurrency, 2);
  EXPECT_TRUE(b.has_npu && b.npu.has_graph && b.has_gpu && b.has_flash);
  EXPECT_FALSE(b.gpu.has_graph);
  EXPECT_EQ(b.npu.graph.optimize_per_param, a.npu.graph.optimize_per_param);
  EXPECT_EQ(b.npu.addressable_memory, 3.5 * 1024 * 1024 * 1024);
  EXPECT_EQ(b.npu.efficiency[0].by, "rows");
  EXPECT_EQ(b.cpu[0].second.efficiency[0].compute, a.cpu[0].second.efficiency[0].compute);
  EXPECT_EQ(b.dram.energy_per_byte, a.dram.energy_per_byte);
  EXPECT_EQ(b.flash.random_read, a.flash.random_read);
  EXPECT_EQ(b.flash.iops_limit, 1e5);
  ASSERT_EQ(b.flash.issuers.size(), 1u);
  EXPECT_EQ(b.flash.issuers[0].second.random_4k, 4e8);
}

TEST(Describe, ResolvedKeepsEveryBitOfAwkwardValues) {
  Diagnostics d;
  HwSpec a = read_profile("full.yaml", kFullProfile, d);
  a.dram.bandwidth = 0.1 + 0.2 + 1e10;  // no short decimal form
  a.npu.clock = 1e9 / 3;
  a.cpu[0].second.launch_overhead = 1.0 / 7 * 1e-5;
  a.flash.capacity = 12345678901234.5;
  HwSpec b = read_profile("resolved.yaml", resolved(a), d);
  ASSERT_EQ(d.to_string(), "");
  EXPECT_EQ(b.dram.bandwidth, a.dram.bandwidth);
  EXPECT_EQ(b.npu.clock, a.npu.clock);
  EXPECT_EQ(b.cpu[0].second.launch_overhead, a.cpu[0].second.launch_overhead);
  EXPECT_EQ(b.flash.capacity, a.flash.capacity);
}

TEST(Describe, ResolvedTestSpecExactText) {
  using namespace socsim::testing;
  Diagnostics d;
  TestSpec s;
  YamlReader reader("t.yaml", YAML::Load(kTestYaml), d);
  reader.read_root([&](FieldVisitor& v) { visit_test(v, s); });
  ASSERT_EQ(d.to_string(), "");
  EXPECT_EQ(write_resolved([&](FieldVisitor& v) { visit_test(v, s); }),
            "schema_version: 1\n"
            "name: pixel\n"
            "mode: fast\n"
            "turbo: true\n"
            "bandwidth: 4GB/s\n"
            "latency: 450ms\n"
            "threads: 4\n"
            "npu:\n"
            "  clock: 3.3GHz\n"
            "  peak: 73TOPS\n"
            "  memory: 8KiB\n"
            "cache:\n"
            "  size: 8KiB\n"
            "  energy_per_byte: 1.2pJ/B\n"
            "engines:\n"
            "  big:\n"
            "    cores: 2\n"
            "    memory: 24GB\n"
            "  little:\n"
            "    cores: 4\n"
            "    memory: 1GB\n"
            "dvfs:\n"
            "  - clock: 1GHz\n"
            "    power: 500mW\n"
            "  - clock: 2GHz\n"
            "    power: 1.5W\n"
            "efficiency: [[4KiB, 0.5], [1MiB, 0.9]]\n"
            "fractions: [0.5, 0.75, 1]\n");
}

TEST(FormatQuantity, PrefixesAndPrecision) {
  EXPECT_EQ(format_quantity(0.5, Dim::kTime), "500ms");
  EXPECT_EQ(format_quantity(1.2e-12, Dim::kEnergyPerByte), "1.2pJ/B");
  EXPECT_EQ(format_quantity(20e-12, Dim::kEnergyPerByte), "20pJ/B");
  EXPECT_EQ(format_quantity(3e-15, Dim::kEnergy), "3fJ");
  EXPECT_EQ(format_quantity(0, Dim::kTime), "0s");
  EXPECT_EQ(format_quantity(2e-6, Dim::kTime), "2us");
  EXPECT_EQ(format_quantity(3600, Dim::kTime), "3.6ks");
  EXPECT_EQ(format_quantity(8192, Dim::kBytes), "8KiB");
  EXPECT_EQ(format_quantity(1536, Dim::kBytes), "1.5KiB");
  EXPECT_EQ(format_quantity(1000, Dim::kBytes), "1kB");
  EXPECT_EQ(format_quantity(24e9, Dim::kBytes), "24GB");
  EXPECT_EQ(format_quantity(512, Dim::kBytes), "512B");
  EXPECT_EQ(format_quantity(3.3e9, Dim::kFrequency), "3.3GHz");
  EXPECT_EQ(format_quantity(73e12, Dim::kOpsRate), "73TOPS");
  EXPECT_EQ(format_quantity(1e5, Dim::kRequestRate), "100kIOPS");
  EXPECT_EQ(format_quantity(0.75, Dim::kNumber), "0.75");
  EXPECT_EQ(format_quantity(-2.5, Dim::kPower), "-2.5W");
  EXPECT_EQ(format_quantity(0.1 + 0.2, Dim::kNumber), "0.30000000000000004");
  EXPECT_EQ(format_quantity(1e300, Dim::kNumber), "1e+300");
  EXPECT_EQ(format_quantity(537e6, Dim::kNumber), "537000000");
  EXPECT_EQ(format_quantity(std::nan(""), Dim::kBytes), "nan");
}
