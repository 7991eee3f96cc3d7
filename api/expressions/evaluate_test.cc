#include "api/expressions/evaluate.h"

#include <catch2/catch.hpp>

#include "api/errors.h"
#include "api/expressions/parser.h"
#include "api/expressions/resolve.h"

using namespace ddbd::api::expressions;
using namespace ddbd::storage;
using ddbd::api::ApiError;

namespace {

AttributeValue N(const char* text) { return AttributeValue(*Number::Parse(text)); }
AttributeValue S(const char* text) { return AttributeValue(std::string(text)); }

Item Sample() {
  Item item;
  item["pk"] = S("k");
  item["version"] = N("3");
  item["name"] = S("Original");
  item["tags"] = StringSet{{"red", "blue"}};
  item["nums"] = NumberSet{{*Number::Parse("1"), *Number::Parse("2")}};
  item["lst"] = AttributeList{S("x"), N("7"), AttributeValue(AttributeMap{{"c", S("deep")}})};
  item["m"] = AttributeMap{{"b", AttributeValue(AttributeList{N("0"), N("1"), N("2")})}};
  item["bin"] = Binary{"\x01\x02\x03"};
  item["flag"] = true;
  item["nothing"] = Null{};
  return item;
}

bool Eval(const std::string& text, const AttributeMap& values, const Item* item,
          const NameMap& names = {}) {
  Condition c = ParseCondition(text);
  Resolver r(names.empty() ? nullptr : &names, values.empty() ? nullptr : &values);
  r.Resolve(c, kConditionExpression);
  r.CheckAllUsed();
  return EvaluateCondition(c, item);
}

}  // namespace

TEST_CASE("comparisons follow DynamoDB's typing rules") {
  Item item = Sample();
  CHECK(Eval("version = :v", {{":v", N("3.0")}}, &item));
  CHECK_FALSE(Eval("version = :v", {{":v", S("3")}}, &item));
  CHECK(Eval("version < :v", {{":v", N("10")}}, &item));
  CHECK_FALSE(Eval("version < :v", {{":v", S("10")}}, &item));  // cross-type: false
  CHECK(Eval("#n >= :v", {{":v", S("Orig")}}, &item, {{"#n", "name"}}));
  CHECK(Eval("version <> :v", {{":v", N("4")}}, &item));
  CHECK(Eval("absent <> :v", {{":v", N("4")}}, &item));  // a missing attribute is not equal
  CHECK_FALSE(Eval("absent = :v", {{":v", N("4")}}, &item));
  CHECK_FALSE(Eval("absent < :v", {{":v", N("4")}}, &item));
  CHECK(Eval("tags = :v", {{":v", AttributeValue(StringSet{{"blue", "red"}})}}, &item));
}

TEST_CASE("BETWEEN and IN") {
  Item item = Sample();
  CHECK(Eval("version BETWEEN :a AND :b", {{":a", N("3")}, {":b", N("5")}}, &item));
  CHECK_FALSE(Eval("version BETWEEN :a AND :b", {{":a", N("4")}, {":b", N("5")}}, &item));
  CHECK(Eval("version IN (:a, :b)", {{":a", N("1")}, {":b", N("3")}}, &item));
  CHECK_FALSE(Eval("version IN (:a)", {{":a", S("3")}}, &item));
  CHECK_THROWS_WITH(Eval("version BETWEEN :a AND :b", {{":a", N("5")}, {":b", N("4")}}, &item),
                    "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be "
                    "greater than or equal to lower bound; lower bound operand: AttributeValue: "
                    "{N:5}, upper bound operand: AttributeValue: {N:4}");
}

