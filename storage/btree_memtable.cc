#include "storage/btree_memtable.h"

#include <rocksdb/slice.h>
#include <rocksdb/version.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <thread>

// Two types below are copied from RocksDB's private headers; a different RocksDB needs them
// checked again before this builds.
#if ROCKSDB_MAJOR != 7 || ROCKSDB_MINOR != 8
#error "check rocksdb::Allocator's virtual functions and LookupKey's first member (BTreeRep::Get)"
#endif

namespace rocksdb {
class Logger;
// RocksDB's memory/allocator.h, which is not installed with its public headers. MemTableRep
// hands its arena to the memtable as an Allocator*, and iterators are placed in an Arena, which
// derives from Allocator alone. The virtual functions are declared in the library's order
// (checked against librocksdb.a 7.8.3: the destructors, Allocate, AllocateAligned, BlockSize).
// Only AllocateAligned is called.
class Allocator {
 public:
  virtual ~Allocator() {}
  virtual char* Allocate(size_t bytes) = 0;
  virtual char* AllocateAligned(size_t bytes, size_t huge_page_size = 0,
                                Logger* logger = nullptr) = 0;
  virtual size_t BlockSize() const = 0;
};
}  // namespace rocksdb

namespace ddbd::storage {
namespace {

using rocksdb::Slice;

constexpr int kCap = 30;         // slots per node
constexpr int kPrefixWords = 4;  // a node's keys' shared bytes kept in it, past its fences' (32)
constexpr uint32_t kPrefixBytes = 8 * kPrefixWords;
constexpr int kMaxDepth = 24;  // with at least 15 children per inner node, far beyond any memtable

struct Node {
  std::atomic<uint64_t> version{0};  // leaves: odd while the writer changes this node
  std::atomic<uint32_t> count{0};    // rows (leaf) or separators (inner node)
  // skip: leading user-key bytes that every key between the node's fences shares, so every key
  // routed here (its fences' common prefix; 0 for the root and the leftmost and rightmost
  // nodes, which have no fence on a side). plen >= skip: the leading bytes the node's own keys
  // share, at most kPrefixBytes past skip; prefix holds their bytes [skip, plen), big endian,
  // zero padded. A key routed here without those bytes orders before or after all of the
  // node's keys, which one comparison with prefix says; for the others, the heads decide.
  // ("Bytes" and "share" count a key as padded with zeros: a key shorter than another it is a
  // prefix of orders before it either way.)
  std::atomic<uint32_t> skip{0};
  std::atomic<uint32_t> plen{0};
  bool leaf = true;
  std::atomic<uint64_t> prefix[kPrefixWords + 1];  // the last word is always zero
  // heads[i]: the eight bytes of keys[i]'s user key after its first plen, big endian, zero
  // padded. Inner nodes: child i holds the keys in [keys[i-1], keys[i]); a separator is the
  // first row of its right subtree when the node below split, and rows are never removed, so
  // every separator is also a row of some leaf.
  std::atomic<uint64_t> heads[kCap];
  std::atomic<const char*> keys[kCap];
  std::atomic<Node*> children[kCap + 1];
  // Leaves: the leaves before and after this one, so an iterator crosses into them without a
  // search from the root.
  std::atomic<Node*> prev{nullptr};
  std::atomic<Node*> next{nullptr};

