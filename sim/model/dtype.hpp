// Numeric data types of weights, activations and compute. Storage size includes the per-group
// scales of block-quantised formats (llama.cpp Q4_0/Q8_0 store one FP16 scale per 32 values), so a
// weight's bytes are elements x bits_per_element / 8.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace socsim {

enum class DType : uint8_t { kFp32, kFp16, kBf16, kInt8, kInt4 };
inline constexpr std::array<std::string_view, 5> kDTypeNames{"fp32", "fp16", "bf16", "int8",
                                                             "int4"};
inline constexpr int kNumDTypes = 5;

// Bits per stored element including quantisation scales (Q8_0: 8.5, Q4_0: 4.5 bits).
inline double storage_bits(DType t) {
  switch (t) {
    case DType::kFp32:
      return 32.0;
    case DType::kFp16:
    case DType::kBf16:
      return 16.0;
    case DType::kInt8:
      return 8.5;
    case DType::kInt4:
      return 4.5;
  }
  return 32.0;
}

// Bits of an activation or KV element (no block scales: per-tensor scale).
inline double plain_bits(DType t) {
  switch (t) {
    case DType::kFp32:
      return 32.0;
    case DType::kFp16:
    case DType::kBf16:
      return 16.0;
    case DType::kInt8:
      return 8.0;
    case DType::kInt4:
      return 4.0;
  }
  return 32.0;
}

inline std::string_view dtype_name(DType t) {
  return kDTypeNames[static_cast<size_t>(t)];
}

}  // namespace socsim
