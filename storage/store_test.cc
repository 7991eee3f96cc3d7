#include "storage/store.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "storage/item_codec.h"
#include "storage/store_test_support.h"

using namespace ddbd::storage;
using namespace ddbd::storage::test;

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
  CHECK(r2->old_size == ItemSize(*r2->old_item));
  CHECK(r2->new_size == ItemSize(WithCounter("a", 2)));
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
    // Damage one item row (in the table's column family, rows-<id mod 8>) and add a catalog
    // entry that cannot be decoded (in the default one).
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names).ok());
    const std::string family = "rows-" + std::to_string(id % 8);
    REQUIRE(std::count(names.begin(), names.end(), family) == 1);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != family) continue;
      REQUIRE(
          db->Put(rocksdb::WriteOptions(), handles[i], RowKey(id, Key("bad")), "\x01garbage").ok());
    }
    REQUIRE(db->Put(rocksdb::WriteOptions(), std::string("\0t", 2) + "x", "junk").ok());
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
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
  // A table made before the store had column families keeps its rows in the default one,
  // beside new tables in theirs; writes reach it there, and DeleteTable removes them there.
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto old = store->FindTable(SpaceFor("my_key", "us-west-2"), "old");
    auto fresh = *store->CreateTable(HashTable("fresh"));
    CHECK(fresh->info().id == 8);
    REQUIRE(
        store
            ->Mutate(*old, Key("b"), [](const Item*) { return Decision::Put(WithCounter("b", 1)); })
            .ok());
    REQUIRE(store
                ->Mutate(*fresh, Key("a"),
                         [](const Item*) { return Decision::Put(WithCounter("a", 2)); })
                .ok());
  }
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto old = store->FindTable(SpaceFor("my_key", "us-west-2"), "old");
    auto fresh = store->FindTable("test", "fresh");
    REQUIRE(old);
    REQUIRE(fresh);
    CHECK(old->item_count() == 2);
    CHECK(fresh->item_count() == 1);
    CHECK(Counter(**store->Get(*fresh, Key("a"))) == 2);
    CHECK(Counter(**store->Get(*old, Key("a"))) == 1);
    REQUIRE(store->DeleteTable(SpaceFor("my_key", "us-west-2"), "old").ok());
  }
  {
    RawDb db(dir);
    CHECK(db.Rows(rocksdb::kDefaultColumnFamilyName, 7).empty());
    CHECK(db.Rows("rows-0", 8) == std::vector<std::string>{RowKey(8, Key("a"))});
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("index rows follow every write in the item's own batch") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(IndexedTable("idx"));
  const IndexInfo& gsi = t->info().indexes[0];
  const IndexInfo& lsi = t->info().indexes[1];
  CHECK(gsi.id != t->info().id);
  CHECK(lsi.id != gsi.id);
  Put(*store, *t, Row("a", 1, {{"g", std::string("G")}, {"n", *Number::Parse("5")}, {"x", true}}));
  Put(*store, *t, Row("a", 2, {{"g", std::string("G")}, {"n", *Number::Parse("-1")}}));
  Put(*store, *t, Row("b", 1, {{"l", std::string("L")}, {"x", std::string("kept")}, {"y", true}}));
  // Sparse: only items with every index key attribute (of the right type) are in an index.
  Put(*store, *t, Row("c", 1, {{"g", *Number::Parse("1")}, {"n", *Number::Parse("1")}}));
  auto g = ReadAll(*store, *t, gsi);
  REQUIRE(g.size() == 2);
  CHECK(g[0].at("n") == AttributeValue(*Number::Parse("-1")));  // index sort key order
  CHECK(g[0].size() == 4);                                      // KEYS_ONLY: pk, sk, g, n
  CHECK(ReadAll(*store, *t, gsi, true)[0].at("n") == AttributeValue(*Number::Parse("5")));
  auto l = ReadAll(*store, *t, lsi);
  REQUIRE(l.size() == 1);
  CHECK(l[0] == Row("b", 1, {{"l", std::string("L")}, {"x", std::string("kept")}}));
  CHECK(t->index_item_count(0) == 2);
  CHECK(t->index_item_count(1) == 1);
  // Changing the index key moves the row; removing it drops the row; deleting the item too.
  Put(*store, *t, Row("a", 1, {{"g", std::string("H")}, {"n", *Number::Parse("5")}}));
  g = ReadAll(*store, *t, gsi);
  REQUIRE(g.size() == 2);  // partitions come in hash order, so look for it
  CHECK(std::count_if(g.begin(), g.end(), [](const Item& i) {
          return i.at("g") == AttributeValue(std::string("H"));
        }) == 1);
  Put(*store, *t, Row("a", 2, {}));
  CHECK(ReadAll(*store, *t, gsi).size() == 1);
  REQUIRE(store
              ->Mutate(*t, PrimaryKey{std::string("a"), *Number::Parse("1")},
                       [](const Item*) { return Decision::Delete(); })
              .ok());
  CHECK(ReadAll(*store, *t, gsi).empty());
  CHECK(t->index_item_count(0) == 0);
  // A failed decision writes no index row either.
  REQUIRE(store
              ->Mutate(*t, PrimaryKey{std::string("z"), *Number::Parse("1")},
                       [](const Item*) { return Decision::Fail(); })
              .ok());
  CHECK(ReadAll(*store, *t, gsi).empty());
  // DeleteTable takes the index rows with it.
  REQUIRE(store->DeleteTable("test", "idx").ok());
  CHECK(ReadAll(*store, *t, lsi).empty());
}

