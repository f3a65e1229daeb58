// Memory accounting shared by policies: resident weights in the policy's storage type, the KV
// cache at the run's longest context, the largest live activations of any op (inputs, outputs and
// attention scores in fp32, as engines without fused attention keep them), and NPU graph objects.
#pragma once

#include "sim/policy/policy.hpp"

namespace socsim {

// Weights as stored by the policy (all parameters, in `weight_dtype`).
double resident_weight_bytes(const ModelSpec& m, DType weight_dtype);
// Largest activation footprint over the graph's ops, from their parts' shapes.
// True when the run is sized by workload.ffn_offload rather than a --memory budget.
bool offload_share_run(const Workload& w);
double peak_activation_bytes(const ModelSpec& m, const TaskGraph& g);
// KV cache at prompt + gen positions.
double kv_cache_bytes(const ModelSpec& m, const Workload& w);
// FFN weights (all layers and experts) in the model's stored type.
double ffn_weight_bytes(const ModelSpec& m);
// The run's memory budget: workload.memory, else derived from workload.ffn_offload, else the
// profile's dram.available.
double memory_budget(const ModelSpec& m, const HwSpec& hw, const Workload& w);

}  // namespace socsim
