// Reserved-word lookup for DynamoDB expressions.
#pragma once

#include <cstddef>
#include <string_view>

namespace ddbd::api::expressions {

// True when `word` (any case) is one of DynamoDB's reserved words.
bool IsReservedWord(std::string_view word);

// Number of reserved words in the table (the documented list has 573).
std::size_t ReservedWordCount();

}  // namespace ddbd::api::expressions
