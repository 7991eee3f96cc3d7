// Writing JSON: string escaping (the bulk-copy hook in json_values.h) and items written from
// their stored bytes exactly as from the decoded item.
#include "api/wire/json_values.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "api/errors.h"
#include "storage/item_codec.h"
#include "storage/test_items.h"

using namespace ddbd;
using api::wire::JsonWriter;

namespace {

std::string WriteString(const std::string& s) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

// WriteEscaped (the item writer's path) into exactly the room it asks for, followed by guard
// bytes that must stay untouched; quoted like WriteString. Twice: reading nothing past the
// string (room: 6 bytes per byte), and with 16 readable bytes after it that are full of
// characters needing escapes, which must be ignored (room: 16 more).
std::string WriteEscapedString(const std::string& s) {
  std::string results[2];
  for (int readable_after : {0, 16}) {
    std::string in = s + std::string(static_cast<size_t>(readable_after), '"');
    for (int i = 0; i < readable_after; i += 3) in[s.size() + static_cast<size_t>(i)] = '\n';
    const size_t room = s.size() * 6 + (readable_after ? 16 : 0);
    std::string buf(room + 32, '\xAA');
    const char* begin = in.data();
    char* end = api::wire::WriteEscaped(begin, begin + s.size(), buf.data(),
                                        begin + s.size() + readable_after);
    REQUIRE(end >= buf.data());
    REQUIRE(static_cast<size_t>(end - buf.data()) <= room);
    REQUIRE(buf.substr(room) == std::string(32, '\xAA'));
    results[readable_after ? 1 : 0] = "\"" + std::string(buf.data(), end) + "\"";
  }
  REQUIRE(results[0] == results[1]);
  return results[0];
}

// JSON's escaping (RFC 8259 section 7) as RapidJSON spells it: \" \\ \b \f \n \r \t, other
// control characters as \u00XX with upper-case hex; everything else, UTF-8 included, as is.
std::string Reference(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04X", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

TEST_CASE("strings are escaped exactly wherever the special characters fall") {
  // Every character that needs escaping, and neighbours that do not, at every offset of strings
  // around the 8- and 16-byte steps, so each lands in the bulk scans and in the tail; through
  // RapidJSON's writer (the bulk-copy hook) and through WriteEscaped (the item writer).
  std::string specials = std::string("\"\\\x00\x01\x08\x09\x0a\x0c\x0d\x1f", 10);
  std::string plain = " !#[]~\x7f\xc3\xa9";  // 0x20, 0x21, 0x23, '[', ']', '~', DEL, é
  for (size_t len : {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 64, 150}) {
    for (size_t pos = 0; pos < std::max<size_t>(len, 1); ++pos) {
      for (char c : specials + plain) {
        std::string s(len, 'x');
        if (len > 0) s[pos] = c;
        INFO("len " << len << " pos " << pos << " char " << static_cast<int>(c));
        REQUIRE(WriteString(s) == Reference(s));
        REQUIRE(WriteEscapedString(s) == Reference(s));
      }
    }
  }
  std::mt19937 rng(11);
  for (int round = 0; round < 4000; ++round) {
    std::string s(rng() % 80, ' ');
    // Mostly plain text with a sprinkling of specials, or anything at all (all 256 byte values).
    const bool any = round % 2;
    for (auto& c : s)
      c = static_cast<char>(any ? rng() % 256 : (rng() % 16 ? 'a' + rng() % 26 : rng() % 64));
    REQUIRE(WriteString(s) == Reference(s));
    REQUIRE(WriteEscapedString(s) == Reference(s));
  }
}

TEST_CASE("an item written from its stored bytes is the item written decoded") {
  auto write = [](auto&& fn) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    fn(w);
    return std::string(buf.GetString(), buf.GetSize());
  };
  std::mt19937 rng(5);
  // Half the items with plain strings only (stored as codec version 3: copied unscanned), half
  // with names that need escapes and random text.
  int plain = 0;
  for (int round = 0; round < 600; ++round) {
    storage::Item item = round == 0 ? storage::SampleItem() : storage::Item{};
    const bool plain_text = round % 2 == 1;
    for (int i = static_cast<int>(rng() % 6); round > 0 && i > 0; --i) {
      item[(plain_text ? "a " : "a\"\n") + std::to_string(i)] =
          storage::RandomValue(rng, 1, plain_text);
    }
    std::string bytes = storage::EncodeItem(item);
    plain += storage::HasOnlyPlainStrings(bytes);
    std::string from_bytes = write([&](JsonWriter& w) { api::wire::WriteEncodedItem(bytes, w); });
    std::string decoded = write([&](JsonWriter& w) { api::wire::WriteAttributeMap(item, w); });
    REQUIRE(from_bytes == decoded);
  }
  CHECK(plain >= 300);
  // As deep as the codec reads (64 levels below the item), alternating maps and lists.
  storage::AttributeValue deep(std::string("leaf"));
  for (int level = 0; level < 64; ++level) {
    if (level % 2) {
      deep = storage::AttributeMap{{"m", std::move(deep)}};
    } else {
      deep = storage::AttributeList{std::move(deep), storage::AttributeValue(true)};
    }
  }
  storage::Item deep_item{{"d", std::move(deep)}};
  // The item whose JSON is largest for its stored size (NULLs, BOOLs, empty containers, control
  // characters, one-byte names): written into exactly the room WriteEncodedItem reserves (the
  // ASan build catches a write past it).
  storage::AttributeList dense;
  for (int i = 0; i < 300; ++i) {
    dense.push_back(storage::AttributeValue(storage::Null{}));
    dense.push_back(storage::AttributeValue(false));
    dense.push_back(storage::AttributeValue(std::string("\x01\x1f")));
    dense.push_back(storage::AttributeValue(storage::AttributeList{}));
    dense.push_back(storage::AttributeValue(storage::AttributeMap{}));
  }
  storage::Item dense_item{{"\x02", std::move(dense)},
                           {"\"", storage::AttributeValue(storage::Null{})}};
  std::string dense_bytes = storage::EncodeItem(dense_item);
  CHECK(write([&](JsonWriter& w) { api::wire::WriteEncodedItem(dense_bytes, w); }) ==
        write([&](JsonWriter& w) { api::wire::WriteAttributeMap(dense_item, w); }));
  std::string deep_bytes = storage::EncodeItem(deep_item);
  CHECK(write([&](JsonWriter& w) { api::wire::WriteEncodedItem(deep_bytes, w); }) ==
        write([&](JsonWriter& w) { api::wire::WriteAttributeMap(deep_item, w); }));

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  std::string bytes = storage::EncodeItem(storage::SampleItem());
  CHECK_THROWS(api::wire::WriteEncodedItem(std::string_view(bytes).substr(0, bytes.size() - 1), w));
}

namespace {
// Accepts every part: WalkItem's own checks decide whether bytes are a well-formed item.
struct AcceptAll final : storage::ItemVisitor {
  void BeginMap(size_t) override {}
  void Name(std::string_view) override {}
  void EndMap() override {}
  void BeginList(size_t) override {}
  void EndList() override {}
  void BeginSet(storage::ValueType, size_t) override {}
  void EndSet() override {}
  void Scalar(storage::ValueType, std::string_view) override {}
  void Null() override {}
  void Bool(bool) override {}
};
}  // namespace

TEST_CASE("damaged stored bytes are refused exactly when the storage walk refuses them") {
  // Every truncation and many single-byte changes of random items: WriteEncodedItem reads the
  // codec itself, so it must accept what storage::WalkItem accepts and throw (an internal error,
  // never a read past the bytes; the ASan build checks) for the rest.
  std::mt19937 rng(23);
  int refused = 0;
  for (int round = 0; round < 300; ++round) {
    storage::Item item;
    for (int i = 1 + static_cast<int>(rng() % 4); i > 0; --i) {
      item["k" + std::to_string(i)] = storage::RandomValue(rng);
    }
    std::string bytes = storage::EncodeItem(item);
    std::vector<std::string> damaged;
    for (size_t len = 0; len < bytes.size(); len += 1 + rng() % 3)
      damaged.push_back(bytes.substr(0, len));
    for (int i = 0; i < 20; ++i) {
      std::string b = bytes;
      b[rng() % b.size()] = static_cast<char>(rng() % 256);
      damaged.push_back(b);
    }
    for (const auto& b : damaged) {
      // A separate copy, so a read past its end is a heap overflow ASan reports.
      std::unique_ptr<char[]> copy(new char[b.size() + 1]);
      std::memcpy(copy.get(), b.data(), b.size());
      std::string_view view(copy.get(), b.size());
      AcceptAll accept;
      const bool walk_ok = storage::WalkItem(view, accept).ok();
      rapidjson::StringBuffer out;
      JsonWriter w(out);
      bool write_ok = true;
      try {
        api::wire::WriteEncodedItem(view, w);
      } catch (const api::ApiError& e) {
        write_ok = false;
        CHECK(e.http_status() == 500);
      }
      INFO("round " << round << " size " << b.size());
      REQUIRE(write_ok == walk_ok);
      refused += !write_ok;
    }
  }
  CHECK(refused > 1000);
}
