// The SimGrid 3.32 behaviours the SimGrid backend (sim/engine/simgrid_backend.cpp) relies on, each
// checked against a hand-computed value, written directly against s4u with the backend's own
// process-wide set-up (host/model:ptask_L07, surf/precision 1e-13). A SimGrid upgrade that changes
// one of these semantics fails here first. Model options and the energy plugin can be set only
// once per process: ctest runs every TEST in its own process (gtest_discover_tests).
#include <gtest/gtest.h>
#include <simgrid/plugins/energy.h>
#include <xbt/log.h>
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/engine/backend.hpp"

namespace sg4 = simgrid::s4u;

namespace {

constexpr double kRel = 1e-9;
#define EXPECT_REL(actual, expected) EXPECT_NEAR(actual, expected, std::abs(expected) * kRel)

// One engine with a full zone; hosts are added before seal(). Times are relative to the clock at
// creation, as the backend reports them. Declare activities after the World so that they are
// released before the engine.
struct World {
  explicit World(bool energy_plugin = false) {
    engine = std::make_unique<sg4::Engine>("simgrid_behaviour_test");
    static bool configured = false;  // like the backend: options once per process
    if (!configured) {
      if (energy_plugin) sg_host_energy_plugin_init();
      xbt_log_control_set("root.thres:critical");
      sg4::Engine::set_config("host/model:ptask_L07");
      sg4::Engine::set_config("surf/precision:1e-13");
      configured = true;
    }
    t0 = sg4::Engine::get_clock();
    zone = sg4::create_full_zone("soc");
  }
  sg4::Host* host(const std::string& name, double speed, int cores = 1,
                  const char* watts = nullptr) {
    sg4::Host* h = zone->create_host(name, speed);
    h->set_core_count(cores);
    if (watts) h->set_property("wattage_per_state", watts);
    return h;
  }
  // A ptask with one entry per host, as the backend builds every op's work.
  static sg4::ExecPtr ptask(const std::vector<sg4::Host*>& hosts,
                            const std::vector<double>& amounts) {
    auto ex = sg4::Exec::init();
    ex->set_hosts(hosts);
    ex->set_flops_amounts(amounts);
    ex->start();
    return ex;
  }
  // Seals the hosts (the energy plugin reads their properties then) and the zone.
  void seal(std::initializer_list<sg4::Host*> hosts) {
    for (sg4::Host* h : hosts) h->seal();
    zone->seal();
  }
  void run() { engine->run(); }
  double end(const sg4::ActivityPtr& a) const { return a->get_finish_time() - t0; }

