// Paper reproductions as data: an experiment file lists design points (model, policy and its
// settings, prompt and generated tokens on one hardware profile) with the published value of one
// result metric each. A point may instead compare against a baseline run (the value is then
// baseline metric / point metric: a speedup or an energy reduction), belong to a published range
// (min..max over its points, as papers report "18.2-38.4x"), and belong to a ranking row (engines
// of one table row, whose order must match the paper's). `socsim reproduce FILE` simulates every
// point with the shipped profiles and models (never tuned per experiment), prints simulated vs
// published with the error, the median absolute error and the rankings, and writes CSV for
// analysis/.
#pragma once

#include <string>
#include <vector>

#include "sim/config/schema.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/stats/median.hpp"

namespace socsim {

struct ExperimentPoint {
  std::string label;  // e.g. "qwen1.5-1.8b +shadow outliers"
  std::string model;
  std::string policy;
  std::string sets;  // space-separated PATH=VALUE overrides
  int64_t prompt = 0;
  int64_t gen = 1;
  double published = kUnset;    // NaN: compared only through its range
  std::string baseline_policy;  // non-empty: value = baseline's metric / this point's metric
  std::string baseline_sets;
  std::string range;  // name of a published range this point belongs to
  std::string row;    // ranking row (e.g. the model of a table row)
};

struct PublishedRange {
  double low = kUnset, high = kUnset;
};

struct Experiment {
  int64_t schema_version = 1;
  std::string name;
  std::string source;  // paper, figure or table, tag (T/F/S)
  std::string hw;
  std::string metric;  // a numeric key of `socsim run --json`
  std::vector<ExperimentPoint> points;
  std::vector<std::pair<std::string, PublishedRange>> ranges;
};

void visit_experiment(FieldVisitor& v, Experiment& e);
Experiment load_experiment(const std::string& path);

// The run of a point with `policy` and `sets_text` (its own, or its baseline's) on the
// experiment's hardware profile.
RunRequest experiment_request(const Experiment& e, const ExperimentPoint& p,
                              const std::string& policy, const std::string& sets_text);

struct ReproducedPoint {
  ExperimentPoint point;
  double simulated = 0;
  double error = kUnset;  // (simulated - published) / published; NaN without a published value
};

// One end of a published range against the same end of the simulated points' range.
struct ReproducedRangeEnd {
  std::string label;  // "<range> low" or "<range> high"
  double simulated = 0, published = 0, error = 0;
};

// A ranking row: the order of its points by published value against the order by simulated value.
struct RankingCheck {
  std::string row;
  std::vector<std::string> published_order, simulated_order;  // labels, ascending value
  bool right() const { return published_order == simulated_order; }
};

struct Reproduction {
  Experiment experiment;
  std::vector<ReproducedPoint> rows;
  std::vector<ReproducedRangeEnd> range_ends;
  std::vector<RankingCheck> rankings;
  std::vector<double> abs_errors;  // |error| of every published point and range end
  double median_abs_error = 0;     // their median
};

Reproduction reproduce(const Experiment& e);
// The ends of every published range from one value per point (in order), labelled and ordered as
// a reproduction reports them; a range without points is an InputError.
std::vector<ReproducedRangeEnd> range_ends_of(const Experiment& e,
                                              const std::vector<double>& values);
std::string format_reproduction(const Reproduction& r);
std::string reproduction_csv(const Reproduction& r);

}  // namespace socsim
