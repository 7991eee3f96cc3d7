// The DynamoDB operations on typed requests. Each validates its request completely before it
// touches the store; item writes go through Store::Mutate with a pure decide function, so a
// condition and its write are one atomic step. Failures are thrown as ApiError.
#pragma once

#include "api/operations/types.h"

namespace ddbd::api {

// tables.cc
TableDescription CreateTable(Context& ctx, const CreateTableRequest& req);
TableDescription DescribeTable(Context& ctx, const std::string& table_name);
TableDescription DeleteTable(Context& ctx, const std::string& table_name);
ListTablesResponse ListTables(Context& ctx, const ListTablesRequest& req);
TableDescription UpdateTable(Context& ctx, const UpdateTableRequest& req);

// items.cc
ItemResponse PutItem(Context& ctx, const PutItemRequest& req);
ItemResponse GetItem(Context& ctx, const GetItemRequest& req);
ItemResponse DeleteItem(Context& ctx, const DeleteItemRequest& req);
ItemResponse UpdateItem(Context& ctx, const UpdateItemRequest& req);

// batch.cc
BatchGetItemResponse BatchGetItem(Context& ctx, const BatchGetItemRequest& req);
BatchWriteItemResponse BatchWriteItem(Context& ctx, const BatchWriteItemRequest& req);

// transactions.cc
TransactWriteItemsResponse TransactWriteItems(Context& ctx, const TransactWriteItemsRequest& req);
TransactGetItemsResponse TransactGetItems(Context& ctx, const TransactGetItemsRequest& req);

// query.cc
ReadRangeResponse Query(Context& ctx, const ReadRangeRequest& req);
ReadRangeResponse Scan(Context& ctx, const ReadRangeRequest& req);

// Table lookup shared by the item operations: ResourceNotFoundException when absent.
storage::TablePtr RequireTable(Context& ctx, const std::string& table_name);
// Whether the table's index i is being created: backfilling, or (-delayTransientStatuses) still
// within its CREATING time. The index cannot be read meanwhile and the table is UPDATING.
bool IndexCreating(const Context& ctx, const storage::Table& table, size_t i);

}  // namespace ddbd::api
