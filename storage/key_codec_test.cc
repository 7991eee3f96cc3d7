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

namespace {

// A tuple of typed scalars compared attribute by attribute in DynamoDB's order.
using Tuple = std::vector<AttributeValue>;

bool TupleLess(const Tuple& a, const Tuple& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (DynamoLess(a[i], b[i])) return true;
    if (DynamoLess(b[i], a[i])) return false;
  }
  return false;
}

std::string EncodeTuple(const Tuple& t) {
  std::string out;
  for (const auto& v : t) AppendTupleScalar(v, &out);
  return out;
}

AttributeValue RandomNumber(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> digit(0, 9), ndigits(1, 6), exp(-5, 5), sign(0, 2);
  std::string text = sign(rng) == 0 ? "-" : "";
  int n = ndigits(rng);
  for (int d = 0; d < n; ++d) text.push_back(static_cast<char>('0' + digit(rng)));
  text += "E" + std::to_string(exp(rng));
  return AttributeValue(*Number::Parse(text));
}

}  // namespace

TEST_CASE("tuple keys sort attribute by attribute in DynamoDB's order and decode back") {
  // Short random values with many shared prefixes and NUL bytes, negative and fractional
  // numbers, non-ASCII strings: the cases where a naive concatenation would mis-order.
  std::mt19937_64 rng(1234);
  std::vector<std::vector<ValueType>> shapes = {{ValueType::kS, ValueType::kN},
                                                {ValueType::kN, ValueType::kS, ValueType::kB},
                                                {ValueType::kB, ValueType::kB},
                                                {ValueType::kN, ValueType::kN, ValueType::kN}};
  for (const auto& shape : shapes) {
    std::vector<Tuple> tuples;
    for (int i = 0; i < 1500; ++i) {
      Tuple t;
      for (ValueType type : shape) {
        if (type == ValueType::kN) {
          t.push_back(RandomNumber(rng));
        } else {
          std::string bytes = RandomBytes(rng, 3);
          if (i % 7 == 0) bytes = "\xc3\xa9" + bytes;  // non-ASCII (é)
          if (type == ValueType::kS) {
            t.emplace_back(bytes);
          } else {
            t.emplace_back(Binary{bytes});
          }
        }
      }
      tuples.push_back(std::move(t));
    }
    auto by_bytes = tuples;
    std::stable_sort(by_bytes.begin(), by_bytes.end(), [](const Tuple& a, const Tuple& b) {
      return EncodeTuple(a) < EncodeTuple(b);
    });
    for (size_t i = 0; i + 1 < by_bytes.size(); ++i) {
      INFO(i);
      CHECK_FALSE(TupleLess(by_bytes[i + 1], by_bytes[i]));
    }
    for (const auto& t : tuples) {
      std::string enc = EncodeTuple(t);
      size_t pos = 0;
      for (size_t k = 0; k < shape.size(); ++k) {
        AttributeValue v;
        REQUIRE(ReadTupleScalar(shape[k], enc, &pos, &v));
        CHECK(v == t[k]);
      }
      CHECK(pos == enc.size());
    }
  }
}

TEST_CASE("a string prefix's tuple form is a prefix of every value that begins with it") {
  for (std::string prefix : {std::string("ab"), std::string("a\0", 2), std::string("")}) {
    for (std::string rest : {std::string(""), std::string("\0z", 2), std::string("q")}) {
      std::string enc;
      AppendTupleScalar(AttributeValue(prefix + rest), &enc);
      CHECK(enc.starts_with(TuplePrefixOf(prefix)));
    }
  }
  CHECK(PrefixSuccessor("ab") == "ac");
  CHECK(PrefixSuccessor(std::string("a\xff", 2)) == "b");
  CHECK(PrefixSuccessor(std::string("\xff", 1)).empty());
}

// The stored form of index rows: a change here would make existing stores' index rows unreadable.
TEST_CASE("tuple and index partition bytes are exactly the stored format") {
  auto tuple = [](const AttributeValue& v) {
    std::string out = "x";  // appends, after what is there
    AppendTupleScalar(v, &out);
    return out.substr(1);
  };
  CHECK(tuple(AttributeValue(std::string("ab"))) == std::string("ab\0\0", 4));
  CHECK(tuple(AttributeValue(std::string("a\0b", 3))) == std::string("a\0\xff"
                                                                     "b\0\0",
                                                                     6));
  CHECK(tuple(AttributeValue(std::string("\0\0", 2))) == std::string("\0\xff\0\xff\0\0", 6));
  CHECK(tuple(AttributeValue(std::string("z\0", 2))) == std::string("z\0\xff\0\0", 5));
  CHECK(tuple(AttributeValue(Binary{std::string("\0", 1)})) == std::string("\0\xff\0\0", 4));
  CHECK(tuple(AttributeValue(std::string())) == std::string("\0\0", 2));

  AttributeValue s(std::string("c-1")), b(Binary{std::string("\0q", 2)});
  std::string t = tuple(s) + tuple(b);
  uint32_t h = 2166136261u;  // FNV-1a of the tuple bytes
  for (unsigned char c : t) h = (h ^ c) * 16777619u;
  std::string expected("\x02\0\0\0\0\0\0\x01\x07", 9);
  for (int i = 3; i >= 0; --i) expected.push_back(static_cast<char>((h >> (8 * i)) & 0xff));
  expected += t;
  CHECK(IndexPartitionPrefix(0x107, {&s, &b}) == expected);
  std::string appended = "row:";
  const AttributeValue* values[] = {&s, &b};
  AppendIndexPartitionPrefix(0x107, values, 2, &appended);
  CHECK(appended == "row:" + expected);
}
