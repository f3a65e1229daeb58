// The SimGrid adapter: the only code that includes SimGrid. It builds the platform as hosts (one
// per compute unit, core count = slots), links (a port per unit, the CPU-complex link, the DRAM
// bus, modelled as hosts) and a one-core "flash" host, under the ptask_L07 model so that every op
// is one parallel task {its units..., the DRAM links it crosses} whose progress is limited by
// max(compute, bytes/bandwidth) with max-min sharing of every link it crosses: DRAM contention is
// simulated, not added up. Activities are created lazily when an op is launched, and completions
// come back through one static callback.
//
// Each op runs in up to three stages: a launch delay (a SimGrid kernel timer: pure time, no
// activity, so delays never contend and cost a heap entry rather than a resource-model action), a
// flash read (an Exec on the flash host, sized so that it takes its service time alone; concurrent
// reads share the device), then its compute and memory work. An op without flash is therefore one
// SimGrid activity.
//
// Under an EngineReuseScope (backend.hpp) a backend hands its engine and platform on to the next
// backend of the same platform instead of destroying them (World below).
//
// SimGrid 3.32 facts relied on (see tests/simgrid/): model options can be set once per process;
// the clock is not reset between engines; static signals survive engines; a started activity
// must stay referenced until it completes; pre-built DAGs are quadratic, lazy launch is not.
#include <simgrid/plugins/energy.h>
#include <xbt/log.h>
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>

#include <fmt/format.h>
#include <cmath>

#include "sim/engine/backend.hpp"
#include "sim/engine/link_model.hpp"
#include "sim/engine/simgrid_epoch.hpp"

namespace sg4 = simgrid::s4u;

namespace socsim {

std::unique_ptr<Backend> make_analytic_backend();

void simgrid_process_setup(bool energy_plugin);

namespace {

constexpr double kSpeed = 1e9;  // flop/s per core of every host: compute is given in seconds

enum Stage : intptr_t { kDelay = 0, kFlash = 1, kWork = 2 };

class SimGridBackend;
SimGridBackend* g_current = nullptr;  // the backend whose engine is running (one at a time)
bool g_configured = false;            // callbacks registered (process-wide in SimGrid 3.32)
bool g_options_set = false;           // model options set (once per process in SimGrid 3.32)
bool g_energy_plugin = false;

// An engine with its platform. A backend owns one while it lives; under an EngineReuseScope it
// hands it on (parks it) for the next backend of the same platform, which saves the engine's
// start-up, the platform's construction and the engine's teardown, which took 6.5% of a worker's
// CPU in the design-space sweep.
struct World {
  std::unique_ptr<sg4::Engine> engine;
  SimGridEpoch epoch;
  std::string platform_key;  // what build() reads from the platform
  std::unique_ptr<LinkLayout> links;
  sg4::Host* storage = nullptr;
  std::vector<sg4::Host*> hosts;
  std::vector<sg4::Host*> cpu_hosts;
  std::vector<sg4::Host*> link_hosts;

  explicit World(bool energy_plugin) {
    // The first engine's epoch starts after the process-wide options and callbacks, which stay.
    const bool first = !g_configured;
    if (!first) epoch = simgrid_epoch_begin();
    engine = std::make_unique<sg4::Engine>("socsim");
    // The host-energy plugin costs ~30% of simulation speed; only the accountant's cross-check
    // needs it, and like every model option it can be chosen once per process (a second
    // set_config after a platform was built aborts, so options are set in one guarded place).
    simgrid_process_setup(energy_plugin);
    if (!g_configured) {
      sg4::Activity::on_completion_cb([](sg4::Activity const& a) { on_completion(a); });
      sg4::Engine::on_time_advance_cb([](double) { on_time_advance(); });
      g_configured = true;
    }
    if (first) epoch = simgrid_epoch_begin();
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World() {
    engine.reset();
    simgrid_epoch_end(epoch);  // the next engine starts as in a fresh process (simgrid_epoch.hpp)
  }
  static void on_completion(sg4::Activity const& a);
  static void on_time_advance();
};

int g_reuse_scopes = 0;
World* g_parked = nullptr;  // never freed at exit: SimGrid's statics may be gone by then

void drop_parked_world() {
  delete g_parked;
  g_parked = nullptr;
}

// The platform's fields that build() turns into hosts and speeds. Powers are absent: they only
// feed the energy plugin, and an engine with the plugin is never handed on.
std::string platform_key(const PlatformSpec& p) {
  std::string key = fmt::format("{}|{}|{}", p.units.size(), p.cpu_bandwidth, p.dram_bandwidth);
  for (const PlatformUnit& u : p.units)
    key += fmt::format("|{}:{}:{}:{}", u.name, static_cast<int>(u.type), u.cores, u.port_bandwidth);
  return key;
}

class SimGridBackend final : public Backend {
 public:
  explicit SimGridBackend(bool energy_plugin) : energy_plugin_(energy_plugin) {}

