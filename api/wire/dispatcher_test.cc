// The protocol core driven in-process, without sockets.
#include "api/wire/dispatcher.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <thread>

#include "api/wire/test_harness.h"

using namespace ddbd::api;
using namespace ddbd::api::wire;

namespace {

// One request to `dispatcher` in namespace "s" (for dispatchers with their own options).
Reply CallIn(Dispatcher& dispatcher, const std::string& op, const std::string& body) {
  Request r;
  std::string target = "DynamoDB_20120810." + op;
  r.target = target;
  r.body = body;
  r.caller.space = "s";
  return dispatcher.Handle(r);
}

}  // namespace

TEST_CASE("protocol errors: JSON, target, then authentication") {
  Harness h;
  CHECK(h.Error("ListTables", "{not json").first == "SerializationException");
  CHECK(h.Error("ListTables", "").first == "SerializationException");
  CHECK(h.Error("ListTables", "[]").first == "SerializationException");
  CHECK(h.Error("ListTables", "{} trailing").first == "SerializationException");
  CHECK(h.Error("NoSuchOperation", "{}").first == "UnknownOperationException");
  CHECK(
      h.Error("ExecuteStatement", "{}") ==
      std::pair<std::string, std::string>{
          "UnknownOperationException", "ddbd does not support the ExecuteStatement operation yet"});
  Request r;
  r.target = "DynamoDB_20120810.ListTables";
  r.body = "{}";
  r.auth_error = ApiError::MissingAuthenticationToken("Request is missing Authentication Token");
  Reply reply = h.dispatcher.Handle(r);
  CHECK(reply.status == 400);
  CHECK(
      reply.body ==
      R"({"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"})");
}

TEST_CASE("hostile JSON nesting is rejected without recursion") {
  Harness h;
  h.CreateTable("deep");
  std::string deep(100000, '[');
  CHECK(h.Error("ListTables", deep).first == "SerializationException");
  std::string value;
  for (int i = 0; i < 40; ++i) value += R"({"L":[)";
  value += R"({"S":"x"})";
  for (int i = 0; i < 40; ++i) value += "]}";
  CHECK(h.Error("PutItem", R"({"TableName":"deep","Item":{"pk":{"S":"k"},"v":)" + value + "}}") ==
        std::pair<std::string, std::string>{"ValidationException",
                                            "Nesting Levels have exceeded supported limits"});
}

TEST_CASE("tables and items through the dispatcher") {
  Harness h;
  h.CreateTable("items");
  auto dup = h.Error(
      "CreateTable",
      R"({"TableName":"items","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]})");
  CHECK(dup == std::pair<std::string, std::string>{"ResourceInUseException",
                                                   "Table already exists: items"});
  h.Ok("PutItem",
       R"({"TableName":"items","Item":{"pk":{"S":"a"},"n":{"N":"0042.50"},"b":{"B":"AAEC"}}})");
  auto got = h.Ok("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"a"}}})");
  CHECK(std::string(got["Item"]["n"]["N"].GetString()) == "42.5");
  CHECK(std::string(got["Item"]["b"]["B"].GetString()) == "AAEC");
  auto missing_table = h.Error("GetItem", R"({"TableName":"nope","Key":{"pk":{"S":"a"}}})");
  CHECK(missing_table == std::pair<std::string, std::string>{"ResourceNotFoundException",
                                                             "Requested resource not found"});
  // Tables are namespaced per caller.
  CHECK(h.Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"a"}}})", "other_ns").status ==
        400);
  auto listed = h.Ok("ListTables", "{}");
  CHECK(listed["TableNames"].Size() == 1);
}

TEST_CASE("a failed condition returns the old item only when asked") {
  Harness h;
  h.CreateTable("cas");
  h.Ok("PutItem", R"({"TableName":"cas","Item":{"pk":{"S":"k"},"version":{"N":"1"}}})");
  Reply plain = h.Call(
      "PutItem",
      R"({"TableName":"cas","Item":{"pk":{"S":"k"},"version":{"N":"2"}},"ConditionExpression":"version = :v","ExpressionAttributeValues":{":v":{"N":"5"}}})");
  CHECK(
      plain.body ==
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})");
  Reply with_item = h.Call(
      "UpdateItem",
      R"({"TableName":"cas","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET version = :n","ConditionExpression":"version = :v","ExpressionAttributeValues":{":v":{"N":"5"},":n":{"N":"6"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"})");
  CHECK(
      with_item.body ==
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"k"},"version":{"N":"1"}}})");
}

TEST_CASE("racing version-checked updates through the dispatcher lose nothing") {
  Harness h;
  h.CreateTable("race");
  h.Ok("PutItem", R"({"TableName":"race","Item":{"pk":{"S":"k"},"version":{"N":"0"}}})");
  constexpr int kThreads = 4, kPerThread = 100;
  std::atomic<int> conflicts{0}, unexpected{0};
  std::vector<std::thread> threads;
  // Catch2 assertions are not thread-safe: threads only count, the checks come after join().
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kPerThread && unexpected == 0;) {
        Reply got = h.Call("GetItem",
                           R"({"TableName":"race","Key":{"pk":{"S":"k"}},"ConsistentRead":true})");
        rapidjson::Document doc;
        doc.Parse(got.body.c_str());
        if (got.status != 200 || !doc.IsObject() || !doc.HasMember("Item")) {
          ++unexpected;
          break;
        }
        std::string seen = doc["Item"]["version"]["N"].GetString();
        Reply r = h.Call(
            "UpdateItem",
            R"({"TableName":"race","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET version = version + :one","ConditionExpression":"version = :seen","ExpressionAttributeValues":{":one":{"N":"1"},":seen":{"N":")" +
                seen + R"("}}})");
        if (r.status == 200) {
          ++done;
        } else if (r.body.find("ConditionalCheckFailedException") != std::string::npos) {
          ++conflicts;
        } else {
          ++unexpected;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(unexpected == 0);
  auto final_item = h.Ok("GetItem", R"({"TableName":"race","Key":{"pk":{"S":"k"}}})");
  CHECK(std::string(final_item["Item"]["version"]["N"].GetString()) ==
        std::to_string(kThreads * kPerThread));
}

