#include "api/expressions/update.h"

#include <algorithm>
#include <map>

#include "api/errors.h"
#include "api/expressions/evaluate.h"

namespace ddbd::api::expressions {
namespace {

using storage::AttributeList;
using storage::AttributeMap;
using storage::AttributeValue;
using storage::Number;
using storage::ValueType;

ApiError MissingAttribute() {
  return ApiError::Validation(
      "The provided expression refers to an attribute that does not exist in the item");
}
ApiError WrongType() {
  return ApiError::Validation("An operand in the update expression has an incorrect data type");
}
ApiError InvalidPath() {
  return ApiError::Validation(
      "The document path provided in the update expression is invalid for update");
}

// Arithmetic results that cannot be stored exactly: DynamoDB reports an inexact sum (more than
// 38 significant digits) as an overflow, not with the message for a literal of that many digits.
Number Checked(storage::StatusOr<Number> n) {
  if (!n.ok()) {
    if (n.status().message() == Number::kTooManyDigits) {
      throw ApiError::Validation(std::string(Number::kOverflow));
    }
    throw ApiError::Validation(n.status().message());
  }
  return std::move(n).value();
}

// Computes a SET value against the original item.
AttributeValue Compute(const Operand& operand, const storage::Item& original) {
  if (auto* p = std::get_if<Path>(&operand.v)) {
    const AttributeValue* v = FindPath(original, *p);
    if (!v) throw MissingAttribute();
    return *v;
  }
  if (auto* ref = std::get_if<ValueRef>(&operand.v)) return ref->value;
  if (auto* arith = std::get_if<Arithmetic>(&operand.v)) {
    AttributeValue a = Compute(arith->sides[0], original);
    AttributeValue b = Compute(arith->sides[1], original);
    auto* x = a.get_if<Number>();
    auto* y = b.get_if<Number>();
    if (!x || !y) throw WrongType();
    return arith->op == '+' ? Checked(Number::Add(*x, *y)) : Checked(Number::Subtract(*x, *y));
  }
  const Call& call = std::get<Call>(operand.v);
  if (call.function == Function::kIfNotExists) {
    const AttributeValue* v = FindPath(original, std::get<Path>(call.args[0].v));
    return v ? *v : Compute(call.args[1], original);
  }
  // list_append
  AttributeValue a = Compute(call.args[0], original);
  AttributeValue b = Compute(call.args[1], original);
  auto* x = a.get_if<AttributeList>();
  auto* y = b.get_if<AttributeList>();
  if (!x || !y) throw WrongType();
  x->insert(x->end(), std::make_move_iterator(y->begin()), std::make_move_iterator(y->end()));
  return a;
}

// The container holding the path's last element, or nullptr when an intermediate step is
// missing. Throws InvalidPath when a step has the wrong type.
AttributeValue* Parent(storage::Item& item, const Path& path, bool* missing) {
  *missing = false;
  if (path.elements.size() == 1) return nullptr;
  auto it = item.find(path.elements[0].name);
  if (it == item.end()) {
    *missing = true;
    return nullptr;
  }
  AttributeValue* cur = &it->second;
  for (size_t i = 1; i + 1 < path.elements.size(); ++i) {
    const PathElement& e = path.elements[i];
    if (e.is_index()) {
      auto* list = cur->get_if<AttributeList>();
      if (!list) throw InvalidPath();
      if (static_cast<size_t>(e.index) >= list->size()) {
        *missing = true;
        return nullptr;
      }
      cur = &(*list)[static_cast<size_t>(e.index)];
    } else {
      auto* map = cur->get_if<AttributeMap>();
      if (!map) throw InvalidPath();
      auto found = map->find(e.name);
      if (found == map->end()) {
        *missing = true;
        return nullptr;
      }
      cur = &found->second;
    }
  }
  return cur;
}

// The value the path names. With `create`, an absent one is made (a list index past the end
// appends); without, absent is nullptr. Either way its parent must exist.
AttributeValue* Locate(storage::Item& item, const Path& path, bool create) {
  if (path.elements.size() == 1) {
    if (create) return &item[path.elements[0].name];
    auto it = item.find(path.elements[0].name);
    return it == item.end() ? nullptr : &it->second;
  }
  bool missing;
  AttributeValue* parent = Parent(item, path, &missing);
  if (missing) throw InvalidPath();
  const PathElement& last = path.elements.back();
  if (last.is_index()) {
    auto* list = parent->get_if<AttributeList>();
    if (!list) throw InvalidPath();
    auto index = static_cast<size_t>(last.index);
    if (index < list->size()) return &(*list)[index];
    return create ? &list->emplace_back() : nullptr;
  }
  auto* map = parent->get_if<AttributeMap>();
  if (!map) throw InvalidPath();
  if (create) return &(*map)[last.name];
  auto it = map->find(last.name);
  return it == map->end() ? nullptr : &it->second;
}

void Remove(storage::Item& item, const Path& path) {
  if (path.elements.size() == 1) {
    item.erase(path.elements[0].name);
    return;
  }
  bool missing;
  AttributeValue* parent = Parent(item, path, &missing);
  if (missing) throw InvalidPath();  // only the last step may be absent
  const PathElement& last = path.elements.back();
  if (last.is_index()) {
    auto* list = parent->get_if<AttributeList>();
    if (!list) throw InvalidPath();
    if (static_cast<size_t>(last.index) < list->size()) list->erase(list->begin() + last.index);
  } else {
    auto* map = parent->get_if<AttributeMap>();
    if (!map) throw InvalidPath();
    map->erase(last.name);
  }
}

// Set algebra in O((n + m) log n): members are compared through sorted pointers, never pairwise.
template <typename T>
std::vector<const T*> SortedPointers(const std::vector<T>& v) {
  std::vector<const T*> out;
  out.reserve(v.size());
  for (const T& m : v) out.push_back(&m);
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) { return *a < *b; });
  return out;
}