TEST_CASE("a projection-ALL index row is the item itself, byte for byte, through every write") {
  TableInfo info = IndexedTable("all");
  info.indexes.resize(1);
  info.indexes[0].projection = ProjectionType::kAll;
  auto store = OpenMemory();
  auto t = *store->CreateTable(info);
  const IndexInfo& gsi = t->info().indexes[0];
  auto rows = [&] {
    auto view = store->View();
    RangeOptions o{IndexPrefix(gsi.id), IndexEnd(gsi.id), false, std::nullopt};
    std::vector<std::string> out;
    for (auto r = view->Range(*t, o); r->Valid(); r->Next()) out.emplace_back(r->value());
    return out;
  };
  Item a = Row("a", 1, {{"g", std::string("G")}, {"n", *Number::Parse("5")}, {"x", true}});
  Put(*store, *t, a);
  REQUIRE(rows() == std::vector<std::string>{EncodeItem(a)});
  CHECK(t->index_item_count(0) == 1);
  CHECK(t->index_size_bytes(0) == static_cast<int64_t>(ItemSize(a)));
  // A non-key change keeps the row's key and rewrites its value; the same item again changes
  // nothing; a key change moves the row; losing the key drops it.
  Item a2 = a;
  a2["x"] = std::string("a longer value than before");
  Put(*store, *t, a2);
  REQUIRE(rows() == std::vector<std::string>{EncodeItem(a2)});
  CHECK(t->index_size_bytes(0) == static_cast<int64_t>(ItemSize(a2)));
  Put(*store, *t, a2);
  CHECK(rows() == std::vector<std::string>{EncodeItem(a2)});
  Item a3 = a2;
  a3["n"] = *Number::Parse("6");
  Put(*store, *t, a3);
  REQUIRE(rows() == std::vector<std::string>{EncodeItem(a3)});
  CHECK(t->index_item_count(0) == 1);
  Item b = Row("b", 1, {{"g", std::string("G")}, {"n", *Number::Parse("1")}});
  Put(*store, *t, b);
  CHECK(rows().size() == 2);
  CHECK(t->index_size_bytes(0) == static_cast<int64_t>(ItemSize(a3) + ItemSize(b)));
  a3.erase("g");
  Put(*store, *t, a3);
  CHECK(rows() == std::vector<std::string>{EncodeItem(b)});
  REQUIRE(store
              ->Mutate(*t, PrimaryKey{std::string("b"), *Number::Parse("1")},
                       [](const Item*) { return Decision::Delete(); })
              .ok());
  CHECK(rows().empty());
  CHECK(t->index_item_count(0) == 0);
  CHECK(t->index_size_bytes(0) == 0);
}