  ~SimGridBackend() override {
    graveyard_.clear();
    slots_.clear();
    if (g_current == this) g_current = nullptr;
    if (!world_) return;
    if (g_reuse_scopes > 0 && !g_energy_plugin && idle_) {
      drop_parked_world();
      g_parked = world_.release();
    }
    world_.reset();
  }

  void build(const PlatformSpec& p) override {
    std::string key = platform_key(p);
    if (g_parked && g_parked->platform_key == key && !g_energy_plugin && !energy_plugin_) {
      world_.reset(g_parked);
      g_parked = nullptr;
      simgrid_epoch_restart();  // the parked engine's last run left its clock at its end
    } else {
      drop_parked_world();  // one engine at a time
      world_ = std::make_unique<World>(energy_plugin_);
      build_world(p, std::move(key));
    }
    t0_ = sg4::Engine::get_clock();
    idle_ = true;
    g_current = this;
  }

  void launch(const LaunchDesc& d) override {
    // An in-flight op takes a slot (reused once it completes), so the adapter's memory follows
    // the ops in flight, not the graph's size.
    uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    slots_[slot].desc = d;
    idle_ = false;
    if (d.delay_s > 0)
      simgrid::kernel::timer::Timer::set(sg4::Engine::get_clock() + d.delay_s,
                                         [this, slot] { next_stage(slot, kDelay); });
    else
      next_stage(slot, kDelay);
  }

  void run(CompletionSink& sink) override {
    sink_ = &sink;
    g_current = this;
    world_->engine->run();
    sink_ = nullptr;
    idle_ = true;  // nothing left in the engine: it can be handed on
  }

  double now() const override { return sg4::Engine::get_clock() - t0_; }

  std::vector<double> plugin_cpu_energy() const override {
    std::vector<double> e;
    if (!g_energy_plugin) return e;
    for (const sg4::Host* h : world_->cpu_hosts) e.push_back(sg_host_get_consumed_energy(h));
    return e;
  }

  std::vector<sg4::ActivityPtr> graveyard_;
  void completed(sg4::Activity const& a);

 private:
  void build_world(const PlatformSpec& p, std::string key) {
    World& w = *world_;
    w.platform_key = std::move(key);
    w.links = std::make_unique<LinkLayout>(p);
    auto* zone = sg4::create_full_zone("soc");
    // The UFS device is a one-core host: concurrent reads share its service rate fairly, as a
    // disk's would. (A SimGrid Io would do the same, but in 3.32 finished Ios stay in maestro's
    // activity list, making every later completion scan them: quadratic in the number of reads.)
    w.storage = zone->create_host("flash", kSpeed);
    w.storage->seal();
    for (const PlatformUnit& u : p.units) {
      auto* h = zone->create_host(u.name, kSpeed);
      h->set_core_count(u.cores);
      const double idle = u.idle_power * u.cores, busy = u.busy_power * u.cores;
      h->set_property("wattage_per_state", fmt::format("{}:{}:{}", idle, idle, busy));
      h->set_property("wattage_off", "0");
      h->seal();
      w.hosts.push_back(h);
    }
    // DRAM paths are hosts whose speed is the link's bandwidth: a ptask entry on such a host with
    // an amount of bytes is limited and max-min shared exactly like a link, without the route
    // look-ups that communication entries cost on every launch.
    for (size_t l = 0; l < w.links->count(); ++l) {
      std::string name = l < p.units.size()         ? "port." + p.units[l].name
                         : l == w.links->cpu_link() ? "cpu_bus"
                                                    : "dram_bus";
      auto* h = zone->create_host(name, w.links->bandwidth(l));
      h->seal();
      w.link_hosts.push_back(h);
    }
    zone->seal();
    for (size_t u = 0; u < p.units.size(); ++u)
      if (p.units[u].type == UnitType::kCpuCluster) w.cpu_hosts.push_back(w.hosts[u]);
  }

  static bool has_work(const LaunchDesc& d) {
    return d.place.count > 0 && (d.compute_s > 0 || d.dram_bytes > 0);
  }

