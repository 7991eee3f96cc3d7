#include "storage/item_codec.h"

#include "storage/key_codec.h"

namespace ddbd::storage {
namespace {

using detail::kMaxItemDepth;

void PutBytes(std::string_view s, std::string* out) {
  AppendVarint(s.size(), out);
  out->append(s);
}

// Names and S strings (values and set members), noting in *plain whether all are PlainString.
void PutText(std::string_view s, std::string* out, bool* plain) {
  if (*plain && !PlainString(s)) *plain = false;
  PutBytes(s, out);
}

void EncodeValue(const AttributeValue& v, std::string* out, bool* plain);

void EncodeMap(const AttributeMap& m, std::string* out, bool* plain) {
  AppendVarint(m.size(), out);
  for (const auto& [name, value] : m) {
    PutText(name, out, plain);
    EncodeValue(value, out, plain);
  }
}

void EncodeValue(const AttributeValue& v, std::string* out, bool* plain) {
  out->push_back(static_cast<char>(v.type()));
  struct Visitor {
    std::string* out;
    bool* plain;
    void operator()(const std::string& s) const { PutText(s, out, plain); }
    void operator()(const Number& n) const { PutBytes(n.ToString(), out); }
    void operator()(const Binary& b) const { PutBytes(b.bytes, out); }
    void operator()(const StringSet& s) const {
      AppendVarint(s.members.size(), out);
      for (const auto& m : s.members) PutText(m, out, plain);
    }
    void operator()(const NumberSet& s) const {
      AppendVarint(s.members.size(), out);
      for (const auto& m : s.members) PutBytes(m.ToString(), out);
    }
    void operator()(const BinarySet& s) const {
      AppendVarint(s.members.size(), out);
      for (const auto& m : s.members) PutBytes(m, out);
    }
    void operator()(const AttributeMap& m) const { EncodeMap(m, out, plain); }
    void operator()(const AttributeList& l) const {
      AppendVarint(l.size(), out);
      for (const auto& e : l) EncodeValue(e, out, plain);
    }
    void operator()(const Null&) const {}
    void operator()(bool b) const { out->push_back(b ? 1 : 0); }
  };
  std::visit(Visitor{out, plain}, v.variant());
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool Done() const { return pos_ == in_.size(); }
  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Count(uint64_t* n) {
    // Every element takes at least one byte, which bounds counts by the remaining input.
    return ReadVarint(in_, &pos_, n) && *n <= in_.size() - pos_;
  }
  bool Bytes(std::string* s) {
    uint64_t len;
    if (!ReadVarint(in_, &pos_, &len) || len > in_.size() - pos_) return false;
    s->assign(in_.substr(pos_, len));
    pos_ += len;
    return true;
  }
  bool Num(Number* n) {
    std::string text;
    if (!Bytes(&text)) return false;
    auto parsed = Number::Parse(text);
    if (!parsed.ok()) return false;
    *n = std::move(parsed).value();
    return true;
  }
  bool Map(AttributeMap* m, int depth) {
    uint64_t n;
    if (!Count(&n)) return false;
    for (uint64_t i = 0; i < n; ++i) {
      std::string name;
      AttributeValue v;
      if (!Bytes(&name) || !Value(&v, depth)) return false;
      m->emplace(std::move(name), std::move(v));
    }
    return true;
  }
  bool Value(AttributeValue* out, int depth) {
    if (depth > kMaxItemDepth) return false;
    uint8_t tag;
    if (!Byte(&tag)) return false;
    switch (static_cast<ValueType>(tag)) {
      case ValueType::kS: {
        std::string s;
        if (!Bytes(&s)) return false;
        *out = std::move(s);
        return true;
      }
      case ValueType::kN: {
        Number n;
        if (!Num(&n)) return false;
        *out = std::move(n);
        return true;
      }
      case ValueType::kB: {
        Binary b;
        if (!Bytes(&b.bytes)) return false;
        *out = std::move(b);
        return true;
      }
      case ValueType::kSS:
      case ValueType::kBS: {
        uint64_t n;
        if (!Count(&n)) return false;
        std::vector<std::string> members(n);
        for (auto& m : members) {
          if (!Bytes(&m)) return false;
        }
        if (tag == static_cast<uint8_t>(ValueType::kSS)) {
          *out = StringSet{std::move(members)};
        } else {
          *out = BinarySet{std::move(members)};
        }
        return true;
      }
      case ValueType::kNS: {
        uint64_t n;
        if (!Count(&n)) return false;
        NumberSet set;
        set.members.resize(n);
        for (auto& m : set.members) {
          if (!Num(&m)) return false;
        }
        *out = std::move(set);
        return true;
      }
      case ValueType::kM: {
        AttributeMap m;
        if (!Map(&m, depth + 1)) return false;
        *out = std::move(m);
        return true;
      }
      case ValueType::kL: {
        uint64_t n;
        if (!Count(&n)) return false;
        AttributeList l(n);
        for (auto& e : l) {
          if (!Value(&e, depth + 1)) return false;
        }
        *out = std::move(l);
        return true;
      }
      case ValueType::kNull:
        *out = Null{};
        return true;
      case ValueType::kBool: {
        uint8_t b;
        if (!Byte(&b) || b > 1) return false;
        *out = b == 1;
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// ItemSize / ValueSize over the walk: every member of a map or list costs 1 byte (plus its name
// in a map) besides its value, every map and list 3 bytes.
class SizeVisitor final : public ItemVisitor {
 public:
  size_t total() const { return total_; }
  void BeginMap(size_t) override { Nested(); }
  void Name(std::string_view name) override { total_ += name.size(); }
  void EndMap() override { --depth_; }
  void BeginList(size_t) override { Nested(); }
  void EndList() override { --depth_; }
  void BeginSet(ValueType, size_t) override {
    Element();
    in_set_ = true;
  }
  void EndSet() override { in_set_ = false; }
  void Scalar(ValueType type, std::string_view bytes) override {
    if (!in_set_) Element();
    total_ += type == ValueType::kN ? NumberSize(bytes) : bytes.size();
  }
  void Null() override {
    Element();
    ++total_;
  }
  void Bool(bool) override {
    Element();
    ++total_;
  }

 private:
  // A value inside a map or list (not a top-level attribute) costs one more byte.
  void Element() {
    if (depth_ > 1) ++total_;
  }
  void Nested() {
    if (depth_ > 0) total_ += 3;
    Element();
    ++depth_;
  }
  // Number::StorageSize from the canonical text: significant digits, without the sign, the
  // point, leading zeros ("0.05") and trailing zeros of an integer ("1500").
  static size_t NumberSize(std::string_view text) {
    size_t first = text.find_first_of("123456789");
    if (first == std::string_view::npos) return 1;  // zero
    size_t last = text.find_last_of("123456789");
    size_t digits = last - first + 1;
    size_t point = text.find('.');
    if (point != std::string_view::npos && point > first && point < last) --digits;
    return (digits + 1) / 2 + 1;
  }

  size_t total_ = 0;
  int depth_ = 0;
  bool in_set_ = false;
};

}  // namespace

StatusOr<size_t> EncodedItemSize(std::string_view bytes) {
  size_t pos = 0;
  uint64_t stored = 0;
  bool has_size = false;
  if (ReadItemHeader(bytes, &pos, &stored, &has_size) && has_size) return stored;
  SizeVisitor size;
  Status s = WalkItem(bytes, size);
  if (!s.ok()) return s;
  return size.total();
}

namespace {
void EncodeItemTo(const Item& item, size_t item_size, std::string* out) {
  const size_t start = out->size();
  out->push_back(static_cast<char>(kItemCodecVersion));
  AppendVarint(item_size, out);
  bool plain = true;
  EncodeMap(item, out, &plain);
  if (plain) (*out)[start] = static_cast<char>(kPlainItemCodecVersion);
}
}  // namespace

void EncodeItem(const Item& item, std::string* out) { EncodeItemTo(item, ItemSize(item), out); }

std::string EncodeItem(const Item& item) {
  std::string out;
  EncodeItem(item, &out);
  return out;
}

std::string EncodeItem(const Item& item, size_t item_size) {
  std::string out;
  EncodeItemTo(item, item_size, &out);
  return out;
}

StatusOr<Item> DecodeItem(std::string_view bytes) {
  size_t pos = 0;
  uint64_t size = 0;
  bool has_size = false;
  if (!ReadItemHeader(bytes, &pos, &size, &has_size)) {
    return Status::Corruption("unknown item codec version");
  }
  Decoder d(bytes.substr(pos));
  Item item;
  if (!d.Map(&item, 0) || !d.Done()) return Status::Corruption("malformed item bytes");
  return item;
}

}  // namespace ddbd::storage
