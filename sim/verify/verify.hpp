// `socsim verify`: proves that a policy's schedule computes the model. The run is lowered and
// simulated at reduced size on a seeded reference model; the ops are then executed in the order the
// engine dispatched them and compared (1) with the same graph executed in creation order and the
// same numerics, which must agree bit for bit, and (2) with the plain whole-prompt FP32 forward
// pass, whose error must stay within the tolerance of the policy's numerics (FP32, FP16, INT8
// per-group, INT8 per-tensor).
#pragma once

#include <string>
#include <vector>

#include "sim/driver/inputs.hpp"
#include "sim/verify/executor.hpp"
#include "sim/verify/reference_model.hpp"

namespace socsim::verify {

struct VerifyRequest {
  RunRequest run;  // hw, model, policy and --set overrides (workload.prompt, ...)
  ReducedShape shape;
  uint64_t seed = 1;
  double tolerance = -1;              // relative logits error allowed; < 0 = by numerics
  std::vector<OutlierMode> outliers;  // per layer, for per-tensor INT8 on the NPU
};

struct ErrorStats {
  double max_abs = 0;
  double rel = 0;  // max_abs / max |reference|
};

struct VerifyReport {
  std::string model, policy, numerics;
  size_t ops = 0;
  bool reordered = false;  // the dispatch order differs from creation order
  ErrorStats vs_in_order;  // schedule vs creation order, same numerics (must be exactly 0)
  ErrorStats logits;       // schedule vs plain FP32 forward
  ErrorStats kv;           // KV cache vs plain FP32 forward
  double tolerance = 0;
  bool pass = false;
};

VerifyReport run_verify(const VerifyRequest& req);
std::string format_report(const VerifyReport& r);

// The least precise matmul numerics of a graph ("fp32", "fp16", "int8-per-group", ...) and the
// default relative tolerance for it.
std::pair<std::string, double> numerics_of(const TaskGraph& g, const PlatformSpec& p);

ErrorStats compare(const std::vector<Mat>& got, const std::vector<Mat>& ref);

}  // namespace socsim::verify
