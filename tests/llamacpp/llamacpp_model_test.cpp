// What the llama.cpp host loop added to the model: an engine profile's own efficiency tables
// replace the hardware profile's, its data-type rates set the peaks the roofline falls back to,
// its per-pass costs land on the LM head (thread_wake only on several cores), its thread scaling
// slows kernels split over several cores and no others; llama.cpp's
// last-layer output gathering makes prefill cheaper by the last layer's FFN on all but one row
// and leaves decode alone; the host fit recovers the parameters that generated its data;
// calibration passes are combined point by point; validate-llamacpp predicts each run as
// llama.cpp runs it (one batch, every thread count) and predicts saved measurements again alike;
// and its drift probe times a calibration microbenchmark and reads its prediction error and the
// machine's speed against the calibration.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "sim/calibrate/llamacpp_drift_probe.hpp"
#include "sim/calibrate/llamacpp_fit.hpp"
#include "sim/calibrate/thread_speed_bench.hpp"
#include "sim/calibrate/validate_llamacpp.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/hw/engine_spec.hpp"
#include "tests/unit/socsim_runner.hpp"

using namespace socsim;
using socsim::testing::TempFile;

namespace {

RunMetrics run(const std::vector<std::string>& sets, const std::string& policy = "llamacpp") {
  RunRequest req;
  req.hw = "redmi-k70-pro";
  req.model = "qwen1.5-1.8b";
  req.policy = policy;
  req.sets = sets;
  return simulate(load_run(req), BackendKind::kAnalytic)->metrics;
}

}  // namespace

TEST(EngineTables, ReplaceTheProfilesAndRatesSetPeaks) {
  HwSpec hw;
  ComputeUnitSpec u;
  u.peak.by_dtype[static_cast<size_t>(DType::kFp32)] = 100e9;
  u.peak.by_dtype[static_cast<size_t>(DType::kInt8)] = 400e9;
  u.efficiency[0].compute = {{1, 0.5}};
  u.efficiency[1].compute = {{1, 0.25}};
  hw.cpu.emplace_back("core0", u);
  EngineSpec e;
  e.cpu.present = true;
  e.cpu.has_table[0] = true;
  e.cpu.tables[0] = {"rows", {{1, 0.1}, {64, 0.3}}, {{1e6, 0.9}}};
  e.cpu.dtype_rate[static_cast<size_t>(DType::kInt4)] = 1.5;
  e.cpu.dtype_rate[static_cast<size_t>(DType::kFp16)] = 0.5;
  e.cpu.step_overhead = 1e-3;
  e.cpu.thread_wake = 2e-3;
  e.cpu.thread_scaling = {{2, 0.75}};
  Diagnostics d;
  apply_engine(hw, e, "engine.yaml", d);
  ASSERT_TRUE(d.all().empty()) << d.to_string();
  const ComputeUnitSpec& now = hw.cpu[0].second;
  EXPECT_EQ(now.efficiency[0].by, "rows");
  EXPECT_EQ(now.efficiency[0].compute, (Curve{{1, 0.1}, {64, 0.3}}));
  EXPECT_EQ(now.efficiency[1].compute, (Curve{{1, 0.25}}));  // not given: kept
  // int4 falls back to int8 (400 G) and fp16 to fp32 (100 G); the rates scale those.
  EXPECT_DOUBLE_EQ(now.peak.by_dtype[static_cast<size_t>(DType::kInt4)], 600e9);
  EXPECT_DOUBLE_EQ(now.peak.by_dtype[static_cast<size_t>(DType::kFp16)], 50e9);
  EXPECT_DOUBLE_EQ(now.peak.by_dtype[static_cast<size_t>(DType::kInt8)], 400e9);
  EXPECT_DOUBLE_EQ(now.step_overhead, 1e-3);
  EXPECT_DOUBLE_EQ(now.thread_wake, 2e-3);
  EXPECT_EQ(now.thread_scaling, (Curve{{2, 0.75}}));
}

