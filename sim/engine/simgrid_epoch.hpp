// Giving each SimGrid engine of a process the state of a fresh process. SimGrid 3.32 keeps state
// in process-wide statics that outlive an Engine: the simulated clock (never reset) and the signal
// handlers that every platform's models connect and never disconnect (five per engine, run on
// every activity start and completion). A process that simulates one design point after another
// therefore drifts: the clock offset changes the last digits of every time, and each point runs
// slower than the one before (21 ms instead of 1.5 ms per point after 1,000 points). An epoch
// brackets one engine's life: begin notes the next handler id of each of those signals, end (once
// the engine is destroyed) disconnects every handler connected since and sets the clock back to 0,
// so the next engine starts exactly where a fresh process would. Only the SimGrid adapter calls it.
#pragma once

#include <array>

namespace socsim {

struct SimGridEpoch {
  std::array<unsigned, 5> first_id{};  // per signal: the id the next connected handler receives
};

SimGridEpoch simgrid_epoch_begin();
// Call only when no Engine exists.
void simgrid_epoch_end(const SimGridEpoch& epoch);
// Sets the clock back to 0 for another run of the live engine, which must have nothing left to
// run (no activity, no timer): its platform and handlers stay as they are.
void simgrid_epoch_restart();

}  // namespace socsim
