// Hand-written lexer and recursive-descent parser for DynamoDB's condition, update, projection
// (and key-condition) expressions. Errors are ApiError validations in DynamoDB's wording:
//   Invalid ConditionExpression: Syntax error; token: "x", near: "a x b"
// The returned AST still holds #name / :value placeholders; see resolve.h.
#pragma once

#include <string_view>

#include "api/expressions/ast.h"

namespace ddbd::api::expressions {

// Expression kinds name the request parameter in messages ("Invalid <kind>: ...").
inline constexpr std::string_view kConditionExpression = "ConditionExpression";
inline constexpr std::string_view kFilterExpression = "FilterExpression";
inline constexpr std::string_view kKeyConditionExpression = "KeyConditionExpression";
inline constexpr std::string_view kUpdateExpression = "UpdateExpression";
inline constexpr std::string_view kProjectionExpression = "ProjectionExpression";

// Expressions longer than this (bytes) are rejected.
inline constexpr size_t kMaxExpressionBytes = 4096;

Condition ParseCondition(std::string_view text, std::string_view kind = kConditionExpression);
UpdateExpression ParseUpdate(std::string_view text);
Projection ParseProjection(std::string_view text);

}  // namespace ddbd::api::expressions
