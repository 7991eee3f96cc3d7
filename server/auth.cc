#include "server/auth.h"

#include <vector>

namespace ddbd::server {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == ',')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == ',')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<api::ApiError> ParseAuthorization(std::optional<std::string_view> header,
                                                bool has_date, Credentials* out,
                                                AuthorizationParts* parts) {
  if (!header || Trim(*header).empty()) {
    return api::ApiError::MissingAuthenticationToken("Request is missing Authentication Token");
  }
  std::string_view h = Trim(*header);
  if (!h.starts_with(kAlgorithm) || (h.size() > kAlgorithm.size() && h[kAlgorithm.size()] != ' ')) {
    return api::ApiError::IncompleteSignature(
        "Authorization header requires 'Credential' parameter. Authorization header requires "
        "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
        "Authorization=" +
        std::string(h));
  }
  h.remove_prefix(kAlgorithm.size());
  std::string_view credential, signature, signed_headers;
  // Parts are separated by commas and/or spaces: Credential=..., SignedHeaders=..., Signature=...
  while (!(h = Trim(h)).empty()) {
    size_t end = h.find_first_of(", ");
    std::string_view part = h.substr(0, end);
    h.remove_prefix(end == std::string_view::npos ? h.size() : end);
    if (part.starts_with("Credential=")) credential = part.substr(11);
    if (part.starts_with("Signature=")) signature = part.substr(10);
    if (part.starts_with("SignedHeaders=")) signed_headers = part.substr(14);
  }
  std::string missing;
  if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (signed_headers.empty())
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!has_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  // Credential = AKID/yyyymmdd/region/service/aws4_request
  std::vector<std::string_view> scope;
  for (std::string_view c = credential; !c.empty();) {
    size_t slash = c.find('/');
    scope.push_back(c.substr(0, slash));
    c.remove_prefix(slash == std::string_view::npos ? c.size() : slash + 1);
  }
  if (!credential.empty() && (scope.size() != 5 || scope[0].empty() || scope[2].empty())) {
    missing += "Credential should be scoped to a valid region. ";
  }
  if (!missing.empty()) {
    return api::ApiError::IncompleteSignature(missing +
                                              "Authorization=" + std::string(Trim(*header)));
  }
  out->access_key = std::string(scope[0]);
  out->region = std::string(scope[2]);
  if (parts) *parts = {credential, signed_headers, signature};
  return std::nullopt;
}

std::optional<api::ApiError> ParseCredentialsLenient(std::optional<std::string_view> header,
                                                     Credentials* out) {
  if (!header || Trim(*header).empty()) {
    return api::ApiError::MissingAuthenticationToken("Request is missing Authentication Token");
  }
  std::string_view h = Trim(*header);
  std::string_view credential;
  if (h.starts_with(kAlgorithm) && (h.size() == kAlgorithm.size() || h[kAlgorithm.size()] == ' ')) {
    for (std::string_view rest = h.substr(kAlgorithm.size()); !(rest = Trim(rest)).empty();) {
      size_t end = rest.find_first_of(", ");
      std::string_view part = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
      if (part.starts_with("Credential=")) credential = part.substr(11);
    }
  }
  std::string_view access_key = credential.substr(0, credential.find('/'));
  if (access_key.empty()) {
    return api::ApiError::IncompleteSignature(
        "Authorization header requires 'Credential' parameter. Authorization=" + std::string(h));
  }
  // Scope: AKID/date/region/service/aws4_request; whatever is there, the third part is the region.
  std::string_view region;
  std::string_view scope = credential;
  for (int i = 0; i < 2 && scope.find('/') != std::string_view::npos; ++i) {
    scope.remove_prefix(scope.find('/') + 1);
    if (i == 1) region = scope.substr(0, scope.find('/'));
  }
  out->access_key = std::string(access_key);
  out->region = std::string(region.empty() ? kDefaultRegion : region);
  return std::nullopt;
}

}  // namespace ddbd::server
