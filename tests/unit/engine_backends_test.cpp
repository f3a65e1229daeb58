// The two backends against each other and against hand solutions: without overlap they agree to
// 1e-9 (launch delays, flash reads, compute- and memory-bound ops, multi-unit placements); with
// overlap SimGrid solves DRAM contention max-min where the analytic backend is contention-free;
// and the simulator's energy accountant equals SimGrid's host-energy plugin on CPU clusters.
#include "sim/energy/energy.hpp"
#include "tests/unit/engine_test_support.hpp"

namespace socsim::test {
namespace {

// A graph in which no two ops overlap in time: a chain, then a fork whose two NPU branches are
// serialised by the NPU's single slot. Every op's end is hand-computed as the sum of lone times:
// delay + flash + max(compute, bytes on each link / its bandwidth).
TEST(engine_test, analytic_and_simgrid_agree_without_contention) {
  Bench b;
  b.platform.has_flash = true;
  b.platform.cpu_bandwidth = 25e9;
  b.platform.dram_bandwidth = 50e9;
  const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4, 20e9);
  const UnitId gpu = b.unit("gpu", UnitType::kGpu, 1, 30e9);
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1, 40e9);
  OpCost flash, flash_compute, graph_build, mixed;
  flash.flash_service_s = 0.5;
  flash_compute.flash_service_s = 0.05;
  flash_compute.compute_s = 0.03;
  graph_build.delay_s = 0.3;
  mixed = compute(0.01, 1e9, 1e-3);
  mixed.flash_service_s = 0.02;
  std::vector<double> expected;
  double t = 0;
  OpId prev = b.op(Placement{}, flash);
  expected.push_back(t += 0.5);
  // 1e9 B: port 0.05 s, CPU link 0.04 s, bus 0.02 s < 0.2 s compute; plus 1 ms launch.
  prev = b.op(on(cpu), compute(0.2, 1e9, 1e-3), {prev});
  expected.push_back(t += 1e-3 + 0.2);
  // Memory-bound: 2e9 B on a 40 GB/s port = 0.05 s > 0.01 s compute; plus 0.2 ms launch.
  prev = b.op(on(npu), compute(0.01, 2e9, 2e-4), {prev});
  expected.push_back(t += 2e-4 + 0.05);
  // 4 CPU cores + the GPU, 3e9 B split 4:1: CPU port 2.4e9/20e9 = 0.12 s (CPU link 0.096, GPU port
  // 0.02, bus 0.06) > 0.1 s compute.
  prev = b.op(on({{cpu, 4}, {gpu, 1}}), compute(0.1, 3e9), {prev});
  expected.push_back(t += 0.12);
  prev = b.op(on(gpu), flash_compute, {prev});
  expected.push_back(t += 0.05 + 0.03);
  prev = b.op(Placement{}, OpCost{}, {prev});  // instant
  expected.push_back(t);
  prev = b.op(on(npu), graph_build, {prev});  // pure time on the NPU
  expected.push_back(t += 0.3);
  // 2 cores, 1.5e9 B: port 0.075 s (CPU link 0.06, bus 0.03) > 0.05 s.
  prev = b.op(on(cpu, 2), compute(0.05, 1.5e9), {prev});
  expected.push_back(t += 0.075);
  // Launch 1 ms, flash 20 ms, then 1e9 B on the CPU port: 0.05 s.
  const OpId fork = b.op(on(cpu), mixed, {prev});
  expected.push_back(t += 1e-3 + 0.02 + 0.05);
  b.op(on(npu), compute(0.04), {fork}, 0);  // runs first (lower rank)
  const double x_end = t + 0.04;
  expected.push_back(x_end);
  b.op(on(npu), compute(0.01, 1e9), {fork}, 1);  // port 0.025 s, bus 0.02 s
  expected.push_back(x_end + 0.025);
  b.op(on(cpu), compute(0.01), {fork + 1, fork + 2});
  expected.push_back(x_end + 0.025 + 0.01);

  const RunResult sg = b.run(BackendKind::kSimGrid);
  const RunResult an = b.run(BackendKind::kAnalytic);
  ASSERT_EQ(expected.size(), b.g.size());
  for (OpId i = 0; i < b.g.size(); ++i) {
    EXPECT_REL(sg.t[i].end, an.t[i].end) << "op " << i;
    EXPECT_REL(sg.t[i].end, expected[i]) << "op " << i;
    EXPECT_REL(sg.t[i].start, an.t[i].start) << "op " << i;
  }
}

