// AttributeValue <-> DynamoDB JSON ({"S": "x"}, {"N": "1"}, {"B": "<base64>"}, ...), with the
// service's validation of values (one type per value, canonical numbers, non-empty duplicate-free
// sets, NULL must be true, nesting limit). Only api/wire includes RapidJSON.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>
#include <string_view>

#include "storage/item_codec.h"
#include "storage/value.h"

namespace ddbd::api::wire {

namespace detail {

inline bool NeedsEscape(unsigned char c) { return !storage::PlainByte(c); }

// Nonzero when one of the eight bytes of v needs escaping: a byte below 0x20 (bytes from 0x80 up
// never match: ~v clears their high bit), '"' or '\\'.
inline uint64_t EscapeBits8(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return ((v - 0x20 * kOnes) & ~v & kHigh) | has_zero(v ^ ('"' * kOnes)) |
         has_zero(v ^ ('\\' * kOnes));
}

#if defined(__SSE2__)
// Bit i set when byte i of the sixteen in v needs escaping.
inline unsigned EscapeMask16(__m128i v) {
  // v <= 0x1F (unsigned) exactly when max(v, 0x1F) == 0x1F.
  __m128i ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
  __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(ctrl, _mm_or_si128(quote, backslash))));
}
#endif

}  // namespace detail

// The length of the run at the start of [p, end) that JSON writes as it is: every byte except
// those below 0x20, '"' and '\\' (UTF-8 passes through). Sixteen bytes at a time (SSE2) or eight
// (any 64-bit CPU) while none of them needs escaping.
inline size_t UnescapedRun(const char* p, const char* end) {
  const char* const start = p;
#if defined(__SSE2__)
  while (end - p >= 16) {
    unsigned mask = detail::EscapeMask16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (mask) return static_cast<size_t>(p - start) + static_cast<size_t>(__builtin_ctz(mask));
    p += 16;
  }
#endif
  while (end - p >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if (detail::EscapeBits8(v)) break;
    p += 8;
  }
  while (p != end && !detail::NeedsEscape(static_cast<unsigned char>(*p))) ++p;
  return static_cast<size_t>(p - start);
}

// Writes [p, end) as a JSON string's contents (no quotes) at d, escaped as RapidJSON escapes:
// '"' and '\\' with a backslash, \b \f \n \r \t by name, other control characters as \u00XX;
// returns the end of what it wrote. Runs that need no escaping are copied while they are
// scanned, sixteen (SSE2) or eight bytes per step, and each step stores all its bytes: past the
// run's end they are overwritten next or left beyond the returned end.
// [p, readable_end) must be readable (readable_end >= end): while sixteen bytes from p are, a
// step loads sixteen even when fewer are left of the string (a short string, the tail of a long
// one), and ignores the rest. d must have room for 6 bytes per input byte (the longest escape),
// plus 16 when readable_end > end.
inline char* WriteEscaped(const char* p, const char* end, char* d, const char* readable_end) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (;;) {
    bool at_escape = false;
#if defined(__SSE2__)
    // Thirty-two bytes a step while the string has them, then sixteen a step while sixteen are
    // readable (the last step may cover fewer of the string's bytes).
    while (!at_escape && end - p >= 32) {
      __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d), v0);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 16), v1);
      if (unsigned mask = detail::EscapeMask16(v0) | (detail::EscapeMask16(v1) << 16)) {
        unsigned k = static_cast<unsigned>(__builtin_ctz(mask));
        p += k;
        d += k;
        at_escape = true;
      } else {
        p += 32;
        d += 32;
      }
    }
    while (!at_escape && p != end && readable_end - p >= 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d), v);
      const size_t left = static_cast<size_t>(end - p);
      unsigned mask = detail::EscapeMask16(v);
      if (left < 16) mask &= (1u << left) - 1;  // only the string's own bytes count
      const size_t step =
          mask ? static_cast<size_t>(__builtin_ctz(mask)) : std::min<size_t>(left, 16);
      p += step;
      d += step;
      at_escape = mask != 0;
    }
#endif
    if (!at_escape) {
      while (end - p >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        if (detail::EscapeBits8(v)) break;
        std::memcpy(d, &v, 8);
        p += 8;
        d += 8;
      }
      while (p != end && !detail::NeedsEscape(static_cast<unsigned char>(*p))) *d++ = *p++;
      if (p == end) return d;
    }
    {
      unsigned char c = static_cast<unsigned char>(*p++);
      *d++ = '\\';
      switch (c) {
        case '"':
          *d++ = '"';
          break;
        case '\\':
          *d++ = '\\';
          break;
        case '\b':
          *d++ = 'b';
          break;
        case '\f':
          *d++ = 'f';
          break;
        case '\n':
          *d++ = 'n';
          break;
        case '\r':
          *d++ = 'r';
          break;
        case '\t':
          *d++ = 't';
          break;
        default:
          d[0] = 'u';
          d[1] = '0';
          d[2] = '0';
          d[3] = kHex[c >> 4];
          d[4] = kHex[c & 15];
          d += 5;
      }
    }
  }
}

// Copies [p, end), known to need no escaping, to d under WriteEscaped's rules (readable_end,
// room): sixteen bytes a step while sixteen are readable, the last step covering what is left.
inline char* CopyPlain(const char* p, const char* end, char* d, const char* readable_end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    p += 16;
    d += 16;
  }
  if (p != end && readable_end - p >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return d + (end - p);
  }
#else
  (void)readable_end;
#endif
  std::memcpy(d, p, static_cast<size_t>(end - p));
  return d + (end - p);
}

// The same, reading nothing past end.
inline char* WriteEscaped(const char* p, const char* end, char* d) {
  return WriteEscaped(p, end, d, end);
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
