// TransactWriteItems and TransactGetItems (API reference pages of the same names).
// A write transaction is one Store::MutateMany: every action's key is locked (sorted stripes),
// every condition is evaluated on the current items, and either all writes commit in one batch
// with their index rows or none does. A read transaction reads every item from one snapshot.
// Checks follow the service's order: what the request alone shows (expressions, item sizes)
// for all actions first, then the tables, then duplicate targets; problems that need the
// table's schema or the stored item are cancellation reasons (ValidationError).
#include <algorithm>
#include <set>

#include "api/errors.h"
#include "api/expressions/evaluate.h"
#include "api/operations/idempotency.h"
#include "api/operations/item_support.h"
#include "api/operations/operations.h"
#include "storage/item_codec.h"

namespace ddbd::api {
namespace {

using storage::Decision;
using storage::Item;
using Kind = TransactWriteAction::Kind;

// The request payload a transaction may carry (Developer Guide, "Transaction limits": 4 MB).
constexpr size_t kMaxTransactionBytes = 4 * 1024 * 1024;

// Transactional operations cost twice the units of their plain counterparts, and answer with
// the read/write split. One entry per table, in order of first appearance.
void AddUnits(std::vector<ConsumedCapacity>& all, ReturnConsumedCapacity mode,
              const std::string& table, double table_units,
              const std::vector<ConsumedCapacity::Index>& index_units, const char* split) {
  if (mode == ReturnConsumedCapacity::kNone) return;
  ConsumedCapacity* c = nullptr;
  for (auto& e : all) {
    if (e.table_name == table) c = &e;
  }
  if (!c) {
    c = &all.emplace_back(*Capacity(mode, table, 0));
    c->split = split;
  }
  c->units += table_units;
  c->table_units += table_units;
  for (const auto& index : index_units) {
    bool found = false;
    for (auto& e : c->index_units) {
      if (e.name == index.name) e.units += index.units, found = true;
    }
    if (!found) c->index_units.push_back(index);
    c->units += index.units;
  }
}

[[noreturn]] void CancelWithValidationError(size_t count, size_t at, const std::string& message) {
  std::vector<CancellationReason> reasons(count);
  reasons[at].code = "ValidationError";
  reasons[at].message = message;
  throw ApiError::TransactionCanceled(std::move(reasons));
}

// The request's identity for a ClientRequestToken replay: every parameter that changes what
// the transaction does, in a canonical form (maps in key order, whatever order the client's
// JSON had; the Go SDK, for one, serializes maps in random order).
// Set members in a canonical order (a set's order carries no meaning), through maps and lists.
void SortSets(storage::AttributeValue& v) {
  if (auto* ss = v.get_if<storage::StringSet>()) std::sort(ss->members.begin(), ss->members.end());
  if (auto* bs = v.get_if<storage::BinarySet>()) std::sort(bs->members.begin(), bs->members.end());
  if (auto* ns = v.get_if<storage::NumberSet>()) std::sort(ns->members.begin(), ns->members.end());
  if (auto* m = v.get_if<storage::AttributeMap>()) {
    for (auto& [name, child] : *m) SortSets(child);
  }
  if (auto* l = v.get_if<storage::AttributeList>()) {
    for (auto& child : *l) SortSets(child);
  }
}

std::string CanonicalBytes(Item item) {
  for (auto& [name, v] : item) SortSets(v);
  return storage::EncodeItem(item);
}

std::string Fingerprint(const TransactWriteItemsRequest& req) {
  std::string out = req.return_item_collection_metrics ? "SIZE" : "NONE";
  auto field = [&out](std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
  };
  auto opt = [&](const std::optional<std::string>& s) { field(s ? "+" + *s : "-"); };
  for (const auto& a : req.actions) {
    field(std::to_string(static_cast<int>(a.kind)));
    field(a.table_name);
    field(CanonicalBytes(a.item));
    field(a.return_values_on_condition_check_failure);
    opt(a.expr.condition_expression);
    opt(a.expr.update_expression);
    std::string names;
    if (a.expr.names) {
      for (const auto& [k, v] : *a.expr.names) {
        names += std::to_string(k.size()) + ':' + k + std::to_string(v.size()) + ':' + v;
      }
    }
    opt(a.expr.names ? std::optional<std::string>(names) : std::nullopt);
    opt(a.expr.values ? std::optional<std::string>(CanonicalBytes(*a.expr.values)) : std::nullopt);
  }
  return out;
}

std::string TargetIdentity(const storage::TableInfo& info, const storage::PrimaryKey& key) {
  return std::to_string(info.id) + '\0' + storage::EncodeItem(KeyItem(info, key));
}

// Each action's key, from key_of(i) (which throws ApiError for a key that does not fit its
// table: the transaction is cancelled with that action's ValidationError), and no two actions
// on one item (a ValidationException of its own).
template <typename KeyOf>
std::vector<storage::PrimaryKey> TransactionKeys(const std::vector<storage::TablePtr>& tables,
                                                 KeyOf&& key_of) {
  const size_t n = tables.size();
  std::vector<storage::PrimaryKey> keys;
  keys.reserve(n);
  std::set<std::string> targets;
  for (size_t i = 0; i < n; ++i) {
    try {
      keys.push_back(key_of(i));
    } catch (const ApiError& e) {
      if (e.code() != "ValidationException") throw;
      // An empty key value is the request's own fault, not the action's: no cancellation.
      if (auto empty = EmptyKeyValueError(e)) throw std::move(*empty);
      CancelWithValidationError(n, i, e.message());
    }
    if (!targets.insert(TargetIdentity(tables[i]->info(), keys.back())).second) {
      throw ApiError::Validation(
          "Transaction request cannot include multiple operations on one item");
    }
  }
  return keys;
}

}  // namespace

TransactWriteItemsResponse TransactWriteItems(Context& ctx, const TransactWriteItemsRequest& req) {
  const size_t n = req.actions.size();
  // 1. What the request alone shows, over every action in order.
  std::vector<PreparedExpressions> prepared;
  prepared.reserve(n);
  size_t payload = 0;
  for (const auto& a : req.actions) {
    prepared.push_back(PrepareExpressions(a.expr));
    if (a.kind == Kind::kPut) {
      CheckAttributeNames(a.item);
      CheckItemSize(a.item);
    } else {
      CheckKeyValuesNotEmpty(a.item);
    }
    payload += storage::ItemSize(a.item);
    if (a.expr.values) payload += storage::ItemSize(*a.expr.values);
  }
  if (payload > kMaxTransactionBytes) {
    throw ApiError::Validation("Transaction payload size cannot exceed 4MB. Payload Size: " +
                               std::to_string(payload));
  }
  // 2. The tables.
  std::vector<storage::TablePtr> tables;
  tables.reserve(n);
  for (const auto& a : req.actions) tables.push_back(RequireTable(ctx, a.table_name));
  // 3. Keys (a problem is the action's ValidationError) and duplicate targets.
  std::vector<storage::PrimaryKey> keys = TransactionKeys(tables, [&](size_t i) {
    const storage::TableInfo& info = tables[i]->info();
    const TransactWriteAction& a = req.actions[i];
    if (a.kind == Kind::kPut) {
      storage::PrimaryKey key = KeyFromItem(info, a.item);
      CheckIndexKeys(info, a.item);
      return key;
    }
    if (a.kind == Kind::kUpdate) CheckUpdatedPaths(info, prepared[i]);
    return KeyFromKeyParam(info, a.item);
  });

  // 4. ClientRequestToken: a repeat of a request that succeeded is answered without writing.
  std::string token;
  if (req.client_request_token && ctx.tokens) {
    token = ctx.caller.space + '\0' + *req.client_request_token;
    if (ctx.tokens->Begin(token, Fingerprint(req)) == IdempotencyTokens::Claim::kReplay) {
      // The replay reads the items: a transactional read of each, at its current size.
      TransactWriteItemsResponse out;
      for (size_t i = 0; i < n; ++i) {
        auto got = ctx.store.Get(*tables[i], keys[i]);
        size_t size = got.ok() && got->has_value() ? storage::ItemSize(**got) : 0;
        AddUnits(out.consumed_capacity, req.return_consumed_capacity, req.actions[i].table_name,
                 2 * ReadUnits(size, true), {}, "ReadCapacityUnits");
      }
      return out;
    }
  }
  struct Release {  // a claimed token is released unless the transaction commits
    Context& ctx;
    const std::string& token;
    bool committed = false;
    ~Release() {
      if (!token.empty()) ctx.tokens->Finish(token, committed);
    }
  } release{ctx, token};

  // 5. One MutateMany: every decide runs on its current item under the locks.
  std::vector<std::optional<ApiError>> errors(n);
  auto make_ops = [&] {
    std::vector<storage::MutateOp> ops(n);
    for (size_t i = 0; i < n; ++i) {
      ops[i].table = tables[i].get();
      ops[i].key = keys[i];
      ops[i].decide = [&, i](const Item* current) -> Decision {
        const TransactWriteAction& a = req.actions[i];
        const PreparedExpressions& expr = prepared[i];
        try {
          if (a.kind == Kind::kUpdate) {
            return DecideUpdate(expr, tables[i]->info(), keys[i], current, nullptr);
          }
          if (expr.condition && !expressions::EvaluateCondition(*expr.condition, current)) {
            return Decision::Fail();
          }
          if (a.kind == Kind::kPut) return Decision::Put(a.item);
          if (a.kind == Kind::kDelete) return Decision::Delete();
          return Decision::Keep();
        } catch (ApiError& e) {
          errors[i] = std::move(e);
          return Decision::Fail();
        }
      };
    }
    return ops;
  };
  auto result = ctx.store.MutateMany(make_ops());
  while (!result.ok() && result.status().code() == storage::Status::Code::kRetry) {
    // A table was redefined meanwhile (UpdateTable): look it up again and rerun.
    for (size_t i = 0; i < n; ++i) tables[i] = RequireTable(ctx, req.actions[i].table_name);
    std::fill(errors.begin(), errors.end(), std::nullopt);
    result = ctx.store.MutateMany(make_ops());
  }
  if (!result.ok()) {
    if (result.status().code() == storage::Status::Code::kNotFound) {
      throw ApiError::ResourceNotFound();
    }
    throw ApiError::Internal("Internal server error: " + result.status().message());
  }
  const auto& results = result->results;
  if (!result->committed) {
    std::vector<CancellationReason> reasons(n);
    for (size_t i = 0; i < n; ++i) {
      if (errors[i]) {
        if (errors[i]->code() != "ValidationException") throw std::move(*errors[i]);
        reasons[i].code = "ValidationError";
        reasons[i].message = errors[i]->message();
        break;  // the service examines no action after the first invalid one
      }
      if (results[i].collection_limit_exceeded) {
        reasons[i].code = "ItemCollectionSizeLimitExceeded";
        reasons[i].message = "Collection size exceeded.";
        continue;
      }
      if (results[i].outcome == Decision::Kind::kFail) {
        reasons[i].code = "ConditionalCheckFailed";
        reasons[i].message = "The conditional request failed";
        if (req.actions[i].return_values_on_condition_check_failure == "ALL_OLD") {
          reasons[i].item = results[i].old_item;
        }
      }
    }
    throw ApiError::TransactionCanceled(std::move(reasons));
  }
  release.committed = true;

  TransactWriteItemsResponse out;
  for (size_t i = 0; i < n; ++i) {
    const auto& r = results[i];
    auto c = WriteCapacity(ReturnConsumedCapacity::kIndexes, req.actions[i].table_name,
                           std::max(r.old_size, r.new_size), tables[i]->info(), r);
    for (auto& index : c->index_units) index.units *= 2;
    AddUnits(out.consumed_capacity, req.return_consumed_capacity, req.actions[i].table_name,
             2 * c->table_units, c->index_units, "WriteCapacityUnits");
    if (auto m = CollectionMetrics(
            req.return_item_collection_metrics && req.actions[i].kind != Kind::kConditionCheck,
            *tables[i], keys[i], r)) {
      auto& list = out.item_collection_metrics;
      auto it = std::find_if(list.begin(), list.end(),
                             [&](const auto& e) { return e.first == req.actions[i].table_name; });
      if (it == list.end()) it = list.insert(list.end(), {req.actions[i].table_name, {}});
      it->second.push_back(std::move(*m));
    }
  }
  return out;
}

TransactGetItemsResponse TransactGetItems(Context& ctx, const TransactGetItemsRequest& req) {
  const size_t n = req.gets.size();
  std::vector<PreparedExpressions> prepared;
  prepared.reserve(n);
  for (const auto& g : req.gets) {
    prepared.push_back(PrepareExpressions(g.expr));
    CheckKeyValuesNotEmpty(g.key);
  }
  std::vector<storage::TablePtr> tables;
  tables.reserve(n);
  for (const auto& g : req.gets) tables.push_back(RequireTable(ctx, g.table_name));
  std::vector<storage::PrimaryKey> keys = TransactionKeys(
      tables, [&](size_t i) { return KeyFromKeyParam(tables[i]->info(), req.gets[i].key); });
  // One snapshot: a write transaction is one batch, so its items are seen all or none.
  auto view = ctx.store.View();
  TransactGetItemsResponse out;
  out.items.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto got = view->Get(*tables[i], keys[i]);
    if (!got.ok()) throw ApiError::Internal("Internal server error: " + got.status().message());
    size_t size = got->has_value() ? storage::ItemSize(**got) : 0;
    AddUnits(out.consumed_capacity, req.return_consumed_capacity, req.gets[i].table_name,
             2 * ReadUnits(size, true), {}, "ReadCapacityUnits");
    if (got->has_value()) out.items[i] = ProjectItem(std::move(**got), prepared[i], {});
  }
  return out;
}

}  // namespace ddbd::api
