#include <tuple>

#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/wire/handlers.h"

namespace ddbd::api::wire {
namespace {

void Str(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteKeySchema(const std::vector<KeySchemaElement>& keys, JsonWriter& w) {
  w.Key("KeySchema");
  w.StartArray();
  for (const auto& k : keys) {
    w.StartObject();
    w.Key("AttributeName");
    Str(w, k.name);
    w.Key("KeyType");
    Str(w, k.key_type);
    w.EndObject();
  }
  w.EndArray();
}

void WriteThroughput(const ProvisionedThroughput& t, JsonWriter& w) {
  w.Key("ProvisionedThroughput");
  w.StartObject();
  w.Key("NumberOfDecreasesToday");
  w.Int(0);
  w.Key("ReadCapacityUnits");
  w.Int64(t.read);
  w.Key("WriteCapacityUnits");
  w.Int64(t.write);
  w.EndObject();
}

void WriteSchema(const TableDescription& d, JsonWriter& w) {
  w.Key("AttributeDefinitions");
  w.StartArray();
  for (const auto& a : d.attribute_definitions) {
    w.StartObject();
    w.Key("AttributeName");
    Str(w, a.name);
    w.Key("AttributeType");
    Str(w, a.type);
    w.EndObject();
  }
  w.EndArray();
  WriteKeySchema(d.key_schema, w);
}

void WriteIndexes(const TableDescription& d, JsonWriter& w) {
  for (bool global : {true, false}) {
    bool any = false;
    for (const auto& i : d.indexes) any |= i.global == global;
    if (!any) continue;
    w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    w.StartArray();
    for (const auto& i : d.indexes) {
      if (i.global != global) continue;
      w.StartObject();
      w.Key("IndexName");
      Str(w, i.name);
      WriteKeySchema(i.key_schema, w);
      w.Key("Projection");
      w.StartObject();
      w.Key("ProjectionType");
      Str(w, i.projection.type);
      if (!i.projection.non_key_attributes.empty()) {
        w.Key("NonKeyAttributes");
        w.StartArray();
        for (const auto& n : i.projection.non_key_attributes) Str(w, n);
        w.EndArray();
      }
      w.EndObject();
      if (global) {
        w.Key("IndexStatus");
        Str(w, i.status);
        if (i.backfilling) {
          w.Key("Backfilling");
          w.Bool(*i.backfilling);
        }
        WriteThroughput(i.throughput, w);
      }
      w.Key("IndexSizeBytes");
      w.Int64(i.size_bytes);
      w.Key("ItemCount");
      w.Int64(i.item_count);
      w.Key("IndexArn");
      Str(w, i.arn);
      w.EndObject();
    }
    w.EndArray();
  }
}

// DeleteTable's description is shorter than DescribeTable's: the service leaves out the key
// schema, attribute definitions and creation time (measured against DynamoDB).
void WriteTableDescription(const TableDescription& d, JsonWriter& w, bool for_delete = false) {
  w.StartObject();
  if (!for_delete) WriteSchema(d, w);
  w.Key("TableName");
  Str(w, d.name);
  w.Key("TableStatus");
  Str(w, d.status);
  if (!for_delete) {
    w.Key("CreationDateTime");
    w.Double(d.creation_date_time);
  }
  WriteThroughput(d.throughput, w);
  w.Key("TableSizeBytes");
  w.Int64(d.size_bytes);
  w.Key("ItemCount");
  w.Int64(d.item_count);
  w.Key("TableArn");
  Str(w, d.arn);
  w.Key("TableId");
  Str(w, d.id);
  w.Key("BillingModeSummary");
  w.StartObject();
  w.Key("BillingMode");
  Str(w, d.billing_mode);
  if (d.billing_mode == "PAY_PER_REQUEST") {
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.Double(d.creation_date_time);
  }
  w.EndObject();
  if (!for_delete) WriteIndexes(d, w);
  if (d.table_class) {
    w.Key("TableClassSummary");
    w.StartObject();
    w.Key("TableClass");
    Str(w, *d.table_class);
    w.EndObject();
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(d.deletion_protection);
  w.EndObject();
}

const rapidjson::Value& ArrayMember(RequestReader& in, std::string_view name) {
  const rapidjson::Value* v = in.Member(name);
  if (!v->IsArray()) ThrowWrongJsonType(*v, "List");
  return *v;
}

std::optional<std::string> StringField(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) ThrowWrongJsonType(obj, "Structure");
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString()) ThrowWrongJsonType(it->value, "String");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<int64_t> LongField(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsInt64()) ThrowWrongJsonType(it->value, "Long");
  return it->value.GetInt64();
}

std::vector<AttributeDefinition> ReadAttributeDefinitions(RequestReader& in) {
  std::vector<AttributeDefinition> out;
  const auto& defs = ArrayMember(in, "AttributeDefinitions");
  for (rapidjson::SizeType i = 0; i < defs.Size(); ++i) {
    std::string path = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
    auto name = StringField(defs[i], "AttributeName");
    auto type = StringField(defs[i], "AttributeType");
    in.NotNull(name.has_value(), path + "attributeName");
    in.Length(name, path + "attributeName", 1, 255);
    in.NotNull(type.has_value(), path + "attributeType");
    in.Enum(type, path + "attributeType", "[B, N, S]");
    out.push_back({name.value_or(""), type.value_or("")});
  }
  return out;
}

// A ProvisionedThroughput structure; `path` is its wire path prefix. `required`: both units must
// be given (the table's own throughput).
ProvisionedThroughput ReadThroughput(RequestReader& in, const rapidjson::Value& pt,
                                     const std::string& path, bool required) {
  if (!pt.IsObject()) ThrowWrongJsonType(pt, "Structure");
  auto read = LongField(pt, "ReadCapacityUnits");
  auto write = LongField(pt, "WriteCapacityUnits");
  if (required) in.NotNull(read.has_value(), path + "readCapacityUnits");
  in.Range(read, path + "readCapacityUnits", 1, INT64_MAX);
  if (required) in.NotNull(write.has_value(), path + "writeCapacityUnits");
  in.Range(write, path + "writeCapacityUnits", 1, INT64_MAX);
  return ProvisionedThroughput{read.value_or(0), write.value_or(0)};
}

// One GlobalSecondaryIndex / LocalSecondaryIndex / UpdateTable Create or Update entry. `full`:
// KeySchema and Projection are required (not for an Update, which only changes throughput).
SecondaryIndexSpec ReadIndexSpec(RequestReader& in, const rapidjson::Value& entry,
                                 const std::string& path, bool full) {
  SecondaryIndexSpec spec;
  auto name = StringField(entry, "IndexName");
  in.NotNull(name.has_value(), path + "indexName");
  in.Length(name, path + "indexName", 3, 255);
  in.TableNamePattern(name, path + "indexName");
  spec.name = name.value_or("");
  auto keys = entry.FindMember("KeySchema");
  if (keys == entry.MemberEnd() || keys->value.IsNull()) {
    if (full) in.NotNull(false, path + "keySchema");
  } else {
    if (!keys->value.IsArray()) ThrowWrongJsonType(keys->value, "List");
    for (rapidjson::SizeType k = 0; k < keys->value.Size(); ++k) {
      std::string kpath = path + "keySchema." + std::to_string(k + 1) + ".member.";
      auto kname = StringField(keys->value[k], "AttributeName");
      auto ktype = StringField(keys->value[k], "KeyType");
      in.NotNull(kname.has_value(), kpath + "attributeName");
      in.Length(kname, kpath + "attributeName", 1, 255);
      in.NotNull(ktype.has_value(), kpath + "keyType");
      in.Enum(ktype, kpath + "keyType", "[HASH, RANGE]");
      spec.key_schema.push_back({kname.value_or(""), ktype.value_or("")});
    }
  }
  auto projection = entry.FindMember("Projection");
  if (projection == entry.MemberEnd() || projection->value.IsNull()) {
    if (full) in.NotNull(false, path + "projection");
  } else {
    if (!projection->value.IsObject()) ThrowWrongJsonType(projection->value, "Structure");
    auto type = StringField(projection->value, "ProjectionType");
    in.Enum(type, path + "projection.projectionType", "[ALL, KEYS_ONLY, INCLUDE]");
    spec.projection.type = type.value_or("");
    auto non_key = projection->value.FindMember("NonKeyAttributes");
    if (non_key != projection->value.MemberEnd() && !non_key->value.IsNull()) {
      if (!non_key->value.IsArray()) ThrowWrongJsonType(non_key->value, "List");
      std::string rendered;
      for (const auto& n : non_key->value.GetArray()) {
        if (!n.IsString()) ThrowWrongJsonType(n, "String");
        spec.projection.non_key_attributes.emplace_back(n.GetString(), n.GetStringLength());
        rendered += (rendered.empty() ? "" : ", ") + spec.projection.non_key_attributes.back();
      }
      // 1 to 20 names per index (API reference, Projection).
      size_t count = spec.projection.non_key_attributes.size();
      if (count < 1 || count > 20) {
        in.Violation("'[" + rendered + "]'", path + "projection.nonKeyAttributes",
                     count < 1 ? "Member must have length greater than or equal to 1"
                               : "Member must have length less than or equal to 20");
      }
    }
  }
  auto pt = entry.FindMember("ProvisionedThroughput");
  if (pt != entry.MemberEnd() && !pt->value.IsNull()) {
    spec.provisioned_throughput =
        ReadThroughput(in, pt->value, path + "provisionedThroughput.", false);
  }
  return spec;
}

}  // namespace

void HandleCreateTable(Context& ctx, RequestReader& in, JsonWriter& out) {
  CreateTableRequest req;
  req.table_name = in.TableNameForTableOperation();
  const bool has_defs = in.Member("AttributeDefinitions") != nullptr;
  const bool has_keys = in.Member("KeySchema") != nullptr;
  if (has_defs) {
    req.attribute_definitions = ReadAttributeDefinitions(in);
  }
  in.NotNull(has_defs, "attributeDefinitions");
  if (has_keys) {
    const auto& keys = ArrayMember(in, "KeySchema");
    for (rapidjson::SizeType i = 0; i < keys.Size(); ++i) {
      std::string path = "keySchema." + std::to_string(i + 1) + ".member.";
      auto name = StringField(keys[i], "AttributeName");
      auto type = StringField(keys[i], "KeyType");
      in.NotNull(name.has_value(), path + "attributeName");
      in.Length(name, path + "attributeName", 1, 255);
      in.NotNull(type.has_value(), path + "keyType");
      in.Enum(type, path + "keyType", "[HASH, RANGE]");
      req.key_schema.push_back({name.value_or(""), type.value_or("")});
    }
    if (keys.Size() < 1 || keys.Size() > 2) {
      in.Violation("'[...]'", "keySchema",
                   keys.Size() < 1 ? "Member must have length greater than or equal to 1"
                                   : "Member must have length less than or equal to 2");
    }
  }
  in.NotNull(has_keys, "keySchema");
  req.billing_mode = in.String("BillingMode");
  in.Enum(req.billing_mode, "billingMode", "[PROVISIONED, PAY_PER_REQUEST]");
  if (const rapidjson::Value* pt = in.Member("ProvisionedThroughput")) {
    req.provisioned_throughput = ReadThroughput(in, *pt, "provisionedThroughput.", true);
  }
  for (auto [member, wire, target] :
       {std::tuple{"GlobalSecondaryIndexes", "globalSecondaryIndexes", &req.global_indexes},
        std::tuple{"LocalSecondaryIndexes", "localSecondaryIndexes", &req.local_indexes}}) {
    if (!in.Member(member)) continue;
    const auto& list = ArrayMember(in, member);
    if (list.Empty()) req.empty_index_lists.push_back(member);
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const rapidjson::Value& entry = list[i];
      if (!entry.IsObject()) ThrowWrongJsonType(entry, "Structure");
      std::string path = std::string(wire) + "." + std::to_string(i + 1) + ".member.";
      target->push_back(ReadIndexSpec(in, entry, path, true));
      // A GSI key may have up to four HASH and four RANGE attributes; an LSI's, like the
      // table's, at most two.
      if (target == &req.local_indexes && target->back().key_schema.size() > 2) {
        in.Violation("'[...]'", path + "keySchema",
                     "Member must have length less than or equal to 2");
      }
    }
  }
  in.ThrowIfInvalid();
  if (const rapidjson::Value* stream = in.Member("StreamSpecification")) {
    auto it = stream->IsObject() ? stream->FindMember("StreamEnabled") : stream->MemberEnd();
    if (stream->IsObject() && it != stream->MemberEnd() && it->value.IsBool() &&
        it->value.GetBool()) {
      req.unsupported.push_back("StreamSpecification");
    }
  }
  TableDescription d = CreateTable(ctx, req);
  out.StartObject();
  out.Key("TableDescription");
  WriteTableDescription(d, out);
  out.EndObject();
}

