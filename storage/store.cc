#include "storage/store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <iostream>
#include <set>

#include "storage/btree_memtable.h"
#include "storage/catalog.h"
#include "storage/item_codec.h"
#include "storage/memory_file_system.h"

namespace ddbd::storage {
namespace {
// The column families of table rows: "rows-0" .. "rows-<kFamilies - 1>".
std::string FamilyName(uint64_t n) { return "rows-" + std::to_string(n); }

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  if (s.IsCorruption()) return Status::Corruption(s.ToString());
  return Status::IoError(s.ToString());
}

// The informational log of memory mode.
class DiscardingLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

// A thread's write batch larger than this after a write is given back rather than kept.
constexpr size_t kKeptBatchBytes = 64 * 1024;

}  // namespace

std::optional<PrimaryKey> PrimaryKeyOf(const TableInfo& table, const Item& item) {
  auto hash = item.find(table.hash.name);
  if (hash == item.end() || hash->second.type() != table.hash.type) return std::nullopt;
  PrimaryKey key{hash->second, std::nullopt};
  if (table.range) {
    auto range = item.find(table.range->name);
    if (range == item.end() || range->second.type() != table.range->type) return std::nullopt;
    key.range = range->second;
  }
  return key;
}

std::optional<IndexRow> IndexRowFor(const TableInfo& table, const IndexInfo& index,
                                    const Item& item, bool copy_all) {
  // Every attribute of the index key and of the table key, looked up once: an item that lacks
  // one (or has it with another type) has no row, and costs no allocation.
  // At most 4 + 4 index key attributes (multi-attribute keys) and 2 of the table's.
  std::array<const AttributeValue*, 10> inline_values;
  std::vector<const AttributeValue*> more;
  const AttributeValue** values = inline_values.data();
  const size_t parts = index.hash.size() + index.range.size() + (table.range ? 2 : 1);
  if (parts > inline_values.size()) {
    more.resize(parts);
    values = more.data();
  }
  size_t found = 0;
  auto find = [&](const std::string& name, ValueType type) {
    auto it = item.find(name);
    if (it == item.end() || it->second.type() != type) return false;
    values[found++] = &it->second;
    return true;
  };
  for (const auto& a : index.hash) {
    if (!find(a.name, a.type)) return std::nullopt;
  }
  for (const auto& a : index.range) {
    if (!find(a.name, a.type)) return std::nullopt;
  }
  if (!find(table.hash.name, table.hash.type)) return std::nullopt;
  if (table.range && !find(table.range->name, table.range->type)) return std::nullopt;
  IndexRow row;
  row.key.reserve(64);
  AppendIndexPartitionPrefix(index.id, values, index.hash.size(), &row.key);
  for (size_t i = index.hash.size(); i < found; ++i) AppendTupleScalar(*values[i], &row.key);
  if (index.projection == ProjectionType::kAll) {
    if (copy_all) {
      row.projected = item;
    } else {
      row.whole_item = true;
    }
    return row;
  }
  auto keep = [&](const std::string& name) {
    if (auto it = item.find(name); it != item.end()) row.projected.insert(*it);
  };
  keep(table.hash.name);
  if (table.range) keep(table.range->name);
  for (const auto& a : index.hash) keep(a.name);
  for (const auto& a : index.range) keep(a.name);
  for (const auto& n : index.non_key_attributes) keep(n);
  return row;
}