TEST(LlamaCppOutputRows, PrefillSkipsTheLastLayersFfnOnAllButOneRow) {
  const RunMetrics on = run({"workload.prompt=256", "workload.gen=4"});
  const RunMetrics off =
      run({"workload.prompt=256", "workload.gen=4", "policy.output_rows_only=false"});
  EXPECT_LT(on.prefill_s, off.prefill_s);
  // One layer's FFN of 24 is at most a few percent of a prefill, and more than nothing.
  EXPECT_GT(off.prefill_s / on.prefill_s, 1.005);
  EXPECT_LT(off.prefill_s / on.prefill_s, 1.06);
  EXPECT_DOUBLE_EQ(on.decode_s, off.decode_s);
  // The generic cpu policy does not gather output rows.
  const RunMetrics cpu =
      run({"workload.prompt=256", "workload.gen=4", "policy.engine=llamacpp"}, "cpu");
  EXPECT_DOUBLE_EQ(cpu.prefill_s, off.prefill_s);
}

namespace {

// Prefill and decode of a host benchmark point predicted with the model's profiles.
RunMetrics run_host_point(const calibrate::LlamaCppHostModel& m, const std::string& name,
                          int threads) {
  TempFile hw_file(name + "-hw.yaml"), engine_file(name + "-engine.yaml");
  calibrate::LlamaCppFit fit;
  fit.model = m;
  calibrate::write_llamacpp_host(fit, hw_file.str(), engine_file.str());
  calibrate::LlamaCppPoint p;
  p.prompt = 256, p.gen = 8, p.threads = threads;
  p.sets = {"model.layers=2", "model.weight_dtype=int8"};
  return simulate(load_run(calibrate::llamacpp_point_request(p, hw_file.str(), engine_file.str())),
                  BackendKind::kAnalytic)
      ->metrics;
}

}  // namespace

TEST(LlamaCppThreadScaling, SlowsKernelsOnSeveralThreadsOnly) {
  calibrate::LlamaCppHostModel even;
  even.cpu_model = "test host", even.isa = "AVX2", even.cores = 2, even.clock = 2.5e9;
  even.fp32_per_cycle = 32, even.int8_per_cycle = 64;
  even.launch_overhead = 1e-7, even.thread_wake = 0, even.step_overhead = 1e-6;
  even.port_bandwidth = even.dram_bandwidth = 1e12;  // compute-bound everywhere
  calibrate::LlamaCppHostModel half = even;
  half.thread_scaling = {{2, 0.5}};
  // One thread: no kernel is split, the scaling does not apply.
  EXPECT_DOUBLE_EQ(run_host_point(even, "even", 1).prefill_s,
                   run_host_point(half, "half", 1).prefill_s);
  // Two threads at half speed each take as long as one: every kernel is compute-bound.
  const RunMetrics even2 = run_host_point(even, "even", 2), half2 = run_host_point(half, "half", 2);
  EXPECT_NEAR(half2.prefill_s / even2.prefill_s, 2.0, 0.05);
  EXPECT_NEAR(half2.prefill_s / run_host_point(even, "even", 1).prefill_s, 1.0, 0.05);
  EXPECT_GT(half2.decode_s, even2.decode_s * 1.5);
}

// The loop behind thread_scaling's comment: every run gives a rate for one thread alone and for
// the slowest of several, and the summary states both and their ratio.
TEST(ThreadSpeed, TimesOneThreadAloneAndTheSlowestOfAll) {
  const calibrate::ThreadSpeed s = calibrate::bench_thread_speed(2, 3, 0.002);
  ASSERT_EQ(s.alone.size(), 3u);
  ASSERT_EQ(s.slowest.size(), 3u);
  for (double r : s.alone) EXPECT_GT(r, 0);
  for (double r : s.slowest) EXPECT_GT(r, 0);
  EXPECT_NE(s.summary().find("slowest of 2 threads"), std::string::npos) << s.summary();
  EXPECT_NE(s.summary().find(fmt::format("{:.2f}x", s.slowest_median() / s.alone_median())),
            std::string::npos)
      << s.summary();
}

