// Dispatcher: the protocol core as a pure function. Handle() takes one request's target, body
// and caller and returns the status and JSON body to send; it never throws and is the single
// place where ApiError (and anything unexpected) becomes an error response.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/operations/idempotency.h"
#include "api/operations/table_states.h"
#include "api/operations/types.h"
#include "storage/store.h"

namespace ddbd::api::wire {

struct Reply {
  int status = 200;
  std::string body;
};

struct Request {
  std::string_view target;  // X-Amz-Target, e.g. "DynamoDB_20120810.PutItem"
  std::string_view body;    // the JSON body (already decompressed)
  Caller caller;
  // Set by the HTTP layer when the Authorization header is missing or malformed; reported
  // after JSON and target checks, in the service's order.
  std::optional<ApiError> auth_error;
};

class Dispatcher {
 public:
  // `transient_delay`: how long tables stay CREATING / DELETING (0: not at all).
  // `clock`: the time for ClientRequestToken windows.
  explicit Dispatcher(storage::Store& store,
                      std::chrono::milliseconds transient_delay = std::chrono::milliseconds(0),
                      const storage::Clock& clock = storage::SystemClock::Instance())
      : store_(store), states_(transient_delay), tokens_(clock) {}

  Reply Handle(const Request& request) noexcept;

  // An error response body, e.g. {"__type":"...#ValidationException","message":"..."}.
  static Reply ErrorReply(const ApiError& error);

 private:
  storage::Store& store_;
  TableStates states_;
  IdempotencyTokens tokens_;
};

}  // namespace ddbd::api::wire