namespace {

class RocksRangeReader final : public RangeReader {
 public:
  RocksRangeReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                   const rocksdb::Snapshot* snapshot, const RangeOptions& o)
      : begin_(o.begin), end_(o.end), reverse_(o.reverse) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.pin_data = true;
    lower_ = rocksdb::Slice(begin_);
    upper_ = rocksdb::Slice(end_);
    ro.iterate_lower_bound = &lower_;
    if (!end_.empty()) ro.iterate_upper_bound = &upper_;
    it_.reset(db->NewIterator(ro, cf));
    if (!reverse_) {
      it_->Seek(o.exclusive_start ? *o.exclusive_start : begin_);
      if (o.exclusive_start && it_->Valid() && it_->key() == rocksdb::Slice(*o.exclusive_start)) {
        it_->Next();
      }
    } else if (o.exclusive_start) {
      it_->SeekForPrev(*o.exclusive_start);
      if (it_->Valid() && it_->key() == rocksdb::Slice(*o.exclusive_start)) it_->Prev();
    } else if (end_.empty()) {
      it_->SeekToLast();
    } else {
      it_->SeekForPrev(end_);
      if (it_->Valid() && it_->key() == rocksdb::Slice(end_)) it_->Prev();
    }
  }
  bool Valid() const override { return it_->Valid(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  void Next() override { reverse_ ? it_->Prev() : it_->Next(); }
  Status status() const override { return FromRocks(it_->status()); }

 private:
  std::string begin_, end_;
  rocksdb::Slice lower_, upper_;
  bool reverse_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

// Reads through a Store's snapshot; each read goes to its table's column family.
class Store::SnapshotView final : public ReadView {
 public:
  explicit SnapshotView(const Store& store) : store_(store), snapshot_(store.db_->GetSnapshot()) {}
  ~SnapshotView() override { store_.db_->ReleaseSnapshot(snapshot_); }
  StatusOr<std::optional<Item>> Get(const Table& table, const PrimaryKey& key) const override {
    auto value = GetEncoded(table, key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return std::optional<Item>();
    auto item = DecodeItem(**value);
    if (!item.ok()) return item.status();
    return std::optional<Item>(std::move(item).value());
  }
  StatusOr<std::optional<std::string>> GetEncoded(const Table& table,
                                                  const PrimaryKey& key) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::string value;
    auto s = store_.db_->Get(ro, store_.Cf(table), RowKey(table.info().id, key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s);
    return std::optional<std::string>(std::move(value));
  }
  std::unique_ptr<RangeReader> Range(const Table& table,
                                     const RangeOptions& options) const override {
    return std::make_unique<RocksRangeReader>(store_.db_.get(), store_.KeyCf(table, options.begin),
                                              snapshot_, options);
  }

 private:
  const Store& store_;
  const rocksdb::Snapshot* snapshot_;
};

std::unique_ptr<ReadView> Store::View() const { return std::make_unique<SnapshotView>(*this); }

std::unique_ptr<RangeReader> Store::Range(const Table& table, const RangeOptions& options) const {
  return std::make_unique<RocksRangeReader>(db_.get(), KeyCf(table, options.begin), nullptr,
                                            options);
}

rocksdb::ColumnFamilyHandle* Store::KeyCf(const Table& table, std::string_view key) const {
  if (key.size() >= 9 && key[0] == kIndexPrefix) {
    return IndexCf(table, DecodeBigEndian(key.substr(1, 8)));
  }
  return Cf(table);
}

void Store::Quarantine(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                       std::string_view value, const std::string& why) {
  std::cerr << "ddbd: quarantined an undecodable row (" << why << "); " << key.size()
            << "-byte key kept under the quarantine prefix\n";
  rocksdb::WriteBatch batch;
  batch.Put(kQuarantinePrefix + std::string(key), value);
  batch.Delete(cf, rocksdb::Slice(key.data(), key.size()));
  auto s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) std::cerr << "ddbd: quarantine failed: " << s.ToString() << "\n";
  ++quarantined_;
}

StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  store->options_ = options;
  rocksdb::Options ro;
  ro.create_if_missing = true;
  ro.keep_log_file_num = 2;
  ro.max_open_files = 512;
  ro.write_buffer_size = 16 << 20;
  ro.max_background_jobs = 2;
  // On disk, bound what the row families hold together, as one family's 16 MB write buffer did
  // before tables had families: their memtables (past 32 MB the family with the oldest data is
  // flushed) and the write-ahead log kept for them, which every start replays (RocksDB's
  // default is four times all families' buffers: ~1 GB with nine; measured with three busy
  // tables: 159 MB of log and 2.3 s to start, against 18 MB and 1.0 s with one family).
  ro.db_write_buffer_size = 32 << 20;
  ro.max_total_wal_size = 32 << 20;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(8 << 20);
  // Most Mutate reads are of keys that do not exist yet (a put of a new item): a Bloom filter
  // answers those without reading blocks.
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  std::string path = options.path;
  if (path.empty()) {
    // In memory, compression only costs CPU, and every flush and compaction copies data that
    // stays in memory anyway: larger memtables mean fewer of both.
    ro.compression = rocksdb::kNoCompression;
    ro.write_buffer_size = 64 << 20;
    // A memtable's arena grows in blocks of this size; ddbd backs arrays this large with
    // transparent huge pages (server/large_allocations.cc), which spares its skip list's
    // random walks most of their TLB misses. RocksDB's own block is 1 MB here.
    ro.arena_block_size = 8 << 20;
    ro.db_write_buffer_size = 0;  // the data is in memory, in memtables or in files
    // A write group's leader inserts every batch of the group itself, rather than waking the
    // other writers to insert theirs into the same skip lists from another core. Measured with
    // two I/O threads (eight servers each way, alternated): PutItem on a table with two GSIs,
    // whose batch is three rows in three memtables, took 87 against 92 us of server CPU, plain
    // PutItem 61 against 60. Not measured on disk, where the log write makes groups larger:
    // RocksDB's default there.
    ro.allow_concurrent_memtable_write = false;
    // Memtables searched through a B+ tree rather than RocksDB's skip list
    // (storage/btree_memtable.h): fewer misses to main memory per insert and lookup. It takes one
    // writer at a time, which the line above ensures, and bytewise keys (the default comparator).
    ro.memtable_factory = NewBTreeMemTableFactory();
    // Files in this process's memory, in chunks that appends never copy
    // (storage/memory_file_system.h).
    store->mem_env_ = rocksdb::NewCompositeEnv(NewMemoryFileSystem());
    ro.env = store->mem_env_.get();
    // RocksDB's informational log would only grow in memory, where nobody can read it.
    ro.info_log = std::make_shared<DiscardingLogger>();
    path = "/ddbd-in-memory";
  }
  // Every column family of an existing database must be opened with it.
  std::vector<std::string> names{rocksdb::kDefaultColumnFamilyName};  // a new database's
  rocksdb::Env* env = ro.env ? ro.env : rocksdb::Env::Default();
  if (!env->FileExists(path + "/CURRENT").IsNotFound()) {
    Status listed = FromRocks(rocksdb::DB::ListColumnFamilies(ro, path, &names));
    if (!listed.ok()) return listed;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(ro));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  Status s = FromRocks(rocksdb::DB::Open(ro, path, descriptors, &handles, &db));
  if (!s.ok()) return s;
  store->db_.reset(db);
  store->default_cf_ = db->DefaultColumnFamily();
  for (size_t i = 0; i < handles.size(); ++i) {
    bool kept = false;
    for (uint64_t f = 0; f < kFamilies; ++f) {
      if (names[i] == FamilyName(f)) {
        store->families_[f] = handles[i];
        kept = true;
      }
    }
    // The default family's handle (the database keeps its own), or a family of no use to us.
    if (!kept) (void)db->DestroyColumnFamilyHandle(handles[i]);
  }
  s = store->LoadCatalog();
  if (!s.ok()) return s;
  return store;
}

Store::~Store() {
  closing_ = true;
  {
    std::lock_guard lock(backfills_mu_);
    for (auto& t : backfills_) {
      if (t.joinable()) t.join();
    }
  }
  if (db_) {
    for (auto& handle : families_) {
      if (handle) (void)db_->DestroyColumnFamilyHandle(handle);
    }
    (void)db_->Close();
    db_.reset();
  }
}

Status Store::LoadCatalog() {
  std::string next;
  auto s = db_->Get(rocksdb::ReadOptions(), kNextIdKey, &next);
  if (s.ok()) {
    next_table_id_ = DecodeBigEndian(next);
  } else if (!s.IsNotFound()) {
    return FromRocks(s);
  }
  std::string first;
  s = db_->Get(rocksdb::ReadOptions(), kFirstFamilyTableKey, &first);
  if (s.ok()) {
    first_family_table_ = DecodeBigEndian(first);
    first_family_table_saved_ = true;
  } else if (!s.IsNotFound()) {
    return FromRocks(s);
  }
  // Not saved: no table is in a family yet (the first CreateTable saves it with its catalog
  // row). Until then it is worked out anew at every open, after every table there is (below),
  // so a table an older ddbd made meanwhile in the default family stays there.
  std::map<uint64_t, std::shared_ptr<Table>> by_id;
  struct BadRow {
    rocksdb::ColumnFamilyHandle* cf;
    std::string key, value;
  };
  std::vector<BadRow> bad_rows;  // quarantined after the scan
  rocksdb::WriteBatch migration;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(kCatalogPrefix); it->Valid() && it->key().starts_with(kCatalogPrefix); it->Next()) {
    bool migrated = false;
    auto info = DecodeTableInfo(it->value().ToStringView(), &migrated);
    if (!info.ok() || by_id.count(info->id) ||
        tables_.count(CatalogMapKey(info->space, info->name))) {
      bad_rows.push_back({default_cf_, it->key().ToString(), it->value().ToString()});
      continue;
    }
    if (migrated) {
      migration.Delete(it->key());
      migration.Put(CatalogRowKey(info->space, info->name), EncodeTableInfo(*info));
    }
    auto table = std::make_shared<Table>(std::move(info).value());
    by_id[table->info().id] = table;
    tables_[CatalogMapKey(table->info().space, table->info().name)] = table;
  }
  if (!it->status().ok()) return FromRocks(it->status());
  if (!first_family_table_saved_) {
    first_family_table_ = next_table_id_;
    for (const auto& [id, table] : by_id) {
      first_family_table_ = std::max(first_family_table_, id + 1);
      for (const auto& index : table->info().indexes) {
        first_family_table_ = std::max(first_family_table_, index.id + 1);
      }
    }
    next_table_id_ = first_family_table_;
  }
  if (migration.Count() > 0) {
    Status s = FromRocks(db_->Write(rocksdb::WriteOptions(), &migration));
    if (!s.ok()) return s;
  }
  it.reset();
  // Every table's family exists (CreateTable makes it before the catalog row); should one be
  // missing all the same, the table is served empty rather than not at all.
  for (const auto& [id, table] : by_id) {
    if (id >= first_family_table_) {
      if (Status made = EnsureFamily(id % kFamilies); !made.ok()) return made;
    }
    if (table->info().index_families) {
      for (const auto& index : table->info().indexes) {
        if (Status made = EnsureFamily(index.id % kFamilies); !made.ok()) return made;
      }
    }
  }
  // Item counts and sizes are kept in memory; rebuild them from the rows, family by family.
  std::string row_start(1, kRowPrefix);
  std::set<std::pair<rocksdb::ColumnFamilyHandle*, uint64_t>> orphaned;
  std::set<uint64_t> misplaced;
  std::vector<rocksdb::ColumnFamilyHandle*> scanned{default_cf_};
  for (auto& handle : families_) {
    if (handle) scanned.push_back(handle);
  }
  for (auto* cf : scanned) {
    it.reset(db_->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->Seek(row_start); it->Valid() && it->key().starts_with(row_start); it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (key.size() < 9) continue;
      uint64_t id = DecodeBigEndian(key.substr(1, 8));
      auto found = by_id.find(id);
      if (found == by_id.end()) {
        // A write that raced with DeleteTable: unreachable (ids are never reused). Dropped below.
        orphaned.insert({cf, id});
        continue;
      }
      if (Cf(id) != cf) {  // cannot happen; kept, not served, and said once
        if (misplaced.insert(id).second) {
          std::cerr << "ddbd: rows of table " << id << " found outside its column family; "
                    << "left in place, not served\n";
        }
        continue;
      }
      auto item = DecodeItem(it->value().ToStringView());
      if (!item.ok()) {
        bad_rows.push_back({cf, it->key().ToString(), it->value().ToString()});
        continue;
      }
      found->second->item_count_ += 1;
      found->second->size_bytes_ += static_cast<int64_t>(ItemSize(*item));
      const TableInfo& info = found->second->info();
      int64_t collection_bytes = static_cast<int64_t>(ItemSize(*item));
      for (size_t i = 0; i < info.indexes.size(); ++i) {
        if (auto row = IndexRowFor(info, info.indexes[i], *item)) {
          found->second->index_stats_[i].count += 1;
          found->second->index_stats_[i].bytes += static_cast<int64_t>(ItemSize(row->projected));
          if (!info.indexes[i].global)
            collection_bytes += static_cast<int64_t>(ItemSize(row->projected));
        }
      }
      if (found->second->has_local_indexes()) {
        if (auto pk = PrimaryKeyOf(info, *item)) {
          found->second->collections_[OrderedScalar(pk->hash)] += collection_bytes;
        }
      }
    }
    if (!it->status().ok()) return FromRocks(it->status());
  }
  it.reset();
  for (const auto& [id, table] : by_id) {
    for (const auto& index : table->info().indexes) {
      std::string marker;
      if (db_->Get(rocksdb::ReadOptions(), IndexCompleteKey(index.id), &marker).ok()) continue;
      // Interrupted backfill: redo it (rows already there are kept), counting from scratch.
      size_t pos = &index - table->info().indexes.data();
      table->index_stats_[pos].count = 0;
      table->index_stats_[pos].bytes = 0;
      table->index_stats_[pos].backfilling = true;
      rocksdb::WriteBatch clear;
      clear.DeleteRange(IndexCf(*table, index.id), IndexPrefix(index.id), IndexEnd(index.id));
      Status cleared = FromRocks(db_->Write(rocksdb::WriteOptions(), &clear));
      if (!cleared.ok()) return cleared;
      Status s = Backfill(table, index.name);
      if (!s.ok()) return s;
    }
  }
  for (const auto& row : bad_rows) {
    Quarantine(row.cf, row.key, row.value,
               row.key.starts_with(kCatalogPrefix) ? "catalog entry" : "item");
  }
  if (orphaned.empty()) return Status::Ok();
  rocksdb::WriteBatch batch;
  for (const auto& [cf, id] : orphaned) batch.DeleteRange(cf, TablePrefix(id), TableEnd(id));
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch));
}

