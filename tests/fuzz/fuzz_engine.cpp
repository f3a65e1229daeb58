// Fuzz harness of software-engine profiles (hwprofiles/engines/*.yaml, sim/hw/engine_spec.hpp):
// each input is written to a file, read by read_engine and, when it reads cleanly, applied to a
// copy of the shipped redmi-k70-pro profile by apply_engine (efficiency factors, own tables, data
// type rates, overheads), as `socsim run` does for a policy's engine. Bad input is an InputError
// with its diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>

#include "sim/hw/engine_spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const socsim::HwSpec base =
      socsim::load_hw(std::string(SOCSIM_DATA_DIR) + "/hwprofiles/redmi-k70-pro.yaml");
  try {
    const std::string path = socsim::fuzz::input_file(data, size, "engine.yaml");
    socsim::Diagnostics d;
    socsim::SourceMap where;
    const socsim::EngineSpec e = socsim::read_engine(path, d, &where);
    if (!d.has_errors()) {
      socsim::HwSpec hw = base;
      socsim::apply_engine(hw, e, path, d, where);
    }
    d.throw_if_errors();
  } catch (const socsim::InputError&) {
  }
  return 0;
}
