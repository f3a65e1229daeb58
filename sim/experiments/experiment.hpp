// Paper reproductions as data: an experiment file lists design points (model, policy and its
// settings, prompt and generated tokens on one hardware profile) with the published value of one
// result metric each. `socsim reproduce FILE` simulates every point with the shipped profiles and
// models (never tuned per experiment), prints simulated vs published with the error, the median
// absolute error, and writes the table as CSV for analysis/.
#pragma once

#include <string>
#include <vector>

#include "sim/config/schema.hpp"

namespace socsim {

struct ExperimentPoint {
  std::string label;  // e.g. "qwen1.5-1.8b +shadow outliers"
  std::string model;
  std::string policy;
  std::string sets;  // space-separated PATH=VALUE overrides
  int64_t prompt = 0;
  int64_t gen = 1;
  double published = kUnset;
};

struct Experiment {
  int64_t schema_version = 1;
  std::string name;
  std::string source;  // paper, figure or table, tag (T/F/S)
  std::string hw;
  std::string metric;  // a numeric key of `socsim run --json`
  std::vector<ExperimentPoint> points;
};

void visit_experiment(FieldVisitor& v, Experiment& e);
Experiment load_experiment(const std::string& path);

struct ReproducedPoint {
  ExperimentPoint point;
  double simulated = 0;
  double error = 0;  // (simulated - published) / published
};

struct Reproduction {
  Experiment experiment;
  std::vector<ReproducedPoint> rows;
  double median_abs_error = 0;
};

Reproduction reproduce(const Experiment& e);
std::string format_reproduction(const Reproduction& r);
std::string reproduction_csv(const Reproduction& r);

}  // namespace socsim
