// Workload fields; see workload.hpp.
#include "sim/lower/workload.hpp"

namespace socsim {

void visit_workload(FieldVisitor& v, Workload& w) {
  v.integer("prompt", w.prompt, {"prompt length in tokens (prefill)", "256", 1, 1 << 20});
  v.integer("gen", w.gen,
            {"tokens to generate; the first comes out of prefill, the rest from decode", "32", 0,
             1 << 20});
  v.quantity(
      "memory", w.memory, Dim::kBytes,
      {"memory budget; default the profile's dram.available", std::nullopt, 1e6, 1e14, true});
  v.quantity("ffn_offload", w.ffn_offload, Dim::kNumber,
             {"share of FFN weights kept in flash: sets the budget to the weights less that share "
              "of the FFN, plus the KV cache; neuron-cache policies cache the other share of the "
              "FFN neurons and report their predictors and runtime above it",
              std::nullopt, 0, 1, true});
  v.integer("past", w.past,
            {"tokens already in the KV cache (a reused prefix: system prompt, earlier turns); "
             "prefill computes only the prompt's new tokens and attends over all",
             "0", 0, 1 << 24});
}

}  // namespace socsim
