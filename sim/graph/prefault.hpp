// Prefaulting memory a computation is about to fill: one madvise(MADV_POPULATE_WRITE) call maps
// every page of a buffer at once instead of one page fault per page as it is first written. On a
// virtual machine a fault costs microseconds (measured on a 2-vCPU Firecracker VM: 9.4 us per 4 KiB
// page faulted one by one, 4.3 us populated in one call), so a task graph's op table (~100 bytes
// per op) is cheaper to populate up front, and on huge pages where the buffer spans them. Only the
// whole pages inside the buffer are touched; kernels without MADV_POPULATE_WRITE (before Linux
// 5.14) or transparent huge pages ignore the calls.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/graph/huge_page_heap.hpp"

namespace socsim {

// Whole huge pages inside the buffer are marked first: glibc gives blocks of 32 MiB and more
// mappings of their own, outside the heap's huge-page range (huge_page_heap.hpp), and filling such
// a block 4 KiB at a time costs about 7 us per page on a VM (the fault and the first write),
// 0.3 us per 4 KiB as huge pages.
inline void prefault(const void* data, size_t bytes) {
  mark_huge_pages(data, bytes);
#ifdef MADV_POPULATE_WRITE
  static const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto at = reinterpret_cast<uintptr_t>(data);
  const auto begin = (at + page - 1) & ~(page - 1), end = (at + bytes) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#endif
}

// Reserves room for `n` elements in `v` and prefaults the room beyond its current size.
template <class T>
void reserve_prefaulted(std::vector<T>& v, size_t n) {
  v.reserve(n);
  prefault(v.data() + v.size(), (v.capacity() - v.size()) * sizeof(T));
}

}  // namespace socsim
