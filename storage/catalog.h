// The catalog's stored form: the metadata keys of the default column family (next table id,
// catalog rows, backfill markers, quarantine, the first table id in families) and a table's
// description encoded as an item (the item codec is the only binary format). Internal to
// storage/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/key_codec.h"
#include "storage/status.h"
#include "storage/store.h"

namespace ddbd::storage {

inline const std::string kNextIdKey = std::string(1, kMetaPrefix) + "id";
inline const std::string kCatalogPrefix = std::string(1, kMetaPrefix) + "t";
// Undecodable rows are moved here (prefix + their original key) when the store opens.
inline const std::string kQuarantinePrefix = std::string(1, kMetaPrefix) + "q";
// The first table id whose rows are in the families (see Store::first_family_table_).
inline const std::string kFirstFamilyTableKey = std::string(1, kMetaPrefix) + "f";

// 8 bytes, most significant first (ids and counters in keys and values); and back.
std::string BigEndian(uint64_t v);
uint64_t DecodeBigEndian(std::string_view b);

// Present once an index holds a row for every item that has its keys (written with the index
// by CreateTable, or when a backfill ends); an index without it is backfilled when the store
// opens.
std::string IndexCompleteKey(uint64_t index_id);
// `space` NUL `name`: the in-memory catalog's key, and after kCatalogPrefix the stored one.
std::string CatalogMapKey(std::string_view space, std::string_view name);
std::string CatalogRowKey(std::string_view space, std::string_view name);

std::string EncodeTableInfo(const TableInfo& t);
// *migrated is set when the row predates the length-prefixed namespaces and its namespace was
// converted (the caller rewrites it).
StatusOr<TableInfo> DecodeTableInfo(std::string_view bytes, bool* migrated);

}  // namespace ddbd::storage
