// Fuzz harness of paper-experiment files (experiments/mllm-npu/, experiments/powerinfer2/,
// sim/experiments/experiment.hpp): each input is written to a file and read by load_experiment
// (points, baselines, published values and ranges); each point's run and its baseline's are then
// built, their `sets` parsed as `--set` overrides, and the published ranges formed from one value
// per point, as `socsim reproduce` does before and after simulating. Bad input is an InputError
// with its diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/config/overrides.hpp"
#include "sim/experiments/experiment.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const socsim::Experiment e =
        socsim::load_experiment(socsim::fuzz::input_file(data, size, "experiment.yaml"));
    socsim::Diagnostics d;
    for (const socsim::ExperimentPoint& p : e.points) {
      for (const socsim::RunRequest& req :
           {socsim::experiment_request(e, p, p.policy, p.sets),
            socsim::experiment_request(e, p, p.baseline_policy, p.baseline_sets)})
        for (const std::string& s : req.sets) (void)socsim::parse_override(s, d);
    }
    (void)socsim::range_ends_of(e, std::vector<double>(e.points.size(), 1.0));
  } catch (const socsim::InputError&) {
  }
  return 0;
}
