// The interface between the simulation core (dependency counting, slots, policy order, energy) and
// a time-advance backend. Two implementations: SimGridBackend (simgrid_backend.cpp; the only code
// that includes SimGrid: max-min sharing of the DRAM links and the flash device) and
// AnalyticBackend (contention-free closed form, for cross-checks). Both must give identical times
// for a graph in which no two ops overlap.
//
// Contract: the core calls build() once, then launch() for ready ops, then run(). run() returns
// when no activity is left; during it the backend calls sink.on_complete(op, t) at each completion,
// and the sink may call launch() from inside that callback (lazy launch).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/engine/platform.hpp"
#include "sim/graph/task_graph.hpp"

namespace socsim {

// What one op asks of the platform. Times are those of the op running alone.
struct LaunchDesc {
  OpId op = 0;
  Placement place;             // units and cores; empty for pure-time and flash-only ops
  double delay_s = 0;          // fixed time before the work starts (launch overhead, graph build)
  double compute_s = 0;        // compute time on its placement at the achieved efficiency
  double dram_bytes = 0;       // effective DRAM bytes (actual bytes / memory efficiency)
  double flash_service_s = 0;  // flash device time when alone (size- and pattern-dependent)
};

class CompletionSink {
 public:
  virtual ~CompletionSink() = default;
  virtual void on_complete(OpId op, double now) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual void build(const PlatformSpec& platform) = 0;
  virtual void launch(const LaunchDesc& desc) = 0;
  virtual void run(CompletionSink& sink) = 0;
  virtual double now() const = 0;  // seconds since this simulation began
  // Energy of each CPU cluster as SimGrid's host-energy plugin measured it (J), when available;
  // used to cross-check the simulator's own accountant. Empty when the backend has no plugin.
  virtual std::vector<double> plugin_cpu_energy() const { return {}; }
};

// kSimGridWithEnergyPlugin also turns on SimGrid's host-energy plugin (for cross-checks; ~30%
// slower; the first SimGrid backend of a process decides for the whole process).
enum class BackendKind { kSimGrid, kAnalytic, kSimGridWithEnergyPlugin };
// Factory; the SimGrid backend lives in its own library and registers itself here.
std::unique_ptr<Backend> make_backend(BackendKind kind);
// While a scope lives, a SimGrid backend that ends with nothing left to run hands its engine and
// platform on to the next backend of this process whose platform has the same units, cores and
// bandwidths (the next point of a sweep on the same phone), instead of tearing them down and
// building them again. The engine's clock is set back to 0 in between, so a run gives the same
// bits as in a fresh process (tests/unit/sweep_test.cpp). Engines with the energy plugin are
// never handed on. Scopes nest; when the last one ends, a parked engine is destroyed.
class EngineReuseScope {
 public:
  EngineReuseScope();
  ~EngineReuseScope();
  EngineReuseScope(const EngineReuseScope&) = delete;
  EngineReuseScope& operator=(const EngineReuseScope&) = delete;
};

// Sets SimGrid's process-wide model options (ptask_L07, precision, optionally the energy plugin)
// once; later calls do nothing. Must run after an Engine exists and before a platform is built.
void simgrid_process_setup(bool energy_plugin);

}  // namespace socsim
