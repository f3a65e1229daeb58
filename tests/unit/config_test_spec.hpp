// A small hand-written spec declared with the schema visitor, shared by the config-layer tests
// (reader, overrides): one field of every kind the FieldVisitor knows.
#pragma once

#include <array>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/schema.hpp"

namespace socsim::testing {

struct TestEngine {
  int64_t cores = 1;
  double memory = kUnset;
};

struct TestDvfs {
  double clock = kUnset;
  double power = kUnset;
};

struct TestSpec {
  int64_t schema_version = 0;
  std::string name;
  std::string mode;
  bool turbo = false;
  double bandwidth = kUnset;
  double latency = kUnset;
  int64_t threads = 0;
  double npu_clock = kUnset;
  double npu_peak = kUnset;
  double npu_memory = kUnset;
  bool has_cache = false;
  double cache_size = kUnset;
  double cache_energy = kUnset;
  std::vector<std::pair<std::string, TestEngine>> engines;
  std::vector<TestDvfs> dvfs;
  std::vector<std::pair<double, double>> efficiency;
  std::vector<double> fractions;
};

inline constexpr std::array<std::string_view, 3> kTestModes{"fast", "balanced", "frugal"};

inline void visit_test_engine(FieldVisitor& v, TestEngine& e) {
  v.integer("cores", e.cores, {"cores of the engine", std::nullopt, 1, 64});
  v.quantity("memory", e.memory, Dim::kBytes, {"memory of the engine", "1GB", 0, 1e12});
}

inline void visit_test_dvfs(FieldVisitor& v, TestDvfs& d) {
  v.quantity("clock", d.clock, Dim::kFrequency, {"clock of the state", std::nullopt, 1e6, 1e11});
  v.quantity("power", d.power, Dim::kPower, {"power at the state", "1W", 0, 100});
}

inline void visit_test(FieldVisitor& v, TestSpec& s) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  v.integer("schema_version", s.schema_version, {"version of the schema", std::nullopt, 1, 1});
  v.text("name", s.name, {"device name"});
  v.choice("mode", s.mode, kTestModes, {"operating mode", "balanced"});
  v.flag("turbo", s.turbo, {"turbo boost", "false"});
  v.quantity("bandwidth", s.bandwidth, Dim::kBandwidth,
             {"memory bandwidth", std::nullopt, 1e6, 1e12});
  v.quantity("latency", s.latency, Dim::kTime, {"startup latency", "450ms", 0, 10});
  v.integer("threads", s.threads, {"worker threads", "4", 1, 10000});
  v.section("npu", {"the accelerator"}, nullptr, [&](FieldVisitor& w) {
    w.quantity("clock", s.npu_clock, Dim::kFrequency, {"NPU clock", std::nullopt, 1e6, 1e11});
    w.quantity("peak", s.npu_peak, Dim::kOpsRate, {"NPU peak", std::nullopt, 0, kInf, true});
    w.quantity("memory", s.npu_memory, Dim::kBytes, {"NPU memory", "8KiB", 0, 1e12});
  });
  v.section("cache", {"optional cache"}, &s.has_cache, [&](FieldVisitor& w) {
    w.quantity("size", s.cache_size, Dim::kBytes, {"cache size", std::nullopt, 1, 1e9});
    w.quantity("energy_per_byte", s.cache_energy, Dim::kEnergyPerByte,
               {"access energy", "0J/B", 0, 1e-6});
  });
  named_entries<TestEngine>(v, "engines", {"engines by name"}, s.engines, &visit_test_engine);
  list_entries<TestDvfs>(v, "dvfs", {"DVFS states"}, s.dvfs, &visit_test_dvfs);
  v.curve("efficiency", s.efficiency, Dim::kBytes, Dim::kNumber,
          {"[size, fraction] table", std::nullopt, 0, 1, true});
  v.numbers("fractions", s.fractions, Dim::kNumber,
            {"per-layer fractions", std::nullopt, 0, 1, true});
}

// A valid document using every field.
inline constexpr const char* kTestYaml = R"(schema_version: 1
name: pixel
mode: fast
turbo: true
bandwidth: 4GB/s
npu:
  clock: 3.3GHz
  peak: 73TOPS
cache:
  size: 8KiB
  energy_per_byte: 1.2pJ/B
engines:
  big:
    cores: 2
    memory: 24GB
  little:
    cores: 4
dvfs:
  - clock: 1GHz
    power: 500mW
  - clock: 2GHz
    power: 1.5W
efficiency: [[4KiB, 0.5], [1MiB, 0.9]]
fractions: [0.5, 75%, 1]
)";

}  // namespace socsim::testing