  Node() {
    for (auto& w : prefix) w.store(0, std::memory_order_relaxed);
    for (auto& h : heads) h.store(0, std::memory_order_relaxed);
    for (auto& k : keys) k.store(nullptr, std::memory_order_relaxed);
    for (auto& c : children) c.store(nullptr, std::memory_order_relaxed);
  }
};

// Asks for all of a node's cache lines at once: a search reads several of them (the heads its
// binary search probes, then a key and a child), each a miss to main memory when the node is
// cold, and one after the other they would cost that miss each time.
void Prefetch(const Node* n) {
  const char* p = reinterpret_cast<const char*>(n);
  for (size_t at = 0; at < sizeof(Node); at += 64) __builtin_prefetch(p + at);
}

Slice InternalKeyOf(const char* row) { return rocksdb::GetLengthPrefixedSlice(row); }
// An internal key is the user key and eight bytes of sequence number and type.
Slice UserKeyOf(const Slice& internal_key) {
  return Slice(internal_key.data(), internal_key.size() - 8);
}

uint64_t Head(const Slice& user_key, uint32_t plen) {
  uint64_t h = 0;
  if (plen + 8 <= user_key.size()) {
    std::memcpy(&h, user_key.data() + plen, 8);
    return __builtin_bswap64(h);
  }
  unsigned char bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (plen < user_key.size()) std::memcpy(bytes, user_key.data() + plen, user_key.size() - plen);
  for (unsigned char b : bytes) h = (h << 8) | b;
  return h;
}

// The first n bytes (1 to 8) of a big-endian word.
uint64_t TopBytes(uint32_t n) { return n >= 8 ? ~uint64_t{0} : ~(~uint64_t{0} >> (8 * n)); }

// How the user key's bytes [skip, plen) compare with the node's prefix: < 0, 0 (the same bytes:
// the key shares them) or > 0. *same: how many of them are the same.
int ComparePrefix(const Node* n, const Slice& user_key, uint32_t skip, uint32_t plen,
                  uint32_t* same) {
  for (uint32_t at = 0; skip + at < plen; at += 8) {
    uint64_t mask = TopBytes(plen - skip - at);
    uint64_t mine = n->prefix[at / 8].load(std::memory_order_relaxed) & mask;
    uint64_t theirs = Head(user_key, skip + at) & mask;
    if (mine != theirs) {
      *same = at + static_cast<uint32_t>(__builtin_clzll(mine ^ theirs)) / 8;
      return theirs < mine ? -1 : 1;
    }
  }
  *same = plen - skip;
  return 0;
}

uint32_t CommonPrefix(const Slice& a, const Slice& b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return static_cast<uint32_t>(i);
}

// Every key k with low <= k < high (bytewise) shares their common prefix: the prefix the heads of
// a node with these fences may skip. No fence on either side: nothing is shared.
uint32_t PrefixWithin(const char* low, const char* high) {
  if (low == nullptr || high == nullptr) return 0;
  return CommonPrefix(UserKeyOf(InternalKeyOf(low)), UserKeyOf(InternalKeyOf(high)));
}

struct Target {
  Slice internal_key;
  Slice user_key;
};

Target TargetOf(const Slice& internal_key) { return {internal_key, UserKeyOf(internal_key)}; }

enum class Mode { kFirstAtOrAfter, kFirstAfter, kLastAtOrBefore, kLastBefore };

struct Position {
  const Node* leaf = nullptr;
  int index = 0;
  uint64_t leaf_version = 0;
  const char* row = nullptr;  // nullptr: before the first row or after the last
};

class BTreeRep final : public rocksdb::MemTableRep {
 public:
  BTreeRep(const KeyComparator& compare, rocksdb::Allocator* allocator)
      : MemTableRep(allocator), compare_(compare) {
    root_.store(NewNode(true), std::memory_order_release);
  }

  void Insert(rocksdb::KeyHandle handle) override { (void)InsertKey(handle); }
  bool InsertKey(rocksdb::KeyHandle handle) override;
  // (Reached only with memtable_insert_with_hint_prefix_extractor, which ddbd does not set: the
  // defaults would drop InsertKey's report of a duplicate.)
  void InsertWithHint(rocksdb::KeyHandle handle, void**) override { (void)InsertKey(handle); }
  bool InsertKeyWithHint(rocksdb::KeyHandle handle, void**) override { return InsertKey(handle); }
  bool Contains(const char* key) const override {
    Target t = TargetOf(InternalKeyOf(key));
    Position p = Find(t, Mode::kFirstAtOrAfter);
    return p.row != nullptr && compare_(p.row, t.internal_key) == 0;
  }
  size_t ApproximateMemoryUsage() override { return 0; }  // all of it is in the arena
  // RocksDB's own Get for a MemTableRep leaks the iterator it makes (7.8.3); this one makes none.
  void Get(const rocksdb::LookupKey& k, void* callback_args,
           bool (*callback_func)(void* arg, const char* entry)) override;
  Iterator* GetIterator(rocksdb::Arena* arena) override;

  Position Find(const Target& t, Mode mode) const;
  Position Edge(bool last) const;
  bool Step(Position* p, int direction) const;

