#include "api/operations/item_support.h"

#include <cmath>
#include <set>

#include "api/errors.h"
#include "api/expressions/evaluate.h"
#include "api/expressions/parser.h"
#include "api/expressions/resolve.h"
#include "api/expressions/update.h"

namespace ddbd::api {
namespace {

using storage::AttributeValue;
using storage::ValueType;

size_t KeyBytes(const AttributeValue& v) {
  if (auto* s = v.get_if<std::string>()) return s->size();
  if (auto* b = v.get_if<storage::Binary>()) return b->bytes.size();
  if (auto* n = v.get_if<storage::Number>()) return n->StorageSize();
  return 0;
}

bool IsEmptyScalar(const AttributeValue& v) {
  if (auto* s = v.get_if<std::string>()) return s->empty();
  if (auto* b = v.get_if<storage::Binary>()) return b->bytes.empty();
  return false;
}

void CheckKeySizes(const storage::PrimaryKey& key) {
  if (KeyBytes(key.hash) > kMaxHashKeyBytes) {
    throw ApiError::Validation(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
        "limit of2048 bytes");
  }
  if (key.range && KeyBytes(*key.range) > kMaxRangeKeyBytes) {
    throw ApiError::Validation(
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded "
        "the size limit of 1024 bytes");
  }
}

std::string EmptyKeyMessage(const AttributeValue& v, const std::string& name) {
  return std::string("The AttributeValue for a key attribute cannot contain an empty ") +
         (v.type() == ValueType::kS ? "string" : "binary") + " value. Key: " + name;
}

bool ValidPlaceholderKey(const std::string& key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    char c = key[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

storage::PrimaryKey KeyFromItem(const storage::TableInfo& table, const storage::Item& item) {
  auto get = [&](const storage::KeyAttribute& ka) -> const AttributeValue& {
    auto it = item.find(ka.name);
    if (it == item.end()) {
      throw ApiError::Validation("One or more parameter values were invalid: Missing the key " +
                                 ka.name + " in the item");
    }
    if (it->second.type() != ka.type) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Type mismatch for key " + ka.name +
          " expected: " + storage::TypeName(ka.type) +
          " actual: " + storage::TypeName(it->second.type()));
    }
    if (IsEmptyScalar(it->second)) {
      throw ApiError::Validation("One or more parameter values are not valid. " +
                                 EmptyKeyMessage(it->second, ka.name));
    }
    return it->second;
  };
  storage::PrimaryKey key{get(table.hash), std::nullopt};
  if (table.range) key.range = get(*table.range);
  CheckKeySizes(key);
  return key;
}

storage::PrimaryKey KeyFromKeyParam(const storage::TableInfo& table, const storage::Item& key) {
  size_t expected = table.range ? 2 : 1;
  auto mismatch = [] {
    return ApiError::Validation("The provided key element does not match the schema");
  };
  if (key.size() != expected) throw mismatch();
  auto get = [&](const storage::KeyAttribute& ka) -> const AttributeValue& {
    auto it = key.find(ka.name);
    if (it == key.end() || it->second.type() != ka.type) throw mismatch();
    if (IsEmptyScalar(it->second)) {
      throw ApiError::Validation("One or more parameter values were invalid: " +
                                 EmptyKeyMessage(it->second, ka.name));
    }
    return it->second;
  };
  storage::PrimaryKey out{get(table.hash), std::nullopt};
  if (table.range) out.range = get(*table.range);
  CheckKeySizes(out);
  return out;
}

storage::Item KeyItem(const storage::TableInfo& table, const storage::PrimaryKey& key) {
  storage::Item item;
  item[table.hash.name] = key.hash;
  if (table.range) item[table.range->name] = *key.range;
  return item;
}

void CheckIndexKeys(const storage::TableInfo& table, const storage::Item& item) {
  for (const auto& index : table.indexes) {
    for (const auto* attrs : {&index.hash, &index.range}) {
      for (const auto& a : *attrs) {
        auto it = item.find(a.name);
        if (it == item.end()) continue;  // sparse: the item is simply not in the index
        if (it->second.type() != a.type) {
          throw ApiError::Validation(
              "One or more parameter values were invalid: Type mismatch for Index Key " + a.name +
              " Expected: " + storage::TypeName(a.type) +
              " Actual: " + storage::TypeName(it->second.type()) + " IndexName: " + index.name);
        }
        if (IsEmptyScalar(it->second)) {
          throw ApiError::Validation(
              "One or more parameter values are not valid. A value specified for a secondary "
              "index key is not supported. The AttributeValue for a key attribute cannot contain "
              "an empty " +
              std::string(it->second.type() == ValueType::kS ? "string" : "binary") +
              " value. IndexName: " + index.name + ", IndexKey: " + a.name);
        }
      }
    }
  }
}

void CheckAttributeNames(const storage::Item& item) {
  for (const auto& [name, v] : item) {
    if (name.empty()) {
      throw ApiError::Validation("One or more parameter values were invalid: Empty attribute name");
    }
    if (name.size() > kMaxAttributeNameBytes) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Attribute name is too large, must be less "
          "than 65536 bytes");
    }
  }
}

