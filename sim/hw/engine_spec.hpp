// Software-engine profile: how one inference engine's kernels (llama.cpp, MNN, MLC, TFLite, the
// mllm CPU backend, QNN) fare on a SoC's units, relative to the hardware profile. A hardware
// profile says what the silicon reaches with the kernels it was calibrated on; an engine profile
// multiplies those efficiency tables per unit kind (cpu, gpu, npu) and op class (matmul, attention,
// elementwise), and may replace the unit's launch overhead. An engine measured on the machine
// itself (llama.cpp on this host, `socsim calibrate-llamacpp`) may instead carry its own tables per
// op class, which replace the profile's, and a rate factor per data type for kernels that run the
// same op at different speeds by weight type (Q8_0, Q4_0, F16). Files live in hwprofiles/engines/,
// one per engine, each factor calibrated from one documented public measurement (cited in a
// comment), so differences between engines live in data, never in per-experiment factors.
#pragma once

#include <array>
#include <string>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"
#include "sim/hw/hw_spec.hpp"

namespace socsim {

// An engine's factors on one kind of unit (every CPU cluster, the GPU or the NPU).
struct EngineUnitSpec {
  bool present = false;
  std::array<double, 3> efficiency{1.0, 1.0, 1.0};  // by OpClass, on the profile's compute curve
  double launch_overhead = kUnset;                  // replaces the profile's; NaN = keep
  double thread_wake = kUnset;    // per forward pass on several cores (waking workers); NaN = 0
  double step_overhead = kUnset;  // per forward pass: framework, logits copy, sampling; NaN = 0
  // [threads, factor on each thread's compute rate] for a kernel on several cores; empty = keep.
  Curve thread_scaling;
  // Per forward pass and vocabulary entry of each logits row (copying the logits out, the
  // sampler's passes over them); NaN = 0.
  double step_overhead_per_vocab = kUnset;
  // Own tables (measured with this engine on this machine): replace the profile's when present.
  std::array<EfficiencyTable, 3> tables;
  std::array<bool, 3> has_table{false, false, false};
  bool has_tables = false, has_dtype_rate = false;  // the sections are present
  // Factor on the compute rate of parts in each data type (NaN = 1): the unit's peak in that
  // type becomes the peak it falls back to (int4 -> int8 -> fp16 -> fp32) times the factor.
  std::array<double, kNumDTypes> dtype_rate{kUnset, kUnset, kUnset, kUnset, kUnset};
};

struct EngineSpec {
  int64_t schema_version = 1;
  std::string name;
  std::string engine;  // what it models, e.g. "llama.cpp b2xxx, ggml Q8_0 CPU kernels"
  EngineUnitSpec cpu, gpu, npu;
};

void visit_engine(FieldVisitor& v, EngineSpec& e);
EngineSpec read_engine(const std::string& path, Diagnostics& diags, SourceMap* where = nullptr);

// Multiplies the profile's compute-efficiency curves by the engine's factors and replaces launch
// overheads. An efficiency pushed above 1 (faster than peak) is an error located in the engine
// file.
void apply_engine(HwSpec& hw, const EngineSpec& e, const std::string& file, Diagnostics& diags,
                  const SourceMap& where = {});

}  // namespace socsim
