// `cg-greedy`: mllm-NPU's out-of-order rule (arXiv 2407.05858, section on subgraph scheduling).
// Among ready ops, run the one with the largest C(g): a CPU or GPU op scores +sum of the estimated
// NPU time it unlocks, an NPU op -sum of the CPU/GPU time it unlocks, so work that feeds the NPU
// (the critical path in prefill) goes first and the NPU is kept busy. An op "unlocks" a successor
// whose other predecessors have all been dispatched or are runnable now (they are being chosen in
// the same instant, e.g. an NPU op beside the CPU op that completes its successor's inputs). A
// CPU/GPU successor it unlocks passes on what that one unlocks (up to 3 steps), so a chain such as
// a cold-row flash read feeding a shadow GEMM scores as the one subgraph it is. Ties go to the
// lower rank.
#include <algorithm>

#include "sim/policy/scheduler.hpp"

namespace socsim {
namespace {

class CgGreedy final : public Scheduler {
 public:
  void begin(const TaskGraph& g, const PlatformSpec& p) override {
    platform_ = &p;
    dispatched_.clear();
    waiting_.assign(g.size(), 0);
    for (OpId i = 0; i < g.size(); ++i) waiting_[i] = static_cast<uint32_t>(g.preds(i).size());
  }

  size_t select(std::span<const OpId> runnable, const SimView& view) override {
    for (OpId d : dispatched_)
      for (OpId s : view.graph.succs(d)) --waiting_[s];
    dispatched_.clear();
    if (runnable_.size() != view.graph.size()) runnable_.assign(view.graph.size(), 0);
    for (OpId r : runnable) runnable_[r] = 1;
    size_t best = 0;
    double best_c = 0;
    for (size_t i = 0; i < runnable.size(); ++i) {
      const double c = score(runnable[i], view);
      const int64_t rank = view.graph.op(runnable[i]).rank,
                    best_rank = view.graph.op(runnable[best]).rank;
      if (i == 0 || c > best_c || (c == best_c && rank < best_rank)) {
        best = i;
        best_c = c;
      }
    }
    for (OpId r : runnable) runnable_[r] = 0;
    return best;
  }

  void dispatched(OpId op) override { dispatched_.push_back(op); }

 private:
  bool on_npu(const Op& op) const {
    return op.place.count > 0 && platform_->units[op.place.unit[0]].type == UnitType::kNpu;
  }

  // Predecessors of `s` other than `id` that are neither dispatched nor runnable now.
  uint32_t blockers(OpId s, OpId id, const SimView& view) const {
    uint32_t n = waiting_[s] - 1;  // `id` itself is not dispatched yet
    if (n == 0) return 0;
    for (OpId p : view.graph.preds(s))
      if (p != id && runnable_[p]) --n;
    return n;
  }

  double score(OpId id, const SimView& view, int depth = 0) const {
    const bool npu = on_npu(view.graph.op(id));
    double c = 0;
    for (OpId s : view.graph.succs(id)) {
      if (blockers(s, id, view) != 0) continue;  // still waits for something else
      const bool s_npu = on_npu(view.graph.op(s));
      if (!npu && s_npu) c += view.op_seconds[s];
      if (npu && !s_npu && view.graph.op(s).place.count > 0) c -= view.op_seconds[s];
      if (!npu && !s_npu && depth < 3) c += std::max(0.0, score(s, view, depth + 1));
    }
    return c;
  }

  const PlatformSpec* platform_ = nullptr;
  std::vector<uint32_t> waiting_;  // predecessors not yet dispatched
  std::vector<OpId> dispatched_;
  std::vector<uint8_t> runnable_;  // 1 while an op is in the runnable set of the current select
};

}  // namespace

SOCSIM_REGISTER_SCHEDULER(CgGreedy, "cg-greedy",
                          "mllm-NPU's C(g) rule: run first what unlocks the most NPU work");

}  // namespace socsim
