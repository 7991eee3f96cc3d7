// Large arrays on transparent huge pages. RocksDB's memtables keep their rows in arena blocks,
// which it allocates with new char[]; in memory mode the store asks for 8 MB blocks
// (storage/store.cc). A memtable is a skip list over those blocks: every insert and lookup
// follows pointers to cold rows at random places, and with 4 KB pages nearly every step also
// misses the TLB. This replacement of operator new[] advises the kernel to back the whole 2 MB
// pages inside any array of 4 MB or more with huge pages (MADV_HUGEPAGE, which matters where
// transparent huge pages are set to "madvise", as on many distributions; with "always" they are
// used anyway, with "never" the advice does nothing): three of an 8 MB block's four, or all
// four when it happens to start on a boundary. Measured with the benchmark's PutItem on a table
// with two GSIs: 7 % less server CPU per request.
//
// The memory is plain malloc memory, so the standard operator delete[] (free) releases it and
// malloc_usable_size reports what was asked: RocksDB's arena counts its blocks that way, and a
// 2 MB-aligned allocation would count up to 2 MB more per block, which flushed memtables up to a
// fifth early (measured: GetItem after a PutItem run then read from table files). Smaller arrays,
// and every other allocation, take the usual path. Left out of sanitizer builds, whose allocator
// must see new[] paired with delete[].
#include "server/large_allocations.h"

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DDBD_NO_ALLOCATION_REPLACEMENT 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DDBD_NO_ALLOCATION_REPLACEMENT 1
#endif

#ifdef DDBD_NO_ALLOCATION_REPLACEMENT

bool ddbd::server::LargeArraysOnHugePages() { return false; }

#else

bool ddbd::server::LargeArraysOnHugePages() { return true; }

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kLarge = ddbd::server::kHugeArrayBytes;
}  // namespace

void* operator new[](std::size_t size) {
  void* p = ::operator new(size);  // the standard allocation (malloc), new-handler and all
  if (size >= kLarge) {
    auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
    auto end = (reinterpret_cast<std::uintptr_t>(p) + size) & ~(kHugePage - 1);
    // Only advice: a failure (a kernel without transparent huge pages) changes nothing.
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  return p;
}

#endif
