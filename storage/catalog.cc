#include "storage/catalog.h"

#include <charconv>

#include "storage/item_codec.h"

namespace ddbd::storage {
namespace {

// Catalog rows written since namespaces became length-prefixed carry this version.
constexpr int kSpaceFormat = 2;

bool ParseId(const std::string& text, uint64_t* id) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return ec == std::errc() && end == text.data() + text.size() && *id != 0;
}

std::optional<ValueType> ScalarTypeFromName(const std::string& s);

bool DecodeIndexes(const AttributeValue& v, std::vector<IndexInfo>* out) {
  auto* list = v.get_if<AttributeList>();
  if (!list) return false;
  for (const auto& entry : *list) {
    auto* m = entry.get_if<AttributeMap>();
    if (!m) return false;
    auto str = [&](const char* k) -> const std::string* {
      auto it = m->find(k);
      return it == m->end() ? nullptr : it->second.get_if<std::string>();
    };
    IndexInfo i;
    const std::string *name = str("name"), *id = str("id"), *projection = str("projection");
    auto global = m->find("global");
    if (!name || !id || !projection || global == m->end() || !global->second.get_if<bool>() ||
        !ParseId(*id, &i.id)) {
      return false;
    }
    i.name = *name;
    i.global = *global->second.get_if<bool>();
    i.projection = *projection == "ALL"         ? ProjectionType::kAll
                   : *projection == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                                                : ProjectionType::kInclude;
    for (auto [field, target] : {std::pair{"hash", &i.hash}, std::pair{"range", &i.range}}) {
      auto it = m->find(field);
      auto* attrs = it == m->end() ? nullptr : it->second.get_if<AttributeList>();
      if (!attrs) return false;
      for (const auto& a : *attrs) {
        auto* am = a.get_if<AttributeMap>();
        if (!am || !am->count("name") || !am->count("type")) return false;
        auto* an = am->at("name").get_if<std::string>();
        auto* at = am->at("type").get_if<std::string>();
        if (!an || !at || !ScalarTypeFromName(*at)) return false;
        target->push_back({*an, *ScalarTypeFromName(*at)});
      }
    }
    if (auto it = m->find("non_key"); it != m->end()) {
      auto* names = it->second.get_if<AttributeList>();
      if (!names) return false;
      for (const auto& n : *names) {
        auto* ns = n.get_if<std::string>();
        if (!ns) return false;
        i.non_key_attributes.push_back(*ns);
      }
    }
    if (i.hash.empty()) return false;
    out->push_back(std::move(i));
  }
  return true;
}

// Before format 2 a namespace was `access key + "_" + region`. Regions never contain '_', so
// the last '_' splits it back into its parts.
std::string MigrateSpace(const std::string& old) {
  if (old == kSharedSpace) return old;
  size_t cut = old.rfind('_');
  if (cut == std::string::npos) return SpaceFor(old, "");
  return SpaceFor(std::string_view(old).substr(0, cut), std::string_view(old).substr(cut + 1));
}

std::optional<ValueType> ScalarTypeFromName(const std::string& s) {
  if (s == "S") return ValueType::kS;
  if (s == "N") return ValueType::kN;
  if (s == "B") return ValueType::kB;
  return std::nullopt;
}

}  // namespace

std::string BigEndian(uint64_t v) {
  std::string out;
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

uint64_t DecodeBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return v;
}

std::string IndexCompleteKey(uint64_t index_id) {
  return std::string(1, kMetaPrefix) + "b" + BigEndian(index_id);
}

std::string CatalogMapKey(std::string_view space, std::string_view name) {
  std::string k(space);
  k.push_back('\0');
  k.append(name);
  return k;
}

std::string CatalogRowKey(std::string_view space, std::string_view name) {
  return kCatalogPrefix + CatalogMapKey(space, name);
}

std::string SpaceFor(std::string_view access_key, std::string_view region) {
  std::string out = std::to_string(access_key.size());
  out.push_back(':');
  out.append(access_key);
  out.push_back('/');
  out.append(region);
  return out;
}

