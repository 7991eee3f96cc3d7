// Query and Scan (API reference: Query, Scan; Developer Guide: "Querying tables", "Scanning
// tables", "Paginating table query results"). Both read one key range of a table or index on a
// snapshot, in DynamoDB's order: Limit and the 1 MB page size count items read, before the
// filter; LastEvaluatedKey names the last item read.
#include <algorithm>
#include <set>

#include "api/errors.h"
#include "api/expressions/evaluate.h"
#include "api/expressions/parser.h"
#include "api/expressions/update.h"
#include "api/operations/item_support.h"
#include "api/operations/operations.h"
#include "api/operations/table_states.h"
#include "storage/item_codec.h"

namespace ddbd::api {
namespace {

using expressions::Comparator;
using expressions::Condition;
using expressions::Operand;
using expressions::Path;
using storage::AttributeValue;
using storage::Item;
using storage::KeyAttribute;
using storage::ValueType;

constexpr size_t kMaxPageBytes = 1024 * 1024;

ApiError Invalid(const std::string& msg) {
  return ApiError::Validation("One or more parameter values were invalid: " + msg);
}
ApiError KeyConditionError(const std::string& msg) {
  return ApiError::Validation("Invalid KeyConditionExpression: " + msg);
}

// What is being read: the table itself or one of its indexes.
struct Target {
  const storage::TableInfo* table = nullptr;
  const storage::IndexInfo* index = nullptr;  // null: the table
  std::vector<KeyAttribute> hash, range;      // the key attributes of what is read

