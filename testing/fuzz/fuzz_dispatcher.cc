// libFuzzer target for the protocol core: arbitrary bytes must never crash, hang or corrupt
// ddbd; every request gets a response. The first byte picks a mode:
//   even: the rest is a JSON body sent to one of the operations (picked by the second byte);
//   odd:  the rest is split into a condition and an update expression, placed in an otherwise
//         valid UpdateItem with fixed names and values, so the parser, resolver, evaluator and
//         update application see mutated expressions against a real item.
//   3 (mod 4): the same, but on an item that is never reset, so updates accumulate.
// Build and run: testing/fuzz/run.sh [seconds] (CI runs it for a minute, with hostile seeds made
// by testing/fuzz/hostile_seeds.py).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/wire/dispatcher.h"
#include "storage/store.h"

namespace {

using ddbd::api::wire::Dispatcher;
using ddbd::api::wire::Request;

struct World {
  std::unique_ptr<ddbd::storage::Store> store;
  std::unique_ptr<Dispatcher> dispatcher;

  World() {
    store = std::move(ddbd::storage::Store::Open({}).value());
    dispatcher = std::make_unique<Dispatcher>(*store);
    Call(
        "CreateTable",
        R"({"TableName":"t","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]})");
    Call(
        "CreateTable",
        R"({"TableName":"ts","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}]})");
  }

  int Call(const std::string& op, const std::string& body) {
    Request r;
    std::string target = "DynamoDB_20120810." + op;
    r.target = target;
    r.body = body;
    r.caller.space = "fuzz";
    auto reply = dispatcher->Handle(r);
    if (reply.status != 200 && reply.status != 400) __builtin_trap();  // 500 = a bug
    return reply.status;
  }
};

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  if (size < 2) return 0;
  static const char* kOps[] = {"PutItem",
                               "GetItem",
                               "UpdateItem",
                               "DeleteItem",
                               "ListTables",
                               "CreateTable",
                               "DescribeTable",
                               "DeleteTable",
                               "Query",
                               "Scan",
                               "BatchGetItem",
                               "BatchWriteItem",
                               "TransactGetItems",
                               "TransactWriteItems"};
  constexpr size_t kOpCount = sizeof kOps / sizeof kOps[0];
  std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (data[0] % 2 == 0) {
    const char* op = kOps[data[1] % kOpCount];
    if (std::string(op) == "DeleteTable" && rest.find("\"t") != std::string::npos) return 0;
    world.Call(op, rest);
    return 0;
  }
  size_t split = rest.find('\x01');
  std::string condition = rest.substr(0, split);
  std::string update = split == std::string::npos ? "SET #a = :n" : rest.substr(split + 1);
  // data[0] % 4 == 3: the item is not reset first, so updates accumulate (SET #m.x = #m grows the
  // item on every run until the nesting or size limit refuses it).
  if (data[0] % 4 == 3) {
    if (world.Call("UpdateItem",
                   R"({"TableName":"t","Key":{"pk":{"S":"acc"}},"ConditionExpression":)" +
                       JsonString(condition) + R"(,"UpdateExpression":)" + JsonString(update) +
                       R"(,"ExpressionAttributeNames":{"#a":"a","#b":"b","#m":"m"},)"
                       R"("ExpressionAttributeValues":{":n":{"N":"2"},":s":{"S":"x"},)"
                       R"(":l":{"L":[{"N":"1"}]},":ss":{"SS":["p"]}},"ReturnValues":"ALL_NEW"})") ==
        400) {
      world.Call("PutItem",
                 R"({"TableName":"t","Item":{"pk":{"S":"acc"},"m":{"M":{"n":{"N":"5"}}}}})");
    }
    world.Call("GetItem", R"({"TableName":"t","Key":{"pk":{"S":"acc"}}})");
    return 0;
  }
  world.Call(
      "PutItem",
      R"({"TableName":"t","Item":{"pk":{"S":"k"},"a":{"N":"1"},"b":{"L":[{"S":"x"},{"M":{"c":{"SS":["p","q"]}}}]},"m":{"M":{"n":{"N":"5"}}},"s":{"S":"str"}}})");
  world.Call(
      "UpdateItem",
      R"({"TableName":"t","Key":{"pk":{"S":"k"}},"ConditionExpression":)" + JsonString(condition) +
          R"(,"UpdateExpression":)" + JsonString(update) +
          R"(,"ExpressionAttributeNames":{"#a":"a","#b":"b","#m":"m"},)"
          R"("ExpressionAttributeValues":{":n":{"N":"2"},":s":{"S":"x"},":l":{"L":[{"N":"1"}]},":ss":{"SS":["p"]}},)"
          R"("ReturnValues":"UPDATED_NEW"})");
  return 0;
}
