// ClientRequestToken idempotency for TransactWriteItems (API reference, "ClientRequestToken"):
// a token is remembered for 10 minutes after the call that used it succeeded. A repeat of the
// same request within that window succeeds without writing again; the same token with other
// parameters is IdempotentParameterMismatchException; a repeat while the first call still runs
// is TransactionInProgressException. A call that failed does not keep its token.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "storage/clock.h"

namespace ddbd::api {

class IdempotencyTokens {
 public:
  static constexpr std::chrono::minutes kWindow{10};
  // At most this many finished tokens are remembered; past it the oldest are forgotten early
  // (memory stays bounded under a sustained transaction load with SDK-generated tokens).
  static constexpr size_t kMaxRemembered = 1'000'000;

  explicit IdempotencyTokens(const storage::Clock& clock) : clock_(clock) {}

  enum class Claim { kNew, kReplay };
  // Claims `token` (already scoped to the caller's namespace) for a request identified by
  // `fingerprint`: kNew when the caller must run it (then Finish must follow), kReplay when an
  // identical request succeeded within the window. Throws IdempotentParameterMismatch or
  // TransactionInProgress.
  Claim Begin(const std::string& token, const std::string& fingerprint);
  // Records the outcome of a kNew claim: a success starts the token's window, a failure
  // releases the token.
  void Finish(const std::string& token, bool succeeded);

 private:
  struct Entry {
    // The request's canonical form, hashed: a token costs the same memory whatever the size
    // of its request.
    size_t fingerprint = 0;
    size_t fingerprint_size = 0;
    bool done = false;
    std::chrono::system_clock::time_point expires;
  };
  void ExpireLocked(std::chrono::system_clock::time_point now);

  const storage::Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::multimap<std::chrono::system_clock::time_point, std::string> expiry_;
};

}  // namespace ddbd::api
