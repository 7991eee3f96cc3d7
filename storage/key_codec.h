// Order-preserving key encoding. A row key is
//   kRowPrefix | table id (8 bytes, big endian) | hash(partition key) (4 bytes)
//   | varint length + partition key bytes | sort key bytes
// The hash spreads partitions (and gives parallel Scan its segments); within one partition the
// sort key bytes compare as DynamoDB orders sort keys: S and B by unsigned bytes, N numerically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/value.h"

namespace ddbd::storage {

inline constexpr char kRowPrefix = '\x01';
inline constexpr char kMetaPrefix = '\x00';

// Encodes a scalar key value (S, N or B) so that byte order equals DynamoDB's order.
// Precondition: the value is S, N or B.
void AppendOrderedScalar(const AttributeValue& value, std::string* out);
std::string OrderedScalar(const AttributeValue& value);

// Decodes what AppendOrderedScalar wrote for a value of `type`.
std::optional<AttributeValue> DecodeOrderedScalar(ValueType type, std::string_view bytes);

struct PrimaryKey {
  AttributeValue hash;
  std::optional<AttributeValue> range;
};

// The first key of a table's rows, and the first key after them.
std::string TablePrefix(uint64_t table_id);
std::string TableEnd(uint64_t table_id);
// All rows of one partition start with this.
std::string PartitionPrefix(uint64_t table_id, const AttributeValue& hash);
std::string RowKey(uint64_t table_id, const PrimaryKey& key);

// Stable 32-bit hash (FNV-1a) of the partition key's ordered bytes.
uint32_t PartitionHash(std::string_view ordered_hash_key);

void AppendVarint(uint64_t v, std::string* out);
// Reads a varint at *pos; false when the input ends early or the varint is too long.
bool ReadVarint(std::string_view in, size_t* pos, uint64_t* v);

}  // namespace ddbd::storage
