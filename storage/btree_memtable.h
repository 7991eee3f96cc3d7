// A memtable for RocksDB whose search structure is a B+ tree of small nodes, in place of
// RocksDB's skip list (in memory mode; storage/store.cc).
//
// Why: every insert and every lookup in a skip list walks ~30 nodes, each a row somewhere in the
// memtable's 64 MB; below the few top levels each step is a miss to main memory (~140 ns on the
// machines ddbd was measured on, docs/performance.md). An index row's insert is such a cold walk:
// nothing reads its path first. Here the path is a few nodes of 30 slots, each slot holding eight
// bytes of its key (read past the bytes every key in the node shares) beside the row's address:
// the inner nodes are a few hundred KB and stay in cache, and a search reads a row only when
// those eight bytes tie.
//
// Contract (RocksDB's MemTableRep): one writer at a time (the factory says inserts cannot run
// concurrently, so RocksDB needs allow_concurrent_memtable_write = false), readers at any time.
// Readers take no lock: the writer raises a version counter around each insert (odd while it
// changes nodes), and a reader that saw it change retries. Nodes are never freed before the
// memtable (they live in its arena), so a reader that raced a change reads stale but valid
// memory before it retries. Rows must be ordered by RocksDB's internal key comparator over
// bytewise user keys, which is what ddbd uses: the eight bytes per slot order keys only then.
#pragma once

#include <rocksdb/memtablerep.h>

#include <memory>

namespace ddbd::storage {

std::shared_ptr<rocksdb::MemTableRepFactory> NewBTreeMemTableFactory();

}  // namespace ddbd::storage
