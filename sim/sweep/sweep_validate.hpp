// Checking a sweep before anything runs, so that a typo fails in a second rather than as a
// thousand failed rows. The base run must load on its own. Then every value of every axis (each
// zip tuple as a whole, the first and last seed, each explicit point as a whole) is loaded with
// the base run, as its points will be: paths, units, bounds and cross-field rules are checked by
// the inputs' own parsers. A value that depends on another input axis (hw.npu.clock on an `hw`
// axis; policy.* and engine.* on a `policy` axis; model.* on a `model` axis) is checked with each
// of that axis's values in turn and is an error only if none accepts it; combinations that fail
// are recorded as input_error rows when the sweep runs. Every error is reported at once, located
// at the value in the sweep file (file:line:col, the axis key, the value, the parser's message).
#pragma once

#include "sim/driver/input_cache.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace socsim {

// Throws InputError with every problem found. Loads go through `cache`, which is then warm.
void validate_sweep(const SweepPlan& plan, InputCache& cache);

// What decides a sweep's results besides its definition, as definition lines: the simulator's
// source hash and a hash of each input file the validation read (shipped files named relative to
// the data directory, so checkouts in different places agree).
std::string sweep_environment(const InputCache& cache);

}  // namespace socsim
