#include "api/operations/idempotency.h"

#include "api/errors.h"

namespace ddbd::api {

void IdempotencyTokens::ExpireLocked(std::chrono::system_clock::time_point now) {
  while (!expiry_.empty() && (expiry_.begin()->first <= now || expiry_.size() > kMaxRemembered)) {
    auto it = entries_.find(expiry_.begin()->second);
    if (it != entries_.end() && it->second.done && it->second.expires == expiry_.begin()->first) {
      entries_.erase(it);
    }
    expiry_.erase(expiry_.begin());
  }
}

IdempotencyTokens::Claim IdempotencyTokens::Begin(const std::string& token,
                                                  const std::string& fingerprint) {
  std::lock_guard lock(mu_);
  ExpireLocked(clock_.Now());
  size_t hash = std::hash<std::string>{}(fingerprint);
  auto [it, inserted] = entries_.try_emplace(token);
  if (inserted) {
    it->second.fingerprint = hash;
    it->second.fingerprint_size = fingerprint.size();
    return Claim::kNew;
  }
  if (it->second.fingerprint != hash || it->second.fingerprint_size != fingerprint.size()) {
    throw ApiError::IdempotentParameterMismatch();
  }
  if (!it->second.done) throw ApiError::TransactionInProgress();
  return Claim::kReplay;
}

void IdempotencyTokens::Finish(const std::string& token, bool succeeded) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return;
  if (!succeeded) {
    entries_.erase(it);
    return;
  }
  it->second.done = true;
  it->second.expires = clock_.Now() + kWindow;
  expiry_.emplace(it->second.expires, token);
}

}  // namespace ddbd::api
