// Store: tables and items on RocksDB. The one write primitive is Mutate(table, key, decide): it
// locks the key's stripe, reads the current item, runs `decide` on it and commits the outcome in
// one WriteBatch, so a condition check and its write are a single atomic step per item.
// Readers never lock: a batch is atomic, so a read sees an item before or after a write.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/key_codec.h"
#include "storage/status.h"
#include "storage/value.h"

namespace rocksdb {
class DB;
class WriteBatch;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace ddbd::storage {

struct StoreOptions {
  // Where the database lives. Empty: in memory (RocksDB over its memory Env, same code path).
  std::string path;
  // fsync the write-ahead log on every commit. Off: an acknowledged write survives a process
  // crash (it is in the OS) but not a power loss.
  bool sync = false;
  // The item-collection limit of tables with local secondary indexes (a partition's items plus
  // their LSI rows); DynamoDB's is 10 GB. Smaller values let tests reach it.
  int64_t max_item_collection_bytes = 10LL * 1024 * 1024 * 1024;
};

struct KeyAttribute {
  std::string name;
  ValueType type = ValueType::kS;  // S, N or B
};

enum class ProjectionType { kAll, kKeysOnly, kInclude };

// A secondary index as storage maintains it: its key attributes (a tuple of up to four each for
// a multi-attribute GSI key; an LSI has the table's partition key and one sort attribute) and
// what it projects. Index rows are written in the same batch as the item.
struct IndexInfo {
  std::string name;
  uint64_t id = 0;  // assigned by CreateTable, never reused (shares the table-id counter)
  bool global = true;
  std::vector<KeyAttribute> hash;
  std::vector<KeyAttribute> range;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude
};

// What the catalog keeps for a table. `meta` holds the API layer's own description fields.
struct TableInfo {
  std::string space;  // the data namespace (per access key and region, or shared)
  std::string name;
  uint64_t id = 0;  // assigned by CreateTable, never reused
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  std::vector<IndexInfo> indexes;
  Item meta;
  // Where the index rows are: in the column family of each index's own id (every table
  // CreateTable makes now sets it), or else in the table's, beside its items (tables made
  // before index rows had families of their own, and the GSIs later added to them).
  bool index_families = false;

  const IndexInfo* FindIndex(std::string_view index_name) const {
    for (const auto& i : indexes) {
      if (i.name == index_name) return &i;
    }
    return nullptr;
  }
};

// A range of row keys, read in order on a snapshot. [begin, end); in reverse from the end.
// `exclusive_start`, when set, is a key the read starts after (before, in reverse).
// The range is within one keyspace, which `begin` names: a table's item rows (kRowPrefix |
// table id | ...) or one index's rows (kIndexPrefix | index id | ...).
struct RangeOptions {
  std::string begin;
  std::string end;
  bool reverse = false;
  std::optional<std::string> exclusive_start;
};

class RangeReader {
 public:
  virtual ~RangeReader() = default;
  virtual bool Valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;  // encoded item (EncodeItem)
  virtual void Next() = 0;
  virtual Status status() const = 0;
};

class Table;

// A consistent view of the store at one instant (a RocksDB snapshot): every read through it sees
// the same state, so a query that fetches table items for index rows never mixes two states.
class ReadView {
 public:
  virtual ~ReadView() = default;
  virtual StatusOr<std::optional<Item>> Get(const Table& table, const PrimaryKey& key) const = 0;
  // The item as stored (EncodeItem's bytes), for readers that answer without decoding it.
  virtual StatusOr<std::optional<std::string>> GetEncoded(const Table& table,
                                                          const PrimaryKey& key) const = 0;
  // Rows of `table`: its items (TablePrefix) or the rows of one of its indexes (IndexPrefix).
  virtual std::unique_ptr<RangeReader> Range(const Table& table,
                                             const RangeOptions& options) const = 0;
};

class Table {
 public:
  explicit Table(TableInfo info)
      : info_(std::move(info)), index_stats_(new IndexStats[info_.indexes.size()]) {}
  const TableInfo& info() const { return info_; }
  int64_t item_count() const { return item_count_.load(std::memory_order_relaxed); }
  int64_t size_bytes() const { return size_bytes_.load(std::memory_order_relaxed); }
  // Entries and bytes (ItemSize of the projected items) of info().indexes[i].
  int64_t index_item_count(size_t i) const { return index_stats_[i].count.load(); }
  int64_t index_size_bytes(size_t i) const { return index_stats_[i].bytes.load(); }
  // Set by DeleteTable while it holds every stripe lock: a Mutate that found this table before
  // it was deleted sees the flag under its own stripe lock and writes nothing.
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  // Set when UpdateTable replaced this object by a newer definition (under every stripe lock):
  // a Mutate through this handle answers Status::Retry.
  bool replaced() const { return replaced_.load(std::memory_order_acquire); }
  // Whether info().indexes[i] is still being filled from the table's existing items.
  bool backfilling(size_t i) const { return index_stats_[i].backfilling.load(); }
  bool has_local_indexes() const {
    for (const auto& i : info_.indexes) {
      if (!i.global) return true;
    }
    return false;
  }

