// `cg-greedy`: mllm-NPU's out-of-order rule (arXiv 2407.05858, section on subgraph scheduling).
// Among ready ops, run the one with the largest C(g): a CPU or GPU op scores +sum of the estimated
// NPU time it unlocks, an NPU op -sum of the CPU/GPU time it unlocks, so work that feeds the NPU
// (the critical path in prefill) goes first and the NPU is kept busy. An op "unlocks" a successor
// whose other predecessors have all been dispatched. Ties go to the lower rank.
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
    return best;
  }

  void dispatched(OpId op) override { dispatched_.push_back(op); }

 private:
  bool on_npu(const Op& op) const {
    return op.place.count > 0 && platform_->units[op.place.unit[0]].type == UnitType::kNpu;
  }

  double score(OpId id, const SimView& view) {
    // Successor counts are advanced lazily from the ops dispatched since the last call.
    for (OpId d : dispatched_)
      for (OpId s : view.graph.succs(d)) --waiting_[s];
    dispatched_.clear();
    const bool npu = on_npu(view.graph.op(id));
    double c = 0;
    for (OpId s : view.graph.succs(id)) {
      if (waiting_[s] != 1) continue;  // still waits for something else
      const bool s_npu = on_npu(view.graph.op(s));
      if (!npu && s_npu) c += view.op_seconds[s];
      if (npu && !s_npu && view.graph.op(s).place.count > 0) c -= view.op_seconds[s];
    }
    return c;
  }

  const PlatformSpec* platform_ = nullptr;
  std::vector<uint32_t> waiting_;  // predecessors not yet dispatched
  std::vector<OpId> dispatched_;
};

}  // namespace

SOCSIM_REGISTER_SCHEDULER(CgGreedy, "cg-greedy",
                          "mllm-NPU's C(g) rule: run first what unlocks the most NPU work");

}  // namespace socsim
