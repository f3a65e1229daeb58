// Each run invariant of sim/check/invariants.hpp on hand-made runs: it holds on a correct run and
// fails, under its own name, when the run is broken in the way it guards against. Hand-made runs
// come from engine-test Benches (exact times); the memory-plan floors use a real simulated run.
#include <cmath>

#include "tests/check/check_test_support.hpp"

namespace socsim::test {
namespace {

using check::Violations;

Violations all(const RunOutput& out, const check::InvariantContext& ctx = hand_context()) {
  return check::check_invariants(out, ctx);
}

std::string dump(const Violations& v) {
  std::string s;
  for (const std::string& line : v.lines()) s += line + "\n";
  return s;
}

// An op with one part of the given role, tagged with a stream (prefill chunk) and layer.
OpId role_op(Bench& b, UnitId unit, PartRole role, int chunk, int layer, int pos, int rows,
             std::initializer_list<OpId> preds = {}) {
  Op o;
  o.place = on(unit);
  o.phase = Phase::kPrefill;
  o.chunk = chunk, o.layer = layer, o.pos = pos, o.rows = rows;
  o.rank = static_cast<int64_t>(b.g.size());
  OpPart part;
  part.role = role;
  b.costs.push_back(compute(1.0));
  const std::vector<OpId> p(preds);
  return b.g.add(o, std::span<const OpPart>(&part, 1), p, "op" + std::to_string(b.g.size()));
}

TEST(Invariants, slots_fail_when_a_unit_or_serial_lane_holds_more_ops_than_slots) {
  Bench b;
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
  const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4);
  b.op(on(npu), compute(1.0));
  const OpId y = b.op(on(npu), compute(1.0));
  for (int i = 0; i < 4; ++i) b.op(on(cpu), compute(1.0));  // four cores: four at once
  RunOutput out = hand_run(b);
  EXPECT_TRUE(all(out).empty()) << dump(all(out));
  out.timing[y] = {0.5, 0.5, 1.5};  // the NPU's second kernel overlaps the first
  Violations v;
  check::check_slots(out, v);
  ASSERT_EQ(v.count("slots"), 1u) << dump(v);
  EXPECT_NE(v.details()[0].detail.find("npu holds 2 slots"), std::string::npos) << dump(v);
  Bench wide;
  const UnitId c = wide.unit("cpu.big", UnitType::kCpuCluster, 4);
  wide.op(on(c, 3), compute(1.0));
  const OpId z = wide.op(on(c, 2), compute(1.0));
  RunOutput w = hand_run(wide);
  EXPECT_TRUE(all(w).empty()) << dump(all(w));
  w.timing[z] = {0, 0, 1};  // 3 + 2 cores of a 4-core cluster at once
  EXPECT_EQ(all(w).count("slots"), 1u);
  Bench serial;  // two ops of one serial lane on a 4-core cluster
  const UnitId io = serial.unit("cpu.little", UnitType::kCpuCluster, 4);
  serial.op(on(io), compute(1.0));
  const OpId r = serial.op(on(io), compute(1.0));
  for (OpId i : {OpId{0}, r}) serial.g.op_mut(i).lane = 1;
  RunOutput s = hand_run(serial);
  EXPECT_TRUE(all(s).empty()) << dump(all(s));
  EXPECT_DOUBLE_EQ(s.timing[r].start, 1.0);
  s.timing[r] = {0.5, 0.5, 1.5};
  Violations lane;
  check::check_slots(s, lane);
  ASSERT_EQ(lane.count("slots"), 1u) << dump(lane);
  EXPECT_NE(lane.details()[0].detail.find("serial lane 1 holds 2 slots"), std::string::npos)
      << dump(lane);
}

TEST(Invariants, dependencies_fail_when_an_op_starts_before_a_predecessor_ends) {
  Bench b;
  const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 1);
  const UnitId gpu = b.unit("gpu", UnitType::kGpu, 1);
  const OpId a = b.op(on(cpu), compute(1.0));
  const OpId c = b.op(on(gpu), compute(1.0), {a});
  RunOutput out = hand_run(b);
  EXPECT_TRUE(all(out).empty()) << dump(all(out));
  EXPECT_DOUBLE_EQ(out.timing[c].start, 1.0);
  out.timing[c] = {0.5, 0.5, 2.0};
  const Violations v = all(out);
  EXPECT_EQ(v.count("dependencies"), 1u) << dump(v);
  EXPECT_EQ(v.count("slots"), 0u);
}

