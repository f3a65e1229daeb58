// The heap is marked for transparent huge pages: a block allocated after the call, even one above
// glibc's default 128 KiB mapping threshold, lies in a mapping whose VmFlags carry "hg"
// (MADV_HUGEPAGE) and at the start of a huge page, and a block allocated before the call does not.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/graph/huge_page_heap.hpp"

namespace socsim {
namespace {

// The VmFlags of the mapping holding `p` in /proc/self/smaps ("" when none holds it).
std::string vm_flags_of(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

TEST(HugePageHeap, BlocksAllocatedAfterTheCallLieInAHugePageRange) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "no transparent huge pages in this kernel";
  void* earlier = std::malloc(1 << 20);  // above the default threshold: a mapping of its own
  if (!back_heap_with_huge_pages(size_t{64} << 20))
    GTEST_SKIP() << "heap not marked (sanitizer allocator or no THP)";
  void* large = std::malloc(1 << 20);
  const std::string flags_large = vm_flags_of(large), flags_earlier = vm_flags_of(earlier);
  // The block starts a huge page: nothing of the heap's 4 KiB-page front is handed out fresh.
  const auto offset = reinterpret_cast<uintptr_t>(large) & ((uintptr_t{2} << 20) - 1);
  std::free(large);
  std::free(earlier);
  EXPECT_NE(flags_large.find(" hg"), std::string::npos) << flags_large;
  EXPECT_LT(offset, 4096u);
  EXPECT_EQ(flags_earlier.find(" hg"), std::string::npos) << flags_earlier;
}

}  // namespace
}  // namespace socsim
