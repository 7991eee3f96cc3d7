// ClientRequestToken windows, on a clock the test moves.
#include "api/operations/idempotency.h"

#include <catch2/catch.hpp>

#include "api/errors.h"

using namespace ddbd;
using Claim = api::IdempotencyTokens::Claim;

TEST_CASE("a token replays for ten minutes after its call succeeded, then is forgotten") {
  storage::ManualClock clock(std::chrono::system_clock::time_point(std::chrono::hours(1000)));
  api::IdempotencyTokens tokens(clock);
  auto code = [&](const std::string& token, const std::string& fp) {
    try {
      tokens.Begin(token, fp);
      return std::string("claimed");
    } catch (const api::ApiError& e) {
      return e.code();
    }
  };

  REQUIRE(tokens.Begin("t", "request A") == Claim::kNew);
  // While the first call runs, a repeat is refused; another request with the token mismatches.
  CHECK(code("t", "request A") == "TransactionInProgressException");
  CHECK(code("t", "request B") == "IdempotentParameterMismatchException");
  tokens.Finish("t", true);
  CHECK(tokens.Begin("t", "request A") == Claim::kReplay);
  CHECK(code("t", "request B") == "IdempotentParameterMismatchException");
  clock.Advance(std::chrono::minutes(9) + std::chrono::seconds(59));
  CHECK(tokens.Begin("t", "request A") == Claim::kReplay);
  clock.Advance(std::chrono::seconds(1));
  // Ten minutes after the success the token is new again, for any request.
  CHECK(tokens.Begin("t", "request B") == Claim::kNew);
  tokens.Finish("t", true);

  // A call that failed releases its token: the retry runs.
  REQUIRE(tokens.Begin("u", "request C") == Claim::kNew);
  tokens.Finish("u", false);
  CHECK(tokens.Begin("u", "request D") == Claim::kNew);
}
