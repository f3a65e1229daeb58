// The heap is put on transparent huge pages: a block allocated after the call, even one above
// glibc's default 128 KiB mapping threshold, comes from the heap's fresh top, which starts one
// page before a huge-page boundary and is marked MADV_HUGEPAGE ("hg" in its VmFlags), and writing
// it fills huge pages; a block allocated before the call is not in such a range.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/graph/huge_page_heap.hpp"
#include "sim/graph/prefault.hpp"

namespace socsim {
namespace {

constexpr uintptr_t kHuge = kHugePageBytes;

struct Mapping {
  std::string flags;       // its VmFlags line ("" when no mapping holds the address)
  long anon_huge_kib = 0;  // its AnonHugePages
};

// The mapping holding `p`, from /proc/self/smaps.
Mapping mapping_of(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  Mapping m;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("AnonHugePages:", 0) == 0) m.anon_huge_kib = std::stol(line.substr(14));
    if (line.rfind("VmFlags:", 0) == 0) m.flags = line;
  }
  return m;
}

std::string thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(in, mode);
  return mode;
}

TEST(HugePageHeap, BlocksAllocatedAfterTheCallFillHugePages) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "no transparent huge pages in this kernel";
  void* earlier = std::malloc(1 << 20);  // above the default threshold: a mapping of its own
  if (!back_heap_with_huge_pages(size_t{64} << 20))
    GTEST_SKIP() << "heap not marked (sanitizer allocator or no THP)";
  constexpr size_t kBlock = 5u << 20;
  auto* block = static_cast<char*>(std::malloc(kBlock));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  const auto at = reinterpret_cast<uintptr_t>(block);
  const Mapping marked = mapping_of(reinterpret_cast<void*>((at + kHuge - 1) & ~(kHuge - 1)));
  const Mapping before = mapping_of(earlier);
  std::free(block);
  std::free(earlier);
  // The fresh top starts in the page before a huge-page boundary.
  EXPECT_GE(at & (kHuge - 1), kHuge - 4096) << std::hex << at;
  EXPECT_NE(marked.flags.find(" hg"), std::string::npos) << marked.flags;
  EXPECT_EQ(before.flags.find(" hg"), std::string::npos) << before.flags;
  // At least the two huge pages the block covers after its first one (the first is whole too
  // on kernels that free emptied page tables).
  if (thp_mode().find("[never]") == std::string::npos) EXPECT_GE(marked.anon_huge_kib, 4096);
}

// A buffer too large for glibc's heap (a mapping of its own) is prefaulted on huge pages: a
// TurboSparse-Mixtral-47B decode has 723k ops, 75 MB of op table alone (104 bytes an op).
TEST(HugePageHeap, ALargePrefaultedReserveLiesOnHugePages) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "no transparent huge pages in this kernel";
  std::vector<double> table;
  reserve_prefaulted(table, (size_t{40} << 20) / sizeof(double));
  const Mapping m = mapping_of(table.data() + (size_t{8} << 20) / sizeof(double));
  EXPECT_NE(m.flags.find(" hg"), std::string::npos) << m.flags;
  if (thp_mode().find("[never]") == std::string::npos) EXPECT_GE(m.anon_huge_kib, 32 << 10);
}

}  // namespace
}  // namespace socsim
