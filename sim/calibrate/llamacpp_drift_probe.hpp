// A drift probe for `socsim validate-llamacpp`: before the models and after each pass, it times
// one of calibrate-llamacpp's own microbenchmarks (the 3,072-wide two-layer shape, Q8_0, a
// 16-token prefill and 16 decode steps, on each thread count of the validation) and compares it
// with the prediction of the same profiles. The profiles reproduced that benchmark when they were
// fitted, so a probe error says how far this machine has moved since the calibration (a shared or
// virtual machine can change speed by a third within the hour), apart from any error of the
// model. calibrate-llamacpp keeps its own measurement of the probe next to the engine profile
// (llamacpp-host-engine-probe.json), so the probe also reads the machine's speed now against the
// calibration's directly. It is printed next to the validation and changes nothing in it.
#pragma once

#include <string>
#include <vector>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/llamacpp_runner.hpp"

namespace socsim::calibrate {

struct DriftProbeReading {
  int threads = 1;
  double prefill_error = 0, decode_error = 0;  // predicted / measured - 1
  // The calibration's time / the time now (above 1: faster now); 0 without the reference file.
  double prefill_speed = 0, decode_speed = 0;
};

struct DriftProbeOptions {
  std::vector<int> threads{1, 2};
  std::string hw, engine;  // the profiles under validation
  std::string workdir;     // where the GGUF goes (default: the temp directory)
  int repeats = 3;
  bool keep_cpus_awake = true;
  TimingEstimator estimator = TimingEstimator::kMin;
};

// The probe's microbenchmark on `threads` threads, as calibrate-llamacpp's plan has it.
LlamaCppPoint llamacpp_probe_point(int threads);
// Where calibrate-llamacpp keeps its probe measurements for the engine profile at `engine_path`
// ("x/llamacpp-host-engine.yaml" -> "x/llamacpp-host-engine-probe.json").
std::string probe_reference_path(const std::string& engine_path);
// Writes the probe's points among `points` (a calibration's measurements) to that file.
void write_probe_reference(const std::vector<LlamaCppPoint>& points,
                           const std::string& engine_path);
// Times the probe on every thread count, predicts it, and reads it against the reference file
// of o.engine when there is one.
std::vector<DriftProbeReading> probe_llamacpp_drift(const LlamaCppInstall& in,
                                                    const DriftProbeOptions& o);
// "t1 prefill -3.1% decode -2.0% (speed x1.09/x1.08 of calibration), t2 ..." for a log line.
std::string format_drift_probe(const std::vector<DriftProbeReading>& readings);

}  // namespace socsim::calibrate
