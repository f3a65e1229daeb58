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

// mllm-NPU's chunked prefill (Qwen1.5-1.8B, 1024 tokens = 4 chunks of 256): the CPU works on one
// chunk (attention, shadow outlier GEMMs) while the NPU runs another chunk's blocks.
TEST(Trace, MllmNpuOverlapsCpuAndNpuAcrossChunks) {
  const Trace t = run_traced({"--hw", "redmi-k70-pro", "--model", "qwen1.5-1.8b", "--policy",
                              "mllm-npu", "--prompt", "1024", "--gen", "1"});
  expect_well_formed(t);
  struct Span {
    double start, end;
    int chunk;
  };
  // Compute spans of prefill chunks (flash reads excluded) on the CPU cores and on the NPU.
  auto spans_of = [&](const std::string& prefix) {
    std::vector<Span> out;
    for (int tid : tracks_named(t, prefix)) {
      auto it = t.spans.find(tid);
      if (it == t.spans.end()) continue;
      for (const nlohmann::json& e : it->second) {
        const nlohmann::json& a = e["args"];
        if (a.value("phase", "") != "prefill" || a.value("estimator", "") == "flash") continue;
        const int chunk = a.value("chunk", -1);
        if (chunk < 0) continue;
        const double ts = e["ts"], dur = e["dur"];
        out.push_back({ts, ts + dur, chunk});
      }
    }
    return out;
  };
  const std::vector<Span> cpu = spans_of("cpu."), npu = spans_of("npu");
  ASSERT_FALSE(cpu.empty());
  ASSERT_FALSE(npu.empty());
  const int kChunks = 1024 / 256;
  std::vector<int> npu_chunks;
  for (const Span& s : npu) npu_chunks.push_back(s.chunk);
  std::sort(npu_chunks.begin(), npu_chunks.end());
  npu_chunks.erase(std::unique(npu_chunks.begin(), npu_chunks.end()), npu_chunks.end());
  EXPECT_EQ(npu_chunks, (std::vector<int>{0, 1, 2, 3}));

  // Chunks some CPU op of which runs at the same time as an NPU op of another chunk.
  const double eps = 1e-3;  // us
  int overlapping = 0;
  for (int c = 0; c < kChunks; ++c) {
    bool found = false;
    for (const Span& a : cpu) {
      if (a.chunk != c) continue;
      for (const Span& b : npu)
        if (b.chunk != c && std::min(a.end, b.end) - std::max(a.start, b.start) > eps) found = true;
      if (found) break;
    }
    overlapping += found;
  }
  EXPECT_GE(overlapping, 3) << "of " << kChunks << " chunks";

  // Time during which both the NPU and at least one CPU core are busy (unions of intervals).
  auto merged = [](const std::vector<Span>& spans) {
    std::vector<std::pair<double, double>> iv;
    for (const Span& s : spans) iv.emplace_back(s.start, s.end);
    std::sort(iv.begin(), iv.end());
    std::vector<std::pair<double, double>> out;
    for (const auto& i : iv)
      if (!out.empty() && i.first <= out.back().second)
        out.back().second = std::max(out.back().second, i.second);
      else
        out.push_back(i);
    return out;
  };
  const auto cpu_busy = merged(cpu), npu_busy = merged(npu);
  double both = 0, npu_total = 0;
  for (const auto& n : npu_busy) {
    npu_total += n.second - n.first;
    for (const auto& c : cpu_busy)
      both += std::max(0.0, std::min(n.second, c.second) - std::max(n.first, c.first));
  }
  EXPECT_GT(both, 0.0);
  EXPECT_LE(both, npu_total * (1 + 1e-12));
}

}  // namespace
}  // namespace socsim::testing
