#include "server/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>

#include "server/auth.h"

// Followed: AWS IAM User Guide, "Create a signed AWS API request" and "Elements of an AWS API
// request signature" (canonical request, string to sign, signing key); AWS General Reference,
// "Handling dates in Signature Version 4" (X-Amz-Date, then Date; the scope date must match).
// Error wording and the order of the checks: DynamoDB's own responses, as recorded in dynalite
// (mhart/dynalite index.js) and scratchstack-aws-signature (src/error.rs).

namespace ddbd::server {
namespace {

namespace chr = std::chrono;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kService = "dynamodb";  // DynamoDB Streams signs as "dynamodb" too
constexpr std::string_view kTerminator = "aws4_request";
// Requests more than 15 minutes away from the server's clock are refused, in either direction.
constexpr chr::minutes kMaxSkew{15};

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

// Raw HMAC-SHA256; empty only if libcrypto fails, which then matches no signature.
std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size)) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac), size);
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::optional<std::string_view> FindHeader(const SigV4Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t end = s.find(separator, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// UriEncode of the signing documentation: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX with
// uppercase hex; '/' is kept in paths only.
void UriEncode(std::string_view in, bool keep_slash, std::string* out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (char c : in) {
    auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
        b == '.' || b == '_' || b == '~' || (keep_slash && b == '/')) {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kDigits[b >> 4]);
      out->push_back(kDigits[b & 0xf]);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX → byte; anything else, including '+' and a malformed escape, stays as it is.
std::string PercentDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// Non-S3 services normalize the path (RFC 3986 remove_dot_segments, and repeated slashes collapse)
// and URI-encode it twice. The path on the request line is already encoded once, so it is
// encoded once more here: "/a%20b" → "/a%2520b", as botocore and the other SDKs compute it.
std::string CanonicalUri(std::string_view path) {
  std::vector<std::string_view> segments;
  for (std::string_view segment : Split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string normalized = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized += '/';
    normalized += segments[i];
  }
  if (!segments.empty() && path.ends_with('/')) normalized += '/';
  std::string out;
  UriEncode(normalized, /*keep_slash=*/true, &out);
  return out;
}

// Parameters decoded, then URI-encoded (so "%2f", "%2F" and "/" agree) and sorted by name, then by
// value; a name without '=' has an empty value.
std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view param : Split(query, '&')) {
    if (param.empty()) continue;
    size_t eq = param.find('=');
    std::pair<std::string, std::string> encoded;
    UriEncode(PercentDecode(param.substr(0, eq)), false, &encoded.first);
    if (eq != std::string_view::npos) {
      UriEncode(PercentDecode(param.substr(eq + 1)), false, &encoded.second);
    }
    params.push_back(std::move(encoded));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

// Trimall: no leading or trailing white space, and each run of spaces inside becomes one space.
void AppendTrimmed(std::string_view value, std::string* out) {
  bool pending_space = false, any = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = any;
      continue;
    }
    if (pending_space) out->push_back(' ');
    out->push_back(c);
    pending_space = false;
    any = true;
  }
}

std::optional<int> Digits(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<chr::sys_seconds> MakeTime(std::optional<int> year, int month, std::optional<int> day,
                                         std::optional<int> hour, std::optional<int> minute,
                                         std::optional<int> second) {
  if (!year || !day || !hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  chr::year_month_day ymd{chr::year(*year), chr::month(month), chr::day(*day)};
  if (!ymd.ok()) return std::nullopt;
  return chr::sys_days(ymd) + chr::hours(*hour) + chr::minutes(*minute) + chr::seconds(*second);
}

// ISO 8601 basic format, the only one X-Amz-Date takes: 20150830T123600Z.
std::optional<chr::sys_seconds> ParseIsoBasic(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  std::optional<int> month = Digits(s.substr(4, 2));
  if (!month) return std::nullopt;
  return MakeTime(Digits(s.substr(0, 4)), *month, Digits(s.substr(6, 2)), Digits(s.substr(9, 2)),
                  Digits(s.substr(11, 2)), Digits(s.substr(13, 2)));
}

// The HTTP Date header (RFC 7231 IMF-fixdate, "Sun, 29 Nov 2026 23:59:30 GMT"); botocore writes
// "-0000" for the zone. The ISO basic form is accepted there too, as AWS's examples use it.
std::optional<chr::sys_seconds> ParseHttpDate(std::string_view s) {
  if (auto iso = ParseIsoBasic(s)) return iso;
  if (size_t comma = s.find(','); comma != std::string_view::npos) s.remove_prefix(comma + 1);
  std::vector<std::string_view> f;
  for (std::string_view part : Split(s, ' ')) {
    if (!part.empty()) f.push_back(part);
  }
  if (f.size() != 5 || f[3].size() != 8 || f[3][2] != ':' || f[3][5] != ':' ||
      (f[4] != "GMT" && f[4] != "UTC" && f[4] != "+0000" && f[4] != "-0000")) {
    return std::nullopt;
  }
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto month = std::find(std::begin(kMonths), std::end(kMonths), f[1]);
  if (month == std::end(kMonths) || f[2].size() != 4) return std::nullopt;
  return MakeTime(Digits(f[2]), static_cast<int>(month - std::begin(kMonths)) + 1, Digits(f[0]),
                  Digits(f[3].substr(0, 2)), Digits(f[3].substr(3, 2)), Digits(f[3].substr(6, 2)));
}

std::string FormatIsoBasic(chr::sys_seconds t) {
  chr::sys_days days = chr::floor<chr::days>(t);
  chr::year_month_day ymd{days};
  chr::hh_mm_ss hms{t - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr)) return {};
  return Hex(digest, size);
}

std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string k_date = HmacSha256("AWS4" + std::string(secret), date);
  std::string k_region = HmacSha256(k_date, region);
  std::string k_service = HmacSha256(k_region, service);
  return HmacSha256(k_service, kTerminator);
}

std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign) {
  std::string mac = HmacSha256(signing_key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string SigV4CanonicalRequest(const SigV4Request& request, std::string_view signed_headers) {
  std::string_view target = request.target;
  // An absolute-form target ("http://host/path") signs its path.
  if (size_t scheme = target.find("://"); !target.starts_with('/') && scheme != target.npos) {
    size_t path = target.find('/', scheme + 3);
    target = path == target.npos ? std::string_view("/") : target.substr(path);
  }
  size_t question = target.find('?');
  std::string out(request.method);
  out += '\n';
  out += CanonicalUri(target.substr(0, question));
  out += '\n';
  if (question != target.npos) out += CanonicalQuery(target.substr(question + 1));
  out += '\n';
  // One line per signed header, in the order signed; repeated headers joined by ','.
  for (std::string_view name : Split(signed_headers, ';')) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [key, value] : request.headers) {
      if (!EqualsIgnoreCase(key, name)) continue;
      if (!first) out += ',';
      AppendTrimmed(value, &out);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  out += signed_headers;
  out += '\n';
  // Always the hash of the bytes received: X-Amz-Content-SHA256 (an S3 header) is trusted no
  // further than it agrees with them, and UNSIGNED-PAYLOAD is S3's alone.
  out += Sha256Hex(request.body);
  return out;
}

std::optional<api::ApiError> VerifySigV4(const SigV4Request& request, const SigV4Secrets& secrets,
                                         chr::system_clock::time_point now) {
  std::optional<std::string_view> amz_date = FindHeader(request, "x-amz-date");
  std::optional<std::string_view> http_date = FindHeader(request, "date");
  Credentials credentials;
  AuthorizationParts parts;
  if (auto error =
          ParseAuthorization(FindHeader(request, "authorization"),
                             amz_date.has_value() || http_date.has_value(), &credentials, &parts)) {
    return error;
  }

  // X-Amz-Date first, Date when it is absent ("Handling dates in Signature Version 4").
  std::string_view raw_date = amz_date ? *amz_date : *http_date;
  std::optional<chr::sys_seconds> when =
      amz_date ? ParseIsoBasic(raw_date) : ParseHttpDate(raw_date);
  if (!when) {
    return api::ApiError::IncompleteSignature("Date must be in ISO-8601 'basic format'. Got '" +
                                              std::string(raw_date) +
                                              "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  std::string iso_date = FormatIsoBasic(*when);
  chr::sys_seconds server_time = chr::floor<chr::seconds>(now);
  if (*when < server_time - kMaxSkew) {
    return api::ApiError::InvalidSignature("Signature expired: " + iso_date +
                                           " is now earlier than " +
                                           FormatIsoBasic(server_time - kMaxSkew) + " (" +
                                           FormatIsoBasic(server_time) + " - 15 min.)");
  }
  if (*when > server_time + kMaxSkew) {
    return api::ApiError::InvalidSignature("Signature not yet current: " + iso_date +
                                           " is still later than " +
                                           FormatIsoBasic(server_time + kMaxSkew) + " (" +
                                           FormatIsoBasic(server_time) + " + 15 min.)");
  }

  std::vector<std::string_view> signed_names = Split(parts.signed_headers, ';');
  if (std::none_of(signed_names.begin(), signed_names.end(),
                   [](std::string_view n) { return EqualsIgnoreCase(n, "host"); })) {
    return api::ApiError::InvalidSignature(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // ParseAuthorization has checked the shape: AKID/yyyymmdd/region/service/aws4_request. Any
  // region is accepted: it names a data namespace here, not an endpoint.
  std::string_view credential = parts.credential;
  if (credential.ends_with('/')) credential.remove_suffix(1);
  std::vector<std::string_view> scope = Split(credential, '/');
  if (scope.size() != 5) {  // unreachable after ParseAuthorization; never index out of range
    return api::ApiError::IncompleteSignature("Credential should be scoped to a valid region.");
  }
  std::string scope_errors;
  if (scope[3] != kService) {
    scope_errors += "Credential should be scoped to correct service: 'dynamodb'. ";
  }
  if (scope[4] != kTerminator) {
    scope_errors += "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                    std::string(scope[4]) + "'. ";
  }
  if (scope[1] != std::string_view(iso_date).substr(0, 8)) {
    scope_errors +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(scope[1]) + "' != '" + iso_date.substr(0, 8) + "', from '" + iso_date + "'. ";
  }
  if (!scope_errors.empty()) {
    scope_errors.pop_back();
    return api::ApiError::InvalidSignature(std::move(scope_errors));
  }

  auto secret = secrets.find(scope[0]);
  if (secret == secrets.end()) return api::ApiError::UnrecognizedClient();

  std::string_view credential_scope = credential.substr(scope[0].size() + 1);
  std::string string_to_sign = std::string(kAlgorithm) + '\n' + iso_date + '\n' +
                               std::string(credential_scope) + '\n' +
                               Sha256Hex(SigV4CanonicalRequest(request, parts.signed_headers));
  std::string expected =
      SigV4Signature(SigV4SigningKey(secret->second, scope[1], scope[2], scope[3]), string_to_sign);
  if (expected.empty() || parts.signature.size() != expected.size() ||
      CRYPTO_memcmp(parts.signature.data(), expected.data(), expected.size()) != 0) {
    return api::ApiError::InvalidSignature(std::string(kSignatureMismatch));
  }
  return std::nullopt;
}

}  // namespace ddbd::server