// Three memory-bound ops start together on a 60 GB/s bus (CPU link 100 GB/s does not bind):
//   CPU op 1 GB through a 44 GB/s port, GPU op 0.5 GB through 10 GB/s, NPU op 2 GB through 56 GB/s.
// Max-min in bytes/s: the GPU is held to 10 by its port; CPU and NPU share the other 50: 25 each.
//   t = 0.04: CPU done (1 GB at 25); GPU has moved 0.4 GB, NPU 1 GB.
//   then GPU 10 (port), NPU min(56, 60 - 10) = 50: the GPU's last 0.1 GB ends at t = 0.05, by
//   which time the NPU has moved 0.5 GB more;
//   then NPU alone at min(56, 60) = 56: its last 0.5 GB ends at 0.05 + 0.5/56.
// Contention-free (analytic): CPU 1/44, GPU 0.5/10 = 0.05, NPU 2/56.
TEST(engine_test, dram_contention_is_simulated_not_added) {
  Bench b;
  b.platform.cpu_bandwidth = 100e9;
  b.platform.dram_bandwidth = 60e9;
  const UnitId cpu = b.unit("cpu.big", UnitType::kCpuCluster, 4, 44e9);
  const UnitId gpu = b.unit("gpu", UnitType::kGpu, 1, 10e9);
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1, 56e9);
  const OpId c = b.op(on(cpu), compute(1e-3, 1e9));
  const OpId g = b.op(on(gpu), compute(1e-3, 0.5e9));
  const OpId n = b.op(on(npu), compute(1e-3, 2e9));
  const RunResult sg = b.run(BackendKind::kSimGrid);
  EXPECT_REL(sg.t[c].end, 0.04);
  EXPECT_REL(sg.t[g].end, 0.05);
  EXPECT_REL(sg.t[n].end, 0.05 + 0.5 / 56);
  const RunResult an = b.run(BackendKind::kAnalytic);
  EXPECT_REL(an.t[c].end, 1.0 / 44);
  EXPECT_REL(an.t[g].end, 0.05);
  EXPECT_REL(an.t[n].end, 2.0 / 56);
  EXPECT_GT(sg.t[c].end - an.t[c].end, 0.01);
  EXPECT_GT(sg.t[n].end - an.t[n].end, 0.02);
}

// Single-core compute-bound ops on two CPU clusters, some concurrent, while a 1.5 s NPU op sets the
// makespan (so both clusters also idle). Big: 4 cores, 0.1 W idle / 1.2 W busy per core;
// busy core-seconds 1 + 0.5 + 0.3 + 0.25 = 2.05 -> 0.1*4*1.5 + 1.1*2.05 = 2.855 J. Little: 2 cores,
// 0.05 / 0.4 W; busy 0.7 + 0.2 = 0.9 -> 0.05*2*1.5 + 0.35*0.9 = 0.465 J.
TEST(engine_test, energy_accountant_matches_simgrid_plugin) {
  Bench b;
  b.platform.dram_bandwidth = 50e9;
  const UnitId big = b.unit("cpu.big", UnitType::kCpuCluster, 4, 20e9, 0.1, 1.2);
  const UnitId little = b.unit("cpu.little", UnitType::kCpuCluster, 2, 10e9, 0.05, 0.4);
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1, 40e9, 0.2, 2.0);
  const OpId a = b.op(on(big), compute(1.0, 1e8));  // 1e8 B: 5 ms on the port, compute-bound
  b.op(on(big), compute(0.5));
  b.op(on(big), compute(0.3, 1e6));
  b.op(on(big), compute(0.25), {a});
  const OpId e = b.op(on(little), compute(0.7));
  b.op(on(little), compute(0.2), {e});
  b.op(on(npu), compute(1.5));
  const RunResult r = b.run(BackendKind::kSimGridWithEnergyPlugin);
  EXPECT_REL(r.makespan, 1.5);
  ASSERT_EQ(r.plugin_cpu_energy.size(), 2u);
  const EnergyBreakdown acc = account_energy(b.g, b.costs, r.t, b.platform, 0.0, r.makespan);
  EXPECT_REL(acc.get("cpu.big"), r.plugin_cpu_energy[0]);
  EXPECT_REL(acc.get("cpu.little"), r.plugin_cpu_energy[1]);
  EXPECT_REL(acc.get("cpu.big"), 2.855);
  EXPECT_REL(acc.get("cpu.little"), 0.465);
}

// Flash energy counts the device's busy time, not each read's lone service time: read x (1 s alone)
// starts at 0, read y (1 s alone) at 0.5 s after a launch delay; they share the device, so x ends
// at 0.5 + 0.5/0.5 = 1.5 s and y at 2 s (device time is conserved: 2 s of work from t = 0). An NPU
// op keeps the window open to 2.5 s. Active 1 W for 2 s + idle 0.1 W for 0.5 s = 2.05 J (the union
// of lone intervals [0, 1] and [0.5, 1.5] would say 1.5 s active).
TEST(engine_test, flash_energy_counts_shared_device_busy_time) {
  Bench b;
  b.platform.has_flash = true;
  b.platform.flash_active_power = 1.0;
  b.platform.flash_idle_power = 0.1;
  const UnitId npu = b.unit("npu", UnitType::kNpu, 1);
  OpCost read, delayed_read;
  read.flash_service_s = delayed_read.flash_service_s = 1.0;
  delayed_read.delay_s = 0.5;
  const OpId x = b.op(Placement{}, read);
  const OpId y = b.op(Placement{}, delayed_read);
  b.op(on(npu), compute(2.5));
  const RunResult r = b.run(BackendKind::kSimGrid);
  EXPECT_REL(r.t[x].end, 1.5);
  EXPECT_REL(r.t[y].end, 2.0);
  EXPECT_REL(r.makespan, 2.5);
  const EnergyBreakdown e = account_energy(b.g, b.costs, r.t, b.platform, 0.0, r.makespan);
  EXPECT_REL(e.get("flash"), 1.0 * 2.0 + 0.1 * 0.5);
  // A window that cuts the busy period [0, 2]: [1, 2.5] has 1 s active, 0.5 s idle.
  EXPECT_REL(account_energy(b.g, b.costs, r.t, b.platform, 1.0, 2.5).get("flash"), 1.0 + 0.05);
}

}  // namespace
}  // namespace socsim::test