 private:
  friend class Store;
  TableInfo info_;
  mutable std::atomic<bool> deleted_{false};
  mutable std::atomic<bool> replaced_{false};
  mutable std::atomic<int64_t> item_count_{0};
  mutable std::atomic<int64_t> size_bytes_{0};
  struct IndexStats {
    std::atomic<int64_t> count{0};
    std::atomic<int64_t> bytes{0};
    std::atomic<bool> backfilling{false};
  };
  std::unique_ptr<IndexStats[]> index_stats_;
  // Item collection sizes by partition key bytes, for tables with LSIs (rebuilt on open).
  mutable std::mutex collections_mu_;
  mutable std::map<std::string, int64_t, std::less<>> collections_;
};
using TablePtr = std::shared_ptr<const Table>;

// What a decide function wants done with the item.
struct Decision {
  // kKeep: write nothing and do not fail (a transaction's ConditionCheck that holds).
  enum class Kind { kPut, kDelete, kFail, kKeep };
  Kind kind = Kind::kFail;
  Item item;  // the new item, for kPut

  static Decision Put(Item item) { return {Kind::kPut, std::move(item)}; }
  static Decision Delete() { return {Kind::kDelete, {}}; }
  static Decision Fail() { return {Kind::kFail, {}}; }
  static Decision Keep() { return {Kind::kKeep, {}}; }
};

// The index row an item has in `index` (its key, and the projected item as value), or nothing
// when the item lacks an index key attribute or has one of another type (sparse indexes).
// With copy_all false, a row of a projection-ALL index leaves `projected` empty and sets
// whole_item: its value is the item itself, which the caller has at hand (the write path reuses
// the item's encoded bytes instead of copying and encoding it once more per index).
struct IndexRow {
  std::string key;
  Item projected;
  bool whole_item = false;
};
std::optional<IndexRow> IndexRowFor(const TableInfo& table, const IndexInfo& index,
                                    const Item& item, bool copy_all = true);
// The key of a table item (the table's primary key attributes) as a tuple: the suffix of every
// index row, so index rows of equal index keys are distinct and name their item.
std::optional<PrimaryKey> PrimaryKeyOf(const TableInfo& table, const Item& item);

struct MutateResult {
  Decision::Kind outcome = Decision::Kind::kFail;
  std::optional<Item> old_item;  // the item decide saw (absent: there was none)
  size_t old_size = 0;           // ItemSize of old_item (0: none)
  size_t new_size = 0;           // ItemSize of the written item (kPut)
  // Tables with local secondary indexes: the size of the item collection (the partition's items
  // plus their LSI rows) after the write.
  int64_t collection_bytes = 0;
  // MutateMany: this op's write would have grown its item collection past the limit
  // (StoreOptions::max_item_collection_bytes), so nothing was written.
  bool collection_limit_exceeded = false;
  // What the write did to each secondary index (TableInfo::indexes order): the row it removed
  // and the row it wrote, with their ItemSize (for a row overwritten in place, the larger of
  // the old and the new). An index row that stays as it was is neither.
  struct IndexWrite {
    bool removed = false;
    size_t removed_size = 0;
    bool written = false;
    size_t written_size = 0;
  };
  std::vector<IndexWrite> index_writes;
};

// One write of MutateMany: decide runs on the current item of table/key, as for Mutate.
struct MutateOp {
  const Table* table = nullptr;
  PrimaryKey key;
  std::function<Decision(const Item*)> decide;
};

struct MutateManyResult {
  // True when every decide returned Put, Delete or Keep and all writes were committed in one
  // batch; false when some decide returned Fail or a write would have grown its item collection
  // past the limit (MutateResult::collection_limit_exceeded), and then nothing was written.
  bool committed = false;
  std::vector<MutateResult> results;  // one per op, in order (old_item and outcome always)
};

// The data namespace of a caller: unambiguous for any access key and region (the access key is
// length-prefixed, so key "a_b" in region "c" and key "a" in region "b_c" never meet).
std::string SpaceFor(std::string_view access_key, std::string_view region);
// The namespace every caller shares with -sharedDb.
inline constexpr std::string_view kSharedSpace = "shared";

class Store {
 public:
  static StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Assigns a fresh id. AlreadyExists when the space has a table of that name.
  StatusOr<TablePtr> CreateTable(TableInfo info);
  // Removes the table and all its rows in one batch. NotFound when absent.
  StatusOr<TablePtr> DeleteTable(std::string_view space, std::string_view name);
  TablePtr FindTable(std::string_view space, std::string_view name) const;
  // Table names of a space in ascending byte order.
  std::vector<std::string> ListTables(std::string_view space) const;
  // UpdateTable: replaces the table's definition (meta, indexes) under every stripe lock and
  // returns the new handle; writes through the old one answer Status::Retry. Indexes are
  // matched by name: a new one (id 0) gets an id and starts backfilling; a dropped one's rows
  // are deleted in the same batch as the catalog change.
  StatusOr<TablePtr> ReplaceTable(const Table& current, TableInfo updated);
  // Fills a new index from the table's existing items, each under its own key's lock (writes
  // meanwhile maintain the index themselves); clears the index's backfilling flag when done.
  // An UpdateTable meanwhile does not stop it: it goes on with the replacing table while that
  // still has the index.
  Status Backfill(const TablePtr& table, const std::string& index_name);
  // Runs Backfill on a background thread of the store's (joined when the store closes).
  void StartBackfill(TablePtr table, std::string index_name);
  // Rows moved aside by Open because they could not be decoded.
  size_t quarantined() const { return quarantined_; }

