// Shared pieces of the item operations: primary-key extraction and validation against the
// table's schema, item-size limits, expression preparation (parse, resolve, unused checks)
// and capacity-unit arithmetic, all in DynamoDB's words.
#pragma once

#include <optional>

#include "api/errors.h"
#include "api/expressions/ast.h"
#include "api/operations/types.h"

namespace ddbd::api {

inline constexpr size_t kMaxItemBytes = 400 * 1024;
inline constexpr size_t kMaxHashKeyBytes = 2048;
inline constexpr size_t kMaxRangeKeyBytes = 1024;
inline constexpr size_t kMaxNestingDepth = 32;
inline constexpr size_t kMaxAttributeNameBytes = 65535;
inline constexpr size_t kMaxPlaceholderBytes = 255;
inline constexpr size_t kMaxSubstitutionBytes = 2 * 1024 * 1024;

// The key of a full item (PutItem): every key attribute present with the schema's type.
storage::PrimaryKey KeyFromItem(const storage::TableInfo& table, const storage::Item& item);
// A Key parameter (GetItem, DeleteItem, UpdateItem): exactly the key attributes.
storage::PrimaryKey KeyFromKeyParam(const storage::TableInfo& table, const storage::Item& key);
// The key attributes as an item (the start of an UpdateItem on an absent item).
storage::Item KeyItem(const storage::TableInfo& table, const storage::PrimaryKey& key);

// An empty S or B key value, worded as the batch and transaction operations word it ("One or
// more parameter values are not valid. The AttributeValue for a key attribute cannot contain
// an empty string value. Key: pk"); nullopt for any other error.
std::optional<ApiError> EmptyKeyValueError(const ApiError& e);

// A Key parameter of a batch or transaction: every attribute in it is a key attribute, so an
// empty S or B value is refused before the table is looked up.
void CheckKeyValuesNotEmpty(const storage::Item& key);
// The same for one key value (a Query's key condition).
void CheckKeyValueNotEmpty(const std::string& name, const storage::AttributeValue& v);

// Throws "Nesting Levels have exceeded supported limits" past 32 levels and "Item size has
// exceeded the maximum allowed size" past 400 KB.
// (`update`: the result of an UpdateItem, which the service words "Item size to update has
// exceeded the maximum allowed size".)
void CheckItemSize(const storage::Item& item, bool update = false);
// Index key attributes present in the item must have the index's type and not be empty.
void CheckIndexKeys(const storage::TableInfo& table, const storage::Item& item);
// Top-level attribute names: not empty, at most 65535 bytes.
void CheckAttributeNames(const storage::Item& item);

struct PreparedExpressions {
  std::optional<expressions::Condition> condition;
  std::optional<expressions::UpdateExpression> update;
  std::optional<expressions::Projection> projection;
};

// Parses and resolves the request's expressions; rejects unused names/values, legacy
// parameters mixed with expressions, and malformed placeholder keys.
PreparedExpressions PrepareExpressions(const ExpressionParams& params);

// AttributesToGet may not name an attribute twice.
void CheckAttributesToGet(const std::vector<std::string>& attributes_to_get);
// A read's answer: the ProjectionExpression's paths, or the AttributesToGet, or the whole item.
storage::Item ProjectItem(storage::Item item, const PreparedExpressions& expr,
                          const std::vector<std::string>& attributes_to_get);

// UpdateItem and a transaction's Update: the paths the update writes, none of them a key
// attribute ("Cannot update attribute pk. This attribute is part of the key").
std::vector<expressions::Path> CheckUpdatedPaths(const storage::TableInfo& info,
                                                 const PreparedExpressions& expr);
// An update's decide: Fail when the condition does not hold, else the updated item (checked
// for index key types and size; copied to *new_item when given). Throws ApiError.
storage::Decision DecideUpdate(const PreparedExpressions& expr, const storage::TableInfo& info,
                               const storage::PrimaryKey& key, const storage::Item* current,
                               storage::Item* new_item);
// ItemCollectionMetrics for a write to a table with LSIs, when the request asked for them:
// the partition key, and the collection's size as a [lower, upper] estimate in GB.
std::optional<ItemCollectionMetrics> CollectionMetrics(bool wanted, const storage::Table& table,
                                                       const storage::PrimaryKey& key,
                                                       const storage::MutateResult& result);

double WriteUnits(size_t bytes);
double ReadUnits(size_t bytes, bool consistent);
// The capacity of a write: the table's units for an item of item_bytes, plus what the write
// cost each secondary index it changed.
std::optional<ConsumedCapacity> WriteCapacity(ReturnConsumedCapacity mode, const std::string& table,
                                              size_t item_bytes, const storage::TableInfo& info,
                                              const storage::MutateResult& result);
std::optional<ConsumedCapacity> Capacity(ReturnConsumedCapacity mode, const std::string& table,
                                         double units);

}  // namespace ddbd::api
