#include "storage/item_codec.h"

#include <catch2/catch.hpp>
#include <random>

#include "storage/key_codec.h"
#include "storage/test_items.h"

using namespace ddbd::storage;

TEST_CASE("items round trip through the codec") {
  Item item = SampleItem();
  auto back = DecodeItem(EncodeItem(item));
  REQUIRE(back.ok());
  CHECK(*back == item);
  auto empty = DecodeItem(EncodeItem(Item{}));
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("every truncation of an encoded item is rejected, never a crash") {
  std::string bytes = EncodeItem(SampleItem());
  for (size_t len = 0; len < bytes.size(); ++len) {
    INFO(len);
    CHECK_FALSE(DecodeItem(std::string_view(bytes).substr(0, len)).ok());
  }
  CHECK_FALSE(DecodeItem(bytes + "x").ok());
}

TEST_CASE("corrupted bytes are rejected or decoded, never a crash") {
  std::string bytes = EncodeItem(SampleItem());
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

namespace {
// Reference for version 3: every name at any depth, S value and SS member plain.
bool AllPlain(const AttributeValue& v);
bool AllPlain(const AttributeMap& m) {
  for (const auto& [name, value] : m) {
    if (!PlainString(name) || !AllPlain(value)) return false;
  }
  return true;
}
bool AllPlain(const AttributeValue& v) {
  if (auto s = v.get_if<std::string>()) return PlainString(*s);
  if (auto ss = v.get_if<StringSet>()) {
    for (const auto& m : ss->members) {
      if (!PlainString(m)) return false;
    }
  }
  if (auto m = v.get_if<AttributeMap>()) return AllPlain(*m);
  if (auto l = v.get_if<AttributeList>()) {
    for (const auto& e : *l) {
      if (!AllPlain(e)) return false;
    }
  }
  return true;  // N, B, BS, NULL, BOOL hold no text JSON escapes
}
}  // namespace

TEST_CASE("an item whose strings are all plain is stored as version 3, the others as 2") {
  auto version = [](const Item& item) {
    std::string bytes = EncodeItem(item);
    auto back = DecodeItem(bytes);
    REQUIRE(back.ok());
    CHECK(*back == item);
    CHECK(HasOnlyPlainStrings(bytes) == (bytes[0] == 3));
    return static_cast<int>(bytes[0]);
  };
  CHECK(version(Item{}) == 3);
  CHECK(version({{"a", std::string("x y \x7f \xc3\xa9")}, {"n", *Number::Parse("-1.5")}}) == 3);
  // Binary bytes and numbers are not JSON text: any bytes there keep version 3.
  CHECK(version({{"b", Binary{std::string("\"\\\x01", 3)}}, {"bs", BinarySet{{"\""}}}}) == 3);
  CHECK(version({{"a\"", std::string("x")}}) == 2);
  CHECK(version({{"a", std::string("line\n")}}) == 2);
  CHECK(version({{"a", StringSet{{"ok", "back\\slash"}}}}) == 2);
  CHECK(version({{"m", AttributeMap{{std::string("\x01", 1), Null{}}}}}) == 2);
  CHECK(version({{"l", AttributeList{true, std::string("\"")}}}) == 2);
  std::mt19937 rng(31);
  int plain = 0;
  for (int round = 0; round < 400; ++round) {
    Item item;
    for (int i = static_cast<int>(rng() % 5); i > 0; --i) {
      item["k" + std::to_string(i)] = RandomValue(rng, 1, round % 2 == 0);
    }
    std::string bytes = EncodeItem(item);
    REQUIRE(HasOnlyPlainStrings(bytes) == AllPlain(item));
    REQUIRE(*DecodeItem(bytes) == item);
    plain += HasOnlyPlainStrings(bytes);
  }
  CHECK(plain > 150);
  CHECK(400 - plain > 50);  // and many that are not
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

namespace {

// Rebuilds an item from WalkItem's calls, to check that the walk reports exactly what is stored.
class Rebuild final : public ItemVisitor {
 public:
  Item result;
  void BeginMap(size_t) override { Open(AttributeMap{}); }
  void Name(std::string_view name) override { names_.back() = std::string(name); }
  void EndMap() override { Close(); }
  void BeginList(size_t) override { Open(AttributeList{}); }
  void EndList() override { Close(); }
  void BeginSet(ValueType type, size_t) override {
    if (type == ValueType::kSS) Open(StringSet{});
    if (type == ValueType::kNS) Open(NumberSet{});
    if (type == ValueType::kBS) Open(BinarySet{});
  }
  void EndSet() override { Close(); }
  void Scalar(ValueType type, std::string_view bytes) override {
    AttributeValue& top = open_.back();
    if (auto* ss = top.get_if<StringSet>()) {
      ss->members.emplace_back(bytes);
    } else if (auto* bs = top.get_if<BinarySet>()) {
      bs->members.emplace_back(bytes);
    } else if (auto* ns = top.get_if<NumberSet>()) {
      ns->members.push_back(*Number::Parse(bytes));
    } else if (type == ValueType::kS) {
      Add(std::string(bytes));
    } else if (type == ValueType::kN) {
      Add(*Number::Parse(bytes));
    } else {
      Add(Binary{std::string(bytes)});
    }
  }
  void Null() override { Add(ddbd::storage::Null{}); }
  void Bool(bool b) override { Add(b); }

 private:
  void Open(AttributeValue v) {
    open_.push_back(std::move(v));
    names_.emplace_back();
  }
  void Close() {
    AttributeValue v = std::move(open_.back());
    open_.pop_back();
    names_.pop_back();
    if (open_.empty()) {
      result = std::move(*v.get_if<AttributeMap>());
    } else {
      Add(std::move(v));
    }
  }
  void Add(AttributeValue v) {
    AttributeValue& top = open_.back();
    if (auto* m = top.get_if<AttributeMap>()) {
      m->emplace(names_.back(), std::move(v));
    } else {
      top.get_if<AttributeList>()->push_back(std::move(v));
    }
  }
  std::vector<AttributeValue> open_;
  std::vector<std::string> names_;
};

}  // namespace

TEST_CASE("walking an encoded item reports what is stored and measures it as ItemSize does") {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    Item item = round == 0 ? SampleItem() : Item{};
    for (int i = static_cast<int>(rng() % 6); round > 0 && i > 0; --i) {
      item["a" + std::to_string(i)] = RandomValue(rng);
    }
    std::string bytes = EncodeItem(item);
    CHECK(EncodeItem(item, ItemSize(item)) == bytes);
    Rebuild rebuilt;
    REQUIRE(WalkItem(bytes, rebuilt).ok());
    CHECK(rebuilt.result == item);
    auto size = EncodedItemSize(bytes);
    REQUIRE(size.ok());
    CHECK(*size == ItemSize(item));
    // The same item as version 1 wrote it (no stored size): read, walked and measured alike.
    size_t pos = 0;
    uint64_t stored = 0;
    bool has_size = false;
    REQUIRE(ReadItemHeader(bytes, &pos, &stored, &has_size));
    CHECK((has_size && stored == ItemSize(item)));
    std::string v1 = "\x01" + bytes.substr(pos);
    CHECK(*DecodeItem(v1) == item);
    Rebuild rebuilt_v1;
    REQUIRE(WalkItem(v1, rebuilt_v1).ok());
    CHECK(rebuilt_v1.result == item);
    CHECK(*EncodedItemSize(v1) == ItemSize(item));
  }
  std::string bytes = EncodeItem(SampleItem());
  size_t pos = 0;
  uint64_t stored = 0;
  bool has_size = false;
  REQUIRE(ReadItemHeader(bytes, &pos, &stored, &has_size));
  std::string v1 = "\x01" + bytes.substr(pos);
  REQUIRE(DecodeItem(v1).ok());
  for (const std::string& b : {bytes, v1}) {
    Rebuild sink;
    for (size_t len = 0; len < b.size(); ++len) {
      INFO(len);
      CHECK_FALSE(WalkItem(std::string_view(b).substr(0, len), sink).ok());
    }
    CHECK_FALSE(WalkItem(b + "x", sink).ok());
  }
  CHECK_FALSE(EncodedItemSize(std::string_view(v1).substr(0, v1.size() - 1)).ok());
  CHECK_FALSE(EncodedItemSize("").ok());
  CHECK_FALSE(EncodedItemSize("\x03").ok());
}
