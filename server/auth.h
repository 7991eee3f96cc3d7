// Reading the SigV4 Authorization header: the access key and region name the caller's data
// namespace, as in DynamoDB Local. Nothing here checks the signature; sigv4.h does, when enabled.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/errors.h"

namespace ddbd::server {

struct Credentials {
  std::string access_key;
  std::string region;
};

// The raw parameters of the header, as views into it (for signature verification, sigv4.h).
struct AuthorizationParts {
  std::string_view credential;      // AKID/yyyymmdd/region/service/aws4_request
  std::string_view signed_headers;  // host;x-amz-date;...
  std::string_view signature;       // lowercase hex
};

// Missing header → MissingAuthenticationTokenException; malformed → IncompleteSignatureException.
// `has_date` says whether the request carries X-Amz-Date or Date. `parts`, when given, receives
// the header's parameters on success.
std::optional<api::ApiError> ParseAuthorization(std::optional<std::string_view> header,
                                                bool has_date, Credentials* out,
                                                AuthorizationParts* parts = nullptr);

// The default (no --auth), as DynamoDB Local: only a missing header or one that is not an
// AWS4-HMAC-SHA256 header naming an access key is refused. Any credential scope is accepted: the
// Go SDK v2's URL-only endpoint resolver signs with an empty region ("KEY/20261129//dynamodb/
// aws4_request"); an empty region is read as us-east-1, the SDKs' default.
std::optional<api::ApiError> ParseCredentialsLenient(std::optional<std::string_view> header,
                                                     Credentials* out);

inline constexpr std::string_view kDefaultRegion = "us-east-1";

}  // namespace ddbd::server
