#include "storage/memory_file_system.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace ddbd::storage {
namespace {

using rocksdb::FileOptions;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

constexpr size_t kFirstChunk = 64 * 1024;
constexpr size_t kHugePage = 2 * 1024 * 1024;

// One chunk of a file: memory mapped for it alone, so that deleting the file gives it back.
class Chunk {
 public:
  // A chunk of `size` bytes, or null when the system has no memory for it.
  static std::unique_ptr<Chunk> Make(size_t size) {
    if (size < kHugePage) {
      char* data = Map(size);
      return data ? std::unique_ptr<Chunk>(new Chunk(data, size)) : nullptr;
    }
    // Aligned to a huge page, so that every 2 MB of it can be one: map one huge page more and
    // give back what lies outside the aligned range.
    char* raw = Map(size + kHugePage);
    if (!raw) return nullptr;
    char* data = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(raw) + kHugePage - 1) &
                                         ~(kHugePage - 1));
    if (data > raw) munmap(raw, data - raw);
    char* end = raw + size + kHugePage;
    if (end > data + size) munmap(data + size, end - (data + size));
#ifdef MADV_HUGEPAGE
    (void)madvise(data, size, MADV_HUGEPAGE);  // advice only: "never" leaves 4 KB pages
#endif
    return std::unique_ptr<Chunk>(new Chunk(data, size));
  }
  ~Chunk() { munmap(data_, size_); }
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  Chunk(char* data, size_t size) : data_(data), size_(size) {}
  static char* Map(size_t size) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
  }

  char* data_;
  size_t size_;
};

// Huge chunks of deleted files, kept for the next files rather than unmapped: a compaction
// deletes its inputs right after writing its outputs, and a fresh page costs the kernel a fault
// and a zeroing of 2 MB (on the virtual machines ddbd was measured on, a third of a compaction's
// CPU). Kept chunks are marked free to the kernel (MADV_FREE): under memory pressure it takes
// their pages back without swapping, and until then rewriting them costs nothing more. Five
// passes of bench/run.sh's put and put-gsi took 529 of their 1,318 huge chunks from here; the
// rest held data that was new, which no pool can spare.
class ChunkPool {
 public:
  std::unique_ptr<Chunk> Take() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return nullptr;
    auto chunk = std::move(free_.back());
    free_.pop_back();
    return chunk;
  }
  void Give(std::unique_ptr<Chunk> chunk) {
    if (chunk->size() != kHugePage) return;  // unmapped with it
    std::lock_guard lock(mu_);
    if (free_.size() >= kKeptChunks) return;
#ifdef MADV_FREE
    (void)madvise(chunk->data(), chunk->size(), MADV_FREE);
#endif
    free_.push_back(std::move(chunk));
  }

 private:
  static constexpr size_t kKeptChunks = 128;  // 256 MB
  std::mutex mu_;
  std::vector<std::unique_ptr<Chunk>> free_;
};

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// A file's bytes: chunks at fixed offsets, the last one partly filled. Shared by the file
// system's name for it and every handle open on it.
class MemoryFile {
 public:
  explicit MemoryFile(std::shared_ptr<ChunkPool> pool) : pool_(std::move(pool)) {}
  ~MemoryFile() {
    for (auto& chunk : chunks_) pool_->Give(std::move(chunk));
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  uint64_t Size() const {
    std::shared_lock lock(mu_);
    return size_;
  }
  uint64_t ModifiedTime() const {
    std::shared_lock lock(mu_);
    return mtime_;
  }

  IOStatus Append(const Slice& data) {
    std::lock_guard lock(mu_);
    const char* from = data.data();
    size_t left = data.size();
    while (left > 0) {
      if (size_ == capacity_ && !AddChunk()) return IOStatus::NoSpace("out of memory");
      auto [chunk, at] = Locate(size_);
      size_t n = std::min(left, chunk->size() - at);
      std::memcpy(chunk->data() + at, from, n);
      from += n;
      left -= n;
      size_ += n;
    }
    mtime_ = NowSeconds();
    return IOStatus::OK();
  }

  // Copies up to n bytes at offset into scratch; fewer at the end of the file.
  Slice Read(uint64_t offset, size_t n, char* scratch) const {
    std::shared_lock lock(mu_);
    if (offset >= size_) return Slice(scratch, 0);
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    size_t done = 0;
    while (done < n) {
      auto [chunk, at] = Locate(offset + done);
      size_t m = std::min(n - done, chunk->size() - at);
      std::memcpy(scratch + done, chunk->data() + at, m);
      done += m;
    }
    return Slice(scratch, n);
  }

  void Truncate(uint64_t size) {
    std::lock_guard lock(mu_);
    if (size >= size_) return;  // never grows: RocksDB truncates only what it preallocated
    size_ = size;
    while (!chunks_.empty() && starts_.back() >= size_ && starts_.back() > 0) {
      capacity_ = starts_.back();
      pool_->Give(std::move(chunks_.back()));
      chunks_.pop_back();
      starts_.pop_back();
    }
    mtime_ = NowSeconds();
  }

 private:
  bool AddChunk() {
    size_t size = chunks_.empty() ? kFirstChunk : std::min(chunks_.back()->size() * 2, kHugePage);
    auto chunk = size == kHugePage ? pool_->Take() : nullptr;
    if (!chunk) chunk = Chunk::Make(size);
    if (!chunk) return false;
    chunks_.push_back(std::move(chunk));
    starts_.push_back(capacity_);
    capacity_ += size;
    return true;
  }

  // The chunk holding byte `offset` (< capacity_) and the offset within it.
  std::pair<const Chunk*, size_t> Locate(uint64_t offset) const {
    size_t i = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
    return {chunks_[i].get(), static_cast<size_t>(offset - starts_[i])};
  }

  const std::shared_ptr<ChunkPool> pool_;
  mutable std::shared_mutex mu_;  // readers of a table file share it
  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::vector<uint64_t> starts_;  // each chunk's first offset, ascending
  uint64_t capacity_ = 0;
  uint64_t size_ = 0;
  uint64_t mtime_ = NowSeconds();
};

using FilePtr = std::shared_ptr<MemoryFile>;

class SequentialFile final : public rocksdb::FSSequentialFile {
 public:
  explicit SequentialFile(FilePtr file) : file_(std::move(file)) {}
  IOStatus Read(size_t n, const IOOptions&, Slice* result, char* scratch,
                IODebugContext*) override {
    *result = file_->Read(pos_, n, scratch);
    pos_ += result->size();
    return IOStatus::OK();
  }
  IOStatus Skip(uint64_t n) override {
    pos_ = std::min(pos_ + n, file_->Size());
    return IOStatus::OK();
  }

