// Item codec: the compact, versioned binary form items are stored in (not JSON text).
// Layout: version byte, then the attribute count and each (name, value); values are a type tag
// followed by their payload, recursively for maps and lists. Decoding checks every length.
#pragma once

#include <string>
#include <string_view>

#include "storage/status.h"
#include "storage/value.h"

namespace ddbd::storage {

inline constexpr uint8_t kItemCodecVersion = 1;

void EncodeItem(const Item& item, std::string* out);
std::string EncodeItem(const Item& item);
StatusOr<Item> DecodeItem(std::string_view bytes);

}  // namespace ddbd::storage
