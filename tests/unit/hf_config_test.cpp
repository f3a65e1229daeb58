// Hugging Face config.json reading: the public configs in tests/data/hf/ give the same model as
// the shipped YAML files, architecture defaults are applied, and bad input gets exact
// file:line:col diagnostics (errors for wrong or missing values, warnings for unknown keys).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/model/model_spec.hpp"

using namespace socsim;

namespace {

const std::filesystem::path kData = std::filesystem::path(SOCSIM_DATA_DIR);

ModelSpec hf(const std::string& dir) {
  return load_model((kData / "tests/data/hf" / dir / "config.json").string());
}
ModelSpec shipped(const std::string& name) {
  return load_model((kData / "models" / (name + ".yaml")).string());
}

// Writes `json` to <tmp>/socsim_hf_<name>/config.json and returns the path.
std::string write_config(const std::string& name, const std::string& json) {
  std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / ("socsim_hf_" + name);
  std::filesystem::create_directories(dir);
  std::filesystem::path p = dir / "config.json";
  std::ofstream(p) << json;
  return p.string();
}

// A minimal valid llama config; `line3` replaces the hidden_size line to inject errors.
std::string llama_config(const std::string& line3 = R"(  "hidden_size": 4096,)") {
  return "{\n  \"model_type\": \"llama\",\n" + line3 + R"(
  "num_hidden_layers": 32,
  "num_attention_heads": 32,
  "intermediate_size": 11008,
  "hidden_act": "silu",
  "vocab_size": 32000,
  "max_position_embeddings": 4096
}
)";
}

Diagnostics read(const std::string& path) {
  Diagnostics d;
  read_model(path, d);
  return d;
}

void expect_same_dims(const ModelSpec& a, const ModelSpec& b) {
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.heads, b.heads);
  EXPECT_EQ(a.kv_heads, b.kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.ffn, b.ffn);
  EXPECT_EQ(a.gated, b.gated);
  EXPECT_EQ(a.norm, b.norm);
  EXPECT_EQ(a.has_moe, b.has_moe);
  EXPECT_EQ(a.moe.experts, b.moe.experts);
  EXPECT_EQ(a.moe.experts_per_token, b.moe.experts_per_token);
  EXPECT_EQ(a.max_context, b.max_context);
  EXPECT_EQ(a.tied_embeddings, b.tied_embeddings);
}

}  // namespace

TEST(HfConfig, PublicConfigsGiveTheShippedModels) {
  for (const char* name : {"llama-2-7b", "mistral-7b", "gemma-2b", "phi-2"}) {
    SCOPED_TRACE(name);
    ModelSpec a = hf(name), b = shipped(name);
    expect_same_dims(a, b);
    EXPECT_EQ(a.activation, b.activation);
    EXPECT_EQ(a.vocab, b.vocab);
    EXPECT_EQ(a.total_params(), b.total_params());
    EXPECT_DOUBLE_EQ(a.kv_bytes_per_token(), b.kv_bytes_per_token());
    EXPECT_EQ(a.weight_dtype, DType::kInt8);  // default; the shipped files say int8 too
    EXPECT_EQ(b.weight_dtype, DType::kInt8);
  }
}

TEST(HfConfig, MixtralConfigMatchesTurboSparseMixtralExceptVocabAndActivation) {
  ModelSpec a = hf("mixtral-8x7b"), b = shipped("turbosparse-mixtral-47b");
  expect_same_dims(a, b);
  EXPECT_TRUE(a.has_moe);
  EXPECT_EQ(a.moe.experts, 8);
  EXPECT_EQ(a.moe.experts_per_token, 2);
  EXPECT_EQ(a.vocab, 32000);  // TurboSparse extends the tokenizer to 57024
  EXPECT_EQ(b.vocab, 57024);
  EXPECT_EQ(a.activation, Activation::kSilu);
  EXPECT_EQ(b.activation, Activation::kDRelu);
  EXPECT_FALSE(a.has_sparsity);
  EXPECT_NEAR(a.total_params() / 46.7e9, 1.0, 0.01);
}

TEST(HfConfig, PublicConfigsReadWithoutAnyDiagnostic) {
  for (const char* name : {"llama-2-7b", "mistral-7b", "mixtral-8x7b", "gemma-2b", "phi-2"}) {
    Diagnostics d = read((kData / "tests/data/hf" / name / "config.json").string());
    EXPECT_TRUE(d.all().empty()) << name << ":\n" << d.to_string();
  }
}

TEST(HfConfig, NameComesFromNameOrPathElseTheDirectory) {
  EXPECT_EQ(hf("llama-2-7b").name, "meta-llama/Llama-2-7b-hf");
  EXPECT_EQ(hf("gemma-2b").name, "gemma-2b");  // no _name_or_path in google/gemma-2b
}

TEST(HfConfig, ArchitectureDecidesDefaults) {
  ModelSpec g = hf("gemma-2b");  // no tie_word_embeddings key: GemmaConfig default is true
  EXPECT_TRUE(g.tied_embeddings);
  EXPECT_EQ(g.head_dim, 256);
  ModelSpec p = hf("phi-2");
  EXPECT_FALSE(p.gated);
  EXPECT_EQ(p.norm, NormKind::kLayerNorm);
  EXPECT_EQ(p.activation, Activation::kGelu);  // gelu_new

  ModelSpec l = load_model(write_config("minimal", llama_config()));
  EXPECT_EQ(l.kv_heads, 32);  // num_key_value_heads absent: = heads
  EXPECT_EQ(l.head_dim, 128);
  EXPECT_FALSE(l.tied_embeddings);
  EXPECT_TRUE(l.gated);
  EXPECT_EQ(l.norm, NormKind::kRmsNorm);
  EXPECT_EQ(l.weight_dtype, DType::kInt8);
}

