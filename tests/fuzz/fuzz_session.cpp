// Fuzz harness of app session files (experiments/sessions/*.yaml, sim/session/session_spec.hpp):
// each input is written to a file, read by read_session (requests, arrivals, think times, prefixes,
// scheduler settings) and checked by finalize_session's cross-field rules, as `socsim run
// --session` does. Bad input is an InputError with its diagnostics; anything else escaping is a
// finding.
#include <cstddef>
#include <cstdint>

#include "sim/session/session_spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const std::string path = socsim::fuzz::input_file(data, size, "session.yaml");
    socsim::Diagnostics d;
    socsim::SourceMap where;
    const socsim::SessionSpec s = socsim::read_session(path, d, &where);
    if (!d.has_errors()) socsim::finalize_session(s, path, d, where);
    d.throw_if_errors();
  } catch (const socsim::InputError&) {
  }
  return 0;
}