 private:
  FilePtr file_;
  uint64_t pos_ = 0;
};

class RandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  explicit RandomAccessFile(FilePtr file) : file_(std::move(file)) {}
  IOStatus Read(uint64_t offset, size_t n, const IOOptions&, Slice* result, char* scratch,
                IODebugContext*) const override {
    *result = file_->Read(offset, n, scratch);
    return IOStatus::OK();
  }
  IOStatus Prefetch(uint64_t, size_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::OK();  // in memory already
  }

 private:
  FilePtr file_;
};

class WritableFile final : public rocksdb::FSWritableFile {
 public:
  explicit WritableFile(FilePtr file) : file_(std::move(file)) {}
  using rocksdb::FSWritableFile::Append;
  IOStatus Append(const Slice& data, const IOOptions&, IODebugContext*) override {
    return file_->Append(data);
  }
  IOStatus Truncate(uint64_t size, const IOOptions&, IODebugContext*) override {
    file_->Truncate(size);
    return IOStatus::OK();
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Sync(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override { return file_->Size(); }

 private:
  FilePtr file_;
};

class Directory final : public rocksdb::FSDirectory {
 public:
  IOStatus Fsync(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
};

class Lock final : public rocksdb::FileLock {
 public:
  explicit Lock(std::string name) : name(std::move(name)) {}
  const std::string name;
};

// "/a//b/" and "a/b" -> "/a/b": one spelling per path.
std::string Normalize(const std::string& path) {
  std::string out = "/";  // relative paths are taken from the root
  out.reserve(path.size() + 1);
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

class MemoryFileSystem final : public rocksdb::FileSystem {
 public:
  const char* Name() const override { return "DdbdMemory"; }

  IOStatus NewSequentialFile(const std::string& fname, const FileOptions&,
                             std::unique_ptr<rocksdb::FSSequentialFile>* result,
                             IODebugContext*) override {
    FilePtr file = Find(fname);
    if (!file) return NotFound(fname);
    *result = std::make_unique<SequentialFile>(std::move(file));
    return IOStatus::OK();
  }

  IOStatus NewRandomAccessFile(const std::string& fname, const FileOptions&,
                               std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                               IODebugContext*) override {
    FilePtr file = Find(fname);
    if (!file) return NotFound(fname);
    *result = std::make_unique<RandomAccessFile>(std::move(file));
    return IOStatus::OK();
  }

  IOStatus NewWritableFile(const std::string& fname, const FileOptions&,
                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                           IODebugContext*) override {
    auto file = std::make_shared<MemoryFile>(pool_);
    FilePtr replaced;  // released after the lock: its chunks are unmapped or pooled
    {
      std::lock_guard lock(mu_);
      std::string name = Normalize(fname);
      if (dirs_.count(name)) return IOStatus::IOError(fname + ": is a directory");
      FilePtr& slot = files_[name];
      replaced = std::move(slot);
      slot = file;  // replaces an existing file, as creating with O_TRUNC would
    }
    *result = std::make_unique<WritableFile>(std::move(file));
    return IOStatus::OK();
  }

  IOStatus ReopenWritableFile(const std::string& fname, const FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                              IODebugContext* dbg) override {
    FilePtr file = Find(fname);
    if (!file) return NewWritableFile(fname, options, result, dbg);
    *result = std::make_unique<WritableFile>(std::move(file));
    return IOStatus::OK();
  }

  IOStatus NewDirectory(const std::string& name, const IOOptions&,
                        std::unique_ptr<rocksdb::FSDirectory>* result, IODebugContext*) override {
    std::lock_guard lock(mu_);
    if (!dirs_.count(Normalize(name))) return NotFound(name);
    *result = std::make_unique<Directory>();
    return IOStatus::OK();
  }

  IOStatus FileExists(const std::string& fname, const IOOptions&, IODebugContext*) override {
    std::lock_guard lock(mu_);
    std::string name = Normalize(fname);
    if (files_.count(name) || dirs_.count(name)) return IOStatus::OK();
    return IOStatus::NotFound(fname);
  }

  IOStatus GetChildren(const std::string& dir, const IOOptions&, std::vector<std::string>* result,
                       IODebugContext*) override {
    std::lock_guard lock(mu_);
    std::string name = Normalize(dir);
    if (!dirs_.count(name)) return NotFound(dir);
    result->clear();
    std::string prefix = name == "/" ? name : name + "/";
    auto children = [&](const auto& names) {
      for (auto it = names.lower_bound(prefix); it != names.end(); ++it) {
        const std::string& path = Key(*it);
        if (path.compare(0, prefix.size(), prefix) != 0) break;
        std::string rest = path.substr(prefix.size());
        if (!rest.empty() && rest.find('/') == std::string::npos) result->push_back(rest);
      }
    };
    children(files_);
    children(dirs_);
    return IOStatus::OK();
  }

  IOStatus DeleteFile(const std::string& fname, const IOOptions&, IODebugContext*) override {
    FilePtr deleted;  // released after the lock; open handles keep the bytes until they close
    std::lock_guard lock(mu_);
    auto it = files_.find(Normalize(fname));
    if (it == files_.end()) return NotFound(fname);
    deleted = std::move(it->second);
    files_.erase(it);
    return IOStatus::OK();
  }

  IOStatus CreateDir(const std::string& dirname, const IOOptions&, IODebugContext*) override {
    std::lock_guard lock(mu_);
    std::string name = Normalize(dirname);
    if (dirs_.count(name) || files_.count(name)) return IOStatus::IOError(dirname + ": exists");
    dirs_.insert(name);
    return IOStatus::OK();
  }

  IOStatus CreateDirIfMissing(const std::string& dirname, const IOOptions&,
                              IODebugContext*) override {
    std::lock_guard lock(mu_);
    std::string name = Normalize(dirname);
    if (files_.count(name)) return IOStatus::IOError(dirname + ": is a file");
    dirs_.insert(name);
    return IOStatus::OK();
  }

  IOStatus DeleteDir(const std::string& dirname, const IOOptions&, IODebugContext*) override {
    std::lock_guard lock(mu_);
    std::string name = Normalize(dirname);
    if (!dirs_.count(name)) return NotFound(dirname);
    std::string prefix = name == "/" ? name : name + "/";
    auto file = files_.lower_bound(prefix);
    auto dir = dirs_.lower_bound(prefix);
    if ((file != files_.end() && file->first.starts_with(prefix)) ||
        (dir != dirs_.end() && dir->starts_with(prefix))) {
      return IOStatus::IOError(dirname + ": directory not empty");
    }
    dirs_.erase(name);
    return IOStatus::OK();
  }

  IOStatus GetFileSize(const std::string& fname, const IOOptions&, uint64_t* size,
                       IODebugContext*) override {
    FilePtr file = Find(fname);
    if (!file) return NotFound(fname);
    *size = file->Size();
    return IOStatus::OK();
  }

  IOStatus GetFileModificationTime(const std::string& fname, const IOOptions&, uint64_t* mtime,
                                   IODebugContext*) override {
    FilePtr file = Find(fname);
    if (!file) return NotFound(fname);
    *mtime = file->ModifiedTime();
    return IOStatus::OK();
  }

  IOStatus RenameFile(const std::string& src, const std::string& target, const IOOptions&,
                      IODebugContext*) override {
    FilePtr replaced;  // released after the lock
    std::lock_guard lock(mu_);
    auto it = files_.find(Normalize(src));
    if (it == files_.end()) return NotFound(src);
    FilePtr file = std::move(it->second);
    files_.erase(it);
    FilePtr& slot = files_[Normalize(target)];
    replaced = std::move(slot);
    slot = std::move(file);  // replaces the target, as rename(2) does
    return IOStatus::OK();
  }

  IOStatus LinkFile(const std::string& src, const std::string& target, const IOOptions&,
                    IODebugContext*) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(Normalize(src));
    if (it == files_.end()) return NotFound(src);
    if (files_.count(Normalize(target))) return IOStatus::IOError(target + ": exists");
    files_[Normalize(target)] = it->second;
    return IOStatus::OK();
  }

  IOStatus LockFile(const std::string& fname, const IOOptions&, rocksdb::FileLock** lock,
                    IODebugContext*) override {
    std::lock_guard guard(mu_);
    std::string name = Normalize(fname);
    if (!locks_.insert(name).second) return IOStatus::IOError("lock " + fname + ": already held");
    if (!files_.count(name)) files_[name] = std::make_shared<MemoryFile>(pool_);
    *lock = new Lock(name);
    return IOStatus::OK();
  }

  IOStatus UnlockFile(rocksdb::FileLock* lock, const IOOptions&, IODebugContext*) override {
    auto* held = static_cast<Lock*>(lock);
    {
      std::lock_guard guard(mu_);
      locks_.erase(held->name);
    }
    delete held;
    return IOStatus::OK();
  }

  IOStatus GetTestDirectory(const IOOptions&, std::string* path, IODebugContext*) override {
    *path = "/test";
    std::lock_guard lock(mu_);
    dirs_.insert(*path);
    return IOStatus::OK();
  }

  IOStatus GetAbsolutePath(const std::string& db_path, const IOOptions&, std::string* output,
                           IODebugContext*) override {
    *output = Normalize(db_path);
    return IOStatus::OK();
  }

  IOStatus IsDirectory(const std::string& path, const IOOptions&, bool* is_dir,
                       IODebugContext*) override {
    std::lock_guard lock(mu_);
    std::string name = Normalize(path);
    if (dirs_.count(name)) {
      *is_dir = true;
    } else if (files_.count(name)) {
      *is_dir = false;
    } else {
      return NotFound(path);
    }
    return IOStatus::OK();
  }

 private:
  // What a local file system says of a missing path (RocksDB's own checks ask IsPathNotFound);
  // FileExists alone answers NotFound, as its contract says.
  static IOStatus NotFound(const std::string& name) { return IOStatus::PathNotFound(name); }
  static const std::string& Key(const std::string& s) { return s; }
  static const std::string& Key(const std::pair<const std::string, FilePtr>& p) { return p.first; }

  FilePtr Find(const std::string& fname) const {
    std::lock_guard lock(mu_);
    auto it = files_.find(Normalize(fname));
    return it == files_.end() ? nullptr : it->second;
  }

  const std::shared_ptr<ChunkPool> pool_ = std::make_shared<ChunkPool>();
  mutable std::mutex mu_;
  std::map<std::string, FilePtr> files_;
  std::set<std::string> dirs_{"/"};
  std::set<std::string> locks_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewMemoryFileSystem() {
  return std::make_shared<MemoryFileSystem>();
}

}  // namespace ddbd::storage
