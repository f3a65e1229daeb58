// The accuracy proxy of mllm-NPU's outlier handling: on a reduced reference model with activation
// outliers, the logits error of INT8 per-tensor NPU execution against FP32 when outliers are (a)
// inside the static scale, (b) executed as FP32 shadow outliers in every layer, and (c) shadowed
// only in the most important layers while the rest are pruned (clipped), for a range of pruning
// rates. Layers are pruned least important first, importance being the error a layer causes when
// it alone is pruned. The mllm-NPU policy uses this table to trade accuracy for speed.
#pragma once

#include <string>
#include <vector>

#include "sim/verify/verify.hpp"

namespace socsim::verify {

struct ProxyRow {
  std::string config;     // "fp32", "int8 per-group", "int8 per-tensor", "shadow, prune 0.50", ...
  double prune_rate = 0;  // fraction of layers whose outliers are clipped
  int pruned_layers = 0;
  ErrorStats error;  // logits vs plain FP32
};

// `req.run.policy` should place matmuls on the NPU in INT8 (e.g. `npu`).
std::vector<ProxyRow> accuracy_proxy(const VerifyRequest& req,
                                     const std::vector<double>& prune_rates);
std::string format_proxy(const std::vector<ProxyRow>& rows);

}  // namespace socsim::verify
