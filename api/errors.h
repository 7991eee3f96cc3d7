// ApiError: the one error type of the API layer. Each DynamoDB error has a named factory that
// fixes its wire `__type` and HTTP status; expressions and operations throw it, and
// wire::Dispatcher::Handle is the only place that catches it and turns it into a response.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/value.h"

namespace ddbd::api {

// One action's outcome in a TransactionCanceledException: Code "None" (the action would have
// succeeded), "ConditionalCheckFailed" (with the item when ALL_OLD was asked for),
// "ValidationError", "ItemCollectionSizeLimitExceeded", ...
struct CancellationReason {
  std::string code = "None";
  std::string message;  // empty for None
  std::optional<storage::Item> item;
};

class ApiError : public std::runtime_error {
 public:
  // `type` is the full wire type, e.g. "com.amazon.coral.validate#ValidationException".
  ApiError(std::string type, std::string message, int http_status = 400);

  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }
  int http_status() const { return http_status_; }
  // The short code after '#', as the SDKs report it.
  std::string code() const;
  // ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure=ALL_OLD.
  const std::optional<storage::Item>& item() const { return item_; }
  ApiError&& WithItem(storage::Item item) &&;
  const std::vector<CancellationReason>& cancellation_reasons() const { return reasons_; }
  // SerializationException, TransactionCanceledException, IdempotentParameterMismatchException
  // and TransactionInProgressException spell their key "Message".
  bool capitalized_message_key() const;

  static ApiError Validation(std::string message);
  static ApiError Serialization(std::string message);
  static ApiError UnknownOperation(std::string message = "");
  static ApiError MissingAuthenticationToken(std::string message);
  static ApiError IncompleteSignature(std::string message);
  static ApiError UnrecognizedClient(
      std::string message = "The security token included in the request is invalid.");
  static ApiError InvalidSignature(std::string message);
  static ApiError ResourceNotFound(std::string message = "Requested resource not found");
  static ApiError ResourceInUse(std::string message);
  static ApiError ConditionalCheckFailed(std::string message = "The conditional request failed");
  static ApiError LimitExceeded(std::string message);
  static ApiError ItemCollectionSizeLimitExceeded();
  static ApiError Internal(std::string message = "Internal server error");
  // "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ...]".
  static ApiError TransactionCanceled(std::vector<CancellationReason> reasons);
  static ApiError IdempotentParameterMismatch();
  static ApiError TransactionInProgress();

 private:
  std::string type_;
  std::string message_;
  int http_status_;
  std::optional<storage::Item> item_;
  std::vector<CancellationReason> reasons_;
};

}  // namespace ddbd::api
