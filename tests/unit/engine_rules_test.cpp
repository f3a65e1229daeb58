// Scheduling rules of the simulation core (sim/engine/simulation.cpp), each test named after its
// rule and checked on both backends where the rule is backend-independent: slots (one kernel at a
// time on an NPU, one op per CPU core), dependencies, policy order, instant ops, flash sharing and
// impossible placements.
#include <stdexcept>

#include "tests/unit/engine_test_support.hpp"

namespace socsim::test {
namespace {

// Two independent 1 s NPU kernels run one after the other (FIFO by rank), not processor-shared:
// the first ends at 1 s, not 2 s.
TEST(engine_test, npu_runs_one_kernel_at_a_time) {
  for (BackendKind kind : kBothBackends) {
    Bench b;
    const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
    const OpId x = b.op(on(npu), compute(1.0), {}, 0);
    const OpId y = b.op(on(npu), compute(1.0), {}, 1);
    const RunResult r = b.run(kind);
    SCOPED_TRACE(name_of(kind));
    EXPECT_REL(r.t[x].end, 1.0);
    EXPECT_REL(r.t[y].start, 1.0);
    EXPECT_REL(r.t[y].end, 2.0);
    EXPECT_REL(r.makespan, 2.0);
  }
}

// A 4-core cluster runs at most 4 single-core ops at once, each at full speed: 6 ops of 1 s take
// 2 s (four end at 1 s, two at 2 s); two ops asking 3 cores each cannot share it: 2 s.
TEST(engine_test, cpu_cluster_runs_one_op_per_core) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4);
    for (int i = 0; i < 6; ++i) b.op(on(cpu), compute(1.0), {}, i);
    const RunResult r = b.run(kind);
    int at_1 = 0, at_2 = 0;
    for (const OpTiming& t : r.t) {
      if (std::abs(t.end - 1.0) < kRel) ++at_1;
      if (std::abs(t.end - 2.0) < 2 * kRel) ++at_2;
    }
    EXPECT_EQ(at_1, 4);
    EXPECT_EQ(at_2, 2);
    EXPECT_REL(r.makespan, 2.0);

    Bench wide;
    const UnitId cpu2 = wide.unit("cpu.big", UnitType::kCpuCluster, 4);
    const OpId x = wide.op(on(cpu2, 3), compute(1.0), {}, 0);
    const OpId y = wide.op(on(cpu2, 3), compute(1.0), {}, 1);
    const RunResult w = wide.run(kind);
    EXPECT_REL(w.t[x].end, 1.0);
    EXPECT_REL(w.t[y].start, 1.0);
    EXPECT_REL(w.makespan, 2.0);
  }
}

// Ops of one serial lane run one at a time whatever the cores of their unit, in rank order among
// the ready ones; ops of another lane or of none share the cluster's free cores beside them. On a
// 4-core cluster: lane-1 ops of rank 2, 0 and 3 (the rank-3 op waiting 0.5 s for a predecessor)
// run at [0, 1), [1, 2) and [2, 3), the lane-2 op and the lane-free op at once from 0.
TEST(engine_test, a_serial_lane_runs_one_op_at_a_time) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4);
    const OpId early = b.op(on(cpu), compute(0.5), {}, 9);
    const OpId second = b.op(on(cpu), compute(1.0), {}, 2);
    const OpId first = b.op(on(cpu), compute(1.0), {}, 0);
    const OpId late = b.op(on(cpu), compute(1.0), {early}, 3);
    const OpId other = b.op(on(cpu), compute(1.0), {}, 1);
    const OpId free = b.op(on(cpu), compute(1.0), {}, 4);
    for (OpId i : {second, first, late}) b.g.op_mut(i).lane = 1;
    b.g.op_mut(other).lane = 2;
    const RunResult r = b.run(kind);
    EXPECT_REL(r.t[first].end, 1.0);
    EXPECT_REL(r.t[second].start, 1.0);
    EXPECT_REL(r.t[late].start, 2.0);
    EXPECT_REL(r.t[other].end, 1.0);
    EXPECT_REL(r.t[free].end, 1.0);
    EXPECT_REL(r.makespan, 3.0);
  }
}

