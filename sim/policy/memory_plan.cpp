// Memory accounting helpers; see memory_plan.hpp.
#include "sim/policy/memory_plan.hpp"

#include <algorithm>
#include <cmath>

namespace socsim {

double resident_weight_bytes(const ModelSpec& m, DType weight_dtype) {
  return static_cast<double>(m.total_params()) * storage_bits(weight_dtype) / 8.0;
}

double kv_cache_bytes(const ModelSpec& m, const Workload& w) {
  if (!w.batch.empty()) {
    double tokens = 0;
    for (const BatchSequence& s : w.batch) tokens += static_cast<double>(s.past + s.tokens);
    return tokens * m.kv_bytes_per_token();
  }
  return static_cast<double>(w.past + w.prompt + w.gen) * m.kv_bytes_per_token();
}

double ffn_weight_bytes(const ModelSpec& m) {
  return static_cast<double>(m.layers * m.ffn_params_per_layer()) * storage_bits(m.weight_dtype) /
         8.0;
}

double memory_budget(const ModelSpec& m, const HwSpec& hw, const Workload& w) {
  if (!std::isnan(w.memory)) return w.memory;
  if (!std::isnan(w.ffn_offload))
    return resident_weight_bytes(m, m.weight_dtype) - w.ffn_offload * ffn_weight_bytes(m) +
           kv_cache_bytes(m, w);
  return hw.dram.available;
}

bool offload_share_run(const Workload& w) {
  return std::isnan(w.memory) && !std::isnan(w.ffn_offload);
}

double peak_activation_bytes(const ModelSpec& m, const TaskGraph& g) {
  const double a = plain_bits(m.activation_dtype) / 8.0;
  double peak = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    double live = 0;
    for (const OpPart& p : g.parts(i)) {
      double part = p.act_read + p.act_written;
      if (p.kind == OpKind::kAttention)  // fp32 scores of every head: heads x queries x keys
        part += 4.0 * static_cast<double>(m.heads) * static_cast<double>(p.m) *
                static_cast<double>(p.n);
      live = std::max(live, part);
    }
    // The residual stream stays live across the op.
    if (!g.parts(i).empty())
      live += static_cast<double>(g.parts(i)[0].m) * static_cast<double>(m.hidden) * a;
    peak = std::max(peak, live);
  }
  return peak;
}

}  // namespace socsim
