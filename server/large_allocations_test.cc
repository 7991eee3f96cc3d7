#include "server/large_allocations.h"

#include <malloc.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

using namespace ddbd::server;

namespace {

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`.
std::string FlagsOfMapping(const void* address) {
  auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {  // a mapping's first line
      inside = begin <= at && at < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool KernelHasHugePages() { return access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0; }

}  // namespace

TEST_CASE("the whole huge pages inside large arrays are advised; their usable size is as asked") {
  if (!LargeArraysOnHugePages()) {
    WARN("operator new[] is not replaced in sanitizer builds");
    return;
  }
  constexpr std::uintptr_t kHugePage = 2u << 20;
  for (std::size_t size : {kHugeArrayBytes, kHugeArrayBytes + 1, std::size_t{8} << 20}) {
    std::unique_ptr<char[]> block(new char[size]);
    std::memset(block.get(), 0x5a, size);  // all of it is usable
    CHECK(block[size - 1] == 0x5a);
    // RocksDB's arena counts a block by malloc_usable_size: no alignment slack may show there.
    CHECK(malloc_usable_size(block.get()) >= size);
    CHECK(malloc_usable_size(block.get()) < size + (64u << 10));
    auto first = (reinterpret_cast<std::uintptr_t>(block.get()) + kHugePage - 1) & ~(kHugePage - 1);
    if (KernelHasHugePages()) {
      CHECK(FlagsOfMapping(reinterpret_cast<void*>(first)).find(" hg") != std::string::npos);
    }
  }
}

TEST_CASE("smaller arrays are allocated as usual") {
  std::unique_ptr<char[]> small(new char[100]);
  std::memset(small.get(), 1, 100);
  std::unique_ptr<char[]> below(new char[kHugeArrayBytes - 1]);
  std::memset(below.get(), 2, kHugeArrayBytes - 1);
  if (LargeArraysOnHugePages() && KernelHasHugePages()) {
    CHECK(FlagsOfMapping(below.get()).find(" hg") == std::string::npos);
  }
  CHECK(small[99] == 1);
  CHECK(below[kHugeArrayBytes - 2] == 2);
}
