// Uncertainty bands (`socsim sensitivity --bands N`): the run is repeated N times with every
// assumption-tagged number drawn within its stated range (sampling.hpp), and each metric is
// reported as its median and 5%-95% band over the samples. Only assumptions move: measured and
// datasheet numbers are held, and so are untagged ones, whose count the report states as a
// warning, since the band says nothing about them. Tags are inputs here: a malformed one is an
// error, and a run without any assumption range has no band.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/sensitivity/base_run.hpp"

namespace socsim {

struct BandOptions {
  RunRequest run;
  BackendKind backend = BackendKind::kSimGrid;
  std::vector<std::string> metrics;  // empty: the defaults (base_run.hpp)
  size_t samples = 0;
  uint64_t seed = 1;
  int jobs = 1;
};

struct MetricBand {
  double base = 0, median = 0, p5 = 0, p95 = 0;
};

// The spread of one metric over samples (NaN values are left out).
MetricBand band_of(double base, const std::vector<double>& samples);

struct BandReport {
  std::string label;
  size_t samples = 0;
  uint64_t seed = 1;
  std::vector<std::string> sampled;               // paths of the parameters drawn
  size_t untagged_numbers = 0, held_numbers = 0;  // held: measured and datasheet
  size_t sampled_numbers = 0;                     // assumptions
  std::vector<std::string> metrics;
  std::vector<MetricBand> bands;
  size_t ok = 0;                      // samples that ran
  std::vector<std::string> failures;  // "sample 3: infeasible: ..."
};

BandReport run_bands(const BandOptions& o);
std::string format_bands(const BandReport& r);
nlohmann::ordered_json bands_json(const BandReport& r);

// Checks that a run's tags can be sampled: malformed tags are errors, and so is the absence of
// any assumption with a range (`what` names the run in that message).
void check_sampleable(const BaseRun& base, const std::string& what);

}  // namespace socsim
