// Resolve: substitutes ExpressionAttributeNames / ExpressionAttributeValues into parsed
// expressions once, records which were used (DynamoDB rejects unused ones) and runs the checks
// that need the values' types (begins_with operands, attribute_type names, BETWEEN bounds).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "api/expressions/ast.h"
#include "storage/value.h"

namespace ddbd::api::expressions {

using NameMap = std::map<std::string, std::string, std::less<>>;

class Resolver {
 public:
  // Either map may be null when the request did not send it.
  Resolver(const NameMap* names, const storage::AttributeMap* values)
      : names_(names), values_(values) {}

  void Resolve(Condition& condition, std::string_view kind);
  void Resolve(UpdateExpression& update);
  void Resolve(Projection& projection);

  // Throws DynamoDB's "unused in expressions" validation error when a name or value was sent
  // but no expression used it.
  void CheckAllUsed() const;

 private:
  void ResolvePath(Path& path, std::string_view kind);
  void ResolveOperand(Operand& operand, std::string_view kind);
  void ResolveCall(Call& call, std::string_view kind);

  const NameMap* names_;
  const storage::AttributeMap* values_;
  std::set<std::string, std::less<>> used_names_;
  std::set<std::string, std::less<>> used_values_;
};

// The DynamoDB rendering of a value in messages, e.g. "{N:10}" / "{S:abc}".
std::string DescribeValue(const storage::AttributeValue& value);

}  // namespace ddbd::api::expressions
