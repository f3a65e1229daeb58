// Fuzz harness of the unit parser (sim/config/units.hpp): every input is parsed as a quantity of
// each dimension ("4GB/s", "73TOPS", "50%", "1.5 KiB"), and each value read is formatted back for
// files and for people. Rejections are returned as text, never thrown, so any exception escaping,
// crash or sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/config/units.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using socsim::Dim;
  const std::string_view text = socsim::fuzz::as_text(data, size);
  for (int d = static_cast<int>(Dim::kNumber); d <= static_cast<int>(Dim::kHeatCapacity); ++d) {
    const Dim dim = static_cast<Dim>(d);
    const socsim::QuantityParse q = socsim::parse_quantity(text, dim);
    if (!q.value) continue;
    const std::string written = socsim::format_quantity(*q.value, dim);
    (void)socsim::parse_quantity(written, dim);  // what `describe` writes is read back as input
    (void)socsim::format_human(*q.value, dim);
  }
  return 0;
}
