// A process that does nothing but simulate one DAG file (raw_dag.hpp) with bare SimGrid 3.32 and
// print its makespan and the wall time of the simulation (engine, platform, run) as JSON: the
// whole-process reference for `socsim run` (process start, dynamic loading of SimGrid, engine
// set-up and the simulation of the same task graph). Usage: raw_dag_process FILE [ptask|exec]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>

#include "bench/raw_dag.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: raw_dag_process FILE [ptask|exec]\n");
    return 2;
  }
  try {
    const socsim::bench::RawDag dag = socsim::bench::read_raw_dag(argv[1]);
    const bool ptask = argc < 3 || std::strcmp(argv[2], "exec") != 0;
    const auto t0 = std::chrono::steady_clock::now();
    const double makespan = socsim::bench::simulate_raw_dag(dag, ptask);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The same two figures socsim's JSON gives as total_s and sim_wall_s.
    std::printf("{\"ops\": %zu, \"total_s\": %.17g, \"sim_wall_s\": %.9g}\n", dag.ops.size(),
                makespan, wall);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "raw_dag_process: %s\n", e.what());
    return 1;
  }
  return 0;
}