template <typename T>
bool SortedContains(const std::vector<const T*>& sorted, const T& x) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), x,
                             [](const T* m, const T& v) { return *m < v; });
  return it != sorted.end() && **it == x;
}

template <typename T>
void Union(std::vector<T>& into, const std::vector<T>& add) {
  std::vector<T> fresh;
  {
    auto present = SortedPointers(into);
    for (const auto& m : add) {
      if (!SortedContains(present, m)) fresh.push_back(m);
    }
  }
  into.insert(into.end(), std::make_move_iterator(fresh.begin()),
              std::make_move_iterator(fresh.end()));
}

template <typename T>
void Difference(std::vector<T>& from, const std::vector<T>& drop) {
  auto dropped = SortedPointers(drop);
  std::erase_if(from, [&](const T& m) { return SortedContains(dropped, m); });
}

// REMOVE targets are named by the original item's indexes. Removing them deepest-and-highest
// first keeps every other target where it was: at the first step where two paths differ, the
// one with the higher list index goes first (removing it shifts nothing the other names).
bool RemoveFirst(const Path* a, const Path* b) {
  size_t n = std::min(a->elements.size(), b->elements.size());
  for (size_t k = 0; k < n; ++k) {
    const PathElement& x = a->elements[k];
    const PathElement& y = b->elements[k];
    if (x == y) continue;
    if (x.is_index() && y.is_index()) return x.index > y.index;
    if (x.is_index() != y.is_index()) return x.is_index();
    return x.name < y.name;
  }
  return a->elements.size() > b->elements.size();
}

// DELETE and ADD leave no empty set behind: DynamoDB removes the attribute instead.
bool IsEmptySet(const AttributeValue& v) {
  if (auto* s = v.get_if<storage::StringSet>()) return s->members.empty();
  if (auto* s = v.get_if<storage::NumberSet>()) return s->members.empty();
  if (auto* s = v.get_if<storage::BinarySet>()) return s->members.empty();
  return false;
}

bool PrefixOf(const Path& a, const Path& b) {
  if (a.elements.size() > b.elements.size()) return false;
  return std::equal(a.elements.begin(), a.elements.end(), b.elements.begin());
}

}  // namespace

