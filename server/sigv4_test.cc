#include "server/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>

using ddbd::server::Sha256Hex;
using ddbd::server::SigV4CanonicalRequest;
using ddbd::server::SigV4Request;
using ddbd::server::SigV4Secrets;
using ddbd::server::SigV4Signature;
using ddbd::server::SigV4SigningKey;
using ddbd::server::VerifySigV4;
namespace chr = std::chrono;

namespace {

constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {kDigits[c >> 4], kDigits[c & 0xf]};
  return out;
}

// An independent signer, written straight from the documented algorithm on OpenSSL primitives.
// The test spells out each canonical piece itself, so sigv4.cc's canonicalization is not reused.
std::string Hash(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return ToHex({reinterpret_cast<char*>(md), n});
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n);
  return {reinterpret_cast<char*>(md), n};
}

struct Signer {
  std::string access_key = "AKID";
  std::string secret = "test-secret";
  std::string region = "us-east-1";
  std::string service = "dynamodb";

  // `headers`: lowercase name → trimmed value, already canonical.
  std::string Authorization(std::string_view canonical_uri, std::string_view canonical_query,
                            const std::map<std::string, std::string>& headers,
                            std::string_view body, std::string_view amz_date,
                            std::string scope_date = "") const {
    if (scope_date.empty()) scope_date = amz_date.substr(0, 8);
    std::string canonical_headers, signed_headers;
    for (const auto& [name, value] : headers) {
      canonical_headers += name + ":" + value + "\n";
      signed_headers += (signed_headers.empty() ? "" : ";") + name;
    }
    std::string canonical = "POST\n" + std::string(canonical_uri) + "\n" +
                            std::string(canonical_query) + "\n" + canonical_headers + "\n" +
                            signed_headers + "\n" + Hash(body);
    std::string scope = scope_date + "/" + region + "/" + service + "/aws4_request";
    std::string to_sign =
        "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" + Hash(canonical);
    std::string key =
        Hmac(Hmac(Hmac(Hmac("AWS4" + secret, scope_date), region), service), "aws4_request");
    return "AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope +
           ", SignedHeaders=" + signed_headers + ", Signature=" + ToHex(Hmac(key, to_sign));
  }
};