// Two ops of the same prefill chunk on different units, the second reading what the first writes
// (the hidden state), with no edge between them: both start at 0.
TEST(Invariants, data_flow_fails_when_a_reader_starts_before_its_producer_ends) {
  Bench b;
  const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 1);
  const UnitId gpu = b.unit("gpu", UnitType::kGpu, 1);
  role_op(b, cpu, PartRole::kEmbed, 0, -1, 0, 8);
  role_op(b, gpu, PartRole::kAttnNorm, 0, 0, 0, 8);
  const Violations v = all(hand_run(b));
  ASSERT_EQ(v.count("data-flow"), 1u) << dump(v);
  EXPECT_EQ(v.count("dependencies"), 0u);  // the graph's own edges are all respected
  EXPECT_NE(v.details()[0].detail.find("hidden state"), std::string::npos) << dump(v);

  Bench linked;  // the same with the edge: holds
  linked.unit("cpu.big", UnitType::kCpuCluster, 1);
  linked.unit("gpu", UnitType::kGpu, 1);
  const OpId e = role_op(linked, 0, PartRole::kEmbed, 0, -1, 0, 8);
  role_op(linked, 1, PartRole::kAttnNorm, 0, 0, 0, 8, {e});
  EXPECT_TRUE(all(hand_run(linked)).empty());

  Bench streams;  // another chunk's stream: no data shared, no violation
  streams.unit("cpu.big", UnitType::kCpuCluster, 1);
  streams.unit("gpu", UnitType::kGpu, 1);
  role_op(streams, 0, PartRole::kEmbed, 0, -1, 0, 8);
  role_op(streams, 1, PartRole::kAttnNorm, 1, 0, 8, 8);
  EXPECT_TRUE(all(hand_run(streams)).empty());
}

// Attention of chunk 1 reads the keys and values chunk 0's RoPE wrote in the same layer.
TEST(Invariants, data_flow_fails_when_attention_reads_keys_not_yet_written) {
  for (int layer : {0, 1}) {
    Bench b;
    b.unit("cpu.big", UnitType::kCpuCluster, 1);
    b.unit("gpu", UnitType::kGpu, 1);
    role_op(b, 0, PartRole::kRope, 0, 0, 0, 8);
    role_op(b, 1, PartRole::kAttention, 1, layer, 8, 8);
    const Violations v = all(hand_run(b));
    if (layer == 1) {
      EXPECT_TRUE(v.empty()) << dump(v);  // another layer's cache
      continue;
    }
    ASSERT_EQ(v.count("data-flow"), 1u) << dump(v);
    EXPECT_NE(v.details()[0].detail.find("keys and values"), std::string::npos) << dump(v);
  }
}

TEST(Invariants, memory_fails_when_the_plan_exceeds_the_budget) {
  Bench b;
  b.op(on(b.unit("npu", UnitType::kNpu, 1)), compute(1.0));
  RunOutput out = hand_run(b);
  out.metrics.memory.kv_cache = 6.9e9;  // 7.9 GB of 8 GB
  EXPECT_TRUE(all(out).empty());
  out.metrics.memory.activations = 0.2e9;
  const Violations v = all(out);
  ASSERT_EQ(v.count("memory"), 1u) << dump(v);
  EXPECT_NE(v.details()[0].detail.find("over the 8GB budget"), std::string::npos) << dump(v);
}

