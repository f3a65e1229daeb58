// How fast each hardware thread of this machine computes alone and with the others busy, timed
// without llama.cpp: a plain integer loop (eight independent multiply-add chains, no memory
// traffic) on one thread, then on N threads started together, in many short runs. On a virtual
// machine a vCPU's speed moves between states (on a Zen 5 VM with 2 vCPUs: about 1.5x apart,
// switching within seconds), and threads that meet at a barrier after every op, as llama.cpp's
// do, go at the slowest one's pace. The slowest of N threads against one thread alone is the
// independent evidence behind the engine profile's `thread_scaling`, which the llama.cpp
// microbenchmarks fit.
#pragma once

#include <string>
#include <vector>

namespace socsim::calibrate {

struct ThreadSpeed {
  int threads = 2;
  // Loop iterations per second, one entry per run: one thread alone, and the slowest of `threads`
  // threads at once.
  std::vector<double> alone, slowest;
  double alone_median() const;
  double slowest_median() const;
  // "one thread alone: 1.23 G/s median (p10-p90 ...); slowest of 2 threads: ... (0.71x)".
  std::string summary() const;
};

// `runs` runs of `seconds` each per configuration, alternating one thread and all threads so
// that both see the same drift.
ThreadSpeed bench_thread_speed(int threads, int runs = 20, double seconds = 0.05);

}  // namespace socsim::calibrate
