// The drift probe of validate-llamacpp; see llamacpp_drift_probe.hpp.
#include "sim/calibrate/llamacpp_drift_probe.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/llamacpp_fit.hpp"
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

}  // namespace

LlamaCppPoint llamacpp_probe_point(int threads) {
  LlamaCppBenchOptions plan_options;
  plan_options.max_threads = threads;
  for (const LlamaCppPoint& p : llamacpp_bench_plan(plan_options))
    if (p.shape == kProbeShape && p.quant == kProbeQuant && p.threads == threads &&
        p.prompt == kProbePrompt && p.gen > 1)
      return p;
  throw std::logic_error(fmt::format("the microbenchmark plan has no {} {} t{} probe point",
                                     kProbeShape, kProbeQuant, threads));
}

std::vector<DriftProbeReading> probe_llamacpp_drift(const LlamaCppInstall& in,
                                                    const DriftProbeOptions& o) {
  const fs::path dir = o.workdir.empty() ? fs::temp_directory_path() : fs::path(o.workdir);
  const std::string path = (dir / fmt::format("socsim-probe-{}.gguf", ::getpid())).string();
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
      out.push_back({t, pred[0] / m.prefill_s - 1, pred[1] / m.decode_mean_s() - 1});
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
  for (const DriftProbeReading& r : readings)
    s += fmt::format("{}t{} prefill {:+.1f}% decode {:+.1f}%", s.empty() ? "" : ", ", r.threads,
                     100 * r.prefill_error, 100 * r.decode_error);
  return s;
}

}  // namespace socsim::calibrate
