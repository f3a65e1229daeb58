// Software-engine profile: how one inference engine's kernels (llama.cpp, MNN, MLC, TFLite, the
// mllm CPU backend, QNN) fare on a SoC's units, relative to the hardware profile. A hardware
// profile says what the silicon reaches with the kernels it was calibrated on; an engine profile
// multiplies those efficiency tables per unit kind (cpu, gpu, npu) and op class (matmul, attention,
// elementwise), and may replace the unit's launch overhead. Files live in hwprofiles/engines/, one
// per engine, each factor calibrated from one documented public measurement (cited in a comment),
// so differences between engines live in data, never in per-experiment factors.
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