TEST(HfConfig, NullHiddenActivationFallsBackToHiddenAct) {
  std::string json = llama_config(
      R"(  "hidden_size": 4096, "hidden_activation": null, "tie_word_embeddings": true,)");
  std::string path = write_config("null_activation", json);
  EXPECT_TRUE(read(path).all().empty()) << read(path).to_string();
  ModelSpec m = load_model(path);
  EXPECT_EQ(m.activation, Activation::kSilu);
  EXPECT_TRUE(m.tied_embeddings);
}

TEST(HfConfig, UnknownModelTypeIsAnErrorListingTheKnownOnes) {
  std::string json = llama_config();
  json.replace(json.find("\"llama\""), 7, "\"bert\"");
  std::string path = write_config("bert", json);
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 1u) << d.to_string();
  EXPECT_EQ(
      d.all()[0].to_string(),
      path +
          ":2:17: error: model_type: unknown value 'bert' (one of: llama, mistral, mixtral, qwen2, "
          "gemma, gemma2, phi, gpt_neox, gpt2, opt)");
  EXPECT_THROW(load_model(path), InputError);
}

TEST(HfConfig, MisspelledModelTypeGetsAHint) {
  std::string json = llama_config();
  json.replace(json.find("\"llama\""), 7, "\"lama\"");
  std::string path = write_config("lama", json);
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 1u) << d.to_string();
  EXPECT_EQ(d.all()[0].message,
            "model_type: unknown value 'lama'; did you mean 'llama'? (one of: llama, mistral, "
            "mixtral, qwen2, "
            "gemma, gemma2, phi, gpt_neox, gpt2, opt)");
}

TEST(HfConfig, StringWhereANumberIsExpectedIsAnError) {
  std::string path = write_config("string_hidden", llama_config(R"(  "hidden_size": "4096",)"));
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 1u) << d.to_string();
  EXPECT_EQ(d.all()[0].to_string(),
            path + ":3:18: error: hidden_size: expected a whole number, not the string \"4096\"");
}

TEST(HfConfig, FractionAndZeroAreRejected) {
  std::string frac = write_config("fraction", llama_config(R"(  "hidden_size": 4096.5,)"));
  ASSERT_EQ(read(frac).all().size(), 1u);
  EXPECT_EQ(read(frac).all()[0].to_string(),
            frac + ":3:18: error: hidden_size: '4096.5' is not a whole number");
  std::string zero = write_config("zero", llama_config(R"(  "hidden_size": 0,)"));
  ASSERT_EQ(read(zero).all().size(), 1u);
  EXPECT_EQ(read(zero).all()[0].to_string(),
            zero + ":3:18: error: hidden_size: 0 is out of range; it must be at least 1");
}

TEST(HfConfig, MissingRequiredKeyIsReportedAtTheRootObject) {
  std::string json = llama_config();
  const std::string line = "  \"num_hidden_layers\": 32,\n";
  json.erase(json.find(line), line.size());
  std::string path = write_config("missing_layers", json);
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 1u) << d.to_string();
  EXPECT_EQ(
      d.all()[0].to_string(),
      path + ":1:1: error: missing required key 'num_hidden_layers' (number of decoder layers)");
}

TEST(HfConfig, UnknownKeyIsAWarningWithItsLocation) {
  std::string path =
      write_config("unknown_key", llama_config(R"(  "hidden_size": 4096, "my_new_knob": 3,)"));
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 1u) << d.to_string();
  EXPECT_EQ(d.all()[0].to_string(),
            path + ":3:24: warning: unknown Hugging Face config key 'my_new_knob' ignored");
  EXPECT_FALSE(d.has_errors());
  EXPECT_EQ(load_model(path).hidden, 4096);  // a warning does not stop loading
}

TEST(HfConfig, UnknownActivationAndMissingExpertsPerTokenAreErrors) {
  std::string json = llama_config(R"(  "hidden_size": 4096, "num_local_experts": 8,)");
  json.replace(json.find("\"silu\""), 6, "\"fatrelu\"");
  std::string path = write_config("bad_act", json);
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 2u) << d.to_string();
  EXPECT_EQ(d.all()[0].to_string(), path +
                                        ":7:17: error: hidden_act: unknown value 'fatrelu'; did "
                                        "you mean 'relu'? (one of: silu, swish, gelu, gelu_new, "
                                        "gelu_pytorch_tanh, gelu_fast, relu)");
  EXPECT_EQ(d.all()[1].to_string(), path +
                                        ":1:1: error: missing required key 'num_experts_per_tok' "
                                        "(experts each token is routed to; "
                                        "required with num_local_experts)");
}

TEST(HfConfig, NonObjectRootIsAnError) {
  std::string path = write_config("list_root", "[1, 2]\n");
  Diagnostics d = read(path);
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].message, "expected a JSON object of configuration keys at the top level");
}
