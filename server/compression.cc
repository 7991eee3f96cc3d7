#include "server/compression.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace ddbd::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> SplitList(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = s.find(',');
    out.push_back(Trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Inflates one coding. gzip: one or more concatenated members; deflate: the zlib format, or raw
// deflate as some clients send it.
DecodeResult Inflate(Coding coding, std::string_view in, size_t limit, std::string* out) {
  if (in.empty()) return DecodeResult::kMalformed;
  int window = coding == Coding::kGzip ? 16 + MAX_WBITS : MAX_WBITS;
  if (coding == Coding::kDeflate &&
      (in.size() < 2 ||
       ((static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1])) % 31 != 0)) {
    window = -MAX_WBITS;  // no zlib header: raw deflate
  }
  z_stream zs{};
  if (inflateInit2(&zs, window) != Z_OK) return DecodeResult::kMalformed;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[64 * 1024];
  DecodeResult result = DecodeResult::kMalformed;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    out->append(buf, sizeof buf - zs.avail_out);
    if (out->size() > limit) {
      result = DecodeResult::kTooLarge;
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        result = DecodeResult::kOk;
        break;
      }
      // Another gzip member follows; anything else after the stream is malformed.
      if (coding != Coding::kGzip || inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc != Z_OK) break;  // corrupt data, or truncated (Z_BUF_ERROR with no input left)
    if (zs.avail_in == 0 && zs.avail_out != 0) break;  // input ended mid-stream
  }
  inflateEnd(&zs);
  return result;
}

std::string Deflate(Coding coding, std::string_view in) {
  z_stream zs{};
  int window = coding == Coding::kGzip ? 16 + MAX_WBITS : MAX_WBITS;
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::string(in);
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace

DecodeResult DecodeBody(std::string_view content_encoding, std::string_view body, size_t limit,
                        std::string* out) {
  std::vector<Coding> codings;
  for (std::string_view c : SplitList(content_encoding)) {
    if (c.empty() || EqualsIgnoreCase(c, "identity")) continue;
    if (EqualsIgnoreCase(c, "gzip") || EqualsIgnoreCase(c, "x-gzip")) {
      codings.push_back(Coding::kGzip);
    } else if (EqualsIgnoreCase(c, "deflate")) {
      codings.push_back(Coding::kDeflate);
    } else {
      return DecodeResult::kUnsupported;
    }
  }
  std::string current(body);
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    std::string next;
    DecodeResult r = Inflate(*it, current, limit, &next);
    if (r != DecodeResult::kOk) return r;
    current = std::move(next);
  }
  *out = std::move(current);
  return DecodeResult::kOk;
}

Coding NegotiateResponseCoding(std::string_view accept_encoding) {
  Coding best = Coding::kIdentity;
  double best_q = 0;
  for (std::string_view entry : SplitList(accept_encoding)) {
    std::string_view name = Trim(entry.substr(0, entry.find(';')));
    if (name.find_first_of(" \t:") != std::string_view::npos) return Coding::kIdentity;
    double q = 1;
    if (size_t semi = entry.find(';'); semi != std::string_view::npos) {
      std::string_view param = Trim(entry.substr(semi + 1));
      if (!param.starts_with("q=") && !param.starts_with("Q=")) return Coding::kIdentity;
      std::string text(param.substr(2));
      char* end = nullptr;
      q = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0') return Coding::kIdentity;
    }
    q = std::min(q, 1.0);  // q > 1 counts as 1
    Coding c = EqualsIgnoreCase(name, "gzip") || name == "*" ? Coding::kGzip
               : EqualsIgnoreCase(name, "deflate")           ? Coding::kDeflate
                                                             : Coding::kIdentity;
    // The highest q-value wins; among equals, the first listed.
    if (c != Coding::kIdentity && q > best_q) {
      best = c;
      best_q = q;
    }
  }
  return best;
}

std::string Encode(Coding coding, std::string_view body) {
  if (coding == Coding::kIdentity) return std::string(body);
  return Deflate(coding, body);
}

const char* CodingName(Coding coding) {
  switch (coding) {
    case Coding::kGzip:
      return "gzip";
    case Coding::kDeflate:
      return "deflate";
    case Coding::kIdentity:
      return "identity";
  }
  return "identity";
}

}  // namespace ddbd::server
