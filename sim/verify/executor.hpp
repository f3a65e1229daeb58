// Functional execution of a simulated schedule: every op of a task graph, in the order the engine
// dispatched it, runs its parts (by PartRole) on the reference kernels against a ReferenceModel,
// producing logits and the KV cache. Numerics follow the graph: a part's compute data type picks
// FP32, FP16 (values rounded to half precision) or INT8; INT8 uses per-group scales (llama.cpp
// Q8_0) on CPU clusters and GPUs and per-tensor static scales, calibrated on a separate prompt, on
// the NPU. Each op works on the activations of its own chunk or decode token, and writes its keys
// and values at their sequence positions, so any dependency-respecting order must give the same
// answer as creation order, bit for bit.
#pragma once

#include <map>
#include <span>
#include <utility>
#include <vector>

#include "sim/engine/platform.hpp"
#include "sim/graph/task_graph.hpp"
#include "sim/verify/reference_model.hpp"

namespace socsim::verify {

// Calibrated per-tensor activation ranges: max |x| at the input of each linear part, by layer and
// role, over a calibration prompt run in FP32; `bulk` excludes the outlier channels.
struct ActRanges {
  std::map<std::pair<int, PartRole>, float> all, bulk;
};

// How per-tensor INT8 layers treat activation outliers: the static scale covers them (coarse
// resolution for everything else), or the scale covers the bulk and outliers are executed in FP32
// beside the INT8 GEMM (mllm-NPU shadow outliers), or the scale covers the bulk and outliers are
// clipped (a layer whose shadow execution was pruned).
enum class OutlierMode : uint8_t { kInScale, kShadow, kClipped };

struct ExecOptions {
  std::vector<OutlierMode> outliers;  // per layer; empty = kInScale everywhere
  kernels::QuantScheme cpu_int8 = kernels::QuantScheme::kPerGroup;
  kernels::QuantScheme npu_int8 = kernels::QuantScheme::kPerTensor;
  const ActRanges* ranges = nullptr;  // needed for per-tensor static scales
  ActRanges* record = nullptr;        // when set, input ranges of linear parts are recorded here
  // When set, run() resizes it to the graph's op count and stores each executed op's wall time
  // (seconds, by OpId); ops not in the order stay 0. Used by `socsim validate-host`.
  std::vector<double>* op_seconds = nullptr;
};

class Executor {
 public:
  Executor(const ReferenceModel& m, const TaskGraph& g, const PlatformSpec& p, ExecOptions opt);
  // Runs the ops in `order` (every op exactly once) over `tokens` (prompt then decode inputs).
  ForwardResult run(std::span<const OpId> order, const std::vector<int32_t>& tokens);

 private:
  struct Stream {
    int64_t first_pos = 0;
    Mat x, h, q, k, v, attn, o, gate, up, act, ffn;
  };
  Stream& stream_of(const Op& op);
  void part(const Op& op, const OpPart& p, Stream& st, ForwardResult& out,
            const std::vector<int32_t>& tokens);
  void linear(const Op& op, const OpPart& p, const Mat& x, const Mat& w, Mat& y);
  void norm(const Mat& x, const Vec& gain, const Vec& bias, Mat& y) const;
  const kernels::QuantMatrix& quantized(const Mat& w, kernels::QuantScheme s);
  const Mat& half_rounded(const Mat& w);

  const ReferenceModel& m_;
  const TaskGraph& g_;
  const PlatformSpec& p_;
  ExecOptions opt_;
  std::map<std::pair<int, int>, Stream> streams_;  // (phase, chunk or token)
  std::map<std::pair<const Mat*, int>, kernels::QuantMatrix> qcache_;
  std::map<const Mat*, Mat> hcache_;
  std::vector<std::pair<int32_t, Mat>> logits_;  // by position
};

// Round every value to the nearest IEEE half (FP16) and back.
void round_to_half(Mat& x);

// Records calibrated activation ranges by executing `g` in creation order in FP32 semantics on
// a calibration prompt (separate seed).
ActRanges calibrate_ranges(const ReferenceModel& m, const TaskGraph& g, const PlatformSpec& p,
                           const std::vector<int32_t>& tokens);

}  // namespace socsim::verify