Status Store::EnsureFamily(uint64_t n) {
  std::lock_guard lock(families_mu_);
  if (families_[n]) return Status::Ok();
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::ColumnFamilyOptions options(db_->GetOptions());
  Status s = FromRocks(db_->CreateColumnFamily(options, FamilyName(n), &handle));
  if (!s.ok()) return s;
  families_[n].store(handle, std::memory_order_release);
  return Status::Ok();
}

StatusOr<TablePtr> Store::CreateTable(TableInfo info) {
  std::string map_key = CatalogMapKey(info.space, info.name);
  uint64_t id = 0;
  {
    std::unique_lock lock(catalog_mu_);
    if (tables_.count(map_key)) return Status::AlreadyExists("table exists");
    id = next_table_id_;
    next_table_id_ = id + 1 + info.indexes.size();
  }
  // The families of the table's items and of each index's rows, outside the catalog lock that
  // every request takes to find its table: making one writes RocksDB's options file.
  if (id >= first_family_table_) {
    for (uint64_t k = id; k <= id + info.indexes.size(); ++k) {
      if (Status s = EnsureFamily(k % kFamilies); !s.ok()) return s;
    }
  }
  std::unique_lock lock(catalog_mu_);
  if (tables_.count(map_key)) return Status::AlreadyExists("table exists");  // made meanwhile
  info.id = id;
  info.index_families = id >= first_family_table_;
  uint64_t index_id = id + 1;
  for (auto& index : info.indexes) index.id = index_id++;
  rocksdb::WriteBatch batch;
  // The counter as it is now: calls since ours may have advanced it past our ids.
  batch.Put(kNextIdKey, BigEndian(next_table_id_));
  batch.Put(CatalogRowKey(info.space, info.name), EncodeTableInfo(info));
  for (const auto& index : info.indexes) batch.Put(IndexCompleteKey(index.id), "");
  if (!first_family_table_saved_) batch.Put(kFirstFamilyTableKey, BigEndian(first_family_table_));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  Status s = FromRocks(db_->Write(wo, &batch));
  if (!s.ok()) return s;
  first_family_table_saved_ = true;
  auto table = std::make_shared<const Table>(std::move(info));
  tables_[map_key] = table;
  return TablePtr(table);
}