void HandleDescribeTable(Context& ctx, RequestReader& in, JsonWriter& out) {
  std::string name = in.TableNameForTableOperation();
  in.ThrowIfInvalid();
  TableDescription d = DescribeTable(ctx, name);
  out.StartObject();
  out.Key("Table");
  WriteTableDescription(d, out);
  out.EndObject();
}

void HandleDeleteTable(Context& ctx, RequestReader& in, JsonWriter& out) {
  std::string name = in.TableNameForTableOperation();
  in.ThrowIfInvalid();
  TableDescription d = DeleteTable(ctx, name);
  out.StartObject();
  out.Key("TableDescription");
  WriteTableDescription(d, out, /*for_delete=*/true);
  out.EndObject();
}

void HandleListTables(Context& ctx, RequestReader& in, JsonWriter& out) {
  ListTablesRequest req;
  req.exclusive_start_table_name = in.String("ExclusiveStartTableName");
  in.TableNamePattern(req.exclusive_start_table_name, "exclusiveStartTableName");
  in.Length(req.exclusive_start_table_name, "exclusiveStartTableName", 3, 255);
  auto limit = in.Long("Limit");
  in.Range(limit, "limit", 1, 100);
  in.ThrowIfInvalid();
  if (limit) req.limit = *limit;
  ListTablesResponse r = ListTables(ctx, req);
  out.StartObject();
  out.Key("TableNames");
  out.StartArray();
  for (const auto& n : r.table_names) Str(out, n);
  out.EndArray();
  if (r.last_evaluated_table_name) {
    out.Key("LastEvaluatedTableName");
    Str(out, *r.last_evaluated_table_name);
  }
  out.EndObject();
}

}  // namespace ddbd::api::wire

