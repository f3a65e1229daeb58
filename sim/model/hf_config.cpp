// Hugging Face config.json reader; see hf_config.hpp. The JSON is parsed by yaml-cpp (JSON is
// YAML flow syntax), so every node keeps its line and column for diagnostics. The architecture
// (model_type) decides what the config does not say: gated FFN, normalisation and the
// transformers default of tie_word_embeddings.
#include "sim/model/hf_config.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <set>
#include <string_view>
#include <vector>

namespace socsim {
namespace {

struct Architecture {
  std::string_view model_type;
  bool gated;
  NormKind norm;
  bool tied_default;  // transformers' default of tie_word_embeddings for this config class
};

constexpr std::array<Architecture, 10> kArchitectures{{
    {"llama", true, NormKind::kRmsNorm, false},
    {"mistral", true, NormKind::kRmsNorm, false},
    {"mixtral", true, NormKind::kRmsNorm, false},
    {"qwen2", true, NormKind::kRmsNorm, false},
    {"gemma", true, NormKind::kRmsNorm, true},
    {"gemma2", true, NormKind::kRmsNorm, true},
    {"phi", false, NormKind::kLayerNorm, false},
    {"gpt_neox", false, NormKind::kLayerNorm, false},
    {"gpt2", false, NormKind::kLayerNorm, true},
    {"opt", false, NormKind::kLayerNorm, true},
}};

constexpr std::array<std::pair<std::string_view, Activation>, 7> kActivations{{
    {"silu", Activation::kSilu},
    {"swish", Activation::kSilu},
    {"gelu", Activation::kGelu},
    {"gelu_new", Activation::kGelu},
    {"gelu_pytorch_tanh", Activation::kGelu},
    {"gelu_fast", Activation::kGelu},
    {"relu", Activation::kRelu},
}};

// Keys that do not change the simulated cost: token ids, dropout, initialisation, positional
// encoding parameters, numerical epsilons, bookkeeping. Anything else unknown is warned about.
// clang-format off
constexpr std::string_view kIgnoredKeys[] = {
    "architectures", "auto_map", "transformers_version", "torch_dtype", "dtype", "use_cache",
    "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "decoder_start_token_id",
    "tokenizer_class", "max_length", "id2label", "label2id", "task_specific_params",
    "initializer_range", "init_std", "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon",
    "rope_theta", "rope_scaling", "rope_parameters", "partial_rotary_factor", "rotary_pct",
    "rotary_emb_base", "attention_dropout", "hidden_dropout", "embd_pdrop", "resid_pdrop",
    "attn_pdrop", "dropout", "activation_dropout", "classifier_dropout", "layerdrop",
    "attention_bias", "mlp_bias", "enable_bias", "sliding_window", "use_sliding_window",
    "max_window_layers", "pretraining_tp", "qk_layernorm", "use_parallel_residual",
    "do_layer_norm_before", "_remove_final_layer_norm", "prefix", "n_ctx", "output_router_logits",
    "router_aux_loss_coef", "router_jitter_noise", "attn_logit_softcapping",
    "final_logit_softcapping", "query_pre_attn_scalar", "cache_implementation",
    "scale_attn_weights", "reorder_and_upcast_attn", "scale_attn_by_inverse_layer_idx"};
// clang-format on

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& x : items) out += (out.empty() ? "" : ", ") + x;
  return out;
}

class HfReader {
 public:
  HfReader(const std::string& path, const YAML::Node& root, Diagnostics& d)
      : path_(path), root_(root), d_(d) {}

  SourceLoc loc(const YAML::Node& n) const {
    if (!n.IsDefined() || n.Mark().is_null()) return {path_, 0, 0};
    return {path_, n.Mark().line + 1, n.Mark().column + 1};
  }

