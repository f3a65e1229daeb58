// Fuzz harness of `socsim check --slo` terms (sim/check/slo.hpp): each input is parsed by
// parse_slo as a comma-separated list of metric<=value / metric>=value terms with units, and each
// limit read is formatted back as a report shows it. Bad input is an InputError with its
// diagnostics; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/check/slo.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const std::string text(socsim::fuzz::as_text(data, size));
    for (const socsim::check::SloTerm& t : socsim::check::parse_slo(text))
      (void)socsim::check::format_metric(*t.metric, t.limit);
  } catch (const socsim::InputError&) {
  }
  return 0;
}