  bool IsKey(std::string_view name) const {
    for (const auto& k : hash) {
      if (k.name == name) return true;
    }
    for (const auto& k : range) {
      if (k.name == name) return true;
    }
    return false;
  }
};

Target ResolveTarget(const storage::TableInfo& table,
                     const std::optional<std::string>& index_name) {
  Target t;
  t.table = &table;
  if (!index_name) {
    t.hash = {table.hash};
    if (table.range) t.range = {*table.range};
    return t;
  }
  t.index = table.FindIndex(*index_name);
  if (!t.index) {
    throw ApiError::Validation("The table does not have the specified index: " + *index_name);
  }
  t.hash = t.index->hash;
  t.range = t.index->range;
  return t;
}

// One condition of a key condition expression, on one key attribute.
struct KeyCondition {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith } op = Op::kEq;
  std::string attribute;
  AttributeValue a, b;
};

const std::string& TopName(const Operand& o) {
  static const std::string kNone;
  auto* p = std::get_if<Path>(&o.v);
  return p && p->elements.size() == 1 ? p->elements[0].name : kNone;
}

void CheckNotNested(const Operand& o) {
  auto* p = std::get_if<Path>(&o.v);
  if (p && p->elements.size() > 1) {
    throw ApiError::Validation(
        "KeyConditionExpressions cannot have conditions on nested attributes");
  }
}

const AttributeValue* ConstantOf(const Operand& o) {
  auto* ref = std::get_if<expressions::ValueRef>(&o.v);
  return ref ? &ref->value : nullptr;
}

// Flattens `a AND b` into key conditions; rejects what a key condition cannot contain.
void CollectKeyConditions(const Condition& c, std::vector<KeyCondition>* out) {
  if (auto* l = std::get_if<expressions::Logical>(&c.v)) {
    if (!l->is_and)
      throw ApiError::Validation("Invalid operator used in KeyConditionExpression: OR");
    for (const auto& side : l->sides) CollectKeyConditions(side, out);
    return;
  }
  if (std::holds_alternative<expressions::Not>(c.v)) {
    throw ApiError::Validation("Invalid operator used in KeyConditionExpression: NOT");
  }
  if (std::holds_alternative<expressions::In>(c.v)) {
    throw ApiError::Validation("Invalid operator used in KeyConditionExpression: IN");
  }
  KeyCondition k;
  if (auto* cmp = std::get_if<expressions::Comparison>(&c.v)) {
    const Operand* path = &cmp->lhs;
    const Operand* value = &cmp->rhs;
    Comparator op = cmp->op;
    if (!ConstantOf(*value) && ConstantOf(*path)) {  // :v < a is a > :v
      std::swap(path, value);
      switch (op) {
        case Comparator::kLt:
          op = Comparator::kGt;
          break;
        case Comparator::kLe:
          op = Comparator::kGe;
          break;
        case Comparator::kGt:
          op = Comparator::kLt;
          break;
        case Comparator::kGe:
          op = Comparator::kLe;
          break;
        default:
          break;
      }
    }
    if (op == Comparator::kNe) {
      throw ApiError::Validation("Invalid operator used in KeyConditionExpression: <>");
    }
    CheckNotNested(*path);
    if (TopName(*path).empty() || !ConstantOf(*value)) {
      throw KeyConditionError(
          "KeyConditionExpressions must only contain one condition per key and compare key "
          "attributes with values");
    }
    k.attribute = TopName(*path);
    k.a = *ConstantOf(*value);
    k.op = op == Comparator::kEq   ? KeyCondition::Op::kEq
           : op == Comparator::kLt ? KeyCondition::Op::kLt
           : op == Comparator::kLe ? KeyCondition::Op::kLe
           : op == Comparator::kGt ? KeyCondition::Op::kGt
                                   : KeyCondition::Op::kGe;
  } else if (auto* between = std::get_if<expressions::Between>(&c.v)) {
    CheckNotNested(between->subject);
    if (TopName(between->subject).empty() || !ConstantOf(between->lower) ||
        !ConstantOf(between->upper)) {
      throw KeyConditionError(
          "KeyConditionExpressions must only contain one condition per key and compare key "
          "attributes with values");
    }
    k.op = KeyCondition::Op::kBetween;
    k.attribute = TopName(between->subject);
    k.a = *ConstantOf(between->lower);
    k.b = *ConstantOf(between->upper);
  } else {
    const auto& call = std::get<expressions::Call>(c.v);
    if (call.function != expressions::Function::kBeginsWith) {
      throw ApiError::Validation("Invalid operator used in KeyConditionExpression: " +
                                 std::string(expressions::FunctionName(call.function)));
    }
    CheckNotNested(call.args[0]);
    if (TopName(call.args[0]).empty() || !ConstantOf(call.args[1])) {
      throw KeyConditionError(
          "KeyConditionExpressions must only contain one condition per key and compare key "
          "attributes with values");
    }
    k.op = KeyCondition::Op::kBeginsWith;
    k.attribute = TopName(call.args[0]);
    k.a = *ConstantOf(call.args[1]);
  }
  out->push_back(std::move(k));
}

void CheckKeyValueType(const KeyAttribute& attr, const AttributeValue& v) {
  if (v.type() != attr.type) {
    throw Invalid("Condition parameter type does not match schema type");
  }
  CheckKeyValueNotEmpty(attr.name, v);  // no key value is an empty string or binary
}

// The row-key range of a Query: the partition, narrowed by the sort key conditions.
storage::RangeOptions QueryRange(const Target& t, const std::vector<KeyCondition>& conds) {
  auto find = [&](const std::string& name) -> const KeyCondition* {
    for (const auto& c : conds) {
      if (c.attribute == name) return &c;
    }
    return nullptr;
  };
  std::set<std::string> seen;
  for (const auto& c : conds) {
    if (!seen.insert(c.attribute).second) {
      throw ApiError::Validation("KeyConditionExpressions must only contain one condition per key");
    }
  }
  for (const auto& h : t.hash) {
    if (!find(h.name)) {
      throw ApiError::Validation("Query condition missed key schema element: " + h.name);
    }
  }
  // A condition on an attribute that is not a key is taken for a sort key condition that names
  // the wrong attribute.
  for (const auto& c : conds) {
    if (t.IsKey(c.attribute)) continue;
    for (const auto& r : t.range) {
      if (!find(r.name)) {
        throw ApiError::Validation("Query condition missed key schema element: " + r.name);
      }
    }
    throw ApiError::Validation("Query key condition not supported");
  }
  std::vector<const AttributeValue*> hash_values;
  for (const auto& h : t.hash) {
    const KeyCondition* c = find(h.name);
    if (c->op != KeyCondition::Op::kEq) {
      throw ApiError::Validation("Query key condition not supported");
    }
    CheckKeyValueType(h, c->a);
    hash_values.push_back(&c->a);
  }
  // Sort conditions: equality on a prefix of the sort attributes, then at most one range. A
  // condition on a later sort attribute needs equality on every one before it (multi-attribute
  // keys); the first one that lacks it is named.
  for (size_t later = 1; later < t.range.size(); ++later) {
    if (!find(t.range[later].name)) continue;
    for (size_t prior = 0; prior < later; ++prior) {
      const KeyCondition* c = find(t.range[prior].name);
      if (c && c->op == KeyCondition::Op::kEq) continue;
      throw ApiError::Validation("RANGE key attributes " + t.range[prior].name +
                                 " must have equality conditions specified in the query because "
                                 "a condition is present on key attribute " +
                                 t.range[later].name);
    }
  }
  std::vector<const KeyCondition*> sort;
  for (const auto& r : t.range) {
    const KeyCondition* c = find(r.name);
    if (!c) break;
    if (!sort.empty() && sort.back()->op != KeyCondition::Op::kEq) {
      throw ApiError::Validation("Query key condition not supported");
    }
    CheckKeyValueType(r, c->a);
    if (c->op == KeyCondition::Op::kBetween) CheckKeyValueType(r, c->b);
    if (c->op == KeyCondition::Op::kBeginsWith && r.type == ValueType::kN) {
      throw KeyConditionError(
          "Incorrect operand type for operator or function; operator or function: begins_with, "
          "operand type: N");
    }
    sort.push_back(c);
  }
  if (sort.size() + t.hash.size() != conds.size()) {
    throw ApiError::Validation("Query key condition not supported");
  }
  if (!sort.empty() && sort.back()->op == KeyCondition::Op::kBetween) {
    const KeyCondition& c = *sort.back();
    auto cmp = expressions::CompareScalars(c.a, c.b);
    if (cmp && *cmp > 0) {
      throw ApiError::Validation(
          "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
          "greater than or equal to lower bound; lower bound operand: AttributeValue: " +
          expressions::DescribeValue(c.a) +
          ", upper bound operand: AttributeValue: " + expressions::DescribeValue(c.b));
    }
  }
  // Byte bounds. The table's own sort key is the last part of its row key (plain ordered
  // bytes); an index's sort attributes are tuple-encoded (self-delimiting).
  std::string prefix;
  auto enc = [&](const AttributeValue& v) {
    std::string out;
    if (t.index) {
      storage::AppendTupleScalar(v, &out);
    } else {
      storage::AppendOrderedScalar(v, &out);
    }
    return out;
  };
  // The smallest key after every key that starts with p (index) or equals p (table).
  auto after = [&](const std::string& p) {
    return t.index ? storage::PrefixSuccessor(p) : p + std::string(1, '\0');
  };
  if (t.index) {
    prefix = storage::IndexPartitionPrefix(t.index->id, hash_values);
  } else {
    prefix = storage::PartitionPrefix(t.table->id, *hash_values[0]);
  }
  for (size_t i = 0; i + 1 < sort.size(); ++i) prefix += enc(sort[i]->a);
  storage::RangeOptions r{prefix, storage::PrefixSuccessor(prefix), false, std::nullopt};
  if (sort.empty()) return r;
  const KeyCondition& c = *sort.back();
  switch (c.op) {
    case KeyCondition::Op::kEq:
      r.begin = prefix + enc(c.a);
      r.end = after(r.begin);
      break;
    case KeyCondition::Op::kLt:
      r.end = prefix + enc(c.a);
      break;
    case KeyCondition::Op::kLe:
      r.end = after(prefix + enc(c.a));
      break;
    case KeyCondition::Op::kGt:
      r.begin = after(prefix + enc(c.a));
      break;
    case KeyCondition::Op::kGe:
      r.begin = prefix + enc(c.a);
      break;
    case KeyCondition::Op::kBetween:
      r.begin = prefix + enc(c.a);
      r.end = after(prefix + enc(c.b));
      break;
    case KeyCondition::Op::kBeginsWith: {
      const std::string& bytes = c.a.type() == ValueType::kS ? *c.a.get_if<std::string>()
                                                             : c.a.get_if<storage::Binary>()->bytes;
      r.begin = prefix + (t.index ? storage::TuplePrefixOf(bytes) : bytes);
      r.end = storage::PrefixSuccessor(r.begin);
      break;
    }
  }
  return r;
}

// The row key an ExclusiveStartKey names, after checking it has exactly the right attributes.
std::string StartRowKey(const Target& t, const Item& start, bool is_query) {
  auto invalid = [is_query] {
    return ApiError::Validation(is_query ? "The provided starting key is invalid"
                                         : "The provided starting key is invalid: The provided "
                                           "key element does not match the schema");
  };
  std::set<std::string> wanted{t.table->hash.name};
  if (t.table->range) wanted.insert(t.table->range->name);
  for (const auto& k : t.hash) wanted.insert(k.name);
  for (const auto& k : t.range) wanted.insert(k.name);
  if (start.size() != wanted.size()) throw invalid();
  for (const auto& [name, v] : start) {
    if (!wanted.count(name)) throw invalid();
  }
  auto key = storage::PrimaryKeyOf(*t.table, start);
  if (!key) throw invalid();
  if (!t.index) return storage::RowKey(t.table->id, *key);
  auto row = storage::IndexRowFor(*t.table, *t.index, start);
  if (!row) throw invalid();
  return row->key;
}

// LastEvaluatedKey: the table's key, plus the index's key attributes for an index read.
Item KeyOf(const Target& t, const Item& item) {
  Item key;
  auto copy = [&](const std::string& name) {
    if (auto it = item.find(name); it != item.end()) key.insert(*it);
  };
  copy(t.table->hash.name);
  if (t.table->range) copy(t.table->range->name);
  for (const auto& k : t.hash) copy(k.name);
  for (const auto& k : t.range) copy(k.name);
  return key;
}

struct Prepared {
  std::optional<Condition> key_condition;
  std::optional<Condition> filter;
  std::optional<expressions::Projection> projection;
};

void RejectKeyAttributesInFilter(const Condition& c, const Target& t) {
  // Only the paths' top-level names matter; walk the tree (depth is bounded by the parser).
  struct Walker {
    const Target& t;
    void Operand(const expressions::Operand& o) const {
      if (auto* p = std::get_if<Path>(&o.v)) {
        if (t.IsKey(p->elements[0].name)) {
          throw ApiError::Validation(
              "Filter Expression can only contain non-primary key attributes: Primary key "
              "attribute: " +
              p->elements[0].name);
        }
      } else if (auto* call = std::get_if<expressions::Call>(&o.v)) {
        for (const auto& a : call->args) Operand(a);
      }
    }
    void Cond(const Condition& c) const {
      std::visit(
          [&](const auto& node) {
            using T = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<T, expressions::Comparison>) {
              Operand(node.lhs);
              Operand(node.rhs);
            } else if constexpr (std::is_same_v<T, expressions::Between>) {
              Operand(node.subject);
            } else if constexpr (std::is_same_v<T, expressions::In>) {
              Operand(node.subject);
            } else if constexpr (std::is_same_v<T, expressions::Call>) {
              for (const auto& a : node.args) Operand(a);
            } else if constexpr (std::is_same_v<T, expressions::Logical>) {
              for (const auto& s : node.sides) Cond(s);
            } else {
              Cond(node.inner[0]);
            }
          },
          c.v);
    }
  };
  Walker{t}.Cond(c);
}

