#include "storage/store.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

using namespace ddbd::storage;

namespace {

std::unique_ptr<Store> OpenMemory() {
  auto store = Store::Open(StoreOptions{});
  REQUIRE(store.ok());
  return std::move(store).value();
}

TableInfo HashTable(const std::string& name) {
  TableInfo info;
  info.space = "test";
  info.name = name;
  info.hash = {"pk", ValueType::kS};
  return info;
}

PrimaryKey Key(const std::string& pk) { return {AttributeValue(pk), std::nullopt}; }

int64_t Counter(const Item& item) {
  auto it = item.find("n");
  if (it == item.end()) return 0;
  return std::stoll(it->second.get_if<Number>()->ToString());
}

Item WithCounter(const std::string& pk, int64_t n) {
  Item item;
  item["pk"] = pk;
  item["n"] = *Number::Parse(std::to_string(n));
  return item;
}

}  // namespace

TEST_CASE("tables are created, listed, found and dropped") {
  auto store = OpenMemory();
  auto a = store->CreateTable(HashTable("beta"));
  REQUIRE(a.ok());
  REQUIRE(store->CreateTable(HashTable("alpha")).ok());
  auto dup = store->CreateTable(HashTable("alpha"));
  CHECK(dup.status().code() == Status::Code::kAlreadyExists);
  CHECK(store->ListTables("test") == std::vector<std::string>{"alpha", "beta"});
  CHECK(store->ListTables("other").empty());
  CHECK(store->FindTable("test", "beta") == *a);
  CHECK(store->FindTable("other", "beta") == nullptr);
  REQUIRE(store->DeleteTable("test", "beta").ok());
  CHECK(store->DeleteTable("test", "beta").status().code() == Status::Code::kNotFound);
  CHECK(store->ListTables("test") == std::vector<std::string>{"alpha"});
}

TEST_CASE("a re-created table never sees the old rows") {
  auto store = OpenMemory();
  auto first = *store->CreateTable(HashTable("t"));
  auto put = store->Mutate(*first, Key("k"),
                           [](const Item*) { return Decision::Put(WithCounter("k", 1)); });
  REQUIRE(put.ok());
  REQUIRE(store->DeleteTable("test", "t").ok());
  auto second = *store->CreateTable(HashTable("t"));
  CHECK(second->info().id != first->info().id);
  auto got = store->Get(*second, Key("k"));
  REQUIRE(got.ok());
  CHECK_FALSE(got->has_value());
  CHECK(second->item_count() == 0);
}

TEST_CASE("mutate reports the old item and keeps counts") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("t"));
  auto r1 = store->Mutate(*t, Key("a"), [](const Item* cur) {
    CHECK(cur == nullptr);
    return Decision::Put(WithCounter("a", 1));
  });
  REQUIRE(r1.ok());
  CHECK_FALSE(r1->old_item);
  CHECK(t->item_count() == 1);
  auto r2 = store->Mutate(*t, Key("a"), [](const Item* cur) {
    REQUIRE(cur != nullptr);
    return Decision::Put(WithCounter("a", Counter(*cur) + 1));
  });
  REQUIRE(r2.ok());
  REQUIRE(r2->old_item);
  CHECK(Counter(*r2->old_item) == 1);
  CHECK(t->item_count() == 1);
  CHECK(t->size_bytes() == static_cast<int64_t>(ItemSize(WithCounter("a", 2))));
  auto fail = store->Mutate(*t, Key("a"), [](const Item*) { return Decision::Fail(); });
  REQUIRE(fail.ok());
  CHECK(fail->outcome == Decision::Kind::kFail);
  CHECK(Counter(**store->Get(*t, Key("a"))) == 2);
  REQUIRE(store->Mutate(*t, Key("a"), [](const Item*) { return Decision::Delete(); }).ok());
  CHECK(t->item_count() == 0);
  CHECK(t->size_bytes() == 0);
  CHECK_FALSE(store->Get(*t, Key("a"))->has_value());
}

TEST_CASE("concurrent read-modify-write through Mutate loses no update") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("t"));
  constexpr int kThreads = 8, kIncrements = 2000, kKeys = 3;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kIncrements; ++j) {
        std::string pk = "k" + std::to_string((i + j) % kKeys);
        auto r = store->Mutate(*t, Key(pk), [&](const Item* cur) {
          return Decision::Put(WithCounter(pk, cur ? Counter(*cur) + 1 : 1));
        });
        REQUIRE(r.ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  int64_t total = 0;
  for (int k = 0; k < kKeys; ++k) total += Counter(**store->Get(*t, Key("k" + std::to_string(k))));
  CHECK(total == kThreads * kIncrements);
  CHECK(t->item_count() == kKeys);
}

TEST_CASE("put-if-absent races have exactly one winner") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("t"));
  for (int round = 0; round < 50; ++round) {
    std::string pk = "race" + std::to_string(round);
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        auto r = store->Mutate(*t, Key(pk), [&](const Item* cur) {
          return cur ? Decision::Fail() : Decision::Put(WithCounter(pk, 1));
        });
        REQUIRE(r.ok());
        if (r->outcome == Decision::Kind::kPut) ++winners;
      });
    }
    for (auto& th : threads) th.join();
    CHECK(winners == 1);
  }
}

TEST_CASE("a persistent store keeps tables, rows and counts across reopen") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store = Store::Open(StoreOptions{dir.string(), false});
    REQUIRE(store.ok());
    auto t = *(*store)->CreateTable(HashTable("kept"));
    for (int i = 0; i < 10; ++i) {
      std::string pk = "k" + std::to_string(i);
      REQUIRE(
          (*store)
              ->Mutate(*t, Key(pk), [&](const Item*) { return Decision::Put(WithCounter(pk, i)); })
              .ok());
    }
  }
  {
    auto store = Store::Open(StoreOptions{dir.string(), false});
    REQUIRE(store.ok());
    auto t = (*store)->FindTable("test", "kept");
    REQUIRE(t);
    CHECK(t->item_count() == 10);
    CHECK(Counter(**(*store)->Get(*t, Key("k7"))) == 7);
    auto fresh = *(*store)->CreateTable(HashTable("fresh"));
    CHECK(fresh->info().id > t->info().id);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a write racing DeleteTable leaves nothing behind after reopen") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_orphan_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto doomed = *store->CreateTable(HashTable("doomed"));
    auto kept = *store->CreateTable(HashTable("kept"));
    REQUIRE(store->DeleteTable("test", "doomed").ok());
    // A request that looked the table up before it was dropped still writes through its handle.
    REQUIRE(store
                ->Mutate(*doomed, Key("late"),
                         [](const Item*) { return Decision::Put(WithCounter("late", 1)); })
                .ok());
    REQUIRE(store
                ->Mutate(*kept, Key("k"),
                         [](const Item*) { return Decision::Put(WithCounter("k", 1)); })
                .ok());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto names = store->ListTables("test");
    CHECK(std::count(names.begin(), names.end(), "kept") == 1);
    CHECK(std::count(names.begin(), names.end(), "doomed") == 0);
    CHECK(store->FindTable("test", "kept")->item_count() == 1);
    auto again = *store->CreateTable(HashTable("doomed" + std::to_string(reopen)));
    CHECK(again->item_count() == 0);
    CHECK_FALSE(store->Get(*again, Key("late"))->has_value());
  }
  std::filesystem::remove_all(dir);
}