StatusOr<TablePtr> Store::DeleteTable(std::string_view space, std::string_view name) {
  std::unique_lock lock(catalog_mu_);
  auto it = tables_.find(CatalogMapKey(space, name));
  if (it == tables_.end()) return Status::NotFound("no such table");
  TablePtr table = it->second;
  // Every stripe, in ascending order (as MutateMany would take them): no Mutate on this table is
  // between its check of deleted() and its commit, so none can be acknowledged after this point
  // and none can leave a row behind the DeleteRange.
  std::vector<std::unique_lock<std::mutex>> held;
  held.reserve(kStripes);
  for (auto& m : stripes_) held.emplace_back(m);
  rocksdb::WriteBatch batch;
  batch.Delete(CatalogRowKey(space, name));
  batch.DeleteRange(Cf(*table), TablePrefix(table->info().id), TableEnd(table->info().id));
  for (const auto& index : table->info().indexes) {
    batch.DeleteRange(IndexCf(*table, index.id), IndexPrefix(index.id), IndexEnd(index.id));
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  Status s = FromRocks(db_->Write(wo, &batch));
  if (!s.ok()) return s;
  table->deleted_.store(true, std::memory_order_release);
  tables_.erase(it);
  return table;
}

StatusOr<TablePtr> Store::ReplaceTable(const Table& current, TableInfo updated) {
  std::unique_lock lock(catalog_mu_);
  const TableInfo& old = current.info();
  std::string map_key = CatalogMapKey(old.space, old.name);
  auto it = tables_.find(map_key);
  if (it == tables_.end() || it->second.get() != &current) return Status::NotFound("no such table");
  updated.space = old.space;
  updated.name = old.name;
  updated.id = old.id;
  updated.index_families = old.index_families;
  uint64_t next_id = next_table_id_;
  std::vector<bool> fresh;
  for (auto& index : updated.indexes) {
    fresh.push_back(old.FindIndex(index.name) == nullptr);
    if (!fresh.back()) continue;
    index.id = next_id++;
    // Under the catalog lock, unlike CreateTable: UpdateTable is rare, and at most the first
    // use of each of the kFamilies families pays for making it.
    if (updated.index_families) {
      if (Status made = EnsureFamily(index.id % kFamilies); !made.ok()) return made;
    }
  }
  std::vector<std::unique_lock<std::mutex>> held;
  held.reserve(kStripes);
  for (auto& m : stripes_) held.emplace_back(m);
  rocksdb::WriteBatch batch;
  batch.Put(kNextIdKey, BigEndian(next_id));
  batch.Put(CatalogRowKey(old.space, old.name), EncodeTableInfo(updated));
  for (const auto& index : old.indexes) {
    if (!updated.FindIndex(index.name))
      batch.DeleteRange(IndexCf(current, index.id), IndexPrefix(index.id), IndexEnd(index.id));
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  Status s = FromRocks(db_->Write(wo, &batch));
  if (!s.ok()) return s;
  next_table_id_ = next_id;
  auto table = std::make_shared<Table>(std::move(updated));
  table->item_count_ = current.item_count();
  table->size_bytes_ = current.size_bytes();
  for (size_t i = 0; i < table->info().indexes.size(); ++i) {
    const std::string& name = table->info().indexes[i].name;
    for (size_t j = 0; j < old.indexes.size(); ++j) {
      if (old.indexes[j].name != name) continue;
      table->index_stats_[i].count = current.index_item_count(j);
      table->index_stats_[i].bytes = current.index_size_bytes(j);
      table->index_stats_[i].backfilling = current.backfilling(j);
    }
    if (fresh[i]) table->index_stats_[i].backfilling = true;
  }
  {
    std::scoped_lock both(current.collections_mu_, table->collections_mu_);
    table->collections_ = current.collections_;
  }
  current.replaced_.store(true, std::memory_order_release);
  it->second = table;
  return TablePtr(table);
}

Status Store::BackfillRow(const Table& table, size_t pos, const IndexInfo& index,
                          rocksdb::ColumnFamilyHandle* index_cf, const std::string& row_key) {
  std::string value;
  auto got = db_->Get(rocksdb::ReadOptions(), Cf(table), row_key, &value);  // as it is now
  if (got.IsNotFound()) return Status::Ok();
  if (!got.ok()) return FromRocks(got);
  auto item = DecodeItem(value);
  if (!item.ok()) return Status::Ok();
  auto row = IndexRowFor(table.info(), index, *item);
  std::string existing;
  if (!row || db_->Get(rocksdb::ReadOptions(), index_cf, row->key, &existing).ok()) {
    return Status::Ok();
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = options_.path.empty();
  Status put = FromRocks(db_->Put(wo, index_cf, row->key, EncodeItem(row->projected)));
  if (!put.ok()) return put;
  table.index_stats_[pos].count += 1;
  table.index_stats_[pos].bytes += static_cast<int64_t>(ItemSize(row->projected));
  return Status::Ok();
}

Status Store::Backfill(const TablePtr& table, const std::string& index_name) {
  const TableInfo& info = table->info();
  size_t pos = 0;
  while (pos < info.indexes.size() && info.indexes[pos].name != index_name) ++pos;
  if (pos == info.indexes.size()) return Status::NotFound("no such index");
  const IndexInfo index = info.indexes[pos];
  const std::string map_key = CatalogMapKey(info.space, info.name);
  rocksdb::ColumnFamilyHandle* index_cf = IndexCf(*table, index.id);
  // The table object whose index is being built. UpdateTable may replace it meanwhile (a
  // throughput change, or dropping this very index): the backfill goes on with the
  // replacement if it still has the index, and ends if not. `follow` runs under catalog_mu_.
  TablePtr live = table;
  auto follow = [&]() -> bool {
    if (live->deleted()) return false;
    if (live->replaced()) {
      auto it = tables_.find(map_key);
      if (it == tables_.end() || it->second->info().id != info.id) return false;
      live = it->second;
    }
    const auto& now = live->info().indexes;
    for (pos = 0; pos < now.size() && now[pos].id != index.id; ++pos) {
    }
    return pos < now.size();
  };
  auto view = View();
  auto rows = view->Range(*table, {TablePrefix(info.id), TableEnd(info.id), false, std::nullopt});
  while (rows->Valid()) {
    std::string row_key(rows->key());
    {
      std::lock_guard lock(stripes_[std::hash<std::string>{}(row_key) % kStripes]);
      if (closing_ || live->deleted()) return Status::Ok();
      if (!live->replaced()) {
        Status s = BackfillRow(*live, pos, index, index_cf, row_key);
        if (!s.ok()) return s;
        rows->Next();
        continue;
      }
    }
    // Replaced: find the replacement outside the stripe (the catalog lock comes first), then
    // redo this row on it.
    std::shared_lock catalog(catalog_mu_);
    if (!follow()) return Status::Ok();
  }
  if (!rows->status().ok()) return rows->status();
  std::shared_lock catalog(catalog_mu_);  // no replacement while the index is marked done
  if (!follow()) return Status::Ok();
  Status done = FromRocks(db_->Put(rocksdb::WriteOptions(), IndexCompleteKey(index.id), ""));
  if (!done.ok()) return done;
  live->index_stats_[pos].backfilling = false;
  return Status::Ok();
}

void Store::StartBackfill(TablePtr table, std::string index_name) {
  std::lock_guard lock(backfills_mu_);
  try {
    backfills_.emplace_back([this, table, name = index_name] {
      Status s = Backfill(table, name);
      if (!s.ok())
        std::cerr << "ddbd: backfill of index " << name << " failed: " << s.message() << "\n";
    });
  } catch (const std::exception& e) {
    std::cerr << "ddbd: cannot start a backfill thread (" << e.what() << "); backfilling inline\n";
    Status s = Backfill(table, index_name);
    if (!s.ok()) std::cerr << "ddbd: backfill failed: " << s.message() << "\n";
  }
}

TablePtr Store::FindTable(std::string_view space, std::string_view name) const {
  std::shared_lock lock(catalog_mu_);
  auto it = tables_.find(CatalogMapKey(space, name));
  return it == tables_.end() ? nullptr : it->second;
}

std::vector<std::string> Store::ListTables(std::string_view space) const {
  std::shared_lock lock(catalog_mu_);
  std::vector<std::string> names;
  std::string prefix = CatalogMapKey(space, "");
  for (auto it = tables_.lower_bound(prefix);
       it != tables_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
    names.push_back(it->second->info().name);
  }
  return names;
}

StatusOr<std::optional<Item>> Store::Get(const Table& table, const PrimaryKey& key) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), Cf(table), RowKey(table.info().id, key), &value);
  if (s.IsNotFound()) return std::optional<Item>();
  if (!s.ok()) return FromRocks(s);
  auto item = DecodeItem(value);
  if (!item.ok()) return item.status();
  return std::optional<Item>(std::move(item).value());
}

