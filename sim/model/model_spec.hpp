// Decoder-only transformer description: dimensions, FFN type and activation, normalisation, MoE,
// activation sparsity and data types. Fields are declared once in visit_model (model_spec.cpp);
// YAML files in models/ and Hugging Face config.json files (hf_config.cpp) both produce this
// struct. Derived sizes (parameters, bytes, KV bytes per token) are methods so every consumer
// agrees.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"
#include "sim/model/dtype.hpp"

namespace socsim {

enum class Activation { kSilu, kGelu, kRelu, kDRelu };
inline constexpr std::array<std::string_view, 4> kActivationNames{"silu", "gelu", "relu", "drelu"};
enum class NormKind { kRmsNorm, kLayerNorm };
inline constexpr std::array<std::string_view, 2> kNormNames{"rmsnorm", "layernorm"};

struct MoeSpec {
  int64_t experts = 1;
  int64_t experts_per_token = 1;
};

// How an FFN neuron comes to be inactive: `natural`, a ReLU-family activation outputs zero;
// `threshold`, an activation of any kind whose small outputs are cut to zero by a calibrated
// threshold (CATS, arXiv 2404.08763; CHESS, arXiv 2409.01366), as PowerInfer-2 runs SiLU models.
enum class SparsityMethod { kNatural, kThreshold };
inline constexpr std::array<std::string_view, 2> kSparsityMethodNames{"natural", "threshold"};

// Measured defaults: natural ReLU sparsity is skewed as OPT-30B's MLP blocks (26% of neurons give
// 80% of activations, PowerInfer arXiv 2312.12456 Fig. 4a; exponent 1.25 at 10% active); threshold
// sparsity of SwiGLU as LLaMA2(SwiGLU)-70B's (69% of neurons, same figure; exponent 0.5 at 50%
// active). Token-to-token locality from LLM in a flash (arXiv 2312.11514 App. C.1, OPT-6.7B).
inline constexpr double kNaturalHotness = 1.25, kThresholdHotness = 0.5, kDefaultLocality = 0.3;

struct SparsitySpec {
  double ffn_active = 1.0;        // mean fraction of FFN neurons active per token
  std::vector<double> per_layer;  // optional per-layer fractions (size = layers)
  SparsityMethod method = SparsityMethod::kNatural;
  // Activation statistics of the model (sim/sparse/activation_model.hpp); derived from the method
  // when absent.
  double hotness_exponent = kNaturalHotness;  // power law of firing rates over hotness ranks
  double locality = kDefaultLocality;         // chance a neuron keeps its state token to token
};

// Upper bounds of a model's sizes, declared by visit_model for models/*.yaml and applied to
// Hugging Face config.json files too (hf_config.cpp), so both kinds of input accept the same
// models and a size read can be multiplied without overflowing int64.
struct ModelLimits {
  static constexpr int64_t kLayers = 1000, kHidden = 1 << 20, kHeads = 4096, kHeadDim = 4096;
  static constexpr int64_t kFfn = 1 << 22, kVocab = 1 << 24, kExperts = 1024;
  static constexpr int64_t kContext = 1 << 24;
  // Parameters in total: within the bounds above (e.g. 1000 layers of 1024 experts of 2^20 x
  // 2^22) the count could still pass 2^63; no model socsim simulates comes near 1e15.
  static constexpr double kParams = 1e15;
};

struct ModelSpec {
  int64_t schema_version = 1;
  std::string name;
  std::string source;  // where the dimensions come from
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;  // derived = heads
  int64_t head_dim = 0;  // derived = hidden / heads
  int64_t ffn = 0;       // intermediate size (per expert for MoE)
  bool gated = true;     // gate and up projections (SwiGLU/GeGLU) vs plain up
  Activation activation = Activation::kSilu;
  NormKind norm = NormKind::kRmsNorm;
  int64_t vocab = 0;
  bool tied_embeddings = false;
  bool has_moe = false;
  MoeSpec moe;
  bool has_sparsity = false;
  SparsitySpec sparsity;
  DType weight_dtype = DType::kInt8;
  DType activation_dtype = DType::kFp16;
  DType kv_dtype = DType::kFp16;
  int64_t max_context = 4096;

  // Derived sizes (elements, not bytes, unless named *_bytes).
  int64_t q_dim() const { return heads * head_dim; }
  int64_t kv_dim() const { return kv_heads * head_dim; }
  int64_t attention_params_per_layer() const;  // Q, K, V, O
  int64_t ffn_params_per_expert() const;       // gate (if gated), up, down
  int64_t ffn_params_per_layer() const;        // all experts + router
  int64_t embedding_params() const { return vocab * hidden; }
  int64_t lm_head_params() const { return tied_embeddings ? 0 : vocab * hidden; }
  int64_t total_params() const;
  // total_params() computed in double, which cannot overflow: finalize_model refuses a model
  // above ModelLimits::kParams, so that the int64 sizes fit.
  double param_count() const;
  // Parameters of the transformer layers' linear layers (what NPU layer graphs hold).
  int64_t layer_params() const {
    return layers * (attention_params_per_layer() + ffn_params_per_layer());
  }
  double weight_bytes() const;        // all weights in weight_dtype (embedding included)
  double kv_bytes_per_token() const;  // K and V, all layers
  double ffn_active_fraction(int64_t layer) const;  // 1.0 when dense
};

void visit_model(FieldVisitor& v, ModelSpec& m);
void finalize_model(ModelSpec& m, const std::string& file, Diagnostics& diags,
                    const SourceMap& where = {});
// Reads models/*.yaml, or a Hugging Face config.json when the path ends in .json.
ModelSpec load_model(const std::string& path);
// Reads without finalising (overrides are applied between the two); throws nothing, reports.
ModelSpec read_model(const std::string& path, Diagnostics& diags, SourceMap* where = nullptr);

}  // namespace socsim