TEST_CASE("range reads go forward or backward from an exclusive start on a snapshot") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(IndexedTable("rng"));
  for (int i = 0; i < 10; ++i) Put(*store, *t, Row("p", i, {}));
  std::string prefix = PartitionPrefix(t->info().id, AttributeValue(std::string("p")));
  auto view = store->View();
  Put(*store, *t, Row("p", 100, {}));  // after the snapshot: not seen
  auto collect = [&](RangeOptions o) {
    std::vector<std::string> sks;
    for (auto r = view->Range(*t, o); r->Valid(); r->Next()) {
      sks.push_back(DecodeItem(r->value())->at("sk").get_if<Number>()->ToString());
    }
    return sks;
  };
  RangeOptions all{prefix, PrefixSuccessor(prefix), false, std::nullopt};
  CHECK(collect(all).size() == 10);
  RangeOptions from3 = all;
  from3.exclusive_start = RowKey(t->info().id, {std::string("p"), *Number::Parse("3")});
  CHECK(collect(from3) == std::vector<std::string>{"4", "5", "6", "7", "8", "9"});
  from3.reverse = true;
  CHECK(collect(from3) == std::vector<std::string>{"2", "1", "0"});
  RangeOptions back = all;
  back.reverse = true;
  CHECK(collect(back).front() == "9");
  CHECK(store->View()->Range(*t, all)->Valid());
}

TEST_CASE("a range read without a snapshot sees the rows as they were when it began") {
  // Store::Range (Query and Scan that read nothing else): the iterator is its own consistent
  // view. Rows from table files (flushed by the reopen) and from the memtable, over many blocks;
  // every row is written over, and one deleted, while the read is under way.
  auto dir = std::filesystem::temp_directory_path() /
             ("ddbd_store_test_range_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string payload(1000, 'x');
  auto row = [&](int i, const std::string& tag) {
    return Row("p", i, {{"payload", AttributeValue(payload + tag + std::to_string(i))}});
  };
  {
    auto store = Store::Open(StoreOptions{dir.string(), false});
    REQUIRE(store.ok());
    auto t = *(*store)->CreateTable(IndexedTable("instant"));
    for (int i = 0; i < 300; ++i) Put(**store, *t, row(i, "a"));
  }
  {
    auto store = Store::Open(StoreOptions{dir.string(), false});
    REQUIRE(store.ok());
    auto t = (*store)->FindTable("test", "instant");
    REQUIRE(t);
    for (int i = 300; i < 400; ++i) Put(**store, *t, row(i, "a"));
    std::string prefix = PartitionPrefix(t->info().id, AttributeValue(std::string("p")));
    auto reader = (*store)->Range(*t, {prefix, PrefixSuccessor(prefix), false, std::nullopt});
    std::vector<Item> seen;
    for (; reader->Valid(); reader->Next()) {
      auto item = DecodeItem(reader->value());
      REQUIRE(item.ok());
      seen.push_back(*item);
      if (seen.size() == 200) {
        for (int i = 0; i < 400; ++i) Put(**store, *t, row(i, "b"));
        PrimaryKey gone{AttributeValue(std::string("p")), *Number::Parse("399")};
        REQUIRE((*store)->Mutate(*t, gone, [](const Item*) { return Decision::Delete(); }).ok());
      }
    }
    REQUIRE(reader->status().ok());
    REQUIRE(seen.size() == 400);
    for (int i = 0; i < 400; ++i) CHECK(seen[i] == row(i, "a"));
    reader.reset();
    // A new read sees the writes.
    reader = (*store)->Range(*t, {prefix, PrefixSuccessor(prefix), false, std::nullopt});
    size_t n = 0;
    for (; reader->Valid(); reader->Next(), ++n) CHECK(*DecodeItem(reader->value()) == row(n, "b"));
    CHECK(n == 399);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("index definitions survive a reopen") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_indexes_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto t = *store->CreateTable(IndexedTable("persist"));
    Put(*store, *t, Row("a", 1, {{"g", std::string("G")}, {"n", *Number::Parse("5")}}));
  }
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto t = store->FindTable("test", "persist");
    REQUIRE(t);
    REQUIRE(t->info().indexes.size() == 2);
    CHECK(t->info().indexes[1].non_key_attributes == std::vector<std::string>{"x"});
    CHECK_FALSE(t->info().indexes[1].global);
    CHECK(t->index_item_count(0) == 1);
    CHECK(ReadAll(*store, *t, t->info().indexes[0]).size() == 1);
  }
  std::filesystem::remove_all(dir);
}