TEST(LlamaCppHostFit, RecoversTheParametersThatMadeItsData) {
  // Synthetic "measurements" from known parameters; the fit starts elsewhere and must get back.
  calibrate::LlamaCppBenchOptions o;
  std::vector<calibrate::LlamaCppPoint> points = calibrate::llamacpp_bench_plan(o);
  // A fixed AVX2 host, so the test does not depend on the machine it runs on.
  calibrate::LlamaCppHostModel host;
  host.cpu_model = "test host", host.isa = "AVX2", host.cores = 2, host.clock = 2.5e9;
  host.fp32_per_cycle = 32, host.int8_per_cycle = 64, host.fp16_per_cycle = 0;
  calibrate::LlamaCppHostModel truth = host;
  truth.port_bandwidth = 9e9, truth.dram_bandwidth = 14e9, truth.launch_overhead = 3e-6;
  truth.thread_wake = 0.4e-3, truth.step_overhead = 0.3e-3, truth.rate_int4 = 1.6;
  truth.step_overhead_per_vocab = 30e-9;
  truth.thread_scaling = {{2, 0.8}};
  truth.matmul_compute = {{1, 0.2}, {16, 0.05}, {64, 0.08}, {256, 0.12}};
  TempFile hw_file("truth-hw.yaml"), engine_file("truth-engine.yaml");
  calibrate::LlamaCppFit truth_fit;
  truth_fit.model = truth;
  calibrate::write_llamacpp_host(truth_fit, hw_file.str(), engine_file.str());
  for (auto& p : points) {
    RunRequest req;
    req.hw = hw_file.str(), req.model = "llama-2-7b", req.policy = "llamacpp", req.sets = p.sets;
    req.sets.push_back("workload.prompt=" + std::to_string(p.prompt));
    req.sets.push_back("workload.gen=" + std::to_string(p.gen));
    req.sets.push_back("policy.clusters=" + calibrate::llamacpp_clusters(p.threads));
    req.sets.push_back("policy.engine=" + engine_file.str());
    req.sets.push_back("policy.chunk=0");  // as the fit asks: one batch per prompt
    const RunMetrics r = simulate(load_run(req), BackendKind::kAnalytic)->metrics;
    p.prefill_s = r.prefill_s;
    p.decode_mean_s = p.gen > 1 ? r.decode_s / static_cast<double>(p.gen - 1) : 0;
  }
  const calibrate::LlamaCppFit fit = calibrate::fit_llamacpp_host(points, host, nullptr);
  // The data are reproduced (values written to the files are rounded to 4 digits).
  EXPECT_LT(fit.median_abs, 0.02);
  EXPECT_LT(fit.max_abs, 0.10);
  EXPECT_NEAR(fit.model.thread_wake / truth.thread_wake, 1.0, 0.25);
  EXPECT_NEAR(fit.model.rate_int4 / truth.rate_int4, 1.0, 0.25);
  ASSERT_EQ(fit.model.thread_scaling.size(), 1u);  // one point per thread count above 1
  EXPECT_EQ(fit.model.thread_scaling[0].first, 2);
  EXPECT_NEAR(fit.model.thread_scaling[0].second / 0.8, 1.0, 0.1);
  // The 256-wide shape's vocabularies tell the per-entry step cost apart from the output matrix.
  EXPECT_NEAR(fit.model.step_overhead_per_vocab / truth.step_overhead_per_vocab, 1.0, 0.1);
}

