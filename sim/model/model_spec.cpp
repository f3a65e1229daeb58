// Declaration of every model field (visit_model), derived sizes and loading.
#include "sim/model/model_spec.hpp"

#include <fmt/format.h>
#include <cmath>

#include "sim/config/diagnostics.hpp"
#include "sim/config/yaml_reader.hpp"
#include "sim/model/hf_config.hpp"

namespace socsim {

void visit_model(FieldVisitor& v, ModelSpec& m) {
  v.integer("schema_version", m.schema_version,
            {"version of the model schema (1)", std::nullopt, 1, 1});
  v.text("name", m.name, {"model name"});
  v.text("source", m.source,
         {"where the dimensions come from (e.g. the Hugging Face repository)", ""});
  v.integer("layers", m.layers, {"decoder layers", std::nullopt, 1, ModelLimits::kLayers});
  v.integer("hidden", m.hidden,
            {"hidden size (model width)", std::nullopt, 1, ModelLimits::kHidden});
  v.integer("heads", m.heads, {"query attention heads", std::nullopt, 1, ModelLimits::kHeads});
  v.integer("kv_heads", m.kv_heads,
            {"key/value heads (grouped-query attention); default heads", std::nullopt, 1,
             ModelLimits::kHeads, true});
  v.integer("head_dim", m.head_dim,
            {"dimension of one head; default hidden / heads", std::nullopt, 1,
             ModelLimits::kHeadDim, true});
  v.integer("ffn", m.ffn,
            {"FFN intermediate size (per expert for MoE)", std::nullopt, 1, ModelLimits::kFfn});
  v.flag("gated", m.gated,
         {"gated FFN (gate and up projections, e.g. SwiGLU) instead of a plain up projection"});
  enum_field(v, "activation", m.activation, kActivationNames, {"FFN activation"});
  enum_field(v, "norm", m.norm, kNormNames, {"normalisation layer"});
  v.integer("vocab", m.vocab, {"vocabulary size", std::nullopt, 1, ModelLimits::kVocab});
  v.flag("tied_embeddings", m.tied_embeddings, {"LM head shares the embedding matrix", "false"});
  v.section("moe", {"mixture of experts (optional)"}, &m.has_moe, [&](FieldVisitor& w) {
    w.integer("experts", m.moe.experts,
              {"experts per layer", std::nullopt, 1, ModelLimits::kExperts});
    w.integer("experts_per_token", m.moe.experts_per_token,
              {"experts each token is routed to", std::nullopt, 1, ModelLimits::kExperts});
  });
  v.section("sparsity", {"activation sparsity of the FFN (optional; dense when absent)"},
            &m.has_sparsity, [&](FieldVisitor& w) {
              w.quantity("ffn_active", m.sparsity.ffn_active, Dim::kNumber,
                         {"mean fraction of FFN neurons (per expert) active for one token",
                          std::nullopt, 0, 1});
              w.numbers("per_layer", m.sparsity.per_layer, Dim::kNumber,
                        {"per-layer active fractions, one per layer; overrides ffn_active",
                         std::nullopt, 0, 1, true});
              enum_field(w, "method", m.sparsity.method, kSparsityMethodNames,
                         {"natural (ReLU-family zeros) or threshold (small activations of any "
                          "kind cut to zero by a calibrated threshold, CATS-style)",
                          "natural"});
              w.quantity("hotness_exponent", m.sparsity.hotness_exponent, Dim::kNumber,
                         {"power law of the neurons' firing rates; default 1.25 (natural, OPT-30B "
                          "per PowerInfer Fig. 4a) or 0.5 (threshold, LLaMA2-SwiGLU-70B)",
                          std::nullopt, 0, 4, true});
              w.quantity("locality", m.sparsity.locality, Dim::kNumber,
                         {"chance a neuron keeps its state from one token to the next; default "
                          "0.3 (LLM in a flash App. C.1, OPT-6.7B)",
                          std::nullopt, 0, 0.999, true});
            });
  enum_field(v, "weight_dtype", m.weight_dtype, kDTypeNames,
             {"data type the weights are stored in", "int8"});
  enum_field(v, "activation_dtype", m.activation_dtype, kDTypeNames,
             {"data type of activations", "fp16"});
  enum_field(v, "kv_dtype", m.kv_dtype, kDTypeNames, {"data type of the KV cache", "fp16"});
  v.integer(
      "max_context", m.max_context,
      {"longest supported context (prompt + generated tokens)", "4096", 1, ModelLimits::kContext});
}

int64_t ModelSpec::attention_params_per_layer() const {
  return 2 * hidden * q_dim() + 2 * hidden * kv_dim();
}

int64_t ModelSpec::ffn_params_per_expert() const {
  return (gated ? 3 : 2) * hidden * ffn;
}

int64_t ModelSpec::ffn_params_per_layer() const {
  int64_t e = has_moe ? moe.experts : 1;
  return e * ffn_params_per_expert() + (has_moe ? hidden * moe.experts : 0);
}

int64_t ModelSpec::total_params() const {
  return layers * (attention_params_per_layer() + ffn_params_per_layer()) + embedding_params() +
         lm_head_params();
}

double ModelSpec::param_count() const {
  const double h = static_cast<double>(hidden);
  const double e = has_moe ? static_cast<double>(moe.experts) : 1.0;
  const double attention = 2 * h * (static_cast<double>(heads) + static_cast<double>(kv_heads)) *
                           static_cast<double>(head_dim);
  const double ffn_layer =
      e * (gated ? 3 : 2) * h * static_cast<double>(ffn) + (has_moe ? h * e : 0);
  return static_cast<double>(layers) * (attention + ffn_layer) +
         static_cast<double>(vocab) * h * (tied_embeddings ? 1 : 2);
}

double ModelSpec::weight_bytes() const {
  return static_cast<double>(total_params()) * storage_bits(weight_dtype) / 8.0;
}

double ModelSpec::kv_bytes_per_token() const {
  return 2.0 * static_cast<double>(layers * kv_dim()) * plain_bits(kv_dtype) / 8.0;
}

double ModelSpec::ffn_active_fraction(int64_t layer) const {
  if (!has_sparsity) return 1.0;
  if (!sparsity.per_layer.empty()) return sparsity.per_layer[static_cast<size_t>(layer)];
  return sparsity.ffn_active;
}

void finalize_model(ModelSpec& m, const std::string& file, Diagnostics& d, const SourceMap& where) {
  if (m.kv_heads == 0) m.kv_heads = m.heads;
  if (m.head_dim == 0 && m.heads > 0) {
    if (m.hidden % m.heads != 0)
      d.error(where.find("head_dim", file),
              fmt::format("head_dim: hidden ({}) is not a multiple of heads ({}); give head_dim",
                          m.hidden, m.heads));
    m.head_dim = m.hidden / m.heads;
  }
  if (m.kv_heads > 0 && m.heads % m.kv_heads != 0)
    d.error(where.find("kv_heads", file),
            fmt::format("kv_heads ({}) must divide heads ({})", m.kv_heads, m.heads));
  if (m.has_moe && m.moe.experts_per_token > m.moe.experts)
    d.error(where.find("moe.experts_per_token", file),
            fmt::format("moe.experts_per_token ({}) exceeds moe.experts ({})",
                        m.moe.experts_per_token, m.moe.experts));
  if (m.has_sparsity) {
    const bool relu = m.activation == Activation::kRelu || m.activation == Activation::kDRelu;
    if (m.sparsity.method == SparsityMethod::kNatural && !relu)
      d.error(where.find("sparsity.method", file),
              fmt::format("sparsity.method: a {} FFN has no natural zeros; give method: threshold "
                          "(small activations cut by a calibrated threshold, as CATS does)",
                          kActivationNames[static_cast<size_t>(m.activation)]));
    if (std::isnan(m.sparsity.hotness_exponent))
      m.sparsity.hotness_exponent =
          m.sparsity.method == SparsityMethod::kThreshold ? kThresholdHotness : kNaturalHotness;
    if (std::isnan(m.sparsity.locality)) m.sparsity.locality = kDefaultLocality;
  }
  // Sizes within their bounds can still multiply past int64 (the derived sizes above).
  const double params = m.param_count();
  if (params > ModelLimits::kParams)
    d.error(where.find("layers", file),
            fmt::format("the model would have {:.3g} parameters, more than socsim counts ({:g}); "
                        "check layers, hidden, heads, head_dim, ffn, vocab and moe.experts",
                        params, ModelLimits::kParams));
  if (m.has_sparsity && !m.sparsity.per_layer.empty() &&
      static_cast<int64_t>(m.sparsity.per_layer.size()) != m.layers)
    d.error(where.find("sparsity.per_layer", file),
            fmt::format("sparsity.per_layer has {} values for {} layers",
                        m.sparsity.per_layer.size(), m.layers));
}

static bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ModelSpec read_model(const std::string& path, Diagnostics& d, SourceMap* where) {
  ModelSpec m;
  std::optional<YAML::Node> root = load_yaml_file(path, d);
  if (!root) return m;
  if (ends_with(path, ".json")) {
    read_hf_config(path, *root, m, d);
    return m;
  }
  YamlReader r(path, *root, d);
  r.record_locations(where);
  r.read_root([&](FieldVisitor& v) { visit_model(v, m); });
  return m;
}

ModelSpec load_model(const std::string& path) {
  Diagnostics d;
  SourceMap where;
  ModelSpec m = read_model(path, d, &where);
  if (!d.has_errors()) finalize_model(m, path, d, where);
  d.throw_if_errors();
  return m;
}

}  // namespace socsim
