// One handler per operation: read the typed request from JSON, run the operation, write the
// JSON response. The table of them is in dispatcher.cc.
#pragma once

#include "api/operations/types.h"
#include "api/wire/json_values.h"
#include "api/wire/request_reader.h"

namespace ddbd::api::wire {

using Handler = void (*)(Context&, RequestReader&, JsonWriter&);

void HandleCreateTable(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleDescribeTable(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleDeleteTable(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleListTables(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleUpdateTable(Context& ctx, RequestReader& in, JsonWriter& out);
void HandlePutItem(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleGetItem(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleDeleteItem(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleUpdateItem(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleQuery(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleScan(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleBatchGetItem(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleBatchWriteItem(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleTransactWriteItems(Context& ctx, RequestReader& in, JsonWriter& out);
void HandleTransactGetItems(Context& ctx, RequestReader& in, JsonWriter& out);

// Shared by the handlers.
ReturnConsumedCapacity ReadReturnConsumedCapacity(RequestReader& in);
void WriteCapacity(const std::optional<ConsumedCapacity>& c, JsonWriter& w);
void WriteCapacityObject(const ConsumedCapacity& c, JsonWriter& w);  // without the key
void WriteItemCollectionMetrics(const ItemCollectionMetrics& m, JsonWriter& w);
std::string ReadReturnValuesOnConditionCheckFailure(RequestReader& in);
// The expression members an operation has (condition, update, projection) and its legacy
// (non-expression) members present, by wire name.
ExpressionParams ReadExpressions(RequestReader& in, bool condition, bool update, bool projection,
                                 std::initializer_list<const char*> legacy);
// Expected / KeyConditions / QueryFilter / ScanFilter maps; `entry_type` names an entry in
// wrong-JSON-type messages.
ExpectedMap ReadExpectedMap(const rapidjson::Value& map, const char* entry_type);
// AttributesToGet (absent: empty; present and empty: a constraint violation).
std::vector<std::string> ReadAttributesToGet(RequestReader& in);

}  // namespace ddbd::api::wire