Prepared PrepareRead(const ReadRangeRequest& req, const Target& t) {
  Prepared p;
  std::vector<std::string> expression_params;  // in the order the service lists them
  if (req.projection_expression) expression_params.push_back("ProjectionExpression");
  if (req.filter_expression) expression_params.push_back("FilterExpression");
  if (req.key_condition_expression) expression_params.push_back("KeyConditionExpression");
  if (!req.legacy.empty() && !expression_params.empty()) {
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
      return out;
    };
    throw ApiError::Validation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" +
        join(req.legacy) + "} Expression parameters: {" + join(expression_params) + "}");
  }
  if (!req.legacy.empty()) {
    if (req.names) {
      throw ApiError::Validation(
          "ExpressionAttributeNames can only be specified when using expressions");
    }
    if (req.values) {
      throw ApiError::Validation(
          "ExpressionAttributeValues can only be specified when using expressions");
    }
    if (req.conditional_operator && (!req.filter || req.filter->size() < 2)) {
      throw ApiError::Validation(
          !req.filter || req.filter->empty()
              ? "ConditionalOperator cannot be used without Filter or Expected"
              : "ConditionalOperator can only be used when Filter or Expected has two or more "
                "elements");
    }
    if (req.is_query && !req.key_conditions) {
      throw ApiError::Validation(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    }
    if (req.key_conditions) p.key_condition = ConditionFromKeyConditions(*req.key_conditions);
    if (req.filter) {
      p.filter = ConditionFromExpected(*req.filter, req.conditional_operator);
      if (p.filter && req.is_query) RejectKeyAttributesInFilter(*p.filter, t);
    }
    if (!req.attributes_to_get.empty()) {
      std::set<std::string> seen;
      expressions::Projection projection;
      for (const auto& name : req.attributes_to_get) {
        if (!seen.insert(name).second) {
          throw Invalid("Duplicate value in attribute name: " + name);
        }
        Path path;
        path.elements.push_back({name, -1, false});
        projection.paths.push_back(std::move(path));
      }
      p.projection = std::move(projection);
    }
    return p;
  }
  if (req.is_query && !req.key_condition_expression) {
    throw ApiError::Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  }
  if (req.names && req.names->empty()) {
    throw ApiError::Validation("ExpressionAttributeNames must not be empty");
  }
  if (req.values && req.values->empty()) {
    throw ApiError::Validation("ExpressionAttributeValues must not be empty");
  }
  expressions::Resolver resolver(req.names ? &*req.names : nullptr,
                                 req.values ? &*req.values : nullptr);
  if (req.key_condition_expression) {
    p.key_condition =
        expressions::ParseCondition(*req.key_condition_expression, "KeyConditionExpression");
  }
  if (req.filter_expression) {
    p.filter = expressions::ParseCondition(*req.filter_expression, "FilterExpression");
  }
  if (req.projection_expression) {
    p.projection = expressions::ParseProjection(*req.projection_expression);
  }
  if (p.key_condition) resolver.Resolve(*p.key_condition, "KeyConditionExpression");
  if (p.filter) resolver.Resolve(*p.filter, "FilterExpression");
  if (p.projection) {
    resolver.Resolve(*p.projection);
    expressions::CheckPathsDisjoint(p.projection->paths, expressions::kProjectionExpression);
  }
  resolver.CheckAllUsed();
  if (p.filter && req.is_query) RejectKeyAttributesInFilter(*p.filter, t);
  return p;
}

