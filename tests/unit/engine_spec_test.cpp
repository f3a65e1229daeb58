// Engine profiles (hwprofiles/engines/, sim/hw/engine_spec.hpp): apply_engine scales every point
// of a unit kind's compute-efficiency curves (an empty curve, 1.0 everywhere, becomes the factor)
// and replaces the launch overhead only when given; a factor past peak and an unknown key are
// located errors; every shipped engine loads and applies to every shipped profile; `--set engine.*`
// and `policy.engine` behave; and the orderings that follow from the shipped factors hold between
// the baseline policies (llamacpp = cpu, mnn faster than llamacpp, tflite faster than mlc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/config/schema.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/hw/engine_spec.hpp"
#include "tests/unit/socsim_runner.hpp"

using namespace socsim;
using socsim::testing::ProcessResult;
using socsim::testing::run_socsim;
using socsim::testing::TempFile;

namespace {

constexpr size_t kMatmul = static_cast<size_t>(OpClass::kMatmul);
constexpr size_t kAttention = static_cast<size_t>(OpClass::kAttention);
constexpr size_t kElementwise = static_cast<size_t>(OpClass::kElementwise);

const std::string kEngineDir = std::string(SOCSIM_DATA_DIR) + "/hwprofiles/engines";
const std::string kHwDir = std::string(SOCSIM_DATA_DIR) + "/hwprofiles";

// A unit with the given compute curves per op class and launch overhead.
ComputeUnitSpec unit_with(const Curve& matmul, const Curve& attention, const Curve& elementwise,
                          double launch) {
  ComputeUnitSpec u;
  u.efficiency[kMatmul].compute = matmul;
  u.efficiency[kAttention].compute = attention;
  u.efficiency[kElementwise].compute = elementwise;
  u.efficiency[kMatmul].memory = {{1e6, 0.5}, {1e8, 0.8}};
  u.launch_overhead = launch;
  return u;
}

// Two CPU clusters, a GPU and an NPU with distinct curves, all well below peak.
HwSpec small_hw() {
  HwSpec hw;
  hw.name = "test-phone";
  hw.cpu.emplace_back("big",
                      unit_with({{1e8, 0.1}, {1e9, 0.2}, {1e10, 0.15}}, {{1, 0.3}}, {}, 20e-6));
  hw.cpu.emplace_back("little", unit_with({{1e8, 0.05}}, {}, {{1, 0.25}}, 30e-6));
  hw.has_gpu = true;
  hw.gpu = unit_with({{16, 0.07}, {64, 0.09}}, {{16, 0.2}}, {}, 130e-6);
  hw.has_npu = true;
  hw.npu = unit_with({{32, 0.3}, {64, 0.6}}, {}, {}, 610e-6);
  return hw;
}

EngineUnitSpec factors(double matmul, double attention, double elementwise,
                       double launch = kUnset) {
  EngineUnitSpec u;
  u.present = true;
  u.efficiency = {matmul, attention, elementwise};
  u.launch_overhead = launch;
  return u;
}

// The curve with every efficiency multiplied by f.
Curve scaled(Curve c, double f) {
  for (auto& p : c) p.second *= f;
  return c;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

TEST(EngineApply, ScalesEveryPointOfEachClassOnEveryClusterOfTheKind) {
  const HwSpec before = small_hw();
  HwSpec hw = before;
  EngineSpec e;
  e.name = "test";
  e.cpu = factors(2.0, 0.5, 0.25);
  Diagnostics d;
  apply_engine(hw, e, "test.yaml", d);
  EXPECT_TRUE(d.all().empty()) << d.to_string();
  ASSERT_EQ(hw.cpu.size(), before.cpu.size());
  for (size_t k = 0; k < hw.cpu.size(); ++k) {
    const ComputeUnitSpec &was = before.cpu[k].second, &now = hw.cpu[k].second;
    EXPECT_EQ(hw.cpu[k].first, before.cpu[k].first);
    for (size_t c : {kMatmul, kAttention, kElementwise}) {
      const Curve& old_curve = was.efficiency[c].compute;
      if (old_curve.empty()) continue;  // covered below
      EXPECT_EQ(now.efficiency[c].compute, scaled(old_curve, e.cpu.efficiency[c]))
          << hw.cpu[k].first << " " << kOpClassNames[c];
    }
    // Memory tables, the size measure and the launch overhead stay as they were.
    EXPECT_EQ(now.efficiency[kMatmul].memory, was.efficiency[kMatmul].memory);
    EXPECT_EQ(now.efficiency[kMatmul].by, was.efficiency[kMatmul].by);
    EXPECT_EQ(now.launch_overhead, was.launch_overhead);
  }
  // Units of the other kinds are untouched.
  for (size_t c : {kMatmul, kAttention, kElementwise}) {
    EXPECT_EQ(hw.gpu.efficiency[c].compute, before.gpu.efficiency[c].compute);
    EXPECT_EQ(hw.npu.efficiency[c].compute, before.npu.efficiency[c].compute);
  }
}

TEST(EngineApply, EmptyCurveBecomesTheFactor) {
  HwSpec hw = small_hw();
  ASSERT_TRUE(hw.cpu[0].second.efficiency[kElementwise].compute.empty());
  ASSERT_TRUE(hw.npu.efficiency[kAttention].compute.empty());
  EngineSpec e;
  e.cpu = factors(1.0, 1.0, 0.4);
  e.npu = factors(1.0, 0.7, 1.0);
  Diagnostics d;
  apply_engine(hw, e, "test.yaml", d);
  EXPECT_TRUE(d.all().empty()) << d.to_string();
  // An empty curve reads as 1.0 at every size (the cost model's fallback); scaled it is the factor
  // at every size.
  const Curve& cpu_elem = hw.cpu[0].second.efficiency[kElementwise].compute;
  const Curve& npu_attn = hw.npu.efficiency[kAttention].compute;
  ASSERT_FALSE(cpu_elem.empty());
  ASSERT_FALSE(npu_attn.empty());
  for (double x : {1.0, 7.0, 1e3, 1e12}) {
    EXPECT_DOUBLE_EQ(interpolate_curve(cpu_elem, x, 1.0), 0.4) << x;
    EXPECT_DOUBLE_EQ(interpolate_curve(npu_attn, x, 1.0), 0.7) << x;
  }
}

TEST(EngineApply, LaunchOverheadIsReplacedOnlyWhenGiven) {
  const HwSpec before = small_hw();
  HwSpec hw = before;
  EngineSpec e;
  e.cpu = factors(1, 1, 1);  // no launch_overhead: keep each cluster's
  e.gpu = factors(1, 1, 1, 5e-6);
  e.npu = factors(1, 1, 1, 2e-3);
  Diagnostics d;
  apply_engine(hw, e, "test.yaml", d);
  EXPECT_TRUE(d.all().empty()) << d.to_string();
  for (size_t k = 0; k < hw.cpu.size(); ++k)
    EXPECT_EQ(hw.cpu[k].second.launch_overhead, before.cpu[k].second.launch_overhead);
  EXPECT_EQ(hw.gpu.launch_overhead, 5e-6);
  EXPECT_EQ(hw.npu.launch_overhead, 2e-3);
}

TEST(EngineApply, AbsentSectionsAndAbsentUnitsChangeNothing) {
  HwSpec hw = small_hw();
  hw.has_gpu = false;
  const HwSpec before = hw;
  EngineSpec e;
  e.gpu = factors(100, 100, 100, 1.0);  // the profile has no GPU
  Diagnostics d;
  apply_engine(hw, e, "test.yaml", d);
  EXPECT_TRUE(d.all().empty()) << d.to_string();
  EXPECT_EQ(hw.gpu.efficiency[kMatmul].compute, before.gpu.efficiency[kMatmul].compute);
  EXPECT_EQ(hw.gpu.launch_overhead, before.gpu.launch_overhead);
  for (size_t k = 0; k < hw.cpu.size(); ++k)
    EXPECT_EQ(hw.cpu[k].second.efficiency[kMatmul].compute,
              before.cpu[k].second.efficiency[kMatmul].compute);
}

TEST(EngineApply, ReachingPeakExactlyIsAllowed) {
  HwSpec hw = small_hw();  // NPU matmul peaks at 0.6
  EngineSpec e;
  e.npu = factors(1.0 / 0.6, 1, 1);
  Diagnostics d;
  apply_engine(hw, e, "test.yaml", d);
  EXPECT_FALSE(d.has_errors()) << d.to_string();
}

// Reads an engine file as the driver does (with key locations) and applies it to small_hw().
Diagnostics read_and_apply(const std::string& path, HwSpec& hw) {
  Diagnostics d;
  SourceMap where;
  const EngineSpec e = read_engine(path, d, &where);
  if (!d.has_errors()) apply_engine(hw, e, path, d, where);
  return d;
}

TEST(EngineFile, FactorAbovePeakIsLocatedAtItsKeyInTheEngineFile) {
  TempFile file("fast.yaml");
  write_file(file.path,
             "schema_version: 1\n"
             "name: fast\n"
             "cpu:\n"
             "  attention: 0.5\n"
             "  matmul: 8\n");
  HwSpec hw = small_hw();  // big matmul peaks at 0.2: x8 = 1.6; little 0.05: x8 = 0.4
  const Diagnostics d = read_and_apply(file.str(), hw);
  ASSERT_EQ(d.error_count(), 1) << d.to_string();
  const Diagnostic& e = d.all()[0];
  EXPECT_EQ(e.loc.file, file.str());
  EXPECT_EQ(e.loc.line, 5);
  EXPECT_EQ(e.loc.col, 3);
  EXPECT_EQ(e.message.rfind("cpu.matmul: factor 8 takes cpu.big matmul efficiency to 1.6,", 0), 0u)
      << e.message;
  EXPECT_EQ(e.to_string().rfind(file.str() + ":5:3: error: cpu.matmul:", 0), 0u) << e.to_string();
}

TEST(EngineFile, UnknownKeyIsAnError) {
  TempFile file("typo.yaml");
  write_file(file.path,
             "schema_version: 1\n"
             "name: typo\n"
             "gpu:\n"
             "  matmul: 2\n"
             "  atention: 1.5\n");
  HwSpec hw = small_hw();
  const HwSpec before = hw;
  const Diagnostics d = read_and_apply(file.str(), hw);
  ASSERT_TRUE(d.has_errors());
  bool found = false;
  for (const Diagnostic& e : d.all())
    if (e.message.find("unknown key 'gpu.atention'") != std::string::npos) {
      found = true;
      EXPECT_EQ(e.loc.file, file.str());
      EXPECT_EQ(e.loc.line, 5);
      EXPECT_NE(e.message.find("did you mean 'attention'?"), std::string::npos) << e.message;
    }
  EXPECT_TRUE(found) << d.to_string();
  // A file with errors is not applied.
  EXPECT_EQ(hw.gpu.efficiency[kMatmul].compute, before.gpu.efficiency[kMatmul].compute);
}

TEST(EngineFile, EveryShippedEngineLoadsAndAppliesToEveryShippedProfile) {
  std::vector<std::string> engines;
  for (const auto& f : std::filesystem::directory_iterator(kEngineDir)) {
    if (f.path().extension() != ".yaml") continue;
    engines.push_back(f.path().string());
    Diagnostics d;
    const EngineSpec e = read_engine(f.path().string(), d);
    EXPECT_TRUE(d.all().empty()) << d.to_string();
    EXPECT_EQ(e.name, f.path().stem().string());
    EXPECT_FALSE(e.engine.empty()) << f.path();
    EXPECT_TRUE(e.cpu.present || e.gpu.present || e.npu.present) << f.path();
  }
  std::sort(engines.begin(), engines.end());
  EXPECT_EQ(engines.size(), 5u);  // llamacpp, mlc, mllm, mnn, tflite
  for (const auto& h : std::filesystem::directory_iterator(kHwDir)) {
    if (h.path().extension() != ".yaml") continue;
    const HwSpec hw = load_hw(h.path().string());
    for (const std::string& path : engines) {
      HwSpec copy = hw;
      Diagnostics d;
      SourceMap where;
      const EngineSpec e = read_engine(path, d, &where);
      apply_engine(copy, e, path, d, where);
      // Factors fitted against Snapdragon kernels apply to every Snapdragon profile; elsewhere an
      // engine may only be refused for a factor that would pass peak.
      if (hw.vendor == "Qualcomm") {
        EXPECT_TRUE(d.all().empty()) << h.path() << " + " << path << ":\n" << d.to_string();
      }
      for (const Diagnostic& m : d.all())
        EXPECT_NE(m.message.find("above peak"), std::string::npos) << h.path() << ": " << m.message;
    }
  }
}

// ---- runs ----
// Comparisons of runs use one socsim process per run (the command line), as a user gets them;
// checks of the loaded hardware spec use load_run in this process.

LoadedRun load(const std::string& policy, std::vector<std::string> sets = {}) {
  RunRequest req;
  req.hw = "redmi-k70-pro";
  req.model = "qwen1.5-1.8b";
  req.policy = policy;
  req.sets = std::move(sets);
  return load_run(req);
}

// `socsim run --policy P --prompt 256 --gen 4 [--set S...] --json -` without sim_wall_s.
nlohmann::json run_json(const std::string& policy, const std::vector<std::string>& sets = {}) {
  std::vector<std::string> args = {
      "run",      "--hw", "redmi-k70-pro", "--model", "qwen1.5-1.8b", "--policy", policy,
      "--prompt", "256",  "--gen",         "4",       "--json",       "-"};
  for (const std::string& s : sets) args.insert(args.end(), {"--set", s});
  const ProcessResult r = run_socsim(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = socsim::testing::parse_json(r.out);
  EXPECT_TRUE(j.is_object()) << r.out;
  if (!j.is_object()) return nlohmann::json::object();
  j.erase("sim_wall_s");
  return j;
}

double prefill(const nlohmann::json& j) {
  return j.value("prefill_s", -1.0);
}

EngineSpec shipped_engine(const std::string& name) {
  Diagnostics d;
  EngineSpec e = read_engine(kEngineDir + "/" + name + ".yaml", d);
  EXPECT_FALSE(d.has_errors()) << d.to_string();
  return e;
}

TEST(EngineRuns, LlamaCppIsTheIdentityAndMatchesTheCpuPolicy) {
  const EngineSpec e = shipped_engine("llamacpp");
  ASSERT_TRUE(e.cpu.present);
  for (double f : e.cpu.efficiency) ASSERT_EQ(f, 1.0);
  ASSERT_TRUE(std::isnan(e.cpu.launch_overhead));
  const LoadedRun cpu_in = load("cpu"), llama_in = load("llamacpp");
  EXPECT_TRUE(cpu_in.engine_path.empty());
  EXPECT_FALSE(llama_in.engine_path.empty());
  // llama.cpp gathers the output rows before the last layer's FFN; with the same setting on
  // both, the engine profile is the identity and the runs agree field for field.
  nlohmann::json cpu = run_json("cpu", {"policy.output_rows_only=true"}),
                 llama = run_json("llamacpp");
  EXPECT_LT(prefill(llama), prefill(run_json("cpu")));
  EXPECT_EQ(cpu["policy"], "cpu");
  EXPECT_EQ(llama["policy"], "llamacpp");
  cpu.erase("policy");
  llama.erase("policy");
  EXPECT_EQ(cpu.dump(), llama.dump());
}

TEST(EngineRuns, SettingAnEngineFactorChangesTheRun) {
  const LoadedRun base_in = load("llamacpp"), fast_in = load("llamacpp", {"engine.cpu.matmul=2"});
  EXPECT_EQ(fast_in.engine.cpu.efficiency[kMatmul], 2.0);
  ASSERT_EQ(fast_in.hw->cpu.size(), base_in.hw->cpu.size());
  for (size_t k = 0; k < fast_in.hw->cpu.size(); ++k) {
    const ComputeUnitSpec &b = base_in.hw->cpu[k].second, &f = fast_in.hw->cpu[k].second;
    EXPECT_EQ(f.efficiency[kMatmul].compute, scaled(b.efficiency[kMatmul].compute, 2.0));
    EXPECT_EQ(f.efficiency[kAttention].compute, b.efficiency[kAttention].compute);
    EXPECT_EQ(f.efficiency[kElementwise].compute, b.efficiency[kElementwise].compute);
  }
  EXPECT_LT(prefill(run_json("llamacpp", {"engine.cpu.matmul=2"})), prefill(run_json("llamacpp")));
}

TEST(EngineRuns, EngineOverrideWithoutAnEngineIsAnInputError) {
  try {
    load("cpu", {"engine.cpu.matmul=2"});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    const std::string text = e.diagnostics().to_string();
    EXPECT_NE(text.find("--set engine.cpu.matmul=2: error: policy 'cpu' runs on no engine profile"),
              std::string::npos)
        << text;
  }
  // The same from the command line: bad input, exit code 2, nothing on stdout.
  const ProcessResult r =
      run_socsim({"run", "--policy", "cpu", "--set", "engine.cpu.matmul=2", "--json", "-"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--set engine.cpu.matmul=2: error:"), std::string::npos) << r.err;
}

TEST(EngineRuns, AnOverridePastPeakIsLocatedAtTheOverride) {
  const ProcessResult r =
      run_socsim({"run", "--policy", "llamacpp", "--set", "engine.cpu.matmul=500"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--set engine.cpu.matmul=500: error: cpu.matmul: factor 500 takes cpu."),
            std::string::npos)
      << r.err;
}

TEST(EngineRuns, EmptyEngineOnMllmNpuIsTheHardwareProfileOnly) {
  const EngineSpec mllm = shipped_engine("mllm");
  // The shipped mllm engine only scales CPU matmul and attention and keeps launch overheads.
  ASSERT_TRUE(mllm.cpu.present);
  ASSERT_FALSE(mllm.gpu.present);
  ASSERT_FALSE(mllm.npu.present);
  ASSERT_TRUE(std::isnan(mllm.cpu.launch_overhead));
  ASSERT_EQ(mllm.cpu.efficiency[kElementwise], 1.0);
  ASSERT_GT(mllm.cpu.efficiency[kMatmul], 1.0);
  ASSERT_GT(mllm.cpu.efficiency[kAttention], 1.0);

  const LoadedRun none_in = load("mllm-npu", {"policy.engine="}), cpu_in = load("cpu"),
                  shipped_in = load("mllm-npu");
  EXPECT_TRUE(none_in.engine_path.empty());
  EXPECT_FALSE(shipped_in.engine_path.empty());
  ASSERT_EQ(none_in.hw->cpu.size(), cpu_in.hw->cpu.size());
  for (size_t k = 0; k < cpu_in.hw->cpu.size(); ++k)
    for (size_t c : {kMatmul, kAttention, kElementwise})
      EXPECT_EQ(none_in.hw->cpu[k].second.efficiency[c].compute,
                cpu_in.hw->cpu[k].second.efficiency[c].compute);
  for (size_t c : {kMatmul, kAttention, kElementwise}) {
    EXPECT_EQ(none_in.hw->gpu.efficiency[c].compute, cpu_in.hw->gpu.efficiency[c].compute);
    EXPECT_EQ(none_in.hw->npu.efficiency[c].compute, cpu_in.hw->npu.efficiency[c].compute);
  }
  // Same results as the mllm engine with every factor set back to 1.
  const nlohmann::json none = run_json("mllm-npu", {"policy.engine="}),
                       identity =
                           run_json("mllm-npu", {"engine.cpu.matmul=1", "engine.cpu.attention=1"}),
                       shipped = run_json("mllm-npu");
  EXPECT_EQ(none.dump(), identity.dump());
  // With the engine's faster CPU kernels the same prefill takes less time.
  EXPECT_LT(prefill(shipped), prefill(none));
}

TEST(EngineRuns, MnnPrefillIsFasterThanLlamaCpp) {
  const EngineSpec mnn = shipped_engine("mnn"), llama = shipped_engine("llamacpp");
  ASSERT_GT(mnn.cpu.efficiency[kMatmul], llama.cpu.efficiency[kMatmul]);
  ASSERT_EQ(mnn.cpu.efficiency[kAttention], llama.cpu.efficiency[kAttention]);
  ASSERT_EQ(mnn.cpu.efficiency[kElementwise], llama.cpu.efficiency[kElementwise]);
  const nlohmann::json m = run_json("mnn"), l = run_json("llamacpp");
  EXPECT_LT(prefill(m), prefill(l));
  EXPECT_LE(m.value("decode_s", 0.0), l.value("decode_s", 0.0));
}

TEST(EngineRuns, TflitePrefillIsFasterThanMlc) {
  const EngineSpec tflite = shipped_engine("tflite"), mlc = shipped_engine("mlc");
  ASSERT_GT(tflite.gpu.efficiency[kMatmul], mlc.gpu.efficiency[kMatmul]);
  ASSERT_EQ(tflite.gpu.efficiency[kAttention], mlc.gpu.efficiency[kAttention]);
  ASSERT_EQ(tflite.gpu.efficiency[kElementwise], mlc.gpu.efficiency[kElementwise]);
  ASSERT_EQ(std::isnan(tflite.gpu.launch_overhead), std::isnan(mlc.gpu.launch_overhead));
  const nlohmann::json t = run_json("tflite"), m = run_json("mlc");
  EXPECT_LT(prefill(t), prefill(m));
  EXPECT_LE(t.value("decode_s", 0.0), m.value("decode_s", 0.0));
}

// `--set policy.engine=FILE` with a broken engine file: bad input (exit 2), compiler-style
// diagnostics at the file's line and column naming the key.
TEST(EngineCli, BrokenEngineFileIsBadInputLocatedInTheFile) {
  TempFile typo("bad.yaml");
  write_file(typo.path,
             "schema_version: 1\n"
             "name: bad\n"
             "cpu:\n"
             "  matmul: 1.5\n"
             "  elementwize: 1\n");
  ProcessResult r =
      run_socsim({"run", "--policy", "llamacpp", "--set", "policy.engine=" + typo.str()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(typo.str() + ":5:3: error: unknown key 'cpu.elementwize'"),
            std::string::npos)
      << r.err;

  TempFile fast("fast.yaml");
  write_file(fast.path,
             "schema_version: 1\n"
             "name: fast\n"
             "cpu:\n"
             "  matmul: 500\n");
  r = run_socsim({"run", "--policy", "llamacpp", "--set", "policy.engine=" + fast.str()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(fast.str() + ":4:3: error: cpu.matmul: factor 500 takes cpu."),
            std::string::npos)
      << r.err;

  r = run_socsim({"run", "--policy", "llamacpp", "--set", "policy.engine=no-such-engine"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--set policy.engine=no-such-engine: error: no such file"),
            std::string::npos)
      << r.err;
}

}  // namespace
