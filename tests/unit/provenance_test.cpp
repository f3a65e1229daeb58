// Provenance collection: the kinds, paths, ranges and shares of a small tagged profile
// (tests/provenance/tagged.yaml), anchored tables keeping the anchor's tags, located errors for
// malformed tags (tests/provenance/malformed.yaml), tags declared in code (every registered
// policy's numeric default has one, and it parses), and a run's provenance whose every path is a
// valid `--set` path.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "sim/config/schema.hpp"
#include "sim/driver/input_cache.hpp"
#include "sim/provenance/collector.hpp"
#include "sim/provenance/provenance_report.hpp"
#include "sim/provenance/run_provenance.hpp"
#include "tests/unit/in_data_dir.hpp"

using namespace socsim;

namespace {

class Provenance : public socsim::testing::InDataDir {
 protected:
  static std::map<std::string, ParameterProvenance> by_path(
      const std::vector<ParameterProvenance>& params) {
    std::map<std::string, ParameterProvenance> m;
    for (const ParameterProvenance& p : params) EXPECT_TRUE(m.emplace(p.path, p).second) << p.path;
    return m;
  }
};

}  // namespace

TEST_F(Provenance, TaggedFixtureGivesKindsPathsAndRanges) {
  Diagnostics d;
  const auto params = file_provenance("hw", "tests/provenance/tagged.yaml", d);
  EXPECT_EQ(d.to_string(), "");
  const auto p = by_path(params);
  auto kind = [&](const std::string& path) {
    auto it = p.find(path);
    return it == p.end() ? std::string("absent") : std::string(kind_name(it->second.kind));
  };
  EXPECT_EQ(kind("hw.cpu.big.cores"), "datasheet");
  EXPECT_EQ(p.at("hw.cpu.big.cores").source, "two cores");
  EXPECT_EQ(p.at("hw.cpu.big.cores").loc.line, 8);
  EXPECT_EQ(kind("hw.cpu.big.peak.int8"), "measured");
  EXPECT_EQ(kind("hw.cpu.big.peak.fp16"), "untagged");
  EXPECT_EQ(p.at("hw.cpu.big.peak.fp16").source, "twice fp32 (no tag)");
  EXPECT_EQ(kind("hw.cpu.big.peak.fp32"), "assumption");
  EXPECT_EQ(p.at("hw.cpu.big.peak.fp32").range->lo, 20e9);
  EXPECT_EQ(p.at("hw.cpu.big.peak.fp32").range->hi, 30e9);
  EXPECT_EQ(p.at("hw.cpu.big.idle_power").range->lo, 0.02);
  EXPECT_FALSE(p.at("hw.cpu.big.idle_power").range->relative);
  // One comment on a line of two values tags both, with a relative range.
  for (const char* path : {"hw.cpu.big.dvfs.0.clock", "hw.cpu.big.dvfs.0.busy_power"}) {
    EXPECT_EQ(kind(path), "assumption") << path;
    EXPECT_TRUE(p.at(path).range->relative) << path;
    EXPECT_EQ(p.at(path).range->hi, 1.25) << path;
  }
  EXPECT_EQ(kind("hw.cpu.big.dvfs.1.busy_power"), "measured");
  // Tables: tagged on the key's line, row by row (the weakest row wins), flow style on one line.
  const ParameterProvenance& mm = p.at("hw.cpu.big.efficiency.matmul.compute");
  EXPECT_EQ(kind_name(mm.kind), "assumption");
  EXPECT_EQ(mm.rows.size(), 2u);
  EXPECT_EQ(mm.range->lo, 0.5);
  EXPECT_EQ(mm.value.points.at(1).second, 0.2);
  const ParameterProvenance& at = p.at("hw.cpu.big.efficiency.attention.compute");
  EXPECT_EQ(kind_name(at.kind), "assumption");
  EXPECT_EQ(kind_name(at.rows.at(0).kind), "measured");
  EXPECT_EQ(kind_name(at.rows.at(1).kind), "assumption");
  EXPECT_EQ(at.source, "by row: 1 measured, 1 assumption");
  EXPECT_EQ(at.range->hi, 1.5);
  EXPECT_EQ(kind("hw.cpu.big.efficiency.elementwise.compute"), "datasheet");
  // Not parameters: constants, unset derived values, empty tables.
  for (const char* path :
       {"hw.schema_version", "hw.cpu.big.clock", "hw.dram.available", "hw.dram.cpu_bandwidth",
        "hw.cpu.big.efficiency.matmul.memory", "hw.cpu.little.peak.fp32"})
    EXPECT_EQ(kind(path), "absent") << path;
  // Defaults not written in the file.
  EXPECT_EQ(kind("hw.dram.background_power"), "untagged");
  EXPECT_EQ(p.at("hw.dram.background_power").source, "default (not in the file)");
  EXPECT_EQ(p.at("hw.dram.background_power").loc.line, 0);
  EXPECT_EQ(kind("hw.other_power"), "assumption");
  EXPECT_EQ(shares_text(provenance_shares(params)),
            "36 numbers: 19% measured, 14% datasheet, 33% assumption, 33% untagged");
  EXPECT_EQ(params.size(), 32u);
}

