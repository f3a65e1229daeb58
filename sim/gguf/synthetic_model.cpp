// Tensor names, shapes and metadata keys follow llama.cpp's loaders for the `llama`, `gemma` and
// `phi2` architectures (gguf-py's constants name them). Weight values: seeded uniform quants whose
// scale keeps every projection's output near unit RMS, so no NaN or infinity slows a kernel.
#include "sim/gguf/synthetic_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sim/stats/portable_random.hpp"

namespace socsim::gguf {
namespace {

using portable::splitmix64;

uint64_t hash_name(const std::string& s, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// IEEE half from a float in the normal half range (round to nearest).
uint16_t to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = static_cast<int>((x >> 23) & 0xFF) - 127 + 15;
  if (exp <= 0) return static_cast<uint16_t>(sign);
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7BFFu);
  const uint32_t mant = (x & 0x7FFFFFu) + 0x1000u;  // round
  return static_cast<uint16_t>(sign | ((static_cast<uint32_t>(exp) << 10) + (mant >> 13)));
}

void fill_tensor(const Tensor& t, std::vector<uint8_t>& out, uint64_t seed) {
  uint64_t s = hash_name(t.name, seed);
  const double k = static_cast<double>(t.dims[0]);
  const bool embedding = t.name == "token_embd.weight";
  if (t.type == TensorType::kF32) {  // norms (ones) and biases (zeros)
    const bool bias = t.name.size() > 5 && t.name.compare(t.name.size() - 5, 5, ".bias") == 0;
    const float v = bias ? 0.0f : 1.0f;
    for (size_t i = 0; i < out.size(); i += 4) std::memcpy(&out[i], &v, 4);
    return;
  }
  if (t.type == TensorType::kF16) {
    const double a = embedding ? std::sqrt(3.0) : std::sqrt(3.0 / k);
    for (size_t i = 0; i < out.size(); i += 2) {
      const double u = static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53 * 2 - 1;
      const uint16_t h = to_half(static_cast<float>(a * u));
      std::memcpy(&out[i], &h, 2);
    }
    return;
  }
  const bool q8 = t.type == TensorType::kQ8_0;
  const size_t block = q8 ? 34 : 18;
  const double rms = q8 ? 73.6 : 4.6;  // RMS of uniform int8 / of (nibble - 8)
  const uint16_t d = to_half(static_cast<float>(1.0 / (rms * (embedding ? 1.0 : std::sqrt(k)))));
  for (size_t b = 0; b < out.size(); b += block) {
    std::memcpy(&out[b], &d, 2);
    for (size_t i = 2; i < block; i += 8) {
      const uint64_t r = splitmix64(s);
      std::memcpy(&out[b + i], &r, std::min<size_t>(8, block - i));
    }
  }
}

}  // namespace

TensorType parse_quant(const std::string& s) {
  if (s == "q8_0") return TensorType::kQ8_0;
  if (s == "q4_0") return TensorType::kQ4_0;
  if (s == "f16") return TensorType::kF16;
  throw std::invalid_argument("unknown quantisation '" + s + "' (q8_0, q4_0 or f16)");
}

DType weight_dtype_of(TensorType t) {
  switch (t) {
    case TensorType::kQ8_0:
      return DType::kInt8;
    case TensorType::kQ4_0:
      return DType::kInt4;
    case TensorType::kF16:
      return DType::kFp16;
    case TensorType::kF32:
      return DType::kFp32;
  }
  return DType::kFp32;
}

std::string llama_cpp_architecture(const ModelSpec& m) {
  if (m.has_moe && m.moe.experts > 1)
    throw std::invalid_argument(m.name + ": mixture-of-experts models are not written as GGUF");
  if (!m.gated && m.activation == Activation::kGelu && m.norm == NormKind::kLayerNorm)
    return "phi2";
  if (m.gated && m.activation == Activation::kGelu && m.norm == NormKind::kRmsNorm) return "gemma";
  if (m.gated && m.norm == NormKind::kRmsNorm) return "llama";
  throw std::invalid_argument(m.name +
                              ": no llama.cpp architecture for this FFN and normalisation");
}