std::optional<ApiError> EmptyKeyValueError(const ApiError& e) {
  if (e.message().find("IndexName") != std::string::npos) return std::nullopt;  // index keys
  size_t at = e.message().find("The AttributeValue for a key attribute cannot contain an empty");
  if (at == std::string::npos) return std::nullopt;
  return ApiError::Validation("One or more parameter values are not valid. " +
                              e.message().substr(at));
}

void CheckKeyValuesNotEmpty(const storage::Item& key) {
  for (const auto& [name, v] : key) CheckKeyValueNotEmpty(name, v);
}

void CheckKeyValueNotEmpty(const std::string& name, const AttributeValue& v) {
  if (IsEmptyScalar(v)) {
    throw ApiError::Validation("One or more parameter values are not valid. " +
                               EmptyKeyMessage(v, name));
  }
}

void CheckItemSize(const storage::Item& item, bool update) {
  // An update can copy a subtree into itself (SET a.b = a) and so deepen an item past what any
  // request could send; the limit holds for the result as for the request.
  if (storage::NestingDepth(item) > kMaxNestingDepth) {
    throw ApiError::Validation("Nesting Levels have exceeded supported limits");
  }
  if (storage::ItemSize(item) > kMaxItemBytes) {
    throw ApiError::Validation(update ? "Item size to update has exceeded the maximum allowed size"
                                      : "Item size has exceeded the maximum allowed size");
  }
}

PreparedExpressions PrepareExpressions(const ExpressionParams& p) {
  std::vector<std::string> expression_params;
  // The service lists them in this order.
  if (p.update_expression) expression_params.push_back("UpdateExpression");
  if (p.condition_expression) expression_params.push_back("ConditionExpression");
  if (p.projection_expression) expression_params.push_back("ProjectionExpression");
  if (!p.legacy.empty() && !expression_params.empty()) {
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
      return out;
    };
    throw ApiError::Validation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" +
        join(p.legacy) + "} Expression parameters: {" + join(expression_params) + "}");
  }
  // Limits first, so no work is spent on oversized substitutions (Developer Guide, "Quotas":
  // 255 bytes per placeholder, 2 MB for all names and values together).
  size_t substitution_bytes = 0;
  if (p.names) {
    for (const auto& [k, v] : *p.names) {
      if (k.size() > kMaxPlaceholderBytes) {
        throw ApiError::Validation(
            "ExpressionAttributeNames contains invalid key: The expression attribute map contains "
            "a key that is too long; size of key: " +
            std::to_string(k.size()));
      }
      substitution_bytes += k.size() + v.size();
    }
  }
  if (p.values) {
    for (const auto& [k, v] : *p.values) {
      if (k.size() > kMaxPlaceholderBytes) {
        throw ApiError::Validation(
            "ExpressionAttributeValues contains invalid key: The expression attribute map "
            "contains a key that is too long;");
      }
      substitution_bytes += k.size() + storage::ValueSize(v);
    }
  }
  if (substitution_bytes > kMaxSubstitutionBytes) {
    throw ApiError::Validation(
        "Combined size of ExpressionAttributeNames and ExpressionAttributeValues exceeds max size");
  }
  if (p.names) {
    if (p.names->empty()) throw ApiError::Validation("ExpressionAttributeNames must not be empty");
    for (const auto& [k, v] : *p.names) {
      if (v.empty()) {
        throw ApiError::Validation(
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key " + k);
      }
      if (v.size() > kMaxAttributeNameBytes) {
        throw ApiError::Validation(
            "ExpressionAttributeNames contains invalid value: Attribute name is too large, must "
            "be less than 65536 bytes for key " +
            k);
      }
      if (!ValidPlaceholderKey(k, '#')) {
        throw ApiError::Validation(
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + k + "\"");
      }
    }
    if (expression_params.empty()) {
      throw ApiError::Validation(
          "ExpressionAttributeNames can only be specified when using expressions");
    }
  }
  if (p.values) {
    if (p.values->empty())
      throw ApiError::Validation("ExpressionAttributeValues must not be empty");
    for (const auto& [k, v] : *p.values) {
      if (!ValidPlaceholderKey(k, ':')) {
        throw ApiError::Validation(
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + k + "\"");
      }
    }
    if (!p.condition_expression && !p.update_expression) {
      throw ApiError::Validation(
          std::string("ExpressionAttributeValues can only be specified when using expressions: ") +
          (p.update_operation ? "UpdateExpression and ConditionExpression are null"
                              : "ConditionExpression is null"));
    }
  }
  PreparedExpressions out;
  if (expression_params.empty()) {
    if (p.expected || p.conditional_operator) {
      static const ExpectedMap kNone;
      out.condition =
          ConditionFromExpected(p.expected ? *p.expected : kNone, p.conditional_operator);
    }
    if (p.attribute_updates) out.update = UpdateFromAttributeUpdates(*p.attribute_updates);
    if (p.names)
      throw ApiError::Validation(
          "ExpressionAttributeNames can only be specified when using expressions");
    return out;
  }
  expressions::Resolver resolver(p.names ? &*p.names : nullptr, p.values ? &*p.values : nullptr);
  if (p.update_expression) {
    out.update = expressions::ParseUpdate(*p.update_expression);
  }
  if (p.condition_expression) {
    out.condition = expressions::ParseCondition(*p.condition_expression);
  }
  if (p.projection_expression) {
    out.projection = expressions::ParseProjection(*p.projection_expression);
  }
  if (out.update) {
    resolver.Resolve(*out.update);
    expressions::CheckPathsDisjoint(expressions::UpdatedPaths(*out.update),
                                    expressions::kUpdateExpression);
  }
  if (out.condition) resolver.Resolve(*out.condition, expressions::kConditionExpression);
  if (out.projection) {
    resolver.Resolve(*out.projection);
    expressions::CheckPathsDisjoint(out.projection->paths, expressions::kProjectionExpression);
  }
  resolver.CheckAllUsed();
  return out;
}

