// Output of host calibration: the fitted host profile as YAML in the schema of the phone profiles
// (sim/hw/hw_spec.cpp, visit_hw), every number commented with the benchmark it comes from, and
// the kernel speed report printed by `socsim calibrate`.
#pragma once

#include <string>

#include "sim/calibrate/host_benchmarks.hpp"

namespace socsim::calibrate {

// The profile text: `name: host`, one CPU cluster `host` of one core, DRAM; no GPU, NPU or flash.
std::string host_profile_yaml(const HostFit& fit);

// Writes host_profile_yaml(fit) to `path` (creating its directory) and reads it back with
// load_hw; throws InputError when the file cannot be written or does not load.
void write_host_profile(const HostFit& fit, const std::string& path);

// GFLOP/s of gemm_f32 per shape against the FP32 peak, memory bandwidths, attention and
// elementwise speeds, the launch overhead, and how well the profile reproduces each family.
std::string kernel_speed_report(const Measurements& m, const HostFit& fit);

// The raw measurements as JSON, to fit again later without running the benchmarks, and back
// (throws InputError on malformed text).
std::string measurements_json(const Measurements& m);
Measurements measurements_from_json(const std::string& text, const std::string& where);

}  // namespace socsim::calibrate
