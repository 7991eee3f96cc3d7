// The memory-mode file system (storage/memory_file_system.h): file contents against a
// std::string model across chunk boundaries, the name operations RocksDB relies on, and a
// database that flushes, compacts, closes and opens again on it.
#include "storage/memory_file_system.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using rocksdb::FileOptions;
using rocksdb::IOOptions;
using rocksdb::Slice;

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::unique_ptr<rocksdb::FSWritableFile> Create(rocksdb::FileSystem& fs, const std::string& name) {
  std::unique_ptr<rocksdb::FSWritableFile> f;
  REQUIRE(fs.NewWritableFile(name, FileOptions(), &f, nullptr).ok());
  return f;
}

std::string ReadAll(rocksdb::FileSystem& fs, const std::string& name) {
  std::unique_ptr<rocksdb::FSSequentialFile> f;
  REQUIRE(fs.NewSequentialFile(name, FileOptions(), &f, nullptr).ok());
  std::string out;
  std::vector<char> scratch(1000);
  for (;;) {
    Slice got;
    REQUIRE(f->Read(scratch.size(), IOOptions(), &got, scratch.data(), nullptr).ok());
    out.append(got.data(), got.size());
    if (got.size() < scratch.size()) return out;
  }
}

}  // namespace

TEST_CASE("memory file system: contents match a model across chunk boundaries") {
  auto fs = ddbd::storage::NewMemoryFileSystem();
  REQUIRE(fs->CreateDirIfMissing("/db", IOOptions(), nullptr).ok());
  std::mt19937_64 rng(7);
  auto file = Create(*fs, "/db/data");
  std::string model;
  // Small appends, appends that span several chunks (64 KB doubling to 2 MB), and empty ones:
  // past 8 MB in all.
  while (model.size() < (9u << 20)) {
    size_t n = rng() % 4 == 0 ? rng() % (3u << 20) : rng() % 5000;
    std::string bytes = RandomBytes(rng, n);
    REQUIRE(file->Append(bytes, IOOptions(), nullptr).ok());
    model += bytes;
    REQUIRE(file->GetFileSize(IOOptions(), nullptr) == model.size());
  }
  REQUIRE(file->Close(IOOptions(), nullptr).ok());
  uint64_t size = 0;
  REQUIRE(fs->GetFileSize("/db/data", IOOptions(), &size, nullptr).ok());
  CHECK(size == model.size());

  std::unique_ptr<rocksdb::FSRandomAccessFile> reader;
  REQUIRE(fs->NewRandomAccessFile("/db/data", FileOptions(), &reader, nullptr).ok());
  std::vector<char> scratch(3u << 20);
  for (int i = 0; i < 2000; ++i) {
    uint64_t offset = rng() % (model.size() + 100);
    size_t n = rng() % 2 ? rng() % 9000 : rng() % scratch.size();
    Slice got;
    REQUIRE(reader->Read(offset, n, IOOptions(), &got, scratch.data(), nullptr).ok());
    std::string want = offset < model.size() ? model.substr(offset, n) : "";
    REQUIRE(got.ToString() == want);  // short at the end of the file, empty past it
  }
  // Every chunk boundary, read across.
  for (uint64_t boundary :
       {64u << 10, 192u << 10, 448u << 10, 960u << 10, 1984u << 10, 4032u << 10, 6080u << 10}) {
    Slice got;
    REQUIRE(reader->Read(boundary - 3, 7, IOOptions(), &got, scratch.data(), nullptr).ok());
    CHECK(got.ToString() == model.substr(boundary - 3, 7));
  }

  // Sequentially, with skips.
  std::unique_ptr<rocksdb::FSSequentialFile> seq;
  REQUIRE(fs->NewSequentialFile("/db/data", FileOptions(), &seq, nullptr).ok());
  uint64_t pos = 0;
  while (pos < model.size()) {
    if (rng() % 3 == 0) {
      uint64_t skip = rng() % 300000;
      REQUIRE(seq->Skip(skip).ok());
      pos = std::min<uint64_t>(pos + skip, model.size());
      continue;
    }
    size_t n = rng() % 200000;
    Slice got;
    REQUIRE(seq->Read(n, IOOptions(), &got, scratch.data(), nullptr).ok());
    REQUIRE(got.ToString() == model.substr(pos, n));
    pos += got.size();
  }
  CHECK(ReadAll(*fs, "/db/data") == model);
}