// One write of Mutate or MutateMany while its stripe is held: what decide saw and chose, and
// the statistics to apply once the batch is committed.
struct Store::Staged {
  const Table* table = nullptr;
  const PrimaryKey* key = nullptr;
  const std::function<Decision(const Item*)>* decide = nullptr;
  std::string row_key;
  MutateResult result;
  Decision decision;
  bool writes = false;                                    // a Put, or a Delete of an existing item
  std::vector<std::pair<int64_t, int64_t>> index_deltas;  // count, bytes
  std::string collection_key;                             // tables with LSIs
  int64_t collection_delta = 0;
};

Status Store::ReadAndDecide(Staged& st) {
  const Table& table = *st.table;
  if (table.deleted()) return Status::NotFound("table deleted");
  if (table.replaced()) return Status::Retry("table definition changed");
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), Cf(table), st.row_key, &value);
  if (s.ok()) {
    auto item = DecodeItem(value);
    if (!item.ok()) return item.status();
    st.result.old_item = std::move(item).value();
    auto size = EncodedItemSize(value);  // from the stored header: no second walk
    if (!size.ok()) return size.status();
    st.result.old_size = *size;
  } else if (!s.IsNotFound()) {
    return FromRocks(s);
  }
  try {
    st.decision = (*st.decide)(st.result.old_item ? &*st.result.old_item : nullptr);
  } catch (const std::exception& e) {
    return Status::Aborted(e.what());
  }
  st.result.outcome = st.decision.kind;
  st.writes = st.decision.kind == Decision::Kind::kPut ||
              (st.decision.kind == Decision::Kind::kDelete && st.result.old_item);
  return Status::Ok();
}

