// CreateTable, DescribeTable, DeleteTable, ListTables
// (API reference: CreateTable, DescribeTable, DeleteTable, ListTables).
#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/operations/table_states.h"
#include "api/operations/table_support.h"

namespace ddbd::api {
namespace {
using storage::AttributeList;
using storage::AttributeMap;
using storage::AttributeValue;
using storage::Number;
}  // namespace

namespace tables {
namespace {

constexpr const char* kAccountId = "000000000000";

std::string NewTableId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace

ApiError Invalid(const std::string& msg) {
  return ApiError::Validation("One or more parameter values were invalid: " + msg);
}

Number ToNumber(int64_t v) {
  auto n = Number::Parse(std::to_string(v));
  return n.ok() ? *n : Number();
}

int64_t ToInt(const AttributeValue* v) {
  auto* n = v ? v->get_if<Number>() : nullptr;
  return n ? std::stoll(n->ToString()) : 0;
}

storage::ValueType ScalarType(const std::string& t) {
  return t == "N" ? storage::ValueType::kN
                  : (t == "B" ? storage::ValueType::kB : storage::ValueType::kS);
}

const AttributeValue* Meta(const storage::TableInfo& info, const char* name) {
  auto it = info.meta.find(name);
  return it == info.meta.end() ? nullptr : &it->second;
}

TableDescription Describe(const Context& ctx, const storage::Table& table, const char* status) {
  const storage::TableInfo& info = table.info();
  TableDescription d;
  d.name = info.name;
  d.arn = "arn:aws:dynamodb:" + ctx.caller.region + ":" + kAccountId + ":table/" + info.name;
  if (auto* id = Meta(info, "TableId")) d.id = *id->get_if<std::string>();
  d.status = status;
  d.attribute_definitions = Definitions(info);
  // The service lists AttributeDefinitions and NonKeyAttributes sorted by name, whatever the
  // order they were given in.
  std::sort(d.attribute_definitions.begin(), d.attribute_definitions.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  d.key_schema.push_back({info.hash.name, "HASH"});
  if (info.range) d.key_schema.push_back({info.range->name, "RANGE"});
  if (auto* created = Meta(info, "CreationDateTime")) {
    d.creation_date_time = std::stod(created->get_if<Number>()->ToString());
  }
  if (auto* mode = Meta(info, "BillingMode")) d.billing_mode = *mode->get_if<std::string>();
  d.throughput.read = ToInt(Meta(info, "ReadCapacityUnits"));
  d.throughput.write = ToInt(Meta(info, "WriteCapacityUnits"));
  d.item_count = table.item_count();
  d.size_bytes = table.size_bytes();
  const AttributeValue* throughput = Meta(info, "IndexThroughput");
  for (size_t i = 0; i < info.indexes.size(); ++i) {
    const storage::IndexInfo& index = info.indexes[i];
    TableDescription::Index out;
    out.global = index.global;
    out.name = index.name;
    out.arn = d.arn + "/index/" + index.name;
    for (const auto& k : index.hash) out.key_schema.push_back({k.name, "HASH"});
    for (const auto& k : index.range) out.key_schema.push_back({k.name, "RANGE"});
    out.projection.type = index.projection == storage::ProjectionType::kAll        ? "ALL"
                          : index.projection == storage::ProjectionType::kKeysOnly ? "KEYS_ONLY"
                                                                                   : "INCLUDE";
    out.projection.non_key_attributes = index.non_key_attributes;
    std::sort(out.projection.non_key_attributes.begin(), out.projection.non_key_attributes.end());
    if (auto* m = throughput ? throughput->get_if<AttributeMap>() : nullptr) {
      if (auto it = m->find(index.name); it != m->end()) {
        const auto& rw = *it->second.get_if<AttributeMap>();
        out.throughput.read = ToInt(&rw.at("R"));
        out.throughput.write = ToInt(&rw.at("W"));
      }
    }
    out.item_count = table.index_item_count(i);
    out.size_bytes = table.index_size_bytes(i);
    // A GSI added by UpdateTable is CREATING while it backfills; the table is ACTIVE meanwhile
    // (the service's UPDATING "resource allocation" phase before the backfill is instant here,
    // seen only in UpdateTable's own answer).
    if (IndexCreating(ctx, table, i)) {
      out.status = "CREATING";
      out.backfilling = true;
    } else if (index.global && std::string_view(status) == "CREATING") {
      out.status = "CREATING";  // a new table's GSIs turn ACTIVE with it (no Backfilling)
    }
    d.indexes.push_back(std::move(out));
  }
  if (auto* cls = Meta(info, "TableClass")) d.table_class = *cls->get_if<std::string>();
  if (auto* dp = Meta(info, "DeletionProtectionEnabled")) {
    d.deletion_protection = *dp->get_if<bool>();
  }
  return d;
}

std::vector<AttributeDefinition> Definitions(const storage::TableInfo& info) {
  std::vector<AttributeDefinition> defs;
  if (auto* listed = Meta(info, "AttributeDefinitions")) {
    for (const auto& def : *listed->get_if<AttributeList>()) {
      const auto& m = *def.get_if<AttributeMap>();
      defs.push_back({*m.at("AttributeName").get_if<std::string>(),
                      *m.at("AttributeType").get_if<std::string>()});
    }
  }
  return defs;
}

ApiError UndefinedKeys(const std::vector<KeySchemaElement>& keys,
                       const std::vector<AttributeDefinition>& defs) {
  return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                 NameList(keys) + "], AttributeDefinitions: [" + NameList(defs) + "]");
}

ApiError InUse(const std::string& what) {
  return ApiError::ResourceInUse("Attempt to change a resource which is still in use: " + what);
}

ApiError TableNotFound(const std::string& name) {
  return ApiError::ResourceNotFound("Requested resource not found: Table: " + name + " not found");
}

}  // namespace tables

using namespace tables;

storage::TablePtr RequireTable(Context& ctx, const std::string& table_name) {
  storage::TablePtr table = ctx.store.FindTable(ctx.caller.space, table_name);
  // A table that is not ACTIVE yet cannot be used (ResourceNotFoundException's documented
  // meaning covers both).
  if (!table || (ctx.states && ctx.states->IsCreating(table->info().id))) {
    throw ApiError::ResourceNotFound();
  }
  return table;
}

bool IndexCreating(const Context& ctx, const storage::Table& table, size_t i) {
  return table.backfilling(i) || (ctx.states && ctx.states->IsCreating(table.info().indexes[i].id));
}

namespace {
const char* Status(Context& ctx, const storage::Table& table) {
  return ctx.states && ctx.states->IsCreating(table.info().id) ? "CREATING" : "ACTIVE";
}
}  // namespace

// GlobalSecondaryIndexes and LocalSecondaryIndexes of CreateTable (API reference:
// CreateTable, GlobalSecondaryIndex, LocalSecondaryIndex, Projection; Developer Guide, "Quotas").
std::vector<storage::IndexInfo> tables::ValidateIndexes(
    const CreateTableRequest& req, const std::string& billing,
    const std::vector<KeySchemaElement>& keys,
    const std::function<storage::ValueType(const std::string&)>& type_of) {
  std::vector<storage::IndexInfo> out;
  if (req.global_indexes.size() > 20) {
    throw Invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20");
  }
  if (req.local_indexes.size() > 5) {
    throw Invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  }
  if (!req.local_indexes.empty() && keys.size() < 2) {
    throw Invalid(
        "Table KeySchema does not have a range key, which is required when specifying a "
        "LocalSecondaryIndex");
  }
  std::set<std::string> names;
  size_t projected = 0;
  for (bool global : {true, false}) {
    for (const auto& spec : global ? req.global_indexes : req.local_indexes) {
      if (!names.insert(spec.name).second) throw Invalid("Duplicate index name: " + spec.name);
      const auto& ks = spec.key_schema;
      if (ks.empty() || ks[0].key_type != "HASH") {
        throw ApiError::Validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
      }
      storage::IndexInfo index;
      index.name = spec.name;
      index.global = global;
      std::set<std::string> seen;
      for (const auto& k : ks) {
        if (!seen.insert(k.name).second) {
          throw ks.size() == 2 && ks[1].key_type == "RANGE"
              ? ApiError::Validation(
                    "Both the Hash Key and the Range Key element in the KeySchema have the same "
                    "name")
              : Invalid("The KeySchema contains multiple key attributes with the same name");
        }
        auto& target = k.key_type == "HASH" ? index.hash : index.range;
        if (k.key_type == "HASH" && !index.range.empty()) {
          throw global ? Invalid(
                             "All HASH key attributes must precede RANGE key attributes in the "
                             "KeySchema")
                       : ApiError::Validation(
                             "Invalid KeySchema: The second KeySchemaElement is not a RANGE key "
                             "type");
        }
        target.push_back({k.name, type_of(k.name)});
      }
      // Multi-attribute keys (2025): up to four partition and four sort attributes per GSI; an
      // LSI has one of each (its key schema's length is checked on the wire).
      if (!global && index.hash.size() > 1) {
        throw ApiError::Validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
      }
      for (auto [keys, type] : {std::pair{&index.hash, "HASH"}, std::pair{&index.range, "RANGE"}}) {
        if (keys->size() > 4) {
          throw Invalid(std::string("The KeySchema exceeds the maximum allowed number of ") + type +
                        " key attributes");
        }
      }
      if (!global) {
        if (index.range.empty()) {
          throw ApiError::Validation(
              "One or more parameter values were invalid: Index KeySchema does not have a range "
              "key for index: " +
              spec.name);
        }
        if (index.hash[0].name != keys[0].name) {
          throw Invalid(
              "Index KeySchema does not have the same leading hash key as table KeySchema for "
              "index: " +
              spec.name + ". index hash key: " + index.hash[0].name +
              ", table hash key: " + keys[0].name);
        }
      }
      const std::string& type = spec.projection.type;
      index.projection = type == "KEYS_ONLY" ? storage::ProjectionType::kKeysOnly
                         : type == "INCLUDE" ? storage::ProjectionType::kInclude
                                             : storage::ProjectionType::kAll;
      if (type.empty()) {
        throw Invalid("Unknown ProjectionType: null");
      }
      if (type != "INCLUDE" && !spec.projection.non_key_attributes.empty()) {
        throw Invalid("ProjectionType is " + type + ", but NonKeyAttributes is specified");
      }
      if (type == "INCLUDE" && spec.projection.non_key_attributes.empty()) {
        throw Invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
      }
      std::set<std::string> non_key;
      for (const auto& n : spec.projection.non_key_attributes) {
        if (!non_key.insert(n).second) {
          throw Invalid("Duplicate element in NonKeyAttributes: " + n);
        }
      }
      projected += non_key.size();
      index.non_key_attributes = spec.projection.non_key_attributes;
      if (global && billing == "PROVISIONED" && !spec.provisioned_throughput) {
        throw Invalid("ProvisionedThroughput is not specified for index: " + spec.name);
      }
      if (global && billing == "PAY_PER_REQUEST" && spec.provisioned_throughput) {
        throw Invalid("ProvisionedThroughput should not be specified for index: " + spec.name +
                      " when BillingMode is PAY_PER_REQUEST");
      }
      if (!global && spec.provisioned_throughput) {
        throw ApiError::Validation(
            "One or more parameter values were invalid: ProvisionedThroughput should not be "
            "specified for a LocalSecondaryIndex");
      }
      out.push_back(std::move(index));
    }
  }
  if (projected > 100) {
    throw Invalid(
        "Number of projected attributes in all indexes exceeds limit of 100, requested: " +
        std::to_string(projected));
  }
  return out;
}

TableDescription CreateTable(Context& ctx, const CreateTableRequest& req) {
  // Key schema shape (the wire layer has checked lengths 1..2 and the enum values).
  const auto& keys = req.key_schema;
  if (keys[0].key_type != "HASH") {
    throw ApiError::Validation(
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (keys.size() == 2) {
    if (keys[1].key_type != "RANGE") {
      throw ApiError::Validation(
          "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    if (keys[0].name == keys[1].name) {
      throw ApiError::Validation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
  }
  for (const auto& list : req.empty_index_lists) throw Invalid("List of " + list + " is empty");
  std::set<std::string> defined;
  for (const auto& def : req.attribute_definitions) {
    if (!defined.insert(def.name).second) {
      throw Invalid("Duplicate AttributeName in AttributeDefinitions: " + def.name);
    }
  }
  // Every attribute any key uses (table and indexes) must be defined, and nothing more.
  std::set<std::string> key_attributes;
  for (const auto& k : keys) key_attributes.insert(k.name);
  for (const auto* list : {&req.global_indexes, &req.local_indexes}) {
    for (const auto& index : *list) {
      for (const auto& k : index.key_schema) key_attributes.insert(k.name);
    }
  }
  if (req.attribute_definitions.size() < key_attributes.size()) {
    for (const auto& k : keys) {
      if (!defined.count(k.name)) {
        throw ApiError::Validation(
            "Invalid KeySchema: Some index key attribute have no definition");
      }
    }
  }
  // A key schema (the table's, then each index's) with an undefined attribute is named whole.
  std::vector<const std::vector<KeySchemaElement>*> schemas{&keys};
  for (const auto* list : {&req.global_indexes, &req.local_indexes}) {
    for (const auto& index : *list) schemas.push_back(&index.key_schema);
  }
  for (const auto* schema : schemas) {
    for (const auto& k : *schema) {
      if (!defined.count(k.name)) throw UndefinedKeys(*schema, req.attribute_definitions);
    }
  }
  if (req.attribute_definitions.size() != key_attributes.size()) {
    if (req.global_indexes.empty() && req.local_indexes.empty()) {
      throw Invalid(
          "Number of attributes in KeySchema does not exactly match number of attributes defined "
          "in AttributeDefinitions");
    }
    std::string used;
    for (const auto& k : key_attributes) used += (used.empty() ? "" : ", ") + k;
    throw Invalid("Some AttributeDefinitions are not used. AttributeDefinitions: [" +
                  NameList(req.attribute_definitions) + "], keys used: [" + used + "]");
  }
  std::string billing = req.billing_mode.value_or("PROVISIONED");
  if (billing == "PAY_PER_REQUEST" && req.provisioned_throughput) {
    throw Invalid(
        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
        "PAY_PER_REQUEST");
  }
  if (billing == "PROVISIONED" && !req.provisioned_throughput) {
    throw Invalid(
        "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
        "PROVISIONED");
  }
  if (!req.unsupported.empty()) {
    throw ApiError::Validation("ddbd does not support " + req.unsupported.front() +
                               " in CreateTable yet");
  }
  auto type_of_def = [&](const std::string& name) {
    for (const auto& d : req.attribute_definitions) {
      if (d.name == name) return ScalarType(d.type);
    }
    return storage::ValueType::kS;
  };
  std::vector<storage::IndexInfo> indexes = ValidateIndexes(req, billing, keys, type_of_def);

  storage::TableInfo info;
  info.space = ctx.caller.space;
  info.name = req.table_name;
  auto type_of = [&](const std::string& name) {
    for (const auto& d : req.attribute_definitions) {
      if (d.name == name) return ScalarType(d.type);
    }
    return storage::ValueType::kS;
  };
  info.hash = {keys[0].name, type_of(keys[0].name)};
  if (keys.size() == 2) info.range = storage::KeyAttribute{keys[1].name, type_of(keys[1].name)};
  AttributeList defs;
  for (const auto& d : req.attribute_definitions) {
    defs.push_back(AttributeMap{{"AttributeName", AttributeValue(d.name)},
                                {"AttributeType", AttributeValue(d.type)}});
  }
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto created = Number::Parse(std::to_string(now_ms) + "E-3");
  info.meta["TableId"] = NewTableId();
  info.meta["CreationDateTime"] = created.ok() ? *created : Number();
  info.meta["BillingMode"] = billing;
  info.meta["ReadCapacityUnits"] =
      ToNumber(req.provisioned_throughput ? req.provisioned_throughput->read : 0);
  info.meta["WriteCapacityUnits"] =
      ToNumber(req.provisioned_throughput ? req.provisioned_throughput->write : 0);
  info.meta["AttributeDefinitions"] = std::move(defs);
  info.indexes = std::move(indexes);
  AttributeMap index_throughput;
  for (const auto& gsi : req.global_indexes) {
    if (!gsi.provisioned_throughput) continue;
    index_throughput[gsi.name] = AttributeMap{{"R", ToNumber(gsi.provisioned_throughput->read)},
                                              {"W", ToNumber(gsi.provisioned_throughput->write)}};
  }
  if (!index_throughput.empty()) info.meta["IndexThroughput"] = std::move(index_throughput);

  if (ctx.states && ctx.states->Deleting(ctx.caller.space, req.table_name)) {
    throw ApiError::ResourceInUse("Table already exists: " + req.table_name);
  }
  auto table = ctx.store.CreateTable(std::move(info));
  if (!table.ok()) {
    if (table.status().code() == storage::Status::Code::kAlreadyExists) {
      throw ApiError::ResourceInUse("Table already exists: " + req.table_name);
    }
    throw ApiError::Internal();
  }
  if (ctx.states) ctx.states->Created((*table)->info().id);
  return Describe(ctx, **table, Status(ctx, **table));
}

TableDescription DescribeTable(Context& ctx, const std::string& table_name) {
  storage::TablePtr table = ctx.store.FindTable(ctx.caller.space, table_name);
  if (!table) {
    if (ctx.states) {
      if (auto deleting = ctx.states->Deleting(ctx.caller.space, table_name)) return *deleting;
    }
    throw TableNotFound(table_name);
  }
  return Describe(ctx, *table, Status(ctx, *table));
}

TableDescription DeleteTable(Context& ctx, const std::string& table_name) {
  // A table that is CREATING, or UPDATING while a GSI is built, cannot be deleted (DeleteTable:
  // ResourceInUseException; GSI.OnlineOps: not while an index backfills).
  if (storage::TablePtr live = ctx.store.FindTable(ctx.caller.space, table_name)) {
    if (ctx.states && ctx.states->IsCreating(live->info().id)) {
      throw InUse("Table is being created: " + table_name);
    }
    for (size_t i = 0; i < live->info().indexes.size(); ++i) {
      if (IndexCreating(ctx, *live, i)) {
        throw InUse("Cannot delete table while indexes are being created, updated, or deleted.");
      }
    }
  }
  auto table = ctx.store.DeleteTable(ctx.caller.space, table_name);
  if (!table.ok()) {
    if (table.status().code() == storage::Status::Code::kNotFound) throw TableNotFound(table_name);
    throw ApiError::Internal();
  }
  TableDescription d = Describe(ctx, **table, "DELETING");
  if (ctx.states) ctx.states->Deleted(ctx.caller.space, d);
  return d;
}

ListTablesResponse ListTables(Context& ctx, const ListTablesRequest& req) {
  ListTablesResponse out;
  for (auto& name : ctx.store.ListTables(ctx.caller.space)) {
    if (req.exclusive_start_table_name && name <= *req.exclusive_start_table_name) continue;
    if (static_cast<int64_t>(out.table_names.size()) == req.limit) {
      out.last_evaluated_table_name = out.table_names.back();
      break;
    }
    out.table_names.push_back(std::move(name));
  }
  return out;
}

}  // namespace ddbd::api
