#include "storage/item_codec.h"

#include <catch2/catch.hpp>

#include "storage/key_codec.h"

using namespace ddbd::storage;

namespace {
Item Sample() {
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
}  // namespace

TEST_CASE("items round trip through the codec") {
  Item item = Sample();
  auto back = DecodeItem(EncodeItem(item));
  REQUIRE(back.ok());
  CHECK(*back == item);
  auto empty = DecodeItem(EncodeItem(Item{}));
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("every truncation of an encoded item is rejected, never a crash") {
  std::string bytes = EncodeItem(Sample());
  for (size_t len = 0; len < bytes.size(); ++len) {
    INFO(len);
    CHECK_FALSE(DecodeItem(std::string_view(bytes).substr(0, len)).ok());
  }
  CHECK_FALSE(DecodeItem(bytes + "x").ok());
}

TEST_CASE("corrupted bytes are rejected or decoded, never a crash") {
  std::string bytes = EncodeItem(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int delta : {1, 0x7f, 0x80}) {
      std::string copy = bytes;
      copy[i] = static_cast<char>(copy[i] + delta);
      (void)DecodeItem(copy);  // must simply return
    }
  }
  // A huge count with no data behind it must not allocate the world.
  std::string bomb(1, static_cast<char>(kItemCodecVersion));
  AppendVarint(1ull << 60, &bomb);
  CHECK_FALSE(DecodeItem(bomb).ok());
}

TEST_CASE("item size follows DynamoDB's accounting") {
  Item item;
  item["ab"] = std::string("xyz");  // 2 + 3
  CHECK(ItemSize(item) == 5);
  item["n"] = *Number::Parse("12345");  // 1 + (3 + 1) -> 10
  CHECK(ItemSize(item) == 10);
  item["m"] = AttributeMap{{"k", AttributeValue(true)}};  // 1 + 3 + (1 + 1 + 1)
  CHECK(ItemSize(item) == 17);
  item["l"] = AttributeList{AttributeValue(Null{})};  // 1 + 3 + (1 + 1)
  CHECK(ItemSize(item) == 23);
}
