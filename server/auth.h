// Reading the SigV4 Authorization header: the access key and region name the caller's data
// namespace, as in DynamoDB Local. Signatures are not verified (any secret key works).
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

// Missing header → MissingAuthenticationTokenException; malformed → IncompleteSignatureException.
// `has_date` says whether the request carries X-Amz-Date or Date.
std::optional<api::ApiError> ParseAuthorization(std::optional<std::string_view> header,
                                                bool has_date, Credentials* out);

}  // namespace ddbd::server
