// Recorded activation traces: a text file of the routed experts and active neurons of each decoded
// token, read back as an ActivationSource (TraceActivations) and written from any source
// (write_activation_trace), so that a user can record, edit or supply measured activations.
//
// Format, version 1 (ASCII, one record per line; blank lines and lines starting with '#' are
// ignored anywhere):
//
//   socsim-activations 1 layers <L> experts <E> experts_per_token <K> neurons <N>
//   <token> <layer> <expert>: <id> <id> ...
//
// The header comes first, keys in this order. Then one line per routed expert of each layer of
// each token: tokens numbered 0, 1, 2, ... in order; within a token, layers 0 .. L-1 in order;
// within a layer exactly K lines with distinct, ascending experts in [0, E) (a dense model has
// E = K = 1 and expert 0). The ids after the colon are the expert's active neurons, distinct and
// ascending in [0, N), separated by spaces; the list may be empty. Ids are hotness ranks (id 0 the
// most frequently active neuron), as for every ActivationSource. The file ends after a complete
// token. Example (2 layers, 4 experts, top-2, 8 neurons, one token):
//
//   socsim-activations 1 layers 2 experts 4 experts_per_token 2 neurons 8
//   0 0 1: 0 1 5
//   0 0 3: 0 2
//   0 1 0: 0 1 2 7
//   0 1 2:
//
// Bad input throws InputError located at file:line:column, naming what was expected.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "sim/sparse/activation_model.hpp"

namespace socsim {

// Replays a trace file. The constructor reads the whole file once (checking every line and
// counting how often each neuron fires); next_token() then streams the tokens from the file, so
// traces need not fit in memory. firing_probability is the measured rate: tokens on which the
// neuron was active over tokens that routed to its expert (0 for an expert never routed).
// shape().active_fraction and per_layer are the measured mean fractions.
class TraceActivations final : public ActivationSource {
 public:
  explicit TraceActivations(const std::string& path);
  ~TraceActivations() override;
  int64_t tokens() const;  // tokens in the file
  const ActivationShape& shape() const override;
  // Throws InputError when the trace has no more tokens.
  void next_token() override;
  int64_t token() const override;
  std::span<const int32_t> experts(int64_t layer) const override;
  std::span<const uint32_t> active(int64_t layer, int64_t expert) const override;
  double firing_probability(int64_t layer, int64_t expert, int64_t neuron) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes the next `tokens` tokens of `source` (advancing it) as a version-1 trace.
void write_activation_trace(ActivationSource& source, int64_t tokens, std::ostream& out);
// The same to a file; throws InputError when the file cannot be written.
void write_activation_trace(ActivationSource& source, int64_t tokens, const std::string& path);

}  // namespace socsim
