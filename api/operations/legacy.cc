#include "api/operations/legacy.h"

#include <set>

#include "api/errors.h"

namespace ddbd::api {
namespace {

using expressions::Call;
using expressions::Comparator;
using expressions::Condition;
using expressions::Function;
using expressions::Operand;
using expressions::Path;
using storage::AttributeValue;
using storage::ValueType;

ApiError Invalid(const std::string& msg) {
  return ApiError::Validation("One or more parameter values were invalid: " + msg);
}

Path TopLevel(const std::string& name) {
  Path p;
  p.elements.push_back({name, -1, false});
  return p;
}

Operand PathOperand(const std::string& name) { return Operand{TopLevel(name)}; }
Operand ValueOperand(const AttributeValue& v) { return Operand{expressions::ValueRef{"", v}}; }

bool IsScalar(const AttributeValue& v) {
  return v.type() == ValueType::kS || v.type() == ValueType::kN || v.type() == ValueType::kB;
}

Condition FromComparison(const std::string& name, const std::string& op,
                         const std::vector<AttributeValue>& args) {
  auto need = [&](size_t n) {
    if (args.size() != n) {
      throw Invalid("Invalid number of argument(s) for the " + op + " ComparisonOperator");
    }
  };
  auto scalar_args = [&] {
    for (const auto& a : args) {
      if (!IsScalar(a)) {
        throw Invalid("ComparisonOperator " + op + " is not valid for " +
                      storage::TypeName(a.type()) + " AttributeValue type");
      }
    }
  };
  static const std::map<std::string, Comparator> kComparators = {
      {"EQ", Comparator::kEq}, {"NE", Comparator::kNe}, {"LT", Comparator::kLt},
      {"LE", Comparator::kLe}, {"GT", Comparator::kGt}, {"GE", Comparator::kGe}};
  if (auto it = kComparators.find(op); it != kComparators.end()) {
    need(1);
    if (op != "EQ" && op != "NE") scalar_args();
    return Condition{expressions::Comparison{it->second, PathOperand(name), ValueOperand(args[0])}};
  }
  if (op == "NOT_NULL" || op == "NULL") {
    need(0);
    return Condition{Call{op == "NULL" ? Function::kAttributeNotExists : Function::kAttributeExists,
                          {PathOperand(name)}}};
  }
  if (op == "CONTAINS" || op == "NOT_CONTAINS") {
    need(1);
    scalar_args();
    Condition c{Call{Function::kContains, {PathOperand(name), ValueOperand(args[0])}}};
    if (op == "CONTAINS") return c;
    // NOT_CONTAINS needs the attribute to be there (unlike NOT contains(...) in an expression).
    Condition exists{Call{Function::kAttributeExists, {PathOperand(name)}}};
    return Condition{expressions::Logical{
        true, {std::move(exists), Condition{expressions::Not{{std::move(c)}}}}}};
  }
  if (op == "BEGINS_WITH") {
    need(1);
    if (args[0].type() != ValueType::kS && args[0].type() != ValueType::kB) {
      throw Invalid("ComparisonOperator BEGINS_WITH is not valid for " +
                    std::string(storage::TypeName(args[0].type())) + " AttributeValue type");
    }
    return Condition{Call{Function::kBeginsWith, {PathOperand(name), ValueOperand(args[0])}}};
  }
  if (op == "IN") {
    if (args.empty()) throw Invalid("Invalid number of argument(s) for the IN ComparisonOperator");
    scalar_args();
    expressions::In in{PathOperand(name), {}};
    for (const auto& a : args) in.candidates.push_back(ValueOperand(a));
    return Condition{std::move(in)};
  }
  if (op == "BETWEEN") {
    need(2);
    scalar_args();
    if (args[0].type() != args[1].type()) {
      throw Invalid("AttributeValues inside AttributeValueList must be of same type");
    }
    return Condition{
        expressions::Between{PathOperand(name), ValueOperand(args[0]), ValueOperand(args[1])}};
  }
  throw ApiError::Validation("1 validation error detected: Value '" + op + "' at 'expected." +
                             name +
                             ".member.comparisonOperator' failed to satisfy constraint: Member "
                             "must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, "
                             "EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
}

// The checks run in the service's order; every message names the attribute.
Condition FromExpected(const std::string& name, const ExpectedAttribute& e) {
  const std::string where = " for Attribute: " + name;
  if (e.exists && e.comparison_operator) {
    throw Invalid("Exists and ComparisonOperator cannot be used together" + where);
  }
  if (e.value && e.attribute_value_list) {
    throw Invalid("Value and AttributeValueList cannot be used together" + where);
  }
  if (e.attribute_value_list && !e.comparison_operator) {
    throw Invalid("AttributeValueList can only be used with a ComparisonOperator" + where);
  }
  if (e.exists == false && e.value)
    throw Invalid("Value cannot be used when Exists is false" + where);
  if (e.comparison_operator) {
    // A Value with a ComparisonOperator is a one-element AttributeValueList.
    std::vector<AttributeValue> args;
    if (e.attribute_value_list) {
      args = *e.attribute_value_list;
    } else if (e.value) {
      args.push_back(*e.value);
    } else if (*e.comparison_operator != "NULL" && *e.comparison_operator != "NOT_NULL") {
      throw Invalid("Value or AttributeValueList must be used with ComparisonOperator: " +
                    *e.comparison_operator + where);
    }
    return FromComparison(name, *e.comparison_operator, args);
  }
  if (e.exists == false) return Condition{Call{Function::kAttributeNotExists, {PathOperand(name)}}};
  if (!e.value) {
    throw Invalid(std::string("Value must be provided when Exists is ") +
                  (e.exists ? "true" : "null") + where);
  }
  return Condition{
      expressions::Comparison{Comparator::kEq, PathOperand(name), ValueOperand(*e.value)}};
}

}  // namespace

std::optional<Condition> ConditionFromExpected(
    const ExpectedMap& expected, const std::optional<std::string>& conditional_operator) {
  if (conditional_operator && expected.size() < 2) {
    throw ApiError::Validation(
        expected.empty()
            ? "ConditionalOperator cannot be used without Filter or Expected"
            : "ConditionalOperator can only be used when Filter or Expected has two or more "
              "elements");
  }
  // One n-ary node over every entry: linear to build, and flat to evaluate and destroy however
  // many entries a request sends.
  expressions::Logical all{conditional_operator.value_or("AND") != "OR", {}};
  all.sides.reserve(expected.size());
  for (const auto& [name, e] : expected) all.sides.push_back(FromExpected(name, e));
  if (all.sides.empty()) return std::nullopt;
  if (all.sides.size() == 1) return std::move(all.sides[0]);
  return Condition{std::move(all)};
}

expressions::Condition ConditionFromKeyConditions(const ExpectedMap& key_conditions) {
  static const std::set<std::string> kIndexable = {"EQ", "LE",          "LT",     "GE",
                                                   "GT", "BEGINS_WITH", "BETWEEN"};
  expressions::Logical all{true, {}};
  for (const auto& [name, e] : key_conditions) {
    if (!e.comparison_operator) {
      throw ApiError::Validation("1 validation error detected: Value null at 'keyConditions." +
                                 name +
                                 ".member.comparisonOperator' failed to satisfy constraint: "
                                 "Member must not be null");
    }
    if (!kIndexable.count(*e.comparison_operator)) {
      throw ApiError::Validation("Attempted conditional constraint is not an indexable operation");
    }
    all.sides.push_back(
        FromComparison(name, *e.comparison_operator,
                       e.attribute_value_list.value_or(std::vector<storage::AttributeValue>{})));
  }
  if (all.sides.size() == 1) return std::move(all.sides[0]);
  return Condition{std::move(all)};
}

expressions::UpdateExpression UpdateFromAttributeUpdates(const AttributeUpdateMap& updates) {
  expressions::UpdateExpression u;
  u.legacy = true;
  for (const auto& [name, update] : updates) {
    const std::string& action = update.action;
    if (action == "PUT") {
      if (!update.value)
        throw Invalid("Only DELETE action is allowed when no attribute value is specified");
      u.set.push_back({TopLevel(name), ValueOperand(*update.value)});
    } else if (action == "DELETE") {
      if (!update.value) {
        u.remove.push_back(TopLevel(name));
        continue;
      }
      ValueType t = update.value->type();
      if (t != ValueType::kSS && t != ValueType::kNS && t != ValueType::kBS) {
        throw Invalid("DELETE action with value is not supported for the type " +
                      std::string(storage::TypeName(t)));
      }
      u.del.push_back({TopLevel(name), ValueOperand(*update.value)});
    } else if (action == "ADD") {
      if (!update.value)
        throw Invalid("Only DELETE action is allowed when no attribute value is specified");
      ValueType t = update.value->type();
      if (t == ValueType::kL) {
        // ADD on a list appends (the expression language spells it list_append).
        Operand current{Call{Function::kIfNotExists,
                             {PathOperand(name), ValueOperand(storage::AttributeList{})}}};
        u.set.push_back(
            {TopLevel(name), Operand{Call{Function::kListAppend,
                                          {std::move(current), ValueOperand(*update.value)}}}});
      } else if (t == ValueType::kN || t == ValueType::kSS || t == ValueType::kNS ||
                 t == ValueType::kBS) {
        u.add.push_back({TopLevel(name), ValueOperand(*update.value)});
      } else {
        throw Invalid("ADD action is not supported for the type " +
                      std::string(storage::TypeName(t)));
      }
    } else {
      throw ApiError::Validation("1 validation error detected: Value '" + action +
                                 "' at 'attributeUpdates." + name +
                                 ".member.action' failed to satisfy constraint: Member must "
                                 "satisfy enum value set: [ADD, PUT, DELETE]");
    }
  }
  return u;
}

}  // namespace ddbd::api
