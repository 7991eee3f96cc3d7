#include "api/expressions/evaluate.h"

#include <algorithm>
#include <map>
#include <optional>

namespace ddbd::api::expressions {
namespace {

using storage::AttributeList;
using storage::AttributeMap;
using storage::AttributeValue;
using storage::Binary;
using storage::Number;
using storage::ValueType;

bool TypeMatches(const AttributeValue& v, const std::string& name) {
  return name == storage::TypeName(v.type());
}

std::optional<Number> SizeOf(const AttributeValue& v) {
  size_t n;
  switch (v.type()) {
    case ValueType::kS:
      n = v.get_if<std::string>()->size();
      break;
    case ValueType::kB:
      n = v.get_if<Binary>()->bytes.size();
      break;
    case ValueType::kSS:
      n = v.get_if<storage::StringSet>()->members.size();
      break;
    case ValueType::kNS:
      n = v.get_if<storage::NumberSet>()->members.size();
      break;
    case ValueType::kBS:
      n = v.get_if<storage::BinarySet>()->members.size();
      break;
    case ValueType::kM:
      n = v.get_if<AttributeMap>()->size();
      break;
    case ValueType::kL:
      n = v.get_if<AttributeList>()->size();
      break;
    default:
      return std::nullopt;
  }
  auto parsed = Number::Parse(std::to_string(n));
  return parsed.ok() ? std::optional<Number>(*parsed) : std::nullopt;
}

bool Contains(const AttributeValue& haystack, const AttributeValue& needle) {
  switch (haystack.type()) {
    case ValueType::kS: {
      auto* s = needle.get_if<std::string>();
      return s && haystack.get_if<std::string>()->find(*s) != std::string::npos;
    }
    case ValueType::kB: {
      auto* b = needle.get_if<Binary>();
      return b && haystack.get_if<Binary>()->bytes.find(b->bytes) != std::string::npos;
    }
    case ValueType::kSS: {
      auto* s = needle.get_if<std::string>();
      auto& m = haystack.get_if<storage::StringSet>()->members;
      return s && std::find(m.begin(), m.end(), *s) != m.end();
    }
    case ValueType::kNS: {
      auto* n = needle.get_if<Number>();
      auto& m = haystack.get_if<storage::NumberSet>()->members;
      return n && std::find(m.begin(), m.end(), *n) != m.end();
    }
    case ValueType::kBS: {
      auto* b = needle.get_if<Binary>();
      auto& m = haystack.get_if<storage::BinarySet>()->members;
      return b && std::find(m.begin(), m.end(), b->bytes) != m.end();
    }
    case ValueType::kL: {
      auto& l = *haystack.get_if<AttributeList>();
      return std::find(l.begin(), l.end(), needle) != l.end();
    }
    default:
      return false;
  }
}

bool BeginsWith(const AttributeValue& v, const AttributeValue& prefix) {
  if (auto* s = v.get_if<std::string>()) {
    auto* p = prefix.get_if<std::string>();
    return p && s->starts_with(*p);
  }
  if (auto* b = v.get_if<Binary>()) {
    auto* p = prefix.get_if<Binary>();
    return p && b->bytes.starts_with(p->bytes);
  }
  return false;
}

bool Compare(Comparator op, const Value& a, const Value& b) {
  if (op == Comparator::kEq) return !a.missing() && !b.missing() && a.get() == b.get();
  if (op == Comparator::kNe) return a.missing() || b.missing() || !(a.get() == b.get());
  if (a.missing() || b.missing()) return false;
  auto c = CompareScalars(a.get(), b.get());
  if (!c) return false;
  switch (op) {
    case Comparator::kLt:
      return *c < 0;
    case Comparator::kLe:
      return *c <= 0;
    case Comparator::kGt:
      return *c > 0;
    case Comparator::kGe:
      return *c >= 0;
    default:
      return false;
  }
}

// What a projection keeps of a value: all of it, or some of its map members / list elements.
// Built from the paths, then applied to the item; its depth is bounded by the paths' (32).
struct Selector {
  bool whole = false;
  std::map<std::string, Selector, std::less<>> members;
  std::map<int64_t, Selector> elements;
};

void AddPath(Selector& root, const Path& path) {
  Selector* cur = &root;
  for (size_t i = 1; i < path.elements.size() && !cur->whole; ++i) {
    const PathElement& e = path.elements[i];
    cur = e.is_index() ? &cur->elements[e.index] : &cur->members[e.name];
  }
  cur->whole = true;
}

// The selected part of `v`, or nothing when no selected path exists in it.
std::optional<AttributeValue> Select(const AttributeValue& v, const Selector& s) {
  if (s.whole) return v;
  if (auto* map = v.get_if<AttributeMap>(); map && !s.members.empty()) {
    AttributeMap out;
    for (const auto& [name, child] : s.members) {
      auto it = map->find(name);
      if (it == map->end()) continue;
      if (auto picked = Select(it->second, child)) out.emplace(name, std::move(*picked));
    }
    if (!out.empty()) return AttributeValue(std::move(out));
  } else if (auto* list = v.get_if<AttributeList>(); list && !s.elements.empty()) {
    AttributeList out;  // picked elements keep their order, not their indexes
    for (const auto& [index, child] : s.elements) {
      if (static_cast<size_t>(index) >= list->size()) continue;
      if (auto picked = Select((*list)[static_cast<size_t>(index)], child)) {
        out.push_back(std::move(*picked));
      }
    }
    if (!out.empty()) return AttributeValue(std::move(out));
  }
  return std::nullopt;
}

}  // namespace

const AttributeValue* FindPath(const storage::Item& item, const Path& path) {
  const AttributeValue* cur = nullptr;
  for (size_t i = 0; i < path.elements.size(); ++i) {
    const PathElement& e = path.elements[i];
    if (i == 0) {
      auto it = item.find(e.name);
      if (it == item.end()) return nullptr;
      cur = &it->second;
      continue;
    }
    if (e.is_index()) {
      auto* list = cur->get_if<AttributeList>();
      if (!list || static_cast<size_t>(e.index) >= list->size()) return nullptr;
      cur = &(*list)[static_cast<size_t>(e.index)];
    } else {
      auto* map = cur->get_if<AttributeMap>();
      if (!map) return nullptr;
      auto it = map->find(e.name);
      if (it == map->end()) return nullptr;
      cur = &it->second;
    }
  }
  return cur;
}

std::optional<int> CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type()) return std::nullopt;
  if (auto* x = a.get_if<Number>()) {
    auto c = *x <=> *b.get_if<Number>();
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  const std::string* x = nullptr;
  const std::string* y = nullptr;
  if (a.type() == ValueType::kS) {
    x = a.get_if<std::string>();
    y = b.get_if<std::string>();
  } else if (a.type() == ValueType::kB) {
    x = &a.get_if<Binary>()->bytes;
    y = &b.get_if<Binary>()->bytes;
  } else {
    return std::nullopt;
  }
  int c = x->compare(*y);  // std::string compares as unsigned char
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Value EvaluateOperand(const Operand& operand, const storage::Item* item) {
  if (auto* p = std::get_if<Path>(&operand.v)) {
    return Value(item ? FindPath(*item, *p) : nullptr);
  }
  if (auto* ref = std::get_if<ValueRef>(&operand.v)) return Value(&ref->value);
  if (auto* call = std::get_if<Call>(&operand.v); call && call->function == Function::kSize) {
    Value arg = EvaluateOperand(call->args[0], item);
    if (arg.missing()) return Value();
    auto size = SizeOf(arg.get());
    return size ? Value(AttributeValue(std::move(*size))) : Value();
  }
  return Value();
}

bool EvaluateCondition(const Condition& condition, const storage::Item* item) {
  struct Visitor {
    const storage::Item* item;
    bool operator()(const Comparison& c) const {
      return Compare(c.op, EvaluateOperand(c.lhs, item), EvaluateOperand(c.rhs, item));
    }
    bool operator()(const Between& b) const {
      Value v = EvaluateOperand(b.subject, item);
      Value lo = EvaluateOperand(b.lower, item);
      Value hi = EvaluateOperand(b.upper, item);
      if (v.missing() || lo.missing() || hi.missing()) return false;
      auto c1 = CompareScalars(lo.get(), v.get());
      auto c2 = CompareScalars(v.get(), hi.get());
      return c1 && c2 && *c1 <= 0 && *c2 <= 0;
    }
    bool operator()(const In& in) const {
      Value v = EvaluateOperand(in.subject, item);
      if (v.missing()) return false;
      for (const auto& c : in.candidates) {
        Value cand = EvaluateOperand(c, item);
        if (!cand.missing() && cand.get() == v.get()) return true;
      }
      return false;
    }
    bool operator()(const Call& c) const {
      Value first = EvaluateOperand(c.args[0], item);
      switch (c.function) {
        case Function::kAttributeExists:
          return !first.missing();
        case Function::kAttributeNotExists:
          return first.missing();
        case Function::kAttributeType: {
          Value t = EvaluateOperand(c.args[1], item);
          auto* name = t.missing() ? nullptr : t.get().get_if<std::string>();
          return !first.missing() && name && TypeMatches(first.get(), *name);
        }
        case Function::kBeginsWith: {
          Value p = EvaluateOperand(c.args[1], item);
          return !first.missing() && !p.missing() && BeginsWith(first.get(), p.get());
        }
        case Function::kContains: {
          Value n = EvaluateOperand(c.args[1], item);
          return !first.missing() && !n.missing() && Contains(first.get(), n.get());
        }
        default:
          return false;
      }
    }
    bool operator()(const Logical& l) const {
      for (const auto& side : l.sides) {
        bool v = EvaluateCondition(side, item);
        if (l.is_and ? !v : v) return v;  // short-circuit
      }
      return l.is_and;
    }
    bool operator()(const Not& n) const { return !EvaluateCondition(n.inner[0], item); }
  };
  return std::visit(Visitor{item}, condition.v);
}

storage::Item Project(const storage::Item& item, const std::vector<Path>& paths) {
  std::map<std::string_view, Selector> roots;
  for (const auto& p : paths) AddPath(roots[p.elements[0].name], p);
  storage::Item out;
  for (const auto& [name, selector] : roots) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    if (auto picked = Select(it->second, selector)) out.emplace(name, std::move(*picked));
  }
  return out;
}

}  // namespace ddbd::api::expressions
