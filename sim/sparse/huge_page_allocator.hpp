// A std::allocator replacement for large per-neuron state arrays (the neuron cache's recency
// queue and positions, tens of MB for a 47B MoE model) that asks Linux for transparent huge pages.
// Those arrays are read at random positions once per neuron access; with 4 KiB pages nearly every
// access misses the TLB. Blocks of at least 2 MiB are 2 MiB-aligned and advised MADV_HUGEPAGE
// (effective when /sys/kernel/mm/transparent_hugepage/enabled is `madvise` or `always`; harmless
// otherwise); smaller blocks come from operator new. Only speed changes, never a value.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace socsim {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes));
    const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) < kHugePage)
      ::operator delete(p);
    else
      std::free(p);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace socsim
