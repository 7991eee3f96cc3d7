#include "storage/key_codec.h"

namespace ddbd::storage {
namespace {

void AppendBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Numbers: a sign class byte (1 negative, 2 zero, 3 positive), then for positives the biased
// exponent (2 bytes) and the digit characters; negatives store the complement of both plus a
// 0xff terminator, so that a shorter digit string (a larger negative) sorts after a longer one.
constexpr char kNegative = 1, kZero = 2, kPositive = 3;
constexpr int kExponentBias = 0x8000;

void AppendOrderedNumber(const Number& n, std::string* out) {
  if (n.is_zero()) {
    out->push_back(kZero);
    return;
  }
  uint16_t biased = static_cast<uint16_t>(n.exponent() + kExponentBias);
  if (!n.negative()) {
    out->push_back(kPositive);
    AppendBigEndian(biased, 2, out);
    out->append(n.digits());
  } else {
    out->push_back(kNegative);
    AppendBigEndian(static_cast<uint16_t>(~biased), 2, out);
    for (char d : n.digits())
      out->push_back(static_cast<char>(0xff - static_cast<unsigned char>(d)));
    out->push_back(static_cast<char>(0xff));
  }
}

std::optional<Number> DecodeOrderedNumber(std::string_view in) {
  if (in.empty()) return std::nullopt;
  if (in[0] == kZero) return in.size() == 1 ? std::optional<Number>(Number()) : std::nullopt;
  if (in.size() < 4 || (in[0] != kNegative && in[0] != kPositive)) return std::nullopt;
  bool negative = in[0] == kNegative;
  uint16_t biased = static_cast<uint16_t>((static_cast<unsigned char>(in[1]) << 8) |
                                          static_cast<unsigned char>(in[2]));
  if (negative) biased = static_cast<uint16_t>(~biased);
  std::string digits;
  std::string_view rest = in.substr(3);
  if (negative) {
    if (rest.empty() || static_cast<unsigned char>(rest.back()) != 0xff) return std::nullopt;
    rest.remove_suffix(1);
    for (char c : rest) digits.push_back(static_cast<char>(0xff - static_cast<unsigned char>(c)));
  } else {
    digits = rest;
  }
  if (digits.empty() || digits.size() > Number::kMaxDigits) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (digits.front() == '0' || digits.back() == '0') return std::nullopt;
  return Number::FromParts(negative, std::move(digits), static_cast<int>(biased) - kExponentBias);
}

}  // namespace

void AppendOrderedScalar(const AttributeValue& value, std::string* out) {
  if (auto* s = value.get_if<std::string>()) {
    out->append(*s);
  } else if (auto* b = value.get_if<Binary>()) {
    out->append(b->bytes);
  } else if (auto* n = value.get_if<Number>()) {
    AppendOrderedNumber(*n, out);
  }
}

std::string OrderedScalar(const AttributeValue& value) {
  std::string out;
  AppendOrderedScalar(value, &out);
  return out;
}

std::optional<AttributeValue> DecodeOrderedScalar(ValueType type, std::string_view bytes) {
  switch (type) {
    case ValueType::kS:
      return AttributeValue(std::string(bytes));
    case ValueType::kB:
      return AttributeValue(Binary{std::string(bytes)});
    case ValueType::kN: {
      auto n = DecodeOrderedNumber(bytes);
      if (!n) return std::nullopt;
      return AttributeValue(std::move(*n));
    }
    default:
      return std::nullopt;
  }
}

uint32_t PartitionHash(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string TablePrefix(uint64_t table_id) {
  std::string out(1, kRowPrefix);
  AppendBigEndian(table_id, 8, &out);
  return out;
}

std::string TableEnd(uint64_t table_id) { return TablePrefix(table_id + 1); }

std::string PartitionPrefix(uint64_t table_id, const AttributeValue& hash) {
  std::string hash_bytes = OrderedScalar(hash);
  std::string out = TablePrefix(table_id);
  AppendBigEndian(PartitionHash(hash_bytes), 4, &out);
  AppendVarint(hash_bytes.size(), &out);
  out += hash_bytes;
  return out;
}

std::string RowKey(uint64_t table_id, const PrimaryKey& key) {
  std::string out = PartitionPrefix(table_id, key.hash);
  if (key.range) AppendOrderedScalar(*key.range, &out);
  return out;
}

void AppendTupleScalar(const AttributeValue& value, std::string* out) {
  // Runs without a 0x00 are copied whole; each 0x00 is followed by 0xff.
  auto escaped = [out](std::string_view bytes) {
    out->reserve(out->size() + bytes.size() + 2);
    for (size_t zero; (zero = bytes.find('\0')) != std::string_view::npos;) {
      out->append(bytes.data(), zero + 1);
      out->push_back(static_cast<char>(0xff));
      bytes.remove_prefix(zero + 1);
    }
    out->append(bytes);
    out->append(2, '\0');
  };
  if (auto* s = value.get_if<std::string>()) {
    escaped(*s);
  } else if (auto* b = value.get_if<Binary>()) {
    escaped(b->bytes);
  } else if (auto* n = value.get_if<Number>()) {
    AppendOrderedNumber(*n, out);
    if (!n->is_zero() && !n->negative()) out->push_back('\0');
  }
}

std::string TuplePrefixOf(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    out.push_back(c);
    if (c == '\0') out.push_back(static_cast<char>(0xff));
  }
  return out;
}

bool ReadTupleScalar(ValueType type, std::string_view in, size_t* pos, AttributeValue* out) {
  if (type == ValueType::kS || type == ValueType::kB) {
    std::string bytes;
    while (true) {
      if (*pos >= in.size()) return false;
      char c = in[(*pos)++];
      if (c != '\0') {
        bytes.push_back(c);
        continue;
      }
      if (*pos >= in.size()) return false;
      char next = in[(*pos)++];
      if (next == '\0') break;
      if (static_cast<unsigned char>(next) != 0xff) return false;
      bytes.push_back('\0');
    }
    *out = type == ValueType::kS ? AttributeValue(std::move(bytes))
                                 : AttributeValue(Binary{std::move(bytes)});
    return true;
  }
  if (type != ValueType::kN || *pos >= in.size()) return false;
  size_t start = *pos;
  char cls = in[start];
  size_t end;
  if (cls == kZero) {
    end = start + 1;
  } else if (cls == kPositive) {
    end = in.find('\0', start + 3);  // digits never contain 0x00
    if (end == std::string_view::npos) return false;
  } else if (cls == kNegative) {
    end = start + 3;
    while (end < in.size() && static_cast<unsigned char>(in[end]) != 0xff) ++end;
    if (end >= in.size()) return false;
    ++end;  // include the terminator
  } else {
    return false;
  }
  auto n = DecodeOrderedNumber(in.substr(start, end - start));
  if (!n) return false;
  *out = std::move(*n);
  *pos = cls == kPositive ? end + 1 : end;
  return true;
}

std::string IndexPrefix(uint64_t index_id) {
  std::string out(1, kIndexPrefix);
  AppendBigEndian(index_id, 8, &out);
  return out;
}

std::string IndexEnd(uint64_t index_id) { return IndexPrefix(index_id + 1); }

void AppendIndexPartitionPrefix(uint64_t index_id, const AttributeValue* const* hash, size_t n,
                                std::string* out) {
  out->push_back(kIndexPrefix);
  AppendBigEndian(index_id, 8, out);
  // The tuple is written in place and its hash put in front of it.
  const size_t hash_at = out->size();
  out->append(4, '\0');
  for (size_t i = 0; i < n; ++i) AppendTupleScalar(*hash[i], out);
  std::string hash_bytes;
  AppendBigEndian(PartitionHash(std::string_view(*out).substr(hash_at + 4)), 4, &hash_bytes);
  out->replace(hash_at, 4, hash_bytes);
}

std::string IndexPartitionPrefix(uint64_t index_id,
                                 const std::vector<const AttributeValue*>& hash) {
  std::string out;
  AppendIndexPartitionPrefix(index_id, hash.data(), hash.size(), &out);
  return out;
}

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

std::string TableHashBoundary(uint64_t table_id, uint32_t hash) {
  std::string out = TablePrefix(table_id);
  AppendBigEndian(hash, 4, &out);
  return out;
}

std::string IndexHashBoundary(uint64_t index_id, uint32_t hash) {
  std::string out = IndexPrefix(index_id);
  AppendBigEndian(hash, 4, &out);
  return out;
}

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

}  // namespace ddbd::storage
