// BatchGetItem and BatchWriteItem (API reference pages of the same names). Neither is atomic in
// DynamoDB: each key is read, and each request written, on its own (BatchWriteItem's writes are
// PutItem and DeleteItem, each one Store::Mutate). The whole request is validated first, in the
// service's order: what the request alone shows, then the tables, then keys and duplicates, so
// an invalid batch writes nothing.
#include <set>

#include "api/errors.h"
#include "api/operations/item_support.h"
#include "api/operations/operations.h"
#include "storage/item_codec.h"

namespace ddbd::api {
namespace {

using storage::Item;

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;

// The key's identity for duplicate checks: the key attributes' canonical encoding.
std::string KeyIdentity(const storage::TableInfo& info, const storage::PrimaryKey& key) {
  return storage::EncodeItem(KeyItem(info, key));
}

// A batch reports every malformed key (wrong names, types or count) with one message.
storage::PrimaryKey BatchKey(const storage::TableInfo& info, const Item& item, bool whole_item) {
  try {
    return whole_item ? KeyFromItem(info, item) : KeyFromKeyParam(info, item);
  } catch (const ApiError& e) {
    if (auto empty = EmptyKeyValueError(e)) throw std::move(*empty);
    const std::string& m = e.message();
    if (m.starts_with("One or more parameter values were invalid: Missing the key") ||
        m.starts_with("One or more parameter values were invalid: Type mismatch for key")) {
      throw ApiError::Validation("The provided key element does not match the schema");
    }
    throw;
  }
}

// Adds one result's capacity to its table's entry (batches answer one entry per table).
void AddCapacity(std::vector<ConsumedCapacity>& all, const std::optional<ConsumedCapacity>& c) {
  if (!c) return;
  for (auto& existing : all) {
    if (existing.table_name != c->table_name) continue;
    existing.units += c->units;
    existing.table_units += c->table_units;
    for (const auto& index : c->index_units) {
      bool found = false;
      for (auto& e : existing.index_units) {
        if (e.name == index.name) e.units += index.units, found = true;
      }
      if (!found) existing.index_units.push_back(index);
    }
    return;
  }
  all.push_back(*c);
}

}  // namespace

BatchGetItemResponse BatchGetItem(Context& ctx, const BatchGetItemRequest& req) {
  // What the request alone shows, table by table.
  std::vector<PreparedExpressions> prepared;
  size_t total = 0;
  for (const auto& t : req.tables) {
    prepared.push_back(PrepareExpressions(t.expr));
    CheckAttributesToGet(t.attributes_to_get);
    for (const auto& k : t.keys) CheckKeyValuesNotEmpty(k);
    total += t.keys.size();
    if (total > kMaxBatchGetKeys) {
      throw ApiError::Validation("Too many items requested for the BatchGetItem call");
    }
  }
  std::vector<storage::TablePtr> tables;
  for (const auto& t : req.tables) tables.push_back(RequireTable(ctx, t.table_name));
  std::vector<std::vector<storage::PrimaryKey>> keys(req.tables.size());
  for (size_t i = 0; i < req.tables.size(); ++i) {
    std::set<std::string> seen;
    for (const auto& k : req.tables[i].keys) {
      keys[i].push_back(BatchKey(tables[i]->info(), k, false));
      if (!seen.insert(KeyIdentity(tables[i]->info(), keys[i].back())).second) {
        throw ApiError::Validation("Provided list of item keys contains duplicates");
      }
    }
  }

  BatchGetItemResponse out;
  size_t response_bytes = 0;
  // Not a transaction, but reading every key at one instant costs nothing more.
  auto view = ctx.store.View();
  for (size_t i = 0; i < req.tables.size(); ++i) {
    const KeysAndAttributes& t = req.tables[i];
    auto& answered = out.responses.emplace_back(t.table_name, ResultItems{}).second;
    // Items answered whole are kept in their stored bytes, as Query keeps them.
    const bool whole = !prepared[i].projection && t.attributes_to_get.empty();
    double units = 0;
    KeysAndAttributes left;
    for (size_t k = 0; k < keys[i].size(); ++k) {
      if (response_bytes >= kMaxBatchGetResponseBytes) {
        // Past the 16 MB response limit: the rest is for the caller's next call.
        left.keys.push_back(t.keys[k]);
        continue;
      }
      auto got = view->GetEncoded(*tables[i], keys[i][k]);
      if (!got.ok()) throw ApiError::Internal("Internal server error: " + got.status().message());
      if (!got->has_value()) {
        units += ReadUnits(0, t.consistent_read);
        continue;
      }
      auto size = storage::EncodedItemSize(**got);
      if (!size.ok()) throw ApiError::Internal("Internal server error: " + size.status().message());
      units += ReadUnits(*size, t.consistent_read);
      if (whole) {
        response_bytes += *size;
        answered.AddEncoded(**got);
        continue;
      }
      auto decoded = storage::DecodeItem(**got);
      if (!decoded.ok()) {
        throw ApiError::Internal("Internal server error: " + decoded.status().message());
      }
      Item item = ProjectItem(std::move(decoded).value(), prepared[i], t.attributes_to_get);
      response_bytes += storage::ItemSize(item);
      answered.Add(std::move(item));
    }
    if (!left.keys.empty()) {
      left.table_name = t.table_name;
      left.consistent_read = t.consistent_read;
      left.attributes_to_get = t.attributes_to_get;
      left.expr = t.expr;
      out.unprocessed.push_back(std::move(left));
    }
    AddCapacity(out.consumed_capacity, Capacity(req.return_consumed_capacity, t.table_name, units));
  }
  return out;
}

BatchWriteItemResponse BatchWriteItem(Context& ctx, const BatchWriteItemRequest& req) {
  // What the request alone shows: attribute names, nesting and item sizes of the puts.
  for (const auto& [name, requests] : req.tables) {
    for (const auto& r : requests) {
      if (!r.put) {
        CheckKeyValuesNotEmpty(r.item);
        continue;
      }
      CheckAttributeNames(r.item);
      CheckItemSize(r.item);
    }
  }
  std::vector<storage::TablePtr> tables;
  for (const auto& [name, requests] : req.tables) tables.push_back(RequireTable(ctx, name));
  for (size_t i = 0; i < req.tables.size(); ++i) {
    const storage::TableInfo& info = tables[i]->info();
    std::set<std::string> seen;
    for (const auto& r : req.tables[i].second) {
      storage::PrimaryKey key = BatchKey(info, r.item, r.put);
      if (r.put) CheckIndexKeys(info, r.item);
      if (!seen.insert(KeyIdentity(info, key)).second) {
        throw ApiError::Validation("Provided list of item keys contains duplicates");
      }
    }
  }

  // Each request is its own write; none has a condition, so none can fail but by a fault.
  BatchWriteItemResponse out;
  for (const auto& [name, requests] : req.tables) {
    std::vector<ItemCollectionMetrics> metrics;
    for (const auto& r : requests) {
      auto with_options = [&, &table = name](auto one) {
        one.table_name = table;
        one.return_consumed_capacity = req.return_consumed_capacity;
        one.return_item_collection_metrics = req.return_item_collection_metrics;
        return one;
      };
      ItemResponse resp;
      if (r.put) {
        PutItemRequest put;
        put.item = r.item;
        resp = PutItem(ctx, with_options(std::move(put)));
      } else {
        DeleteItemRequest del;
        del.key = r.item;
        resp = DeleteItem(ctx, with_options(std::move(del)));
      }
      AddCapacity(out.consumed_capacity, resp.consumed_capacity);
      if (resp.item_collection_metrics) metrics.push_back(*resp.item_collection_metrics);
    }
    if (!metrics.empty()) out.item_collection_metrics.emplace_back(name, std::move(metrics));
  }
  return out;
}

}  // namespace ddbd::api
