// Evaluation of resolved expressions against an item: document-path lookup, condition truth
// (DynamoDB's rules: a missing attribute or a type mismatch makes a comparison false, not an
// error) and projection. Everything here is pure and may run any number of times.
#pragma once

#include <optional>

#include "api/expressions/ast.h"
#include "storage/value.h"

namespace ddbd::api::expressions {

// The attribute a path names, or nullptr when the item has nothing there.
const storage::AttributeValue* FindPath(const storage::Item& item, const Path& path);

// A value produced by an operand: a pointer into the item or the expression, or a computed
// value; empty when the operand names nothing.
class Value {
 public:
  Value() = default;
  explicit Value(const storage::AttributeValue* ptr) : ptr_(ptr) {}
  explicit Value(storage::AttributeValue owned) : owned_(std::move(owned)), ptr_(&*owned_) {}
  Value(const Value&) = delete;
  Value(Value&& o) noexcept : owned_(std::move(o.owned_)), ptr_(owned_ ? &*owned_ : o.ptr_) {}
  bool missing() const { return ptr_ == nullptr; }
  const storage::AttributeValue& get() const { return *ptr_; }

 private:
  std::optional<storage::AttributeValue> owned_;
  const storage::AttributeValue* ptr_ = nullptr;
};

// Condition and filter operands: paths, values and size(). `item` may be null (no item).
Value EvaluateOperand(const Operand& operand, const storage::Item* item);
bool EvaluateCondition(const Condition& condition, const storage::Item* item);

// DynamoDB ordering of two scalars of the same type (N numerically, S and B by bytes);
// nullopt when the types differ or are not comparable.
std::optional<int> CompareScalars(const storage::AttributeValue& a,
                                  const storage::AttributeValue& b);

// The item reduced to the projected paths. List elements picked by index are gathered, in
// index order, into a shorter list, as DynamoDB does.
storage::Item Project(const storage::Item& item, const std::vector<Path>& paths);

}  // namespace ddbd::api::expressions
