// AWS Signature Version 4 (AWS4-HMAC-SHA256) verification of a request as received: a pure
// function of the request, the known secrets and the current time (no I/O, no clock, no state).
// A failure comes back as the ApiError DynamoDB sends for it; nothing is thrown but bad_alloc.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/errors.h"

namespace ddbd::server {

// Views into the request; they must outlive the call.
struct SigV4Request {
  std::string_view method;  // "POST"
  std::string_view target;  // path?query exactly as on the request line, still percent-encoded
  // Every header as received: any case, repeated names allowed, in arrival order.
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;  // the raw bytes received, before any Content-Encoding is undone
};

// Access key id → secret access key. std::less<> allows lookups by string_view.
using SigV4Secrets = std::map<std::string, std::string, std::less<>>;

// nullopt when the request is signed by a known key, for service "dynamodb", within 15 minutes of
// `now`. Otherwise, in the order DynamoDB checks: MissingAuthenticationTokenException and
// IncompleteSignatureException (ParseAuthorization's), InvalidSignatureException (date out of
// range, host not signed, bad credential scope), UnrecognizedClientException (unknown key),
// InvalidSignatureException (signature mismatch).
std::optional<api::ApiError> VerifySigV4(const SigV4Request& request, const SigV4Secrets& secrets,
                                         std::chrono::system_clock::time_point now);

// The building blocks, exposed for known-answer tests against AWS's published examples.

// The canonical request of the "Create a signed AWS API request" page, for non-S3 services: path
// normalized and encoded a second time, query sorted and re-encoded, headers named by
// `signed_headers` ("host;x-amz-date"), and the hex SHA-256 of the body.
std::string SigV4CanonicalRequest(const SigV4Request& request, std::string_view signed_headers);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"):
// 32 raw bytes.
std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service);
// Lowercase hex of HMAC-SHA256(signing_key, string_to_sign).
std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign);
// Lowercase hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

}  // namespace ddbd::server