TEST_CASE("memory file system: truncation keeps the prefix and appends continue after it") {
  auto fs = ddbd::storage::NewMemoryFileSystem();
  std::mt19937_64 rng(11);
  auto file = Create(*fs, "/f");
  std::string model = RandomBytes(rng, 3u << 20);
  REQUIRE(file->Append(model, IOOptions(), nullptr).ok());
  for (uint64_t to :
       {uint64_t{2u << 20}, uint64_t{(448u << 10) + 5}, uint64_t{64u << 10}, uint64_t{0}}) {
    REQUIRE(file->Truncate(to, IOOptions(), nullptr).ok());
    model.resize(to);
    std::string more = RandomBytes(rng, 100000);
    REQUIRE(file->Append(more, IOOptions(), nullptr).ok());
    model += more;
    REQUIRE(ReadAll(*fs, "/f") == model);
  }
  REQUIRE(file->Truncate(model.size() + 10, IOOptions(), nullptr).ok());  // never grows
  CHECK(ReadAll(*fs, "/f") == model);
}

TEST_CASE("memory file system: names, directories, renames, deletes and locks") {
  auto fs = ddbd::storage::NewMemoryFileSystem();
  IOOptions io;
  REQUIRE(fs->CreateDir("/db", io, nullptr).ok());
  CHECK(fs->CreateDir("/db", io, nullptr).IsIOError());
  REQUIRE(fs->CreateDirIfMissing("/db/sub", io, nullptr).ok());
  REQUIRE(fs->CreateDirIfMissing("/db/sub", io, nullptr).ok());
  for (const char* name : {"/db/a", "/db//b", "/db/sub/c", "/other"}) {
    auto f = Create(*fs, name);
    REQUIRE(f->Append(std::string(name), io, nullptr).ok());
  }
  std::vector<std::string> children;
  REQUIRE(fs->GetChildren("/db/", io, &children, nullptr).ok());
  std::sort(children.begin(), children.end());
  CHECK(children == std::vector<std::string>{"a", "b", "sub"});
  CHECK(fs->GetChildren("/nowhere", io, &children, nullptr).IsPathNotFound());

  bool is_dir = false;
  REQUIRE(fs->IsDirectory("/db/sub", io, &is_dir, nullptr).ok());
  CHECK(is_dir);
  REQUIRE(fs->IsDirectory("/db/a", io, &is_dir, nullptr).ok());
  CHECK_FALSE(is_dir);
  CHECK(fs->FileExists("/db/b", io, nullptr).ok());
  CHECK(fs->FileExists("/db/sub", io, nullptr).ok());
  CHECK(fs->FileExists("/db/z", io, nullptr).IsNotFound());
  CHECK(fs->NewWritableFile("/db/sub", FileOptions(), nullptr, nullptr).IsIOError());

  // A new writable file replaces the old contents; a rename replaces its target.
  auto again = Create(*fs, "/db/a");
  REQUIRE(again->Append("new", io, nullptr).ok());
  CHECK(ReadAll(*fs, "/db/a") == "new");
  REQUIRE(fs->RenameFile("/db/a", "/db/b", io, nullptr).ok());
  CHECK(ReadAll(*fs, "/db/b") == "new");
  CHECK(fs->FileExists("/db/a", io, nullptr).IsNotFound());
  CHECK(fs->RenameFile("/db/a", "/db/c", io, nullptr).IsPathNotFound());

  // A deleted file stays readable through a handle opened before.
  std::unique_ptr<rocksdb::FSRandomAccessFile> open;
  REQUIRE(fs->NewRandomAccessFile("/db/b", FileOptions(), &open, nullptr).ok());
  REQUIRE(fs->DeleteFile("/db/b", io, nullptr).ok());
  CHECK(fs->DeleteFile("/db/b", io, nullptr).IsPathNotFound());
  CHECK(fs->NewRandomAccessFile("/db/b", FileOptions(), &open, nullptr).IsPathNotFound());
  char scratch[8];
  Slice got;
  REQUIRE(open->Read(0, 8, io, &got, scratch, nullptr).ok());
  CHECK(got.ToString() == "new");

  REQUIRE(fs->LinkFile("/other", "/db/link", io, nullptr).ok());
  CHECK(ReadAll(*fs, "/db/link") == "/other");
  CHECK(fs->LinkFile("/other", "/db/link", io, nullptr).IsIOError());

  CHECK(fs->DeleteDir("/db/sub", io, nullptr).IsIOError());  // not empty
  REQUIRE(fs->CreateDir("/db/sub/deeper", io, nullptr).ok());
  REQUIRE(fs->DeleteFile("/db/sub/c", io, nullptr).ok());
  CHECK(fs->DeleteDir("/db/sub", io, nullptr).IsIOError());  // a directory in it
  REQUIRE(fs->DeleteDir("/db/sub/deeper", io, nullptr).ok());
  REQUIRE(fs->DeleteDir("/db/sub", io, nullptr).ok());
  CHECK(fs->DeleteDir("/db/sub", io, nullptr).IsPathNotFound());

  rocksdb::FileLock* lock = nullptr;
  REQUIRE(fs->LockFile("/db/LOCK", io, &lock, nullptr).ok());
  rocksdb::FileLock* second = nullptr;
  CHECK(fs->LockFile("/db/LOCK", io, &second, nullptr).IsIOError());
  REQUIRE(fs->UnlockFile(lock, io, nullptr).ok());
  REQUIRE(fs->LockFile("/db/LOCK", io, &second, nullptr).ok());
  REQUIRE(fs->UnlockFile(second, io, nullptr).ok());

  std::string absolute;
  REQUIRE(fs->GetAbsolutePath("db//x/", io, &absolute, nullptr).ok());
  CHECK(absolute == "/db/x");
  CHECK(ReadAll(*fs, "db/link") == "/other");  // a relative path names the same file
}

