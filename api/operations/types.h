// Typed requests and responses of the operations. api/wire fills the requests from JSON
// (checking JSON types and the service's member constraints) and writes the responses; the
// operations themselves never see JSON.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/expressions/resolve.h"
#include "api/operations/legacy.h"
#include "storage/store.h"
#include "storage/value.h"

namespace ddbd::api {

// Who is calling: their data namespace and what the Authorization header said.
struct Caller {
  std::string space;       // storage::SpaceFor(access key, region), or "shared" with -sharedDb
  std::string access_key;  // from the SigV4 credential scope
  std::string region = "us-east-1";
};

class TableStates;

// What every operation needs: the store, the caller, and the transient table statuses.
class IdempotencyTokens;
struct Context {
  storage::Store& store;
  const Caller& caller;
  TableStates* states = nullptr;        // null: tables are ACTIVE at once
  IdempotencyTokens* tokens = nullptr;  // ClientRequestToken windows (null: not remembered)
};

struct AttributeDefinition {
  std::string name;
  std::string type;  // S, N or B
};

struct KeySchemaElement {
  std::string name;
  std::string key_type;  // HASH or RANGE
};

struct ProvisionedThroughput {
  int64_t read = 0;
  int64_t write = 0;
};

struct ProjectionSpec {
  std::string type = "ALL";  // ALL, KEYS_ONLY or INCLUDE
  std::vector<std::string> non_key_attributes;
};

struct SecondaryIndexSpec {
  std::string name;
  std::vector<KeySchemaElement> key_schema;
  ProjectionSpec projection;
  std::optional<ProvisionedThroughput> provisioned_throughput;  // GSIs only
};

struct CreateTableRequest {
  std::string table_name;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<KeySchemaElement> key_schema;
  std::vector<SecondaryIndexSpec> global_indexes;
  std::vector<SecondaryIndexSpec> local_indexes;
  std::optional<std::string> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  // "GlobalSecondaryIndexes" / "LocalSecondaryIndexes" when given as an empty list.
  std::vector<std::string> empty_index_lists;
  // Parameters ddbd does not implement yet; a request using them is refused, never faked.
  std::vector<std::string> unsupported;
};

struct GlobalIndexUpdate {
  enum class Kind { kCreate, kUpdate, kDelete } kind = Kind::kCreate;
  SecondaryIndexSpec spec;  // name always; key schema and projection for a create
};

struct UpdateTableRequest {
  std::string table_name;
  std::vector<AttributeDefinition> attribute_definitions;
  bool attribute_definitions_given = false;
  std::optional<std::string> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::vector<GlobalIndexUpdate> index_updates;  // every action of every entry, in order
  bool index_updates_given = false;              // GlobalSecondaryIndexUpdates was present
  std::vector<int> actions_per_entry;            // Create/Update/Delete members of each entry
  std::optional<std::string> table_class;
  std::optional<bool> deletion_protection;
  std::vector<std::string> unsupported;  // refused, never faked
};

struct TableDescription {
  std::string name, arn, id, status;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<KeySchemaElement> key_schema;
  double creation_date_time = 0;
  std::string billing_mode;
  ProvisionedThroughput throughput;
  int64_t item_count = 0;
  int64_t size_bytes = 0;
  struct Index {
    bool global = true;
    std::string name, arn;
    std::vector<KeySchemaElement> key_schema;
    ProjectionSpec projection;
    ProvisionedThroughput throughput;
    int64_t item_count = 0;
    int64_t size_bytes = 0;
    std::string status = "ACTIVE";  // GSIs: CREATING, DELETING
    // Only for a GSI added by UpdateTable while CREATING: whether it is backfilling yet.
    std::optional<bool> backfilling;
  };
  std::vector<Index> indexes;
  std::optional<std::string> table_class;
  bool deletion_protection = false;
};

struct ListTablesRequest {
  std::optional<std::string> exclusive_start_table_name;
  int64_t limit = 100;
};

struct ListTablesResponse {
  std::vector<std::string> table_names;
  std::optional<std::string> last_evaluated_table_name;
};

enum class ReturnConsumedCapacity { kNone, kTotal, kIndexes };

struct ConsumedCapacity {
  std::string table_name;
  double units = 0;      // the total: the table's and every index's
  bool indexes = false;  // also report the breakdown: the table's units and each index's
  double table_units = 0;
  struct Index {
    std::string name;
    bool global = true;  // GlobalSecondaryIndexes or LocalSecondaryIndexes in the breakdown
    double units = 0;
  };
  std::vector<Index> index_units;  // the indexes that were read or written
  // Transactions also split the units into "ReadCapacityUnits" or "WriteCapacityUnits" (this
  // member's value), at the top and in the Table breakdown; empty for other operations.
  std::string split;
};

// Expression parameters shared by the item operations.
struct ExpressionParams {
  std::optional<std::string> condition_expression;
  std::optional<std::string> update_expression;
  std::optional<std::string> projection_expression;
  std::optional<expressions::NameMap> names;
  std::optional<storage::AttributeMap> values;
  // Legacy (non-expression) parameters present in the request, by wire name.
  std::vector<std::string> legacy;
  std::optional<ExpectedMap> expected;
  std::optional<std::string> conditional_operator;
  std::optional<AttributeUpdateMap> attribute_updates;
  bool update_operation = false;  // UpdateItem: changes one message's wording
};

// What PutItem, DeleteItem and UpdateItem have in common.
struct ItemWriteRequest {
  std::string table_name;
  std::string return_values = "NONE";
  std::string return_values_on_condition_check_failure = "NONE";
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
  bool return_item_collection_metrics = false;  // ReturnItemCollectionMetrics: SIZE
  ExpressionParams expr;
};

// ItemCollectionMetrics (tables with local secondary indexes).
struct ItemCollectionMetrics {
  storage::Item key;  // the partition key attribute
  double lower_gb = 0, upper_gb = 1;
};

struct PutItemRequest : ItemWriteRequest {
  storage::Item item;
};

struct DeleteItemRequest : ItemWriteRequest {
  storage::Item key;
};

struct UpdateItemRequest : ItemWriteRequest {
  storage::Item key;
};

struct GetItemRequest {
  std::string table_name;
  storage::Item key;
  bool consistent_read = false;
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
  std::vector<std::string> attributes_to_get;  // legacy projection of top-level names
  ExpressionParams expr;
};

// Query and Scan (one request type: a Scan has no key condition and may have segments).
struct ReadRangeRequest {
  bool is_query = true;
  std::string table_name;
  std::optional<std::string> index_name;
  std::optional<std::string> key_condition_expression;
  std::optional<std::string> filter_expression;
  std::optional<std::string> projection_expression;
  std::optional<expressions::NameMap> names;
  std::optional<storage::AttributeMap> values;
  std::optional<std::string> select;
  std::optional<int64_t> limit;
  std::optional<storage::Item> exclusive_start_key;
  bool scan_index_forward = true;
  bool consistent_read = false;
  std::optional<int64_t> segment;
  std::optional<int64_t> total_segments;
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
  // Legacy parameters (Developer Guide, "Legacy conditional parameters"), translated into the
  // same AST as the expressions. `legacy` lists the ones present, by wire name.
  std::vector<std::string> legacy;
  std::optional<ExpectedMap> key_conditions;
  std::optional<ExpectedMap> filter;  // QueryFilter or ScanFilter
  std::optional<std::string> conditional_operator;
  std::vector<std::string> attributes_to_get;
};

// The items of a Query or Scan page, in order. An item answered whole is kept as its stored
// bytes (the item codec's), which the wire layer writes out without building the item; a
// projected or fetched item is kept decoded.
class ResultItems {
 public:
  void AddEncoded(std::string_view bytes) {
    // Room for a typical page (a 100-item Query is ~25 KB) from the first item on, instead of
    // growing (and copying) through a dozen sizes.
    if (bytes_.empty()) bytes_.reserve(std::max<size_t>(bytes.size(), 32 * 1024));
    entries_.push_back({bytes_.size(), bytes.size()});
    bytes_.append(bytes);
  }
  void Add(storage::Item item) {
    entries_.push_back({decoded_.size(), kDecoded});
    decoded_.push_back(std::move(item));
  }
  size_t size() const { return entries_.size(); }
  // Calls encoded(std::string_view) or decoded(const storage::Item&) for each item, in order.
  template <typename Encoded, typename Decoded>
  void ForEach(Encoded&& encoded, Decoded&& decoded) const {
    for (const auto& e : entries_) {
      if (e.size == kDecoded) {
        decoded(decoded_[e.index]);
      } else {
        encoded(std::string_view(bytes_).substr(e.index, e.size));
      }
    }
  }

