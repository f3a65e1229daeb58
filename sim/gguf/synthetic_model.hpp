// A llama.cpp weight file with the architecture of a socsim model and seeded random weights.
// llama.cpp's speed does not depend on weight values, so such a file is a fair workload for timing
// the engine on this machine (`socsim validate-llamacpp`). The socsim model maps to a llama.cpp
// architecture by its FFN and normalisation: gated SiLU/ReLU with RMSNorm -> `llama`, gated GELU
// with RMSNorm -> `gemma`, plain GELU with LayerNorm -> `phi2`. The vocabulary is generated (byte
// tokens plus numbered pieces, SentencePiece-style) at the model's size, so the embedding and
// output layers have their real shapes.
#pragma once

#include <cstdint>
#include <string>

#include "sim/gguf/gguf_file.hpp"
#include "sim/model/model_spec.hpp"

namespace socsim::gguf {

struct SyntheticOptions {
  int64_t layers = 0;                    // 0 = the model's own layer count
  TensorType quant = TensorType::kQ8_0;  // every linear layer and the embedding
  int64_t vocab = 0;    // 0 = the model's vocabulary size (at least 259: bytes + 3 specials)
  int64_t context = 0;  // 0 = the model's max_context
  uint64_t seed = 1;
};

// Parses "q8_0", "q4_0", "f16" (throws std::invalid_argument otherwise).
TensorType parse_quant(const std::string& s);
// The llama.cpp architecture name the model maps to; throws InfeasibleError for MoE models.
std::string llama_cpp_architecture(const ModelSpec& m);
// The socsim weight dtype that matches a GGUF quantisation (q8_0 -> int8, q4_0 -> int4, f16 ->
// fp16).
DType weight_dtype_of(TensorType t);

// Builds the file description (metadata and tensor table).
FileWriter synthetic_model(const ModelSpec& m, const SyntheticOptions& o);
// Builds and writes it; returns the file size in bytes.
uint64_t write_synthetic_model(const ModelSpec& m, const SyntheticOptions& o,
                               const std::string& path);

}  // namespace socsim::gguf