Status Store::Stage(Staged& st, rocksdb::WriteBatch& batch) {
  const Table& table = *st.table;
  const Item* old_item = st.result.old_item ? &*st.result.old_item : nullptr;
  const Item* new_item = st.decision.kind == Decision::Kind::kPut ? &st.decision.item : nullptr;
  rocksdb::ColumnFamilyHandle* cf = Cf(table);
  // The item and every index row it gains, changes or loses.
  std::string encoded_new;  // also the value of every projection-ALL index row
  if (new_item) {
    st.result.new_size = ItemSize(*new_item);
    encoded_new = EncodeItem(*new_item, st.result.new_size);
    batch.Put(cf, st.row_key, encoded_new);
  } else {
    batch.Delete(cf, st.row_key);
  }
  const TableInfo& info = table.info();
  st.index_deltas.assign(info.indexes.size(), {0, 0});
  st.result.index_writes.resize(info.indexes.size());
  for (size_t i = 0; i < info.indexes.size(); ++i) {
    const IndexInfo& index = info.indexes[i];
    rocksdb::ColumnFamilyHandle* index_cf = IndexCf(table, index.id);
    auto before = old_item ? IndexRowFor(info, index, *old_item, false) : std::nullopt;
    if (before && table.backfilling(i)) {
      // The backfill may not have reached this item yet: only a row that exists is replaced.
      std::string existing;
      if (!db_->Get(rocksdb::ReadOptions(), index_cf, before->key, &existing).ok()) before.reset();
    }
    auto after = new_item ? IndexRowFor(info, index, *new_item, false) : std::nullopt;
    // A projection-ALL row is the item itself: its size is the item's.
    size_t before_size =
        before ? (before->whole_item ? st.result.old_size : ItemSize(before->projected)) : 0;
    size_t after_size =
        after ? (after->whole_item ? st.result.new_size : ItemSize(after->projected)) : 0;
    MutateResult::IndexWrite& w = st.result.index_writes[i];
    if (before && (!after || after->key != before->key)) {
      batch.Delete(index_cf, before->key);
      w.removed = true;
      w.removed_size = before_size;
    }
    // Both rows are of the same index, so both are whole items or both projections.
    const bool same_row =
        before && after && before->key == after->key &&
        (before->whole_item ? *old_item == *new_item : before->projected == after->projected);
    if (after && !same_row) {
      batch.Put(index_cf, after->key,
                after->whole_item ? encoded_new : EncodeItem(after->projected, after_size));
      w.written = true;
      // A row overwritten in place is charged as an item is: the larger of the two.
      w.written_size =
          before && before->key == after->key ? std::max(after_size, before_size) : after_size;
    }
    st.index_deltas[i] = {(after ? 1 : 0) - (before ? 1 : 0),
                          static_cast<int64_t>(after_size) - static_cast<int64_t>(before_size)};
  }
  // Item collections (tables with LSIs): the partition's items and their LSI rows.
  if (table.has_local_indexes()) {
    st.collection_delta =
        static_cast<int64_t>(st.result.new_size) - static_cast<int64_t>(st.result.old_size);
    for (size_t i = 0; i < info.indexes.size(); ++i) {
      if (!info.indexes[i].global) st.collection_delta += st.index_deltas[i].second;
    }
    st.collection_key = OrderedScalar(st.key->hash);
  }
  return Status::Ok();
}

