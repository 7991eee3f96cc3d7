#include "server/auth.h"

#include <catch2/catch.hpp>

using ddbd::server::Credentials;
using ddbd::server::ParseAuthorization;

TEST_CASE("the credential scope names access key and region") {
  Credentials c;
  auto err = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID123/20261126/eu-west-1/dynamodb/aws4_request, "
      "SignedHeaders=host;x-amz-date;x-amz-target, Signature=abcdef",
      true, &c);
  REQUIRE_FALSE(err);
  CHECK(c.access_key == "AKID123");
  CHECK(c.region == "eu-west-1");
  // Parts separated by spaces only, as some clients send them.
  Credentials d;
  REQUIRE_FALSE(
      ParseAuthorization("AWS4-HMAC-SHA256 Credential=K/20261126/us-east-1/dynamodb/aws4_request "
                         "SignedHeaders=host Signature=00",
                         true, &d));
  CHECK(d.access_key == "K");
}

TEST_CASE("missing and malformed Authorization get the service's errors") {
  Credentials c;
  auto missing = ParseAuthorization(std::nullopt, true, &c);
  REQUIRE(missing);
  CHECK(missing->code() == "MissingAuthenticationTokenException");
  CHECK(missing->message() == "Request is missing Authentication Token");
  auto garbage = ParseAuthorization("Basic dXNlcjpwYXNz", true, &c);
  REQUIRE(garbage);
  CHECK(garbage->code() == "IncompleteSignatureException");
  auto partial = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=K/20261126/us-east-1/dynamodb/aws4_request", true, &c);
  REQUIRE(partial);
  CHECK(partial->code() == "IncompleteSignatureException");
  CHECK(partial->message().find("'Signature'") != std::string::npos);
  auto no_date = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=K/20261126/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
      "Signature=1",
      false, &c);
  REQUIRE(no_date);
  CHECK(no_date->message().find("X-Amz-Date") != std::string::npos);
}

TEST_CASE("without --auth any credential scope the SDKs produce is accepted") {
  using ddbd::server::ParseCredentialsLenient;
  Credentials c;
  // The Go SDK v2 with a URL-only endpoint resolver signs with an empty region.
  REQUIRE_FALSE(
      ParseCredentialsLenient("AWS4-HMAC-SHA256 Credential=KEY/20261129//dynamodb/aws4_request, "
                              "SignedHeaders=host;x-amz-date, Signature=ab",
                              &c));
  CHECK(c.access_key == "KEY");
  CHECK(c.region == "us-east-1");
  REQUIRE_FALSE(ParseCredentialsLenient(
      "AWS4-HMAC-SHA256 Credential=K2/20261129/eu-west-3/dynamodb/aws4_request", &c));
  CHECK(c.access_key == "K2");
  CHECK(c.region == "eu-west-3");
  REQUIRE_FALSE(ParseCredentialsLenient("AWS4-HMAC-SHA256 Credential=only", &c));
  CHECK(c.access_key == "only");
  CHECK(c.region == "us-east-1");
  auto missing = ParseCredentialsLenient(std::nullopt, &c);
  REQUIRE(missing);
  CHECK(missing->code() == "MissingAuthenticationTokenException");
  auto garbage = ParseCredentialsLenient("Basic dXNlcjpwYXNz", &c);
  REQUIRE(garbage);
  CHECK(garbage->code() == "IncompleteSignatureException");
  auto no_key = ParseCredentialsLenient("AWS4-HMAC-SHA256 Credential=/20261129/r/dynamodb/x", &c);
  REQUIRE(no_key);
  CHECK(no_key->code() == "IncompleteSignatureException");
}
