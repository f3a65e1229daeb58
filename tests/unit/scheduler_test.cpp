// Scheduler plug-ins on a hand-built CPU + NPU graph where the order matters. NPU op n0 (rank 0,
// 1 s) is ready at once; on the single CPU core, c_b (rank 1, 1 s) unlocks nothing while c_a
// (rank 2, 1 s) unlocks NPU op n_a (rank 3, 3 s). Rank order runs c_b first and finishes at 5 s;
// cg-greedy scores c_a at +3 s of unlocked NPU work, runs it first and finishes at 4 s; in-order
// keeps each unit's rank sequence and finishes at 5 s, with the NPU idle in [1, 2].
#include <gtest/gtest.h>

#include "sim/policy/scheduler.hpp"
#include "tests/unit/engine_test_support.hpp"

using namespace socsim;
using namespace socsim::test;

namespace {

class SchedulerPolicy final : public TestPolicy {
 public:
  SchedulerPolicy(const std::string& name, const PlatformSpec& p)
      : s_(find_scheduler(name)->make()), p_(p) {}
  void begin(const TaskGraph& g, const PlatformSpec&) const override { s_->begin(g, p_); }
  size_t select(std::span<const OpId> runnable, const SimView& view) const override {
    return s_->select(runnable, view);
  }
  void dispatched(OpId op) const override { s_->dispatched(op); }

 private:
  std::unique_ptr<Scheduler> s_;
  const PlatformSpec& p_;
};

struct Graph {
  Bench b;
  OpId n0, c_b, c_a, n_a;
  Graph() {
    const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 1);
    const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
    n0 = b.op(on(npu), compute(1.0), {}, 0);
    c_b = b.op(on(cpu), compute(1.0), {}, 1);
    c_a = b.op(on(cpu), compute(1.0), {}, 2);
    n_a = b.op(on(npu), compute(3.0), {c_a}, 3);
  }
};

}  // namespace

TEST(Schedulers, AreRegistered) {
  EXPECT_EQ(scheduler_names(), (std::vector<std::string>{"cg-greedy", "in-order"}));
}

TEST(Schedulers, CgGreedyRunsWhatUnlocksNpuWorkFirst) {
  for (BackendKind kind : kBothBackends) {
    Graph g;
    EXPECT_DOUBLE_EQ(g.b.run(kind).makespan, 5.0);  // lowest rank first
    const RunResult r = g.b.run(kind, SchedulerPolicy("cg-greedy", g.b.platform));
    EXPECT_DOUBLE_EQ(r.t[g.c_a].start, 0.0);
    EXPECT_DOUBLE_EQ(r.t[g.n_a].start, 1.0);
    EXPECT_DOUBLE_EQ(r.t[g.c_b].start, 1.0);
    EXPECT_DOUBLE_EQ(r.makespan, 4.0);
  }
}

TEST(Schedulers, InOrderKeepsEachUnitsRankSequence) {
  for (BackendKind kind : kBothBackends) {
    Graph g;
    const RunResult r = g.b.run(kind, SchedulerPolicy("in-order", g.b.platform));
    EXPECT_DOUBLE_EQ(r.t[g.c_b].start, 0.0);
    EXPECT_DOUBLE_EQ(r.t[g.c_a].start, 1.0);
    EXPECT_DOUBLE_EQ(r.t[g.n_a].start, 2.0);  // the NPU idled in [1, 2]
    EXPECT_DOUBLE_EQ(r.makespan, 5.0);
  }
}
