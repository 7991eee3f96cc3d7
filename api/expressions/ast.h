// The expression AST: document paths, operands, conditions and update actions as plain value
// types. The parser builds it with placeholders (#name, :value) unresolved; Resolve() substitutes
// them once; afterwards it is only read (evaluated many times, e.g. by a filter).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "storage/value.h"

namespace ddbd::api::expressions {

// Paths deeper than this are rejected while parsing, so later recursion is bounded.
inline constexpr size_t kMaxPathDepth = 32;

struct PathElement {
  std::string name;          // map key (after resolution), or the #placeholder before it
  int64_t index = -1;        // list index when >= 0
  bool placeholder = false;  // name is a #placeholder still to resolve
  bool is_index() const { return index >= 0; }
  bool operator==(const PathElement& o) const { return name == o.name && index == o.index; }
};

struct Path {
  std::vector<PathElement> elements;
  size_t offset = 0;  // where it starts in the expression text (messages list paths in order)
  // DynamoDB's rendering in messages: [a, b, [2]]
  std::string ToString() const;
};

struct Operand;

struct ValueRef {
  std::string placeholder;        // ":v"
  storage::AttributeValue value;  // filled by Resolve
};

enum class Function {
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains,
  kSize,
  kIfNotExists,
  kListAppend,
};
const char* FunctionName(Function f);

struct Call {
  Function function;
  std::vector<Operand> args;
};

struct Arithmetic {
  char op;                     // '+' or '-'
  std::vector<Operand> sides;  // exactly two
};

struct Operand {
  std::variant<Path, ValueRef, Call, Arithmetic> v;
};

enum class Comparator { kEq, kNe, kLt, kLe, kGt, kGe };
const char* ComparatorText(Comparator c);

struct Condition;

struct Comparison {
  Comparator op;
  Operand lhs, rhs;
};
struct Between {
  Operand subject, lower, upper;
};
struct In {
  Operand subject;
  std::vector<Operand> candidates;
};
struct Logical {
  bool is_and;
  std::vector<Condition> sides;  // two or more: a chain of one operator is one node
};
struct Not {
  std::vector<Condition> inner;  // exactly one
};

struct Condition {
  std::variant<Comparison, Between, In, Call, Logical, Not> v;
};

struct SetAction {
  Path path;
  Operand value;
};
struct PathValueAction {  // ADD and DELETE
  Path path;
  Operand value;
};

struct UpdateExpression {
  bool legacy = false;  // built from AttributeUpdates: type errors use the legacy wording
  std::vector<SetAction> set;
  std::vector<Path> remove;
  std::vector<PathValueAction> add;
  std::vector<PathValueAction> del;
};

struct Projection {
  std::vector<Path> paths;
};

}  // namespace ddbd::api::expressions
