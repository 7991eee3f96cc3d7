#include "api/expressions/parser.h"

#include <catch2/catch.hpp>

#include "api/errors.h"

using namespace ddbd::api::expressions;
using ddbd::api::ApiError;

namespace {

std::string ConditionError(const std::string& text) {
  try {
    ParseCondition(text);
  } catch (const ApiError& e) {
    CHECK(e.code() == "ValidationException");
    return e.message();
  }
  FAIL("expected a parse error for: " << text);
  return "";
}

std::string UpdateError(const std::string& text) {
  try {
    ParseUpdate(text);
  } catch (const ApiError& e) {
    return e.message();
  }
  FAIL("expected a parse error for: " << text);
  return "";
}

}  // namespace

TEST_CASE("syntax errors quote the token and its neighbours") {
  CHECK(UpdateError("INVALID SYNTAX") ==
        "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"");
  CHECK(ConditionError("a =") ==
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  CHECK(ConditionError("user-id = :v") ==
        "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"user-id\"");
  CHECK(ConditionError("a = :v b") ==
        "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b\"");
  CHECK(ConditionError("") == "Invalid ConditionExpression: The expression can not be empty;");
}

TEST_CASE("AND binds tighter than OR, NOT tighter than AND") {
  Condition c = ParseCondition("a = :x OR b = :y AND NOT c = :z");
  auto* top = std::get_if<Logical>(&c.v);
  REQUIRE(top);
  CHECK_FALSE(top->is_and);
  auto* right = std::get_if<Logical>(&top->sides[1].v);
  REQUIRE(right);
  CHECK(right->is_and);
  CHECK(std::holds_alternative<Not>(right->sides[1].v));
  Condition p = ParseCondition("(a = :x OR b = :y) AND c = :z");
  auto* ptop = std::get_if<Logical>(&p.v);
  REQUIRE(ptop);
  CHECK(ptop->is_and);
}

TEST_CASE("keywords are case-insensitive, function names are not") {
  CHECK_NOTHROW(ParseCondition("a between :x and :y"));
  CHECK_NOTHROW(ParseCondition("a in (:x, :y) or not attribute_exists(b)"));
  CHECK(ConditionError("ATTRIBUTE_EXISTS(a)") ==
        "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS");
}

TEST_CASE("paths parse into names and indexes") {
  Projection p = ParseProjection("a.b[2].c, #n[0][1]");
  REQUIRE(p.paths.size() == 2);
  CHECK(p.paths[0].ToString() == "[a, b, [2], c]");
  CHECK(p.paths[1].elements[0].placeholder);
  CHECK(p.paths[1].ToString() == "[#n, [0], [1]]");
}

TEST_CASE("reserved words cannot be used as bare names") {
  CHECK(
      ConditionError("name = :v") ==
      "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name");
  CHECK_NOTHROW(ParseCondition("#name = :v"));
}

TEST_CASE("function arity and argument kinds are checked") {
  CHECK(ConditionError("attribute_exists(a, b)") ==
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
        "operator or function: attribute_exists, number of operands: 2");
  CHECK(ConditionError("attribute_exists(:v)") ==
        "Invalid ConditionExpression: Operator or function requires a document path; operator or "
        "function: attribute_exists");
  CHECK(ConditionError("size(a)") ==
        "Invalid ConditionExpression: The function is not allowed to be used this way in an "
        "expression; function: size");
  CHECK(ConditionError("attribute_exists(a) = :v") ==
        "Invalid ConditionExpression: The function is not allowed to be used this way in an "
        "expression; function: attribute_exists");
  CHECK(ConditionError("((attribute_exists(a)))") ==
        "Invalid ConditionExpression: The expression has redundant parentheses;");
  CHECK_NOTHROW(ParseCondition("(a = :v) AND (b = :v)"));
  CHECK_NOTHROW(ParseCondition("((a = :v) AND b = :v)"));
  CHECK(ConditionError("if_not_exists(a, :v) = :v")
            .starts_with(
                "Invalid ConditionExpression: The function is not allowed to be used this way"));
}

TEST_CASE("IN accepts at most 100 operands") {
  std::string hundred = "a IN (";
  for (int i = 0; i < 100; ++i) hundred += (i ? ", :v" : ":v") + std::to_string(i);
  CHECK_NOTHROW(ParseCondition(hundred + ")"));
  CHECK(ConditionError(hundred + ", :v100)") ==
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number "
        "of operands: 101");
}

TEST_CASE("syntax errors take precedence over semantic ones") {
  CHECK(ConditionError("name = :v AND (") ==
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"(\"");
  std::string nested(300, '(');
  CHECK(ConditionError(nested + "a = :v" + std::string(300, ')'))
            .starts_with("Invalid ConditionExpression: The expression has too many nested levels"));
}

TEST_CASE("expressions over 4 KB and paths over 32 levels are rejected") {
  std::string big = "a = :v" + std::string(4100, ' ');
  CHECK(ConditionError(big).starts_with(
      "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size"));
  std::string deep = "a";
  for (int i = 0; i < 32; ++i) deep += ".b";
  CHECK(ConditionError("attribute_exists(" + deep + ")") ==
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting "
        "levels: 33");
}

TEST_CASE("update clauses appear at most once and parse their actions") {
  UpdateExpression u = ParseUpdate(
      "SET a = a + :one, b = list_append(if_not_exists(b, :empty), :x) REMOVE c, d[1] ADD e :n "
      "DELETE f :s");
  CHECK(u.set.size() == 2);
  CHECK(std::holds_alternative<Arithmetic>(u.set[0].value.v));
  CHECK(u.remove.size() == 2);
  CHECK(u.add.size() == 1);
  CHECK(u.del.size() == 1);
  CHECK(UpdateError("SET a = :x SET b = :y") ==
        "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
        "expression;");
  CHECK(UpdateError("ADD a b").starts_with("Invalid UpdateExpression: Syntax error; token: \"b\""));
  CHECK(UpdateError("SET a = size(b)") ==
        "Invalid UpdateExpression: The function is not allowed in an update expression; "
        "function: size");
}

TEST_CASE("malformed input never crashes the parser") {
  for (const char* text :
       {"(((((", ")", "a[", "a[1", "a.", "#", ":", "a = = b", "NOT", "a BETWEEN :x", "a IN ()",
        "\xff\xfe", "SET a", "a[99999999999]", "a.b.", "a b"}) {
    INFO(text);
    CHECK_THROWS_AS(ParseCondition(text), ApiError);
    CHECK_THROWS_AS(ParseUpdate(text), ApiError);
    CHECK_THROWS_AS(ParseProjection(text), ApiError);
  }
}
