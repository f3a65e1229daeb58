// Shipped model files (models/*.yaml): every file loads strictly, documents the source of each
// number, and its derived sizes match the models' published parameter counts and KV-cache sizes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "sim/model/model_spec.hpp"

using namespace socsim;

namespace {

const std::filesystem::path kModels = std::filesystem::path(SOCSIM_DATA_DIR) / "models";

ModelSpec model(const std::string& name) {
  return load_model((kModels / (name + ".yaml")).string());
}

const std::set<std::string> kShipped{"qwen1.5-1.8b",
                                     "gemma-2b",
                                     "phi-2",
                                     "llama-2-7b",
                                     "mistral-7b",
                                     "bamboo-7b",
                                     "turbosparse-mistral-7b",
                                     "turbosparse-mixtral-47b",
                                     "llama-2-13b-prosparse",
                                     "qwen2-7b"};

}  // namespace

TEST(Models, EveryShippedFileLoadsAndIsNamedAfterItsFile) {
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(kModels)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    ModelSpec m;
    ASSERT_NO_THROW(m = load_model(entry.path().string()));
    EXPECT_EQ(m.name, entry.path().stem().string());
    EXPECT_FALSE(m.source.empty());
    found.insert(m.name);
  }
  for (const std::string& name : kShipped)
    EXPECT_TRUE(found.count(name)) << "missing models/" << name << ".yaml";
}

TEST(Models, FilesStartWithSchemaVersionAndCommentEveryNumber) {
  const std::regex numeric(R"(^\s*[a-z_]+:\s*[0-9][0-9.]*\s*(#.*)?$)");
  for (const std::string& name : kShipped) {
    std::ifstream in(kModels / (name + ".yaml"));
    ASSERT_TRUE(in) << name;
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line.rfind("schema_version: 1", 0), 0u) << name << ": first line is '" << line << "'";
    int lineno = 1, numbers = 0;
    while (std::getline(in, line)) {
      ++lineno;
      std::smatch m;
      if (!std::regex_match(line, m, numeric)) continue;
      ++numbers;
      EXPECT_TRUE(m[1].matched) << name << ".yaml:" << lineno
                                << ": number without a source comment";
    }
    EXPECT_GE(numbers, 7) << name << ": the numeric-line pattern matched too few lines";
  }
}

// Published totals: Llama 2 paper / model cards (6.74B, 13.0B), Mistral 7B (7.24B), Mixtral
// 8x7B (46.7B), Qwen1.5-1.8B (1.84B), Gemma 2B (2.51B), Phi-2 (2.78B), Qwen2-7B (7.62B). The
// ModelSpec count leaves out norms and biases, which are well under 1% of these models.
TEST(Models, TotalParametersMatchPublishedSizes) {
  const std::pair<const char*, double> published[] = {
      {"llama-2-7b", 6.74e9},
      {"mistral-7b", 7.24e9},
      {"qwen1.5-1.8b", 1.84e9},
      {"gemma-2b", 2.51e9},
      {"phi-2", 2.78e9},
      {"turbosparse-mixtral-47b", 46.7e9},
      {"llama-2-13b-prosparse", 13.0e9},
      {"qwen2-7b", 7.62e9},
      {"bamboo-7b", 7.24e9},
      {"turbosparse-mistral-7b", 7.24e9},
  };
  for (auto [name, params] : published) {
    double got = static_cast<double>(model(name).total_params());
    EXPECT_NEAR(got / params, 1.0, 0.02) << name << ": " << got;
  }
}

TEST(Models, ExactParameterCountsFollowFromTheDimensions) {
  // Llama-2-7B: 32 x (4 x 4096^2 + 3 x 4096 x 11008) + 2 x 32000 x 4096.
  EXPECT_EQ(model("llama-2-7b").total_params(), 6738149376);
  // Gemma-2B: tied embedding counted once; MQA K/V are 2048 x 256 each.
  ModelSpec g = model("gemma-2b");
  EXPECT_EQ(g.attention_params_per_layer(), 2 * 2048 * 2048 + 2 * 2048 * 256);
  EXPECT_EQ(g.lm_head_params(), 0);
  // Phi-2: plain fc1/fc2 FFN, two matrices.
  EXPECT_EQ(model("phi-2").ffn_params_per_expert(), 2 * 2560 * 10240);
  // Mixtral: 8 experts of 3 x 4096 x 14336 plus a 4096 x 8 router per layer.
  EXPECT_EQ(model("turbosparse-mixtral-47b").ffn_params_per_layer(),
            8 * 3 * 4096 * 14336LL + 4096 * 8);
}

TEST(Models, KvBytesPerTokenAtFp16) {
  EXPECT_DOUBLE_EQ(model("llama-2-7b").kv_bytes_per_token(), 2.0 * 32 * 4096 * 2);  // 524288
  EXPECT_DOUBLE_EQ(model("llama-2-7b").kv_bytes_per_token(), 524288.0);
  EXPECT_DOUBLE_EQ(model("mistral-7b").kv_bytes_per_token(), 2.0 * 32 * 8 * 128 * 2);
  EXPECT_DOUBLE_EQ(model("gemma-2b").kv_bytes_per_token(), 2.0 * 18 * 1 * 256 * 2);
  EXPECT_DOUBLE_EQ(model("qwen2-7b").kv_bytes_per_token(), 2.0 * 28 * 4 * 128 * 2);
  EXPECT_DOUBLE_EQ(model("llama-2-13b-prosparse").kv_bytes_per_token(), 2.0 * 40 * 5120 * 2);
}

