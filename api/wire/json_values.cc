#include "api/wire/json_values.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "api/errors.h"
#include "storage/item_codec.h"

namespace ddbd::api::wire {
namespace {

using storage::AttributeValue;
using storage::Number;

ApiError Invalid(const std::string& msg) {
  return ApiError::Validation("One or more parameter values were invalid: " + msg);
}

std::string_view StringOf(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

std::string ExpectString(const rapidjson::Value& v) {
  if (!v.IsString()) ThrowWrongJsonType(v, "String");
  return std::string(StringOf(v));
}

Number ParseNumber(const rapidjson::Value& v) {
  std::string text = ExpectString(v);
  auto n = Number::Parse(text);
  if (!n.ok()) {
    if (n.status().message() == Number::kNotANumber) {
      throw ApiError::Validation("The parameter cannot be converted to a numeric value: " + text);
    }
    throw ApiError::Validation(n.status().message());
  }
  return std::move(n).value();
}

std::string ParseBinary(const rapidjson::Value& v) {
  std::string text = ExpectString(v);
  std::string bytes;
  if (!Base64Decode(text, &bytes)) {
    throw ApiError::Serialization(
        "Base64 encoded length is expected a multiple of 4 bytes but found: " +
        std::to_string(text.size()));
  }
  return bytes;
}

const rapidjson::Value& ExpectArray(const rapidjson::Value& v) {
  if (!v.IsArray()) ThrowWrongJsonType(v, "List");
  return v;
}

// "Input collection [a, a] contains duplicates." lists the members as they were sent.
// `keys` are the members' canonical forms (numbers compare by value).
void RejectDuplicates(const std::vector<std::string>& keys, const std::vector<std::string>& texts) {
  std::unordered_set<std::string_view> seen;
  for (const auto& k : keys) {
    if (seen.insert(k).second) continue;
    std::string list;
    for (size_t i = 0; i < texts.size(); ++i) list += (i ? ", " : "") + texts[i];
    throw Invalid("Input collection [" + list + "] contains duplicates.");
  }
}

AttributeValue ParseTyped(std::string_view type, const rapidjson::Value& v, int level) {
  if (type == "S") return ExpectString(v);
  if (type == "N") return ParseNumber(v);
  if (type == "B") return storage::Binary{ParseBinary(v)};
  if (type == "BOOL") {
    if (!v.IsBool()) ThrowWrongJsonType(v, "Boolean");
    return v.GetBool();
  }
  if (type == "NULL") {
    if (!v.IsBool()) ThrowWrongJsonType(v, "Boolean");
    if (!v.GetBool()) throw Invalid("Null attribute value types must have the value of true");
    return storage::Null{};
  }
  if (type == "SS") {
    storage::StringSet s;
    for (const auto& m : ExpectArray(v).GetArray()) s.members.push_back(ExpectString(m));
    if (s.members.empty()) throw Invalid("An string set  may not be empty");
    RejectDuplicates(s.members, s.members);
    return s;
  }
  if (type == "NS") {
    storage::NumberSet s;
    std::vector<std::string> texts;
    for (const auto& m : ExpectArray(v).GetArray()) {
      s.members.push_back(ParseNumber(m));
      texts.emplace_back(StringOf(m));
    }
    if (s.members.empty()) throw Invalid("An number set  may not be empty");
    std::vector<std::string> keys;
    for (const auto& m : s.members) keys.push_back(m.ToString());
    RejectDuplicates(keys, texts);  // numerically equal spellings are duplicates too
    return s;
  }
  if (type == "BS") {
    storage::BinarySet s;
    std::vector<std::string> texts;
    for (const auto& m : ExpectArray(v).GetArray()) {
      s.members.push_back(ParseBinary(m));
      texts.emplace_back(StringOf(m));
    }
    if (s.members.empty()) throw Invalid("Binary sets should not be empty");
    RejectDuplicates(s.members, texts);
    return s;
  }
  if (type == "M") return ParseAttributeMap(v, level + 1);
  if (type == "L") {
    storage::AttributeList list;
    for (const auto& m : ExpectArray(v).GetArray())
      list.push_back(ParseAttributeValue(m, level + 1));
    return list;
  }
  throw ApiError::Validation(
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

bool IsKnownType(std::string_view t) {
  static constexpr std::array<std::string_view, 10> kTypes = {"S",  "N", "B", "SS",   "NS",
                                                              "BS", "M", "L", "NULL", "BOOL"};
  return std::find(kTypes.begin(), kTypes.end(), t) != kTypes.end();
}

}  // namespace

[[noreturn]] void ThrowWrongJsonType(const rapidjson::Value& json, std::string_view expected) {
  if (json.IsObject())
    throw ApiError::Serialization("Start of structure or map found where not expected.");
  if (json.IsArray()) throw ApiError::Serialization("Start of list found where not expected");
  std::string found = json.IsString()   ? "STRING_VALUE"
                      : json.IsNumber() ? "NUMBER_VALUE"
                      : json.IsBool()   ? "BOOLEAN_VALUE"
                                        : "NULL_VALUE";
  throw ApiError::Serialization(found + " can not be converted to " + std::string(expected));
}

AttributeValue ParseAttributeValue(const rapidjson::Value& json, int level) {
  if (!json.IsObject()) ThrowWrongJsonType(json, "AttributeValue");
  if (level > kMaxNestingLevels) {
    throw ApiError::Validation("Nesting Levels have exceeded supported limits");
  }
  const rapidjson::Value* value = nullptr;
  std::string_view type;
  int count = 0;
  for (const auto& m : json.GetObject()) {
    std::string_view name = StringOf(m.name);
    if (!IsKnownType(name)) continue;  // unknown members are ignored, as the service does
    if (m.value.IsNull()) continue;    // JSON null means "not set"
    ++count;
    type = name;
    value = &m.value;
  }
  if (count == 0) {
    throw ApiError::Validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (count > 1) {
    throw ApiError::Validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
        "supported datatypes");
  }
  return ParseTyped(type, *value, level);
}

storage::AttributeMap ParseAttributeMap(const rapidjson::Value& json, int level) {
  if (!json.IsObject()) ThrowWrongJsonType(json, "Map");
  storage::AttributeMap out;
  for (const auto& m : json.GetObject()) {
    out.insert_or_assign(std::string(StringOf(m.name)), ParseAttributeValue(m.value, level));
  }
  return out;
}

void WriteAttributeValue(const AttributeValue& value, JsonWriter& w) {
  w.StartObject();
  w.Key(storage::TypeName(value.type()));
  struct Visitor {
    JsonWriter& w;
    void Str(std::string_view s) const {
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    }
    void operator()(const std::string& s) const { Str(s); }
    void operator()(const Number& n) const { Str(n.ToString()); }
    void operator()(const storage::Binary& b) const { Str(Base64Encode(b.bytes)); }
    void operator()(const storage::StringSet& s) const {
      w.StartArray();
      for (const auto& m : s.members) Str(m);
      w.EndArray();
    }
    void operator()(const storage::NumberSet& s) const {
      w.StartArray();
      for (const auto& m : s.members) Str(m.ToString());
      w.EndArray();
    }
    void operator()(const storage::BinarySet& s) const {
      w.StartArray();
      for (const auto& m : s.members) Str(Base64Encode(m));
      w.EndArray();
    }
    void operator()(const storage::AttributeMap& m) const { WriteAttributeMap(m, w); }
    void operator()(const storage::AttributeList& l) const {
      w.StartArray();
      for (const auto& e : l) WriteAttributeValue(e, w);
      w.EndArray();
    }
    void operator()(const storage::Null&) const { w.Bool(true); }
    void operator()(bool b) const { w.Bool(b); }
  };
  std::visit(Visitor{w}, value.variant());
  w.EndObject();
}

void WriteAttributeMap(const storage::AttributeMap& map, JsonWriter& w) {
  w.StartObject();
  for (const auto& [name, v] : map) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteAttributeValue(v, w);
  }
  w.EndObject();
}

namespace {

constexpr size_t kMaxJsonPerStoredByte = 16;

// Writes an item's stored bytes (the item codec's) as JSON straight into the output buffer:
// every value wrapped in {"<type>": ...}, except the item itself (the outermost map) and set
// members; strings escaped as RapidJSON's writer escapes them, so the bytes are those
// WriteAttributeMap writes for the decoded item. It reads the codec as storage::WalkItem does,
// with the same checks (every length within the bytes, the nesting limit, known tags), but on
// raw pointers and without a visitor's per-call state: this runs for every item a Query, Scan
// or batch read returns.
class JsonItemEmitter {
 public:
  // end: the end of the item's bytes; out: where to write, with room for kMaxJsonPerStoredByte
  // bytes per stored byte plus 32 (see WriteEncodedItem).
  // plain: the item's strings need no escaping (storage::HasOnlyPlainStrings), so they are
  // copied without being scanned.
  JsonItemEmitter(const char* end, char* out, bool plain) : end_(end), d_(out), plain_(plain) {}
  char* out() const { return d_; }
  // The outermost map at p, which must end exactly at end.
  bool Item(const char* p) { return Map(p, 0) && p == end_; }

 private:
  bool Varint(const char*& p, uint64_t* v) {
    if (p != end_ && !(static_cast<unsigned char>(*p) & 0x80)) {  // one byte: nearly every length
      *v = static_cast<unsigned char>(*p++);
      return true;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end_) return false;
      auto byte = static_cast<unsigned char>(*p++);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  // A count of entries, each of which takes at least one byte.
  bool Count(const char*& p, uint64_t* n) {
    return Varint(p, n) && *n <= static_cast<size_t>(end_ - p);
  }
  bool Bytes(const char*& p, std::string_view* s) {
    uint64_t len;
    if (!Varint(p, &len) || len > static_cast<size_t>(end_ - p)) return false;
    *s = std::string_view(p, len);
    p += len;
    return true;
  }
  template <size_t N>
  void Lit(const char (&s)[N]) {
    std::memcpy(d_, s, N - 1);
    d_ += N - 1;
  }
  // The bytes after a string up to the item's end are readable, so WriteEscaped scans short
  // strings and tails sixteen bytes at once; its stores past the string stay within the room.
  void Str(std::string_view s) {
    *d_++ = '"';
    d_ = plain_ ? CopyPlain(s.data(), s.data() + s.size(), d_, end_)
                : WriteEscaped(s.data(), s.data() + s.size(), d_, end_);
    *d_++ = '"';
  }
  void Base64(std::string_view s) {
    *d_++ = '"';
    Base64EncodeTo(s, d_);
    d_ += (s.size() + 2) / 3 * 4;
    *d_++ = '"';
  }
  bool Map(const char*& p, int depth) {
    uint64_t n;
    if (!Count(p, &n)) return false;
    *d_++ = '{';
    for (uint64_t i = 0; i < n; ++i) {
      if (i) *d_++ = ',';
      std::string_view name;
      if (!Bytes(p, &name)) return false;
      Str(name);
      *d_++ = ':';
      if (!Value(p, depth)) return false;
    }
    *d_++ = '}';
    return true;
  }
  bool Value(const char*& p, int depth) {
    if (depth > storage::detail::kMaxItemDepth || p == end_) return false;
    auto type = static_cast<storage::ValueType>(static_cast<unsigned char>(*p++));
    std::string_view s;
    uint64_t n;
    switch (type) {
      case storage::ValueType::kS:
      case storage::ValueType::kN:
        if (!Bytes(p, &s)) return false;
        if (type == storage::ValueType::kS) {
          Lit("{\"S\":");
        } else {
          Lit("{\"N\":");
        }
        Str(s);
        *d_++ = '}';
        return true;
      case storage::ValueType::kB:
        if (!Bytes(p, &s)) return false;
        Lit("{\"B\":");
        Base64(s);
        *d_++ = '}';
        return true;
      case storage::ValueType::kSS:
      case storage::ValueType::kNS:
      case storage::ValueType::kBS:
        if (!Count(p, &n)) return false;
        if (type == storage::ValueType::kSS) {
          Lit("{\"SS\":[");
        } else if (type == storage::ValueType::kNS) {
          Lit("{\"NS\":[");
        } else {
          Lit("{\"BS\":[");
        }
        for (uint64_t i = 0; i < n; ++i) {
          if (i) *d_++ = ',';
          if (!Bytes(p, &s)) return false;
          if (type == storage::ValueType::kBS) {
            Base64(s);
          } else {
            Str(s);
          }
        }
        Lit("]}");
        return true;
      case storage::ValueType::kM:
        Lit("{\"M\":");
        if (!Map(p, depth + 1)) return false;
        *d_++ = '}';
        return true;
      case storage::ValueType::kL:
        if (!Count(p, &n)) return false;
        Lit("{\"L\":[");
        for (uint64_t i = 0; i < n; ++i) {
          if (i) *d_++ = ',';
          if (!Value(p, depth + 1)) return false;
        }
        Lit("]}");
        return true;
      case storage::ValueType::kNull:
        Lit("{\"NULL\":true}");
        return true;
      case storage::ValueType::kBool:
        if (p == end_ || static_cast<unsigned char>(*p) > 1) return false;
        if (*p++) {
          Lit("{\"BOOL\":true}");
        } else {
          Lit("{\"BOOL\":false}");
        }
        return true;
    }
    return false;
  }

  const char* const end_;
  char* d_;
  const bool plain_;
};

}  // namespace

void WriteEncodedItem(std::string_view bytes, JsonWriter& w) {
  size_t pos = 0;
  uint64_t size = 0;
  bool has_size = false;
  if (!storage::ReadItemHeader(bytes, &pos, &size, &has_size)) {
    throw ApiError::Internal("Internal server error: unknown item codec version");
  }
  bool ok = false;
  w.RawObject([&](rapidjson::StringBuffer& out) {
    // Room for the item's JSON whatever it holds, so the emitter never checks. Each stored
    // construct writes at most 16 bytes of JSON per byte it occupies: a NULL's one-byte tag
    // becomes ',{"NULL":true}' (14), a BOOL's two bytes ',{"BOOL":false}' (15), a string byte at
    // most 6 ("\u001F"), and a length prefix (at least one byte) pays for the quotes, the
    // separators and the {"S": ... } around its string (at most 9). The emitter writes only for
    // what it has read and checked, so malformed bytes cannot outrun the room either. Plus 32:
    // the outermost braces, and the last store of WriteEscaped's sixteen-byte steps.
    out.Reserve(kMaxJsonPerStoredByte * bytes.size() + 32);
    char* const start = out.PushUnsafe(0);
    JsonItemEmitter emitter(bytes.data() + bytes.size(), start,
                            storage::HasOnlyPlainStrings(bytes));
    ok = emitter.Item(bytes.data() + pos);
    out.PushUnsafe(static_cast<size_t>(emitter.out() - start));
  });
  if (!ok) throw ApiError::Internal("Internal server error: malformed item bytes");
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

void Base64EncodeTo(std::string_view in, char* out) {
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    *out++ = kB64[(n >> 18) & 63];
    *out++ = kB64[(n >> 12) & 63];
    *out++ = kB64[(n >> 6) & 63];
    *out++ = kB64[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    *out++ = kB64[(n >> 18) & 63];
    *out++ = kB64[(n >> 12) & 63];
    *out++ = '=';
    *out++ = '=';
  } else if (i + 2 == in.size()) {
    uint32_t n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    *out++ = kB64[(n >> 18) & 63];
    *out++ = kB64[(n >> 12) & 63];
    *out++ = kB64[(n >> 6) & 63];
    *out++ = '=';
  }
}

std::string Base64Encode(std::string_view in) {
  std::string out((in.size() + 2) / 3 * 4, '\0');
  Base64EncodeTo(in, out.data());
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  out->clear();
  if (text.size() % 4 != 0) return false;
  out->reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return false;  // data after padding
        v[k] = B64Value(c);
        if (v[k] < 0) return false;
      }
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out->push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xff));
  }
  return true;
}

}  // namespace ddbd::api::wire
