// socsim command-line entry point; the command line itself is sim/cli/cli_app.hpp.
//
// Once the command has returned, every file it wrote is closed and only the standard streams
// may hold buffered output. The process then flushes them and ends without running the static
// destructors of the libraries it loaded (SimGrid's and ns-3's registries): about 2.5 ms of a
// 60 ms `socsim run` on a 2-vCPU machine, paid by every user who runs one process per design
// point (bench/design_point_bench.cpp, Process rows). Sanitizer builds end normally, so that the
// leak checker still runs at exit.
//
// Before anything else the heap is put on transparent huge pages (sim/graph/huge_page_heap.hpp):
// a design point writes a few hundred fresh pages, each costing microseconds on a virtual machine.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "sim/cli/cli_app.hpp"
#include "sim/graph/huge_page_heap.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SOCSIM_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SOCSIM_SANITIZED 1
#endif

int main(int argc, char** argv) {
  socsim::back_heap_with_huge_pages(socsim::kProcessHeapReserve);
  const int exit_code = socsim::cli::run_cli(argc, argv);
#ifdef SOCSIM_SANITIZED
  return exit_code;
#else
  std::cout.flush();
  std::cerr.flush();
  // A failed flush (a full disk, a closed pipe) is a lost result: say so in the exit status.
  if (std::fflush(nullptr) != 0 || !std::cout) _exit(exit_code != 0 ? exit_code : 1);
  _exit(exit_code);
#endif
}