  // Starts the first stage after `done` that has something to do, or completes the op (and frees
  // its slot first: the completion may launch other ops into it).
  void next_stage(uint32_t slot, Stage done) {
    const LaunchDesc& d = slots_[slot].desc;
    if (done < kFlash && d.flash_service_s > 0) return start(slot, kFlash);
    if (done < kWork && has_work(d)) return start(slot, kWork);
    const OpId op = d.op;
    free_slots_.push_back(slot);
    sink_->on_complete(op, now());
  }

  void start(uint32_t slot, Stage stage) {
    const LaunchDesc& d = slots_[slot].desc;
    sg4::ActivityPtr act;
    if (stage == kFlash) {
      auto ex = sg4::Exec::init();
      ex->set_flops_amount(d.flash_service_s * kSpeed);
      ex->set_host(world_->storage);
      act = ex;
    } else {
      act = work(d);
    }
    act->set_data(reinterpret_cast<void*>((static_cast<intptr_t>(slot) << 2) | stage));
    act->start();
    slots_[slot].activity = std::move(act);
  }

  // One ptask entry per unit of the placement and one per DRAM link it crosses. Under L07 an entry
  // on a multi-core host progresses at most at one core's speed, so an op holding k cores is one
  // entry whose amount is its compute time at one core's speed: alone it takes compute_s, and the
  // slots guarantee that at most `cores` entries share a host, so ops on different cores never
  // slow each other down. Link entries carry the bytes the op puts on each link (link_model.hpp);
  // the entry's rate is the ptask's, so progress is max(compute, bytes/bandwidth) under sharing.
  sg4::ExecPtr work(const LaunchDesc& d) {
    hosts_buf_.clear();
    amounts_buf_.clear();
    for (uint8_t i = 0; i < d.place.count; ++i) {
      hosts_buf_.push_back(world_->hosts[d.place.unit[i]]);
      amounts_buf_.push_back(d.compute_s * kSpeed);
    }
    bytes_per_link(*world_->links, d, link_bytes_);
    for (size_t l = 0; l < link_bytes_.size(); ++l)
      if (link_bytes_[l] > 0) {
        hosts_buf_.push_back(world_->link_hosts[l]);
        amounts_buf_.push_back(link_bytes_[l]);
      }
    auto ex = sg4::Exec::init();
    ex->set_hosts(hosts_buf_);
    ex->set_flops_amounts(amounts_buf_);
    return ex;
  }

  struct Slot {
    LaunchDesc desc;
    sg4::ActivityPtr activity;  // kept alive until it completes (SimGrid 3.32 requires it)
  };

  bool energy_plugin_;
  std::unique_ptr<World> world_;
  bool idle_ = true;  // no activity or timer of this backend is pending in the engine
  double t0_ = 0;
  std::vector<sg4::Host*> hosts_buf_;
  std::vector<double> amounts_buf_, link_bytes_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  CompletionSink* sink_ = nullptr;
};

void SimGridBackend::completed(sg4::Activity const& a) {
  const auto tag = reinterpret_cast<intptr_t>(a.get_data<void>());
  const auto slot = static_cast<uint32_t>(tag >> 2);
  const auto stage = static_cast<Stage>(tag & 3);
  if (a.get_state() != sg4::Activity::State::FINISHED)
    throw std::logic_error(fmt::format("SimGrid activity of op {} ended in state {}",
                                       slots_[slot].desc.op, a.get_state_str()));
  graveyard_.push_back(std::move(slots_[slot].activity));
  next_stage(slot, stage);
}

void World::on_completion(sg4::Activity const& a) {
  if (g_current) g_current->completed(a);
}

void World::on_time_advance() {
  if (g_current) g_current->graveyard_.clear();
}

}  // namespace

void simgrid_process_setup(bool energy_plugin) {
  if (g_options_set) return;
  xbt_log_control_set("root.thres:critical");
  sg4::Engine::set_config("host/model:ptask_L07");
  sg4::Engine::set_config("surf/precision:1e-13");
  if (energy_plugin) sg_host_energy_plugin_init();
  g_energy_plugin = energy_plugin;
  g_options_set = true;
}

EngineReuseScope::EngineReuseScope() {
  ++g_reuse_scopes;
}

EngineReuseScope::~EngineReuseScope() {
  if (--g_reuse_scopes == 0) drop_parked_world();
}

std::unique_ptr<Backend> make_backend(BackendKind kind) {
  if (kind == BackendKind::kAnalytic) return make_analytic_backend();
  return std::make_unique<SimGridBackend>(kind == BackendKind::kSimGridWithEnergyPlugin);
}

}  // namespace socsim
