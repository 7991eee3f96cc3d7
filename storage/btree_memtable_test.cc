// The B+ tree memtable (storage/btree_memtable.h) through RocksDB itself: every order, seek and
// lookup against a std::map model, through flushes, and readers racing the writer.
#include "storage/btree_memtable.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

struct MemoryDb {
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;
};

MemoryDb OpenMemoryDb(size_t write_buffer_size) {
  MemoryDb m;
  m.env.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  rocksdb::Options o;
  o.create_if_missing = true;
  o.env = m.env.get();
  o.memtable_factory = ddbd::storage::NewBTreeMemTableFactory();
  o.allow_concurrent_memtable_write = false;
  o.write_buffer_size = write_buffer_size;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(o, "/btree-test", &db);
  REQUIRE(s.ok());
  m.db.reset(db);
  REQUIRE(std::string(m.db->GetOptions().memtable_factory->Name()) == "DdbdBTreeFactory");
  return m;
}

// Keys shaped like ddbd's rows: a type byte, one of two 8-byte ids, one of a few 4-byte hashes
// (so many keys share 13 bytes or more), then either 0 to 24 bytes from an alphabet with 00 and
// FF, or (a third of them) one of four runs of 20 to 44 equal bytes and a counter: keys that
// grow at the end of their group, as a GSI partition's rows do when their sort key increases,
// and whose nodes' keys share more bytes than the nodes' fences do, some more than a node keeps.
std::string RandomKey(std::mt19937_64& rng) {
  static const char kAlphabet[] = {'\x00', '\x01', 'a', 'b', 'z', '\x7f', '\x80', '\xff'};
  static uint32_t counter = 0;
  std::string k(1, '\x02');
  k.append(7, '\0');
  k.push_back(rng() % 2 ? '\x05' : '\x06');
  uint32_t hash = static_cast<uint32_t>(rng() % 5) * 0x01010101u;
  for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>(hash >> (8 * i)));
  if (rng() % 3 == 0) {
    int group = static_cast<int>(rng() % 4);
    k.append(20 + 8 * group, static_cast<char>(group == 3 ? '\0' : 'p' + group));
    uint32_t c = counter++;
    for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>(c >> (8 * i)));
    return k;
  }
  int n = static_cast<int>(rng() % 25);
  for (int i = 0; i < n; ++i) k.push_back(kAlphabet[rng() % sizeof(kAlphabet)]);
  return k;
}

rocksdb::WriteOptions NoLog() {
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  return w;
}

void CheckAgainst(rocksdb::DB* db, const std::map<std::string, std::string>& model,
                  std::mt19937_64& rng) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  // Forward and backward, whole.
  auto m = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
    REQUIRE(m != model.end());
    REQUIRE(it->key().ToString() == m->first);
    REQUIRE(it->value().ToString() == m->second);
  }
  REQUIRE(it->status().ok());
  REQUIRE(m == model.end());
  auto r = model.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
    REQUIRE(r != model.rend());
    REQUIRE(it->key().ToString() == r->first);
  }
  REQUIRE(r == model.rend());
  // Seeks to keys present and absent, a few steps each way from there.
  for (int i = 0; i < 300; ++i) {
    std::string target = RandomKey(rng);
    it->Seek(target);
    auto lb = model.lower_bound(target);
    for (int step = 0; step < 3; ++step, ++lb, it->Next()) {
      if (lb == model.end()) {
        REQUIRE(!it->Valid());
        break;
      }
      REQUIRE(it->Valid());
      REQUIRE(it->key().ToString() == lb->first);
    }
    it->SeekForPrev(target);
    auto ub = model.upper_bound(target);
    for (int step = 0; step < 3; ++step, it->Prev()) {
      if (ub == model.begin()) {
        REQUIRE(!it->Valid());
        break;
      }
      --ub;
      REQUIRE(it->Valid());
      REQUIRE(it->key().ToString() == ub->first);
    }
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), target, &value);
    auto found = model.find(target);
    REQUIRE(s.ok() == (found != model.end()));
    if (s.ok()) REQUIRE(value == found->second);
  }
}