  // The value of the first of `names` present and not null, recorded as used; undefined if none.
  YAML::Node find(std::initializer_list<std::string_view> names, std::string* which = nullptr) {
    for (std::string_view name : names) {
      for (const auto& kv : root_) {
        if (kv.first.Scalar() != name) continue;
        used_.insert(std::string(name));
        if (kv.second.IsNull()) continue;
        if (which) *which = std::string(name);
        return kv.second;
      }
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  void missing(std::string_view key, std::string_view help) {
    d_.error(loc(root_), fmt::format("missing required key '{}' ({})", key, help));
  }

  bool scalar(const YAML::Node& n, const std::string& key) {
    if (n.IsScalar()) return true;
    d_.error(loc(n), fmt::format("'{}' must be a single value, not a {}", key,
                                 n.IsMap() ? "mapping" : "list"));
    return false;
  }

  // A whole number in [1, max]. Returns false (after reporting if present) when not read.
  bool integer(std::initializer_list<std::string_view> names, int64_t& out, std::string_view help,
               bool required, int64_t max = std::numeric_limits<int64_t>::max()) {
    std::string key;
    YAML::Node n = find(names, &key);
    if (!n.IsDefined()) {
      if (required) missing(*names.begin(), help);
      return false;
    }
    if (!scalar(n, key)) return false;
    const std::string& s = n.Scalar();
    if (n.Tag() == "!") {  // quoted: a JSON string
      d_.error(loc(n), fmt::format("{}: expected a whole number, not the string \"{}\"", key, s));
      return false;
    }
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      d_.error(loc(n), fmt::format("{}: '{}' is not a whole number", key, s));
      return false;
    }
    if (v < 1) {
      d_.error(loc(n), fmt::format("{}: {} is out of range; it must be at least 1", key, s));
      return false;
    }
    // The bounds of the same field in models/*.yaml (unbounded sizes overflowed the derived
    // sizes, e.g. 4 x n_embd below, and a huge layer count made every consumer loop for ever).
    if (v > max) {
      d_.error(loc(n), fmt::format("{}: {} is out of range; it must be at most {}", key, s, max));
      return false;
    }
    out = v;
    return true;
  }

  bool boolean(std::string_view name, bool& out) {
    std::string key;
    YAML::Node n = find({name}, &key);
    if (!n.IsDefined() || !scalar(n, key)) return false;
    if (n.Tag() != "!" && (n.Scalar() == "true" || n.Scalar() == "false")) {
      out = n.Scalar() == "true";
      return true;
    }
    d_.error(loc(n), fmt::format("{}: '{}' is not a boolean (use true or false)", key, n.Scalar()));
    return false;
  }

  // A value that must be one of `options`; reports with a "did you mean" hint otherwise.
  template <size_t N, class T>
  const T* choice(const YAML::Node& n, const std::string& key, const std::array<T, N>& options,
                  std::string_view (*name)(const T&)) {
    if (!scalar(n, key)) return nullptr;
    std::vector<std::string> names;
    for (const T& o : options) {
      if (name(o) == n.Scalar()) return &o;
      names.emplace_back(name(o));
    }
    std::string hint = closest_match(n.Scalar(), names);
    d_.error(loc(n), fmt::format("{}: unknown value '{}'{} (one of: {})", key, n.Scalar(),
                                 hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint),
                                 join(names)));
    return nullptr;
  }

  // Warns about every key neither read nor known to be irrelevant to cost.
  void warn_unused() {
    for (const auto& kv : root_) {
      std::string k = kv.first.Scalar();
      if (used_.count(k)) continue;
      bool ignored = false;
      for (std::string_view i : kIgnoredKeys) ignored = ignored || i == k;
      if (k.rfind("summary_", 0) == 0) ignored = true;  // GPT-2 sequence-summary head settings
      if (!ignored)
        d_.warning(loc(kv.first), fmt::format("unknown Hugging Face config key '{}' ignored", k));
    }
  }

  void check_duplicates() {
    std::set<std::string> seen;
    for (const auto& kv : root_)
      if (!seen.insert(kv.first.Scalar()).second)
        d_.error(loc(kv.first), fmt::format("duplicate key '{}'", kv.first.Scalar()));
  }

 private:
  std::string path_;
  YAML::Node root_;
  Diagnostics& d_;
  std::set<std::string> used_;
};