// Fills a hash-only table with items k0..k{n-1}, each with g = "G" + (i % groups), then adds
// a GSI by_g on g (not yet backfilled) and returns the replacing table.
static TablePtr WithItemsAndNewGsi(Store& store, const TablePtr& t, int n, int groups) {
  for (int i = 0; i < n; ++i) {
    Item item = WithCounter("k" + std::to_string(i), i);
    item["g"] = std::string("G" + std::to_string(i % groups));
    PrimaryKey key{std::string("k" + std::to_string(i)), std::nullopt};
    REQUIRE(store.Mutate(*t, key, [&](const Item*) { return Decision::Put(item); }).ok());
  }
  TableInfo with_index = t->info();
  IndexInfo gsi;
  gsi.name = "by_g";
  gsi.hash = {{"g", ValueType::kS}};
  with_index.indexes.push_back(gsi);
  auto replaced = store.ReplaceTable(*t, with_index);
  REQUIRE(replaced.ok());
  return *replaced;
}

TEST_CASE("a GSI added to a live table is backfilled while writers keep changing its key") {
  // Writers update the indexed attribute of the items the backfill is walking; afterwards the
  // index must hold exactly one row per item with the index key, with the item's current value,
  // and its counters must agree.
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("live"));
  TablePtr live = WithItemsAndNewGsi(*store, t, 2000, 7);
  CHECK(live->backfilling(0));
  // The old handle is refused from now on.
  CHECK(store->Mutate(*t, Key("k1"), [](const Item*) { return Decision::Delete(); })
            .status()
            .code() == Status::Code::kRetry);
  store->StartBackfill(live, "by_g");
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 600; ++i) {
        int k = (i * 7 + w * 13) % 2000;
        PrimaryKey key{std::string("k" + std::to_string(k)), std::nullopt};
        auto r = store->Mutate(*live, key, [&](const Item* current) {
          if (!current) return Decision::Fail();
          Item next = *current;
          if (i % 5 == 0) {
            next.erase("g");  // leaves the sparse index
          } else {
            next["g"] = std::string("W" + std::to_string(w));
          }
          return Decision::Put(next);
        });
        REQUIRE(r.ok());
      }
    });
  }
  for (auto& th : writers) th.join();
  for (int i = 0; i < 500 && live->backfilling(0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(live->backfilling(0));
  // Expected rows: from the base items as they are now.
  std::multiset<std::string> want;
  auto view = store->View();
  for (auto r = view->Range(
           *live, {TablePrefix(live->info().id), TableEnd(live->info().id), false, std::nullopt});
       r->Valid(); r->Next()) {
    Item item = *DecodeItem(r->value());
    if (auto it = item.find("g"); it != item.end()) {
      want.insert(*item.at("pk").get_if<std::string>() + "=" + *it->second.get_if<std::string>());
    }
  }
  std::multiset<std::string> got;
  for (const Item& row : ReadAll(*store, *live, live->info().indexes[0])) {
    got.insert(*row.at("pk").get_if<std::string>() + "=" + *row.at("g").get_if<std::string>());
  }
  CHECK(got == want);
  CHECK(live->index_item_count(0) == static_cast<int64_t>(want.size()));
}

TEST_CASE("a backfill goes on with the table that replaced its own, and ends if the index goes") {
  // UpdateTable may change a table's throughput while its new GSI backfills (GSI.OnlineOps):
  // the backfill must finish on the replacing table. Deleting the index meanwhile ends it.
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("moving"));
  TablePtr building = WithItemsAndNewGsi(*store, t, 50, 3);
  const IndexInfo gsi = building->info().indexes[0];
  REQUIRE(building->backfilling(0));

  SECTION("a throughput change") {
    TableInfo faster = building->info();
    faster.meta["ReadCapacityUnits"] = *Number::Parse("9");
    TablePtr now = *store->ReplaceTable(*building, faster);
    CHECK(now->backfilling(0));
    REQUIRE(store->Backfill(building, "by_g").ok());  // started on the first handle
    CHECK_FALSE(now->backfilling(0));
    CHECK(now->index_item_count(0) == 50);
    CHECK(ReadAll(*store, *now, now->info().indexes[0]).size() == 50);
  }
  SECTION("the index deleted") {
    TableInfo without = building->info();
    without.indexes.clear();
    TablePtr now = *store->ReplaceTable(*building, without);
    REQUIRE(store->Backfill(building, "by_g").ok());
    // The rows it would have written are not there: re-adding the index starts from nothing.
    TableInfo again = now->info();
    again.indexes.push_back(gsi);
    TablePtr readded = *store->ReplaceTable(*now, again);
    CHECK(ReadAll(*store, *readded, readded->info().indexes[0]).empty());
    CHECK(readded->index_item_count(0) == 0);
  }
}

