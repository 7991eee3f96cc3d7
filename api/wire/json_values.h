// AttributeValue <-> DynamoDB JSON ({"S": "x"}, {"N": "1"}, {"B": "<base64>"}, ...), with the
// service's validation of values (one type per value, canonical numbers, non-empty duplicate-free
// sets, NULL must be true, nesting limit). Only api/wire includes RapidJSON.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "storage/value.h"

namespace ddbd::api::wire {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Nesting deeper than this many levels (a top-level attribute is level 1) is rejected.
inline constexpr int kMaxNestingLevels = 32;

// Parses one AttributeValue. Throws ApiError (ValidationException / SerializationException).
storage::AttributeValue ParseAttributeValue(const rapidjson::Value& json, int level = 1);
// Parses a map of name -> AttributeValue (an Item, a Key, ExpressionAttributeValues).
storage::AttributeMap ParseAttributeMap(const rapidjson::Value& json, int level = 1);

void WriteAttributeValue(const storage::AttributeValue& value, JsonWriter& w);
void WriteAttributeMap(const storage::AttributeMap& map, JsonWriter& w);

std::string Base64Encode(std::string_view bytes);
// Returns false when `text` is not valid base64.
bool Base64Decode(std::string_view text, std::string* out);

// The name of a JSON value's type as the service's deserializer reports it.
[[noreturn]] void ThrowWrongJsonType(const rapidjson::Value& json, std::string_view expected);

}  // namespace ddbd::api::wire
