// What CreateTable/DescribeTable (tables.cc) and UpdateTable (update_table.cc) share: the
// description of a table, its stored settings, and the validation of secondary indexes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/errors.h"
#include "api/operations/operations.h"

namespace ddbd::api::tables {

// ValidationException "One or more parameter values were invalid: <msg>".
ApiError Invalid(const std::string& msg);
// ResourceInUseException "Attempt to change a resource which is still in use: <what>".
ApiError InUse(const std::string& what);

// "Some index key attributes are not defined in AttributeDefinitions. Keys: [...], ..."
ApiError UndefinedKeys(const std::vector<KeySchemaElement>& keys,
                       const std::vector<AttributeDefinition>& defs);

// "a, b, c": the names of key schema elements or attribute definitions, as messages print them.
template <typename List>
std::string NameList(const List& list) {
  std::string out;
  for (const auto& x : list) out += (out.empty() ? "" : ", ") + x.name;
  return out;
}

storage::Number ToNumber(int64_t v);
int64_t ToInt(const storage::AttributeValue* v);         // 0 when absent
storage::ValueType ScalarType(const std::string& type);  // "S", "N" or "B"
// A table setting kept in its catalog entry (TableInfo::meta), or null.
const storage::AttributeValue* Meta(const storage::TableInfo& info, const char* name);
// The table's AttributeDefinitions, as stored (in the order they were given).
std::vector<AttributeDefinition> Definitions(const storage::TableInfo& info);

TableDescription Describe(const Context& ctx, const storage::Table& table, const char* status);

// The indexes of a CreateTable request (also one UpdateTable Create, as a request with one
// GSI), checked by the service's rules; `keys` is the table's key schema.
std::vector<storage::IndexInfo> ValidateIndexes(
    const CreateTableRequest& req, const std::string& billing,
    const std::vector<KeySchemaElement>& keys,
    const std::function<storage::ValueType(const std::string&)>& type_of);

}  // namespace ddbd::api::tables
