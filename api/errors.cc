#include "api/errors.h"

namespace ddbd::api {
namespace {
constexpr const char* kCoralValidate = "com.amazon.coral.validate#";
constexpr const char* kCoralService = "com.amazon.coral.service#";
constexpr const char* kDynamo = "com.amazonaws.dynamodb.v20120810#";
}  // namespace

ApiError::ApiError(std::string type, std::string message, int http_status)
    : std::runtime_error(message),
      type_(std::move(type)),
      message_(std::move(message)),
      http_status_(http_status) {}

std::string ApiError::code() const {
  auto hash = type_.find('#');
  return hash == std::string::npos ? type_ : type_.substr(hash + 1);
}

ApiError&& ApiError::WithItem(storage::Item item) && {
  item_ = std::move(item);
  return std::move(*this);
}

bool ApiError::capitalized_message_key() const {
  std::string c = code();
  // The service model spells these members "Message" (the SDKs' deserializers read only that
  // spelling for them), the others "message".
  return c == "SerializationException" || c == "TransactionCanceledException" ||
         c == "IdempotentParameterMismatchException" || c == "TransactionInProgressException";
}

ApiError ApiError::Validation(std::string m) {
  return {std::string(kCoralValidate) + "ValidationException", std::move(m)};
}
ApiError ApiError::Serialization(std::string m) {
  return {std::string(kCoralService) + "SerializationException", std::move(m)};
}
ApiError ApiError::UnknownOperation(std::string m) {
  return {std::string(kCoralService) + "UnknownOperationException", std::move(m)};
}
ApiError ApiError::MissingAuthenticationToken(std::string m) {
  return {std::string(kCoralService) + "MissingAuthenticationTokenException", std::move(m)};
}
ApiError ApiError::IncompleteSignature(std::string m) {
  return {std::string(kCoralService) + "IncompleteSignatureException", std::move(m)};
}
ApiError ApiError::UnrecognizedClient(std::string m) {
  return {std::string(kCoralService) + "UnrecognizedClientException", std::move(m)};
}
ApiError ApiError::InvalidSignature(std::string m) {
  return {std::string(kCoralService) + "InvalidSignatureException", std::move(m)};
}
ApiError ApiError::ResourceNotFound(std::string m) {
  return {std::string(kDynamo) + "ResourceNotFoundException", std::move(m)};
}
ApiError ApiError::ResourceInUse(std::string m) {
  return {std::string(kDynamo) + "ResourceInUseException", std::move(m)};
}
ApiError ApiError::ConditionalCheckFailed(std::string m) {
  return {std::string(kDynamo) + "ConditionalCheckFailedException", std::move(m)};
}
ApiError ApiError::LimitExceeded(std::string m) {
  return {std::string(kDynamo) + "LimitExceededException", std::move(m)};
}
ApiError ApiError::ItemCollectionSizeLimitExceeded() {
  return {std::string(kDynamo) + "ItemCollectionSizeLimitExceededException",
          "Collection size exceeded."};
}
ApiError ApiError::Internal(std::string m) {
  return {std::string(kDynamo) + "InternalServerError", std::move(m), 500};
}
ApiError ApiError::TransactionCanceled(std::vector<CancellationReason> reasons) {
  std::string codes;
  for (const auto& r : reasons) codes += (codes.empty() ? "" : ", ") + r.code;
  ApiError e{std::string(kDynamo) + "TransactionCanceledException",
             "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                 codes + "]"};
  e.reasons_ = std::move(reasons);
  return e;
}
ApiError ApiError::IdempotentParameterMismatch() {
  // DynamoDB Local's wording; the service's own text is not documented.
  return {std::string(kDynamo) + "IdempotentParameterMismatchException",
          "Specified idempotent token was used with different request parameters within the "
          "idempotency window"};
}
ApiError ApiError::TransactionInProgress() {
  return {std::string(kDynamo) + "TransactionInProgressException",
          "Transaction from previous request is still in progress"};
}

}  // namespace ddbd::api