struct Request {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  SigV4Request View() const {
    SigV4Request view{method, target, {}, body};
    for (const auto& [name, value] : headers) view.headers.emplace_back(name, value);
    return view;
  }
  std::string& Header(std::string_view name) {
    for (auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return headers.emplace_back(std::string(name), "").second;
  }
};

constexpr std::string_view kBody = R"({"TableName":"Music","Key":{"Artist":{"S":"Acme Band"}}})";

// The shape boto3 sends: Content-Type, X-Amz-Target, X-Amz-Date, Host and Authorization.
Request DynamoDbPost(const Signer& signer, std::string_view amz_date, std::string scope_date = "") {
  Request r;
  r.body = kBody;
  r.headers = {{"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "DynamoDB_20120810.GetItem"},
               {"X-Amz-Date", std::string(amz_date)},
               {"Host", "localhost:8000"}};
  r.headers.emplace_back("Authorization",
                         signer.Authorization("/", "",
                                              {{"content-type", "application/x-amz-json-1.0"},
                                               {"host", "localhost:8000"},
                                               {"x-amz-date", std::string(amz_date)},
                                               {"x-amz-target", "DynamoDB_20120810.GetItem"}},
                                              kBody, amz_date, std::move(scope_date)));
  return r;
}

chr::sys_seconds At(chr::year_month_day day, int h, int m, int s) {
  return chr::sys_days(day) + chr::hours(h) + chr::minutes(m) + chr::seconds(s);
}

const chr::sys_seconds kNow = At(chr::year(2026) / 11 / 29, 12, 34, 56);  // 20261129T123456Z
const SigV4Secrets kSecrets = {{"AKID", "test-secret"}, {"OTHER", "other-secret"}};

std::string Error(const Request& r, chr::system_clock::time_point now = kNow,
                  const SigV4Secrets& secrets = kSecrets) {
  auto error = VerifySigV4(r.View(), secrets, now);
  return error ? error->code() + ": " + error->message() : "";
}

const std::string kMismatchError = "InvalidSignatureException: " + std::string(kMismatch);

}  // namespace

TEST_CASE("signing key and signature of AWS's published examples") {
  // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
  CHECK(ToHex(SigV4SigningKey(kExampleSecret, "20120215", "us-east-1", "iam")) ==
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  // The IAM ListUsers GET of "Create a canonical request" / "Calculate the signature" (Tasks 1-3).
  SigV4Request get{"GET",
                   "/?Action=ListUsers&Version=2010-05-08",
                   {{"Host", "iam.amazonaws.com"},
                    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                    {"X-Amz-Date", "20150830T123600Z"}},
                   ""};
  std::string canonical = SigV4CanonicalRequest(get, "content-type;host;x-amz-date");
  CHECK(canonical ==
        "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
        "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex(canonical) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  std::string key = SigV4SigningKey(kExampleSecret, "20150830", "us-east-1", "iam");
  CHECK(ToHex(key) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  CHECK(SigV4Signature(key,
                       "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
                       "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59") ==
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST_CASE("a signed DynamoDB POST verifies; any change to what was signed does not") {
  Signer signer;
  Request good = DynamoDbPost(signer, "20261129T123456Z");
  CHECK(Error(good) == "");

  Request r = good;
  r.body += " ";
  CHECK(Error(r) == kMismatchError);
  r = good;
  r.Header("X-Amz-Target") = "DynamoDB_20120810.DeleteItem";
  CHECK(Error(r) == kMismatchError);
  r = good;
  r.target = "/other";
  CHECK(Error(r) == kMismatchError);
  r = good;
  r.method = "PUT";
  CHECK(Error(r) == kMismatchError);
  CHECK(Error(good, kNow, {{"AKID", "wrong-secret"}}) == kMismatchError);
  r = good;
  std::string& auth = r.Header("Authorization");
  auth.replace(auth.find(";x-amz-target"), 13, "");
  CHECK(Error(r) == kMismatchError);
  r = good;
  r.Header("Authorization").back() ^= 1;  // one hex digit of the signature
  CHECK(Error(r) == kMismatchError);
  r = good;
  r.Header("Authorization").pop_back();
  CHECK(Error(r) == kMismatchError);
  // A header that is not signed may change.
  r = good;
  r.headers.emplace_back("User-Agent", "anything");
  CHECK(Error(r) == "");
}

TEST_CASE("unknown access key, foreign scope, unsigned host") {
  Signer stranger;
  stranger.access_key = "NOBODY";
  CHECK(Error(DynamoDbPost(stranger, "20261129T123456Z")) ==
        "UnrecognizedClientException: The security token included in the request is invalid.");
  CHECK(Error(DynamoDbPost(Signer{}, "20261129T123456Z", "20261128")) ==
        "InvalidSignatureException: Date in Credential scope does not match YYYYMMDD from "
        "ISO-8601 version of date from HTTP: '20261128' != '20261129', from '20261129T123456Z'.");
  Signer s3;
  s3.service = "s3";
  CHECK(Error(DynamoDbPost(s3, "20261129T123456Z")) ==
        "InvalidSignatureException: Credential should be scoped to correct service: 'dynamodb'.");
  Signer elsewhere;  // any region is fine: it names a namespace
  elsewhere.region = "ddbd-local";
  CHECK(Error(DynamoDbPost(elsewhere, "20261129T123456Z")) == "");

  Request r;
  r.headers = {{"X-Amz-Date", "20261129T123456Z"}};
  r.headers.emplace_back("Authorization",
                         Signer{}.Authorization("/", "", {{"x-amz-date", "20261129T123456Z"}}, "",
                                                "20261129T123456Z"));
  CHECK(Error(r) ==
        "InvalidSignatureException: 'Host' or ':authority' must be a 'SignedHeader' in the AWS "
        "Authorization.");
}

TEST_CASE("the request time must be within 15 minutes of the server's") {
  Signer signer;
  CHECK(Error(DynamoDbPost(signer, "20261129T122056Z")) == "");  // -14 min
  CHECK(Error(DynamoDbPost(signer, "20261129T121956Z")) == "");  // -15 min exactly
  CHECK(Error(DynamoDbPost(signer, "20261129T124956Z")) == "");  // +15 min exactly
  CHECK(Error(DynamoDbPost(signer, "20261129T121856Z")) ==
        "InvalidSignatureException: Signature expired: 20261129T121856Z is now earlier than "
        "20261129T121956Z (20261129T123456Z - 15 min.)");
  CHECK(Error(DynamoDbPost(signer, "20261129T125056Z")) ==
        "InvalidSignatureException: Signature not yet current: 20261129T125056Z is still later "
        "than 20261129T124956Z (20261129T123456Z + 15 min.)");
  // Sub-second server time counts in whole seconds, as it is printed.
  const auto may24 = chr::year(2013) / 5 / 24;
  CHECK(Error(DynamoDbPost(signer, "20130524T000000Z"),
              At(may24, 0, 20, 0) + chr::milliseconds(999)) ==
        "InvalidSignatureException: Signature expired: 20130524T000000Z is now earlier than "
        "20130524T000500Z (20130524T002000Z - 15 min.)");
  CHECK(Error(DynamoDbPost(signer, "20130524T003000Z"), At(may24, 0, 0, 0)) ==
        "InvalidSignatureException: Signature not yet current: 20130524T003000Z is still later "
        "than 20130524T001500Z (20130524T000000Z + 15 min.)");
}

TEST_CASE("missing or malformed authentication data") {
  Request r = DynamoDbPost(Signer{}, "20261129T123456Z");
  Request no_auth = r;
  no_auth.headers.pop_back();
  CHECK(Error(no_auth) ==
        "MissingAuthenticationTokenException: Request is missing Authentication Token");
  Request no_date = r;
  no_date.headers.erase(no_date.headers.begin() + 2);
  CHECK(Error(no_date).starts_with(
      "IncompleteSignatureException: Authorization header requires existence of either a "
      "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKID/"));
  Request bad_date = r;
  bad_date.Header("X-Amz-Date") = "2026-11-29T12:34:56Z";
  CHECK(Error(bad_date) ==
        "IncompleteSignatureException: Date must be in ISO-8601 'basic format'. Got "
        "'2026-11-29T12:34:56Z'. See http://en.wikipedia.org/wiki/ISO_8601");
  bad_date.Header("X-Amz-Date") = "20261329T123456Z";  // month 13
  CHECK(Error(bad_date).starts_with("IncompleteSignatureException: Date must be"));
}

TEST_CASE("header names in any case, values trimmed and collapsed, repeats joined") {
  Request r;
  r.body = "{}";
  r.headers = {{"HOST", "localhost:8000"},
               {"x-AMZ-date", "20261129T123456Z"},
               {"X-Amz-Target", "  DynamoDB_20120810.ListTables\t "},
               {"X-Custom", "a    b   c"},
               {"x-custom", " second "},
               {"X-Amz-Security-Token", "session/token=="}};
  r.headers.emplace_back("Authorization",
                         Signer{}.Authorization("/", "",
                                                {{"host", "localhost:8000"},
                                                 {"x-amz-date", "20261129T123456Z"},
                                                 {"x-amz-security-token", "session/token=="},
                                                 {"x-amz-target", "DynamoDB_20120810.ListTables"},
                                                 {"x-custom", "a b c,second"}},
                                                "{}", "20261129T123456Z"));
  CHECK(Error(r) == "");
  r.Header("X-Amz-Security-Token") = "other-token";
  CHECK(Error(r) == kMismatchError);
}

TEST_CASE("path normalized and encoded twice, query sorted and encoded") {
  Request r;
  r.target = "/a%20b/./c//d/../e/?b=2&a=x%2fy&a=1&c&sp=x+y%20z~";
  r.headers = {{"Host", "h"}, {"X-Amz-Date", "20261129T123456Z"}};
  r.headers.emplace_back("Authorization",
                         Signer{}.Authorization("/a%2520b/c/e/", "a=1&a=x%2Fy&b=2&c=&sp=x%2By%20z~",
                                                {{"host", "h"}, {"x-amz-date", "20261129T123456Z"}},
                                                "", "20261129T123456Z"));
  CHECK(Error(r) == "");
  SigV4Request root{"POST", "", {}, ""};
  CHECK(SigV4CanonicalRequest(root, "").starts_with("POST\n/\n\n"));
  root.target = "http://localhost:8000/x?q";
  CHECK(SigV4CanonicalRequest(root, "").starts_with("POST\n/x\nq=\n"));
}

TEST_CASE("the Date header stands in for X-Amz-Date; the payload hash is always the body's") {
  Request r;
  r.body = "{}";
  r.headers = {{"Host", "h"}, {"Date", "Sun, 29 Nov 2026 12:34:56 GMT"}};
  r.headers.emplace_back(
      "Authorization",
      Signer{}.Authorization("/", "", {{"date", "Sun, 29 Nov 2026 12:34:56 GMT"}, {"host", "h"}},
                             "{}", "20261129T123456Z"));
  CHECK(Error(r) == "");
  r.Header("X-Amz-Content-SHA256") = Sha256Hex("{}");
  CHECK(Error(r) == "");
  r.Header("X-Amz-Content-SHA256") = "UNSIGNED-PAYLOAD";  // S3 only; the body stays signed
  CHECK(Error(r) == "");
  r.body = "{\"tampered\":1}";
  CHECK(Error(r) == kMismatchError);
}

// Fixed vectors from real botocore 1.29.27 signers (Debian bookworm's python3-botocore), generated
// once, offline: the first two with botocore.auth.SigV4Auth(Credentials(...), "dynamodb", region)
// .add_auth(AWSRequest(...)), the third with boto3.client("dynamodb", endpoint_url=
// "http://localhost:8000").put_item(...), which signs with the CRT signer (awscrt installed), the
// request captured by a "before-send" hook. In each, botocore.auth.datetime (botocore.crt.auth's
// for the third) was patched so that utcnow() returned the signing time.
TEST_CASE("requests signed by botocore verify") {
  const auto nov29 = chr::year(2026) / 11 / 29;
  Request get;
  get.body = R"({"TableName": "Music", "Key": {"Artist": {"S": "No One You Know"}}})";
  get.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "DynamoDB_20120810.GetItem"},
                 {"X-Amz-Date", "20261129T123456Z"},
                 {"Host", "localhost:8000"},
                 {"Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/dynamodb/aws4_request, "
                  "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                  "Signature=a820d86e90485ba1d2029d2e760b3b3fff3820b25038564a193d9310faa2bd9a"}};
  SigV4Secrets secrets = {{"AKID", std::string(kExampleSecret)}};
  CHECK(Error(get, At(nov29, 12, 35, 0), secrets) == "");

  Request odd;  // session token, Date header, dot segments, unsorted query, repeated header
  odd.target = "/a%20b/./c//d?b=2&a=x%2Fy&a=1";
  odd.body = "{}";
  odd.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "DynamoDB_20120810.ListTables"},
                 {"X-Multi", "  one   two  "},
                 {"X-Multi", "three"},
                 {"Date", "Sun, 29 Nov 2026 23:59:30 -0000"},
                 {"X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLETOKEN"},
                 {"Host", "localhost:8000"},
                 {"Authorization",
                  "AWS4-HMAC-SHA256 Credential=ASIATEMP/20261129/us-east-1/dynamodb/aws4_request, "
                  "SignedHeaders=content-type;date;host;x-amz-security-token;x-amz-target;x-multi, "
                  "Signature=071524e99e07ac82ced59e6ebd3c445cd9c5394b28bd6e92f1ea7ed78f5015a7"}};
  CHECK(Error(odd, At(nov29, 23, 59, 31), {{"ASIATEMP", "tempsecret"}}) == "");

  Request put;
  put.body = R"({"TableName": "Songs", "Item": {"pk": {"S": "a  b"}, "n": {"N": "1"}}})";
  put.headers = {
      {"X-Amz-Target", "DynamoDB_20120810.PutItem"},
      {"Content-Type", "application/x-amz-json-1.0"},
      {"User-Agent",
       "Boto3/1.26.27 Python/3.11.2 Linux/6.18.44-fc-v782 awscrt/1.0.0.dev0 Botocore/1.29.27"},
      {"host", "localhost:8000"},
      {"X-Amz-Date", "20261129T080001Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDBOTO3/20261129/eu-west-1/dynamodb/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=26145fb61fdf0a49dd012fc0e17da3a0527280d76d2b21e5fd3f0f838375220e"},
      {"amz-sdk-invocation-id", "021c01d4-c182-43ea-be9f-bfb0d2b90959"},
      {"amz-sdk-request", "attempt=1"},
      {"Content-Length", "70"}};
  SigV4Secrets boto3_secrets = {{"AKIDBOTO3", "boto3-secret-key"}};
  CHECK(Error(put, At(nov29, 8, 0, 5), boto3_secrets) == "");
  put.body.replace(put.body.find("a  b"), 4, "a b");
  CHECK(Error(put, At(nov29, 8, 0, 5), boto3_secrets) == kMismatchError);
}
