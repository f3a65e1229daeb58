// Timing in a forked child, shared by the benchmarks: SimGrid 3.32 leaves static handlers and its
// clock behind every engine, slowing each later engine of a process, so each timed iteration runs
// in a fresh child (as `socsim reproduce` runs each design point, sim/driver/isolated.hpp) and
// reports its wall time to the parent.
#pragma once

#include <malloc.h>

#include <chrono>
#include <functional>

#include "sim/driver/isolated.hpp"

namespace socsim::bench {

// Runs fn in a forked child and returns the wall seconds it measured around fn.
inline double time_in_child(const std::function<void()>& fn) {
  malloc_trim(0);  // freed parent memory goes back to the OS: the child starts like a fresh process
  return run_isolated([&] {
           const auto t0 = std::chrono::steady_clock::now();
           fn();
           return std::vector<double>{
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
         })
      .at(0);
}

}  // namespace socsim::bench