  StatusOr<std::optional<Item>> Get(const Table& table, const PrimaryKey& key) const;
  // A snapshot to read ranges (Query, Scan) and items consistently.
  std::unique_ptr<ReadView> View() const;
  // One range read, at the instant it starts, without a snapshot: a RocksDB iterator is a
  // consistent view of its own, and taking and releasing a snapshot costs two turns of the
  // database's mutex. For a Query or Scan that reads nothing else.
  std::unique_ptr<RangeReader> Range(const Table& table, const RangeOptions& options) const;

  // Runs decide(current item or nullptr) under the key's lock and commits its decision.
  // decide must not call the store. An exception escaping decide is caught here and reported as
  // kAborted (storage never throws). NotFound when the table was deleted before the commit.
  StatusOr<MutateResult> Mutate(const Table& table, const PrimaryKey& key,
                                const std::function<Decision(const Item*)>& decide);
  // Transactions: locks the stripes of all keys (sorted, each once, so concurrent calls cannot
  // deadlock), runs every decide on its current item, and then either commits every write with
  // its index rows in one batch or, if any decide returned Fail, writes nothing. Every decide
  // runs, so each op's outcome is known. Two ops on one item: InvalidArgument. Status as Mutate.
  StatusOr<MutateManyResult> MutateMany(const std::vector<MutateOp>& ops);

