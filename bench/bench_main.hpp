// The main() of socsim's benchmarks: the process's heap is set up as socsim's own main() sets it
// up (sim/graph/huge_page_heap.hpp), so that socsim is timed as its command line runs it, then
// Google Benchmark runs the benchmarks the command line selects.
#pragma once

#include <benchmark/benchmark.h>

#include "sim/graph/huge_page_heap.hpp"

namespace socsim::bench {

// Returns the process's exit status: 1 on an argument Google Benchmark does not know.
inline int run_benchmarks(int argc, char** argv) {
  back_heap_with_huge_pages(kProcessHeapReserve);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace socsim::bench
