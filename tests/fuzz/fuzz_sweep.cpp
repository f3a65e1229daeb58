// Fuzz harness of sweep files (experiments/sweeps/*.yaml, sim/sweep/sweep_spec.hpp): each input is
// written to a file, read by read_sweep (base run, product and zip axes, ranges, seeds, explicit
// points) and enumerated by SweepPlan; the first and last points' runs are then built as `socsim
// sweep` builds them. Values are not loaded (that needs the shipped inputs per point). Bad input
// is an InputError with its diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>

#include "sim/sweep/sweep_points.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const socsim::SweepPlan plan(
        socsim::read_sweep(socsim::fuzz::input_file(data, size, "sweep.yaml")));
    for (size_t point : {size_t{0}, plan.size() - 1}) {
      if (point >= plan.size()) continue;
      (void)plan.request(point);
      (void)plan.backend(point);
    }
  } catch (const socsim::InputError&) {
  }
  return 0;
}
