// The GGUF writer (sim/gguf/): a file read back with an independent reader of the documented
// layout (ggml docs/gguf.md) has the magic, version, metadata and tensor table written, tensor
// offsets on the alignment, and exactly the data bytes each type implies; the architecture mapping
// gives each shipped dense model the tensors llama.cpp's loader asks for; and llama.cpp itself
// loads and runs such files (skipped, with the reason, when its npm packages are not installed).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sim/calibrate/llamacpp_runner.hpp"
#include "sim/gguf/synthetic_model.hpp"
#include "sim/model/model_spec.hpp"
#include "tests/unit/socsim_runner.hpp"

using namespace socsim;
using socsim::testing::TempFile;

namespace {

std::string model_path(const std::string& name) {
  return std::string(SOCSIM_DATA_DIR) + "/models/" + name + ".yaml";
}

// A minimal GGUF reader: scalars, strings and arrays of the types the writer uses.
struct ReadTensor {
  std::vector<uint64_t> dims;
  uint32_t type = 0;
  uint64_t offset = 0;
};
struct ReadFile {
  uint32_t version = 0;
  std::map<std::string, std::string> text;  // string values
  std::map<std::string, uint64_t> number;   // integer values
  std::map<std::string, uint64_t> array_len;
  std::map<std::string, ReadTensor> tensors;
  uint64_t data_start = 0, file_size = 0;
};

class Reader {
 public:
  explicit Reader(const std::string& path) : in_(path, std::ios::binary) {}
  template <class T>
  T pod() {
    T v{};
    in_.read(reinterpret_cast<char*>(&v), sizeof v);
    if (!in_) throw std::runtime_error("truncated");
    return v;
  }
  std::string str() {
    std::string s(pod<uint64_t>(), '\0');
    in_.read(s.data(), static_cast<std::streamsize>(s.size()));
    return s;
  }
  void skip(uint64_t n) { in_.seekg(static_cast<std::streamoff>(n), std::ios::cur); }
  uint64_t pos() { return static_cast<uint64_t>(in_.tellg()); }

 private:
  std::ifstream in_;
};

ReadFile read_gguf(const std::string& path) {
  Reader r(path);
  ReadFile f;
  if (r.pod<uint32_t>() != 0x46554747u) throw std::runtime_error("bad magic");
  f.version = r.pod<uint32_t>();
  const auto tensors = r.pod<uint64_t>(), kvs = r.pod<uint64_t>();
  const std::map<uint32_t, uint64_t> scalar_size{{0, 1}, {1, 1}, {2, 2},  {3, 2},  {4, 4}, {5, 4},
                                                 {6, 4}, {7, 1}, {10, 8}, {11, 8}, {12, 8}};
  for (uint64_t i = 0; i < kvs; ++i) {
    const std::string key = r.str();
    const auto type = r.pod<uint32_t>();
    if (type == 8) {
      f.text[key] = r.str();
    } else if (type == 9) {
      const auto elem = r.pod<uint32_t>();
      const auto n = r.pod<uint64_t>();
      f.array_len[key] = n;
      for (uint64_t k = 0; k < n; ++k) elem == 8 ? (void)r.str() : r.skip(scalar_size.at(elem));
    } else if (type == 4 || type == 5) {
      f.number[key] = r.pod<uint32_t>();
    } else {
      r.skip(scalar_size.at(type));
    }
  }
  for (uint64_t i = 0; i < tensors; ++i) {
    const std::string name = r.str();
    ReadTensor t;
    t.dims.resize(r.pod<uint32_t>());
    for (auto& d : t.dims) d = r.pod<uint64_t>();
    t.type = r.pod<uint32_t>();
    t.offset = r.pod<uint64_t>();
    f.tensors[name] = t;
  }
  const uint64_t align = f.number.count("general.alignment") ? f.number["general.alignment"] : 32;
  f.data_start = (r.pos() + align - 1) / align * align;
  f.file_size = std::filesystem::file_size(path);
  return f;
}

uint64_t bytes_of(const ReadTensor& t) {
  uint64_t n = 1;
  for (uint64_t d : t.dims) n *= d;
  return gguf::tensor_bytes(static_cast<gguf::TensorType>(t.type), n);
}

ReadFile write_and_read(const std::string& model, gguf::TensorType quant, int64_t layers,
                        int64_t vocab, const TempFile& f) {
  gguf::SyntheticOptions o;
  o.quant = quant, o.layers = layers, o.vocab = vocab;
  gguf::write_synthetic_model(load_model(model_path(model)), o, f.str());
  return read_gguf(f.str());
}

}  // namespace