TEST_CASE("memory file system: a deleted file's chunks serve new files only once it is closed") {
  auto fs = ddbd::storage::NewMemoryFileSystem();
  IOOptions io;
  std::mt19937_64 rng(5);
  // Past 4 MB: the file holds 2 MB chunks, which go to the pool when it is gone.
  std::string first = RandomBytes(rng, 5u << 20);
  auto writer = Create(*fs, "/old");
  REQUIRE(writer->Append(first, io, nullptr).ok());
  writer.reset();
  std::unique_ptr<rocksdb::FSRandomAccessFile> reader;
  REQUIRE(fs->NewRandomAccessFile("/old", FileOptions(), &reader, nullptr).ok());
  REQUIRE(fs->DeleteFile("/old", io, nullptr).ok());
  // Written while the deleted file is still open: its chunks are not the pool's yet.
  std::string second = RandomBytes(rng, 5u << 20);
  writer = Create(*fs, "/new");
  REQUIRE(writer->Append(second, io, nullptr).ok());
  std::vector<char> scratch(first.size());
  Slice got;
  REQUIRE(reader->Read(0, first.size(), io, &got, scratch.data(), nullptr).ok());
  CHECK(got.ToString() == first);
  // Closed: a third file takes its chunks, and each file keeps its own bytes.
  reader.reset();
  std::string third = RandomBytes(rng, 5u << 20);
  auto writer3 = Create(*fs, "/third");
  REQUIRE(writer3->Append(third, io, nullptr).ok());
  CHECK(ReadAll(*fs, "/new") == second);
  CHECK(ReadAll(*fs, "/third") == third);
  // Rewritten in place of another: the old one's chunks are given back, the new one is whole.
  auto writer4 = Create(*fs, "/third");
  std::string fourth = RandomBytes(rng, 3u << 20);
  REQUIRE(writer4->Append(fourth, io, nullptr).ok());
  writer3.reset();
  CHECK(ReadAll(*fs, "/third") == fourth);
  CHECK(ReadAll(*fs, "/new") == second);
}

