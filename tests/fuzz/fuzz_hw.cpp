// Fuzz harness of hardware profiles (hwprofiles/*.yaml, sim/hw/hw_spec.hpp): each input is written
// to a file and read by load_hw, which parses the YAML, reads every declared field with its unit
// and bounds (CPU clusters, GPU, NPU, DRAM, flash, thermal network) and applies the cross-field
// rules. Bad input is an InputError with its diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>

#include "sim/hw/hw_spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)socsim::load_hw(socsim::fuzz::input_file(data, size, "profile.yaml"));
  } catch (const socsim::InputError&) {
  }
  return 0;
}