// validate-llamacpp predicts each thread count as its timer runs it: the whole prompt as one batch
// (policy.chunk=0), on as many cores as threads. A 600-token prompt tells this apart from the
// policy's default 512-token chunks.
TEST(ValidateLlamaCpp, PredictsThePromptAsOneBatchOnEveryThreadCount) {
  std::string why;
  const auto install = calibrate::find_llamacpp(&why);
  if (!install) GTEST_SKIP() << why;
  // Qwen2.5-0.5B with a small vocabulary, so the file and the runs stay small.
  std::ifstream in(std::string(SOCSIM_DATA_DIR) + "/models/qwen2.5-0.5b.yaml");
  std::stringstream text;
  text << in.rdbuf();
  TempFile model("small-vocab-qwen.yaml"), hw("host.yaml"), engine("host-engine.yaml");
  std::ofstream(model.path) << std::regex_replace(text.str(), std::regex("vocab: \\d+"),
                                                  "vocab: 4608");
  calibrate::LlamaCppFit host;
  host.model = calibrate::detect_llamacpp_host();
  // Efficiency that grows with the rows, so a short last chunk costs more than its share.
  host.model.matmul_compute = {{1, 0.2}, {16, 0.05}, {64, 0.08}, {256, 0.12}, {1024, 0.2}};
  calibrate::write_llamacpp_host(host, hw.str(), engine.str());
  calibrate::ValidateLlamaCppOptions o;
  o.model = model.str(), o.layers = 1, o.threads = {2}, o.prompts = {600}, o.gen = 2;
  o.repeats = 1, o.hw = hw.str(), o.engine = engine.str(), o.keep_cpus_awake = false;
  const calibrate::LlamaCppValidation v = calibrate::validate_llamacpp(o);
  ASSERT_EQ(v.rows.size(), 2u);
  ASSERT_EQ(v.rows[0].phase, "prefill");
  const auto prefill = [&](const std::string& chunk) {
    RunRequest req;
    req.hw = hw.str(), req.model = model.str(), req.policy = "llamacpp";
    req.sets = {"model.weight_dtype=int8",
                "model.layers=1",
                "policy.chunk=" + chunk,
                "policy.clusters=core0,core1",
                "policy.engine=" + engine.str(),
                "workload.prompt=600",
                "workload.gen=2"};
    return simulate(load_run(req), BackendKind::kAnalytic)->metrics.prefill_s;
  };
  const double one_batch = prefill("0"), chunked = prefill("512");
  ASSERT_GT(std::fabs(chunked / one_batch - 1), 0.01);
  EXPECT_NEAR(v.rows[0].predicted / one_batch, 1.0, 0.002);
  // Saved (--save) and predicted again (--from), the rows come back with the same measurements
  // and the same predictions.
  std::vector<calibrate::LlamaCppValidationRow> again = calibrate::llamacpp_validation_from_json(
      calibrate::llamacpp_validation_json(v.rows), "saved.json");
  ASSERT_EQ(again.size(), v.rows.size());
  for (auto& r : again) r.predicted = 0;
  calibrate::predict_llamacpp_rows(again, o);
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].phase, v.rows[i].phase);
    EXPECT_EQ(again[i].measured, v.rows[i].measured);
    EXPECT_EQ(again[i].predicted, v.rows[i].predicted) << i;
  }
}

TEST(ValidateLlamaCpp, SavedMeasurementsWithABadPhaseNameTheFileEntryAndKey) {
  const std::string text =
      R"([{"model": "qwen2.5-0.5b", "quant": "q8_0", "layers": 1, "threads": 1,
           "memory_bytes": 0, "prompt": 64, "gen": 2, "phase": "decoding", "measured_s": 0.01}])";
  try {
    (void)calibrate::llamacpp_validation_from_json(text, "runs.json");
    FAIL() << "a bad phase was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("runs.json"), std::string::npos) << what;
    EXPECT_NE(what.find("entry 1"), std::string::npos) << what;
    EXPECT_NE(what.find("'phase'"), std::string::npos) << what;
  }
  EXPECT_THROW((void)calibrate::llamacpp_validation_from_json("[{\"model\": 1}]", "runs.json"),
               InputError);
}

