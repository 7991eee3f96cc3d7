// Hostile and edge-case requests through the whole protocol core: each of these once crashed,
// stalled or corrupted ddbd, or answered differently from DynamoDB.
#include <catch2/catch.hpp>
#include <string>

#include "api/wire/test_harness.h"

using namespace ddbd::api::wire;

namespace {

std::string Key(const std::string& pk) { return R"({"pk":{"S":")" + pk + R"("}})"; }

std::string Get(Harness& h, const std::string& table, const std::string& pk) {
  Reply r = h.Call("GetItem", R"({"TableName":")" + table + R"(","Key":)" + Key(pk) + "}");
  REQUIRE(r.status == 200);
  return r.body;
}

}  // namespace

TEST_CASE("an update that would nest past 32 levels fails and changes nothing") {
  Harness h;
  h.CreateTable("deep");
  // 20 levels: a.b.b.b...; copying `a` under a.b... doubles the depth.
  std::string value = R"({"S":"leaf"})";
  for (int i = 0; i < 19; ++i) value = R"({"M":{"b":)" + value + "}}";
  h.Ok("PutItem", R"({"TableName":"deep","Item":{"pk":{"S":"k"},"a":)" + value + "}}");
  std::string before = Get(h, "deep", "k");
  auto [type, msg] =
      h.Error("UpdateItem", R"({"TableName":"deep","Key":)" + Key("k") +
                                R"(,"UpdateExpression":"SET a.b.b.b.b.b.b.b.b.b.b.b.b.b.b = a"})");
  CHECK(type == "ValidationException");
  CHECK(msg == "Nesting Levels have exceeded supported limits");
  CHECK(Get(h, "deep", "k") == before);
  // The item is still fully usable.
  h.Ok("UpdateItem",
       R"({"TableName":"deep","Key":)" + Key("k") + R"(,"UpdateExpression":"SET c = a.b"})");
  h.Ok("DeleteItem", R"({"TableName":"deep","Key":)" + Key("k") + "}");
}

TEST_CASE("a PutItem with 100,000 legacy Expected entries is answered promptly") {
  // Each entry once deep-copied the whole condition tree built so far (quadratic), and the
  // tree recursed 100,000 levels deep when evaluated and destroyed.
  Harness h;
  h.CreateTable("exp");
  std::string expected;
  for (int i = 0; i < 100000; ++i) {
    if (i) expected += ",";
    expected += R"("a)" + std::to_string(i) + R"(":{"Exists":false})";
  }
  h.Ok("PutItem", R"({"TableName":"exp","Item":{"pk":{"S":"k"}},"Expected":{)" + expected + "}}");
  // Now the item exists: every entry of an OR is false, so the condition fails as a whole.
  std::string none_exists;
  for (int i = 0; i < 100000; ++i) {
    none_exists += R"("a)" + std::to_string(i) + R"(":{"ComparisonOperator":"NOT_NULL"},)";
  }
  auto [type, msg] =
      h.Error("PutItem", R"({"TableName":"exp","Item":{"pk":{"S":"k"}},"ConditionalOperator":"OR",)"
                         R"("Expected":{)" +
                             none_exists + R"("pk":{"Exists":false}}})");
  CHECK(type == "ConditionalCheckFailedException");
}

TEST_CASE("legacy Expected and ConditionalOperator rules") {
  Harness h;
  h.CreateTable("leg");
  auto put = [&](const std::string& extra) {
    return h.Error("PutItem", R"({"TableName":"leg","Item":{"pk":{"S":"k"}})" + extra + "}");
  };
  CHECK(put(R"(,"ConditionalOperator":"AND")").second ==
        "ConditionalOperator cannot be used without Filter or Expected");
  CHECK(put(R"(,"ConditionalOperator":"OR","Expected":{})").second ==
        "ConditionalOperator cannot be used without Filter or Expected");
  CHECK(put(R"(,"ConditionalOperator":"OR","Expected":{"a":{"Exists":false}})").second ==
        "ConditionalOperator can only be used when Filter or Expected has two or more elements");
  CHECK(put(R"(,"Expected":{"a":{"ComparisonOperator":"IN","AttributeValueList":[]}})").second ==
        "One or more parameter values were invalid: Invalid number of argument(s) for the IN "
        "ComparisonOperator");
  CHECK(
      put(R"(,"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"}]}})")
          .second ==
      "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
      "ComparisonOperator");
  // An empty Expected is no condition at all.
  h.Ok("PutItem", R"({"TableName":"leg","Item":{"pk":{"S":"k"}},"Expected":{}})");
}

TEST_CASE("an update that only removes does not create an absent item") {
  Harness h;
  h.CreateTable("rmv");
  auto doc =
      h.Ok("UpdateItem", R"({"TableName":"rmv","Key":)" + Key("a") +
                             R"(,"UpdateExpression":"REMOVE x, y.z","ReturnValues":"ALL_NEW"})");
  CHECK_FALSE(doc.HasMember("Attributes"));
  CHECK(Get(h, "rmv", "a") == "{}");
  h.Ok("UpdateItem",
       R"({"TableName":"rmv","Key":)" + Key("b") +
           R"(,"UpdateExpression":"DELETE s :s","ExpressionAttributeValues":{":s":{"SS":["x"]}}})");
  CHECK(Get(h, "rmv", "b") == "{}");
  h.Ok("UpdateItem", R"({"TableName":"rmv","Key":)" + Key("c") +
                         R"(,"AttributeUpdates":{"x":{"Action":"DELETE"}}})");
  CHECK(Get(h, "rmv", "c") == "{}");
  // No actions at all: the key-only item is created.
  h.Ok("UpdateItem", R"({"TableName":"rmv","Key":)" + Key("d") + "}");
  CHECK(Get(h, "rmv", "d") == R"({"Item":{"pk":{"S":"d"}}})");
}

TEST_CASE("substitution limits are checked before any work") {
  Harness h;
  h.CreateTable("lim");
  std::string long_name = "#" + std::string(255, 'n');
  auto [type, msg] = h.Error(
      "UpdateItem", R"({"TableName":"lim","Key":)" + Key("a") + R"(,"UpdateExpression":"SET )" +
                        long_name + R"( = :v","ExpressionAttributeNames":{")" + long_name +
                        R"(":"x"},"ExpressionAttributeValues":{":v":{"N":"1"}}})");
  CHECK(msg ==
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256");
  CHECK(h.Error("UpdateItem",
                R"({"TableName":"lim","Key":)" + Key("a") +
                    R"(,"UpdateExpression":"SET #a = :v","ExpressionAttributeNames":{"#a":""},)"
                    R"("ExpressionAttributeValues":{":v":{"N":"1"}}})")
            .second ==
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a");
  CHECK(h.Error("GetItem",
                R"({"TableName":"lim","Key":)" + Key("a") + R"(,"AttributesToGet":["x","y","x"]})")
            .second ==
        "One or more parameter values were invalid: Duplicate value in attribute name: x");
}
