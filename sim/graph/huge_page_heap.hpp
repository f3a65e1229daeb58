// Backing the process's heap with transparent huge pages, for short processes that fill fresh
// memory: one `socsim run` per design point, and the sweep workers forked from one. On a virtual
// machine the first write to a fresh 4 KiB page costs microseconds even after the page was mapped
// (measured on a 2-vCPU Firecracker VM: filling 452 KiB, a 7B design point's op table, took
// 1.4 ms on fresh 4 KiB pages, 0.7 ms after MADV_POPULATE_WRITE, 0.16 ms on a fresh 2 MiB page),
// and a design point writes a few hundred fresh pages between lowering and metrics.
//
// Linux's default transparent-huge-page mode ("madvise") gives huge pages only to memory marked
// MADV_HUGEPAGE, and glibc's heap is not marked. back_heap_with_huge_pages() makes glibc grow the
// heap in one step of `reserve` bytes of address space (RSS grows only as pages are written),
// keeps blocks under 32 MiB in that heap rather than in mappings of their own, and marks the
// reserved range MADV_HUGEPAGE. Call it first thing in main(), single-threaded. It changes no
// result, only where blocks live. It does nothing under sanitizers (their allocators replace
// glibc's) and returns false when no range could be marked (no THP, or the heap did not grow).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace socsim {

inline constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;

// Marks the whole huge pages inside [data, data + bytes) MADV_HUGEPAGE; false if the kernel
// refused (or has no transparent huge pages). Pages already written stay as they are.
inline bool mark_huge_pages(const void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  const auto at = reinterpret_cast<uintptr_t>(data);
  const uintptr_t begin = (at + kHugePageBytes - 1) & ~(kHugePageBytes - 1),
                  end = (at + bytes) & ~(kHugePageBytes - 1);
  return end > begin && madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
#else
  (void)data, (void)bytes;
  return false;
#endif
}

bool back_heap_with_huge_pages(size_t reserve);

// What socsim's main() reserves: more than a 47B sparse decode's whole peak RSS (228-234 MB
// measured, 37 MB of it before the simulation starts).
inline constexpr size_t kProcessHeapReserve = size_t{256} << 20;

}  // namespace socsim
