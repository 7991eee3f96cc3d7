// CreateTable, DescribeTable, DeleteTable, ListTables
// (API reference: CreateTable, DescribeTable, DeleteTable, ListTables).
#include <chrono>
#include <random>
#include <set>

#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/operations/table_states.h"

namespace ddbd::api {
namespace {

using storage::AttributeList;
using storage::AttributeMap;
using storage::AttributeValue;
using storage::Number;

constexpr const char* kAccountId = "000000000000";

ApiError Invalid(const std::string& msg) {
  return ApiError::Validation("One or more parameter values were invalid: " + msg);
}

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
  if (auto* defs = Meta(info, "AttributeDefinitions")) {
    for (const auto& def : *defs->get_if<AttributeList>()) {
      const auto& m = *def.get_if<AttributeMap>();
      d.attribute_definitions.push_back({*m.at("AttributeName").get_if<std::string>(),
                                         *m.at("AttributeType").get_if<std::string>()});
    }
  }
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
  return d;
}

ApiError TableNotFound(const std::string& name) {
  return ApiError::ResourceNotFound("Requested resource not found: Table: " + name + " not found");
}

}  // namespace

storage::TablePtr RequireTable(Context& ctx, const std::string& table_name) {
  storage::TablePtr table = ctx.store.FindTable(ctx.caller.space, table_name);
  // A table that is not ACTIVE yet cannot be used (ResourceNotFoundException's documented
  // meaning covers both).
  if (!table || (ctx.states && ctx.states->IsCreating(table->info().id))) {
    throw ApiError::ResourceNotFound();
  }
  return table;
}

namespace {
const char* Status(Context& ctx, const storage::Table& table) {
  return ctx.states && ctx.states->IsCreating(table.info().id) ? "CREATING" : "ACTIVE";
}
}  // namespace

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
  std::set<std::string> defined;
  for (const auto& def : req.attribute_definitions) {
    if (!defined.insert(def.name).second) {
      throw Invalid("Duplicate AttributeName in AttributeDefinitions: " + def.name);
    }
  }
  if (req.attribute_definitions.size() < keys.size()) {
    for (const auto& k : keys) {
      if (!defined.count(k.name)) {
        throw ApiError::Validation(
            "Invalid KeySchema: Some index key attribute have no definition");
      }
    }
  }
  for (const auto& k : keys) {
    if (defined.count(k.name)) continue;
    std::string key_list, def_list;
    for (const auto& x : keys) key_list += (key_list.empty() ? "" : ", ") + x.name;
    for (const auto& x : req.attribute_definitions) {
      def_list += (def_list.empty() ? "" : ", ") + x.name;
    }
    throw Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                  key_list + "], AttributeDefinitions: [" + def_list + "]");
  }
  if (req.attribute_definitions.size() != keys.size()) {
    throw Invalid(
        "Number of attributes in KeySchema does not exactly match number of attributes defined in "
        "AttributeDefinitions");
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
