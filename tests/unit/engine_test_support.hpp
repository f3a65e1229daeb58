// Helpers for the engine rule tests (engine_rules_test.cpp, engine_backends_test.cpp): a platform,
// task graph and per-op costs built by hand (no YAML, no cost model), run through Simulation on a
// chosen backend, plus a minimal Policy whose select() can be overridden.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <initializer_list>
#include <string>
#include <vector>

#include "sim/cost/estimator.hpp"
#include "sim/engine/backend.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/policy/policy.hpp"

namespace socsim::test {

inline constexpr double kRel = 1e-9;
#define EXPECT_REL(actual, expected) \
  EXPECT_NEAR(actual, expected, std::abs(expected) * ::socsim::test::kRel)

// The pure virtuals implemented trivially; select() is the default (lowest rank first).
class TestPolicy : public Policy {
 public:
  void visit_params(FieldVisitor&) override {}
  void check(const LowerContext&, Diagnostics&) const override {}
  void lower(const LowerContext&, TaskGraph&) const override {}
  MemoryPlan memory(const LowerContext&, const TaskGraph&) const override { return {}; }
};

// Placement of `cores` cores (or kernel slots) on one unit, or on several units.
inline Placement on(UnitId unit, int cores = 1) {
  Placement p;
  p.count = 1;
  p.unit[0] = unit;
  p.cores[0] = static_cast<uint8_t>(cores);
  return p;
}
inline Placement on(std::initializer_list<std::pair<UnitId, int>> units) {
  Placement p;
  for (auto [u, c] : units) {
    p.unit[p.count] = u;
    p.cores[p.count++] = static_cast<uint8_t>(c);
  }
  return p;
}

struct RunResult {
  std::vector<OpTiming> t;
  std::vector<double> plugin_cpu_energy;
  double makespan = 0;
};

// A hand-built platform and graph. Link bandwidths default to values that never bind.
struct Bench {
  Bench() {
    platform.cpu_bandwidth = 1e15;
    platform.dram_bandwidth = 1e15;
  }
  UnitId unit(std::string name, UnitType type, int cores, double port_bw = 1e15, double idle_w = 0,
              double busy_w = 0) {
    PlatformUnit u;
    u.name = std::move(name);
    u.type = type;
    u.cores = cores;
    u.port_bandwidth = port_bw;
    u.idle_power = idle_w;
    u.busy_power = busy_w;
    u.spec = &specs.emplace_back();  // a deque: the pointers stay valid
    platform.units.push_back(u);
    return static_cast<UnitId>(platform.units.size() - 1);
  }
  OpId op(Placement place, OpCost cost, std::initializer_list<OpId> preds = {}, int64_t rank = 0) {
    Op o;
    o.place = place;
    o.rank = rank;
    costs.push_back(cost);
    const std::vector<OpId> p(preds);
    return g.add(o, {}, p, "op" + std::to_string(g.size()));
  }
  RunResult run(BackendKind kind, const Policy& policy = TestPolicy()) {
    g.build_successors();
    RunResult r;
    {
      auto backend = make_backend(kind);  // destroyed before any next SimGrid backend is created
      backend->build(platform);
      Simulation sim(g, costs, platform, policy, *backend);
      r.t = sim.run();
      r.plugin_cpu_energy = backend->plugin_cpu_energy();
    }
    for (const OpTiming& t : r.t) r.makespan = std::max(r.makespan, t.end);
    return r;
  }

  std::deque<ComputeUnitSpec> specs;
  PlatformSpec platform;
  TaskGraph g;
  std::vector<OpCost> costs;
};

inline OpCost compute(double s, double dram_bytes = 0, double delay_s = 0) {
  OpCost c;
  c.compute_s = s;
  c.dram_bytes = c.actual_bytes = dram_bytes;
  c.delay_s = delay_s;
  return c;
}

inline const char* name_of(BackendKind k) {
  return k == BackendKind::kAnalytic  ? "analytic"
         : k == BackendKind::kSimGrid ? "simgrid"
                                      : "simgrid+energy";
}

// The backends every rule must hold on (one SimGrid engine per call of Bench::run).
inline constexpr BackendKind kBothBackends[] = {BackendKind::kSimGrid, BackendKind::kAnalytic};

}  // namespace socsim::test