// The catalog entry of a table is itself an item, so the item codec is the only binary format.
std::string EncodeTableInfo(const TableInfo& t) {
  Item row;
  row["space"] = t.space;
  row["name"] = t.name;
  row["id"] = Number::FromParts(false, "", 0);
  auto id = Number::Parse(std::to_string(t.id));
  if (id.ok()) row["id"] = std::move(id).value();
  row["hash"] = t.hash.name;
  row["hash_type"] = std::string(TypeName(t.hash.type));
  if (t.range) {
    row["range"] = t.range->name;
    row["range_type"] = std::string(TypeName(t.range->type));
  }
  row["meta"] = t.meta;
  row["space_format"] = std::string(std::to_string(kSpaceFormat));
  if (t.index_families) row["index_rows"] = std::string("index_family");
  if (!t.indexes.empty()) {
    AttributeList indexes;
    for (const auto& i : t.indexes) {
      AttributeMap m;
      m["name"] = i.name;
      m["id"] = std::to_string(i.id);
      m["global"] = i.global;
      auto keys = [](const std::vector<KeyAttribute>& attrs) {
        AttributeList out;
        for (const auto& a : attrs) {
          out.push_back(AttributeMap{{"name", a.name}, {"type", std::string(TypeName(a.type))}});
        }
        return out;
      };
      m["hash"] = keys(i.hash);
      m["range"] = keys(i.range);
      m["projection"] = std::string(i.projection == ProjectionType::kAll        ? "ALL"
                                    : i.projection == ProjectionType::kKeysOnly ? "KEYS_ONLY"
                                                                                : "INCLUDE");
      AttributeList non_key;
      for (const auto& n : i.non_key_attributes) non_key.push_back(n);
      m["non_key"] = std::move(non_key);
      indexes.push_back(std::move(m));
    }
    row["indexes"] = std::move(indexes);
  }
  return EncodeItem(row);
}

StatusOr<TableInfo> DecodeTableInfo(std::string_view bytes, bool* migrated) {
  auto row = DecodeItem(bytes);
  if (!row.ok()) return row.status();
  auto str = [&](const char* k) -> const std::string* {
    auto it = row->find(k);
    return it == row->end() ? nullptr : it->second.get_if<std::string>();
  };
  TableInfo t;
  const std::string *space = str("space"), *name = str("name"), *hash = str("hash"),
                    *hash_type = str("hash_type");
  auto id_it = row->find("id");
  auto meta_it = row->find("meta");
  if (!space || !name || !hash || !hash_type || id_it == row->end() || meta_it == row->end() ||
      !id_it->second.get_if<Number>() || !meta_it->second.get_if<AttributeMap>() ||
      !ScalarTypeFromName(*hash_type)) {
    return Status::Corruption("malformed catalog entry");
  }
  std::string id_text = id_it->second.get_if<Number>()->ToString();
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), t.id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || t.id == 0) {
    return Status::Corruption("malformed table id in catalog entry");
  }
  const std::string* format = str("space_format");
  *migrated = !format || *format != std::to_string(kSpaceFormat);
  t.space = *migrated ? MigrateSpace(*space) : *space;
  t.name = *name;
  t.hash = {*hash, *ScalarTypeFromName(*hash_type)};
  if (const std::string* range = str("range"), *range_type = str("range_type"); range) {
    if (!range_type || !ScalarTypeFromName(*range_type)) {
      return Status::Corruption("malformed catalog entry");
    }
    t.range = KeyAttribute{*range, *ScalarTypeFromName(*range_type)};
  }
  if (auto idx = row->find("indexes");
      idx != row->end() && !DecodeIndexes(idx->second, &t.indexes)) {
    return Status::Corruption("malformed index in catalog entry");
  }
  t.meta = std::move(*meta_it->second.get_if<AttributeMap>());
  // Absent in rows written before index rows had families of their own: beside the items.
  const std::string* index_rows = str("index_rows");
  t.index_families = index_rows && *index_rows == "index_family";
  return t;
}

}  // namespace ddbd::storage
