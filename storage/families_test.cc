// The Store's column families: where tables' rows live, stores from before families, and
// concurrent CreateTable.
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "storage/catalog.h"
#include "storage/item_codec.h"
#include "storage/store.h"
#include "storage/store_test_support.h"

using namespace ddbd::storage;
using namespace ddbd::storage::test;

TEST_CASE("tables' rows are spread over eight column families by id, each table in one") {
  auto dir = std::filesystem::temp_directory_path() /
             ("ddbd_store_families_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::vector<uint64_t> ids;
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    for (int i = 0; i < 10; ++i) {
      auto t = *store->CreateTable(HashTable("t" + std::to_string(i)));
      ids.push_back(t->info().id);
      for (int k = 0; k < 3; ++k) {
        std::string pk = "k" + std::to_string(k);
        REQUIRE(store
                    ->Mutate(*t, Key(pk),
                             [&](const Item*) { return Decision::Put(WithCounter(pk, i)); })
                    .ok());
      }
    }
    // Tables 1 and 9 share a family: deleting one leaves the other's rows.
    REQUIRE(ids[0] == 1);
    REQUIRE(ids[8] == 9);
    REQUIRE(store->DeleteTable("test", "t0").ok());
  }
  {
    RawDb db(dir);
    for (size_t i = 0; i < ids.size(); ++i) {
      const uint64_t id = ids[i];
      for (uint64_t f = 0; f < 8; ++f) {
        auto rows = db.Rows("rows-" + std::to_string(f), id);
        bool home = f == id % 8 && i != 0;
        CHECK(rows.size() == (home ? 3u : 0u));
      }
      CHECK(db.Rows(rocksdb::kDefaultColumnFamilyName, id).empty());
    }
  }
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    CHECK(store->FindTable("test", "t0") == nullptr);
    for (int i = 1; i < 10; ++i) {
      auto t = store->FindTable("test", "t" + std::to_string(i));
      REQUIRE(t);
      CHECK(t->item_count() == 3);
      CHECK(Counter(**store->Get(*t, Key("k2"))) == i);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("index rows live in their index's family; tables from before keep them beside items") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_ixfam_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto family = [](uint64_t id) { return "rows-" + std::to_string(id % 8); };
  auto index_keys = [&](const RawDb& db, const std::string& name, const IndexInfo& index) {
    return db.Keys(name, IndexPrefix(index.id), IndexEnd(index.id));
  };
  TableInfo made, old;
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto t = *store->CreateTable(IndexedTable("made"));
    auto o = *store->CreateTable(IndexedTable("old"));
    made = t->info();
    old = o->info();
    CHECK(made.index_families);
    for (auto* table : {t.get(), o.get()}) {
      for (int i = 0; i < 4; ++i) {
        Put(*store, *table,
            Row("p", i,
                {{"g", AttributeValue(std::string("a"))},
                 {"n", *Number::Parse(std::to_string(i))},
                 {"l", AttributeValue("l" + std::to_string(i))}}));
      }
    }
    Put(*store, *t,
        Row("p", 0, {{"g", AttributeValue(std::string("b"))}, {"n", *Number::Parse("9")}}));
  }
  {
    RawDb db(dir);
    CHECK(db.Rows(family(made.id), made.id).size() == 4);
    for (const auto& index : made.indexes) {
      CHECK(index_keys(db, family(made.id), index).empty());
    }
    CHECK(index_keys(db, family(made.indexes[0].id), made.indexes[0]).size() == 4);  // by_g
    CHECK(index_keys(db, family(made.indexes[1].id), made.indexes[1]).size() == 3);  // by_l
  }
  {
    // "old" as a store of the version before index families left it: its catalog row without
    // the marker, its index rows beside its items.
    rocksdb::DB* raw = nullptr;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    auto handle = [&](const std::string& name) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return handles[i];
      }
      FAIL("no family " << name);
      return handles[0];
    };
    TableInfo before = old;
    before.index_families = false;
    rocksdb::WriteBatch batch;
    batch.Put(CatalogRowKey(old.space, old.name), EncodeTableInfo(before));
    for (const auto& index : old.indexes) {
      std::unique_ptr<rocksdb::Iterator> it(
          db->NewIterator(rocksdb::ReadOptions(), handle(family(index.id))));
      for (it->Seek(IndexPrefix(index.id));
           it->Valid() && it->key().compare(IndexEnd(index.id)) < 0; it->Next()) {
        batch.Put(handle(family(old.id)), it->key(), it->value());
        batch.Delete(handle(family(index.id)), it->key());
      }
    }
    REQUIRE(db->Write(rocksdb::WriteOptions(), &batch).ok());
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
  }
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    auto t = store->FindTable("test", "made");
    auto o = store->FindTable("test", "old");
    REQUIRE(t);
    REQUIRE(o);
    CHECK(t->info().index_families);
    CHECK_FALSE(o->info().index_families);
    for (const auto* table : {t.get(), o.get()}) {
      const IndexInfo& gsi = table->info().indexes[0];
      CHECK(ReadAll(*store, *table, gsi).size() == 4);
      CHECK(table->index_item_count(0) == 4);
      CHECK(ReadAll(*store, *table, table->info().indexes[1]).size() ==
            (table == t.get() ? 3u : 4u));
    }
    // Writes keep each table's rows where it reads them: an index key changed, an item deleted.
    for (const auto* table : {t.get(), o.get()}) {
      Put(*store, *table,
          Row("p", 1, {{"g", AttributeValue(std::string("c"))}, {"n", *Number::Parse("1")}}));
      PrimaryKey gone{AttributeValue(std::string("p")), *Number::Parse("2")};
      REQUIRE(store->Mutate(*table, gone, [](const Item*) { return Decision::Delete(); }).ok());
      auto rows = ReadAll(*store, *table, table->info().indexes[0]);
      CHECK(rows.size() == 3);
      CHECK(std::count_if(rows.begin(), rows.end(), [](const Item& r) {
              return r.at("g") == AttributeValue(std::string("c"));
            }) == 1);
      CHECK(ReadAll(*store, *table, table->info().indexes[1]).size() ==
            (table == t.get() ? 1u : 2u));
    }
    // A GSI added to each by UpdateTable follows its table's rule.
    for (const auto* table : {t.get(), o.get()}) {
      TableInfo grown = table->info();
      IndexInfo by_n;
      by_n.name = "by_n";
      by_n.hash = {{"n", ValueType::kN}};
      by_n.projection = ProjectionType::kKeysOnly;
      grown.indexes.push_back(by_n);
      auto replaced = store->ReplaceTable(*table, grown);
      REQUIRE(replaced.ok());
      REQUIRE(store->Backfill(*replaced, "by_n").ok());
      CHECK(ReadAll(*store, **replaced, (*replaced)->info().indexes[2]).size() == 3);
    }
    REQUIRE(store->DeleteTable("test", "made").ok());
  }
  {
    RawDb db(dir);
    for (const auto& index : made.indexes) {
      for (uint64_t f = 0; f < 8; ++f) {
        CHECK(index_keys(db, "rows-" + std::to_string(f), index).empty());
      }
    }
    for (const auto& index : old.indexes) {
      CHECK(index_keys(db, family(old.id), index).size() == (index.name == "by_g" ? 3u : 2u));
      CHECK(index_keys(db, family(index.id), index).empty());
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the first table id in families is saved with the first table made in one") {
  // A store written before families, opened by this version without a CreateTable, may be
  // opened by an older ddbd again, which makes its next table in the default family: that
  // table must still be found there (and its rows kept) when this version opens the store.
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_first_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto legacy_table = [&](uint64_t id, const std::string& name) {
    Item row;
    row["space"] = std::string("test");
    row["name"] = name;
    row["id"] = *Number::Parse(std::to_string(id));
    row["hash"] = std::string("pk");
    row["hash_type"] = std::string("S");
    row["meta"] = AttributeMap{};
    row["space_format"] = std::string("2");
    std::vector<std::string> names{rocksdb::kDefaultColumnFamilyName};
    if (std::filesystem::exists(dir / "CURRENT")) {
      REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names).ok());
    }
    REQUIRE(names.size() == 1);  // an older ddbd can open it only while it has no families
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    REQUIRE(rocksdb::DB::Open(o, dir.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key = std::string("\0t", 2) + "test" + std::string(1, '\0') + name;
    REQUIRE(db->Put(rocksdb::WriteOptions(), key, EncodeItem(row)).ok());
    std::string next(8, '\0');
    next[7] = static_cast<char>(id + 1);
    REQUIRE(db->Put(rocksdb::WriteOptions(), std::string("\0id", 3), next).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), RowKey(id, Key("a")), EncodeItem(WithCounter("a", 1)))
                .ok());
  };
  legacy_table(1, "one");
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    CHECK(store->FindTable("test", "one")->item_count() == 1);
  }
  legacy_table(2, "two");  // the older ddbd again
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    for (const char* name : {"one", "two"}) {
      auto t = store->FindTable("test", name);
      REQUIRE(t);
      CHECK(t->item_count() == 1);
      CHECK(store->Get(*t, Key("a"))->has_value());
    }
    auto three = *store->CreateTable(HashTable("three"));
    CHECK(three->info().id == 3);
    REQUIRE(store
                ->Mutate(*three, Key("a"),
                         [](const Item*) { return Decision::Put(WithCounter("a", 3)); })
                .ok());
  }
  {
    RawDb db(dir);
    CHECK(db.Rows(rocksdb::kDefaultColumnFamilyName, 2).size() == 1);
    CHECK(db.Rows("rows-3", 3).size() == 1);
  }
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    CHECK(store->FindTable("test", "two")->item_count() == 1);
    CHECK(Counter(**store->Get(*store->FindTable("test", "three"), Key("a"))) == 3);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("concurrent CreateTable: one winner per name, distinct ids, the counter saved past all") {
  auto dir =
      std::filesystem::temp_directory_path() / ("ddbd_store_creates_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::set<uint64_t> ids;
  {
    auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
    std::mutex mu;
    std::atomic<int> won_same{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th) {
      threads.emplace_back([&, th] {
        for (int i = 0; i < 6; ++i) {
          auto same = store->CreateTable(HashTable("same" + std::to_string(i)));
          if (same.ok())
            won_same++;
          else
            CHECK(same.status().code() == Status::Code::kAlreadyExists);
          auto own = store->CreateTable(
              IndexedTable("own" + std::to_string(th) + "_" + std::to_string(i)));
          REQUIRE(own.ok());
          std::lock_guard lock(mu);
          CHECK(ids.insert((*own)->info().id).second);
          for (const auto& index : (*own)->info().indexes) CHECK(ids.insert(index.id).second);
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(won_same == 6);
    for (int i = 0; i < 6; ++i) {
      auto t = store->FindTable("test", "same" + std::to_string(i));
      REQUIRE(t);
      CHECK(ids.insert(t->info().id).second);
    }
  }
  auto store = std::move(Store::Open(StoreOptions{dir.string(), false}).value());
  CHECK(store->ListTables("test").size() == 30);
  auto next = *store->CreateTable(HashTable("after"));
  CHECK(next->info().id > *ids.rbegin());
  store.reset();
  std::filesystem::remove_all(dir);
}