// The requested attributes an index does not project, in the order the request names them
// (each once): the table item must be fetched for them (an LSI does; a GSI cannot).
std::vector<std::string> NotProjected(const Target& t,
                                      const std::optional<expressions::Projection>& projection) {
  std::vector<std::string> missing;
  if (!t.index || t.index->projection == storage::ProjectionType::kAll || !projection) {
    return missing;
  }
  std::set<std::string> projected;
  projected.insert(t.table->hash.name);
  if (t.table->range) projected.insert(t.table->range->name);
  for (const auto& k : t.hash) projected.insert(k.name);
  for (const auto& k : t.range) projected.insert(k.name);
  for (const auto& n : t.index->non_key_attributes) projected.insert(n);
  for (const auto& path : projection->paths) {
    const std::string& name = path.elements[0].name;
    if (!projected.count(name) && std::find(missing.begin(), missing.end(), name) == missing.end())
      missing.push_back(name);
  }
  return missing;
}

// Whether the item read from the index lacks attributes the response needs.
bool NeedsTableFetch(const Target& t, const std::string& select,
                     const std::optional<expressions::Projection>& projection) {
  if (!t.index || t.index->projection == storage::ProjectionType::kAll) return false;
  return select == "ALL_ATTRIBUTES" || !NotProjected(t, projection).empty();
}

