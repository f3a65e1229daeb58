// Sweep files and their points (sim/sweep/), in-process: reading (strict keys, located errors),
// numeric ranges, point enumeration order and counts for product, zip, explicit points and seeds,
// the definition hash, result rows and their CSV, and the SimGrid epoch that lets a worker run
// one point after another with the results of a fresh process.
#include <gtest/gtest.h>

#include <fstream>

#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"
#include "sim/sweep/result_row.hpp"
#include "sim/sweep/sweep_points.hpp"
#include "sim/sweep/value_range.hpp"
#include "tests/unit/socsim_runner.hpp"

using namespace socsim;
using socsim::testing::TempFile;

namespace {

// Writes `text` to a temporary sweep file and reads it.
struct SweepFile {
  TempFile file{"sweep.yaml"};
  explicit SweepFile(const std::string& text) { std::ofstream(file.path) << text; }
  SweepSpec read() const { return read_sweep(file.str()); }
  // The errors of reading it, one per line, with the file name replaced by "F".
  std::string errors() const {
    try {
      read();
    } catch (const InputError& e) {
      std::string s = e.diagnostics().to_string();
      for (size_t p; (p = s.find(file.str())) != std::string::npos;)
        s.replace(p, file.str().size(), "F");
      return s;
    }
    return "";
  }
};

std::vector<std::string> values_of(const SweepPlan& plan, size_t point) {
  std::vector<std::string> v;
  for (size_t c = 0; c < plan.columns().size(); ++c) {
    const SweepValue* x = plan.value(point, c);
    v.push_back(x ? x->text : "-");
  }
  return v;
}

const char* const kAllKinds = R"(name: kinds
base:
  policy: mllm-npu
  sets: [workload.prompt=64, "workload.gen = 1"]
product:
  hw: [redmi-k70-pro, oneplus-12]
  policy.chunk_size: [32, 64, 128]
zip:
  - hw.npu.clock: [500MHz, 750MHz]
    policy.outlier_prune_rate: [0.5, 1]
points:
  - {policy: npu}
  - {hw: redmi-k60-pro, workload.memory: 1GB}
seeds: {path: workload.prompt, count: 2, start: 10}
)";

}  // namespace

TEST(SweepSpec, ReadsEveryKindOfAxis) {
  const SweepSpec s = SweepFile(kAllKinds).read();
  EXPECT_EQ(s.name, "kinds");
  EXPECT_EQ(s.policy.text, "mllm-npu");
  EXPECT_EQ(s.hw.text, "redmi-k70-pro");  // the default when base omits it
  ASSERT_EQ(s.sets.size(), 2u);
  EXPECT_EQ(s.sets[1].text, "workload.gen=1");  // list form, spaces trimmed
  ASSERT_EQ(s.product.size(), 2u);
  EXPECT_EQ(s.product[1].path, "policy.chunk_size");
  EXPECT_EQ(s.product[1].values[2].text, "128");
  EXPECT_EQ(s.product[1].values[2].loc.line, 7);
  EXPECT_EQ(s.product[1].values[2].loc.col, 31);
  ASSERT_EQ(s.zips.size(), 1u);
  EXPECT_EQ(s.zips[0].size(), 2u);
  EXPECT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.seeds.path, "workload.prompt");
  EXPECT_EQ(s.seeds.count, 2);
}

TEST(SweepPoints, OrderAndCountOfProductZipPointsAndSeeds) {
  const SweepPlan plan(SweepFile(kAllKinds).read());
  // (2 hw x 3 chunk x 2 zip tuples + 2 points) x 2 seeds.
  ASSERT_EQ(plan.size(), 28u);
  EXPECT_EQ(plan.columns(), (std::vector<std::string>{"hw", "policy.chunk_size", "hw.npu.clock",
                                                      "policy.outlier_prune_rate", "policy",
                                                      "workload.memory", "workload.prompt"}));
  using V = std::vector<std::string>;
  EXPECT_EQ(values_of(plan, 0), (V{"redmi-k70-pro", "32", "500MHz", "0.5", "-", "-", "10"}));
  EXPECT_EQ(values_of(plan, 1), (V{"redmi-k70-pro", "32", "500MHz", "0.5", "-", "-", "11"}));
  EXPECT_EQ(values_of(plan, 2), (V{"redmi-k70-pro", "32", "750MHz", "1", "-", "-", "10"}));
  EXPECT_EQ(values_of(plan, 4), (V{"redmi-k70-pro", "64", "500MHz", "0.5", "-", "-", "10"}));
  EXPECT_EQ(values_of(plan, 12), (V{"oneplus-12", "32", "500MHz", "0.5", "-", "-", "10"}));
  EXPECT_EQ(values_of(plan, 23), (V{"oneplus-12", "128", "750MHz", "1", "-", "-", "11"}));
  EXPECT_EQ(values_of(plan, 24), (V{"-", "-", "-", "-", "npu", "-", "10"}));
  EXPECT_EQ(values_of(plan, 27), (V{"redmi-k60-pro", "-", "-", "-", "-", "1GB", "11"}));
  // The run of a point: base sets first, then the point's values, so they win.
  const RunRequest r = plan.request(27);
  EXPECT_EQ(r.hw, "redmi-k60-pro");
  EXPECT_EQ(r.policy, "mllm-npu");
  EXPECT_EQ(r.sets, (V{"workload.prompt=64", "workload.gen=1", "workload.memory=1GB",
                       "workload.prompt=11"}));
  EXPECT_EQ(plan.request(24).policy, "npu");
}

