// UpdateTable (API reference: UpdateTable, GlobalSecondaryIndexUpdate; Developer Guide,
// "Managing global secondary indexes"): billing mode and throughput, table class, deletion
// protection, GSI throughput updates, and one GSI create (backfilled in the background:
// IndexStatus CREATING with Backfilling true, then ACTIVE) or delete per call.
#include <algorithm>
#include <optional>
#include <set>

#include "api/errors.h"
#include "api/operations/operations.h"
#include "api/operations/table_states.h"
#include "api/operations/table_support.h"

namespace ddbd::api {
namespace {

using namespace tables;
using storage::AttributeList;
using storage::AttributeMap;
using storage::AttributeValue;
using Kind = GlobalIndexUpdate::Kind;

const char* const kNothingToDo =
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required";

ApiError OneIndexAtATime() {
  return ApiError::LimitExceeded(
      "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
      "per table");
}

// "The provisioned throughput for <what> will not change ..." for a throughput equal to the
// current one.
ApiError WillNotChange(const std::string& what, const std::string& of, int64_t read, int64_t write,
                       const ProvisionedThroughput& requested) {
  return ApiError::Validation(
      "The provisioned throughput for " + what +
      " will not change. The requested value equals the current value. Current "
      "ReadCapacityUnits provisioned for " +
      of + ": " + std::to_string(read) + ". Requested ReadCapacityUnits: " +
      std::to_string(requested.read) + ". Current WriteCapacityUnits provisioned for " + of + ": " +
      std::to_string(write) + ". Requested WriteCapacityUnits: " + std::to_string(requested.write) +
      ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request "
      "higher limits.");
}

// What the request asks, checked before the table is looked up (as the service does: an
// invalid request on a missing table is a ValidationException).
void CheckRequest(const UpdateTableRequest& req) {
  if (!req.unsupported.empty()) {
    throw ApiError::Validation("ddbd does not support " + req.unsupported.front() +
                               " in UpdateTable yet");
  }
  const bool index_updates = !req.actions_per_entry.empty();
  if (!req.billing_mode && !req.provisioned_throughput && !index_updates && !req.table_class &&
      !req.deletion_protection) {
    throw ApiError::Validation(kNothingToDo);
  }
  if (req.index_updates_given && !index_updates) {
    throw Invalid("List of GlobalSecondaryIndexUpdates is empty");
  }
  std::set<std::string> named;
  size_t next = 0;
  for (int actions : req.actions_per_entry) {
    if (actions == 0) {
      throw Invalid(
          "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
          "GlobalSecondaryIndexUpdate.Delete must not be null");
    }
    if (actions > 1) {
      throw Invalid(
          "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate "
          "object");
    }
    const std::string& name = req.index_updates[next++].spec.name;
    if (!named.insert(name).second) {
      throw Invalid(
          "Only one global secondary index update per index is allowed simultaneously. Index: " +
          name);
    }
  }
  int creates_or_deletes = 0;
  for (const auto& u : req.index_updates) creates_or_deletes += u.kind != Kind::kUpdate;
  if (creates_or_deletes > 1) throw OneIndexAtATime();
  // Some changes must come alone (the service's single-concern rules).
  const bool others_than_dp =
      req.billing_mode || req.provisioned_throughput || index_updates || req.table_class;
  if (req.deletion_protection && others_than_dp) {
    throw ApiError::Validation(
        "DeletionProtection modification must be the only operation in the request");
  }
  if (req.table_class && (req.billing_mode || req.provisioned_throughput || index_updates)) {
    throw ApiError::Validation("TableClass modification must be the only operation in the request");
  }
  if (creates_or_deletes && req.provisioned_throughput) {
    throw ApiError::Validation("You cannot create or delete index while updating table IOPS");
  }
}

// While a GSI added by UpdateTable is being built, the service admits deleting that index and
// throughput changes of the table and of the GSIs (GSI.OnlineOps); another index create or
// delete is over the one-at-a-time limit; a billing mode or table class change must wait.
void CheckWhileCreating(Context& ctx, const storage::Table& table, const UpdateTableRequest& req) {
  const auto& indexes = table.info().indexes;
  for (size_t i = 0; i < indexes.size(); ++i) {
    if (!IndexCreating(ctx, table, i)) continue;
    for (const auto& u : req.index_updates) {
      if (u.kind == Kind::kCreate || (u.kind == Kind::kDelete && u.spec.name != indexes[i].name)) {
        throw OneIndexAtATime();
      }
    }
    if (req.billing_mode || req.table_class) {
      throw InUse("Table is being updated: " + req.table_name);
    }
  }
}

struct Throughput {
  int64_t read = 0, write = 0;
};

std::optional<Throughput> IndexThroughput(const AttributeMap& all, const std::string& name) {
  auto it = all.find(name);
  if (it == all.end()) return std::nullopt;
  const auto& rw = *it->second.get_if<AttributeMap>();
  return Throughput{ToInt(&rw.at("R")), ToInt(&rw.at("W"))};
}

AttributeMap ThroughputEntry(const ProvisionedThroughput& t) {
  return AttributeMap{{"R", ToNumber(t.read)}, {"W", ToNumber(t.write)}};
}

// The attribute names some key of the table or of its indexes uses.
std::set<std::string> KeyNames(const storage::TableInfo& t) {
  std::set<std::string> names{t.hash.name};
  if (t.range) names.insert(t.range->name);
  for (const auto& index : t.indexes) {
    for (const auto& k : index.hash) names.insert(k.name);
    for (const auto& k : index.range) names.insert(k.name);
  }
  return names;
}

// A GSI Create: its key attributes' definitions (AttributeDefinitions is read for nothing
// else), its throughput under the billing mode in force, then CreateTable's index rules.
storage::IndexInfo NewIndex(const storage::TableInfo& current, const UpdateTableRequest& req,
                            const SecondaryIndexSpec& spec, const std::string& billing,
                            std::vector<AttributeDefinition>* defs) {
  if (current.FindIndex(spec.name)) {
    throw ApiError::Validation("Attempting to create an index which already exists");
  }
  size_t globals = 0;
  for (const auto& index : current.indexes) globals += index.global;
  if (globals >= 20) {
    throw ApiError::LimitExceeded(
        "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit "
        "of 20");
  }
  if (!req.attribute_definitions_given) {
    throw Invalid("AttributeDefinitions is not specified for index: " + spec.name);
  }
  auto find = [](const std::vector<AttributeDefinition>& list, const std::string& name) {
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& d) { return d.name == name; });
    return it == list.end() ? std::optional<AttributeDefinition>() : *it;
  };
  for (const auto& k : spec.key_schema) {
    auto existing = find(*defs, k.name);
    auto given = find(req.attribute_definitions, k.name);
    if (given && existing && given->type != existing->type) {
      throw Invalid("Cannot change the type of attribute " + k.name + " from " + existing->type +
                    " to " + given->type);
    }
    if (given && !existing) defs->push_back(*given);
    if (!given && !existing) throw UndefinedKeys(spec.key_schema, req.attribute_definitions);
  }
  if (billing == "PAY_PER_REQUEST" && spec.provisioned_throughput) {
    throw Invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: " +
                  spec.name + " when BillingMode is PAY_PER_REQUEST");
  }
  if (billing == "PROVISIONED" && !spec.provisioned_throughput) {
    throw Invalid("Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: " +
                  spec.name);
  }
  CreateTableRequest one;
  one.global_indexes.push_back(spec);
  std::vector<KeySchemaElement> keys{{current.hash.name, "HASH"}};
  if (current.range) keys.push_back({current.range->name, "RANGE"});
  auto type_of = [&](const std::string& n) {
    for (const auto& d : *defs) {
      if (d.name == n) return ScalarType(d.type);
    }
    return storage::ValueType::kS;
  };
  return std::move(ValidateIndexes(one, billing, keys, type_of)[0]);
}

}  // namespace