FileWriter synthetic_model(const ModelSpec& m, const SyntheticOptions& o) {
  const std::string arch = llama_cpp_architecture(m);
  const int64_t layers = o.layers > 0 ? o.layers : m.layers;
  const int64_t vocab = std::max<int64_t>(o.vocab > 0 ? o.vocab : m.vocab, 259);
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  FileWriter w;
  w.add("general.architecture", arch);
  // llama.cpp special-cases some model families by general.name (a "phi-3" name makes it look up
  // Phi-3's chat tokens), so the name stays generic and socsim.model carries the model's.
  w.add("general.name", "socsim synthetic model, " + std::to_string(layers) + " layers");
  w.add("socsim.model", m.name);
  w.add("general.file_type", u(o.quant == TensorType::kQ8_0   ? 7
                               : o.quant == TensorType::kQ4_0 ? 2
                                                              : 1));
  w.add(arch + ".context_length", u(o.context > 0 ? o.context : m.max_context));
  w.add(arch + ".embedding_length", u(m.hidden));
  w.add(arch + ".block_count", u(layers));
  w.add(arch + ".feed_forward_length", u(m.ffn));
  w.add(arch + ".attention.head_count", u(m.heads));
  w.add(arch + ".attention.head_count_kv", u(m.kv_heads));
  if (arch == "phi2") {
    w.add(arch + ".attention.layer_norm_epsilon", 1e-5f);
    // phi-2 rotates 40% of each head (microsoft/phi-2 config.json partial_rotary_factor 0.4).
    w.add(arch + ".rope.dimension_count", u(m.head_dim * 2 / 5 / 2 * 2));  // even
  } else {
    w.add(arch + ".attention.layer_norm_rms_epsilon", 1e-6f);
    w.add(arch + ".rope.dimension_count", u(m.head_dim));
    if (m.head_dim * m.heads != m.hidden || arch == "gemma") {
      w.add(arch + ".attention.key_length", u(m.head_dim));
      w.add(arch + ".attention.value_length", u(m.head_dim));
    }
  }
  // SentencePiece-style vocabulary: <unk>, <s>, </s>, the 256 byte tokens, numbered pieces.
  std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types{2, 3, 3};
  char buf[16];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    tokens.emplace_back(buf), types.push_back(6);
  }
  while (static_cast<int64_t>(tokens.size()) < vocab)
    tokens.push_back("\xE2\x96\x81t" + std::to_string(tokens.size())), types.push_back(1);
  std::vector<float> scores(tokens.size());
  for (size_t i = 0; i < scores.size(); ++i) scores[i] = -static_cast<float>(i);
  w.add("tokenizer.ggml.model", std::string("llama"));
  w.add("tokenizer.ggml.tokens", std::move(tokens));
  w.add("tokenizer.ggml.scores", std::move(scores));
  w.add("tokenizer.ggml.token_type", std::move(types));
  w.add("tokenizer.ggml.unknown_token_id", u(0));
  w.add("tokenizer.ggml.bos_token_id", u(1));
  w.add("tokenizer.ggml.eos_token_id", u(2));
  w.add("tokenizer.ggml.add_bos_token", false);

  const auto H = static_cast<uint64_t>(m.hidden), Q = static_cast<uint64_t>(m.q_dim()),
             KV = static_cast<uint64_t>(m.kv_dim()), F = static_cast<uint64_t>(m.ffn),
             V = static_cast<uint64_t>(vocab);
  const TensorType q = o.quant, f32 = TensorType::kF32;
  const bool phi = arch == "phi2";
  w.add_tensor({"token_embd.weight", {H, V}, q});
  w.add_tensor({"output_norm.weight", {H}, f32});
  if (phi) w.add_tensor({"output_norm.bias", {H}, f32});
  if (!m.tied_embeddings || phi) {
    w.add_tensor({"output.weight", {H, V}, q});
    if (phi) w.add_tensor({"output.bias", {V}, f32});
  }
  for (int64_t l = 0; l < layers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    w.add_tensor({b + "attn_norm.weight", {H}, f32});
    if (phi) {
      w.add_tensor({b + "attn_norm.bias", {H}, f32});
      w.add_tensor({b + "attn_qkv.weight", {H, Q + 2 * KV}, q});
      w.add_tensor({b + "attn_qkv.bias", {Q + 2 * KV}, f32});
      w.add_tensor({b + "attn_output.weight", {Q, H}, q});
      w.add_tensor({b + "attn_output.bias", {H}, f32});
      w.add_tensor({b + "ffn_up.weight", {H, F}, q});
      w.add_tensor({b + "ffn_up.bias", {F}, f32});
      w.add_tensor({b + "ffn_down.weight", {F, H}, q});
      w.add_tensor({b + "ffn_down.bias", {H}, f32});
      continue;
    }
    w.add_tensor({b + "attn_q.weight", {H, Q}, q});
    w.add_tensor({b + "attn_k.weight", {H, KV}, q});
    w.add_tensor({b + "attn_v.weight", {H, KV}, q});
    w.add_tensor({b + "attn_output.weight", {Q, H}, q});
    w.add_tensor({b + "ffn_norm.weight", {H}, f32});
    w.add_tensor({b + "ffn_gate.weight", {H, F}, q});
    w.add_tensor({b + "ffn_up.weight", {H, F}, q});
    w.add_tensor({b + "ffn_down.weight", {F, H}, q});
  }
  return w;
}

uint64_t write_synthetic_model(const ModelSpec& m, const SyntheticOptions& o,
                               const std::string& path) {
  const FileWriter w = synthetic_model(m, o);
  w.write(path, [&](const Tensor& t, std::vector<uint8_t>& out) { fill_tensor(t, out, o.seed); });
  return w.data_bytes();
}

}  // namespace socsim::gguf
