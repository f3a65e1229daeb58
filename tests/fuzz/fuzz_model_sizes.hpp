// The derived sizes of a loaded model (parameters, bytes, KV bytes per token, active fractions),
// computed by the model fuzz harnesses (fuzz_model.cpp, fuzz_hf_config.cpp) as every consumer of a
// model does right after loading it. A model that loads must be within ModelLimits, so that no
// int64 size overflows: checked here too, so that the replay tests of a normal build (without
// UBSan) catch a loader that lets such a model through.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "sim/model/model_spec.hpp"

namespace socsim::fuzz {

inline void use_model_sizes(const ModelSpec& m) {
  using L = ModelLimits;
  if (m.param_count() > L::kParams || m.layers > L::kLayers || m.hidden > L::kHidden ||
      m.heads > L::kHeads || m.kv_heads > L::kHeads || m.head_dim > L::kHeadDim ||
      m.ffn > L::kFfn || m.vocab > L::kVocab || m.moe.experts > L::kExperts ||
      m.max_context > L::kContext) {
    std::fprintf(stderr, "finding: a model beyond ModelLimits loaded (%.3g parameters)\n",
                 m.param_count());
    std::abort();
  }
  volatile double sink = m.weight_bytes() + m.kv_bytes_per_token();
  sink = sink + static_cast<double>(m.total_params() + m.layer_params() + m.lm_head_params());
  for (int64_t l = 0; l < m.layers; ++l) sink = sink + m.ffn_active_fraction(l);
}

}  // namespace socsim::fuzz
