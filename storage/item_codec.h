// Item codec: the compact, versioned binary form items are stored in (not JSON text).
// Layout: version byte; from version 2 on the item's size (ItemSize, a varint), so a read can
// account for an item without walking it; then the attribute count and each (name, value).
// Values are a type tag followed by their payload, recursively for maps and lists. Decoding
// checks every length. Version 3 is version 2's layout for an item whose strings are all plain
// (PlainString: every attribute name at any depth, every S value and SS member), so a reader
// that writes them out as JSON knows without looking that none needs escaping; the encoder
// writes 3 for such items and 2 for the others. Version 1 items (no size) are still read.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "storage/key_codec.h"
#include "storage/status.h"
#include "storage/value.h"

namespace ddbd::storage {

inline constexpr uint8_t kItemCodecVersion = 2;
inline constexpr uint8_t kPlainItemCodecVersion = 3;

// A byte JSON writes as it is inside a string: not a control character (below 0x20), '"' or
// '\\'. The wire layer's escaping uses this same test, so version 3 means what it assumes.
inline bool PlainByte(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }

// A string of plain bytes only.
inline bool PlainString(std::string_view s) {
  for (char c : s) {
    if (!PlainByte(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Reads the version byte and, from version 2 on, the stored size; *pos is left at the attribute
// count. False for an unknown version or a missing size.
inline bool ReadItemHeader(std::string_view bytes, size_t* pos, uint64_t* size, bool* has_size) {
  if (bytes.empty() || bytes[0] < 1 || bytes[0] > 3) return false;
  *pos = 1;
  *has_size = bytes[0] != 1;
  return !*has_size || ReadVarint(bytes, pos, size);
}

// True when the encoder found every string of the item plain (version 3).
inline bool HasOnlyPlainStrings(std::string_view bytes) {
  return !bytes.empty() && bytes[0] == kPlainItemCodecVersion;
}

void EncodeItem(const Item& item, std::string* out);
std::string EncodeItem(const Item& item);
// The same, for a caller that has ItemSize(item) at hand already (the write path).
std::string EncodeItem(const Item& item, size_t item_size);
StatusOr<Item> DecodeItem(std::string_view bytes);

// Receives an encoded item's parts in order, so a reader can use the stored bytes (write them as
// JSON, measure them) without building the Item. Maps arrive as BeginMap, then per entry Name
// and its value, then EndMap; lists and sets likewise, set members as Scalar calls.
class ItemVisitor {
 public:
  virtual ~ItemVisitor() = default;
  virtual void BeginMap(size_t size) = 0;
  virtual void Name(std::string_view name) = 0;
  virtual void EndMap() = 0;
  virtual void BeginList(size_t size) = 0;
  virtual void EndList() = 0;
  // type kSS, kNS or kBS; the members follow as Scalar(kS / kN / kB, ...).
  virtual void BeginSet(ValueType type, size_t size) = 0;
  virtual void EndSet() = 0;
  // kS: the string; kN: the number's canonical text; kB: the raw bytes.
  virtual void Scalar(ValueType type, std::string_view bytes) = 0;
  virtual void Null() = 0;
  virtual void Bool(bool value) = 0;
};

namespace detail {
inline constexpr int kMaxItemDepth = 64;  // DynamoDB allows 32 levels; anything deeper is corrupt

// Walks encoded bytes for a visitor; the same checks as DecodeItem, without building values.
template <typename Visitor>
class Walker {
 public:
  Walker(std::string_view in, Visitor& v) : in_(in), v_(v) {}

  bool Done() const { return pos_ == in_.size(); }
  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Count(uint64_t* n) { return ReadVarint(in_, &pos_, n) && *n <= in_.size() - pos_; }
  bool Bytes(std::string_view* s) {
    uint64_t len;
    if (!ReadVarint(in_, &pos_, &len) || len > in_.size() - pos_) return false;
    *s = in_.substr(pos_, len);
    pos_ += len;
    return true;
  }
  bool Map(int depth) {
    uint64_t n;
    if (!Count(&n)) return false;
    v_.BeginMap(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view name;
      if (!Bytes(&name)) return false;
      v_.Name(name);
      if (!Value(depth)) return false;
    }
    v_.EndMap();
    return true;
  }
  bool Value(int depth) {
    if (depth > kMaxItemDepth) return false;
    uint8_t tag;
    if (!Byte(&tag)) return false;
    auto type = static_cast<ValueType>(tag);
    switch (type) {
      case ValueType::kS:
      case ValueType::kN:
      case ValueType::kB: {
        std::string_view s;
        if (!Bytes(&s)) return false;
        v_.Scalar(type, s);
        return true;
      }
      case ValueType::kSS:
      case ValueType::kNS:
      case ValueType::kBS: {
        uint64_t n;
        if (!Count(&n)) return false;
        ValueType member = type == ValueType::kSS   ? ValueType::kS
                           : type == ValueType::kNS ? ValueType::kN
                                                    : ValueType::kB;
        v_.BeginSet(type, n);
        for (uint64_t i = 0; i < n; ++i) {
          std::string_view s;
          if (!Bytes(&s)) return false;
          v_.Scalar(member, s);
        }
        v_.EndSet();
        return true;
      }
      case ValueType::kM:
        return Map(depth + 1);
      case ValueType::kL: {
        uint64_t n;
        if (!Count(&n)) return false;
        v_.BeginList(n);
        for (uint64_t i = 0; i < n; ++i) {
          if (!Value(depth + 1)) return false;
        }
        v_.EndList();
        return true;
      }
      case ValueType::kNull:
        v_.Null();
        return true;
      case ValueType::kBool: {
        uint8_t b;
        if (!Byte(&b) || b > 1) return false;
        v_.Bool(b == 1);
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view in_;
  Visitor& v_;
  size_t pos_ = 0;
};

}  // namespace detail

// Walks an encoded item, the item itself being the outermost map. Checks every length as
// DecodeItem does and returns Corruption for malformed bytes (the visitor may then have seen a
// prefix of the item). Numbers are passed as stored, without being parsed again. A template so
// that a `final` visitor's calls are direct (and inlined): this runs for every item a Query or
// Scan returns.
template <typename Visitor>
Status WalkItem(std::string_view bytes, Visitor& visitor) {
  static_assert(std::is_base_of_v<ItemVisitor, Visitor>);
  size_t pos = 0;
  uint64_t size = 0;
  bool has_size = false;
  if (!ReadItemHeader(bytes, &pos, &size, &has_size)) {
    return Status::Corruption("unknown item codec version");
  }
  detail::Walker<Visitor> w(bytes.substr(pos), visitor);
  if (!w.Map(0) || !w.Done()) return Status::Corruption("malformed item bytes");
  return Status::Ok();
}

// ItemSize of an encoded item, without decoding it: read from the header, or (version 1) by
// walking the item.
StatusOr<size_t> EncodedItemSize(std::string_view bytes);

}  // namespace ddbd::storage