void Store::ApplyStats(Staged& st) {
  const Table& table = *st.table;
  if (table.has_local_indexes()) {
    std::lock_guard lock(table.collections_mu_);
    int64_t& size = table.collections_[st.collection_key];
    size += st.collection_delta;
    st.result.collection_bytes = size;
    if (size <= 0) table.collections_.erase(st.collection_key);
  }
  for (size_t i = 0; i < st.index_deltas.size(); ++i) {
    table.index_stats_[i].count += st.index_deltas[i].first;
    table.index_stats_[i].bytes += st.index_deltas[i].second;
  }
  auto old_size = static_cast<int64_t>(st.result.old_size);
  if (st.decision.kind == Decision::Kind::kPut) {
    if (!st.result.old_item) table.item_count_ += 1;
    table.size_bytes_ += static_cast<int64_t>(st.result.new_size) - old_size;
  } else {
    table.item_count_ -= 1;
    table.size_bytes_ -= old_size;
  }
}

Status Store::Commit(std::vector<Staged>& staged) {
  // Each thread keeps its batch between writes, so a write allocates nothing for it once the
  // thread has written an item and its index rows (a new 1 KB batch per write was a large
  // request to glibc's malloc, which then consolidates the thread's small freed chunks). A
  // batch that a large write grew is given back.
  static thread_local rocksdb::WriteBatch kept;
  struct Lease {
    rocksdb::WriteBatch& batch;
    ~Lease() {
      if (batch.GetDataSize() > kKeptBatchBytes) batch = rocksdb::WriteBatch();
    }
  } lease{kept};
  rocksdb::WriteBatch& batch = lease.batch;
  batch.Clear();
  for (auto& st : staged) {
    if (!st.writes) continue;
    if (Status s = Stage(st, batch); !s.ok()) return s;
  }
  if (batch.Count() == 0) return Status::Ok();
  // The item-collection limit, with every write of the batch to one partition summed; the
  // writes that grow a collection past it are marked.
  std::map<std::pair<const Table*, std::string_view>, int64_t> growth;
  for (const auto& st : staged) {
    if (st.writes && st.table->has_local_indexes()) {
      growth[{st.table, st.collection_key}] += st.collection_delta;
    }
  }
  bool over = false;
  for (const auto& [where, delta] : growth) {
    std::lock_guard lock(where.first->collections_mu_);
    auto it = where.first->collections_.find(where.second);
    int64_t current = it == where.first->collections_.end() ? 0 : it->second;
    if (delta > 0 && current + delta > options_.max_item_collection_bytes) {
      over = true;
      for (auto& st : staged) {
        if (st.writes && st.table == where.first && st.collection_key == where.second &&
            st.collection_delta > 0) {
          st.result.collection_limit_exceeded = true;
        }
      }
    }
  }
  if (over) return Status::InvalidArgument("item collection size limit");
  rocksdb::WriteOptions wo;
  wo.disableWAL = options_.path.empty();  // nothing to recover in memory
  wo.sync = options_.sync && !wo.disableWAL;
  auto s = db_->Write(wo, &batch);
  if (!s.ok()) return FromRocks(s);
  for (auto& st : staged) {
    if (st.writes) ApplyStats(st);
  }
  return Status::Ok();
}

