// Helpers shared by the Store's tests (store_test.cc, families_test.cc).
#pragma once

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/item_codec.h"
#include "storage/store.h"

namespace ddbd::storage::test {

inline std::unique_ptr<Store> OpenMemory() {
  auto store = Store::Open(StoreOptions{});
  REQUIRE(store.ok());
  return std::move(store).value();
}

inline TableInfo HashTable(const std::string& name) {
  TableInfo info;
  info.space = "test";
  info.name = name;
  info.hash = {"pk", ValueType::kS};
  return info;
}

inline PrimaryKey Key(const std::string& pk) { return {AttributeValue(pk), std::nullopt}; }

inline int64_t Counter(const Item& item) {
  auto it = item.find("n");
  if (it == item.end()) return 0;
  return std::stoll(it->second.get_if<Number>()->ToString());
}

inline Item WithCounter(const std::string& pk, int64_t n) {
  Item item;
  item["pk"] = pk;
  item["n"] = *Number::Parse(std::to_string(n));
  return item;
}

// A store's database opened read-only with every column family, to see where rows are.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& dir) {
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names_).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names_) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    REQUIRE(
        rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir.string(), families, &handles_, &raw)
            .ok());
    db_.reset(raw);
  }
  ~RawDb() {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
  }
  const std::vector<std::string>& families() const { return names_; }
  // The keys of table `id`'s item rows in family `name` (none if there is no such family).
  std::vector<std::string> Rows(const std::string& name, uint64_t id) const {
    return Keys(name, TablePrefix(id), TableEnd(id));
  }
  // The keys in [begin, end) of family `name` (none if there is no such family).
  std::vector<std::string> Keys(const std::string& name, const std::string& begin,
                                const std::string& end) const {
    std::vector<std::string> keys;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] != name) continue;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
      for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
        keys.push_back(it->key().ToString());
      }
    }
    return keys;
  }

 private:
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

inline TableInfo IndexedTable(const std::string& name) {
  TableInfo info;
  info.space = "test";
  info.name = name;
  info.hash = {"pk", ValueType::kS};
  info.range = KeyAttribute{"sk", ValueType::kN};
  IndexInfo gsi;
  gsi.name = "by_g";
  gsi.hash = {{"g", ValueType::kS}};
  gsi.range = {{"n", ValueType::kN}};
  gsi.projection = ProjectionType::kKeysOnly;
  info.indexes.push_back(gsi);
  IndexInfo lsi;
  lsi.name = "by_l";
  lsi.global = false;
  lsi.hash = {{"pk", ValueType::kS}};
  lsi.range = {{"l", ValueType::kS}};
  lsi.projection = ProjectionType::kInclude;
  lsi.non_key_attributes = {"x"};
  info.indexes.push_back(lsi);
  return info;
}

inline Item Row(const std::string& pk, int sk,
                std::initializer_list<std::pair<const char*, AttributeValue>> rest) {
  Item item;
  item["pk"] = pk;
  item["sk"] = *Number::Parse(std::to_string(sk));
  for (const auto& [k, v] : rest) item[k] = v;
  return item;
}

inline std::vector<Item> ReadAll(const Store& store, const Table& table, const IndexInfo& index,
                                 bool reverse = false) {
  auto view = store.View();
  RangeOptions o{IndexPrefix(index.id), IndexEnd(index.id), reverse, std::nullopt};
  std::vector<Item> out;
  for (auto r = view->Range(table, o); r->Valid(); r->Next()) {
    out.push_back(*DecodeItem(r->value()));
  }
  return out;
}

inline void Put(Store& store, const Table& t, Item item) {
  PrimaryKey key = *PrimaryKeyOf(t.info(), item);
  REQUIRE(store.Mutate(t, key, [&](const Item*) { return Decision::Put(item); }).ok());
}

}  // namespace ddbd::storage::test