 private:
  Node* NewNode(bool leaf) {
    // A node spans whole cache lines: the arena aligns to 16 bytes only.
    char* raw = allocator_->AllocateAligned(sizeof(Node) + 63);
    auto aligned = (reinterpret_cast<uintptr_t>(raw) + 63) & ~uintptr_t{63};
    Node* n = new (reinterpret_cast<void*>(aligned)) Node();
    n->leaf = leaf;
    return n;
  }

  // < 0: the node's slot i orders before the target; 0: equal; > 0: after. *torn: a reader
  // read a slot the writer was changing.
  int CompareSlot(const Node* n, int i, const Target& t, uint64_t target_head, bool* torn) const {
    uint64_t h = n->heads[i].load(std::memory_order_relaxed);
    if (h != target_head) return h < target_head ? -1 : 1;
    const char* row = n->keys[i].load(std::memory_order_acquire);
    if (row == nullptr) {
      *torn = true;
      return 0;
    }
    return compare_(row, t.internal_key);
  }
  // How many of the node's first `count` slots order before the target (with or_equal: before
  // or equal).
  int Rank(const Node* n, uint32_t count, const Target& t, bool or_equal, bool* torn) const {
    uint32_t skip = n->skip.load(std::memory_order_relaxed);
    uint32_t plen = std::min(n->plen.load(std::memory_order_relaxed), skip + kPrefixBytes);
    uint32_t same = 0;
    int c = plen > skip ? ComparePrefix(n, t.user_key, skip, plen, &same) : 0;
    if (c != 0) return c < 0 ? 0 : static_cast<int>(count);
    uint64_t target_head = Head(t.user_key, plen);
    int lo = 0;
    int hi = static_cast<int>(count);
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      int c = CompareSlot(n, mid, t, target_head, torn);
      if (*torn) return 0;
      if (c < 0 || (or_equal && c == 0)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  // One attempt at Find; false when the writer changed the tree meanwhile. *fence: for
  // kFirst* modes, when the leaf has no row at or after the target, the first row after the
  // leaf (the nearest separator to its right), if any.
  bool TryFind(const Target& t, Mode mode, Position* out, const char** fence) const;
  bool Validate(uint64_t version) const {
    std::atomic_thread_fence(std::memory_order_acquire);
    return version_.load(std::memory_order_relaxed) == version;
  }

  void SetSlot(Node* n, int i, const char* key) {
    n->heads[i].store(Head(UserKeyOf(InternalKeyOf(key)), n->plen.load(std::memory_order_relaxed)),
                      std::memory_order_relaxed);
    n->keys[i].store(key, std::memory_order_release);
  }
  // Rewrites node n with these keys (and, for an inner node, children) between these fences.
  void Fill(Node* n, const char* const* keys, int count, Node* const* children, const char* low,
            const char* high) {
    uint32_t skip = PrefixWithin(low, high);
    uint32_t plen = skip;
    if (count > 0) {
      Slice first = UserKeyOf(InternalKeyOf(keys[0]));
      uint32_t shared = CommonPrefix(first, UserKeyOf(InternalKeyOf(keys[count - 1])));
      plen = std::max(skip, std::min(shared, skip + kPrefixBytes));
      for (uint32_t at = 0; at < kPrefixBytes; at += 8) {
        uint64_t word = skip + at < plen ? Head(first, skip + at) & TopBytes(plen - skip - at) : 0;
        n->prefix[at / 8].store(word, std::memory_order_relaxed);
      }
    }
    n->skip.store(skip, std::memory_order_relaxed);
    n->plen.store(plen, std::memory_order_relaxed);
    for (int i = 0; i < count; ++i) SetSlot(n, i, keys[i]);
    if (!n->leaf) {
      for (int i = 0; i <= count; ++i) n->children[i].store(children[i], std::memory_order_release);
    }
    n->count.store(static_cast<uint32_t>(count), std::memory_order_release);
  }

  // Before a key that does not share node n's prefix goes in: shortens the prefix to what they
  // share and moves the heads back to it (their new leading bytes are the prefix's last ones).
  void ShortenPrefix(Node* n, const Slice& user_key) {
    uint32_t skip = n->skip.load(std::memory_order_relaxed);
    uint32_t plen = n->plen.load(std::memory_order_relaxed);
    uint32_t same = 0;
    if (plen == skip || ComparePrefix(n, user_key, skip, plen, &same) == 0) return;
    uint32_t shorter = skip + same;
    uint32_t moved = plen - shorter;  // prefix bytes that go into the heads
    uint32_t at = same;               // where they start in prefix
    uint64_t bytes = n->prefix[at / 8].load(std::memory_order_relaxed) << (8 * (at % 8));
    if (at % 8 != 0) {
      bytes |= n->prefix[at / 8 + 1].load(std::memory_order_relaxed) >> (64 - 8 * (at % 8));
    }
    uint32_t count = n->count.load(std::memory_order_relaxed);
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t head = bytes;
      if (moved < 8) {
        head = (bytes & TopBytes(moved)) |
               (n->heads[i].load(std::memory_order_relaxed) >> (8 * moved));
      }
      n->heads[i].store(head, std::memory_order_relaxed);
    }
    for (uint32_t w = 0; w < kPrefixWords; ++w) {
      uint32_t begin = 8 * w;
      uint64_t word = n->prefix[w].load(std::memory_order_relaxed);
      if (begin >= same) {
        word = 0;
      } else if (same - begin < 8) {
        word &= TopBytes(same - begin);
      }
      n->prefix[w].store(word, std::memory_order_relaxed);
    }
    n->plen.store(shorter, std::memory_order_relaxed);
  }

  const KeyComparator& compare_;
  std::atomic<Node*> root_{nullptr};
  std::atomic<uint64_t> version_{0};  // odd while the writer changes the tree
};

bool BTreeRep::TryFind(const Target& t, Mode mode, Position* out, const char** fence) const {
  uint64_t version = version_.load(std::memory_order_acquire);
  if (version & 1) return false;
  const Node* n = root_.load(std::memory_order_acquire);
  Prefetch(n);
  const char* right_fence = nullptr;
  bool torn = false;
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    if (n == nullptr) return false;
    if (n->leaf) {
      uint64_t leaf_version = n->version.load(std::memory_order_acquire);
      uint32_t count = std::min<uint32_t>(n->count.load(std::memory_order_acquire), kCap);
      int index = 0;
      switch (mode) {
        case Mode::kFirstAtOrAfter:
          index = Rank(n, count, t, false, &torn);
          break;
        case Mode::kFirstAfter:
          index = Rank(n, count, t, true, &torn);
          break;
        case Mode::kLastAtOrBefore:
          index = Rank(n, count, t, true, &torn) - 1;
          break;
        case Mode::kLastBefore:
          index = Rank(n, count, t, false, &torn) - 1;
          break;
      }
      if (torn) return false;
      Position p;
      p.leaf = n;
      p.index = index;
      p.leaf_version = leaf_version;
      *fence = nullptr;
      if (index >= 0 && index < static_cast<int>(count)) {
        p.row = n->keys[index].load(std::memory_order_acquire);
        if (p.row == nullptr) return false;
      } else if (index >= static_cast<int>(count)) {
        *fence = right_fence;
      }
      // (index < 0: every row before the leaf's first is before its left fence, which is its
      // first row, so a leaf with no row at or before the target is the first leaf.)
      if (!Validate(version) || (leaf_version & 1)) return false;
      *out = p;
      return true;
    }
    uint32_t count = std::min<uint32_t>(n->count.load(std::memory_order_acquire), kCap);
    int child = Rank(n, count, t, mode != Mode::kLastBefore, &torn);
    if (torn) return false;
    if (child < static_cast<int>(count)) {
      right_fence = n->keys[child].load(std::memory_order_acquire);
    }
    n = n->children[child].load(std::memory_order_acquire);
    if (n != nullptr) Prefetch(n);
  }
  return false;
}

// A reader that keeps meeting the writer mid-change gives its core up now and then: the writer
// may be waiting for it.
void Backoff(int* attempts) {
  if (++*attempts > 64) std::this_thread::yield();
}

Position BTreeRep::Find(const Target& t, Mode mode) const {
  for (int attempts = 0;; Backoff(&attempts)) {
    Position p;
    const char* fence = nullptr;
    if (!TryFind(t, mode, &p, &fence)) continue;
    if (fence == nullptr) return p;
    // Past the leaf's last row: the next row is the separator to its right, the first row of the
    // next leaf. Found again for its place in that leaf.
    Position q;
    const char* ignored = nullptr;
    Target at = TargetOf(InternalKeyOf(fence));
    if (TryFind(at, Mode::kFirstAtOrAfter, &q, &ignored) && q.row == fence) return q;
  }
}

Position BTreeRep::Edge(bool last) const {
  for (int attempts = 0;; Backoff(&attempts)) {
    uint64_t version = version_.load(std::memory_order_acquire);
    if (version & 1) continue;
    const Node* n = root_.load(std::memory_order_acquire);
    int depth = 0;
    while (n != nullptr && !n->leaf && depth++ < kMaxDepth) {
      uint32_t count = std::min<uint32_t>(n->count.load(std::memory_order_acquire), kCap);
      n = n->children[last ? count : 0].load(std::memory_order_acquire);
    }
    if (n == nullptr || !n->leaf) continue;
    Position p;
    p.leaf = n;
    p.leaf_version = n->version.load(std::memory_order_acquire);
    uint32_t count = std::min<uint32_t>(n->count.load(std::memory_order_acquire), kCap);
    p.index = last ? static_cast<int>(count) - 1 : 0;
    if (count > 0) {
      p.row = n->keys[p.index].load(std::memory_order_acquire);
      if (p.row == nullptr) continue;
    }
    if (Validate(version) && !(p.leaf_version & 1)) return p;
  }
}

// The neighbouring row, from the leaf p is in while that leaf is unchanged since p was found (a
// row between two rows of one leaf would have gone into that leaf), or from the next or previous
// leaf while both are unchanged and still neighbours. false: find it from the root.
bool BTreeRep::Step(Position* p, int direction) const {
  const Node* n = p->leaf;
  if (n == nullptr) return false;
  uint64_t leaf_version = n->version.load(std::memory_order_acquire);
  if (leaf_version != p->leaf_version) return false;
  int index = p->index + direction;
  uint32_t count = std::min<uint32_t>(n->count.load(std::memory_order_acquire), kCap);
  if (index >= 0 && index < static_cast<int>(count)) {
    const char* row = n->keys[index].load(std::memory_order_acquire);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (row == nullptr || n->version.load(std::memory_order_relaxed) != leaf_version) return false;
    p->index = index;
    p->row = row;
    return true;
  }
  const Node* other = (direction > 0 ? n->next : n->prev).load(std::memory_order_acquire);
  Position q;
  if (other != nullptr) {
    q.leaf = other;
    q.leaf_version = other->version.load(std::memory_order_acquire);
    uint32_t other_count = std::min<uint32_t>(other->count.load(std::memory_order_acquire), kCap);
    if ((q.leaf_version & 1) || other_count == 0) return false;
    q.index = direction > 0 ? 0 : static_cast<int>(other_count) - 1;
    q.row = other->keys[q.index].load(std::memory_order_acquire);
    if (q.row == nullptr) return false;
    // (A leaf's next changes only when it splits, which changes it; its previous leaf changes
    // when that one splits, so that one must still lead here.)
    if (direction < 0 && other->next.load(std::memory_order_acquire) != n) return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    if (other->version.load(std::memory_order_relaxed) != q.leaf_version) return false;
  }
  // No leaf that way: the first or last leaf, so no row that way either.
  std::atomic_thread_fence(std::memory_order_acquire);
  if (n->version.load(std::memory_order_relaxed) != leaf_version) return false;
  *p = q;
  return true;
}

bool BTreeRep::InsertKey(rocksdb::KeyHandle handle) {
  const char* row = static_cast<const char*>(handle);
  Target t = TargetOf(InternalKeyOf(row));
  // The path from the root, with each node's fences (nullptr: none).
  Node* path[kMaxDepth + 1];
  int child_at[kMaxDepth + 1];
  const char* low[kMaxDepth + 1];
  const char* high[kMaxDepth + 1];
  bool torn = false;  // never set: only this thread writes
  int depth = 0;
  Node* n = root_.load(std::memory_order_relaxed);
  const char* l = nullptr;
  const char* h = nullptr;
  for (;;) {
    path[depth] = n;
    low[depth] = l;
    high[depth] = h;
    if (n->leaf) break;
    uint32_t count = n->count.load(std::memory_order_relaxed);
    int child = Rank(n, count, t, true, &torn);
    if (child > 0) l = n->keys[child - 1].load(std::memory_order_relaxed);
    if (child < static_cast<int>(count)) h = n->keys[child].load(std::memory_order_relaxed);
    child_at[depth] = child;
    n = n->children[child].load(std::memory_order_relaxed);
    Prefetch(n);
    ++depth;
  }
  Node* leaf = path[depth];
  uint32_t count = leaf->count.load(std::memory_order_relaxed);
  int at = Rank(leaf, count, t, false, &torn);
  if (at < static_cast<int>(count)) {
    uint64_t head = Head(t.user_key, leaf->plen.load(std::memory_order_relaxed));
    if (CompareSlot(leaf, at, t, head, &torn) == 0) return false;  // this key and sequence exist
  }

  uint64_t version = version_.load(std::memory_order_relaxed);
  version_.store(version + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  uint64_t leaf_version = leaf->version.load(std::memory_order_relaxed);
  leaf->version.store(leaf_version + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);

  if (count < static_cast<uint32_t>(kCap)) {
    ShortenPrefix(leaf, t.user_key);
    for (int i = static_cast<int>(count); i > at; --i) {
      leaf->heads[i].store(leaf->heads[i - 1].load(std::memory_order_relaxed),
                           std::memory_order_relaxed);
      leaf->keys[i].store(leaf->keys[i - 1].load(std::memory_order_relaxed),
                          std::memory_order_release);
    }
    SetSlot(leaf, at, row);
    leaf->count.store(count + 1, std::memory_order_release);
  } else {
    // Split the full leaf: the lower half stays, the upper half moves to a new leaf whose first
    // row becomes the separator in the parent. Then up the path while parents are full.
    const char* keys[kCap + 2];
    Node* children[kCap + 2];
    for (int i = 0, j = 0; i <= kCap; ++i) {
      keys[i] = i == at ? row : leaf->keys[j++].load(std::memory_order_relaxed);
    }
    const int stay = (kCap + 1) / 2;
    const char* separator = keys[stay];
    Node* right = NewNode(true);
    Fill(right, keys + stay, kCap + 1 - stay, nullptr, separator, high[depth]);
    Node* after = leaf->next.load(std::memory_order_relaxed);
    right->prev.store(leaf, std::memory_order_relaxed);
    right->next.store(after, std::memory_order_relaxed);
    Fill(leaf, keys, stay, nullptr, low[depth], separator);
    leaf->next.store(right, std::memory_order_release);
    // The next leaf's version does not change: a reader stepping back from it checks that the
    // leaf it finds still leads to it (Step).
    if (after != nullptr) after->prev.store(right, std::memory_order_release);
    for (int level = depth - 1;; --level) {
      if (level < 0) {
        Node* root = NewNode(false);
        Node* pair[2] = {path[0], right};
        Fill(root, &separator, 1, pair, nullptr, nullptr);
        root_.store(root, std::memory_order_release);
        break;
      }
      Node* parent = path[level];
      uint32_t pcount = parent->count.load(std::memory_order_relaxed);
      int slot = child_at[level];
      if (pcount < static_cast<uint32_t>(kCap)) {
        ShortenPrefix(parent, UserKeyOf(InternalKeyOf(separator)));
        for (int i = static_cast<int>(pcount); i > slot; --i) {
          parent->heads[i].store(parent->heads[i - 1].load(std::memory_order_relaxed),
                                 std::memory_order_relaxed);
          parent->keys[i].store(parent->keys[i - 1].load(std::memory_order_relaxed),
                                std::memory_order_release);
          parent->children[i + 1].store(parent->children[i].load(std::memory_order_relaxed),
                                        std::memory_order_release);
        }
        SetSlot(parent, slot, separator);
        parent->children[slot + 1].store(right, std::memory_order_release);
        parent->count.store(pcount + 1, std::memory_order_release);
        break;
      }
      // A full inner node: kCap + 1 separators around the middle one, which goes up.
      for (int i = 0, j = 0; i <= kCap; ++i) {
        keys[i] = i == slot ? separator : parent->keys[j++].load(std::memory_order_relaxed);
      }
      for (int i = 0, j = 0; i <= kCap + 1; ++i) {
        children[i] = i == slot + 1 ? right : parent->children[j++].load(std::memory_order_relaxed);
      }
      const int middle = kCap / 2;
      const char* up = keys[middle];
      Node* sibling = NewNode(false);
      Fill(sibling, keys + middle + 1, kCap - middle, children + middle + 1, up, high[level]);
      Fill(parent, keys, middle, children, low[level], up);
      separator = up;
      right = sibling;
    }
  }

  leaf->version.store(leaf_version + 2, std::memory_order_release);
  version_.store(version + 2, std::memory_order_release);
  return true;
}

class BTreeIterator final : public rocksdb::MemTableRep::Iterator {
 public:
  explicit BTreeIterator(const BTreeRep* rep) : rep_(rep) {}
  bool Valid() const override { return at_.row != nullptr; }
  const char* key() const override { return at_.row; }
  void Next() override {
    if (!rep_->Step(&at_, +1))
      at_ = rep_->Find(TargetOf(InternalKeyOf(at_.row)), Mode::kFirstAfter);
    if (at_.leaf != warmed_) Warm(+1);
  }
  void Prev() override {
    if (!rep_->Step(&at_, -1))
      at_ = rep_->Find(TargetOf(InternalKeyOf(at_.row)), Mode::kLastBefore);
    if (at_.leaf != warmed_) Warm(-1);
  }
  void Seek(const Slice& internal_key, const char* /*memtable_key*/) override {
    at_ = rep_->Find(TargetOf(internal_key), Mode::kFirstAtOrAfter);
  }
  void SeekForPrev(const Slice& internal_key, const char* /*memtable_key*/) override {
    at_ = rep_->Find(TargetOf(internal_key), Mode::kLastAtOrBefore);
  }
  void SeekToFirst() override { at_ = rep_->Edge(false); }
  void SeekToLast() override { at_ = rep_->Edge(true); }

 private:
  // An iterator that steps on (a flush, a Query, a Scan) reads the rows in key order, which
  // lie anywhere in the arena (it holds them in the order they were written): one miss to main
  // memory each. So on its first step in a leaf it asks for the rest of the leaf's rows, and for
  // the next leaf, all at once. (Not on a seek: a Get reads one row.) A walk over a 60 MB
  // memtable took 300 to 400 ns per row without this, 100 with it.
  void Warm(int direction) {
    const Node* n = at_.leaf;
    warmed_ = n;
    if (n == nullptr) return;
    int count =
        static_cast<int>(std::min<uint32_t>(n->count.load(std::memory_order_acquire), kCap));
    for (int i = at_.index + direction; i >= 0 && i < count; i += direction) {
      const char* row = n->keys[i].load(std::memory_order_relaxed);
      if (row == nullptr) break;  // (a slot the writer is changing)
      __builtin_prefetch(row);
      __builtin_prefetch(row + 64);
    }
    const Node* other = (direction > 0 ? n->next : n->prev).load(std::memory_order_relaxed);
    if (other != nullptr) Prefetch(other);
  }

  const BTreeRep* rep_;
  Position at_;
  const Node* warmed_ = nullptr;  // the leaf whose rows Warm asked for
};

void BTreeRep::Get(const rocksdb::LookupKey& k, void* callback_args,
                   bool (*callback_func)(void* arg, const char* entry)) {
  // A LookupKey (db/lookup_key.h, not installed) starts with the address of its memtable key: the
  // internal key after its varint length, as a row starts.
  const char* memtable_key = *reinterpret_cast<const char* const*>(&k);
  BTreeIterator it(this);
  for (it.Seek(InternalKeyOf(memtable_key), memtable_key);
       it.Valid() && callback_func(callback_args, it.key()); it.Next()) {
  }
}

rocksdb::MemTableRep::Iterator* BTreeRep::GetIterator(rocksdb::Arena* arena) {
  if (arena == nullptr) return new BTreeIterator(this);
  // RocksDB destroys an iterator it asked to have placed in its arena without freeing it.
  auto* allocator = reinterpret_cast<rocksdb::Allocator*>(arena);
  return new (allocator->AllocateAligned(sizeof(BTreeIterator))) BTreeIterator(this);
}

class BTreeFactory final : public rocksdb::MemTableRepFactory {
 public:
  using rocksdb::MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                          rocksdb::Allocator* allocator,
                                          const rocksdb::SliceTransform*,
                                          rocksdb::Logger*) override {
    return new BTreeRep(compare, allocator);
  }
  const char* Name() const override { return "DdbdBTreeFactory"; }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return true; }  // InsertKey says false
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> NewBTreeMemTableFactory() {
  return std::make_shared<BTreeFactory>();
}

}  // namespace ddbd::storage
