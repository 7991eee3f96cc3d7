// PutItem, GetItem, DeleteItem, UpdateItem (API reference pages of the same names).
// Every write is one Store::Mutate: the condition is evaluated on the current item under the
// key's lock and the new item is committed in the same step, so no update can be lost.
#include <cmath>
#include <set>

#include "api/errors.h"
#include "api/expressions/evaluate.h"
#include "api/expressions/update.h"
#include "api/operations/item_support.h"
#include "api/operations/operations.h"

namespace ddbd::api {
namespace {

using storage::Decision;
using storage::Item;

void CheckReturnValuesAllOldOrNone(const std::string& rv) {
  if (rv != "NONE" && rv != "ALL_OLD") {
    throw ApiError::Validation("ReturnValues can only be ALL_OLD or NONE");
  }
}

// Runs decide under Mutate. ApiErrors thrown by the decide logic are carried out of the store
// (which never sees an exception) and rethrown here.
// A table redefined meanwhile (UpdateTable adding or dropping an index) is looked up again, so
// the write maintains exactly the indexes the table has when it commits.
template <typename Fn>
storage::MutateResult MutateOrThrow(Context& ctx, storage::TablePtr table,
                                    const storage::PrimaryKey& key, Fn&& decide) {
  std::optional<ApiError> error;
  auto attempt = [&] {
    return ctx.store.Mutate(*table, key, [&](const Item* current) -> Decision {
      try {
        return decide(current);
      } catch (ApiError& e) {
        error = std::move(e);
        return Decision::Fail();
      }
    });
  };
  auto result = attempt();
  while (!result.ok() && result.status().code() == storage::Status::Code::kRetry) {
    table = RequireTable(ctx, table->info().name);
    result = attempt();
  }
  if (error) throw std::move(*error);
  if (!result.ok()) {
    // The table was deleted between the lookup and the commit: nothing was written.
    if (result.status().code() == storage::Status::Code::kNotFound) {
      throw ApiError::ResourceNotFound();
    }
    if (result.status().code() == storage::Status::Code::kInvalidArgument) {
      throw ApiError::ItemCollectionSizeLimitExceeded();  // the only one Mutate reports
    }
    throw ApiError::Internal("Internal server error: " + result.status().message());
  }
  return std::move(result).value();
}

ApiError ConditionFailed(const std::string& rvoccf, const std::optional<Item>& old) {
  ApiError e = ApiError::ConditionalCheckFailed();
  if (rvoccf == "ALL_OLD" && old) return std::move(e).WithItem(*old);
  return e;
}

}  // namespace

std::vector<expressions::Path> CheckUpdatedPaths(const storage::TableInfo& info,
                                                 const PreparedExpressions& expr) {
  std::vector<expressions::Path> updated;
  if (expr.update) {
    updated = expressions::UpdatedPaths(*expr.update);
    for (const auto& p : updated) {
      const std::string& top = p.elements[0].name;
      if (top == info.hash.name || (info.range && top == info.range->name)) {
        throw ApiError::Validation(
            "One or more parameter values were invalid: Cannot update attribute " + top +
            ". This attribute is part of the key");
      }
    }
  }
  return updated;
}

Decision DecideUpdate(const PreparedExpressions& expr, const storage::TableInfo& info,
                      const storage::PrimaryKey& key, const Item* current, Item* new_item) {
  if (expr.condition && !expressions::EvaluateCondition(*expr.condition, current)) {
    return Decision::Fail();
  }
  // An update that only removes (REMOVE, DELETE from a set, AttributeUpdates DELETE) does not
  // create an absent item; one with no actions at all creates the key-only item.
  const bool only_removes = expr.update && expr.update->set.empty() && expr.update->add.empty() &&
                            (!expr.update->remove.empty() || !expr.update->del.empty());
  if (!current && only_removes) return Decision::Delete();  // nothing to write
  Item base = current ? *current : KeyItem(info, key);
  Item updated =
      expr.update ? expressions::ApplyUpdate(*expr.update, std::move(base)) : std::move(base);
  CheckIndexKeys(info, updated);
  CheckItemSize(updated, true);
  if (new_item) *new_item = updated;  // only copied when the response needs it
  return Decision::Put(std::move(updated));
}

std::optional<ItemCollectionMetrics> CollectionMetrics(bool wanted, const storage::Table& table,
                                                       const storage::PrimaryKey& key,
                                                       const storage::MutateResult& result) {
  if (!wanted || !table.has_local_indexes()) return std::nullopt;
  ItemCollectionMetrics m;
  m.key[table.info().hash.name] = key.hash;
  double gb = static_cast<double>(result.collection_bytes) / (1024.0 * 1024 * 1024);
  m.lower_gb = std::floor(gb);
  m.upper_gb = m.lower_gb + 1;
  return m;
}

ItemResponse PutItem(Context& ctx, const PutItemRequest& req) {
  CheckReturnValuesAllOldOrNone(req.return_values);
  PreparedExpressions expr = PrepareExpressions(req.expr);
  storage::TablePtr table = RequireTable(ctx, req.table_name);
  CheckAttributeNames(req.item);
  storage::PrimaryKey key = KeyFromItem(table->info(), req.item);
  CheckIndexKeys(table->info(), req.item);
  CheckItemSize(req.item);

  auto result = MutateOrThrow(ctx, table, key, [&](const Item* current) {
    if (expr.condition && !expressions::EvaluateCondition(*expr.condition, current)) {
      return Decision::Fail();
    }
    return Decision::Put(req.item);
  });
  if (result.outcome == Decision::Kind::kFail) {
    throw ConditionFailed(req.return_values_on_condition_check_failure, result.old_item);
  }
  ItemResponse out;
  if (req.return_values == "ALL_OLD" && result.old_item) out.item = std::move(result.old_item);
  out.consumed_capacity =
      WriteCapacity(req.return_consumed_capacity, req.table_name,
                    std::max(result.old_size, result.new_size), table->info(), result);
  out.item_collection_metrics =
      CollectionMetrics(req.return_item_collection_metrics, *table, key, result);
  return out;
}

ItemResponse GetItem(Context& ctx, const GetItemRequest& req) {
  PreparedExpressions expr = PrepareExpressions(req.expr);
  CheckAttributesToGet(req.attributes_to_get);
  storage::TablePtr table = RequireTable(ctx, req.table_name);
  storage::PrimaryKey key = KeyFromKeyParam(table->info(), req.key);
  auto got = ctx.store.Get(*table, key);
  if (!got.ok()) throw ApiError::Internal("Internal server error: " + got.status().message());
  ItemResponse out;
  size_t size = got->has_value() ? storage::ItemSize(**got) : 0;
  if (got->has_value()) out.item = ProjectItem(std::move(**got), expr, req.attributes_to_get);
  out.consumed_capacity =
      Capacity(req.return_consumed_capacity, req.table_name, ReadUnits(size, req.consistent_read));
  return out;
}

ItemResponse DeleteItem(Context& ctx, const DeleteItemRequest& req) {
  CheckReturnValuesAllOldOrNone(req.return_values);
  PreparedExpressions expr = PrepareExpressions(req.expr);
  storage::TablePtr table = RequireTable(ctx, req.table_name);
  storage::PrimaryKey key = KeyFromKeyParam(table->info(), req.key);

  auto result = MutateOrThrow(ctx, table, key, [&](const Item* current) {
    if (expr.condition && !expressions::EvaluateCondition(*expr.condition, current)) {
      return Decision::Fail();
    }
    return Decision::Delete();
  });
  if (result.outcome == Decision::Kind::kFail) {
    throw ConditionFailed(req.return_values_on_condition_check_failure, result.old_item);
  }
  ItemResponse out;
  if (req.return_values == "ALL_OLD" && result.old_item) out.item = std::move(result.old_item);
  out.consumed_capacity = WriteCapacity(req.return_consumed_capacity, req.table_name,
                                        result.old_size, table->info(), result);
  out.item_collection_metrics =
      CollectionMetrics(req.return_item_collection_metrics, *table, key, result);
  return out;
}

ItemResponse UpdateItem(Context& ctx, const UpdateItemRequest& req) {
  PreparedExpressions expr = PrepareExpressions(req.expr);
  storage::TablePtr table = RequireTable(ctx, req.table_name);
  const storage::TableInfo& info = table->info();
  storage::PrimaryKey key = KeyFromKeyParam(info, req.key);
  std::vector<expressions::Path> updated = CheckUpdatedPaths(info, expr);

  const std::string& rv = req.return_values;
  const bool keep_new = rv == "ALL_NEW" || rv == "UPDATED_NEW";
  Item new_item;
  auto result = MutateOrThrow(ctx, table, key, [&](const Item* current) {
    return DecideUpdate(expr, info, key, current, keep_new ? &new_item : nullptr);
  });
  if (result.outcome == Decision::Kind::kFail) {
    throw ConditionFailed(req.return_values_on_condition_check_failure, result.old_item);
  }
  ItemResponse out;
  if (result.outcome == Decision::Kind::kDelete) {
    out.consumed_capacity =
        WriteCapacity(req.return_consumed_capacity, req.table_name, 0, info, result);
    out.item_collection_metrics =
        CollectionMetrics(req.return_item_collection_metrics, *table, key, result);
    return out;
  }
  if (rv == "ALL_NEW") {
    out.item = std::move(new_item);
  } else if (rv == "ALL_OLD") {
    if (result.old_item) out.item = *result.old_item;
  } else if (rv == "UPDATED_NEW") {
    out.item = expressions::Project(new_item, updated);
  } else if (rv == "UPDATED_OLD" && result.old_item) {
    out.item = expressions::Project(*result.old_item, updated);
  }
  if (out.item && out.item->empty() && rv != "ALL_NEW") out.item.reset();
  out.consumed_capacity = WriteCapacity(req.return_consumed_capacity, req.table_name,
                                        std::max(result.old_size, result.new_size), info, result);
  out.item_collection_metrics =
      CollectionMetrics(req.return_item_collection_metrics, *table, key, result);
  return out;
}

}  // namespace ddbd::api