// Passes saved at different times (--from A,B) combine row by row: each run once, in the order
// first seen, measured as the estimator over the files that have it.
TEST(ValidateLlamaCpp, SavedPassesCombineRowByRow) {
  const auto row = [](int threads, const char* phase, double s) {
    calibrate::LlamaCppValidationRow r;
    r.model = "qwen2.5-0.5b", r.quant = "q8_0", r.layers = 4, r.threads = threads;
    r.prompt = 64, r.gen = 32, r.phase = phase, r.measured = s;
    return r;
  };
  const std::vector<std::vector<calibrate::LlamaCppValidationRow>> files{
      {row(1, "prefill", 0.30), row(1, "decode", 0.020)},
      {row(2, "prefill", 0.20), row(1, "decode", 0.016), row(1, "prefill", 0.36)},
      {row(1, "prefill", 0.33)}};
  const auto fastest = calibrate::combine_llamacpp_rows(files, calibrate::TimingEstimator::kMin);
  ASSERT_EQ(fastest.size(), 3u);
  EXPECT_EQ(fastest[0].phase, "prefill");
  EXPECT_EQ(fastest[0].threads, 1);
  EXPECT_DOUBLE_EQ(fastest[0].measured, 0.30);
  EXPECT_DOUBLE_EQ(fastest[1].measured, 0.016);
  EXPECT_EQ(fastest[2].threads, 2);
  EXPECT_DOUBLE_EQ(fastest[2].measured, 0.20);
  const auto median = calibrate::combine_llamacpp_rows(files, calibrate::TimingEstimator::kMedian);
  EXPECT_DOUBLE_EQ(median[0].measured, 0.33);
}

// The drift probe is one of calibrate-llamacpp's own microbenchmarks (so the profiles were fitted
// to it) with decode steps, on each thread count; it reads predicted / measured - 1 per phase.
TEST(DriftProbe, TimesACalibrationMicrobenchmarkAndReadsItsPredictionError) {
  for (int t : {1, 2}) {
    const calibrate::LlamaCppPoint p = calibrate::llamacpp_probe_point(t);
    EXPECT_EQ(p.threads, t);
    EXPECT_GT(p.gen, 1);
    calibrate::LlamaCppBenchOptions plan;
    plan.max_threads = t;
    int found = 0;
    for (const calibrate::LlamaCppPoint& q : calibrate::llamacpp_bench_plan(plan))
      found += q.shape == p.shape && q.quant == p.quant && q.threads == t && q.prompt == p.prompt &&
               q.gen == p.gen;
    EXPECT_EQ(found, 1) << t;
  }
  EXPECT_EQ(calibrate::format_drift_probe({{1, -0.031, 0.02, 0, 0}, {2, 0.1, -0.25, 1.094, 0.8}}),
            "t1 prefill -3.1% decode +2.0%, t2 prefill +10.0% decode -25.0% (speed x1.09/x0.80 "
            "of calibration)");
  std::string why;
  const auto install = calibrate::find_llamacpp(&why);
  if (!install) GTEST_SKIP() << why;
  TempFile hw("probe-host.yaml"), engine("probe-host-engine.yaml");
  calibrate::LlamaCppFit host;
  host.model = calibrate::detect_llamacpp_host();
  calibrate::write_llamacpp_host(host, hw.str(), engine.str());
  // The calibration's measurement of the probe, kept beside the engine profile (only the probe's
  // points of the calibration go there); here one that took twice 1 s.
  std::vector<calibrate::LlamaCppPoint> calibration = calibrate::llamacpp_bench_plan({});
  for (auto& p : calibration) p.prefill_s = p.decode_mean_s = 1.0;
  calibrate::write_probe_reference(calibration, engine.str());
  const std::string reference = calibrate::probe_reference_path(engine.str());
  struct RemoveAtEnd {
    std::string path;
    ~RemoveAtEnd() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } remove_reference{reference};
  std::ifstream saved(reference);
  std::stringstream saved_text;
  saved_text << saved.rdbuf();
  const calibrate::LlamaCppPoint probe = calibrate::llamacpp_probe_point(1);
  size_t probe_points = 0;
  for (const auto& p : calibration)
    probe_points += p.shape == probe.shape && p.quant == probe.quant && p.prompt == probe.prompt &&
                    p.gen == probe.gen;
  EXPECT_GE(probe_points, 1u);
  EXPECT_EQ(calibrate::llamacpp_points_from_json(saved_text.str(), reference).size(), probe_points);
  calibrate::DriftProbeOptions o;
  o.threads = {1}, o.hw = hw.str(), o.engine = engine.str(), o.repeats = 1;
  o.keep_cpus_awake = false;
  const std::vector<calibrate::DriftProbeReading> r = calibrate::probe_llamacpp_drift(*install, o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].threads, 1);
  // Errors of an unfitted profile are large but finite, and above -100% (times are positive).
  for (double e : {r[0].prefill_error, r[0].decode_error}) {
    EXPECT_TRUE(std::isfinite(e));
    EXPECT_GT(e, -1.0);
  }
  // Against the reference's 1 s: the probe takes well under a second on any machine that runs
  // the tests, so it reads faster than that calibration.
  EXPECT_GT(r[0].prefill_speed, 1.0);
  EXPECT_GT(r[0].decode_speed, 1.0);
}