TEST_CASE("MutateMany commits all writes of a transaction or none") {
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("t"));
  auto u = *store->CreateTable(IndexedTable("u"));
  Put(*store, *u, Row("a", 1, {{"g", std::string("G")}, {"n", *Number::Parse("1")}}));
  auto put = [](Item item) { return [item](const Item*) { return Decision::Put(item); }; };
  std::vector<MutateOp> ops;
  ops.push_back({t.get(), Key("x"), put(WithCounter("x", 1))});
  ops.push_back({t.get(), Key("y"), [](const Item* cur) {
                   return cur ? Decision::Fail() : Decision::Keep();  // "y must not exist"
                 }});
  ops.push_back({u.get(), PrimaryKey{std::string("a"), *Number::Parse("1")},
                 [](const Item*) { return Decision::Delete(); }});
  auto r = store->MutateMany(ops);
  REQUIRE(r.ok());
  CHECK(r->committed);
  REQUIRE(r->results.size() == 3);
  CHECK(r->results[1].outcome == Decision::Kind::kKeep);
  CHECK(r->results[2].old_item.has_value());
  CHECK(store->Get(*t, Key("x"))->has_value());
  CHECK_FALSE(store->Get(*t, Key("y"))->has_value());        // Keep writes nothing
  CHECK(ReadAll(*store, *u, u->info().indexes[0]).empty());  // the delete took its index row
  CHECK(t->item_count() == 1);
  CHECK(u->item_count() == 0);

  // One failing decide: every decide still runs (each outcome is reported), nothing is written.
  ops.clear();
  ops.push_back({t.get(), Key("z"), put(WithCounter("z", 1))});
  ops.push_back({t.get(), Key("x"), [](const Item* cur) {
                   return cur && Counter(*cur) == 7 ? Decision::Delete() : Decision::Fail();
                 }});
  ops.push_back({u.get(), PrimaryKey{std::string("b"), *Number::Parse("2")},
                 put(Row("b", 2, {{"g", std::string("G")}, {"n", *Number::Parse("1")}}))});
  r = store->MutateMany(ops);
  REQUIRE(r.ok());
  CHECK_FALSE(r->committed);
  CHECK(r->results[0].outcome == Decision::Kind::kPut);
  CHECK(r->results[1].outcome == Decision::Kind::kFail);
  CHECK(r->results[1].old_item == WithCounter("x", 1));
  CHECK_FALSE(store->Get(*t, Key("z"))->has_value());
  CHECK(ReadAll(*store, *u, u->info().indexes[0]).empty());
  CHECK(t->item_count() == 1);

  // Two operations on one item are refused before anything runs.
  ops.clear();
  ops.push_back({t.get(), Key("q"), put(WithCounter("q", 1))});
  ops.push_back({t.get(), Key("q"), put(WithCounter("q", 2))});
  CHECK(store->MutateMany(ops).status().code() == Status::Code::kInvalidArgument);
  CHECK_FALSE(store->Get(*t, Key("q"))->has_value());
}

