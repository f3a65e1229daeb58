// Uncertainty bands of a paper reproduction (`socsim reproduce FILE --bands N`): every run of the
// experiment (each point and its baseline) is repeated for N samples of its assumption-tagged
// numbers, and every compared value gets the 5%-95% band of its samples and whether the published
// value falls inside. Derived values are computed per sample from paired runs: sample k of a
// speedup is baseline_k / point_k, and sample k of a range end is the min (max) over its points'
// sample k; since draws depend only on the seed, the sample and the parameter's path
// (sampling.hpp), a point and its baseline share the values of the parameters they share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/driver/input_cache.hpp"
#include "sim/experiments/experiment.hpp"
#include "sim/provenance/provenance.hpp"

namespace socsim {

struct BandRow {
  std::string label;
  double simulated = 0, published = 0;  // published NaN: not compared
  double p5 = 0, p95 = 0;               // NaN when no sample ran
  size_t samples = 0;                   // samples that gave a value
  bool compared() const;                // a published value and a band
  bool inside() const;                  // p5 <= published <= p95
};

struct ReproductionBands {
  std::string experiment;
  size_t samples = 0;
  uint64_t seed = 1;
  size_t sampled_parameters = 0;  // distinct paths drawn over all runs
  size_t untagged_numbers = 0;    // over all runs' distinct parameters
  std::vector<BandRow> rows;      // points, then range ends, as in the reproduction
  std::vector<std::string> failures;
};

// The distinct runs of an experiment (each point's and its baseline's; equal requests once), the
// provenance of each, and their warm inputs. Made before anything runs: malformed tags are errors,
// and so is an experiment whose runs have no assumption range.
struct BandPlan {
  std::vector<RunRequest> requests;
  std::vector<std::vector<ParameterProvenance>> params;  // per request
  std::vector<std::pair<size_t, long>> of_point;         // own request, baseline's or -1
  InputCache cache;
};
void plan_bands(const Experiment& e, BandPlan& plan);

// `r` is the plain reproduction of `e` (its simulated values).
ReproductionBands reproduce_bands(const Experiment& e, BandPlan& plan, const Reproduction& r,
                                  size_t samples, uint64_t seed, int jobs);
std::string format_reproduction_bands(const ReproductionBands& b);

}  // namespace socsim