// Calibration passes taken at different times are combined point by point with the estimator
// (the fastest pass by default), keeping the order in which points first appear.
TEST(LlamaCppCalibrationPasses, CombinePointByPointWithTheEstimator) {
  calibrate::LlamaCppPoint a;
  a.shape = "h1536-v4608", a.quant = "q8_0", a.threads = 1, a.prompt = 16, a.gen = 17;
  a.prefill_s = 0.010, a.decode_mean_s = 0.004;
  calibrate::LlamaCppPoint b = a;
  b.threads = 2, b.prefill_s = 0.006, b.decode_mean_s = 0.003;
  calibrate::LlamaCppPoint a2 = a, b2 = b;
  a2.prefill_s = 0.012, a2.decode_mean_s = 0.0035;  // slower prefill, faster decode
  b2.prefill_s = 0.005, b2.decode_mean_s = 0.0031;
  const auto merged =
      calibrate::merge_llamacpp_points({{a, b}, {b2, a2}}, calibrate::TimingEstimator::kMin);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].threads, 1);
  EXPECT_DOUBLE_EQ(merged[0].prefill_s, 0.010);
  EXPECT_DOUBLE_EQ(merged[0].decode_mean_s, 0.0035);
  EXPECT_DOUBLE_EQ(merged[1].prefill_s, 0.005);
  EXPECT_DOUBLE_EQ(merged[1].decode_mean_s, 0.003);
}

// `calibrate-llamacpp --passes 2` times every microbenchmark twice and saves one combined point
// each; --from with --passes is refused (saved measurements are not timed again).
TEST(LlamaCppCalibrationPasses, CalibrateTimesEachPassAndSavesOnePointEach) {
  const auto refused =
      socsim::testing::run_socsim({"calibrate-llamacpp", "--from", "x.json", "--passes", "2"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--passes"), std::string::npos) << refused.err;
  std::string why;
  if (!calibrate::find_llamacpp(&why)) GTEST_SKIP() << why;
  TempFile hw("passes-hw.yaml"), engine("passes-engine.yaml"), saved("passes.json");
  const auto r = socsim::testing::run_socsim({"calibrate-llamacpp", "--quick", "--no-disk",
                                              "--passes", "2", "--let-cpus-idle", "--out", hw.str(),
                                              "--engine-out", engine.str(), "--save", saved.str()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("pass 1 of 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pass 2 of 2"), std::string::npos) << r.err;
  calibrate::LlamaCppBenchOptions quick;
  quick.quick = true;
  const auto points =
      calibrate::llamacpp_points_from_json(socsim::testing::read_text(saved.path), "saved");
  EXPECT_EQ(points.size(), calibrate::llamacpp_bench_plan(quick).size());
  for (const auto& p : points) EXPECT_GT(p.prefill_s, 0);
}
