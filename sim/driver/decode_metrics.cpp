// Decode-phase latency distribution, flash traffic and critical path; see decode_metrics.hpp.
#include "sim/driver/decode_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace socsim {
namespace {

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

DecodeMetrics decode_metrics(const TaskGraph& g, const std::vector<OpTiming>& timing, double ttft) {
  DecodeMetrics m;
  // A decode step's logits come from its last op; steps are numbered from 0.
  std::vector<double> step_end;
  double flash = 0;
  OpId last = UINT32_MAX;
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    if (op.phase != Phase::kDecode) continue;
    const auto t = static_cast<size_t>(op.token);
    if (step_end.size() <= t) step_end.resize(t + 1, 0.0);
    step_end[t] = std::max(step_end[t], timing[i].end);
    flash += op.flash_bytes;
    if (last == UINT32_MAX || timing[i].end > timing[last].end) last = i;
  }
  if (step_end.empty()) return m;
  double prev = ttft;
  for (double e : step_end) {
    m.token_latency_s.push_back(e - prev);
    prev = e;
  }
  std::vector<double> sorted = m.token_latency_s;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double v : sorted) sum += v;
  m.mean_s = sum / static_cast<double>(sorted.size());
  m.p50_s = percentile(sorted, 0.50);
  m.p90_s = percentile(sorted, 0.90);
  m.p99_s = percentile(sorted, 0.99);
  m.flash_bytes_per_token = flash / static_cast<double>(step_end.size());
  // Walk back through the last-finishing predecessor until prefill. A read that waited for the
  // I/O issuer or the device (queued behind other reads) waited for I/O: its queueing counts as
  // I/O; any other op's wait for its unit stays `wait`.
  for (OpId cur = last; cur != UINT32_MAX && g.op(cur).phase == Phase::kDecode;) {
    const OpTiming& t = timing[cur];
    const bool io = g.op(cur).flash_bytes > 0;
    (io ? m.critical_io_s : m.critical_compute_s) += t.end - t.dispatch;
    OpId next = UINT32_MAX;
    for (OpId p : g.preds(cur))
      if (next == UINT32_MAX || timing[p].end > timing[next].end) next = p;
    const double ready = next == UINT32_MAX ? ttft : std::max(ttft, timing[next].end);
    (io ? m.critical_io_s : m.critical_wait_s) += std::max(0.0, t.dispatch - ready);
    cur = next;
  }
  return m;
}

}  // namespace socsim
