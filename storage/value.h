// The data model: AttributeValue (DynamoDB's ten types) and Item. Values are plain C++ data, not
// wire JSON; the API layer converts at the edge. Also DynamoDB's item-size accounting.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "storage/number.h"

namespace ddbd::storage {

class AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue, std::less<>>;
using AttributeList = std::vector<AttributeValue>;
using Item = AttributeMap;

// The order matters: it is the type tag in the item codec and must never change.
enum class ValueType : uint8_t { kS = 0, kN, kB, kSS, kNS, kBS, kM, kL, kNull, kBool };

// DynamoDB's spelling of a type ("S", "NS", "NULL", "BOOL", ...).
const char* TypeName(ValueType type);

struct StringSet {
  std::vector<std::string> members;
  bool operator==(const StringSet&) const = default;
};
struct NumberSet {
  std::vector<Number> members;
  bool operator==(const NumberSet&) const = default;
};
struct BinarySet {
  std::vector<std::string> members;  // raw bytes
  bool operator==(const BinarySet&) const = default;
};
struct Binary {
  std::string bytes;  // raw bytes, not base64
  bool operator==(const Binary&) const = default;
};
struct Null {
  bool operator==(const Null&) const = default;
};

class AttributeValue {
 public:
  using Variant = std::variant<std::string, Number, Binary, StringSet, NumberSet, BinarySet,
                               AttributeMap, AttributeList, Null, bool>;

  AttributeValue() : v_(Null{}) {}
  template <typename T>
  requires(!std::is_same_v<std::remove_cvref_t<T>, AttributeValue>) AttributeValue(T&& value)
      : v_(std::forward<T>(value)) {}  // NOLINT: implicit by design

  ValueType type() const { return static_cast<ValueType>(v_.index()); }
  const Variant& variant() const { return v_; }
  Variant& variant() { return v_; }

  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }
  template <typename T>
  T* get_if() {
    return std::get_if<T>(&v_);
  }

  // Set equality ignores member order, as DynamoDB's does.
  bool operator==(const AttributeValue& other) const;

 private:
  Variant v_;
};

// DynamoDB's size of a value (Developer Guide, "Item sizes and formats"): strings and binaries by
// their bytes, numbers by significant digits, 1 byte for BOOL and NULL, 3 bytes of overhead for
// each list and map plus 1 byte per element.
size_t ValueSize(const AttributeValue& value);
// Size of a whole item: every attribute name's UTF-8 bytes plus its value's size.
size_t ItemSize(const Item& item);

// The deepest nesting level in the item: a top-level attribute is level 1, the members of a map
// or list at level n are at level n + 1. Iterative, so any depth is measured safely.
size_t NestingDepth(const Item& item);

}  // namespace ddbd::storage
