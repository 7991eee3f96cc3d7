#include "storage/store.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "storage/item_codec.h"

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

TEST_CASE("a write through a deleted table's handle is refused and leaves nothing behind") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_orphan_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto doomed = *store->CreateTable(HashTable("doomed"));
    auto kept = *store->CreateTable(HashTable("kept"));
    REQUIRE(store->DeleteTable("test", "doomed").ok());
    // A request that looked the table up before it was dropped must not be acknowledged.
    auto late = store->Mutate(*doomed, Key("late"),
                              [](const Item*) { return Decision::Put(WithCounter("late", 1)); });
    CHECK(late.status().code() == Status::Code::kNotFound);
    CHECK_FALSE(store->Get(*doomed, Key("late"))->has_value());
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

TEST_CASE("no write is acknowledged into a table once DeleteTable has returned") {
  // Writers race DeleteTable through handles they looked up before it. Every write acknowledged
  // after DeleteTable returned would be a lost write; any row left behind would be an orphan.
  for (int round = 0; round < 20; ++round) {
    auto store = OpenMemory();
    auto doomed = *store->CreateTable(HashTable("doomed"));
    std::atomic<bool> deleted{false};
    std::atomic<int> acknowledged_after{0};
    std::vector<std::thread> writers;
    std::vector<std::vector<std::string>> written(4);
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 300; ++i) {
          std::string pk = "k" + std::to_string(w) + "_" + std::to_string(i);
          bool was_deleted = deleted.load();
          auto r = store->Mutate(*doomed, Key(pk),
                                 [&](const Item*) { return Decision::Put(WithCounter(pk, i)); });
          if (r.ok()) {
            written[w].push_back(pk);
            if (was_deleted) acknowledged_after++;
          } else {
            CHECK(r.status().code() == Status::Code::kNotFound);
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (round % 5)));
    REQUIRE(store->DeleteTable("test", "doomed").ok());
    deleted = true;
    for (auto& t : writers) t.join();
    CHECK(acknowledged_after == 0);
    for (const auto& keys : written) {
      for (const auto& pk : keys) CHECK_FALSE(store->Get(*doomed, Key(pk))->has_value());
    }
  }
}

TEST_CASE("an exception from decide is reported, not thrown, and writes nothing") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("t"));
  auto r = store->Mutate(*t, Key("a"),
                         [](const Item*) -> Decision { throw std::runtime_error("boom"); });
  CHECK(r.status().code() == Status::Code::kAborted);
  CHECK_FALSE(store->Get(*t, Key("a"))->has_value());
}

TEST_CASE("namespaces are unambiguous") {
  CHECK(SpaceFor("a_b", "c") != SpaceFor("a", "b_c"));
  CHECK(SpaceFor("a", "") != SpaceFor("", "a"));
  CHECK(SpaceFor("a", "b") != kSharedSpace);
}

TEST_CASE("undecodable rows are quarantined and the store still opens") {
  auto dir = std::filesystem::temp_directory_path() /
             ("ddbd_store_quarantine_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  uint64_t id = 0;
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto t = *store->CreateTable(HashTable("t"));
    id = t->info().id;
    for (const char* pk : {"good", "bad"}) {
      REQUIRE(
          store->Mutate(*t, Key(pk), [&](const Item*) { return Decision::Put(WithCounter(pk, 1)); })
              .ok());
    }
  }
  {
    // Damage one item row and add a catalog entry that cannot be decoded.
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    REQUIRE(rocksdb::DB::Open(o, dir.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put(rocksdb::WriteOptions(), RowKey(id, Key("bad")), "\x01garbage").ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), std::string("\0t", 2) + "x", "junk").ok());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto opened = Store::Open(StoreOptions{dir.string(), false});
    REQUIRE(opened.ok());
    auto store = std::move(opened).value();
    CHECK(store->quarantined() == (reopen == 0 ? 2u : 0u));
    auto t = store->FindTable("test", "t");
    REQUIRE(t);
    CHECK(t->item_count() == 1);
    CHECK(store->Get(*t, Key("good"))->has_value());
    CHECK_FALSE(store->Get(*t, Key("bad"))->has_value());
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("catalog entries from before length-prefixed namespaces are migrated") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_migrate_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    // The old format: namespace "<access key>_<region>" and no space_format field.
    Item row;
    row["space"] = std::string("my_key_us-west-2");
    row["name"] = std::string("old");
    row["id"] = *Number::Parse("7");
    row["hash"] = std::string("pk");
    row["hash_type"] = std::string("S");
    row["meta"] = AttributeMap{};
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    REQUIRE(rocksdb::DB::Open(o, dir.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key = std::string("\0t", 2) + "my_key_us-west-2" + std::string(1, '\0') + "old";
    REQUIRE(db->Put(rocksdb::WriteOptions(), key, EncodeItem(row)).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), std::string("\0id", 3),
                    std::string("\0\0\0\0\0\0\0\x08", 8))
                .ok());
    Item item = WithCounter("a", 1);
    REQUIRE(db->Put(rocksdb::WriteOptions(), RowKey(7, Key("a")), EncodeItem(item)).ok());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto t = store->FindTable(SpaceFor("my_key", "us-west-2"), "old");
    REQUIRE(t);
    CHECK(t->info().id == 7);
    CHECK(t->item_count() == 1);
    CHECK(store->Get(*t, Key("a"))->has_value());
    CHECK(store->FindTable("my_key_us-west-2", "old") == nullptr);
  }
  std::filesystem::remove_all(dir);
}