namespace ddbd::api::wire {

void HandleUpdateTable(Context& ctx, RequestReader& in, JsonWriter& out) {
  UpdateTableRequest req;
  req.table_name = in.TableNameForTableOperation();
  if (in.Member("AttributeDefinitions")) {
    req.attribute_definitions = ReadAttributeDefinitions(in);
    req.attribute_definitions_given = true;
  }
  req.billing_mode = in.String("BillingMode");
  in.Enum(req.billing_mode, "billingMode", "[PROVISIONED, PAY_PER_REQUEST]");
  if (const rapidjson::Value* pt = in.Member("ProvisionedThroughput")) {
    req.provisioned_throughput = ReadThroughput(in, *pt, "provisionedThroughput.", true);
  }
  if (in.Member("GlobalSecondaryIndexUpdates")) {
    const auto& updates = ArrayMember(in, "GlobalSecondaryIndexUpdates");
    req.index_updates_given = true;
    for (rapidjson::SizeType i = 0; i < updates.Size(); ++i) {
      const rapidjson::Value& entry = updates[i];
      if (!entry.IsObject()) ThrowWrongJsonType(entry, "Structure");
      std::string base = "globalSecondaryIndexUpdates." + std::to_string(i + 1) + ".member.";
      req.actions_per_entry.push_back(0);
      for (auto [member, wire, kind] :
           {std::tuple{"Create", "create", GlobalIndexUpdate::Kind::kCreate},
            std::tuple{"Update", "update", GlobalIndexUpdate::Kind::kUpdate},
            std::tuple{"Delete", "delete", GlobalIndexUpdate::Kind::kDelete}}) {
        auto it = entry.FindMember(member);
        if (it == entry.MemberEnd() || it->value.IsNull()) continue;
        if (!it->value.IsObject()) ThrowWrongJsonType(it->value, "Structure");
        GlobalIndexUpdate u;
        u.kind = kind;
        u.spec = ReadIndexSpec(in, it->value, base + wire + ".",
                               kind == GlobalIndexUpdate::Kind::kCreate);
        req.index_updates.push_back(std::move(u));
        ++req.actions_per_entry.back();
      }
    }
  }
  req.table_class = in.String("TableClass");
  in.Enum(req.table_class, "tableClass", "[STANDARD, STANDARD_INFREQUENT_ACCESS]");
  req.deletion_protection = in.Bool("DeletionProtectionEnabled");
  for (const char* p : {"StreamSpecification", "SSESpecification", "ReplicaUpdates",
                        "OnDemandThroughput", "WarmThroughput"}) {
    if (in.Member(p)) req.unsupported.push_back(p);
  }
  in.ThrowIfInvalid();
  TableDescription d = UpdateTable(ctx, req);
  out.StartObject();
  out.Key("TableDescription");
  WriteTableDescription(d, out);
  out.EndObject();
}

}  // namespace ddbd::api::wire