TEST(Invariants, memory_plan_fails_when_the_plan_understates_what_the_run_holds) {
  SimulatedRun s = simulated_run("cpu");
  RunOutput& out = *s.out;
  EXPECT_TRUE(all(out, s.context()).empty()) << dump(all(out, s.context()));
  const MemoryPlan plan = out.metrics.memory;
  out.metrics.memory.kv_cache = plan.kv_cache / 2;
  EXPECT_EQ(all(out, s.context()).count("memory-plan"), 1u);
  out.metrics.memory = plan;
  out.metrics.memory.activations = 0;
  EXPECT_EQ(all(out, s.context()).count("memory-plan"), 1u);
  out.metrics.memory = plan;
  out.metrics.memory.weights = plan.weights / 10;  // a 10x understated plan
  const Violations v = all(out, s.context());
  ASSERT_EQ(v.count("memory-plan"), 1u) << dump(v);
  EXPECT_NE(v.details()[0].detail.find("one forward pass reads"), std::string::npos);
  check::InvariantContext offload = s.context();
  offload.can_offload = true;  // weights may stay in flash: no resident floor
  EXPECT_EQ(all(out, offload).count("memory-plan"), 0u);
}

TEST(Invariants, energy_fails_below_idle_power_over_the_run) {
  Bench b;
  b.platform.other_power = 0.5;
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1, 1e15, 0.2, 3.0);
  b.unit("cpu.big", UnitType::kCpuCluster, 4, 1e15, 0.1, 1.0);  // idle throughout
  b.op(on(npu), compute(2.0));
  RunOutput out = hand_run(b);
  EXPECT_TRUE(all(out).empty()) << dump(all(out));
  EXPECT_NEAR(out.metrics.energy.get("cpu.big"), 4 * 0.1 * 2.0, 1e-12);
  for (auto& [name, j] : out.metrics.energy.by_unit)
    if (name == "cpu.big") j = 0.5;  // less than 4 cores x 0.1 W x 2 s
  out.metrics.energy.total = 0;
  for (const auto& e : out.metrics.energy.by_unit) out.metrics.energy.total += e.second;
  const Violations v = all(out);
  EXPECT_EQ(v.count("energy"), 1u) << dump(v);
  EXPECT_NE(dump(v).find("cpu.big used 0.5 J"), std::string::npos) << dump(v);
}

TEST(Invariants, critical_path_fails_when_an_op_beats_its_time_alone) {
  Bench b;
  const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 1);
  const UnitId gpu = b.unit("gpu", UnitType::kGpu, 1);
  const OpId a = b.op(on(cpu), compute(1.0, 0, 0.25));  // 0.25 s launch delay + 1 s
  const OpId c = b.op(on(gpu), compute(1.0), {a});
  RunOutput out = hand_run(b);
  EXPECT_TRUE(all(out).empty()) << dump(all(out));
  EXPECT_DOUBLE_EQ(check::alone_seconds(out)[a], 1.25);
  out.timing[a].end = 1.0;  // 1 s from dispatch: faster than alone
  out.timing[c] = {1.0, 1.0, 2.0};
  out.metrics.total_s = out.metrics.ttft_s = 2.0;
  Violations v = all(out);
  EXPECT_EQ(v.count("critical-path"), 2u) << dump(v);  // and so the makespan beats the path
  EXPECT_NE(dump(v).find("took 1 s, less than its 1.25 s alone"), std::string::npos) << dump(v);

  RunOutput early = hand_run(b);
  early.timing[c] = {0, 0, 1.0};  // ignores its dependency: makespan 1.25 < path 2.25
  early.metrics.total_s = early.metrics.ttft_s = 1.25;
  v = all(early);
  EXPECT_EQ(v.count("dependencies"), 1u) << dump(v);
  ASSERT_EQ(v.count("critical-path"), 1u) << dump(v);
  EXPECT_NE(v.details()[1].detail.find("shorter than the critical path"), std::string::npos)
      << dump(v);
}

TEST(Invariants, dispatch_fails_unless_every_op_is_dispatched_once) {
  Bench b;
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
  b.op(on(npu), compute(1.0));
  b.op(on(npu), compute(1.0));
  RunOutput out = hand_run(b);
  ASSERT_EQ(out.dispatch_order.size(), 2u);
  out.dispatch_order[1] = out.dispatch_order[0];
  const Violations v = all(out);
  EXPECT_EQ(v.count("dispatch"), 2u) << dump(v);  // once twice, once never
  EXPECT_NE(dump(v).find("more than once"), std::string::npos);
  EXPECT_NE(dump(v).find("never dispatched"), std::string::npos);
}

