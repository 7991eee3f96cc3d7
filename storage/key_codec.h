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
#include <vector>

#include "storage/value.h"

namespace ddbd::storage {

inline constexpr char kRowPrefix = '\x01';
inline constexpr char kMetaPrefix = '\x00';
// Secondary-index rows: kIndexPrefix | index id (8 bytes) | hash(index partition key) (4 bytes)
//   | tuple(index partition key attributes) | tuple(index sort key attributes)
//   | tuple(table primary key)  →  the projected item.
inline constexpr char kIndexPrefix = '\x02';

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

// Tuples: each value encoded so that it is self-delimiting and byte order is DynamoDB's order,
// attribute by attribute. S and B: bytes with 0x00 escaped as 00 FF, then 00 00; N: the ordered
// number, positives terminated by 00 (below any digit).
void AppendTupleScalar(const AttributeValue& value, std::string* out);
// The encoding of a string or binary prefix without its terminator: every S/B value that starts
// with `prefix` has an encoding that starts with this (begins_with on a tuple attribute).
std::string TuplePrefixOf(std::string_view prefix);
// Decodes one tuple value of `type` at *pos; false on malformed input.
bool ReadTupleScalar(ValueType type, std::string_view in, size_t* pos, AttributeValue* out);

std::string IndexPrefix(uint64_t index_id);
std::string IndexEnd(uint64_t index_id);
// All rows of one index partition start with this.
std::string IndexPartitionPrefix(uint64_t index_id, const std::vector<const AttributeValue*>& hash);
// The same appended to *out, from the n values at `hash`.
void AppendIndexPartitionPrefix(uint64_t index_id, const AttributeValue* const* hash, size_t n,
                                std::string* out);

// The smallest string greater than every string that starts with `prefix` ("" if none).
std::string PrefixSuccessor(std::string prefix);

// The first row key of the partitions whose hash is >= `hash` (parallel Scan segments).
std::string TableHashBoundary(uint64_t table_id, uint32_t hash);
std::string IndexHashBoundary(uint64_t index_id, uint32_t hash);

// Stable 32-bit hash (FNV-1a) of the partition key's ordered bytes.
uint32_t PartitionHash(std::string_view ordered_hash_key);

void AppendVarint(uint64_t v, std::string* out);
// Reads a varint at *pos; false when the input ends early or the varint is too long.
inline bool ReadVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= in.size()) return false;
    auto byte = static_cast<unsigned char>(in[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace ddbd::storage
