// AttributeValue <-> DynamoDB JSON ({"S": "x"}, {"N": "1"}, {"B": "<base64>"}, ...), with the
// service's validation of values (one type per value, canonical numbers, non-empty duplicate-free
// sets, NULL must be true, nesting limit). Only api/wire includes RapidJSON.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/value.h"

namespace ddbd::api::wire {

// The length of the run at the start of [p, end) that JSON writes as it is: every byte except
// those below 0x20, '"' and '\\' (UTF-8 passes through). Eight bytes at a time while none of
// them needs escaping.
inline size_t UnescapedRun(const char* p, const char* end) {
  const char* const start = p;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  while (end - p >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    // A byte below 0x20 (bytes from 0x80 up never match: ~v clears their high bit), '"', '\\'.
    if (((v - 0x20 * kOnes) & ~v & kHigh) | has_zero(v ^ ('"' * kOnes)) |
        has_zero(v ^ ('\\' * kOnes))) {
      break;
    }
    p += 8;
  }
  while (p != end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++p;
  }
  return static_cast<size_t>(p - start);
}

}  // namespace ddbd::api::wire

// RapidJSON's Writer copies strings one character at a time, looking each up in its escape table;
// only its SSE builds (which also make the parser read past the end of its input) copy runs
// in bulk. This specialization of its hook for that, declared before any use of the writer
// (this header is the only one that includes it), copies each run that needs no escaping with
// one memcpy; the writer then escapes the character that ended the run.
#if !defined(RAPIDJSON_SSE2) && !defined(RAPIDJSON_SSE42) && !defined(RAPIDJSON_NEON)
namespace rapidjson {
template <>
inline bool Writer<StringBuffer>::ScanWriteUnescapedString(StringStream& is, size_t length) {
  const char* const end = is.head_ + length;
  size_t n = ddbd::api::wire::UnescapedRun(is.src_, end);
  if (n) {
    std::memcpy(os_->PushUnsafe(n), is.src_, n);
    is.src_ += n;
  }
  return is.src_ != end;
}
}  // namespace rapidjson
#endif

namespace ddbd::api::wire {

// RapidJSON's writer, plus a way to append a value that ddbd serializes itself (items written
// from their stored bytes) straight into the output, with the writer's commas kept right.
class JsonWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Writer::Writer;
  // fn(rapidjson::StringBuffer&) must append exactly one complete JSON object.
  template <typename Fn>
  void RawObject(Fn&& fn) {
    Prefix(rapidjson::kObjectType);
    fn(*os_);
    EndValue(true);
  }
};

// Nesting deeper than this many levels (a top-level attribute is level 1) is rejected.
inline constexpr int kMaxNestingLevels = 32;

// Parses one AttributeValue. Throws ApiError (ValidationException / SerializationException).
storage::AttributeValue ParseAttributeValue(const rapidjson::Value& json, int level = 1);
// Parses a map of name -> AttributeValue (an Item, a Key, ExpressionAttributeValues).
storage::AttributeMap ParseAttributeMap(const rapidjson::Value& json, int level = 1);

void WriteAttributeValue(const storage::AttributeValue& value, JsonWriter& w);
void WriteAttributeMap(const storage::AttributeMap& map, JsonWriter& w);
// Writes an item from its stored bytes (the item codec's) as WriteAttributeMap would write the
// decoded item, without decoding it. Throws ApiError (internal error) for malformed bytes.
void WriteEncodedItem(std::string_view bytes, JsonWriter& w);

std::string Base64Encode(std::string_view bytes);
// Writes the (bytes.size() + 2) / 3 * 4 characters of bytes' base64 form to out.
void Base64EncodeTo(std::string_view bytes, char* out);
// Returns false when `text` is not valid base64.
bool Base64Decode(std::string_view text, std::string* out);

// The name of a JSON value's type as the service's deserializer reports it.
[[noreturn]] void ThrowWrongJsonType(const rapidjson::Value& json, std::string_view expected);

}  // namespace ddbd::api::wire
