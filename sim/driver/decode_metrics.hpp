// Decode-phase figures computed from a simulated schedule: per-token latency (mean and P50/P90/
// P99), flash bytes read per decoded token, and the split of the decode critical path into
// compute, flash I/O and waiting. The critical path is walked back from the last op through the
// predecessor that finished last; time an op spent queued after that predecessor finished (its
// unit busy) counts as waiting.
#pragma once

#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/graph/task_graph.hpp"

namespace socsim {

struct DecodeMetrics {
  std::vector<double> token_latency_s;  // per decoded token: its logits minus the previous ones
  double mean_s = 0, p50_s = 0, p90_s = 0, p99_s = 0;
  double flash_bytes_per_token = 0;
  double critical_compute_s = 0, critical_io_s = 0, critical_wait_s = 0;
};

// `ttft` is the end of prefill (the first token's logits).
DecodeMetrics decode_metrics(const TaskGraph& g, const std::vector<OpTiming>& timing, double ttft);

}  // namespace socsim