TEST_CASE("with transient statuses, tables pass through CREATING and DELETING") {
  auto store = std::move(ddbd::storage::Store::Open({}).value());
  Dispatcher dispatcher(*store, std::chrono::milliseconds(1000));
  auto call = [&](const std::string& op, const std::string& body) {
    return CallIn(dispatcher, op, body);
  };
  auto status_of = [&] {
    Reply r = call("DescribeTable", R"({"TableName":"slow"})");
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    return r.status == 200 ? std::string(d["Table"]["TableStatus"].GetString()) : "GONE";
  };
  Reply created = call(
      "CreateTable",
      R"({"TableName":"slow","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]})");
  CHECK(created.body.find("\"TableStatus\":\"CREATING\"") != std::string::npos);
  CHECK(status_of() == "CREATING");
  CHECK(call("PutItem", R"({"TableName":"slow","Item":{"pk":{"S":"a"}}})")
            .body.find("ResourceNotFoundException") != std::string::npos);
  auto wait_for = [&](const std::string& want) {
    for (int i = 0; i < 100 && status_of() != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return status_of();
  };
  CHECK(wait_for("ACTIVE") == "ACTIVE");
  CHECK(call("PutItem", R"({"TableName":"slow","Item":{"pk":{"S":"a"}}})").status == 200);
  CHECK(call("DeleteTable", R"({"TableName":"slow"})").status == 200);
  CHECK(status_of() == "DELETING");
  CHECK(wait_for("GONE") == "GONE");
}

TEST_CASE("with transient statuses, a new GSI stays CREATING and cannot be read meanwhile") {
  auto store = std::move(ddbd::storage::Store::Open({}).value());
  Dispatcher dispatcher(*store, std::chrono::milliseconds(600));
  auto call = [&](const std::string& op, const std::string& body) {
    return CallIn(dispatcher, op, body);
  };
  call(
      "CreateTable",
      R"({"TableName":"grow","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]})");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  REQUIRE(call("PutItem", R"({"TableName":"grow","Item":{"pk":{"S":"a"},"g":{"S":"x"}}})").status ==
          200);
  Reply updated = call(
      "UpdateTable",
      R"({"TableName":"grow","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]})");
  REQUIRE(updated.status == 200);
  CHECK(updated.body.find("\"IndexStatus\":\"CREATING\"") != std::string::npos);
  std::string query =
      R"({"TableName":"grow","IndexName":"by_g","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}}})";
  Reply early = call("Query", query);
  CHECK(early.status == 400);
  CHECK(early.body.find("Cannot read from backfilling global secondary index: by_g") !=
        std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(call("DescribeTable", R"({"TableName":"grow"})").body.find("\"IndexStatus\":\"ACTIVE\"") !=
        std::string::npos);
  Reply later = call("Query", query);
  CHECK(later.status == 200);
  CHECK(later.body.find("\"Count\":1") != std::string::npos);
}

TEST_CASE(
    "the item-collection limit: PutItem's error, a transaction's reason on the right action") {
  ddbd::storage::StoreOptions options;
  options.max_item_collection_bytes = 1000;  // instead of 10 GB
  Harness h(options);
  h.Ok(
      "CreateTable",
      R"({"TableName":"lsi","BillingMode":"PAY_PER_REQUEST",)"
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
      R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
      R"({"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"l","AttributeType":"S"}],)"
      R"("LocalSecondaryIndexes":[{"IndexName":"by_l","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
      R"({"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]})");
  std::string big(400, 'x');
  auto put = [&](const std::string& pk, const std::string& sk) {
    return R"({"Put":{"TableName":"lsi","Item":{"pk":{"S":")" + pk + R"("},"sk":{"S":")" + sk +
           R"("},"l":{"S":"L"},"v":{"S":")" + big + R"("}}}})";
  };
  // ~420 bytes per item, twice that with its LSI row: one item fits in a collection, two do not.
  h.Ok("TransactWriteItems", R"({"TransactItems":[)" + put("a", "1") + "]}");
  CHECK(h.Error("TransactWriteItems",
                R"({"TransactItems":[)" + put("b", "1") + "," + put("a", "2") + "]}") ==
        std::pair<std::string, std::string>{
            "TransactionCanceledException",
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[None, ItemCollectionSizeLimitExceeded]"});
  // Nothing of the cancelled transaction was written, partition b included.
  auto got = h.Ok("GetItem", R"({"TableName":"lsi","Key":{"pk":{"S":"b"},"sk":{"S":"1"}}})");
  CHECK_FALSE(got.HasMember("Item"));
  CHECK(h.Error("PutItem", R"({"TableName":"lsi","Item":{"pk":{"S":"a"},"sk":{"S":"3"},)"
                           R"("l":{"S":"L"},"v":{"S":")" +
                               big + R"("}}})")
            .first == "ItemCollectionSizeLimitExceededException");
  h.Ok("PutItem",
       R"({"TableName":"lsi","Item":{"pk":{"S":"b"},"sk":{"S":"1"},"v":{"S":"small"}}})");
}
