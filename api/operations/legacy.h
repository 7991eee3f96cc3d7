// The legacy conditional and update parameters (Developer Guide: "Legacy conditional
// parameters"): Expected + ConditionalOperator become a Condition, AttributeUpdates an
// UpdateExpression, so they share the expression evaluator and the atomic Mutate path. Java
// SDK v1's DynamoDBMapper writes its optimistic locking this way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/expressions/ast.h"
#include "storage/value.h"

namespace ddbd::api {

struct ExpectedAttribute {
  std::optional<storage::AttributeValue> value;
  std::optional<bool> exists;
  std::optional<std::string> comparison_operator;
  std::optional<std::vector<storage::AttributeValue>> attribute_value_list;
};

struct AttributeUpdate {
  std::optional<storage::AttributeValue> value;
  std::string action = "PUT";  // PUT, ADD or DELETE
};

using ExpectedMap = std::map<std::string, ExpectedAttribute>;
using AttributeUpdateMap = std::map<std::string, AttributeUpdate>;

// Throws ValidationException for malformed entries, in the service's words. An empty Expected
// map is no condition at all.
std::optional<expressions::Condition> ConditionFromExpected(
    const ExpectedMap& expected, const std::optional<std::string>& conditional_operator);
expressions::UpdateExpression UpdateFromAttributeUpdates(const AttributeUpdateMap& updates);
// Query's KeyConditions as one AND of conditions (EQ, LE, LT, GE, GT, BEGINS_WITH, BETWEEN
// only), for the same key-condition analysis as a KeyConditionExpression.
expressions::Condition ConditionFromKeyConditions(const ExpectedMap& key_conditions);

}  // namespace ddbd::api
