// Runs a computation in a forked child process and returns its result. SimGrid 3.32 keeps
// process-wide state across engines (its clock is never reset; static signals pile up); the
// SimGrid adapter undoes the known parts after each engine (sim/engine/simgrid_epoch.hpp), and a
// child process undoes the rest, including a crash or a leak of the computation. Running each
// design point of an experiment or a check in its own child makes every result independent of
// order and of how many points ran before it: bit-identical to a fresh `socsim run`.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace socsim {

// Calls fn in a child process and returns the values it produced. An InputError (or any other
// exception) thrown by fn is rethrown in the parent with the same message (as InputError when it
// was one, std::runtime_error otherwise).
std::vector<double> run_isolated(const std::function<std::vector<double>()>& fn);

// Same, for a computation whose result is any byte string (e.g. serialised JSON).
std::string run_isolated_bytes(const std::function<std::string()>& fn);

}  // namespace socsim