// Every op starts (is even dispatched) no earlier than the end of each predecessor, on a DAG whose
// ops would otherwise find free slots earlier (units idle, reversed ranks, launch delays).
TEST(engine_test, dependencies_are_respected) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    b.platform.dram_bandwidth = 40e9;
    const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4, 20e9);
    const UnitId gpu = b.unit("gpu", UnitType::kGpu, 2, 30e9);
    const UnitId npu = b.unit("npu", UnitType::kNpu, 1, 35e9);
    const UnitId units[] = {cpu, gpu, npu};
    std::vector<OpId> ids;
    for (int i = 0; i < 30; ++i) {
      std::vector<OpId> preds;
      if (i >= 1) preds.push_back(ids[i - 1]);
      if (i >= 3 && i % 2 == 0) preds.push_back(ids[i - 3]);
      if (i >= 7 && i % 3 == 0) preds.push_back(ids[i / 2]);
      Op o;
      o.place = on(units[i % 3]);
      o.rank = 100 - i;
      b.costs.push_back(compute(0.01 * (1 + (i * 7) % 5), 1e8 * (i % 4), 1e-3 * (i % 2)));
      ids.push_back(b.g.add(o, {}, preds, "op" + std::to_string(i)));
    }
    const RunResult r = b.run(kind);
    int edges = 0;
    for (OpId i = 0; i < b.g.size(); ++i) {
      EXPECT_GT(r.t[i].end, r.t[i].start);
      for (OpId p : b.g.preds(i)) {
        EXPECT_GE(r.t[i].dispatch, r.t[p].end) << "op " << i << " pred " << p;
        EXPECT_GE(r.t[i].start, r.t[p].end) << "op " << i << " pred " << p;
        ++edges;
      }
    }
    EXPECT_GT(edges, 40);
  }
}

// Two flash reads of 1 s each, issued together, share the device: both end at 2 s. (The analytic
// backend is contention-free by design: 1 s each.)
TEST(engine_test, flash_device_is_shared) {
  Bench b;
  b.platform.has_flash = true;
  b.unit("cpu.big", UnitType::kCpuCluster, 4);
  OpCost read;
  read.flash_service_s = 1.0;
  const OpId x = b.op(Placement{}, read);
  const OpId y = b.op(on(0), read);  // a read issued from a CPU core shares the same device
  const RunResult r = b.run(BackendKind::kSimGrid);
  EXPECT_REL(r.t[x].end, 2.0);
  EXPECT_REL(r.t[y].end, 2.0);
  const RunResult a = b.run(BackendKind::kAnalytic);
  EXPECT_REL(a.t[x].end, 1.0);
  EXPECT_REL(a.t[y].end, 1.0);
}

// Policy::select decides among runnable ops: the default picks the lowest rank, a policy picking
// the highest rank flips the order of two ready NPU ops.
class HighestRankFirst final : public TestPolicy {
 public:
  size_t select(std::span<const OpId> runnable, const SimView& view) const override {
    const TaskGraph& g = view.graph;
    size_t best = 0;
    for (size_t i = 1; i < runnable.size(); ++i)
      if (g.op(runnable[i]).rank > g.op(runnable[best]).rank) best = i;
    return best;
  }
};

TEST(engine_test, policy_select_controls_order) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
    const OpId x = b.op(on(npu), compute(1.0), {}, 0);
    const OpId y = b.op(on(npu), compute(2.0), {}, 1);
    const RunResult lowest = b.run(kind);
    EXPECT_REL(lowest.t[x].end, 1.0);
    EXPECT_REL(lowest.t[y].start, 1.0);
    EXPECT_REL(lowest.t[y].end, 3.0);
    const RunResult highest = b.run(kind, HighestRankFirst());
    EXPECT_REL(highest.t[y].end, 2.0);
    EXPECT_REL(highest.t[x].start, 2.0);
    EXPECT_REL(highest.t[x].end, 3.0);
  }
}

