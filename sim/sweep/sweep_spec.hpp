// A sweep file (experiments/sweeps/*.yaml): a base run (hardware profile, model, policy, backend
// and `--set` overrides) and the axes its design points vary: a cartesian product of value lists
// or numeric ranges, groups of lists that move together (zip), replicate seeds, and explicit extra
// points. An axis is named by a parameter path: `hw`, `model`, `policy`, `backend`, `session` for
// the run's inputs themselves, or `hw.X`, `model.X`, `policy.X`, `engine.X`, `workload.X`,
// `session.X` as for `--set`.
// Values stay text as written, units included ("600MHz"); each becomes a `--set PATH=VALUE` and is
// parsed and bounds-checked by the override parser of the inputs it sets (sweep_validate.hpp).
//
// Reading is strict like every socsim input: unknown and duplicate keys are errors, and every
// problem is reported at once with file:line:col (InputError). The format is documented in
// experiments/sweeps/README.md and by the commented examples next to it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/diagnostics.hpp"

namespace socsim {

// One value of an axis (or of the base) with where it was written.
struct SweepValue {
  std::string text;
  SourceLoc loc;
};

// One column of the results: a parameter path and the values it takes along its dimension.
struct SweepAxis {
  std::string path;
  SourceLoc loc;  // of the key
  std::vector<SweepValue> values;
};

struct SweepSeeds {
  std::string path;  // empty: no seed axis
  SourceLoc loc;
  int64_t count = 0;
  int64_t start = 1;  // seeds start, start + 1, ..., start + count - 1
};

// An explicit point: the paths it sets (others keep the base run's values).
struct SweepPointSpec {
  SourceLoc loc;
  std::vector<std::pair<std::string, SweepValue>> values;
};

struct SweepSpec {
  std::string file;  // as given; labels diagnostics
  std::string name;
  std::string description;
  // The base run, as `socsim run --hw --model --policy --backend --set`.
  SweepValue hw{"redmi-k70-pro", {}}, model{"qwen1.5-1.8b", {}}, policy{"cpu", {}};
  SweepValue backend{"simgrid", {}};
  SweepValue session{"", {}};  // an app session file or shipped name; empty = one prompt per point
  std::vector<SweepValue> sets;              // "PATH=VALUE"
  std::vector<SweepAxis> product;            // cartesian product; the first axis varies slowest
  std::vector<std::vector<SweepAxis>> zips;  // each group is one more dimension, after product
  SweepSeeds seeds;                          // the innermost dimension
  std::vector<SweepPointSpec> points;        // after the product points
};

// Reads and checks a sweep file's structure (values are checked later against the inputs they
// set). Throws InputError with every problem found.
SweepSpec read_sweep(const std::string& path);

// The root of an axis path ("hw" for "hw.npu.clock" and for "hw"), and whether the path names
// one of the run's inputs itself (hw, model, policy, backend) rather than a parameter.
std::string axis_root(const std::string& path);
// Puts the errors of `d` in file, line and column order (as a compiler reports them).
void sort_by_location(Diagnostics& d);
bool is_input_axis(const std::string& path);

}  // namespace socsim