 private:
  static constexpr size_t kDecoded = SIZE_MAX;
  struct Entry {
    size_t index;  // offset in bytes_, or index in decoded_
    size_t size;   // byte count, or kDecoded
  };
  std::string bytes_;
  std::vector<storage::Item> decoded_;
  std::vector<Entry> entries_;
};

struct ReadRangeResponse {
  std::optional<ResultItems> items;  // absent for Select COUNT
  int64_t count = 0;
  int64_t scanned_count = 0;
  std::optional<storage::Item> last_evaluated_key;
  std::optional<ConsumedCapacity> consumed_capacity;
};

// PutItem, DeleteItem and UpdateItem answer with Attributes; GetItem with Item.
struct ItemResponse {
  std::optional<storage::Item> item;
  std::optional<ConsumedCapacity> consumed_capacity;
  std::optional<ItemCollectionMetrics> item_collection_metrics;
};

// BatchGetItem: per table, its keys and how to read them.
struct KeysAndAttributes {
  std::string table_name;
  std::vector<storage::Item> keys;
  bool consistent_read = false;
  std::vector<std::string> attributes_to_get;
  ExpressionParams expr;  // ProjectionExpression and ExpressionAttributeNames
};

struct BatchGetItemRequest {
  std::vector<KeysAndAttributes> tables;  // in request order
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
};

struct BatchGetItemResponse {
  std::vector<std::pair<std::string, ResultItems>> responses;  // every table
  std::vector<KeysAndAttributes> unprocessed;  // keys left for the next call (16 MB limit)
  std::vector<ConsumedCapacity> consumed_capacity;
};

// BatchWriteItem: per table, PutRequest (item) and DeleteRequest (key) entries.
struct WriteRequest {
  bool put = true;
  storage::Item item;  // the item of a put, the key of a delete
};

struct BatchWriteItemRequest {
  std::vector<std::pair<std::string, std::vector<WriteRequest>>> tables;
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
  bool return_item_collection_metrics = false;
};

struct BatchWriteItemResponse {
  std::vector<ConsumedCapacity> consumed_capacity;
  std::vector<std::pair<std::string, std::vector<ItemCollectionMetrics>>> item_collection_metrics;
};

// TransactWriteItems: one action per item.
struct TransactWriteAction {
  enum class Kind { kConditionCheck, kPut, kDelete, kUpdate };
  Kind kind = Kind::kPut;
  std::string table_name;
  storage::Item item;  // Put: the item; the others: the key
  std::string return_values_on_condition_check_failure = "NONE";
  ExpressionParams expr;
};

struct TransactWriteItemsRequest {
  std::vector<TransactWriteAction> actions;
  std::optional<std::string> client_request_token;
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
  bool return_item_collection_metrics = false;
};

struct TransactWriteItemsResponse {
  std::vector<ConsumedCapacity> consumed_capacity;
  std::vector<std::pair<std::string, std::vector<ItemCollectionMetrics>>> item_collection_metrics;
};

struct TransactGetItemsRequest {
  struct Get {
    std::string table_name;
    storage::Item key;
    ExpressionParams expr;  // ProjectionExpression and ExpressionAttributeNames
  };
  std::vector<Get> gets;
  ReturnConsumedCapacity return_consumed_capacity = ReturnConsumedCapacity::kNone;
};

struct TransactGetItemsResponse {
  std::vector<std::optional<storage::Item>> items;  // positional; absent: no such item
  std::vector<ConsumedCapacity> consumed_capacity;
};

}  // namespace ddbd::api
