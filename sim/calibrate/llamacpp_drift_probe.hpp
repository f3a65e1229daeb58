// A drift probe for `socsim validate-llamacpp`: before the models and after each pass, it times
// one of calibrate-llamacpp's own microbenchmarks (the 3,072-wide two-layer shape, Q8_0, a
// 16-token prefill and 16 decode steps, on each thread count of the validation) and compares it
// with the prediction of the same profiles. The profiles reproduced that benchmark when they were
// fitted, so a probe error says how far this machine has moved since the calibration (a shared or
// virtual machine can change speed by a third within the hour), apart from any error of the
// model. It is printed next to the validation and changes nothing in it.
#pragma once

#include <string>
#include <vector>

#include "sim/calibrate/llamacpp_bench.hpp"
#include "sim/calibrate/llamacpp_runner.hpp"

namespace socsim::calibrate {

struct DriftProbeReading {
  int threads = 1;
  double prefill_error = 0, decode_error = 0;  // predicted / measured - 1
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
// Times the probe on every thread count and predicts it.
std::vector<DriftProbeReading> probe_llamacpp_drift(const LlamaCppInstall& in,
                                                    const DriftProbeOptions& o);
// "t1 prefill -3.1% decode -2.0%, t2 ..." for a log line.
std::string format_drift_probe(const std::vector<DriftProbeReading>& readings);

}  // namespace socsim::calibrate
