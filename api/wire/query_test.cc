// Range planning for Query, checked against a reference: for random items and random key
// conditions (every operator, on S, N and B sort keys, on the table and on an index, forward and
// backward), the items a Query returns must be exactly those a brute-force filter of all items
// selects, in DynamoDB's order.
#include <rapidjson/document.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "api/wire/test_harness.h"

using namespace ddbd::api::wire;

namespace {

struct Row {
  std::string pk;
  std::string sort_text;  // the sort value as sent (N: decimal text, S/B: the string)
};

std::string Av(const std::string& type, const std::string& v) {
  return R"({")" + type + R"(":")" + v + R"("})";
}

std::string Base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += "=";
  }
  return out;
}

// DynamoDB's order of two sort values of `type`.
int Compare(const std::string& type, const std::string& a, const std::string& b) {
  if (type == "N") {
    double x = std::stod(a), y = std::stod(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  int c = a.compare(b);  // unsigned bytes
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

TEST_CASE("Query ranges select exactly what a brute-force filter selects, in order") {
  std::mt19937 rng(2026);
  for (std::string type : {"N", "S", "B"}) {
    for (bool on_index : {false, true}) {
      Harness h;
      std::string sort_attr = on_index ? "isk" : "sk";
      std::string create =
          R"({"TableName":"rng","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
          R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":")" +
          type +
          R"("},{"AttributeName":"ipk","AttributeType":"S"},{"AttributeName":"isk","AttributeType":")" +
          type +
          R"("}],"GlobalSecondaryIndexes":[{"IndexName":"by_i","KeySchema":[{"AttributeName":"ipk","KeyType":"HASH"},{"AttributeName":"isk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]})";
      h.Ok("CreateTable", create);
      std::vector<Row> rows;
      std::uniform_int_distribution<int> small(0, 40), letter(0, 5);
      for (int i = 0; i < 120; ++i) {
        std::string v;
        if (type == "N") {
          v = std::to_string(small(rng) - 20) + (i % 3 ? "" : ".5");
        } else {
          for (int k = 0, n = 1 + letter(rng) % 3; k < n; ++k)
            v += static_cast<char>('a' + letter(rng));
          if (i % 7 == 0) v += "\xc3\xa9";  // non-ASCII sorts after ASCII (by UTF-8 bytes)
        }
        std::string pk = "p" + std::to_string(i % 3);
        bool dup = false;
        for (const auto& r : rows) dup |= r.pk == pk && r.sort_text == v;  // one item per table key
        if (dup) continue;
        std::string enc = type == "B" ? Base64(v) : v;
        std::string item = R"({"pk":{"S":")" + pk + R"("},"sk":)" + Av(type, enc) +
                           R"(,"ipk":{"S":")" + pk + R"("},"isk":)" + Av(type, enc) +
                           R"(,"n":{"N":")" + std::to_string(i) + R"("}})";
        h.Ok("PutItem", R"({"TableName":"rng","Item":)" + item + "}");
        rows.push_back({pk, v});
      }
      struct Op {
        const char* text;
        int arity;
      };
      for (Op op : {Op{"=", 1}, Op{"<", 1}, Op{"<=", 1}, Op{">", 1}, Op{">=", 1}, Op{"BETWEEN", 2},
                    Op{"begins_with", 1}}) {
        if (std::string(op.text) == "begins_with" && type == "N") continue;
        for (int trial = 0; trial < 6; ++trial) {
          const Row& a = rows[rng() % rows.size()];
          const Row& b = rows[rng() % rows.size()];
          std::string lo = a.sort_text, hi = b.sort_text;
          if (Compare(type, lo, hi) > 0) std::swap(lo, hi);
          if (std::string(op.text) == "begins_with") lo = lo.substr(0, 1);
          std::string pk = "p" + std::to_string(trial % 3);
          std::string cond = std::string(on_index ? "ipk" : "pk") + " = :p AND ";
          std::string op_s = op.text;
          if (op_s == "BETWEEN") {
            cond += sort_attr + " BETWEEN :a AND :b";
          } else if (op_s == "begins_with") {
            cond += "begins_with(" + sort_attr + ", :a)";
          } else {
            cond += sort_attr + " " + op_s + " :a";
          }
          bool forward = trial % 2 == 0;
          std::string enc_lo = type == "B" ? Base64(lo) : lo,
                      enc_hi = type == "B" ? Base64(hi) : hi;
          std::string values = R"({":p":{"S":")" + pk + R"("},":a":)" + Av(type, enc_lo) +
                               (op.arity == 2 ? R"(,":b":)" + Av(type, enc_hi) : "") + "}";
          std::string request =
              R"({"TableName":"rng",)" + std::string(on_index ? R"("IndexName":"by_i",)" : "") +
              R"("KeyConditionExpression":")" + cond + R"(","ExpressionAttributeValues":)" +
              values + R"(,"ScanIndexForward":)" + (forward ? "true" : "false") + "}";
          auto doc = h.Ok("Query", request);
          std::vector<std::string> got;
          for (const auto& item : doc["Items"].GetArray()) {
            got.push_back(item[sort_attr.c_str()][type.c_str()].GetString());
          }
          std::vector<std::string> want;
          for (const auto& r : rows) {
            if (r.pk != pk) continue;
            int c = Compare(type, r.sort_text, lo);
            bool keep = op_s == "="         ? c == 0
                        : op_s == "<"       ? c < 0
                        : op_s == "<="      ? c <= 0
                        : op_s == ">"       ? c > 0
                        : op_s == ">="      ? c >= 0
                        : op_s == "BETWEEN" ? c >= 0 && Compare(type, r.sort_text, hi) <= 0
                                            : r.sort_text.starts_with(lo);
            if (keep) want.push_back(r.sort_text);
          }
          std::stable_sort(
              want.begin(), want.end(),
              [&](const std::string& x, const std::string& y) { return Compare(type, x, y) < 0; });
          if (!forward) std::reverse(want.begin(), want.end());
          // Responses carry canonical numbers and base64 binaries: compare in the same form.
          for (auto& w : want) {
            if (type == "B") w = Base64(w);
            if (type == "N") {
              double d = std::stod(w);
              char buf[32];
              std::snprintf(buf, sizeof buf, "%g", d);
              w = buf;
            }
          }
          INFO(type << (on_index ? " index " : " table ") << request);
          REQUIRE(got.size() == want.size());
          for (size_t i = 0; i < got.size(); ++i) {
            if (type == "N") {
              CHECK(std::stod(got[i]) == std::stod(want[i]));
            } else {
              CHECK(got[i] == want[i]);
            }
          }
        }
      }
    }
  }
}
