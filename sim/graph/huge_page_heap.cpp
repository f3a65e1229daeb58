// Huge pages under glibc's heap; see huge_page_heap.hpp.
#include "sim/graph/huge_page_heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define SOCSIM_FOREIGN_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOCSIM_FOREIGN_MALLOC 1
#endif

namespace socsim {

bool back_heap_with_huge_pages(size_t reserve) {
#if defined(SOCSIM_FOREIGN_MALLOC) || !defined(MADV_HUGEPAGE) || !defined(__GLIBC__)
  (void)reserve;
  return false;
#else
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  constexpr int kLargestHeapBlock = 32 << 20;  // glibc's ceiling for M_MMAP_THRESHOLD on 64-bit
  const int pad = static_cast<int>(reserve < (size_t{1} << 30) ? reserve : (size_t{1} << 30));
  // Every growth of the heap adds `pad` bytes, and freeing never shrinks it below them, so the
  // marked range stays the heap's (a range given back and grown again would come back unmarked).
  if (mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock) != 1 || mallopt(M_TOP_PAD, pad) != 1 ||
      mallopt(M_TRIM_THRESHOLD, 2 * pad) != 1)
    return false;
  // Move the break to the next huge-page boundary first: glibc takes the moved break as a foreign
  // sbrk and starts its next growth there, so that every fresh block from then on lies in whole
  // huge pages (otherwise the bytes up to the boundary, as much as a design point's whole
  // footprint, would be served from 4 KiB pages first).
  const auto before = reinterpret_cast<uintptr_t>(sbrk(0));
  const uintptr_t begin = (before + kHuge - 1) & ~(kHuge - 1);
  if (begin > before && sbrk(static_cast<intptr_t>(begin - before)) == reinterpret_cast<void*>(-1))
    return false;
  void* grow = std::malloc(kHuge);  // more than the heap has free at its top: it grows by the pad
  const auto after = reinterpret_cast<uintptr_t>(sbrk(0));
  std::free(grow);
  const uintptr_t end = after & ~(kHuge - 1);
  if (grow == nullptr || end <= begin) return false;
  return madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
#endif
}

}  // namespace socsim