TEST(GgufWriter, HeaderMetadataAndTensorTableReadBack) {
  TempFile f("qwen.gguf");
  const ModelSpec m = load_model(model_path("qwen1.5-1.8b"));
  const ReadFile r = write_and_read("qwen1.5-1.8b", gguf::TensorType::kQ8_0, 2, 4608, f);
  EXPECT_EQ(r.version, 3u);
  EXPECT_EQ(r.text.at("general.architecture"), "llama");
  EXPECT_EQ(r.number.at("llama.block_count"), 2u);
  EXPECT_EQ(r.number.at("llama.embedding_length"), static_cast<uint64_t>(m.hidden));
  EXPECT_EQ(r.number.at("llama.feed_forward_length"), static_cast<uint64_t>(m.ffn));
  EXPECT_EQ(r.number.at("llama.attention.head_count_kv"), static_cast<uint64_t>(m.kv_heads));
  EXPECT_EQ(r.array_len.at("tokenizer.ggml.tokens"), 4608u);
  EXPECT_EQ(r.array_len.at("tokenizer.ggml.scores"), 4608u);
  // 3 global tensors (embedding, final norm, output) + 9 per layer.
  EXPECT_EQ(r.tensors.size(), 3u + 2 * 9);
  const ReadTensor& down = r.tensors.at("blk.1.ffn_down.weight");
  EXPECT_EQ(down.dims,
            (std::vector<uint64_t>{static_cast<uint64_t>(m.ffn), static_cast<uint64_t>(m.hidden)}));
  EXPECT_EQ(down.type, 8u);  // GGML_TYPE_Q8_0
  // Every tensor on the alignment, inside the file, not overlapping the next.
  uint64_t end = 0;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& [name, t] : r.tensors) {
    EXPECT_EQ(t.offset % 32, 0u) << name;
    spans.emplace_back(t.offset, t.offset + bytes_of(t));
    end = std::max(end, t.offset + bytes_of(t));
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
  EXPECT_EQ(r.file_size, r.data_start + (end + 31) / 32 * 32);
}

TEST(GgufWriter, TypeSizesFollowTheBlockLayouts) {
  EXPECT_EQ(gguf::tensor_bytes(gguf::TensorType::kQ8_0, 64), 68u);  // 2 x (2 + 32)
  EXPECT_EQ(gguf::tensor_bytes(gguf::TensorType::kQ4_0, 64), 36u);  // 2 x (2 + 16)
  EXPECT_EQ(gguf::tensor_bytes(gguf::TensorType::kF16, 64), 128u);
  EXPECT_EQ(gguf::tensor_bytes(gguf::TensorType::kF32, 64), 256u);
  TempFile a("q4.gguf"), b("f16.gguf");
  const ReadFile q4 = write_and_read("llama-2-7b", gguf::TensorType::kQ4_0, 1, 512, a);
  const ReadFile f16 = write_and_read("llama-2-7b", gguf::TensorType::kF16, 1, 512, b);
  EXPECT_EQ(q4.tensors.at("blk.0.attn_q.weight").type, 2u);
  EXPECT_EQ(f16.tensors.at("blk.0.attn_q.weight").type, 1u);
  EXPECT_EQ(q4.tensors.at("blk.0.attn_norm.weight").type, 0u);  // norms stay F32
  // Q4_0 stores 4.5 bits per weight, F16 16: the layer data scale accordingly.
  EXPECT_NEAR(static_cast<double>(bytes_of(f16.tensors.at("blk.0.ffn_up.weight"))) /
                  static_cast<double>(bytes_of(q4.tensors.at("blk.0.ffn_up.weight"))),
              16.0 / 4.5, 1e-9);
}

