// The workload of one run: prompt length, tokens already in the KV cache, tokens to generate and
// the memory budget. Declared once (visit_workload) so `--set workload.PATH` and `describe
// workload` work like every other input. Session scheduling (sim/session/) also sets two fields no
// input file names: a decode continuation (prompt 0) and a batched forward pass over several
// sequences.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/config/schema.hpp"

namespace socsim {

// One sequence's share of a batched forward pass: `tokens` new rows at positions past.., through
// layers [first_layer, end_layer) (layered prefill runs a prompt through a group of layers per
// pass), with logits for its last row when `logits` is set (a decode step, or the pass that ends a
// prefill).
struct BatchSequence {
  int64_t tokens = 1;
  int64_t past = 0;
  int64_t first_layer = 0;
  int64_t end_layer = -1;  // -1 = the model's last layer + 1
  bool logits = true;
};

struct Workload {
  int64_t prompt = 256;    // prompt tokens (prefill); 0 (sessions only): continue decoding
  int64_t gen = 32;        // generated tokens (decode steps; the first comes from prefill)
  double memory = kUnset;  // memory budget in bytes; default the profile's dram.available
  // Share of the FFN weights that must live in flash: the budget is then the model's weights
  // less that share of its FFN weights, plus the KV cache (PowerInfer-2's "x% of FFN offloaded").
  double ffn_offload = kUnset;
  // Tokens already in the KV cache before this run: a reused prefix (a system prompt, the earlier
  // turns of a conversation). Prefill computes only `prompt` new tokens, attending over all.
  int64_t past = 0;
  // Not empty (sessions only): the run is one forward pass over these sequences, their rows fused
  // in every linear op (SARATHI's piggybacked decodes, layered prefill); prompt and gen ignored.
  std::vector<BatchSequence> batch;
};

void visit_workload(FieldVisitor& v, Workload& w);

}  // namespace socsim
