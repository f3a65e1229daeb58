// Fuzz harness of Hugging Face config.json files (sim/model/hf_config.hpp): each input is written
// to a file named config.json and read by load_model, which parses it as JSON (YAML flow syntax),
// maps the transformers keys of each architecture onto a ModelSpec and applies the model's
// cross-field rules. A model that loads must give finite derived sizes without overflow. Bad
// input is an InputError with its diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>

#include "sim/model/model_spec.hpp"
#include "tests/fuzz/fuzz_model_sizes.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const socsim::ModelSpec m =
        socsim::load_model(socsim::fuzz::input_file(data, size, "config.json"));
    socsim::fuzz::use_model_sizes(m);
  } catch (const socsim::InputError&) {
  }
  return 0;
}