TEST_CASE("memory file system: readers race a writer") {
  auto fs = ddbd::storage::NewMemoryFileSystem();
  IOOptions io;
  std::mt19937_64 rng(9);
  const std::string done = RandomBytes(rng, 3u << 20);
  auto w = Create(*fs, "/done");
  REQUIRE(w->Append(done, io, nullptr).ok());
  const std::string growing = RandomBytes(rng, 6u << 20);
  auto g = Create(*fs, "/growing");
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937_64 r(t);
      std::unique_ptr<rocksdb::FSRandomAccessFile> a, b;
      if (!fs->NewRandomAccessFile("/done", FileOptions(), &a, nullptr).ok() ||
          !fs->NewRandomAccessFile("/growing", FileOptions(), &b, nullptr).ok()) {
        ++bad;
        return;
      }
      std::vector<char> scratch(70000);
      while (!stop) {
        uint64_t offset = r() % done.size();
        size_t n = r() % scratch.size();
        Slice got;
        if (!a->Read(offset, n, io, &got, scratch.data(), nullptr).ok() ||
            got.ToString() != done.substr(offset, n)) {
          ++bad;
        }
        // What the growing file holds is always a prefix of what is being written.
        if (!b->Read(offset, n, io, &got, scratch.data(), nullptr).ok() ||
            got.ToString() != growing.substr(offset, got.size())) {
          ++bad;
        }
      }
    });
  }
  for (size_t at = 0; at < growing.size(); at += 4099) {
    REQUIRE(g->Append(Slice(growing.data() + at, std::min<size_t>(4099, growing.size() - at)), io,
                      nullptr)
                .ok());
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(bad == 0);
  CHECK(ReadAll(*fs, "/growing") == growing);
}

TEST_CASE("memory file system: a database flushes, compacts and opens again on it") {
  auto env = rocksdb::NewCompositeEnv(ddbd::storage::NewMemoryFileSystem());
  rocksdb::Options o;
  o.create_if_missing = true;
  o.env = env.get();
  o.write_buffer_size = 256 << 10;  // many flushes and compactions
  o.target_file_size_base = 256 << 10;
  std::map<std::string, std::string> model;
  std::mt19937_64 rng(3);
  for (int round = 0; round < 2; ++round) {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, "/mem-db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    // What the last round wrote was read back from the files after the reopen.
    for (const auto& [k, v] : model) {
      std::string got;
      REQUIRE(db->Get(rocksdb::ReadOptions(), k, &got).ok());
      REQUIRE(got == v);
    }
    for (int i = 0; i < 20000; ++i) {
      std::string key = "k" + std::to_string(rng() % 15000);
      if (rng() % 10 == 0) {
        REQUIRE(db->Delete(rocksdb::WriteOptions(), key).ok());
        model.erase(key);
      } else {
        std::string value = RandomBytes(rng, rng() % 300);
        REQUIRE(db->Put(rocksdb::WriteOptions(), key, value).ok());
        model[key] = value;
      }
    }
    REQUIRE(db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    auto want = model.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++want) {
      REQUIRE(want != model.end());
      REQUIRE(it->key().ToString() == want->first);
      REQUIRE(it->value().ToString() == want->second);
    }
    REQUIRE(it->status().ok());
    CHECK(want == model.end());
    it.reset();
    REQUIRE(db->Close().ok());
  }
}
