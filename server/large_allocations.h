// Large arrays on transparent huge pages: see large_allocations.cc.
#pragma once

namespace ddbd::server {

// Whether this build replaces operator new[] so that the whole 2 MB pages inside arrays of
// kHugeArrayBytes or more are advised as huge pages (false in sanitizer builds).
bool LargeArraysOnHugePages();
inline constexpr unsigned long kHugeArrayBytes = 4ul << 20;

}  // namespace ddbd::server
