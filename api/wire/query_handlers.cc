// Query and Scan on the wire: members, their constraints in the service's words, and the
// response (Items, Count, ScannedCount, LastEvaluatedKey, ConsumedCapacity).
#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/wire/handlers.h"

namespace ddbd::api::wire {
namespace {

// KeyConditions / QueryFilter / ScanFilter: {attribute: {ComparisonOperator,
// AttributeValueList}}, the shape of Expected without Value and Exists.
std::optional<ExpectedMap> ReadConditionMap(RequestReader& in, const char* member) {
  const rapidjson::Value* map = in.Member(member);
  if (!map) return std::nullopt;
  ExpectedMap out = ReadExpectedMap(*map, "Condition");
  for (auto& [name, e] : out) {
    e.value.reset();  // not members of a Condition
    e.exists.reset();
    if (!e.comparison_operator) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Value or AttributeValueList must be used "
          "with ComparisonOperator: null for Attribute: " +
          name);
    }
  }
  return out;
}

ReadRangeRequest ReadRequest(RequestReader& in, bool is_query) {
  ReadRangeRequest req;
  req.is_query = is_query;
  req.table_name = in.TableNameForItemOperation();
  req.index_name = in.String("IndexName");
  if (req.index_name) {
    in.Length(req.index_name, "indexName", 3, 255);
    in.TableNamePattern(req.index_name, "indexName");
  }
  req.select = in.String("Select");
  in.Enum(req.select, "select",
          "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
  req.limit = in.Long("Limit");
  in.Range(req.limit, "limit", 1, INT64_MAX);
  req.consistent_read = in.Bool("ConsistentRead").value_or(false);
  req.return_consumed_capacity = ReadReturnConsumedCapacity(in);
  if (is_query) {
    req.scan_index_forward = in.Bool("ScanIndexForward").value_or(true);
    req.key_condition_expression = in.String("KeyConditionExpression");
  } else {
    req.segment = in.Long("Segment");
    req.total_segments = in.Long("TotalSegments");
    in.Range(req.segment, "segment", 0, 999999);
    in.Range(req.total_segments, "totalSegments", 1, 1000000);
  }
  req.filter_expression = in.String("FilterExpression");
  req.projection_expression = in.String("ProjectionExpression");
  req.names = in.StringMap("ExpressionAttributeNames");
  try {
    req.values = in.AttributeMap("ExpressionAttributeValues");
  } catch (const ApiError& e) {
    if (e.code() != "ValidationException") throw;
    throw ApiError::Validation("ExpressionAttributeValues contains invalid value: " + e.message());
  }
  // A start key's values are read as a Key's are (GetItem), with the same messages.
  req.exclusive_start_key = in.AttributeMap("ExclusiveStartKey");
  // Legacy parameters, listed as the service lists them in its "cannot mix" message.
  for (const char* legacy :
       {"AttributesToGet", "QueryFilter", "ScanFilter", "ConditionalOperator", "KeyConditions"}) {
    if (!in.Member(legacy)) continue;
    if ((is_query && std::string_view(legacy) == "ScanFilter") ||
        (!is_query && (std::string_view(legacy) == "QueryFilter" ||
                       std::string_view(legacy) == "KeyConditions"))) {
      continue;
    }
    req.legacy.push_back(legacy);
  }
  if (is_query) req.key_conditions = ReadConditionMap(in, "KeyConditions");
  req.filter = ReadConditionMap(in, is_query ? "QueryFilter" : "ScanFilter");
  req.conditional_operator = in.String("ConditionalOperator");
  in.Enum(req.conditional_operator, "conditionalOperator", "[AND, OR]");
  req.attributes_to_get = ReadAttributesToGet(in);
  in.ThrowIfInvalid();
  if (!is_query && (req.segment.has_value() != req.total_segments.has_value())) {
    throw ApiError::Validation(
        req.segment ? "The TotalSegments parameter is required but was not present in the request "
                      "when Segment parameter is present"
                    : "The Segment parameter is required but was not present in the request when "
                      "parameter TotalSegments is present");
  }
  if (req.segment && *req.segment >= *req.total_segments) {
    throw ApiError::Validation(
        "The Segment parameter is zero-based and must be less than "
        "parameter TotalSegments: Segment: " +
        std::to_string(*req.segment) +
        " is not less than TotalSegments: " + std::to_string(*req.total_segments));
  }
  return req;
}

void WriteResponse(const ReadRangeResponse& r, JsonWriter& w) {
  w.StartObject();
  if (r.items) {
    w.Key("Items");
    w.StartArray();
    r.items->ForEach([&](std::string_view bytes) { WriteEncodedItem(bytes, w); },
                     [&](const storage::Item& item) { WriteAttributeMap(item, w); });
    w.EndArray();
  }
  w.Key("Count");
  w.Int64(r.count);
  w.Key("ScannedCount");
  w.Int64(r.scanned_count);
  if (r.last_evaluated_key) {
    w.Key("LastEvaluatedKey");
    WriteAttributeMap(*r.last_evaluated_key, w);
  }
  WriteCapacity(r.consumed_capacity, w);
  w.EndObject();
}

}  // namespace

void HandleQuery(Context& ctx, RequestReader& in, JsonWriter& out) {
  WriteResponse(Query(ctx, ReadRequest(in, true)), out);
}

void HandleScan(Context& ctx, RequestReader& in, JsonWriter& out) {
  WriteResponse(Scan(ctx, ReadRequest(in, false)), out);
}

}  // namespace ddbd::api::wire
