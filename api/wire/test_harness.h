// A Dispatcher over an in-memory store, driven in-process by the api unit tests: calls an
// operation with a JSON body and returns the reply, the parsed success body or the error.
#pragma once

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>

#include "api/wire/dispatcher.h"
#include "storage/store.h"

namespace ddbd::api::wire {

struct Harness {
  explicit Harness(const ddbd::storage::StoreOptions& options = {})
      : store(std::move(ddbd::storage::Store::Open(options).value())), dispatcher(*store) {}

  std::unique_ptr<ddbd::storage::Store> store;
  Dispatcher dispatcher;

  Reply Call(const std::string& op, const std::string& body, const std::string& space = "a_r") {
    Request r;
    std::string target = "DynamoDB_20120810." + op;
    r.target = target;
    r.body = body;
    r.caller.space = space;
    return dispatcher.Handle(r);
  }

  rapidjson::Document Ok(const std::string& op, const std::string& body) {
    Reply reply = Call(op, body);
    INFO(op << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    rapidjson::Document doc;
    doc.Parse(reply.body.c_str());
    return doc;
  }

  std::pair<std::string, std::string> Error(const std::string& op, const std::string& body) {
    Reply reply = Call(op, body);
    rapidjson::Document doc;
    doc.Parse(reply.body.c_str());
    REQUIRE(doc.IsObject());
    std::string type = doc["__type"].GetString();
    std::string msg = doc.HasMember("message")   ? doc["message"].GetString()
                      : doc.HasMember("Message") ? doc["Message"].GetString()
                                                 : "";
    return {type.substr(type.find('#') + 1), msg};
  }

  void CreateTable(const std::string& name) {
    Ok("CreateTable",
       R"({"TableName":")" + name +
           R"(","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
           R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]})");
  }
};

}  // namespace ddbd::api::wire
