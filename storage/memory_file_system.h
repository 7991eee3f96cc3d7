// The file system of memory mode: RocksDB's table files, manifest and the rest, kept in this
// process's memory (storage/store.cc, when no --db-path is given).
//
// Why not RocksDB's own NewMemEnv: it keeps each file in one std::string that every append
// grows. A 64 MB table file is copied again at each doubling (~128 MB of copying for 64 MB
// written) into fresh pages that fault in 4 KB at a time: per perf, four fifths of a flush's
// CPU, and a flush or compaction costs about as much per row as the request that wrote it.
// Here a file is a list of chunks that never move: an append copies its bytes once, into chunks
// of 64 KB doubling up to 2 MB, and chunks of 2 MB or more are aligned to and advised onto
// transparent huge pages (one fault per 2 MB). A deleted file's chunks go back to the system at
// once.
//
// Semantics are those of a local file system as RocksDB uses it: files are named by path,
// directories are names that files live under, a file deleted while open stays readable through
// its open handles, renames replace their target, and locks are advisory within the process.
// Reads copy into the caller's buffer, as RocksDB expects of a file that is not memory-mapped.
#pragma once

#include <rocksdb/file_system.h>

#include <memory>

namespace ddbd::storage {

std::shared_ptr<rocksdb::FileSystem> NewMemoryFileSystem();

}  // namespace ddbd::storage
