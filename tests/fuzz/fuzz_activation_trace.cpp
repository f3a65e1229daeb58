// Fuzz harness of recorded activation traces (`--set policy.activation_trace=FILE`, format in
// sim/sparse/activation_trace.hpp): each input is written to a file and opened as a
// TraceActivations, which checks every line and counts firings; every token is then streamed back
// with its routed experts, active neurons and firing rates, as a sparse-offloading policy reads
// them. Bad input is an InputError located at file:line:column; anything else escaping is a
// finding.
#include <cstddef>
#include <cstdint>

#include "sim/sparse/activation_trace.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    socsim::TraceActivations trace(socsim::fuzz::input_file(data, size, "trace.txt"));
    const socsim::ActivationShape& shape = trace.shape();
    volatile double sink = shape.active_fraction;
    for (int64_t t = 0; t < trace.tokens(); ++t) {
      trace.next_token();
      for (int64_t l = 0; l < shape.layers; ++l)
        for (int32_t e : trace.experts(l)) {
          for (uint32_t id : trace.active(l, e)) sink = sink + trace.firing_probability(l, e, id);
          sink = sink + shape.fraction(l);
        }
    }
  } catch (const socsim::InputError&) {
  }
  return 0;
}