TEST_CASE("functions") {
  Item item = Sample();
  CHECK(Eval("attribute_exists(version)", {}, &item));
  CHECK(Eval("attribute_not_exists(pk)", {}, nullptr));
  CHECK_FALSE(Eval("attribute_exists(pk)", {}, nullptr));
  CHECK(Eval("attribute_exists(lst[2].c)", {}, &item));
  CHECK_FALSE(Eval("attribute_exists(lst[3])", {}, &item));
  CHECK(Eval("attribute_type(tags, :t)", {{":t", S("SS")}}, &item));
  CHECK(Eval("attribute_type(#n, :t)", {{":t", S("NULL")}}, &item, {{"#n", "nothing"}}));
  CHECK_FALSE(Eval("attribute_type(tags, :t)", {{":t", S("L")}}, &item));
  CHECK(Eval("begins_with(#n, :p)", {{":p", S("Orig")}}, &item, {{"#n", "name"}}));
  CHECK(Eval("begins_with(bin, :p)", {{":p", AttributeValue(Binary{"\x01\x02"})}}, &item));
  CHECK(Eval("contains(tags, :t)", {{":t", S("red")}}, &item));
  CHECK_FALSE(Eval("contains(tags, :t)", {{":t", S("green")}}, &item));
  CHECK(Eval("contains(nums, :t)", {{":t", N("2.0")}}, &item));
  CHECK(Eval("contains(lst, :t)", {{":t", N("7")}}, &item));
  CHECK(Eval("contains(#n, :t)", {{":t", S("rig")}}, &item, {{"#n", "name"}}));
  CHECK(Eval("size(tags) = :two", {{":two", N("2")}}, &item));
  CHECK(Eval("size(m.b) = :three", {{":three", N("3")}}, &item));
  CHECK(Eval("size(bin) = :three", {{":three", N("3")}}, &item));
  CHECK_FALSE(Eval("size(version) = :one", {{":one", N("1")}}, &item));
  CHECK_THROWS_WITH(Eval("attribute_type(tags, :t)", {{":t", S("XX")}}, &item),
                    "Invalid ConditionExpression: Invalid attribute type name found; type: XX, "
                    "valid types: { B,BOOL,BS,L,M,N,NS,NULL,S,SS }");
  CHECK_THROWS_WITH(Eval("begins_with(tags, :p)", {{":p", N("1")}}, &item),
                    "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                    "operator or function: begins_with, operand type: N");
}

TEST_CASE("placeholders: undefined and unused ones are rejected") {
  Item item = Sample();
  CHECK_THROWS_WITH(Eval("#x = :v", {{":v", N("1")}}, &item),
                    "Invalid ConditionExpression: An expression attribute name used in the "
                    "document path is not defined; attribute name: #x");
  CHECK_THROWS_WITH(Eval("version = :v", {}, &item),
                    "Invalid ConditionExpression: An expression attribute value used in expression "
                    "is not defined; attribute value: :v");
  CHECK_THROWS_WITH(Eval("version = :v", {{":v", N("1")}}, &item, {{"#unused", "x"}}),
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                    "{#unused}");
  CHECK_THROWS_WITH(
      Eval("version = :v", {{":v", N("1")}, {":w", N("2")}}, &item),
      "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
}

TEST_CASE("projection gathers paths and list elements") {
  Item item = Sample();
  Projection p = ParseProjection("pk, m.b[2], m.b[0], lst[2].c, absent, lst[9]");
  Item out = Project(item, p.paths);
  CHECK(out.size() == 3);
  CHECK(out["pk"] == S("k"));
  CHECK(out["m"] ==
        AttributeValue(AttributeMap{{"b", AttributeValue(AttributeList{N("0"), N("2")})}}));
  CHECK(out["lst"] ==
        AttributeValue(AttributeList{AttributeValue(AttributeMap{{"c", S("deep")}})}));
}

TEST_CASE("projection keeps maps as maps whatever their keys") {
  // A map whose first key is "" or starts with NUL once came back as a list.
  Item item;
  item["m"] = AttributeMap{{"", S("empty")}, {std::string("\0x", 2), S("nul")}, {"z", S("zz")}};
  item["l"] = AttributeList{S("a"), AttributeMap{{"", S("e")}}, S("c")};
  Projection p = ParseProjection("m, l[1], l[2]");
  Item out = Project(item, p.paths);
  CHECK(out["m"] == item["m"]);
  CHECK(out["l"] == AttributeValue(AttributeList{AttributeMap{{"", S("e")}}, S("c")}));
  Projection q = ParseProjection("l[1].#e");
  NameMap names{{"#e", ""}};
  Resolver r(&names, nullptr);
  r.Resolve(q);
  out = Project(item, q.paths);
  CHECK(out["l"] == AttributeValue(AttributeList{AttributeMap{{"", S("e")}}}));
  // Paths that do not exist contribute nothing, not empty containers.
  Projection none = ParseProjection("m.nope, l[7], l[0].x");
  CHECK(Project(item, none.paths).empty());
}