TEST_F(Provenance, AnchoredTablesKeepTheAnchorsTags) {
  Diagnostics d;
  const auto p = by_path(file_provenance("hw", "tests/provenance/tagged.yaml", d));
  // `efficiency: *eff  # measured: ...` on the little cluster: the alias line's comment is not
  // the tables' tag; the anchored lines are.
  for (const char* op : {"matmul", "attention", "elementwise"}) {
    const ParameterProvenance& big = p.at(std::string("hw.cpu.big.efficiency.") + op + ".compute");
    const ParameterProvenance& little =
        p.at(std::string("hw.cpu.little.efficiency.") + op + ".compute");
    EXPECT_EQ(little.kind, big.kind) << op;
    EXPECT_EQ(little.source, big.source) << op;
    EXPECT_EQ(little.loc.line, big.loc.line) << op;
    EXPECT_NE(little.kind, ProvenanceKind::kMeasured) << op;
  }
}

// `assumption KEY [xLO, xHI]` on a line of several values: the range is KEY's, the line's other
// values are assumptions without a range (bands keep them), and a KEY of no value is an error.
TEST_F(Provenance, RangeNamedForOneValueOfALine) {
  Diagnostics d;
  const auto params = file_provenance("hw", "tests/provenance/range_key.yaml", d);
  const auto p = by_path(params);
  const ParameterProvenance& power = p.at("hw.cpu.big.dvfs.0.busy_power");
  const ParameterProvenance& clock = p.at("hw.cpu.big.dvfs.0.clock");
  EXPECT_EQ(power.kind, ProvenanceKind::kAssumption);
  ASSERT_TRUE(power.range);
  EXPECT_DOUBLE_EQ(power.range->hi, 1.25);
  EXPECT_EQ(clock.kind, ProvenanceKind::kAssumption);
  EXPECT_FALSE(clock.range);
  EXPECT_EQ(d.to_string(),
            "tests/provenance/range_key.yaml:15:43: error: provenance tag: 'assumption busy_pwr' "
            "names no value of this line\n");
}

TEST_F(Provenance, MalformedTagsAreLocatedErrorsNamingTheKey) {
  Diagnostics d;
  const auto params = file_provenance("hw", "tests/provenance/malformed.yaml", d);
  const std::string f = "tests/provenance/malformed.yaml:";
  // The anchored attention table is shared by both clusters: its error is reported once.
  EXPECT_EQ(d.to_string(),
            f +
                "6:43: error: cpu.big.cores: provenance tag: expected ':' after 'datasheet' "
                "(datasheet: SOURCE)\n" +
                f +
                "7:43: error: cpu.big.rated_clock: provenance tag: 'assumption' needs its "
                "plausible range: assumption [LO, HI]: REASON\n" +
                f +
                "9:33: error: cpu.big.peak.int8: provenance tag: the range [50GOPS, 80GOPS] does "
                "not contain the value 100GOPS\n" +
                f +
                "11:45: error: cpu.big.idle_power: provenance tag: range end: '0.02' has no unit; "
                "a power needs one, e.g. 2.5W\n" +
                f +
                "13:57: error: cpu.big.dvfs.0.clock: provenance tag: a line of several values "
                "takes a relative range [xLO, xHI]\n" +
                f +
                "14:53: error: cpu.big.dvfs.1.clock: provenance tag: 'measured:' needs its source "
                "after the colon\n" +
                f +
                "15:45: error: cpu.big.launch_overhead: provenance tag: the range's low end is "
                "above its high end: [50us, 10us]\n" +
                f +
                "19:45: error: cpu.big.efficiency.matmul.compute: provenance tag: a table takes a "
                "relative range [xLO, xHI]\n" +
                f +
                "24:33: error: cpu.big.efficiency.attention.compute: provenance tag: the range "
                "[x1.1, x2] does not contain the value itself (x1)\n");
  // In a run, the other inputs are still collected.
  RunRequest req;
  req.hw = "tests/provenance/malformed.yaml";
  Diagnostics run_d;
  const auto run_params = by_path(run_provenance(load_run(req), req.sets, run_d));
  EXPECT_EQ(run_d.error_count(), 9);
  EXPECT_TRUE(run_params.count("model.layers"));
  EXPECT_TRUE(run_params.count("hw.dram.bandwidth"));
  // A malformed tag leaves its number untagged, with the comment as its source.
  for (const ParameterProvenance& p : params)
    if (p.path == "hw.cpu.big.rated_clock") {
      EXPECT_EQ(p.kind, ProvenanceKind::kUntagged);
      EXPECT_EQ(p.source, "assumption: no range");
    }
}

