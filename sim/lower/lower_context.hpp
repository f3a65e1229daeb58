// Everything a policy sees when it lowers a run into a task graph: read-only views of the model,
// the hardware profile, the derived platform and the workload.
#pragma once

#include "sim/engine/platform.hpp"
#include "sim/hw/hw_spec.hpp"
#include "sim/lower/workload.hpp"
#include "sim/model/model_spec.hpp"

namespace socsim {

struct LowerContext {
  const ModelSpec& model;
  const HwSpec& hw;
  const PlatformSpec& platform;
  const Workload& workload;
};

}  // namespace socsim