TEST(Invariants, times_fail_when_not_finite_or_out_of_order) {
  Bench b;
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
  b.op(on(npu), compute(1.0));
  const OpId y = b.op(on(npu), compute(1.0));
  RunOutput out = hand_run(b);
  out.timing[y].end = std::nan("");
  EXPECT_EQ(all(out).count("times"), 1u);
  out = hand_run(b);
  out.timing[y].start = out.timing[y].dispatch - 0.5;
  EXPECT_EQ(all(out).count("times"), 1u);
  out = hand_run(b);
  out.timing.pop_back();  // a timing missing: the other invariants are not even indexed
  const Violations v = all(out);
  EXPECT_EQ(v.count("times"), 1u) << dump(v);
}

TEST(Invariants, metrics_fail_when_inconsistent) {
  Bench b;
  b.op(on(b.unit("npu", UnitType::kNpu, 1)), compute(1.0));
  RunOutput out = hand_run(b);
  out.metrics.ttft_s = 2.0;  // after the end of the run
  EXPECT_EQ(all(out).count("metrics"), 1u);
  out = hand_run(b);
  out.metrics.prefill_tokens_per_s = 0;
  EXPECT_EQ(all(out).count("metrics"), 1u);
  out = hand_run(b);
  out.metrics.total_s = 3.0;
  EXPECT_GE(all(out).count("metrics"), 1u);
  out = hand_run(b);
  out.metrics.ops_simulated = 7;
  EXPECT_EQ(all(out).count("metrics"), 1u);
}

TEST(Invariants, bandwidth_fails_when_a_phase_moves_bytes_faster_than_dram_allows) {
  Bench b;
  b.platform.dram_bandwidth = 1e9;
  b.op(on(b.unit("npu", UnitType::kNpu, 1)), compute(1.0));
  RunOutput out = hand_run(b);
  out.costs[0].actual_bytes = 0.9e9;  // 0.9 GB in the 1 s prefill: within 1 GB/s
  EXPECT_EQ(all(out).count("bandwidth"), 0u) << dump(all(out));
  out.costs[0].actual_bytes = 1.5e9;  // 1.5 GB in 1 s through a 1 GB/s DRAM
  const Violations v = all(out);
  EXPECT_EQ(v.count("bandwidth"), 1u) << dump(v);
  EXPECT_NE(dump(v).find("prefill ops move 1.5GB through DRAM"), std::string::npos) << dump(v);
}

TEST(Invariants, utilisation_above_one_is_a_metrics_violation) {
  Bench b;
  b.op(on(b.unit("npu", UnitType::kNpu, 1)), compute(1.0));
  RunOutput out = hand_run(b);
  out.metrics.busy_s_by_unit = {{"npu", 1.0}};  // busy the whole 1 s run: utilisation 1
  EXPECT_EQ(all(out).count("metrics"), 0u) << dump(all(out));
  out.metrics.busy_s_by_unit = {{"npu", 1.5}};  // one slot held for 1.5 s of a 1 s run
  const Violations v = all(out);
  EXPECT_EQ(v.count("metrics"), 1u) << dump(v);
  EXPECT_NE(dump(v).find("utilisation above 1"), std::string::npos) << dump(v);
}

TEST(Invariants, violations_keep_the_first_details_and_count_all) {
  Violations v;
  for (int i = 0; i < 5; ++i) v.add("slots", "s" + std::to_string(i));
  v.add("memory", "m");
  EXPECT_EQ(v.count("slots"), 5u);
  EXPECT_EQ(v.total(), 6u);
  EXPECT_EQ(v.details().size(), 4u);
  ASSERT_EQ(v.lines().size(), 2u);
  EXPECT_EQ(v.lines()[0], "slots (5): s0; s1; s2; and 2 more");
  EXPECT_EQ(v.lines()[1], "memory (1): m");
}

}  // namespace
}  // namespace socsim::test
