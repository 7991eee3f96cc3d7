#include "api/wire/request_reader.h"

#include "api/errors.h"
#include "api/wire/json_values.h"

namespace ddbd::api::wire {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

const rapidjson::Value* RequestReader::Member(std::string_view name) const {
  auto it = root_.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  if (it == root_.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<std::string> RequestReader::String(std::string_view name) const {
  const rapidjson::Value* v = Member(name);
  if (!v) return std::nullopt;
  if (!v->IsString()) ThrowWrongJsonType(*v, "String");
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<bool> RequestReader::Bool(std::string_view name) const {
  const rapidjson::Value* v = Member(name);
  if (!v) return std::nullopt;
  if (!v->IsBool()) ThrowWrongJsonType(*v, "Boolean");
  return v->GetBool();
}

std::optional<int64_t> RequestReader::Long(std::string_view name) const {
  const rapidjson::Value* v = Member(name);
  if (!v) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsNumber()) throw ApiError::Serialization("NUMBER_VALUE can not be converted to Long");
  ThrowWrongJsonType(*v, "Long");
}

std::optional<storage::AttributeMap> RequestReader::AttributeMap(std::string_view name) const {
  const rapidjson::Value* v = Member(name);
  if (!v) return std::nullopt;
  return ParseAttributeMap(*v);
}

std::optional<expressions::NameMap> RequestReader::StringMap(std::string_view name) const {
  const rapidjson::Value* v = Member(name);
  if (!v) return std::nullopt;
  if (!v->IsObject()) ThrowWrongJsonType(*v, "Map");
  expressions::NameMap out;
  for (const auto& m : v->GetObject()) {
    if (!m.value.IsString()) ThrowWrongJsonType(m.value, "String");
    out[std::string(m.name.GetString(), m.name.GetStringLength())] =
        std::string(m.value.GetString(), m.value.GetStringLength());
  }
  return out;
}

void RequestReader::Violation(const std::string& rendered_value, const std::string& path,
                              const std::string& constraint) {
  violations_.push_back("Value " + rendered_value + " at '" + path +
                        "' failed to satisfy constraint: " + constraint);
}

void RequestReader::ViolationAt(const std::string& path, const std::string& constraint) {
  violations_.push_back("Value at '" + path + "' failed to satisfy constraint: " + constraint);
}

void RequestReader::NotNull(bool present, const std::string& path) {
  if (!present) Violation("null", path, "Member must not be null");
}

void RequestReader::TableNamePattern(const std::optional<std::string>& name,
                                     const std::string& path) {
  if (!name) return;
  for (char c : *name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      Violation(Quote(*name), path,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      return;
    }
  }
}

void RequestReader::Length(const std::optional<std::string>& value, const std::string& path,
                           size_t min, size_t max) {
  if (!value) return;
  if (value->size() < min) {
    Violation(Quote(*value), path,
              "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value->size() > max) {
    Violation(Quote(*value), path,
              "Member must have length less than or equal to " + std::to_string(max));
  }
}

void RequestReader::Range(const std::optional<int64_t>& value, const std::string& path, int64_t min,
                          int64_t max) {
  if (!value) return;
  if (*value < min) {
    Violation(Quote(std::to_string(*value)), path,
              "Member must have value greater than or equal to " + std::to_string(min));
  } else if (*value > max) {
    Violation(Quote(std::to_string(*value)), path,
              "Member must have value less than or equal to " + std::to_string(max));
  }
}

void RequestReader::Enum(const std::optional<std::string>& value, const std::string& path,
                         std::string_view allowed) {
  if (!value) return;
  // `allowed` is "[A, B, C]": match whole entries.
  std::string_view list = allowed.substr(1, allowed.size() - 2);
  while (!list.empty()) {
    size_t comma = list.find(", ");
    std::string_view entry = list.substr(0, comma);
    if (entry == *value) return;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 2);
  }
  Violation(Quote(*value), path, "Member must satisfy enum value set: " + std::string(allowed));
}

void RequestReader::ThrowIfInvalid() const {
  if (violations_.empty()) return;
  std::string msg =
      std::to_string(violations_.size()) +
      (violations_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < violations_.size(); ++i) msg += (i ? "; " : "") + violations_[i];
  throw ApiError::Validation(msg);
}

std::string RequestReader::TableNameForTableOperation() {
  auto name = String("TableName");
  NotNull(name.has_value(), "tableName");
  if (name && (name->size() < 3 || name->size() > 255)) {
    throw ApiError::Validation(
        "TableName must be at least 3 characters long and at most 255 characters long");
  }
  TableNamePattern(name, "tableName");
  return name.value_or("");
}

std::string RequestReader::TableNameForItemOperation() {
  auto name = String("TableName");
  NotNull(name.has_value(), "tableName");
  TableNamePattern(name, "tableName");
  Length(name, "tableName", 3, 255);
  return name.value_or("");
}

}  // namespace ddbd::api::wire