TEST(SweepPoints, WithoutAxesTheBaseRunsOncePerSeed) {
  EXPECT_EQ(SweepPlan(SweepFile("name: b\nbase: {}\n").read()).size(), 1u);
  const SweepPlan seeds(
      SweepFile("name: b\nbase: {policy: powerinfer2}\nseeds: {path: policy.seed, count: 5}\n")
          .read());
  ASSERT_EQ(seeds.size(), 5u);
  EXPECT_EQ(seeds.value(4, 0)->text, "5");  // start defaults to 1
  EXPECT_EQ(SweepPlan(SweepFile("name: b\nbase: {}\npoints: [{hw: oneplus-12}]\n").read()).size(),
            1u);  // explicit points only: no base point
}

TEST(SweepPoints, DefinitionHashChangesWithAnyValue) {
  const SweepPlan a(SweepFile(kAllKinds).read());
  const SweepPlan b(SweepFile(kAllKinds).read());
  std::string text = kAllKinds;
  text.replace(text.find("[32, 64, 128]"), 13, "[32, 64, 256]");
  const SweepPlan c(SweepFile(text).read());
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a.hash(), c.hash());
  EXPECT_EQ(a.hash().size(), 16u);
}

TEST(SweepRange, StepCountAndFactorKeepTheUnit) {
  using V = std::vector<std::string>;
  EXPECT_EQ(expand_range({"500MHz", "600MHz", std::string("25MHz"), {}, {}}, 100).values,
            (V{"500MHz", "525MHz", "550MHz", "575MHz", "600MHz"}));
  EXPECT_EQ(expand_range({"0.1", "0.3", std::string("0.1"), {}, {}}, 100).values,
            (V{"0.1", "0.2", "0.3"}));  // no 0.30000000000000004
  EXPECT_EQ(expand_range({"1GB/s", "3GB/s", {}, {}, 3}, 100).values,
            (V{"1GB/s", "2GB/s", "3GB/s"}));
  EXPECT_EQ(expand_range({"32", "512", {}, std::string("2"), {}}, 100).values,
            (V{"32", "64", "128", "256", "512"}));
  EXPECT_EQ(expand_range({"1GHz", "900MHz", std::string("1MHz"), {}, {}}, 100).error,
            "from and to must be written in the same unit ('GHz' vs 'MHz')");
  EXPECT_EQ(expand_range({"1", "1000", std::string("1"), {}, {}}, 10).error,
            "the range has more than 10 values");
}

TEST(SweepSpecErrors, EveryProblemWithFileLineAndKey) {
  const SweepFile f(R"(name: e
base:
  hw: redmi-k70-pro
  polcy: npu
product:
  hww.npu.clock: [1GHz]
  hw.npu.clock: {from: 1GHz, to: 2MHz, step: 1MHz}
  policy.chunk_size: []
zip:
  - {hw.npu.peak.int8: [1TOPS, 2TOPS], policy.engine: [mllm]}
seeds: {path: policy.seed}
prodcut: {}
)");
  EXPECT_EQ(
      f.errors(),
      "F:4:3: error: unknown key 'base.polcy'; did you mean 'policy'?\n"
      "F:6:3: error: product.hww.npu.clock: 'hww.npu.clock' is not a parameter path (did you "
      "mean 'hw'?); use hw, model, policy, backend, session, or ROOT.PARAM with ROOT one of hw, "
      "model, policy, engine, workload, session (see `socsim describe ROOT`)\n"
      "F:7:17: error: product.hw.npu.clock: from and to must be written in the same unit ('GHz' "
      "vs 'MHz')\n"
      "F:8:22: error: 'product.policy.chunk_size' has no values\n"
      "F:10:40: error: zip.0.policy.engine has 1 values but zip.0.hw.npu.peak.int8 has 2: the "
      "lists of a zip group move together and need one length\n"
      "F:11:8: error: seeds needs path and count, e.g. {path: policy.seed, count: 5}\n"
      "F:12:1: error: unknown key 'prodcut'; did you mean 'product'?\n");
}

TEST(SweepSpecErrors, AnAxisVariesInOnePlace) {
  EXPECT_EQ(SweepFile("name: d\nbase: {}\nproduct: {hw.npu.clock: [1GHz]}\n"
                      "zip: [{hw.npu.clock: [2GHz]}]\n")
                .errors(),
            "F:4:8: error: the axis 'hw.npu.clock' is already given on line 3; an axis varies in "
            "one place (product, one zip group or seeds)\n");
  EXPECT_EQ(SweepFile("name: d\nbase: {}\nproduct: {backend: [simgrid, analytc]}\n").errors(),
            "F:3:30: error: product.backend: unknown backend 'analytc' (one of: simgrid, "
            "analytic)\n");
}

