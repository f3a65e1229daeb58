// The workload of one run: prompt length, tokens to generate and the memory budget. Declared once
// (visit_workload) so `--set workload.PATH` and `describe workload` work like every other input.
#pragma once

#include <cstdint>

#include "sim/config/schema.hpp"

namespace socsim {

struct Workload {
  int64_t prompt = 256;    // prompt tokens (prefill)
  int64_t gen = 32;        // generated tokens (decode steps; the first comes from prefill)
  double memory = kUnset;  // memory budget in bytes; default the profile's dram.available
  // Share of the FFN weights that must live in flash: the budget is then the model's weights
  // less that share of its FFN weights, plus the KV cache (PowerInfer-2's "x% of FFN offloaded").
  double ffn_offload = kUnset;
};

void visit_workload(FieldVisitor& v, Workload& w);

}  // namespace socsim
