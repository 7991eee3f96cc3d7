#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/wire/handlers.h"

namespace ddbd::api::wire {
namespace {

std::string ReadReturnValues(RequestReader& in) {
  auto v = in.String("ReturnValues");
  in.Enum(v, "returnValues", "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
  return v.value_or("NONE");
}

}  // namespace

std::string ReadReturnValuesOnConditionCheckFailure(RequestReader& in) {
  auto v = in.String("ReturnValuesOnConditionCheckFailure");
  in.Enum(v, "returnValuesOnConditionCheckFailure", "[ALL_OLD, NONE]");
  return v.value_or("NONE");
}

// Reads the expression members an operation has; `legacy` lists its non-expression members.
ExpressionParams ReadExpressions(RequestReader& in, bool condition, bool update, bool projection,
                                 std::initializer_list<const char*> legacy) {
  ExpressionParams p;
  if (condition) p.condition_expression = in.String("ConditionExpression");
  if (update) p.update_expression = in.String("UpdateExpression");
  if (projection) p.projection_expression = in.String("ProjectionExpression");
  p.names = in.StringMap("ExpressionAttributeNames");
  if (condition || update) {
    try {
      p.values = in.AttributeMap("ExpressionAttributeValues");
    } catch (const ApiError& e) {
      if (e.code() != "ValidationException") throw;
      throw ApiError::Validation("ExpressionAttributeValues contains invalid value: " +
                                 e.message());
    }
  }
  for (const char* name : legacy) {
    if (in.Member(name)) p.legacy.push_back(name);
  }
  if (const rapidjson::Value* expected = condition ? in.Member("Expected") : nullptr) {
    p.expected = ReadExpectedMap(*expected, "ExpectedAttributeValue");
  }
  if (condition) {
    p.conditional_operator = in.String("ConditionalOperator");
    in.Enum(p.conditional_operator, "conditionalOperator", "[AND, OR]");
  }
  if (const rapidjson::Value* updates = update ? in.Member("AttributeUpdates") : nullptr) {
    if (!updates->IsObject()) ThrowWrongJsonType(*updates, "Map");
    p.attribute_updates.emplace();
    for (const auto& m : updates->GetObject()) {
      if (!m.value.IsObject()) ThrowWrongJsonType(m.value, "AttributeValueUpdate");
      AttributeUpdate u;
      for (const auto& f : m.value.GetObject()) {
        std::string_view field(f.name.GetString(), f.name.GetStringLength());
        if (f.value.IsNull()) continue;
        if (field == "Value") {
          u.value = ParseAttributeValue(f.value);
        } else if (field == "Action") {
          if (!f.value.IsString()) ThrowWrongJsonType(f.value, "String");
          u.action = std::string(f.value.GetString(), f.value.GetStringLength());
        }
      }
      (*p.attribute_updates)[std::string(m.name.GetString(), m.name.GetStringLength())] =
          std::move(u);
    }
  }
  in.ThrowIfInvalid();
  p.update_operation = update;
  return p;
}

void WriteItemCollectionMetrics(const ItemCollectionMetrics& m, JsonWriter& w) {
  w.StartObject();
  w.Key("ItemCollectionKey");
  WriteAttributeMap(m.key, w);
  w.Key("SizeEstimateRangeGB");
  w.StartArray();
  w.Double(m.lower_gb);
  w.Double(m.upper_gb);
  w.EndArray();
  w.EndObject();
}

namespace {

void WriteItemResponse(const ItemResponse& r, const char* item_key, JsonWriter& w) {
  w.StartObject();
  if (r.item) {
    w.Key(item_key);
    WriteAttributeMap(*r.item, w);
  }
  WriteCapacity(r.consumed_capacity, w);
  if (r.item_collection_metrics) {
    w.Key("ItemCollectionMetrics");
    WriteItemCollectionMetrics(*r.item_collection_metrics, w);
  }
  w.EndObject();
}

storage::Item RequiredMap(RequestReader& in, const char* member, const char* path) {
  auto m = in.AttributeMap(member);
  in.NotNull(m.has_value(), path);
  return m.value_or(storage::Item{});
}

// The members every write has, after its table name and item/key; then the expressions.
void ReadWriteMembers(RequestReader& in, ItemWriteRequest& req, bool update) {
  req.return_values = ReadReturnValues(in);
  req.return_values_on_condition_check_failure = ReadReturnValuesOnConditionCheckFailure(in);
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  auto metrics = in.String("ReturnItemCollectionMetrics");
  in.Enum(metrics, "returnItemCollectionMetrics", "[SIZE, NONE]");
  req.return_item_collection_metrics = metrics == "SIZE";
  in.ThrowIfInvalid();
  if (update) {
    req.expr = ReadExpressions(in, true, true, false,
                               {"AttributeUpdates", "Expected", "ConditionalOperator"});
  } else {
    req.expr = ReadExpressions(in, true, false, false, {"Expected", "ConditionalOperator"});
  }
}

}  // namespace

ExpectedMap ReadExpectedMap(const rapidjson::Value& map, const char* entry_type) {
  if (!map.IsObject()) ThrowWrongJsonType(map, "Map");
  ExpectedMap out;
  for (const auto& m : map.GetObject()) {
    if (!m.value.IsObject()) ThrowWrongJsonType(m.value, entry_type);
    ExpectedAttribute e;
    for (const auto& f : m.value.GetObject()) {
      std::string_view field(f.name.GetString(), f.name.GetStringLength());
      if (f.value.IsNull()) continue;
      if (field == "Value") {
        e.value = ParseAttributeValue(f.value);
      } else if (field == "Exists") {
        if (!f.value.IsBool()) ThrowWrongJsonType(f.value, "Boolean");
        e.exists = f.value.GetBool();
      } else if (field == "ComparisonOperator") {
        if (!f.value.IsString()) ThrowWrongJsonType(f.value, "String");
        e.comparison_operator = std::string(f.value.GetString(), f.value.GetStringLength());
      } else if (field == "AttributeValueList") {
        if (!f.value.IsArray()) ThrowWrongJsonType(f.value, "List");
        e.attribute_value_list.emplace();
        for (const auto& v : f.value.GetArray()) {
          e.attribute_value_list->push_back(ParseAttributeValue(v));
        }
      }
    }
    out[std::string(m.name.GetString(), m.name.GetStringLength())] = std::move(e);
  }
  return out;
}

std::vector<std::string> ReadAttributesToGet(RequestReader& in) {
  std::vector<std::string> out;
  if (const rapidjson::Value* atg = in.Member("AttributesToGet")) {
    if (!atg->IsArray()) ThrowWrongJsonType(*atg, "List");
    for (const auto& v : atg->GetArray()) {
      if (!v.IsString()) ThrowWrongJsonType(v, "String");
      out.emplace_back(v.GetString(), v.GetStringLength());
    }
    if (out.empty()) {
      in.Violation("'[]'", "attributesToGet", "Member must have length greater than or equal to 1");
    }
  }
  return out;
}

ReturnConsumedCapacity ReadReturnConsumedCapacity(RequestReader& in) {
  auto v = in.String("ReturnConsumedCapacity");
  in.Enum(v, "returnConsumedCapacity", "[INDEXES, TOTAL, NONE]");
  if (v == "TOTAL") return ReturnConsumedCapacity::kTotal;
  if (v == "INDEXES") return ReturnConsumedCapacity::kIndexes;
  return ReturnConsumedCapacity::kNone;
}

void WriteCapacity(const std::optional<ConsumedCapacity>& c, JsonWriter& w) {
  if (!c) return;
  w.Key("ConsumedCapacity");
  WriteCapacityObject(*c, w);
}

void WriteCapacityObject(const ConsumedCapacity& cc, JsonWriter& w) {
  const ConsumedCapacity* c = &cc;
  w.StartObject();
  w.Key("TableName");
  w.String(c->table_name.c_str(), static_cast<rapidjson::SizeType>(c->table_name.size()));
  w.Key("CapacityUnits");
  w.Double(c->units);
  if (!c->split.empty()) {
    w.Key(c->split.c_str(), static_cast<rapidjson::SizeType>(c->split.size()));
    w.Double(c->units);
  }
  if (c->indexes) {
    w.Key("Table");
    w.StartObject();
    w.Key("CapacityUnits");
    w.Double(c->table_units);
    if (!c->split.empty()) {
      w.Key(c->split.c_str(), static_cast<rapidjson::SizeType>(c->split.size()));
      w.Double(c->table_units);
    }
    w.EndObject();
    for (bool global : {false, true}) {
      bool any = false;
      for (const auto& index : c->index_units) {
        if (index.global != global) continue;
        if (!any) {
          w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
          w.StartObject();
          any = true;
        }
        w.Key(index.name.c_str(), static_cast<rapidjson::SizeType>(index.name.size()));
        w.StartObject();
        w.Key("CapacityUnits");
        w.Double(index.units);
        w.EndObject();
      }
      if (any) w.EndObject();
    }
  }
  w.EndObject();
}

void HandlePutItem(Context& ctx, RequestReader& in, JsonWriter& out) {
  PutItemRequest req;
  req.table_name = in.TableNameForItemOperation();
  req.item = RequiredMap(in, "Item", "item");
  ReadWriteMembers(in, req, false);
  WriteItemResponse(PutItem(ctx, req), "Attributes", out);
}

void HandleGetItem(Context& ctx, RequestReader& in, JsonWriter& out) {
  GetItemRequest req;
  req.table_name = in.TableNameForItemOperation();
  req.key = RequiredMap(in, "Key", "key");
  req.consistent_read = in.Bool("ConsistentRead").value_or(false);
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  req.attributes_to_get = ReadAttributesToGet(in);
  in.ThrowIfInvalid();
  req.expr = ReadExpressions(in, false, false, true, {"AttributesToGet"});
  WriteItemResponse(GetItem(ctx, req), "Item", out);
}

void HandleDeleteItem(Context& ctx, RequestReader& in, JsonWriter& out) {
  DeleteItemRequest req;
  req.table_name = in.TableNameForItemOperation();
  req.key = RequiredMap(in, "Key", "key");
  ReadWriteMembers(in, req, false);
  WriteItemResponse(DeleteItem(ctx, req), "Attributes", out);
}

void HandleUpdateItem(Context& ctx, RequestReader& in, JsonWriter& out) {
  UpdateItemRequest req;
  req.table_name = in.TableNameForItemOperation();
  req.key = RequiredMap(in, "Key", "key");
  ReadWriteMembers(in, req, true);
  WriteItemResponse(UpdateItem(ctx, req), "Attributes", out);
}

}  // namespace ddbd::api::wire
