#include "storage/number.h"

#include <catch2/catch.hpp>

using ddbd::storage::Number;

namespace {
std::string Canon(const char* text) {
  auto n = Number::Parse(text);
  REQUIRE(n.ok());
  return n->ToString();
}
std::string ParseError(const char* text) {
  auto n = Number::Parse(text);
  REQUIRE_FALSE(n.ok());
  return n.status().message();
}
Number N(const char* text) {
  auto n = Number::Parse(text);
  REQUIRE(n.ok());
  return *n;
}
}  // namespace

TEST_CASE("numbers come back in canonical form") {
  CHECK(Canon("00042") == "42");
  CHECK(Canon("1.50") == "1.5");
  CHECK(Canon("-0") == "0");
  CHECK(Canon("-0.000") == "0");
  CHECK(Canon("+7") == "7");
  CHECK(Canon(".5") == "0.5");
  CHECK(Canon("5.") == "5");
  CHECK(Canon("1e3") == "1000");
  CHECK(Canon("1.25E-2") == "0.0125");
  CHECK(Canon("-123.4500e1") == "-1234.5");
  CHECK(Canon("12345678901234567890123456789012345678") ==
        "12345678901234567890123456789012345678");
  CHECK(Canon("1E+125").size() == 126);
  CHECK(Canon("1E-130") == "0." + std::string(129, '0') + "1");
}

TEST_CASE("malformed numbers are rejected") {
  for (const char* bad : {"", "-", "+", ".", "abc", "1e", "1e+", "1.2.3", "1 ", " 1", "0x10",
                          "1e5.5", "--1", "NaN", "Infinity"}) {
    INFO(bad);
    CHECK(ParseError(bad) == Number::kNotANumber);
  }
}

TEST_CASE("number limits are DynamoDB's") {
  CHECK(ParseError("123456789012345678901234567890123456789") == Number::kTooManyDigits);
  // Trailing zeros are not significant, leading zeros neither.
  CHECK(Canon("1234567890123456789012345678901234567800000") ==
        "1234567890123456789012345678901234567800000");
  CHECK(Canon("0000.12345678901234567890123456789012345678") ==
        "0.12345678901234567890123456789012345678");
  CHECK(Canon("9.9999999999999999999999999999999999999E+125").size() == 126);
  CHECK(ParseError("1E+126") == Number::kOverflow);
  CHECK(ParseError("-1E+126") == Number::kOverflow);
  CHECK(ParseError("1E-131") == Number::kUnderflow);
  CHECK(ParseError("0.9E-130") == Number::kUnderflow);
  CHECK(Canon("0E+999") == "0");
  CHECK(ParseError("1E+99999999999999") == Number::kOverflow);
}

TEST_CASE("numbers compare numerically") {
  CHECK(N("1") < N("2"));
  CHECK(N("-2") < N("-1"));
  CHECK(N("-1") < N("0"));
  CHECK(N("0") < N("0.0001"));
  CHECK(N("0.12") < N("0.123"));
  CHECK(N("-0.123") < N("-0.12"));
  CHECK(N("99") < N("100"));
  CHECK(N("1.0") == N("1"));
  CHECK(N("1e2") == N("100"));
  CHECK((N("-5") <=> N("-5")) == std::strong_ordering::equal);
}

TEST_CASE("addition and subtraction are exact") {
  auto add = [](const char* a, const char* b) {
    auto r = Number::Add(N(a), N(b));
    REQUIRE(r.ok());
    return r->ToString();
  };
  auto sub = [](const char* a, const char* b) {
    auto r = Number::Subtract(N(a), N(b));
    REQUIRE(r.ok());
    return r->ToString();
  };
  CHECK(add("1", "2") == "3");
  CHECK(add("0.1", "0.2") == "0.3");
  CHECK(add("999", "1") == "1000");
  CHECK(add("-5", "3") == "-2");
  CHECK(add("5", "-5") == "0");
  CHECK(add("1e20", "1e-5") == "100000000000000000000.00001");
  CHECK(sub("1", "0.001") == "0.999");
  CHECK(sub("-1", "1") == "-2");
  CHECK(sub("0", "7") == "-7");
  CHECK(add("12345678901234567890123456789012345678", "0") ==
        "12345678901234567890123456789012345678");
  auto too_precise = Number::Add(N("12345678901234567890123456789012345678"), N("0.1"));
  REQUIRE_FALSE(too_precise.ok());
  CHECK(too_precise.status().message() == Number::kTooManyDigits);
  auto overflow = Number::Add(N("9.9999999999999999999999999999999999999E+125"),
                              N("0.0000000000000000000000000000000000001E+125"));
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.status().message() == Number::kOverflow);
}

TEST_CASE("storage size counts significant digits") {
  CHECK(N("1").StorageSize() == 2);
  CHECK(N("12").StorageSize() == 2);
  CHECK(N("123").StorageSize() == 3);
  CHECK(N("1000000").StorageSize() == 2);
}