// A scheduler may leave a unit idle: an in-order scheduler runs each unit's ops strictly in rank
// order, returning kNoDispatch while the unit's next op is not ready, and it sees every op's
// estimated duration alone. NPU op a (rank 0) waits for a 1 s CPU op; NPU op b (rank 1) is ready at
// once. Lowest-rank-first runs b at 0 (out of order); in order, the NPU idles until a can run.
class InOrderPerUnit final : public TestPolicy {
 public:
  void begin(const TaskGraph& g, const PlatformSpec&) const override {
    next_.clear();
    seen_seconds_.clear();
    for (OpId i = 0; i < g.size(); ++i) {
      const UnitId u = g.op(i).place.unit[0];
      if (next_.size() <= u) next_.resize(u + 1u);
      next_[u].push_back(i);  // ops are created in rank order here
    }
    for (auto& q : next_) std::reverse(q.begin(), q.end());
  }
  size_t select(std::span<const OpId> runnable, const SimView& view) const override {
    seen_seconds_.assign(view.op_seconds.begin(), view.op_seconds.end());
    for (size_t i = 0; i < runnable.size(); ++i) {
      const auto& q = next_[view.graph.op(runnable[i]).place.unit[0]];
      if (!q.empty() && q.back() == runnable[i]) return i;
    }
    return kNoDispatch;
  }
  void dispatched(OpId op) const override {
    for (auto& q : next_)
      if (!q.empty() && q.back() == op) q.pop_back();
  }
  mutable std::vector<std::vector<OpId>> next_;
  mutable std::vector<double> seen_seconds_;
};

TEST(engine_test, in_order_scheduler_can_leave_a_unit_idle) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 1);
    const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
    const OpId c = b.op(on(cpu), compute(1.0), {}, 0);
    const OpId a = b.op(on(npu), compute(1.0), {c}, 1);
    const OpId x = b.op(on(npu), compute(0.5), {}, 2);
    const RunResult out_of_order = b.run(kind);
    EXPECT_REL(out_of_order.t[x].end, 0.5);
    EXPECT_REL(out_of_order.t[a].end, 2.0);
    InOrderPerUnit in_order;
    const RunResult r = b.run(kind, in_order);
    EXPECT_REL(r.t[a].start, 1.0);  // the NPU idled for 1 s: a bubble
    EXPECT_REL(r.t[x].start, 2.0);
    EXPECT_REL(r.t[x].end, 2.5);
    ASSERT_EQ(in_order.seen_seconds_.size(), 3u);
    EXPECT_REL(in_order.seen_seconds_[x], 0.5);  // the estimated duration alone
  }
}

// Ops that ask nothing of the platform complete at the time they become ready, with or without a
// placement, at the start of the graph and in a chain, and unblock their successors at once.
TEST(engine_test, instant_ops_complete_without_time) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
    const OpId root = b.op(Placement{}, OpCost{});
    const OpId x = b.op(on(npu), compute(1.0), {root});
    const OpId i1 = b.op(Placement{}, OpCost{}, {x});
    const OpId i2 = b.op(on(npu), OpCost{}, {i1});  // zero-cost kernel still takes the NPU slot
    const OpId i3 = b.op(Placement{}, OpCost{}, {x});
    const OpId y = b.op(on(npu), compute(1.0), {i2, i3});
    const RunResult r = b.run(kind);
    EXPECT_EQ(r.t[root].end, 0.0);
    EXPECT_EQ(r.t[x].start, 0.0);
    for (OpId i : {i1, i2, i3}) {
      EXPECT_REL(r.t[i].start, 1.0);
      EXPECT_REL(r.t[i].end, 1.0);
    }
    EXPECT_REL(r.t[y].start, 1.0);
    EXPECT_REL(r.t[y].end, 2.0);
  }
}

// A placement the platform cannot satisfy (a unit it lacks, more cores than the unit has) is a
// policy bug: run() reports it instead of stalling silently or running it.
TEST(engine_test, stalled_graph_is_reported) {
  for (BackendKind kind : kBothBackends) {
    SCOPED_TRACE(name_of(kind));
    Bench b;
    const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4);
    b.unit("npu", UnitType::kNpu, 1);
    const OpId ok = b.op(on(cpu), compute(1.0));
    b.op(on(5), compute(1.0), {ok});
    EXPECT_THROW(b.run(kind), std::logic_error);

    Bench wide;
    wide.unit("cpu.big", UnitType::kCpuCluster, 4);
    wide.op(on(0, 5), compute(1.0));
    EXPECT_THROW(wide.run(kind), std::logic_error);
  }
}

}  // namespace
}  // namespace socsim::test
