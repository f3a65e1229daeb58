// A GGUF file writer (the weight-file format of llama.cpp / ggml, version 3, as documented in
// ggml's docs/gguf.md): typed metadata key/value pairs, then the tensor table, then the tensor data
// aligned to `general.alignment`. Tensor bytes are produced by a callback while the file is
// written, so multi-gigabyte files never sit in memory. Only the types socsim writes are supported.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace socsim::gguf {

// ggml tensor types (ggml.h `enum ggml_type`): values are part of the file format.
enum class TensorType : uint32_t { kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ8_0 = 8 };

// Bytes of `elements` values of a type; block types need elements % 32 == 0.
uint64_t tensor_bytes(TensorType t, uint64_t elements);
const char* tensor_type_name(TensorType t);

using MetaValue = std::variant<uint32_t, int32_t, float, bool, std::string,
                               std::vector<std::string>, std::vector<float>, std::vector<int32_t>>;

struct Tensor {
  std::string name;
  std::vector<uint64_t> dims;  // ne[0] first: the row length (input features of a weight)
  TensorType type = TensorType::kF32;
  uint64_t bytes() const;
};

// Fills `out` (exactly tensor.bytes() long) with the tensor's data.
using TensorFiller = std::function<void(const Tensor& tensor, std::vector<uint8_t>& out)>;

class FileWriter {
 public:
  void add(const std::string& key, MetaValue value);
  void add_tensor(Tensor t);
  // Writes the file; throws std::runtime_error naming the path on an I/O failure.
  void write(const std::string& path, const TensorFiller& fill) const;
  uint64_t data_bytes() const;  // tensor data incl. alignment padding

  static constexpr uint64_t kAlignment = 32;

 private:
  std::vector<std::pair<std::string, MetaValue>> meta_;
  std::vector<Tensor> tensors_;
};

}  // namespace socsim::gguf
