// BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems on the wire: the nested
// request shapes, their member constraints in the service's words, and the responses.
#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/wire/handlers.h"

namespace ddbd::api::wire {
namespace {

constexpr const char* kTableNameConstraint =
    "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
    "Member must have length greater than or equal to 3, Member must satisfy regular "
    "expression pattern: [a-zA-Z0-9_.-]+]";

bool ValidTableName(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string Str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

// RequestItems of both batch operations: a non-empty map of valid table names. An empty map is
// worded as the service words it today: BatchWriteItem with its own sentence, BatchGetItem
// with the newer constraint wording.
const rapidjson::Value* ReadRequestItems(RequestReader& in, bool write) {
  const rapidjson::Value* items = in.Member("RequestItems");
  in.NotNull(items != nullptr, "requestItems");
  if (!items) return nullptr;
  if (!items->IsObject()) ThrowWrongJsonType(*items, "Map");
  if (items->MemberCount() == 0) {
    if (write)
      throw ApiError::Validation("The requestItems parameter is required for BatchWriteItem");
    in.ViolationAt("RequestItems", "Member must have length greater than or equal to 1");
  }
  for (const auto& m : items->GetObject()) {
    if (!ValidTableName(std::string_view(m.name.GetString(), m.name.GetStringLength()))) {
      in.ViolationAt("RequestItems", kTableNameConstraint);
      break;
    }
  }
  return items;
}

std::vector<storage::Item> ReadKeyList(const rapidjson::Value& v) {
  if (!v.IsArray()) ThrowWrongJsonType(v, "List");
  std::vector<storage::Item> out;
  for (const auto& k : v.GetArray()) out.push_back(ParseAttributeMap(k));
  return out;
}

void WriteKeysAndAttributes(const KeysAndAttributes& t, JsonWriter& w) {
  w.StartObject();
  w.Key("Keys");
  w.StartArray();
  for (const auto& k : t.keys) WriteAttributeMap(k, w);
  w.EndArray();
  if (t.consistent_read) {
    w.Key("ConsistentRead");
    w.Bool(true);
  }
  if (!t.attributes_to_get.empty()) {
    w.Key("AttributesToGet");
    w.StartArray();
    for (const auto& a : t.attributes_to_get) {
      w.String(a.c_str(), static_cast<rapidjson::SizeType>(a.size()));
    }
    w.EndArray();
  }
  if (t.expr.projection_expression) {
    w.Key("ProjectionExpression");
    w.String(t.expr.projection_expression->c_str(),
             static_cast<rapidjson::SizeType>(t.expr.projection_expression->size()));
  }
  if (t.expr.names) {
    w.Key("ExpressionAttributeNames");
    w.StartObject();
    for (const auto& [k, v] : *t.expr.names) {
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    }
    w.EndObject();
  }
  w.EndObject();
}

void WriteCapacityList(const std::vector<ConsumedCapacity>& list, JsonWriter& w) {
  if (list.empty()) return;
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& c : list) WriteCapacityObject(c, w);
  w.EndArray();
}

void WriteMetricsMap(
    const std::vector<std::pair<std::string, std::vector<ItemCollectionMetrics>>>& metrics,
    JsonWriter& w) {
  if (metrics.empty()) return;
  w.Key("ItemCollectionMetrics");
  w.StartObject();
  for (const auto& [table, list] : metrics) {
    w.Key(table.c_str(), static_cast<rapidjson::SizeType>(table.size()));
    w.StartArray();
    for (const auto& m : list) WriteItemCollectionMetrics(m, w);
    w.EndArray();
  }
  w.EndObject();
}

bool ReadCollectionMetrics(RequestReader& in) {
  auto metrics = in.String("ReturnItemCollectionMetrics");
  in.Enum(metrics, "returnItemCollectionMetrics", "[SIZE, NONE]");
  return metrics == "SIZE";
}

// TransactItems of both transactions: 1 to 100 entries.
const rapidjson::Value* ReadTransactItems(RequestReader& in) {
  const rapidjson::Value* items = in.Member("TransactItems");
  in.NotNull(items != nullptr, "transactItems");
  if (!items) return nullptr;
  if (!items->IsArray()) ThrowWrongJsonType(*items, "List");
  if (items->Empty()) {
    in.Violation("'[]'", "transactItems", "Member must have length greater than or equal to 1");
  } else if (items->Size() > 100) {
    in.ViolationAt("TransactItems", "Member must have length less than or equal to 100");
  }
  return items;
}

}  // namespace

void HandleBatchGetItem(Context& ctx, RequestReader& in, JsonWriter& out) {
  BatchGetItemRequest req;
  const rapidjson::Value* items = ReadRequestItems(in, false);
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  if (items) {
    for (const auto& m : items->GetObject()) {
      if (!m.value.IsObject()) ThrowWrongJsonType(m.value, "KeysAndAttributes");
      std::string table = Str(m.name);
      RequestReader sub(m.value);
      const rapidjson::Value* keys = sub.Member("Keys");
      if (!keys) {
        in.Violation("null", "requestItems." + table + ".member.keys", "Member must not be null");
      } else if (!keys->IsArray()) {
        ThrowWrongJsonType(*keys, "List");
      } else if (keys->Empty()) {
        in.Violation("'[]'", "requestItems." + table + ".member.keys",
                     "Member must have length greater than or equal to 1");
      } else if (keys->Size() > 100) {
        in.ViolationAt("RequestItems." + table + ".member.Keys",
                       "Member must have length less than or equal to 100");
      }
    }
  }
  in.ThrowIfInvalid();
  for (const auto& m : items->GetObject()) {
    RequestReader sub(m.value);
    KeysAndAttributes t;
    t.table_name = Str(m.name);
    t.keys = ReadKeyList(*sub.Member("Keys"));
    t.consistent_read = sub.Bool("ConsistentRead").value_or(false);
    t.attributes_to_get = ReadAttributesToGet(sub);
    sub.ThrowIfInvalid();
    t.expr = ReadExpressions(sub, false, false, true, {"AttributesToGet"});
    req.tables.push_back(std::move(t));
  }
  BatchGetItemResponse r = BatchGetItem(ctx, req);
  out.StartObject();
  out.Key("Responses");
  out.StartObject();
  for (const auto& [table, list] : r.responses) {
    out.Key(table.c_str(), static_cast<rapidjson::SizeType>(table.size()));
    out.StartArray();
    list.ForEach([&](std::string_view bytes) { WriteEncodedItem(bytes, out); },
                 [&](const storage::Item& item) { WriteAttributeMap(item, out); });
    out.EndArray();
  }
  out.EndObject();
  out.Key("UnprocessedKeys");
  out.StartObject();
  for (const auto& t : r.unprocessed) {
    out.Key(t.table_name.c_str(), static_cast<rapidjson::SizeType>(t.table_name.size()));
    WriteKeysAndAttributes(t, out);
  }
  out.EndObject();
  WriteCapacityList(r.consumed_capacity, out);
  out.EndObject();
}

void HandleBatchWriteItem(Context& ctx, RequestReader& in, JsonWriter& out) {
  BatchWriteItemRequest req;
  // BatchWriteItem reports a bad enum on its own, before anything about RequestItems.
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  req.return_item_collection_metrics = ReadCollectionMetrics(in);
  in.ThrowIfInvalid();
  const rapidjson::Value* items = ReadRequestItems(in, true);
  if (items) {
    for (const auto& m : items->GetObject()) {
      if (!m.value.IsArray()) ThrowWrongJsonType(m.value, "List");
      if (m.value.Empty()) {
        in.Violation("'{" + Str(m.name) + "=[]}'", "requestItems",
                     "Map value must satisfy constraint: [Member must have length less than or "
                     "equal to 25, Member must have length greater than or equal to 1]");
      } else if (m.value.Size() > 25) {
        // (The older wording echoes the whole request, which cannot be reproduced.)
        in.ViolationAt("RequestItems." + Str(m.name) + ".member",
                       "Member must have length less than or equal to 25");
      }
    }
  }
  in.ThrowIfInvalid();
  size_t total = 0;
  for (const auto& m : items->GetObject()) {
    std::vector<WriteRequest> requests;
    for (const auto& wr : m.value.GetArray()) {
      if (!wr.IsObject()) ThrowWrongJsonType(wr, "WriteRequest");
      RequestReader sub(wr);
      const rapidjson::Value* put = sub.Member("PutRequest");
      const rapidjson::Value* del = sub.Member("DeleteRequest");
      if ((put != nullptr) == (del != nullptr)) {
        throw ApiError::Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      }
      RequestReader body(put ? *put : *del);
      if (!(put ? put : del)->IsObject()) ThrowWrongJsonType(*(put ? put : del), "PutRequest");
      auto map = body.AttributeMap(put ? "Item" : "Key");
      body.NotNull(map.has_value(),
                   put ? "requestItems." + Str(m.name) + ".member.putRequest.item"
                       : "requestItems." + Str(m.name) + ".member.deleteRequest.key");
      body.ThrowIfInvalid();
      requests.push_back({put != nullptr, std::move(*map)});
    }
    total += requests.size();
    req.tables.emplace_back(Str(m.name), std::move(requests));
  }
  if (total > 25) {
    throw ApiError::Validation("Too many items requested for the BatchWriteItem call");
  }
  BatchWriteItemResponse r = BatchWriteItem(ctx, req);
  out.StartObject();
  out.Key("UnprocessedItems");
  out.StartObject();
  out.EndObject();
  WriteCapacityList(r.consumed_capacity, out);
  WriteMetricsMap(r.item_collection_metrics, out);
  out.EndObject();
}

void HandleTransactWriteItems(Context& ctx, RequestReader& in, JsonWriter& out) {
  TransactWriteItemsRequest req;
  req.client_request_token = in.String("ClientRequestToken");
  in.Length(req.client_request_token, "clientRequestToken", 1, 36);
  const rapidjson::Value* items = ReadTransactItems(in);
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  req.return_item_collection_metrics = ReadCollectionMetrics(in);
  in.ThrowIfInvalid();
  using Kind = TransactWriteAction::Kind;
  int position = 0;
  for (const auto& item : items->GetArray()) {
    ++position;
    if (!item.IsObject()) ThrowWrongJsonType(item, "TransactWriteItem");
    RequestReader entry(item);
    static const std::pair<const char*, Kind> kKinds[] = {{"ConditionCheck", Kind::kConditionCheck},
                                                          {"Put", Kind::kPut},
                                                          {"Delete", Kind::kDelete},
                                                          {"Update", Kind::kUpdate}};
    const rapidjson::Value* body = nullptr;
    TransactWriteAction a;
    int found = 0;
    std::string member;
    for (const auto& [name, kind] : kKinds) {
      if (const rapidjson::Value* v = entry.Member(name)) {
        body = v, a.kind = kind, member = name, ++found;
      }
    }
    if (found != 1) {
      throw ApiError::Validation(
          "TransactItems can only contain one of Check, Put, Update or Delete");
    }
    if (!body->IsObject()) ThrowWrongJsonType(*body, member);
    RequestReader sub(*body);
    std::string path = "transactItems." + std::to_string(position) + ".member." +
                       (a.kind == Kind::kConditionCheck
                            ? std::string("conditionCheck")
                            : std::string(1, static_cast<char>(member[0] + 32)) + member.substr(1));
    auto table_name = sub.String("TableName");
    sub.NotNull(table_name.has_value(), path + ".tableName");
    sub.Length(table_name, path + ".tableName", 1, 1024);
    a.table_name = table_name.value_or("");
    auto map = sub.AttributeMap(a.kind == Kind::kPut ? "Item" : "Key");
    sub.NotNull(map.has_value(), path + (a.kind == Kind::kPut ? ".item" : ".key"));
    if (a.kind == Kind::kConditionCheck) {
      sub.NotNull(sub.Member("ConditionExpression") != nullptr, path + ".conditionExpression");
    }
    if (a.kind == Kind::kUpdate) {
      sub.NotNull(sub.Member("UpdateExpression") != nullptr, path + ".updateExpression");
    }
    a.return_values_on_condition_check_failure = ReadReturnValuesOnConditionCheckFailure(sub);
    sub.ThrowIfInvalid();
    a.item = std::move(map).value_or(storage::Item{});
    a.expr = ReadExpressions(sub, true, a.kind == Kind::kUpdate, false, {});
    // Expected, ConditionalOperator and AttributeUpdates are not members of a transaction's
    // actions: ignored, as the service ignores unknown members.
    a.expr.expected.reset();
    a.expr.conditional_operator.reset();
    a.expr.attribute_updates.reset();
    req.actions.push_back(std::move(a));
  }
  TransactWriteItemsResponse r = TransactWriteItems(ctx, req);
  out.StartObject();
  WriteCapacityList(r.consumed_capacity, out);
  WriteMetricsMap(r.item_collection_metrics, out);
  out.EndObject();
}

void HandleTransactGetItems(Context& ctx, RequestReader& in, JsonWriter& out) {
  TransactGetItemsRequest req;
  const rapidjson::Value* items = ReadTransactItems(in);
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  in.ThrowIfInvalid();
  int position = 0;
  for (const auto& item : items->GetArray()) {
    ++position;
    if (!item.IsObject()) ThrowWrongJsonType(item, "TransactGetItem");
    RequestReader entry(item);
    const rapidjson::Value* get = entry.Member("Get");
    std::string path = "transactItems." + std::to_string(position) + ".member.get";
    entry.NotNull(get != nullptr, path);
    entry.ThrowIfInvalid();
    if (!get->IsObject()) ThrowWrongJsonType(*get, "Get");
    RequestReader sub(*get);
    TransactGetItemsRequest::Get g;
    auto table_name = sub.String("TableName");
    sub.NotNull(table_name.has_value(), path + ".tableName");
    sub.Length(table_name, path + ".tableName", 1, 1024);
    g.table_name = table_name.value_or("");
    auto key = sub.AttributeMap("Key");
    sub.NotNull(key.has_value(), path + ".key");
    sub.ThrowIfInvalid();
    g.key = std::move(key).value_or(storage::Item{});
    g.expr = ReadExpressions(sub, false, false, true, {});
    req.gets.push_back(std::move(g));
  }
  TransactGetItemsResponse r = TransactGetItems(ctx, req);
  out.StartObject();
  out.Key("Responses");
  out.StartArray();
  for (const auto& item : r.items) {
    out.StartObject();
    if (item) {
      out.Key("Item");
      WriteAttributeMap(*item, out);
    }
    out.EndObject();
  }
  out.EndArray();
  WriteCapacityList(r.consumed_capacity, out);
  out.EndObject();
}

}  // namespace ddbd::api::wire