TEST_F(Provenance, EveryRegisteredPolicysNumericDefaultsHaveTagsThatParse) {
  for (const std::string& name : policy_names()) {
    Diagnostics d;
    const auto params = policy_provenance(name, d);
    EXPECT_EQ(d.to_string(), "") << name;
    for (const ParameterProvenance& p : params) {
      EXPECT_EQ(p.path.rfind("policy.", 0), 0u) << p.path;
      EXPECT_EQ(p.loc.line, 0) << p.path;
      // Every numeric parameter with a default says where the default comes from.
      EXPECT_NE(p.kind, ProvenanceKind::kUntagged)
          << name << ": " << p.path << " has no FieldInfo::provenance";
    }
  }
  Diagnostics d;
  const auto p = by_path(policy_provenance("mllm-npu", d));
  EXPECT_EQ(p.at("policy.per_group_slowdown").kind, ProvenanceKind::kAssumption);
  EXPECT_EQ(p.at("policy.per_group_slowdown").range->lo, 8.1);
  EXPECT_EQ(p.at("policy.outlier_channels").range->hi, 15.0);
  EXPECT_EQ(p.at("policy.hot_outlier_share").kind, ProvenanceKind::kMeasured);
  EXPECT_EQ(p.at("policy.cpu_threads").kind, ProvenanceKind::kDatasheet);
}

TEST_F(Provenance, MalformedTagDeclaredInCodeIsReported) {
  struct Spec {
    double share = 0.5, rate = 2.0;
  } spec;
  ProvenanceInput in;
  in.root = "policy";
  in.code_label = "declared in code by policy test";
  std::vector<ParameterProvenance> out;
  Diagnostics d;
  collect_provenance(
      in,
      [&](FieldVisitor& v) {
        v.quantity("share", spec.share, Dim::kNumber,
                   {.help = "a share", .min = 0, .max = 1, .provenance = "assumption: no range"});
        v.quantity("rate", spec.rate, Dim::kNumber,
                   {.help = "a rate", .provenance = "assumption [0.1, 1]: excludes the value"});
      },
      out, d);
  EXPECT_EQ(d.to_string(),
            "declared in code by policy test: error: share: provenance tag: 'assumption' needs its "
            "plausible range: assumption [LO, HI]: REASON\n"
            "declared in code by policy test: error: rate: provenance tag: the range [0.1, 1] does "
            "not contain the value 2\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, ProvenanceKind::kUntagged);
}

TEST_F(Provenance, RunProvenanceCoversEveryInputWithSetPaths) {
  RunRequest req;
  req.hw = "tests/provenance/tagged.yaml";
  req.model = "qwen1.5-1.8b";
  req.policy = "llamacpp";  // names an engine profile
  req.sets = {"hw.dram.bandwidth=30GB/s", "workload.prompt=64"};
  InputCache cache;
  const LoadedRun run = load_run(req, &cache);
  Diagnostics d;
  const auto params = run_provenance(run, req.sets, d);
  EXPECT_EQ(d.to_string(), "");
  const auto p = by_path(params);
  EXPECT_EQ(p.at("hw.dram.bandwidth").kind, ProvenanceKind::kUntagged);
  EXPECT_EQ(p.at("hw.dram.bandwidth").source, "--set hw.dram.bandwidth=30GB/s");
  EXPECT_EQ(p.at("hw.dram.bandwidth").value.scalar, 30e9);
  EXPECT_EQ(p.at("model.layers").value.scalar, 24);
  EXPECT_TRUE(p.count("engine.cpu.matmul"));
  EXPECT_TRUE(p.count("policy.mmap_request"));
  EXPECT_FALSE(p.count("workload.prompt"));
  EXPECT_GT(params.size(), 40u);  // 31 of the profile, the engine, model and policy
  // Every scalar path is accepted by --set with its own value, and the run loads the same.
  for (const ParameterProvenance& q : params) {
    if (q.value.is_table()) continue;
    RunRequest r = req;
    r.sets.push_back(q.path + "=" +
                     (q.value.shape == ParameterValue::Shape::kInteger
                          ? std::to_string(static_cast<int64_t>(q.value.scalar))
                          : format_quantity(q.value.scalar, q.value.dim)));
    EXPECT_NO_THROW(load_run(r, &cache)) << r.sets.back();
  }
}