TableDescription UpdateTable(Context& ctx, const UpdateTableRequest& req) {
  CheckRequest(req);
  storage::TablePtr table = RequireTable(ctx, req.table_name);
  const storage::TableInfo& current = table->info();
  CheckWhileCreating(ctx, *table, req);

  storage::TableInfo info = current;
  const std::string old_billing = *Meta(current, "BillingMode")->get_if<std::string>();
  const std::string billing = req.billing_mode.value_or(old_billing);
  if (req.billing_mode) info.meta["BillingMode"] = billing;
  if (billing == "PAY_PER_REQUEST" && req.provisioned_throughput) {
    throw Invalid(
        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
        "PAY_PER_REQUEST");
  }
  if (req.billing_mode == "PROVISIONED" && !req.provisioned_throughput) {
    throw Invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
  }
  if (req.provisioned_throughput) {
    int64_t read = ToInt(Meta(current, "ReadCapacityUnits"));
    int64_t write = ToInt(Meta(current, "WriteCapacityUnits"));
    if (read == req.provisioned_throughput->read && write == req.provisioned_throughput->write) {
      throw WillNotChange("the table", "the table", read, write, *req.provisioned_throughput);
    }
    info.meta["ReadCapacityUnits"] = ToNumber(req.provisioned_throughput->read);
    info.meta["WriteCapacityUnits"] = ToNumber(req.provisioned_throughput->write);
  } else if (billing == "PAY_PER_REQUEST") {
    info.meta["ReadCapacityUnits"] = ToNumber(0);
    info.meta["WriteCapacityUnits"] = ToNumber(0);
  }
  if (req.table_class) info.meta["TableClass"] = *req.table_class;
  if (req.deletion_protection) info.meta["DeletionProtectionEnabled"] = *req.deletion_protection;

  AttributeMap throughput;
  if (auto* t = Meta(current, "IndexThroughput")) throughput = *t->get_if<AttributeMap>();
  if (billing == "PAY_PER_REQUEST") throughput.clear();  // on-demand GSIs report 0/0
  // Switching to PROVISIONED gives every GSI a throughput in the same call; nothing is assumed.
  if (old_billing == "PAY_PER_REQUEST" && billing == "PROVISIONED") {
    for (const auto& index : current.indexes) {
      if (!index.global) continue;
      bool given = false;
      for (const auto& u : req.index_updates) {
        given |= u.kind == Kind::kUpdate && u.spec.name == index.name &&
                 u.spec.provisioned_throughput.has_value();
      }
      if (!given) throw Invalid("ProvisionedThroughput must be specified for index: " + index.name);
    }
  }

  // Attribute definitions: only those some key uses are kept (the service drops the rest, and a
  // deleted index's key attributes with it, so that they can come back with another type).
  std::vector<AttributeDefinition> defs;
  const std::set<std::string> used_now = KeyNames(current);
  for (auto& d : Definitions(current)) {
    if (used_now.count(d.name)) defs.push_back(std::move(d));
  }
  std::optional<std::string> created;
  for (const auto& u : req.index_updates) {
    const std::string& name = u.spec.name;
    if (u.kind == Kind::kCreate) {
      info.indexes.push_back(NewIndex(current, req, u.spec, billing, &defs));
      if (u.spec.provisioned_throughput) {
        throughput[name] = ThroughputEntry(*u.spec.provisioned_throughput);
      }
      created = name;
      continue;
    }
    const storage::IndexInfo* existing = info.FindIndex(name);
    if (existing && !existing->global && u.kind == Kind::kDelete) {
      throw ApiError::Validation("Cannot delete an index that is not a GlobalSecondaryIndex: " +
                                 name);
    }
    if (!existing || !existing->global) {
      throw ApiError::ResourceNotFound("Requested resource not found: Index " + name +
                                       " for table " + req.table_name);
    }
    if (u.kind == Kind::kDelete) {
      std::erase_if(info.indexes, [&](const storage::IndexInfo& i) { return i.name == name; });
      throughput.erase(name);
      continue;
    }
    if (billing == "PAY_PER_REQUEST") {
      throw Invalid("The only Updates for index: " + name +
                    " when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, "
                    "WarmThroughput");
    }
    if (!u.spec.provisioned_throughput) {
      throw Invalid("ProvisionedThroughput is not specified for index: " + name);
    }
    auto now = IndexThroughput(throughput, name);
    if (now && now->read == u.spec.provisioned_throughput->read &&
        now->write == u.spec.provisioned_throughput->write) {
      throw WillNotChange("the index " + name, "index " + name, now->read, now->write,
                          *u.spec.provisioned_throughput);
    }
    throughput[name] = ThroughputEntry(*u.spec.provisioned_throughput);
  }
  AttributeList def_list;
  const std::set<std::string> used = KeyNames(info);
  for (const auto& d : defs) {
    if (!used.count(d.name)) continue;
    def_list.push_back(AttributeMap{{"AttributeName", AttributeValue(d.name)},
                                    {"AttributeType", AttributeValue(d.type)}});
  }
  info.meta["AttributeDefinitions"] = std::move(def_list);
  if (throughput.empty()) {
    info.meta.erase("IndexThroughput");
  } else {
    info.meta["IndexThroughput"] = std::move(throughput);
  }
  auto replaced = ctx.store.ReplaceTable(*table, std::move(info));
  if (!replaced.ok()) {
    if (replaced.status().code() == storage::Status::Code::kNotFound) {
      throw ApiError::ResourceNotFound();
    }
    throw ApiError::Internal("Internal server error: " + replaced.status().message());
  }
  if (created) {
    ctx.store.StartBackfill(*replaced, *created);
    if (ctx.states) ctx.states->Created((*replaced)->info().FindIndex(*created)->id);
  }
  TableDescription d = Describe(ctx, **replaced, "ACTIVE");
  const TableDescription before = Describe(ctx, *table, "ACTIVE");
  for (const auto& u : req.index_updates) {
    if (u.kind == Kind::kUpdate) {
      // The answer shows an updated GSI UPDATING, with the throughput it had; DescribeTable
      // shows the new one (the service: after a few seconds).
      for (auto& index : d.indexes) {
        if (index.name != u.spec.name) continue;
        index.status = "UPDATING";
        for (const auto& old : before.indexes) {
          if (old.name == index.name) index.throughput = old.throughput;
        }
      }
    }
    if (u.kind != Kind::kDelete) continue;
    // The answer still shows the deleted index, DELETING, and the table UPDATING; it is gone
    // from DescribeTable at once (the service takes a few seconds).
    for (auto index : before.indexes) {
      if (index.name != u.spec.name) continue;
      index.status = "DELETING";
      index.backfilling.reset();
      d.indexes.push_back(std::move(index));
    }
    d.status = "UPDATING";
  }
  if (created) {
    // The answer shows the service's first phase: the table UPDATING while the new index is
    // allocated (CREATING, not yet backfilling).
    d.status = "UPDATING";
    for (auto& index : d.indexes) {
      if (index.name == *created) {
        index.status = "CREATING";
        index.backfilling = false;
      }
    }
  }
  return d;
}

}  // namespace ddbd::api