  std::unique_ptr<sg4::Engine> engine;
  sg4::NetZone* zone = nullptr;
  double t0 = 0;
};

// Under ptask_L07 one entry progresses at most at one core's speed; a host's cores are shared
// max-min among its entries (slots keep the backend at <= cores entries per host).
TEST(simgrid_behaviour, ptask_entry_runs_at_most_at_one_core_speed) {
  for (int n : {1, 4, 5}) {
    World w;
    sg4::Host* cpu = w.host("cpu", 1e9, 4);
    w.seal({cpu});
    std::vector<sg4::ExecPtr> ex;
    for (int i = 0; i < n; ++i) ex.push_back(World::ptask({cpu}, {1e9}));
    w.run();
    // n <= 4: one core each, 1 s; n = 5: 4e9 flop/s shared by 5 -> 0.8e9 each -> 1.25 s.
    const double expected = n <= 4 ? 1.0 : 1e9 / (4e9 / 5);
    for (const auto& e : ex) EXPECT_REL(w.end(e), expected) << n << " entries";
    ex.clear();
  }
}

// The roofline: a ptask {cpu: 1e9 flops at 1e9, link host: 2e9 bytes at 1e9 B/s} takes
// max(1 s, 2 s) = 2 s, i.e. compute and memory progress together, they do not add up.
TEST(simgrid_behaviour, ptask_progress_is_roofline_of_its_entries) {
  World w;
  sg4::Host* cpu = w.host("cpu", 1e9);
  sg4::Host* link = w.host("port", 1e9);
  w.seal({cpu, link});
  auto ex = World::ptask({cpu, link}, {1e9, 2e9});
  w.run();
  EXPECT_REL(w.end(ex), 2.0);
}

// Two ptasks on distinct hosts crossing one link host: each alone takes 1 s (1e9 B at 1e9 B/s),
// together the link is shared max-min: 0.5e9 B/s each -> both end at 2 s.
TEST(simgrid_behaviour, link_host_is_shared_max_min) {
  World w;
  sg4::Host* a = w.host("a", 1e9);
  sg4::Host* b = w.host("b", 1e9);
  sg4::Host* bus = w.host("bus", 1e9);
  w.seal({a, b, bus});
  auto x = World::ptask({a, bus}, {1e6, 1e9});
  auto y = World::ptask({b, bus}, {1e6, 1e9});
  w.run();
  EXPECT_REL(w.end(x), 2.0);
  EXPECT_REL(w.end(y), 2.0);
}

// The share is fair in bytes/s, not in ptask progress (L07 uses the bottleneck solver): 1 GB and
// 3 GB on a 1 GB/s link get 0.5 GB/s each; the first ends at 2 s, the second then has 2 GB left
// at 1 GB/s and ends at 4 s. (Fair in progress would end both at 4 s.)
TEST(simgrid_behaviour, link_host_share_is_fair_in_bytes) {
  World w;
  sg4::Host* a = w.host("a", 1e9);
  sg4::Host* b = w.host("b", 1e9);
  sg4::Host* bus = w.host("bus", 1e9);
  w.seal({a, b, bus});
  auto x = World::ptask({a, bus}, {1e6, 1e9});
  auto y = World::ptask({b, bus}, {1e6, 3e9});
  w.run();
  EXPECT_REL(w.end(x), 2.0);
  EXPECT_REL(w.end(y), 4.0);
}

// An Io of N bytes on a disk of read bandwidth B takes N/B; two concurrent Ios share it. The
// backend sizes flash reads as service_s * 1e12 B on a 1e12 B/s disk.
TEST(simgrid_behaviour, disk_io_takes_size_over_bandwidth_and_is_shared) {
  World w;
  sg4::Host* storage = w.host("storage", 1e9);
  sg4::Disk* disk = storage->create_disk("flash", 1e12, 1e12);
  w.seal({storage});
  auto lone = disk->io_init(250'000'000'000, sg4::Io::OpType::READ);  // 0.25 s
  lone->start();
  w.run();
  EXPECT_REL(w.end(lone), 0.25);
  auto a = disk->io_init(500'000'000'000, sg4::Io::OpType::READ);  // 0.5 s alone
  auto b = disk->io_init(500'000'000'000, sg4::Io::OpType::READ);
  a->start();
  b->start();
  w.run();
  EXPECT_REL(w.end(a), 0.25 + 1.0);  // 1e12 B at 1e12 B/s together
  EXPECT_REL(w.end(b), 0.25 + 1.0);
}

// Launch delays are kernel timers: with nothing else to simulate the engine advances to each
// timer's date, runs its callback there, and an activity the callback starts begins at that date
// (timer i at (i+1) ms starts 1 ms of work alone on its core: done at (i+2) ms).
TEST(simgrid_behaviour, kernel_timers_fire_at_their_date_and_may_start_activities) {
  World w;
  sg4::Host* cpu = w.host("cpu", 1e9, 100);
  w.seal({cpu});
  std::vector<sg4::ExecPtr> work(100);
  std::vector<double> fired(100, -1);
  for (int i = 0; i < 100; ++i)
    simgrid::kernel::timer::Timer::set(sg4::Engine::get_clock() + 1e-3 * (i + 1), [&, i] {
      fired[static_cast<size_t>(i)] = sg4::Engine::get_clock() - w.t0;
      auto ex = sg4::Exec::init();
      ex->set_flops_amount(1e-3 * 1e9);
      ex->set_host(cpu);
      ex->start();
      work[static_cast<size_t>(i)] = ex;
    });
  w.run();
  for (int i = 0; i < 100; ++i) {
    EXPECT_REL(fired[static_cast<size_t>(i)], 1e-3 * (i + 1));
    ASSERT_TRUE(work[static_cast<size_t>(i)]);
    EXPECT_REL(w.end(work[static_cast<size_t>(i)]), 1e-3 * (i + 2));
  }
}

// Host-energy plugin, "Idle:Epsilon:AllCores" = "1:1:5" on a 4-core host: 2 of 4 cores busy
// for 1 s is load 0.5 -> 1 + 0.5 * (5 - 1) = 3 J; then 1 s idle adds 1 J. Load-linear per core,
// which is the socsim accountant's model.
TEST(simgrid_behaviour, host_energy_is_load_linear_per_core) {
  World w(/*energy_plugin=*/true);
  sg4::Host* cpu = w.host("cpu", 1e9, 4, "1:1:5");
  sg4::Host* idle = w.host("idle", 1e9, 1);  // ends the run 1 s later, the cpu idle
  w.seal({cpu, idle});
  auto a = World::ptask({cpu}, {1e9});
  auto b = World::ptask({cpu}, {1e9});
  auto c = World::ptask({idle}, {2e9});
  w.run();
  EXPECT_REL(w.end(c), 2.0);
  EXPECT_REL(sg_host_get_consumed_energy(cpu), 3.0 + 1.0);
}

// The clock is static: a second engine created after the first one is destroyed starts where the
// first stopped. The backend therefore subtracts the clock at its creation (t0).
TEST(simgrid_behaviour, clock_is_not_reset_between_engines) {
  double first_end = 0;
  {
    World w;
    sg4::Host* h = w.host("h", 1e9);
    w.seal({h});
    auto ex = World::ptask({h}, {1.5e9});
    w.run();
    first_end = ex->get_finish_time();
    EXPECT_REL(first_end - w.t0, 1.5);
  }
  World w;
  EXPECT_REL(w.t0, first_end);
  sg4::Host* h = w.host("h", 1e9);
  w.seal({h});
  auto ex = World::ptask({h}, {1e9});
  w.run();
  EXPECT_REL(ex->get_finish_time(), first_end + 1.0);  // absolute
  EXPECT_REL(w.end(ex), 1.0);                          // relative, as the backend reports
}

// Setting a model option again once a platform exists aborts ("Cannot change the model after the
// initialization"), so socsim sets them in one guarded place: a raw engine set up through
// simgrid_process_setup (as the benchmarks do), then a SimGridBackend in the same process.
TEST(simgrid_behaviour, options_are_set_once_for_raw_engines_and_the_backend) {
  {
    sg4::Engine e("raw");
    socsim::simgrid_process_setup(false);
    sg4::NetZone* zone = sg4::create_full_zone("raw");
    sg4::Host* h = zone->create_host("h", 1e9);
    h->seal();
    zone->seal();
    auto ex = World::ptask({h}, {1e9});
    e.run();
    EXPECT_REL(ex->get_finish_time(), 1.0);
  }
  auto backend = socsim::make_backend(socsim::BackendKind::kSimGrid);
  socsim::PlatformSpec p;
  p.cpu_bandwidth = p.dram_bandwidth = 1e9;
  backend->build(p);
  EXPECT_EQ(backend->now(), 0.0);  // relative to its own start, although the clock is at 1 s
}

}  // namespace