storage::Item ApplyUpdate(const UpdateExpression& update, storage::Item item) {
  // Every SET value is computed before anything changes, so they all see the original item;
  // ADD/DELETE/REMOVE paths never overlap a SET path (CheckPathsDisjoint), so no copy is needed.
  std::vector<AttributeValue> values;
  values.reserve(update.set.size());
  for (const auto& a : update.set) values.push_back(Compute(a.value, item));
  // Elements set past the end of a list are appended in index order, whatever the text order.
  std::vector<size_t> order(update.set.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return update.set[a].path.elements.back().index < update.set[b].path.elements.back().index;
  });
  for (size_t i : order) *Locate(item, update.set[i].path, true) = std::move(values[i]);
  auto type_error = [&] {
    return update.legacy ? ApiError::Validation("Type mismatch for attribute to update")
                         : WrongType();
  };
  for (const auto& a : update.add) {
    const AttributeValue& v = std::get<ValueRef>(a.value.v).value;
    AttributeValue* cur = Locate(item, a.path, false);
    if (!cur) {
      *Locate(item, a.path, true) = v;
      continue;
    }
    if (cur->type() != v.type()) throw type_error();
    if (auto* n = cur->get_if<Number>()) {
      *n = Checked(Number::Add(*n, *v.get_if<Number>()));
    } else if (auto* ss = cur->get_if<storage::StringSet>()) {
      Union(ss->members, v.get_if<storage::StringSet>()->members);
    } else if (auto* ns = cur->get_if<storage::NumberSet>()) {
      Union(ns->members, v.get_if<storage::NumberSet>()->members);
    } else if (auto* bs = cur->get_if<storage::BinarySet>()) {
      Union(bs->members, v.get_if<storage::BinarySet>()->members);
    } else {
      throw type_error();
    }
  }
  for (const auto& a : update.del) {
    const AttributeValue& v = std::get<ValueRef>(a.value.v).value;
    AttributeValue* cur = Locate(item, a.path, false);
    if (!cur) continue;
    if (cur->type() != v.type()) throw type_error();
    if (auto* ss = cur->get_if<storage::StringSet>()) {
      Difference(ss->members, v.get_if<storage::StringSet>()->members);
    } else if (auto* ns = cur->get_if<storage::NumberSet>()) {
      Difference(ns->members, v.get_if<storage::NumberSet>()->members);
    } else if (auto* bs = cur->get_if<storage::BinarySet>()) {
      Difference(bs->members, v.get_if<storage::BinarySet>()->members);
    }
    if (IsEmptySet(*cur)) Remove(item, a.path);
  }
  std::vector<const Path*> removals;
  for (const auto& p : update.remove) removals.push_back(&p);
  std::stable_sort(removals.begin(), removals.end(), RemoveFirst);
  for (const Path* p : removals) Remove(item, *p);
  return item;
}

std::vector<Path> UpdatedPaths(const UpdateExpression& update) {
  std::vector<Path> paths;
  for (const auto& a : update.set) paths.push_back(a.path);
  for (const auto& p : update.remove) paths.push_back(p);
  for (const auto& a : update.add) paths.push_back(a.path);
  for (const auto& a : update.del) paths.push_back(a.path);
  return paths;
}

void CheckPathsDisjoint(const std::vector<Path>& unordered, std::string_view kind) {
  // Messages name the two paths in the order they appear in the expression.
  std::vector<Path> paths = unordered;
  std::stable_sort(paths.begin(), paths.end(),
                   [](const Path& a, const Path& b) { return a.offset < b.offset; });
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const Path& a = paths[i];
      const Path& b = paths[j];
      if (PrefixOf(a, b) || PrefixOf(b, a)) {
        throw ApiError::Validation(
            "Invalid " + std::string(kind) +
            ": Two document paths overlap with each other; must remove or rewrite one of these "
            "paths; path one: " +
            a.ToString() + ", path two: " + b.ToString());
      }
      size_t n = std::min(a.elements.size(), b.elements.size());
      for (size_t k = 0; k < n; ++k) {
        if (a.elements[k] == b.elements[k]) continue;
        if (a.elements[k].is_index() != b.elements[k].is_index()) {
          throw ApiError::Validation(
              "Invalid " + std::string(kind) +
              ": Two document paths conflict with each other; must remove or rewrite one of "
              "these paths; path one: " +
              a.ToString() + ", path two: " + b.ToString());
        }
        break;
      }
    }
  }
}

}  // namespace ddbd::api::expressions
