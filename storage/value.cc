#include "storage/value.h"

#include <algorithm>

namespace ddbd::storage {
namespace {

// O(n log n): both member lists sorted (by pointer, no copies of the members) and compared.
template <typename T>
bool SameMembers(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  auto sorted = [](const std::vector<T>& v) {
    std::vector<const T*> out;
    out.reserve(v.size());
    for (const T& m : v) out.push_back(&m);
    std::sort(out.begin(), out.end(), [](const T* x, const T* y) { return *x < *y; });
    return out;
  };
  auto x = sorted(a), y = sorted(b);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(*x[i] == *y[i])) return false;
  }
  return true;
}

}  // namespace

const char* TypeName(ValueType type) {
  switch (type) {
    case ValueType::kS:
      return "S";
    case ValueType::kN:
      return "N";
    case ValueType::kB:
      return "B";
    case ValueType::kSS:
      return "SS";
    case ValueType::kNS:
      return "NS";
    case ValueType::kBS:
      return "BS";
    case ValueType::kM:
      return "M";
    case ValueType::kL:
      return "L";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "BOOL";
  }
  return "?";
}

bool AttributeValue::operator==(const AttributeValue& other) const {
  if (v_.index() != other.v_.index()) return false;
  if (auto* ss = get_if<StringSet>())
    return SameMembers(ss->members, other.get_if<StringSet>()->members);
  if (auto* ns = get_if<NumberSet>())
    return SameMembers(ns->members, other.get_if<NumberSet>()->members);
  if (auto* bs = get_if<BinarySet>())
    return SameMembers(bs->members, other.get_if<BinarySet>()->members);
  return v_ == other.v_;
}

size_t ValueSize(const AttributeValue& value) {
  struct Visitor {
    size_t operator()(const std::string& s) const { return s.size(); }
    size_t operator()(const Number& n) const { return n.StorageSize(); }
    size_t operator()(const Binary& b) const { return b.bytes.size(); }
    size_t operator()(const StringSet& s) const {
      size_t total = 0;
      for (const auto& m : s.members) total += m.size();
      return total;
    }
    size_t operator()(const NumberSet& s) const {
      size_t total = 0;
      for (const auto& m : s.members) total += m.StorageSize();
      return total;
    }
    size_t operator()(const BinarySet& s) const {
      size_t total = 0;
      for (const auto& m : s.members) total += m.size();
      return total;
    }
    size_t operator()(const AttributeMap& m) const {
      size_t total = 3;
      for (const auto& [name, v] : m) total += 1 + name.size() + ValueSize(v);
      return total;
    }
    size_t operator()(const AttributeList& l) const {
      size_t total = 3;
      for (const auto& v : l) total += 1 + ValueSize(v);
      return total;
    }
    size_t operator()(const Null&) const { return 1; }
    size_t operator()(bool) const { return 1; }
  };
  return std::visit(Visitor{}, value.variant());
}

size_t NestingDepth(const Item& item) {
  std::vector<std::pair<const AttributeValue*, size_t>> pending;
  for (const auto& [name, v] : item) pending.emplace_back(&v, 1);
  size_t deepest = 0;
  while (!pending.empty()) {
    auto [v, level] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, level);
    if (auto* m = v->get_if<AttributeMap>()) {
      for (const auto& [name, child] : *m) pending.emplace_back(&child, level + 1);
    } else if (auto* l = v->get_if<AttributeList>()) {
      for (const auto& child : *l) pending.emplace_back(&child, level + 1);
    }
  }
  return deepest;
}

size_t ItemSize(const Item& item) {
  size_t total = 0;
  for (const auto& [name, v] : item) total += name.size() + ValueSize(v);
  return total;
}

}  // namespace ddbd::storage