std::string_view arch_name(const Architecture& a) {
  return a.model_type;
}
std::string_view act_name(const std::pair<std::string_view, Activation>& a) {
  return a.first;
}

}  // namespace

void read_hf_config(const std::string& path, const YAML::Node& root, ModelSpec& m,
                    Diagnostics& diags) {
  HfReader r(path, root, diags);
  if (!root.IsMap()) {
    diags.error(r.loc(root), "expected a JSON object of configuration keys at the top level");
    return;
  }
  r.check_duplicates();
  m.source = path;

  // Architecture first: it supplies what the config leaves implicit. Unknown: llama defaults.
  const Architecture* arch = &kArchitectures[0];
  YAML::Node type = r.find({"model_type"});
  if (!type.IsDefined()) {
    r.missing("model_type", "architecture, e.g. llama");
  } else if (const Architecture* a = r.choice(type, "model_type", kArchitectures, arch_name)) {
    arch = a;
  }
  m.gated = arch->gated;
  m.norm = arch->norm;
  m.tied_embeddings = arch->tied_default;

  std::string name_key;
  YAML::Node name = r.find({"_name_or_path"}, &name_key);
  if (name.IsDefined() && r.scalar(name, name_key) && !name.Scalar().empty()) {
    m.name = name.Scalar();
  } else {
    m.name = std::filesystem::absolute(path).parent_path().filename().string();
  }

  r.integer({"hidden_size", "n_embd"}, m.hidden, "model width", true, ModelLimits::kHidden);
  r.integer({"num_hidden_layers", "n_layer"}, m.layers, "number of decoder layers", true,
            ModelLimits::kLayers);
  r.integer({"num_attention_heads", "n_head"}, m.heads, "number of query heads", true,
            ModelLimits::kHeads);
  r.integer({"num_key_value_heads"}, m.kv_heads, "key/value heads", false,  // default: heads
            ModelLimits::kHeads);
  r.integer({"head_dim"}, m.head_dim, "dimension of one head", false,  // default: hidden / heads
            ModelLimits::kHeadDim);
  r.integer({"vocab_size"}, m.vocab, "vocabulary size", true, ModelLimits::kVocab);
  r.integer({"max_position_embeddings", "n_positions"}, m.max_context, "longest context", true,
            ModelLimits::kContext);
  bool ffn = r.integer({"intermediate_size", "ffn_dim", "n_inner"}, m.ffn, "FFN intermediate size",
                       arch->model_type != "gpt2", ModelLimits::kFfn);
  if (!ffn && arch->model_type == "gpt2")
    m.ffn = 4 * m.hidden;  // GPT2Config: n_inner null = 4 x n_embd

  std::string act_key;
  YAML::Node act = r.find({"hidden_activation", "hidden_act", "activation_function"}, &act_key);
  r.find({"hidden_act", "activation_function"});  // gemma gives both; hidden_activation wins
  if (!act.IsDefined()) {
    r.missing("hidden_act", "FFN activation, e.g. silu");
  } else if (const auto* a = r.choice(act, act_key, kActivations, act_name)) {
    m.activation = a->second;
  }

  r.boolean("tie_word_embeddings", m.tied_embeddings);

  int64_t experts = 0;
  if (r.integer({"num_local_experts"}, experts, "experts per layer", false,
                ModelLimits::kExperts)) {
    m.has_moe = true;
    m.moe.experts = experts;
    r.integer({"num_experts_per_tok"}, m.moe.experts_per_token,
              "experts each token is routed to; required with num_local_experts", true,
              ModelLimits::kExperts);
  } else {
    r.find({"num_experts_per_tok"});  // meaningless without experts; not an unknown key
  }

  int64_t proj = 0;
  if (r.integer({"word_embed_proj_dim"}, proj, "embedding projection width", false) &&
      proj != m.hidden)
    diags.warning(
        r.loc(r.find({"word_embed_proj_dim"})),
        fmt::format("word_embed_proj_dim ({}) differs from hidden_size ({}); the embedding "
                    "projection is not modelled",
                    proj, m.hidden));

  r.warn_unused();
}

}  // namespace socsim
