// The drift probe of validate-llamacpp; see llamacpp_drift_probe.hpp.
#include "sim/calibrate/llamacpp_drift_probe.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/llamacpp_fit.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/file_text.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"

namespace socsim::calibrate {
namespace fs = std::filesystem;
namespace {

// The probe's benchmark: a working set of about 210 MB (well above a last-level cache, so decode
// streams from DRAM) and a prefill long enough to be compute-bound.
constexpr const char* kProbeShape = "h3072-v4608";
constexpr const char* kProbeQuant = "q8_0";
constexpr int64_t kProbePrompt = 16;

// On any thread count.
bool is_probe_point(const LlamaCppPoint& p) {
  return p.shape == kProbeShape && p.quant == kProbeQuant && p.prompt == kProbePrompt && p.gen > 1;
}

}  // namespace

LlamaCppPoint llamacpp_probe_point(int threads) {
  LlamaCppBenchOptions plan_options;
  plan_options.max_threads = threads;
  for (const LlamaCppPoint& p : llamacpp_bench_plan(plan_options))
    if (is_probe_point(p) && p.threads == threads) return p;
  throw std::logic_error(fmt::format("the microbenchmark plan has no {} {} t{} probe point",
                                     kProbeShape, kProbeQuant, threads));
}

std::string probe_reference_path(const std::string& engine_path) {
  fs::path p(engine_path);
  return (p.parent_path() / (p.stem().string() + "-probe.json")).string();
}

void write_probe_reference(const std::vector<LlamaCppPoint>& points,
                           const std::string& engine_path) {
  std::vector<LlamaCppPoint> probes;
  for (const LlamaCppPoint& p : points)
    if (is_probe_point(p)) probes.push_back(p);
  const std::string path = probe_reference_path(engine_path);
  if (probes.empty()) {
    fs::remove(path);  // a quick calibration has no probe point: no stale reference either
    return;
  }
  std::ofstream f(path);
  if (!f) throw InputError({path}, "cannot open for writing");
  f << llamacpp_points_json(probes);
}

std::vector<DriftProbeReading> probe_llamacpp_drift(const LlamaCppInstall& in,
                                                    const DriftProbeOptions& o) {
  const fs::path dir = o.workdir.empty() ? fs::temp_directory_path() : fs::path(o.workdir);
  const std::string path = (dir / fmt::format("socsim-probe-{}.gguf", ::getpid())).string();
  std::vector<LlamaCppPoint> reference;
  const std::string reference_path = probe_reference_path(o.engine);
  if (fs::exists(reference_path))
    reference =
        llamacpp_points_from_json(read_file_text(reference_path).value_or(""), reference_path);
  std::vector<DriftProbeReading> out;
  try {
    for (int t : o.threads) {
      const LlamaCppPoint p = llamacpp_probe_point(t);
      if (out.empty()) write_point_gguf(p, "llama-2-7b", path);
      LlamaCppTimerOptions timer;
      timer.threads = t, timer.repeats = o.repeats, timer.keep_cpus_awake = o.keep_cpus_awake;
      timer.estimator = o.estimator;
      const LlamaCppTiming m = time_llamacpp(in, path, {{p.prompt, p.gen}}, timer).at(0);
      const std::vector<double> pred = run_isolated([&] {
        const RunMetrics r =
            simulate(load_run(llamacpp_point_request(p, o.hw, o.engine)), BackendKind::kSimGrid)
                ->metrics;
        return std::vector<double>{r.prefill_s, r.decode_s / static_cast<double>(p.gen - 1)};
      });
      DriftProbeReading r{t, pred[0] / m.prefill_s - 1, pred[1] / m.decode_mean_s() - 1};
      for (const LlamaCppPoint& ref : reference)
        if (ref.threads == t && ref.prompt == p.prompt && ref.gen == p.gen)
          r.prefill_speed = ref.prefill_s / m.prefill_s,
          r.decode_speed = ref.decode_mean_s / m.decode_mean_s();
      out.push_back(r);
    }
  } catch (...) {
    fs::remove(path);
    throw;
  }
  fs::remove(path);
  return out;
}

std::string format_drift_probe(const std::vector<DriftProbeReading>& readings) {
  std::string s;
  for (const DriftProbeReading& r : readings) {
    s += fmt::format("{}t{} prefill {:+.1f}% decode {:+.1f}%", s.empty() ? "" : ", ", r.threads,
                     100 * r.prefill_error, 100 * r.decode_error);
    if (r.prefill_speed > 0)
      s += fmt::format(" (speed x{:.2f}/x{:.2f} of calibration)", r.prefill_speed, r.decode_speed);
  }
  return s;
}

}  // namespace socsim::calibrate