void CheckAttributesToGet(const std::vector<std::string>& attributes_to_get) {
  std::set<std::string_view> wanted;
  for (const auto& name : attributes_to_get) {
    if (!wanted.insert(name).second) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Duplicate value in attribute name: " + name);
    }
  }
}

storage::Item ProjectItem(storage::Item item, const PreparedExpressions& expr,
                          const std::vector<std::string>& attributes_to_get) {
  if (expr.projection) return expressions::Project(item, expr.projection->paths);
  if (attributes_to_get.empty()) return item;
  storage::Item out;
  for (const auto& name : attributes_to_get) {
    auto it = item.find(name);
    if (it != item.end()) out.insert(std::move(*it));
  }
  return out;
}

double WriteUnits(size_t bytes) { return std::max(1.0, std::ceil(bytes / 1024.0)); }

double ReadUnits(size_t bytes, bool consistent) {
  double units = std::max(1.0, std::ceil(bytes / 4096.0));
  return consistent ? units : units / 2;
}

std::optional<ConsumedCapacity> Capacity(ReturnConsumedCapacity mode, const std::string& table,
                                         double units) {
  if (mode == ReturnConsumedCapacity::kNone) return std::nullopt;
  ConsumedCapacity c;
  c.table_name = table;
  c.units = units;
  c.table_units = units;
  c.indexes = mode == ReturnConsumedCapacity::kIndexes;
  return c;
}

std::optional<ConsumedCapacity> WriteCapacity(ReturnConsumedCapacity mode, const std::string& table,
                                              size_t item_bytes, const storage::TableInfo& info,
                                              const storage::MutateResult& result) {
  auto c = Capacity(mode, table, WriteUnits(item_bytes));
  if (!c) return c;
  // Developer Guide, "Global secondary indexes", write capacity: an index whose entry is put
  // or removed costs a write of the entry's size; one whose key changes costs both; an index
  // the write does not change costs nothing. Local secondary indexes are counted alike.
  for (size_t i = 0; i < result.index_writes.size() && i < info.indexes.size(); ++i) {
    const auto& w = result.index_writes[i];
    double units =
        (w.removed ? WriteUnits(w.removed_size) : 0) + (w.written ? WriteUnits(w.written_size) : 0);
    if (units == 0) continue;
    c->index_units.push_back({info.indexes[i].name, info.indexes[i].global, units});
    c->units += units;
  }
  return c;
}

}  // namespace ddbd::api
