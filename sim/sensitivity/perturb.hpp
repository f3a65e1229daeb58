// Writing a parameter back as a `--set` with another value: scaled by a factor (a table or list
// as a whole on its y values, or only some of its rows), shifted (an integer), or replaced. Values
// are formatted with their units so that the run reads back exactly the double computed here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/provenance/provenance.hpp"

namespace socsim {

// "hw.dram.bandwidth=65.56GB/s", "hw.flash.queue_depth=[[1, 0.11], ...]".
std::string set_text(const std::string& path, const ParameterValue& v);

// `v` with every number (a table's y values, a list's values) multiplied by `factor`; with
// `rows`, only the rows whose entry is true. An integer is rounded to the nearest whole number.
ParameterValue scaled(const ParameterValue& v, double factor, const std::vector<bool>* rows = {});

// The two runs of a central difference: the parameter at p0 (1 + delta) and p0 (1 - delta), or
// for an integer p0 +- max(1, round(delta p0)); `p` is the parameter's measure (its value, or
// the factor on a table, whose p0 is 1).
struct Perturbation {
  std::string set;
  double p = 0;
};
struct CentralDifference {
  double p0 = 0;
  Perturbation minus, plus;
};
// nullopt (with the reason in `why_not`) when a relative change is undefined (a zero value).
std::optional<CentralDifference> central_difference(const ParameterProvenance& p, double delta,
                                                    std::string& why_not);

}  // namespace socsim