TEST(SweepRows, FlattenedResultWithoutWallClockAndItsCsv) {
  nlohmann::ordered_json run = {{"hw", "x"},
                                {"ttft_s", 0.5},
                                {"energy_j_by_unit", {{"npu", 1.25}, {"cpu.big", 2.0}}},
                                {"decode_token_latency_s", {{"p99", 0.1}}},
                                {"ops_simulated", 122},
                                {"sim_wall_s", 0.0012}};
  const nlohmann::ordered_json flat = flatten_result(run);
  EXPECT_EQ(flat.dump(),
            R"({"hw":"x","ttft_s":0.5,"energy_j_by_unit.npu":1.25,"energy_j_by_unit.cpu.big":2.0,)"
            R"("decode_token_latency_s.p99":0.1,"ops_simulated":122})");
  const SweepPlan plan(SweepFile("name: r\nbase: {}\nproduct: {hw: [a, b]}\n").read());
  const std::string line = row_line(plan, 1, PointStatus::kOk, "", flat);
  EXPECT_EQ(line.rfind(R"({"point":1,"axes":{"hw":"b"},"status":"ok","message":"","result":{)", 0),
            0u)
      << line;
  const std::optional<RowCells> r = parse_row(line, plan.columns());
  ASSERT_TRUE(r);
  CsvLayout csv(plan.columns());
  EXPECT_TRUE(csv.add(*r));
  EXPECT_EQ(csv.header(),
            "point,hw,status,message,result.hw,ttft_s,energy_j_by_unit.npu,energy_j_by_unit.cpu."
            "big,decode_token_latency_s.p99,ops_simulated\n");
  EXPECT_EQ(csv.line(*r), "1,b,ok,,x,0.5,1.25,2.0,0.1,122\n");
  // A failed point: a quoted message and empty metrics; a new key lands after its predecessor.
  const std::string bad =
      row_line(plan, 0, PointStatus::kInfeasible, "does not fit, \"8GB\"\nneeded", {});
  EXPECT_EQ(csv.line(*parse_row(bad, plan.columns())),
            "0,a,infeasible,\"does not fit, \"\"8GB\"\"\nneeded\",,,,,,\n");
  RowCells wider = *r;
  wider.result.insert(wider.result.begin() + 3, {"energy_j_by_unit.gpu", "0.0"});
  EXPECT_TRUE(csv.add(wider));
  EXPECT_NE(csv.header().find("energy_j_by_unit.npu,energy_j_by_unit.gpu,energy_j_by_unit.cpu"),
            std::string::npos)
      << csv.header();
  EXPECT_FALSE(parse_row(line.substr(0, line.size() - 1), plan.columns()));  // a torn row
}

// SimGrid 3.32 keeps its clock and engine signal handlers across engines; the backend resets
// both (sim/engine/simgrid_epoch.hpp), so the same point simulated after others in one process
// gives exactly the result of its first run.
// The result (less its wall time) of a 128-token mllm-NPU prefill on `hw` at `chunk`.
static std::string chunked_prefill_result(const std::string& hw, int chunk) {
  RunRequest req;
  req.policy = "mllm-npu";
  req.hw = hw;
  req.sets = {"workload.prompt=128", "workload.gen=1",
              "policy.chunk_size=" + std::to_string(chunk)};
  const LoadedRun run = load_run(req);
  nlohmann::ordered_json j = result_json(run, *simulate(run, BackendKind::kSimGrid));
  j.erase("sim_wall_s");
  return j.dump();
}

TEST(SimGridEpoch, APointRunAfterOthersGivesTheSameBits) {
  auto point = [](int chunk) { return chunked_prefill_result("redmi-k70-pro", chunk); };
  const std::string first = point(64);
  for (int chunk : {32, 128, 16, 64, 128}) point(chunk);
  EXPECT_EQ(point(64), first);
}

// Under an EngineReuseScope, consecutive points on the same phone share one engine and platform
// (the clock set back to 0 in between); a point's bits are those of a fresh engine, also after a
// point on another phone made the backend build a new one.
TEST(SimGridEpoch, AReusedEngineGivesTheBitsOfAFreshOne) {
  auto point = chunked_prefill_result;
  const std::string fresh64 = point("redmi-k70-pro", 64);
  const std::string fresh32 = point("oneplus-12", 32);
  EngineReuseScope reuse;
  for (int chunk : {32, 128, 16}) point("redmi-k70-pro", chunk);
  EXPECT_EQ(point("redmi-k70-pro", 64), fresh64);
  EXPECT_EQ(point("oneplus-12", 32), fresh32);
  EXPECT_EQ(point("redmi-k70-pro", 64), fresh64);
  EXPECT_NE(fresh32, fresh64);
}
