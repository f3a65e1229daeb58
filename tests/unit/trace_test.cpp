// End-to-end tests of `socsim run --trace FILE`: the file is trace-event JSON with a named track
// per CPU core, GPU, NPU and flash; complete ("X") events are well formed and never overlap on a
// track; every op appears once per core it occupies; the DRAM counter is present and non-negative.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

struct Trace {
  nlohmann::json doc;
  std::map<int, std::string> track_names;            // tid -> thread_name
  std::map<int, std::vector<nlohmann::json>> spans;  // tid -> "X" events
  std::vector<nlohmann::json> counters;              // "C" events
  int64_t ops = 0;                                   // ops_simulated of the run
};

// Runs `socsim run <args> --trace FILE --json -` and parses both outputs.
Trace run_traced(std::vector<std::string> args) {
  TempFile file("trace.json");
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--trace", file.str(), "--json", "-"});
  const ProcessResult r = run_socsim(args);
  Trace t;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json result = parse_json(r.out);
  EXPECT_FALSE(result.is_discarded()) << r.out;
  if (!result.is_discarded()) t.ops = result.value("ops_simulated", int64_t{0});
  t.doc = parse_json(read_text(file.path));
  EXPECT_FALSE(t.doc.is_discarded()) << "trace is not valid JSON";
  if (t.doc.is_discarded() || !t.doc.contains("traceEvents")) return t;
  for (const nlohmann::json& e : t.doc["traceEvents"]) {
    const std::string ph = e.value("ph", "");
    if (ph == "M" && e.value("name", "") == "thread_name")
      t.track_names[e["tid"]] = e["args"]["name"];
    if (ph == "X") t.spans[e["tid"]].push_back(e);
    if (ph == "C") t.counters.push_back(e);
  }
  return t;
}

// Tracks whose name starts with `prefix` ("cpu." for every CPU core).
std::vector<int> tracks_named(const Trace& t, const std::string& prefix) {
  std::vector<int> tids;
  for (const auto& [tid, name] : t.track_names)
    if (name.rfind(prefix, 0) == 0) tids.push_back(tid);
  return tids;
}

size_t spans_on(const Trace& t, const std::vector<int>& tids) {
  size_t n = 0;
  for (int tid : tids)
    if (auto it = t.spans.find(tid); it != t.spans.end()) n += it->second.size();
  return n;
}

void expect_well_formed(const Trace& t) {
  ASSERT_TRUE(t.doc.is_object());
  ASSERT_TRUE(t.doc.contains("traceEvents"));
  ASSERT_TRUE(t.doc["traceEvents"].is_array());
  ASSERT_FALSE(t.spans.empty());
  for (const auto& [tid, spans] : t.spans) {
    ASSERT_TRUE(t.track_names.count(tid)) << "X events on unnamed track " << tid;
    std::vector<std::pair<double, double>> iv;
    for (const nlohmann::json& e : spans) {
      ASSERT_TRUE(e.contains("ts") && e.contains("dur") && e.contains("name")) << e.dump();
      const double ts = e["ts"], dur = e["dur"];
      EXPECT_GE(ts, 0.0) << e.dump();
      EXPECT_GE(dur, 0.0) << e.dump();
      iv.emplace_back(ts, ts + dur);
    }
    std::sort(iv.begin(), iv.end());
    for (size_t i = 1; i < iv.size(); ++i)
      EXPECT_LE(iv[i - 1].second, iv[i].first + 1e-6)
          << "overlap on " << t.track_names.at(tid) << ": [" << iv[i - 1].first << ", "
          << iv[i - 1].second << "] and [" << iv[i].first << ", " << iv[i].second << "] us";
  }
  ASSERT_FALSE(t.counters.empty()) << "no DRAM counter events";
  for (const nlohmann::json& c : t.counters) {
    EXPECT_EQ(c.value("name", ""), "DRAM GB/s");
    EXPECT_GE(c["ts"].get<double>(), 0.0);
    for (const auto& [k, v] : c["args"].items()) EXPECT_GE(v.get<double>(), 0.0) << c.dump();
  }
}