TEST(GgufWriter, ArchitecturesGetTheirOwnTensors) {
  TempFile a("gemma.gguf"), b("phi.gguf");
  const ReadFile gemma = write_and_read("gemma-2b", gguf::TensorType::kQ8_0, 1, 512, a);
  EXPECT_EQ(gemma.text.at("general.architecture"), "gemma");
  EXPECT_EQ(gemma.tensors.count("output.weight"), 0u);  // tied to the embedding
  EXPECT_EQ(gemma.number.at("gemma.attention.key_length"), 256u);
  const ReadFile phi = write_and_read("phi-2", gguf::TensorType::kQ8_0, 1, 512, b);
  EXPECT_EQ(phi.text.at("general.architecture"), "phi2");
  EXPECT_EQ(phi.tensors.count("blk.0.attn_qkv.weight"), 1u);
  EXPECT_EQ(phi.tensors.count("blk.0.ffn_gate.weight"), 0u);
  EXPECT_EQ(phi.tensors.count("output.bias"), 1u);
  EXPECT_EQ(phi.number.at("phi2.rope.dimension_count"), 32u);  // 40% of 80
  EXPECT_THROW(gguf::llama_cpp_architecture(load_model(model_path("turbosparse-mixtral-47b"))),
               std::invalid_argument);
  EXPECT_THROW(gguf::parse_quant("q5_k"), std::invalid_argument);
}

TEST(GgufWriter, SameSeedSameBytes) {
  TempFile a("a.gguf"), b("b.gguf"), c("c.gguf");
  const ModelSpec m = load_model(model_path("qwen1.5-1.8b"));
  gguf::SyntheticOptions o;
  o.layers = 1, o.vocab = 512;
  gguf::write_synthetic_model(m, o, a.str());
  gguf::write_synthetic_model(m, o, b.str());
  o.seed = 2;
  gguf::write_synthetic_model(m, o, c.str());
  const auto text = [](const TempFile& f) {
    std::ifstream in(f.path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(text(a), text(b));
  EXPECT_NE(text(a), text(c));
}

// llama.cpp loads each architecture's file and runs a prefill and decode steps on it.
TEST(LlamaCppRun, LoadsAndTimesEachArchitecture) {
  std::string why;
  const auto install = calibrate::find_llamacpp(&why);
  if (!install) GTEST_SKIP() << why;
  for (const std::string model : {"qwen1.5-1.8b", "gemma-2b", "phi-2"}) {
    ModelSpec m = load_model(model_path(model));
    // phi-2's heads are 80 wide (a 32-wide rotary part); the others 64.
    m.head_dim = model == "phi-2" ? 80 : 64;
    m.heads = 4, m.kv_heads = model == "gemma-2b" ? 1 : 4, m.hidden = 4 * m.head_dim;
    m.ffn = 512;
    TempFile f(model + ".gguf");
    gguf::SyntheticOptions o;
    o.layers = 2, o.vocab = 4608, o.context = 256;
    gguf::write_synthetic_model(m, o, f.str());
    calibrate::LlamaCppTimerOptions t;
    t.context = 256, t.repeats = 1;
    const auto timing = calibrate::time_llamacpp(*install, f.str(), {{8, 3}, {16, 1}}, t);
    ASSERT_EQ(timing.size(), 2u) << model;
    EXPECT_GT(timing[0].prefill_s, 0) << model;
    ASSERT_EQ(timing[0].decode_s.size(), 2u) << model;
    for (double s : timing[0].decode_s) EXPECT_TRUE(s > 0 && std::isfinite(s)) << model;
    EXPECT_TRUE(timing[1].decode_s.empty());
  }
}

// A file llama.cpp cannot load is reported with its message, not a crash or a silent zero.
TEST(LlamaCppRun, AMissingFileIsAnError) {
  std::string why;
  const auto install = calibrate::find_llamacpp(&why);
  if (!install) GTEST_SKIP() << why;
  calibrate::LlamaCppTimerOptions t;
  t.repeats = 1, t.timeout_s = 120;
  try {
    calibrate::time_llamacpp(*install, "/nonexistent/model.gguf", {{8, 1}}, t);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("llama.cpp run failed"), std::string::npos) << e.what();
  }
}
