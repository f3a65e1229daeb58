// Drawing the assumptions of a run within their stated ranges, for uncertainty bands. Sample k of
// seed S gives every assumption-tagged number a value from one uniform draw u(S, k, path): the
// draw depends only on the seed, the sample and the parameter's path, never on which other
// parameters exist, so a point and its baseline run (another policy, another model) draw the
// same values for the parameters they share: paired samples. A range is sampled uniformly in log
// space when LO > 0 and HI/LO >= 2, else uniformly. A table draws one u for all its assumption
// rows, each mapped into the row's own range (the rows move together); its other rows stay.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/provenance/provenance.hpp"

namespace socsim {

// Uniform in [0, 1), from the seed, the sample index and the parameter's path.
double unit_draw(uint64_t seed, size_t sample, std::string_view path);

// The value (or factor, for a relative range) that `u` picks in `r`.
double draw_in(const ProvenanceRange& r, double u);

// Whether the band samples a parameter: an assumption with a range, or a table with such rows.
bool is_sampled(const ParameterProvenance& p);

// The `--set`s of sample `k`: one per sampled parameter.
std::vector<std::string> sample_sets(const std::vector<ParameterProvenance>& params, uint64_t seed,
                                     size_t sample);

}  // namespace socsim