TEST(Trace, CpuPolicyOnRedmiK70Pro) {
  const Trace t = run_traced({"--prompt", "16", "--gen", "3"});
  expect_well_formed(t);
  // Tracks: one per core of big (1), mid (5) and little (2), then gpu, npu and flash.
  std::vector<std::string> names;
  for (const auto& [tid, name] : t.track_names) names.push_back(name);
  const std::vector<std::string> expected = {
      "cpu.big",      "cpu.mid/0",    "cpu.mid/1", "cpu.mid/2", "cpu.mid/3", "cpu.mid/4",
      "cpu.little/0", "cpu.little/1", "gpu",       "npu",       "flash"};
  EXPECT_EQ(names, expected);
  // The cpu policy runs every op on all cores of the non-little clusters, nothing elsewhere.
  ASSERT_GT(t.ops, 0);
  const std::vector<int> cpu = tracks_named(t, "cpu."), little = tracks_named(t, "cpu.little");
  EXPECT_EQ(spans_on(t, cpu), static_cast<size_t>(t.ops) * (cpu.size() - little.size()));
  EXPECT_EQ(spans_on(t, little), 0u);
  for (const char* unit : {"gpu", "npu"}) EXPECT_EQ(spans_on(t, tracks_named(t, unit)), 0u) << unit;
  for (int tid : tracks_named(t, "cpu.mid"))
    EXPECT_EQ(spans_on(t, {tid}), static_cast<size_t>(t.ops)) << t.track_names.at(tid);
}

TEST(Trace, CpuPolicyOnChosenClusterUsesItsCoresOnly) {
  const Trace t = run_traced(
      {"--hw", "oneplus-ace2", "--prompt", "8", "--gen", "2", "--set", "policy.clusters=mid"});
  expect_well_formed(t);
  const std::vector<int> mid = tracks_named(t, "cpu.mid/");
  EXPECT_EQ(mid.size(), 3u);  // oneplus-ace2: 3 mid cores
  EXPECT_EQ(spans_on(t, tracks_named(t, "cpu.")), static_cast<size_t>(t.ops) * mid.size());
  EXPECT_EQ(spans_on(t, mid), static_cast<size_t>(t.ops) * mid.size());
}

TEST(Trace, GpuAndNpuPoliciesUseTheirTrack) {
  for (const char* unit : {"gpu", "npu"}) {
    const Trace t = run_traced({"--policy", unit, "--prompt", "16", "--gen", "2"});
    expect_well_formed(t);
    ASSERT_GT(t.ops, 0) << unit;
    EXPECT_EQ(spans_on(t, tracks_named(t, unit)), static_cast<size_t>(t.ops)) << unit;
    EXPECT_EQ(spans_on(t, tracks_named(t, "cpu.")), 0u) << unit;
    for (const char* track : {"cpu.big", "gpu", "npu", "flash"})
      EXPECT_EQ(tracks_named(t, track).size(), 1u) << track;
  }
}

TEST(Trace, SpansCarryPhaseAndEndAtTheRunTotal) {
  TempFile file("trace.json");
  const ProcessResult r =
      run_socsim({"run", "--prompt", "16", "--gen", "3", "--trace", file.str(), "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json result = parse_json(r.out), doc = parse_json(read_text(file.path));
  ASSERT_FALSE(result.is_discarded());
  ASSERT_FALSE(doc.is_discarded());
  double last_end_us = 0;
  std::map<std::string, int> phases;
  for (const nlohmann::json& e : doc["traceEvents"]) {
    if (e.value("ph", "") != "X") continue;
    last_end_us = std::max(last_end_us, e["ts"].get<double>() + e["dur"].get<double>());
    ++phases[e["args"].value("phase", "?")];
  }
  EXPECT_TRUE(near_rel(last_end_us * 1e-6, result["total_s"].get<double>(), 1e-9))
      << last_end_us << " us vs total_s " << result["total_s"];
  EXPECT_GT(phases["prefill"], 0);
  EXPECT_GT(phases["decode"], 0);
  EXPECT_EQ(phases.count("?"), 0u);
}

}  // namespace
}  // namespace socsim::testing
