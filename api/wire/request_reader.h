// RequestReader: typed access to a request's top-level JSON members, and the service's member
// constraint checks ("1 validation error detected: Value 'x' at 'tableName' failed to satisfy
// constraint: ..."), collected and reported together in the service's format.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/expressions/resolve.h"
#include "storage/value.h"

namespace ddbd::api::wire {

class RequestReader {
 public:
  explicit RequestReader(const rapidjson::Value& root) : root_(root) {}

  // The member, or nullptr when absent or JSON null. Wrong JSON types raise SerializationException.
  const rapidjson::Value* Member(std::string_view name) const;
  std::optional<std::string> String(std::string_view name) const;
  std::optional<bool> Bool(std::string_view name) const;
  std::optional<int64_t> Long(std::string_view name) const;
  std::optional<storage::AttributeMap> AttributeMap(std::string_view name) const;
  std::optional<expressions::NameMap> StringMap(std::string_view name) const;

  // Constraint checks; `path` is the member's wire path, e.g. "tableName".
  void NotNull(bool present, const std::string& path);
  void TableNamePattern(const std::optional<std::string>& name, const std::string& path);
  void Length(const std::optional<std::string>& value, const std::string& path, size_t min,
              size_t max);
  void Range(const std::optional<int64_t>& value, const std::string& path, int64_t min,
             int64_t max);
  void Enum(const std::optional<std::string>& value, const std::string& path,
            std::string_view allowed);  // allowed as the service prints it: "[A, B]"
  void Violation(const std::string& rendered_value, const std::string& path,
                 const std::string& constraint);
  // The service's newer wording, which does not echo the value ("Value at 'RequestItems'
  // failed to satisfy constraint: ..."), for values too large to echo.
  void ViolationAt(const std::string& path, const std::string& constraint);

  // Throws the collected violations as one ValidationException.
  void ThrowIfInvalid() const;

  // A table name for the table operations (CreateTable, DescribeTable, DeleteTable), which
  // report a bad length with their own message.
  std::string TableNameForTableOperation();
  // A table name for the item operations (coral-style messages only).
  std::string TableNameForItemOperation();

 private:
  const rapidjson::Value& root_;
  std::vector<std::string> violations_;
};

std::string Quote(std::string_view s);  // 'value' as in constraint messages

}  // namespace ddbd::api::wire
