#include "storage/key_codec.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

using namespace ddbd::storage;

namespace {

// DynamoDB's order for scalar key values: S and B by unsigned bytes, N numerically.
bool DynamoLess(const AttributeValue& a, const AttributeValue& b) {
  if (auto* x = a.get_if<Number>()) return *x < *b.get_if<Number>();
  auto bytes = [](const AttributeValue& v) {
    if (auto* s = v.get_if<std::string>()) return *s;
    return v.get_if<Binary>()->bytes;
  };
  std::string x = bytes(a), y = bytes(b);
  return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end(), [](char p, char q) {
    return static_cast<unsigned char>(p) < static_cast<unsigned char>(q);
  });
}

void CheckOrder(std::vector<AttributeValue> values) {
  auto by_dynamo = values;
  std::stable_sort(by_dynamo.begin(), by_dynamo.end(), DynamoLess);
  auto by_bytes = values;
  std::stable_sort(by_bytes.begin(), by_bytes.end(), [](const auto& a, const auto& b) {
    return OrderedScalar(a) < OrderedScalar(b);  // std::string compares as unsigned char
  });
  for (size_t i = 0; i < values.size(); ++i) {
    INFO(i);
    // Equal values may sit in either order; compare by DynamoDB equivalence.
    CHECK_FALSE(DynamoLess(by_dynamo[i], by_bytes[i]));
    CHECK_FALSE(DynamoLess(by_bytes[i], by_dynamo[i]));
  }
}

std::string RandomBytes(std::mt19937_64& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(len(rng), '\0');
  for (auto& c : s) c = static_cast<char>(byte(rng));
  return s;
}

}  // namespace

TEST_CASE("encoded strings and binaries sort by unsigned bytes") {
  std::mt19937_64 rng(42);
  std::vector<AttributeValue> strings, binaries;
  for (int i = 0; i < 2000; ++i) {
    strings.emplace_back(RandomBytes(rng, 6));
    binaries.emplace_back(Binary{RandomBytes(rng, 6)});
  }
  CheckOrder(strings);
  CheckOrder(binaries);
}

TEST_CASE("encoded numbers sort numerically") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> digit(0, 9), ndigits(1, 38), exp(-125, 120), sign(0, 2);
  std::vector<AttributeValue> numbers;
  for (const char* fixed : {"0", "-0", "1", "-1", "0.1", "-0.1", "0.12", "0.123", "-0.12", "-0.123",
                            "99", "100", "-99", "-100", "1E+125", "-1E+125", "1E-130", "-1E-130",
                            "9.9999999999999999999999999999999999999E+125"}) {
    numbers.emplace_back(*Number::Parse(fixed));
  }
  for (int i = 0; i < 3000; ++i) {
    std::string text = sign(rng) == 0 ? "-" : "";
    int n = ndigits(rng);
    for (int d = 0; d < n; ++d) text.push_back(static_cast<char>('0' + digit(rng)));
    text += "E" + std::to_string(exp(rng) % 80);
    auto parsed = Number::Parse(text);
    REQUIRE(parsed.ok());
    numbers.emplace_back(*parsed);
  }
  CheckOrder(numbers);
}

TEST_CASE("ordered scalars decode back") {
  for (const char* text : {"0", "5", "-5", "0.001", "-123.456", "1E+125", "-1E-130"}) {
    AttributeValue v(*Number::Parse(text));
    auto back = DecodeOrderedScalar(ValueType::kN, OrderedScalar(v));
    REQUIRE(back);
    CHECK(*back == v);
  }
  auto s = DecodeOrderedScalar(ValueType::kS, "hello");
  REQUIRE(s);
  CHECK(*s == AttributeValue(std::string("hello")));
}

TEST_CASE("row keys group a partition and order its sort keys") {
  AttributeValue pk(std::string("user#1"));
  std::string prefix = PartitionPrefix(7, pk);
  std::string a = RowKey(7, {pk, AttributeValue(*Number::Parse("-3"))});
  std::string b = RowKey(7, {pk, AttributeValue(*Number::Parse("2"))});
  std::string c = RowKey(7, {pk, AttributeValue(*Number::Parse("10"))});
  CHECK(a.starts_with(prefix));
  CHECK(a < b);
  CHECK(b < c);
  CHECK(TablePrefix(7) <= a);
  CHECK(c < TableEnd(7));
  // "ab" must not fall inside partition "a"'s range: the length prefix separates them.
  CHECK_FALSE(PartitionPrefix(7, AttributeValue(std::string("ab")))
                  .starts_with(PartitionPrefix(7, AttributeValue(std::string("a")))));
}

TEST_CASE("varints round trip and reject truncation") {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 40, ~0ull}) {
    std::string s;
    AppendVarint(v, &s);
    size_t pos = 0;
    uint64_t back = 0;
    REQUIRE(ReadVarint(s, &pos, &back));
    CHECK(back == v);
    CHECK(pos == s.size());
    s.pop_back();
    pos = 0;
    CHECK_FALSE(ReadVarint(s, &pos, &back));
  }
}
