// Fuzz harness of model files (models/*.yaml, sim/model/model_spec.hpp): each input is written to
// a file and read by load_model (dimensions, MoE, sparsity, data types, cross-field rules). A model
// that loads must give finite derived sizes without overflow, as every consumer computes them next.
// Bad input is an InputError with its diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>

#include "sim/model/model_spec.hpp"
#include "tests/fuzz/fuzz_model_sizes.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const socsim::ModelSpec m = socsim::load_model(socsim::fuzz::input_file(data, size, "m.yaml"));
    socsim::fuzz::use_model_sizes(m);
  } catch (const socsim::InputError&) {
  }
  return 0;
}
