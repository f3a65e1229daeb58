// `socsim sensitivity`: which numbers a result hangs on. Every numeric parameter of the run (its
// hardware profile, engine profile, model and policy; a table or list as a whole) is moved to
// p0 (1 + delta) and p0 (1 - delta) (an integer by max(1, round(delta p0))), the run is repeated
// for each, and each metric's elasticity E = (M+ - M-) / (M0 (p+ - p-) / p0) is reported beside
// the parameter's provenance, ranked by |E| of the first metric. A parameter whose moved value
// breaks its bounds or makes the run impossible is skipped with the reason.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/sensitivity/base_run.hpp"
#include "sim/sensitivity/perturb.hpp"

namespace socsim {

struct SensitivityOptions {
  RunRequest run;  // as `socsim run` builds it (workload options as `--set`s)
  BackendKind backend = BackendKind::kSimGrid;
  std::vector<std::string> metrics;  // empty: the defaults (base_run.hpp)
  double delta = 0.1;
  int jobs = 1;
};

struct ParameterSensitivity {
  ParameterProvenance param;
  CentralDifference diff;
  std::vector<double> minus, plus;  // metrics of the two runs
  std::vector<double> elasticity;   // per metric; NaN when the base metric is 0
};

struct SkippedParameter {
  ParameterProvenance param;
  std::string reason;
};

struct SensitivityReport {
  std::string label;  // the run
  double delta = 0;
  std::vector<std::string> metrics;
  std::vector<double> base;
  std::vector<ParameterSensitivity> ranked;  // by |elasticity| of the first metric, NaN last
  std::vector<SkippedParameter> skipped;
  Diagnostics tag_problems;  // malformed provenance tags (their numbers count as untagged)
};

SensitivityReport run_sensitivity(const SensitivityOptions& o);

// The table of the `top` first parameters (0: all), then the skipped ones.
std::string format_sensitivity(const SensitivityReport& r, size_t top);
nlohmann::ordered_json sensitivity_json(const SensitivityReport& r);

}  // namespace socsim
