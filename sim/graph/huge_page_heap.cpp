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
  constexpr uintptr_t kHuge = kHugePageBytes;
  constexpr int kLargestHeapBlock = 32 << 20;  // glibc's ceiling for M_MMAP_THRESHOLD on 64-bit
  // At most 512 MiB, so that twice the pad fits mallopt's int.
  const int pad = static_cast<int>(reserve < (size_t{1} << 29) ? reserve : (size_t{1} << 29));
  // Every growth of the heap adds `pad` bytes, and freeing gives memory back only above `pad`
  // bytes of free top, so the marked range stays the heap's (a range given back and grown again
  // would come back unmarked). These settings stay even when no range can be marked.
  if (mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock) != 1 || mallopt(M_TOP_PAD, pad) != 1 ||
      mallopt(M_TRIM_THRESHOLD, 2 * pad) != 1)
    return false;
  // Move the break to one page before a huge-page boundary first: glibc takes the moved break as a
  // foreign sbrk and starts its next growth there, with its top chunk's header in that page, so
  // that every fresh block from then on lies in whole huge pages.
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto before = reinterpret_cast<uintptr_t>(sbrk(0));
  const uintptr_t begin = (before + page + kHuge - 1) & ~(kHuge - 1), lead = begin - page;
  if (sbrk(static_cast<intptr_t>(lead - before)) == reinterpret_cast<void*>(-1)) return false;
  void* grow = std::malloc(kHuge);  // more than the heap has free at its top: it grows by the pad
  const auto after = reinterpret_cast<uintptr_t>(sbrk(0));
  std::free(grow);  // back into the top chunk, which now starts at `lead`
  const uintptr_t end = after & ~(kHuge - 1);
  const auto at = reinterpret_cast<uintptr_t>(grow);
  if (grow == nullptr || at < lead || at >= begin || end <= begin) return false;
  if (!mark_huge_pages(reinterpret_cast<void*>(begin), end - begin)) return false;
  // Splitting `grow` off the top wrote a header inside the first huge page, and a huge page that
  // already holds a 4 KiB page stays 4 KiB pages. The range is the free top chunk's inside, which
  // glibc never reads, so it is dropped (on kernels that then free its emptied page table, from
  // Linux 6.13, the first huge page is whole again; older kernels keep it as 4 KiB pages).
  madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  return true;
#endif
}

}  // namespace socsim
