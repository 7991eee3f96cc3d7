// Items for tests: one with every type, and random ones (every type, nesting, binary and
// non-ASCII text, numbers of every shape).
#pragma once

#include <random>
#include <string>

#include "storage/item_codec.h"
#include "storage/value.h"

namespace ddbd::storage {

inline Item SampleItem() {
  Item item;
  item["s"] = std::string("héllo");
  item["empty"] = std::string();
  item["n"] = *Number::Parse("-12.5e3");
  item["b"] = Binary{std::string("\x00\xff\x10", 3)};
  item["ss"] = StringSet{{"a", "b"}};
  item["ns"] = NumberSet{{*Number::Parse("1"), *Number::Parse("2.5")}};
  item["bs"] = BinarySet{{std::string("\x01", 1), std::string("\x02", 1)}};
  item["null"] = Null{};
  item["t"] = true;
  item["f"] = false;
  AttributeMap inner;
  inner["list"] = AttributeList{AttributeValue(std::string("x")), AttributeValue(AttributeMap{}),
                                AttributeValue(AttributeList{})};
  item["m"] = std::move(inner);
  return item;
}

// plain: every string (and name) without control characters, '"' or '\\' (PlainString).
inline AttributeValue RandomValue(std::mt19937& rng, int depth = 1, bool plain = false) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto text = [&]() {
    std::string s(static_cast<size_t>(pick(12)), 'a');
    for (auto& c : s) {
      c = static_cast<char>(pick(256));
      while (plain && !PlainByte(static_cast<unsigned char>(c))) c = static_cast<char>(pick(256));
    }
    return s;
  };
  auto number = [&]() {
    static const char* kNumbers[] = {
        "0",       "1",     "-1",    "1500",    "0.05",
        "-12.5e3", "100.5", "1e125", "-1e-130", "12345678901234567890.5"};
    return *Number::Parse(kNumbers[pick(10)]);
  };
  switch (pick(depth > 3 ? 7 : 9)) {
    case 0:
      return text();
    case 1:
      return number();
    case 2:
      return Binary{text()};
    case 3:
      return StringSet{{text() + "1", text() + "2"}};
    case 4:
      return NumberSet{{number()}};
    case 5:
      return BinarySet{{text()}};
    case 6:
      return pick(2) ? AttributeValue(Null{}) : AttributeValue(pick(2) == 1);
    case 7: {
      AttributeMap m;
      for (int i = pick(4); i > 0; --i) m[text()] = RandomValue(rng, depth + 1, plain);
      return m;
    }
    default: {
      AttributeList l;
      for (int i = pick(4); i > 0; --i) l.push_back(RandomValue(rng, depth + 1, plain));
      return l;
    }
  }
}

}  // namespace ddbd::storage