void RunModel(size_t write_buffer_size, int operations) {
  auto m = OpenMemoryDb(write_buffer_size);
  std::mt19937_64 rng(write_buffer_size);
  std::map<std::string, std::string> model;
  std::vector<std::string> written;
  for (int i = 0; i < operations; ++i) {
    // Overwrites and deletes of earlier keys as well as new keys: several versions of one user
    // key in the memtable, which tie on every byte but the sequence number.
    std::string key =
        !written.empty() && rng() % 3 == 0 ? written[rng() % written.size()] : RandomKey(rng);
    if (rng() % 6 == 0) {
      REQUIRE(m.db->Delete(NoLog(), key).ok());
      model.erase(key);
    } else {
      std::string value = "v" + std::to_string(i);
      if (rng() % 4 == 0) {  // a batch of several rows, as an item and its index rows are
        rocksdb::WriteBatch batch;
        batch.Put(key, value);
        std::string other = RandomKey(rng);
        batch.Put(other, value + "b");
        model[other] = value + "b";
        written.push_back(other);
        REQUIRE(m.db->Write(NoLog(), &batch).ok());
      } else {
        REQUIRE(m.db->Put(NoLog(), key, value).ok());
      }
      model[key] = value;
      written.push_back(key);
    }
    if (i % (operations / 4) == operations / 4 - 1) CheckAgainst(m.db.get(), model, rng);
  }
  CheckAgainst(m.db.get(), model, rng);
}

}  // namespace

TEST_CASE("the B+ tree memtable orders, seeks and finds as a sorted map does") {
  // 64 MB: everything stays in one memtable, several levels deep.
  RunModel(64 << 20, 40000);
}

TEST_CASE("the B+ tree memtable's rows reach table files whole when memtables are flushed") {
  RunModel(64 << 10, 20000);
}

TEST_CASE("readers racing the B+ tree memtable's writer see every row written before them") {
  auto m = OpenMemoryDb(256 << 20);
  constexpr int kRows = 60000;
  std::vector<std::string> keys;
  std::mt19937_64 rng(7);
  for (int i = 0; i < kRows; ++i) keys.push_back(RandomKey(rng) + "#" + std::to_string(i));
  std::atomic<int> written{0};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int i = 0; i < kRows; ++i) {
      if (!m.db->Put(NoLog(), keys[i], std::to_string(i)).ok()) failed = true;
      written.store(i + 1, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937_64 local(100 + r);
      while (written.load(std::memory_order_acquire) < kRows && !failed) {
        int before = written.load(std::memory_order_acquire);
        if (before == 0) continue;
        // A row written before this Get is found.
        int i = static_cast<int>(local() % before);
        std::string value;
        if (!m.db->Get(rocksdb::ReadOptions(), keys[i], &value).ok() ||
            value != std::to_string(i)) {
          failed = true;
        }
        // A scan from a random row, forwards or backwards: strictly in order, and rows written
        // before the iterator was made that fall in the scanned range (checked for a sample of
        // them) are all seen.
        std::unique_ptr<rocksdb::Iterator> it(m.db->NewIterator(rocksdb::ReadOptions()));
        std::string from = keys[local() % before];
        const bool forward = local() % 2 == 0;
        std::set<std::string> seen;
        std::string last;
        for (forward ? it->Seek(from) : it->SeekForPrev(from); it->Valid() && seen.size() < 200;
             forward ? it->Next() : it->Prev()) {
          std::string k = it->key().ToString();
          if (!last.empty() && !(forward ? last < k : k < last)) failed = true;
          seen.insert(k);
          last = k;
        }
        bool to_edge = !it->Valid();
        for (int sample = 0; sample < 200; ++sample) {
          const std::string& k = keys[local() % before];
          bool in_range =
              forward ? k >= from && (to_edge || k <= last) : k <= from && (to_edge || k >= last);
          if (in_range && !seen.count(k)) failed = true;
        }
        if (!it->status().ok()) failed = true;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  REQUIRE_FALSE(failed.load());
  std::string value;
  for (int i = 0; i < kRows; i += 97) {
    REQUIRE(m.db->Get(rocksdb::ReadOptions(), keys[i], &value).ok());
    REQUIRE(value == std::to_string(i));
  }
}