TEST(Models, WeightBytesUseTheStorageSizeOfTheWeightType) {
  ModelSpec l = model("llama-2-7b");
  EXPECT_DOUBLE_EQ(l.weight_bytes(), l.total_params() * 8.5 / 8.0);  // Q8_0 incl. scales
  ModelSpec b = model("bamboo-7b");
  EXPECT_DOUBLE_EQ(b.weight_bytes(), b.total_params() * 4.5 / 8.0);  // Q4_0 incl. scales
}

TEST(Models, WeightTypeFollowsTheEvaluatingPaper) {
  for (const char* name : {"qwen1.5-1.8b", "gemma-2b", "phi-2", "llama-2-7b", "mistral-7b"})
    EXPECT_EQ(model(name).weight_dtype, DType::kInt8) << name << " (mllm-NPU evaluates W8A8)";
  for (const char* name : {"bamboo-7b", "turbosparse-mistral-7b", "turbosparse-mixtral-47b",
                           "llama-2-13b-prosparse", "qwen2-7b"})
    EXPECT_EQ(model(name).weight_dtype, DType::kInt4) << name << " (PowerInfer-2 evaluates INT4)";
  for (const std::string& name : kShipped) {
    EXPECT_EQ(model(name).activation_dtype, DType::kFp16) << name;
    EXPECT_EQ(model(name).kv_dtype, DType::kFp16) << name;
  }
}

TEST(Models, ArchitectureDetails) {
  ModelSpec g = model("gemma-2b");
  EXPECT_EQ(g.head_dim, 256);
  EXPECT_EQ(g.kv_heads, 1);
  EXPECT_TRUE(g.tied_embeddings);
  EXPECT_TRUE(g.gated);
  EXPECT_EQ(g.activation, Activation::kGelu);
  EXPECT_EQ(g.vocab, 256000);

  ModelSpec p = model("phi-2");
  EXPECT_FALSE(p.gated);
  EXPECT_EQ(p.norm, NormKind::kLayerNorm);
  EXPECT_EQ(p.activation, Activation::kGelu);
  EXPECT_FALSE(p.tied_embeddings);
  EXPECT_EQ(p.head_dim, 80);

  ModelSpec q = model("qwen1.5-1.8b");
  EXPECT_FALSE(q.tied_embeddings);
  EXPECT_EQ(q.vocab, 151936);
  EXPECT_EQ(q.ffn, 5504);

  EXPECT_EQ(model("mistral-7b").kv_heads, 8);
  EXPECT_EQ(model("mistral-7b").ffn, 14336);
  EXPECT_EQ(model("qwen2-7b").max_context, 131072);
  EXPECT_EQ(model("llama-2-7b").max_context, 4096);
}

TEST(Models, SparseModelsCarryTheirActiveFractions) {
  for (const char* name : {"bamboo-7b", "turbosparse-mistral-7b"}) {
    ModelSpec m = model(name);
    EXPECT_TRUE(m.has_sparsity) << name;
    EXPECT_EQ(m.activation, Activation::kDRelu) << name;
    EXPECT_TRUE(m.gated) << name;
    EXPECT_DOUBLE_EQ(m.ffn_active_fraction(0), 0.10) << name;
  }
  ModelSpec x = model("turbosparse-mixtral-47b");
  EXPECT_TRUE(x.has_moe);
  EXPECT_EQ(x.moe.experts, 8);
  EXPECT_EQ(x.moe.experts_per_token, 2);
  EXPECT_EQ(x.ffn, 14336);
  EXPECT_EQ(x.activation, Activation::kDRelu);
  EXPECT_DOUBLE_EQ(x.ffn_active_fraction(31), 0.15);

  ModelSpec p = model("llama-2-13b-prosparse");
  EXPECT_EQ(p.activation, Activation::kRelu);
  EXPECT_EQ(p.layers, 40);
  EXPECT_NEAR(p.ffn_active_fraction(0), 1.0 - 0.8880, 1e-9);  // ProSparse: 88.80% sparsity

  for (const char* name : {"llama-2-7b", "qwen2-7b", "gemma-2b"}) {
    EXPECT_FALSE(model(name).has_sparsity) << name;
    EXPECT_DOUBLE_EQ(model(name).ffn_active_fraction(0), 1.0) << name;
  }
  // A SiLU model is sparse by a threshold (CATS, 50%), with the flatter hotness of SwiGLU models.
  ModelSpec silu = model("mistral-7b");
  EXPECT_TRUE(silu.has_sparsity);
  EXPECT_EQ(silu.sparsity.method, SparsityMethod::kThreshold);
  EXPECT_DOUBLE_EQ(silu.ffn_active_fraction(0), 0.5);
  EXPECT_DOUBLE_EQ(silu.sparsity.hotness_exponent, kThresholdHotness);
  EXPECT_DOUBLE_EQ(model("bamboo-7b").sparsity.hotness_exponent, kNaturalHotness);
  ModelSpec q = model("sparse-qwen2-7b");
  EXPECT_EQ(q.activation, Activation::kDRelu);
  EXPECT_DOUBLE_EQ(q.ffn_active_fraction(0), 0.10);
}
