#include "api/expressions/reserved_words.h"

#include <catch2/catch.hpp>
#include <string_view>

namespace ddbd::api::expressions {
namespace {

TEST_CASE("reserved word list has the documented size", "[reserved_words]") {
  // "Reserved words in DynamoDB" lists 573 words, ABORT through ZONE.
  REQUIRE(ReservedWordCount() == 573);
}

TEST_CASE("first and last documented words are reserved", "[reserved_words]") {
  CHECK(IsReservedWord("ABORT"));
  CHECK(IsReservedWord("ABSOLUTE"));
  CHECK(IsReservedWord("YEAR"));
  CHECK(IsReservedWord("ZONE"));
  // Just outside either end of the table.
  CHECK_FALSE(IsReservedWord("A"));
  CHECK_FALSE(IsReservedWord("ZONES"));
  CHECK_FALSE(IsReservedWord("ZZZ"));
}

TEST_CASE("common attribute names that DynamoDB reserves", "[reserved_words]") {
  for (std::string_view word : {"NAME", "STATUS", "DATA", "VALUE", "YEAR", "TIMESTAMP", "USER",
                                "COMMENT", "SIZE", "KEY", "COUNT", "DATE", "TTL", "TYPE", "ITEM"}) {
    INFO(word);
    CHECK(IsReservedWord(word));
  }
}

TEST_CASE("lookup is case-insensitive", "[reserved_words]") {
  CHECK(IsReservedWord("name"));
  CHECK(IsReservedWord("Status"));
  CHECK(IsReservedWord("tImEsTaMp"));
  CHECK(IsReservedWord("localtimestamp"));  // the longest word
  CHECK(IsReservedWord("corresponding"));
}

TEST_CASE("non-words are not reserved", "[reserved_words]") {
  CHECK_FALSE(IsReservedWord("version"));
  CHECK_FALSE(IsReservedWord("pk"));
  CHECK_FALSE(IsReservedWord("first_name"));
  CHECK_FALSE(IsReservedWord("AMZN_MAPPED_version"));
  CHECK_FALSE(IsReservedWord(""));
  CHECK_FALSE(IsReservedWord("NAM"));
  CHECK_FALSE(IsReservedWord("NAMEX"));
  CHECK_FALSE(IsReservedWord("name "));
  CHECK_FALSE(IsReservedWord("LOCALTIMESTAMPS"));  // longer than any reserved word
}

TEST_CASE("neighbouring words are each found (table is sorted and unique)", "[reserved_words]") {
  // The .cc static_asserts strict ordering; these exercise the binary search across runs of
  // words sharing a prefix, where a mis-sorted entry would go missing.
  for (std::string_view word :
       {"AS",         "ASC",      "ASCII",        "ASENSITIVE", "CLUSTER",    "CLUSTERED",
        "CLUSTERING", "CLUSTERS", "INDEX",        "INDEXED",    "INDEXES",    "SQL",
        "SQLCODE",    "SQLERROR", "SQLEXCEPTION", "SQLSTATE",   "SQLWARNING", "VALUE",
        "VALUED",     "VALUES",   "USE",          "USER",       "USERS",      "USING"}) {
    INFO(word);
    CHECK(IsReservedWord(word));
  }
  CHECK_FALSE(IsReservedWord("CLUSTERE"));
  CHECK_FALSE(IsReservedWord("SQLS"));
  CHECK_FALSE(IsReservedWord("VALU"));
}

TEST_CASE("documented misspellings are reserved as written", "[reserved_words]") {
  CHECK(IsReservedWord("FLATTERN"));
  CHECK(IsReservedWord("INNTER"));
  CHECK(IsReservedWord("LOGED"));
}

}  // namespace
}  // namespace ddbd::api::expressions
