// Process-wide SimGrid state between engines; see simgrid_epoch.hpp. The signals and the clock are
// private statics of SimGrid 3.32 (exported from libsimgrid, not reachable through its headers),
// so they are named here by their symbols; tests/simgrid/ checks that a point simulated after
// others gives the same result as in a fresh process.
#include "sim/engine/simgrid_epoch.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

using ExecSignal = simgrid::xbt::signal<void(sg4::Exec const&)>;
using ActivitySignal = simgrid::xbt::signal<void(sg4::Activity const&)>;
using HostSignal = simgrid::xbt::signal<void(sg4::Host const&)>;

// The signals a platform's virtual-machine model connects to (VMModel::VMModel), and the clock.
extern ExecSignal socsim_sg_exec_on_start __asm__("_ZN7simgrid3s4u4Exec8on_startE");
extern ActivitySignal socsim_sg_on_completion __asm__("_ZN7simgrid3s4u8Activity13on_completionE");
extern ActivitySignal socsim_sg_on_resumed __asm__("_ZN7simgrid3s4u8Activity10on_resumedE");
extern ActivitySignal socsim_sg_on_suspended __asm__("_ZN7simgrid3s4u8Activity12on_suspendedE");
extern HostSignal socsim_sg_host_state __asm__("_ZN7simgrid3s4u4Host15on_state_changeE");
extern double socsim_sg_now __asm__("_ZN7simgrid6kernel10EngineImpl4now_E");

namespace socsim {
namespace {

// Handler ids are sequential per signal; connecting and removing a no-op reads the next one.
template <class Signal>
unsigned next_id(Signal& s) {
  const unsigned id = s.connect([](const auto&) {});
  s.disconnect(id);
  return id;
}

template <class Signal>
void disconnect_from(Signal& s, unsigned first) {
  const unsigned end = next_id(s);
  for (unsigned id = first; id < end; ++id) s.disconnect(id);
}

}  // namespace

SimGridEpoch simgrid_epoch_begin() {
  return {{next_id(socsim_sg_exec_on_start), next_id(socsim_sg_on_completion),
           next_id(socsim_sg_on_resumed), next_id(socsim_sg_on_suspended),
           next_id(socsim_sg_host_state)}};
}

void simgrid_epoch_end(const SimGridEpoch& e) {
  disconnect_from(socsim_sg_exec_on_start, e.first_id[0]);
  disconnect_from(socsim_sg_on_completion, e.first_id[1]);
  disconnect_from(socsim_sg_on_resumed, e.first_id[2]);
  disconnect_from(socsim_sg_on_suspended, e.first_id[3]);
  disconnect_from(socsim_sg_host_state, e.first_id[4]);
  socsim_sg_now = 0;
}

void simgrid_epoch_restart() {
  socsim_sg_now = 0;
}

}  // namespace socsim