StatusOr<MutateResult> Store::Mutate(const Table& table, const PrimaryKey& key,
                                     const std::function<Decision(const Item*)>& decide) {
  std::vector<Staged> staged(1);
  Staged& st = staged[0];
  st.table = &table;
  st.key = &key;
  st.decide = &decide;
  st.row_key = RowKey(table.info().id, key);
  std::lock_guard lock(stripes_[std::hash<std::string>{}(st.row_key) % kStripes]);
  if (Status s = ReadAndDecide(st); !s.ok()) return s;
  if (st.decision.kind == Decision::Kind::kFail) return std::move(st.result);
  if (Status s = Commit(staged); !s.ok()) return s;
  return std::move(st.result);
}

StatusOr<MutateManyResult> Store::MutateMany(const std::vector<MutateOp>& ops) {
  std::vector<Staged> staged(ops.size());
  std::vector<size_t> stripes;
  std::set<std::string_view> seen;
  for (size_t i = 0; i < ops.size(); ++i) {
    staged[i].table = ops[i].table;
    staged[i].key = &ops[i].key;
    staged[i].decide = &ops[i].decide;
    staged[i].row_key = RowKey(ops[i].table->info().id, ops[i].key);
    if (!seen.insert(staged[i].row_key).second) {
      return Status::InvalidArgument("two operations on one item");
    }
    stripes.push_back(std::hash<std::string>{}(staged[i].row_key) % kStripes);
  }
  // Every stripe once, in ascending order: two MutateMany calls never wait on each other in a
  // cycle, and a single Mutate holds one stripe only.
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> held;
  held.reserve(stripes.size());
  for (size_t stripe : stripes) held.emplace_back(stripes_[stripe]);

  MutateManyResult out;
  bool failed = false;
  for (auto& st : staged) {
    if (Status s = ReadAndDecide(st); !s.ok()) return s;
    failed |= st.decision.kind == Decision::Kind::kFail;
  }
  if (!failed) {
    Status s = Commit(staged);
    bool limit = s.code() == Status::Code::kInvalidArgument;
    if (!s.ok() && !limit) return s;
    out.committed = s.ok();  // over the collection limit: nothing written, the ops say which
  }
  out.results.reserve(staged.size());
  for (auto& st : staged) out.results.push_back(std::move(st.result));
  return out;
}

}  // namespace ddbd::storage