 private:
  // One row of Backfill, under its key's stripe lock: indexes the item as it is now.
  Status BackfillRow(const Table& table, size_t pos, const IndexInfo& index,
                     rocksdb::ColumnFamilyHandle* index_cf, const std::string& row_key);
  Store() = default;
  class SnapshotView;  // View()'s ReadView
  Status LoadCatalog();
  // The column family of a keyspace (a table's item rows, or an index's rows): one of
  // kFamilies by its id, or the default family for a table made before the store had them.
  // (CreateTable and ReplaceTable make the families before the table uses them.)
  rocksdb::ColumnFamilyHandle* Cf(uint64_t id) const {
    return id >= first_family_table_ ? families_[id % kFamilies].load(std::memory_order_acquire)
                                     : default_cf_;
  }
  // Makes family n unless it exists.
  Status EnsureFamily(uint64_t n);
  // A table's item rows.
  rocksdb::ColumnFamilyHandle* Cf(const Table& table) const { return Cf(table.info().id); }
  // The rows of one of the table's indexes: in the index's family (TableInfo::index_families),
  // or beside the items. An index row's neighbours are then its index's rows, and an item's
  // are items: a Query walks its partition's items without stepping over index rows.
  rocksdb::ColumnFamilyHandle* IndexCf(const Table& table, uint64_t index_id) const {
    return table.info().index_families ? Cf(index_id) : Cf(table);
  }
  // The family of the keyspace a row key or range bound names (see RangeOptions).
  rocksdb::ColumnFamilyHandle* KeyCf(const Table& table, std::string_view key) const;
  // The write path shared by Mutate and MutateMany, with the stripes held (store.cc).
  struct Staged;
  Status ReadAndDecide(Staged& st);
  Status Stage(Staged& st, rocksdb::WriteBatch& batch);
  void ApplyStats(Staged& st);
  Status Commit(std::vector<Staged>& staged);
  // Moves an undecodable row out of the way (logged), so opening never fails because of it.
  void Quarantine(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string_view value,
                  const std::string& why);

  StoreOptions options_;
  std::unique_ptr<rocksdb::Env> mem_env_;
  std::unique_ptr<rocksdb::DB> db_;
  // Tables' rows are spread over kFamilies column families by table id (consecutive tables in
  // different ones), each with its own memtables and files: a table's reads do not walk the
  // rows that tables in other families write, nor wait for their flushes.
  // Not one family per table: RocksDB rewrites and re-verifies its options file, a section per
  // family, whenever a family is made or dropped (~0.7 ms per section here), so CreateTable
  // would grow slower with every table (~100 ms at 500 tables). A family is made by the first
  // CreateTable that needs it, not by Open (making 16 at open took ~80 ms); the eighth costs
  // that CreateTable ~6 ms.
  static constexpr uint64_t kFamilies = 8;
  std::array<std::atomic<rocksdb::ColumnFamilyHandle*>, kFamilies> families_{};
  std::mutex families_mu_;  // EnsureFamily
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  // Tables with smaller ids were made before the store had families: their rows stay in the
  // default family.
  uint64_t first_family_table_ = 0;
  bool first_family_table_saved_ = false;  // under catalog_mu_ once open

  mutable std::shared_mutex catalog_mu_;
  std::map<std::string, TablePtr, std::less<>> tables_;  // key: space '\0' name
  uint64_t next_table_id_ = 1;
  size_t quarantined_ = 0;

  std::mutex backfills_mu_;
  std::vector<std::thread> backfills_;
  std::atomic<bool> closing_{false};

  static constexpr size_t kStripes = 1024;
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace ddbd::storage
