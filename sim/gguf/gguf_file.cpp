// GGUF v3 serialisation: little-endian scalars, strings as u64 length + bytes, arrays as element
// type + u64 count + elements; tensor offsets relative to the aligned start of the data section.
#include "sim/gguf/gguf_file.hpp"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace socsim::gguf {
namespace {

// gguf_type values (docs/gguf.md).
enum : uint32_t {
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
};

class Out {
 public:
  explicit Out(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw std::runtime_error(path + ": cannot open for writing");
  }
  ~Out() {
    if (f_) std::fclose(f_);
  }
  void bytes(const void* p, size_t n) {
    if (n && std::fwrite(p, 1, n, f_) != n) throw std::runtime_error(path_ + ": write failed");
    pos_ += n;
  }
  template <class T>
  void pod(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof v);
  }
  void str(const std::string& s) {
    pod<uint64_t>(s.size());
    bytes(s.data(), s.size());
  }
  void pad_to(uint64_t align) {
    static const uint8_t zeros[64] = {};
    while (pos_ % align) bytes(zeros, std::min<uint64_t>(align - pos_ % align, sizeof zeros));
  }
  void close() {
    // On disk before anyone times a read of it: dirty pages written back during a benchmark
    // would steal its memory bandwidth.
    if (std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0)
      throw std::runtime_error(path_ + ": write failed on flush");
    if (std::fclose(f_) != 0) {
      f_ = nullptr;
      throw std::runtime_error(path_ + ": write failed on close");
    }
    f_ = nullptr;
  }

 private:
  std::string path_;
  std::FILE* f_;
  uint64_t pos_ = 0;
};

void write_value(Out& o, const MetaValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, uint32_t>) {
          o.pod(kU32), o.pod(x);
        } else if constexpr (std::is_same_v<T, int32_t>) {
          o.pod(kI32), o.pod(x);
        } else if constexpr (std::is_same_v<T, float>) {
          o.pod(kF32), o.pod(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          o.pod(kBool), o.pod<uint8_t>(x ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::string>) {
          o.pod(kString), o.str(x);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          o.pod(kArray), o.pod(kString), o.pod<uint64_t>(x.size());
          for (const auto& s : x) o.str(s);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          o.pod(kArray), o.pod(kF32), o.pod<uint64_t>(x.size());
          o.bytes(x.data(), x.size() * sizeof(float));
        } else {
          o.pod(kArray), o.pod(kI32), o.pod<uint64_t>(x.size());
          o.bytes(x.data(), x.size() * sizeof(int32_t));
        }
      },
      v);
}

uint64_t aligned(uint64_t n) {
  return (n + FileWriter::kAlignment - 1) / FileWriter::kAlignment * FileWriter::kAlignment;
}

}  // namespace

uint64_t tensor_bytes(TensorType t, uint64_t elements) {
  switch (t) {
    case TensorType::kF32:
      return 4 * elements;
    case TensorType::kF16:
      return 2 * elements;
    case TensorType::kQ4_0:  // 32 values: FP16 scale + 16 bytes of nibbles
      return elements / 32 * 18;
    case TensorType::kQ8_0:  // 32 values: FP16 scale + 32 int8
      return elements / 32 * 34;
  }
  return 0;
}

const char* tensor_type_name(TensorType t) {
  switch (t) {
    case TensorType::kF32:
      return "f32";
    case TensorType::kF16:
      return "f16";
    case TensorType::kQ4_0:
      return "q4_0";
    case TensorType::kQ8_0:
      return "q8_0";
  }
  return "?";
}

uint64_t Tensor::bytes() const {
  uint64_t n = 1;
  for (uint64_t d : dims) n *= d;
  return tensor_bytes(type, n);
}

void FileWriter::add(const std::string& key, MetaValue value) {
  meta_.emplace_back(key, std::move(value));
}

void FileWriter::add_tensor(Tensor t) {
  if (t.type != TensorType::kF32 && t.type != TensorType::kF16 && (t.dims.at(0) % 32) != 0)
    throw std::invalid_argument("gguf: tensor " + t.name + " row length " +
                                std::to_string(t.dims[0]) + " is not a multiple of 32");
  tensors_.push_back(std::move(t));
}

uint64_t FileWriter::data_bytes() const {
  uint64_t n = 0;
  for (const Tensor& t : tensors_) n = aligned(n) + t.bytes();
  return aligned(n);
}

void FileWriter::write(const std::string& path, const TensorFiller& fill) const {
  Out o(path);
  o.bytes("GGUF", 4);
  o.pod<uint32_t>(3);
  o.pod<uint64_t>(tensors_.size());
  o.pod<uint64_t>(meta_.size() + 1);
  o.str("general.alignment");
  write_value(o, static_cast<uint32_t>(kAlignment));
  for (const auto& [key, value] : meta_) {
    o.str(key);
    write_value(o, value);
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    offset = aligned(offset);
    o.str(t.name);
    o.pod<uint32_t>(t.dims.size());
    for (uint64_t d : t.dims) o.pod(d);
    o.pod(static_cast<uint32_t>(t.type));
    o.pod(offset);
    offset += t.bytes();
  }
  o.pad_to(kAlignment);
  std::vector<uint8_t> buf;
  for (const Tensor& t : tensors_) {
    o.pad_to(kAlignment);
    buf.resize(t.bytes());
    fill(t, buf);
    o.bytes(buf.data(), buf.size());
  }
  o.pad_to(kAlignment);
  o.close();
}

}  // namespace socsim::gguf