TEST_CASE("MutateMany transfers under contention: no deadlock, no lost update, never half seen") {
  // Threads move units between overlapping pairs of 10 accounts (each transfer one MutateMany
  // whose keys come in every order), single-key Mutates add deposits meanwhile, and a reader
  // checks on snapshots that the sum is always the initial sum plus the deposits so far.
  auto store = OpenMemory();
  auto t = *store->CreateTable(HashTable("bank"));
  constexpr int kAccounts = 10, kThreads = 6, kTransfers = 1500, kStart = 1000;
  for (int a = 0; a < kAccounts; ++a) {
    std::string pk = "acct" + std::to_string(a);
    REQUIRE(store
                ->Mutate(*t, Key(pk),
                         [&](const Item*) { return Decision::Put(WithCounter(pk, kStart)); })
                .ok());
  }
  std::atomic<int64_t> deposited{0};
  std::atomic<bool> done{false};
  std::atomic<int> committed{0}, refused{0}, errors{0}, violations{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::mt19937 rng(static_cast<unsigned>(i));
      for (int j = 0; j < kTransfers; ++j) {
        int from = static_cast<int>(rng() % kAccounts);
        int to = (from + 1 + static_cast<int>(rng() % (kAccounts - 1))) % kAccounts;
        std::string f = "acct" + std::to_string(from), g = "acct" + std::to_string(to);
        std::vector<MutateOp> ops;
        ops.push_back({t.get(), Key(f), [&](const Item* cur) {
                         int64_t have = Counter(*cur);
                         return have < 5 ? Decision::Fail()
                                         : Decision::Put(WithCounter(f, have - 5));
                       }});
        ops.push_back({t.get(), Key(g), [&](const Item* cur) {
                         return Decision::Put(WithCounter(g, Counter(*cur) + 5));
                       }});
        if (j % 2) std::swap(ops[0], ops[1]);
        auto r = store->MutateMany(ops);
        if (!r.ok()) {
          errors += 1;
          continue;
        }
        (r->committed ? committed : refused) += 1;
        if (j % 10 == 0) {
          // A deposit through the single-key path, interleaved with the transactions.
          // (Catch2's assertions are not thread-safe: failures are counted and checked after.)
          auto d = store->Mutate(*t, Key(g), [&](const Item* cur) {
            return Decision::Put(WithCounter(g, Counter(*cur) + 1));
          });
          if (!d.ok()) errors += 1;
          deposited += 1;
        }
      }
    });
  }
  int64_t checks = 0;
  std::thread reader([&] {
    while (!done) {
      int64_t before = deposited.load();
      auto view = store->View();
      int64_t sum = 0;
      for (int a = 0; a < kAccounts; ++a) {
        auto item = view->Get(*t, Key("acct" + std::to_string(a)));
        if (!item.ok() || !item->has_value()) {
          errors += 1;
          continue;
        }
        sum += Counter(**item);
      }
      int64_t after = deposited.load();
      // Deposits land between the two counter reads, transfers never change the sum.
      if (sum < kAccounts * kStart + before || sum > kAccounts * kStart + after + kThreads) {
        violations += 1;
      }
      ++checks;
    }
  });
  for (auto& th : threads) th.join();
  done = true;
  reader.join();
  int64_t sum = 0;
  for (int a = 0; a < kAccounts; ++a)
    sum += Counter(**store->Get(*t, Key("acct" + std::to_string(a))));
  CHECK(sum == kAccounts * kStart + deposited.load());
  CHECK(errors == 0);
  CHECK(violations == 0);
  CHECK(committed + refused == kThreads * kTransfers);
  CHECK(committed > 0);
  CHECK(checks > 0);
}