size_t RoundUpTo4K(size_t bytes) { return (bytes + 4095) / 4096 * 4096; }

}  // namespace

namespace {

ReadRangeResponse ReadRange(Context& ctx, const ReadRangeRequest& req) {
  storage::TablePtr table = RequireTable(ctx, req.table_name);
  Target t = ResolveTarget(table->info(), req.index_name);
  Prepared p = PrepareRead(req, t);

  // Select (API reference, Query "Select"): the default is ALL_ATTRIBUTES on a table and
  // ALL_PROJECTED_ATTRIBUTES on an index; a ProjectionExpression means SPECIFIC_ATTRIBUTES.
  std::string select =
      req.select.value_or(p.projection ? "SPECIFIC_ATTRIBUTES"
                                       : (t.index ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES"));
  if (p.projection && select != "SPECIFIC_ATTRIBUTES") {
    throw ApiError::Validation(
        std::string("Cannot specify the ") +
        (req.attributes_to_get.empty() ? "ProjectionExpression" : "AttributesToGet") +
        " when choosing to get " + (select == "COUNT" ? std::string("only the Count") : select));
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !p.projection) {
    throw ApiError::Validation(
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
        "SPECIFIC_ATTRIBUTES");
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !t.index) {
    throw ApiError::Validation(
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  if (t.index) {
    size_t pos = static_cast<size_t>(t.index - t.table->indexes.data());
    if (IndexCreating(ctx, *table, pos)) {
      throw ApiError::Validation("Cannot read from backfilling global secondary index: " +
                                 t.index->name);
    }
  }
  if (t.index && t.index->global) {
    if (req.consistent_read) {
      throw ApiError::Validation("Consistent reads are not supported on global secondary indexes");
    }
    if (NeedsTableFetch(t, select, p.projection)) {
      if (select == "ALL_ATTRIBUTES") {
        throw Invalid("Select type ALL_ATTRIBUTES is not supported for global secondary index " +
                      t.index->name + " because its projection type is not ALL");
      }
      std::string names;
      for (const auto& n : NotProjected(t, p.projection)) names += (names.empty() ? "" : ", ") + n;
      throw Invalid("Global secondary index " + t.index->name + " does not project [" + names +
                    "]");
    }
  }
  const bool fetch = NeedsTableFetch(t, select, p.projection);

  storage::RangeOptions range;
  if (req.is_query) {
    std::vector<KeyCondition> conds;
    CollectKeyConditions(*p.key_condition, &conds);
    range = QueryRange(t, conds);
    range.reverse = !req.scan_index_forward;
  } else if (t.index) {
    range = {storage::IndexPrefix(t.index->id), storage::IndexEnd(t.index->id), false,
             std::nullopt};
  } else {
    range = {storage::TablePrefix(t.table->id), storage::TableEnd(t.table->id), false,
             std::nullopt};
  }
  if (req.total_segments) {
    // Segment i of n covers the partitions whose 32-bit hash is in [i*2^32/n, (i+1)*2^32/n).
    auto boundary = [&](uint64_t i) -> std::string {
      uint64_t hash = (i << 32) / static_cast<uint64_t>(*req.total_segments);
      if (i == static_cast<uint64_t>(*req.total_segments)) {
        return t.index ? storage::IndexEnd(t.index->id) : storage::TableEnd(t.table->id);
      }
      return t.index ? storage::IndexHashBoundary(t.index->id, static_cast<uint32_t>(hash))
                     : storage::TableHashBoundary(t.table->id, static_cast<uint32_t>(hash));
    };
    range.begin = boundary(static_cast<uint64_t>(*req.segment));
    range.end = boundary(static_cast<uint64_t>(*req.segment) + 1);
  }
  if (req.exclusive_start_key) {
    std::string start = StartRowKey(t, *req.exclusive_start_key, req.is_query);
    if (start < range.begin || (!range.end.empty() && start >= range.end)) {
      if (req.is_query) {
        throw ApiError::Validation(
            "The provided starting key is outside query boundaries based on provided conditions");
      }
      if (req.total_segments) {
        throw ApiError::Validation(
            "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
            "ExclusiveStartKey with correct Segment. TotalSegments: " +
            std::to_string(*req.total_segments) + " Segment: " + std::to_string(*req.segment));
      }
    }
    range.exclusive_start = std::move(start);
  }

  ReadRangeResponse out;
  // A snapshot only when table items are fetched for index rows, so that both reads see one
  // state; otherwise the range's own iterator is the consistent view.
  std::unique_ptr<storage::ReadView> view;
  std::unique_ptr<storage::RangeReader> reader;
  if (fetch) {
    view = ctx.store.View();
    reader = view->Range(*table, range);
  } else {
    reader = ctx.store.Range(*table, range);
  }
  if (select != "COUNT") out.items.emplace();
  // What the page holds (Developer Guide, "Local secondary indexes", "Read capacity units"):
  // the entries read, and for an LSI read that fetches from the table, every fetched item
  // rounded up to 4 KB on top of the entries rounded up to 4 KB. Each fetched item is also
  // charged in full, to the table.
  size_t bytes_read = 0;
  size_t fetched_bytes = 0;
  double fetched_units = 0;
  auto page_bytes = [&] { return fetch ? RoundUpTo4K(bytes_read) + fetched_bytes : bytes_read; };
  int64_t limit = req.limit.value_or(INT64_MAX);
  auto decode = [](std::string_view bytes) {
    auto decoded = storage::DecodeItem(bytes);
    if (!decoded.ok()) {
      throw ApiError::Internal("Internal server error: " + decoded.status().message());
    }
    return std::move(decoded).value();
  };
  // An item is decoded only when its values are needed (a filter, a projection, an index item
  // to complete from the table); otherwise it is answered from its stored bytes.
  const bool needs_values = p.filter || p.projection || fetch;
  for (; reader->Valid(); reader->Next()) {
    std::string_view bytes = reader->value();
    std::optional<Item> item;
    if (needs_values) item = decode(bytes);
    ++out.scanned_count;
    if (item) {
      bytes_read += storage::ItemSize(*item);
    } else {
      auto size = storage::EncodedItemSize(bytes);
      if (!size.ok()) throw ApiError::Internal("Internal server error: " + size.status().message());
      bytes_read += *size;
    }
    bool page_full = out.scanned_count >= limit || page_bytes() >= kMaxPageBytes;
    if (page_full) out.last_evaluated_key = KeyOf(t, item ? *item : decode(bytes));
    if (!p.filter || expressions::EvaluateCondition(*p.filter, &*item)) {
      ++out.count;
      if (out.items && !item) {
        out.items->AddEncoded(bytes);
      } else if (out.items) {
        if (fetch) {
          auto full = view->Get(*table, *storage::PrimaryKeyOf(*t.table, *item));
          if (full.ok() && full->has_value()) {
            item = std::move(**full);
            size_t size = storage::ItemSize(*item);
            fetched_bytes += RoundUpTo4K(size);
            fetched_units += ReadUnits(size, req.consistent_read);
            if (!page_full && page_bytes() >= kMaxPageBytes) {
              page_full = true;  // the fetched item filled the page: it is the last one
              out.last_evaluated_key = KeyOf(t, *item);
            }
          }
        }
        out.items->Add(p.projection ? expressions::Project(*item, p.projection->paths)
                                    : std::move(*item));
      }
    }
    if (page_full) break;
  }
  if (!reader->status().ok()) {
    throw ApiError::Internal("Internal server error: " + reader->status().message());
  }
  // Capacity (Developer Guide, "Read consumption"): the items read, summed and rounded up to
  // 4 KB; halved for eventually consistent reads.
  const double units = ReadUnits(bytes_read, req.consistent_read);
  out.consumed_capacity =
      Capacity(req.return_consumed_capacity, req.table_name, units + fetched_units);
  if (out.consumed_capacity && t.index) {
    // A read of an index: the entries' units are the index's; the table's share is what was
    // fetched from it.
    out.consumed_capacity->table_units = fetched_units;
    out.consumed_capacity->index_units.push_back({t.index->name, t.index->global, units});
  }
  return out;
}

}  // namespace

ReadRangeResponse Query(Context& ctx, const ReadRangeRequest& req) { return ReadRange(ctx, req); }

ReadRangeResponse Scan(Context& ctx, const ReadRangeRequest& req) { return ReadRange(ctx, req); }

}  // namespace ddbd::api
