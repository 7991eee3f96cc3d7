// Applying a resolved UpdateExpression to an item, with DynamoDB's semantics: every SET value is
// computed from the item as it was before the update, list indexes past the end append, REMOVE
// of list elements uses the original indexes, ADD and DELETE work on numbers and sets.
#pragma once

#include <vector>

#include "api/expressions/ast.h"
#include "storage/value.h"

namespace ddbd::api::expressions {

// Returns the updated item. `item` is the current item, or the key attributes alone when there
// is none. Throws ApiError validation errors for type mismatches and invalid paths.
storage::Item ApplyUpdate(const UpdateExpression& update, storage::Item item);

// Every path the update writes or removes (for UPDATED_OLD / UPDATED_NEW and key checks).
std::vector<Path> UpdatedPaths(const UpdateExpression& update);

// Rejects two paths where one is a prefix of the other (overlap) or where they index the same
// value once as a list and once as a map (conflict), in DynamoDB's words.
void CheckPathsDisjoint(const std::vector<Path>& paths, std::string_view kind);

}  // namespace ddbd::api::expressions
