// `in-order`: every unit executes its ops strictly in rank order. When a unit's next op is not
// ready the unit idles (a bubble) even if later ops are; ops on several units advance each unit's
// sequence.
#include <algorithm>

#include "sim/policy/scheduler.hpp"

namespace socsim {
namespace {

class InOrder final : public Scheduler {
 public:
  void begin(const TaskGraph& g, const PlatformSpec& p) override {
    sequence_.assign(p.units.size(), {});
    position_.assign(p.units.size(), 0);
    std::vector<OpId> by_rank(g.size());
    for (OpId i = 0; i < g.size(); ++i) by_rank[i] = i;
    std::stable_sort(by_rank.begin(), by_rank.end(),
                     [&](OpId a, OpId b) { return g.op(a).rank < g.op(b).rank; });
    for (OpId i : by_rank)
      for (uint8_t k = 0; k < g.op(i).place.count; ++k)
        sequence_[g.op(i).place.unit[k]].push_back(i);
  }

  size_t select(std::span<const OpId> runnable, const SimView& view) override {
    for (size_t i = 0; i < runnable.size(); ++i) {
      const Placement& p = view.graph.op(runnable[i]).place;
      bool next_everywhere = true;
      for (uint8_t k = 0; k < p.count; ++k) {
        const auto& seq = sequence_[p.unit[k]];
        const size_t at = position_[p.unit[k]];
        next_everywhere &= at < seq.size() && seq[at] == runnable[i];
      }
      if (next_everywhere) return i;  // ops on no unit (pure time) have no sequence: always go
    }
    return kNoDispatch;
  }

  void dispatched(OpId op) override {
    for (size_t u = 0; u < sequence_.size(); ++u)
      if (position_[u] < sequence_[u].size() && sequence_[u][position_[u]] == op) ++position_[u];
  }

 private:
  std::vector<std::vector<OpId>> sequence_;
  std::vector<size_t> position_;
};

}  // namespace

SOCSIM_REGISTER_SCHEDULER(
    InOrder, "in-order",
    "each unit runs its ops strictly in rank order (idles when the next is not ready)");

}  // namespace socsim
