// Number: DynamoDB's exact decimal. Up to 38 significant digits, magnitude between 1E-130 and
// 9.9999999999999999999999999999999999999E+125, exact comparison and addition. The text form is
// canonical (no leading or trailing zeros, no exponent), so equal numbers print identically.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace ddbd::storage {

class Number {
 public:
  static constexpr int kMaxDigits = 38;
  // value = 0.<digits> x 10^exponent; the documented magnitude range gives these bounds.
  static constexpr int kMaxExponent = 126;
  static constexpr int kMinExponent = -129;

  // Error texts are DynamoDB's own, so the API layer can pass them through unchanged.
  static constexpr std::string_view kTooManyDigits =
      "Attempting to store more than 38 significant digits in a Number";
  static constexpr std::string_view kOverflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  static constexpr std::string_view kUnderflow =
      "Number underflow. Attempting to store a number with magnitude smaller than supported range";
  static constexpr std::string_view kNotANumber = "not a number";

  Number() = default;  // zero

  // Parses DynamoDB's number syntax ("-12.5e3", ".5", "007"). InvalidArgument carries one of the
  // messages above (kNotANumber when the text is not a number at all).
  static StatusOr<Number> Parse(std::string_view text);

  // Rebuilds a number from the parts returned by the accessors; the parts must be canonical.
  static Number FromParts(bool negative, std::string digits, int exponent);

  std::string ToString() const;
  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  const std::string& digits() const { return digits_; }  // '1'..'9' first and last, or empty
  int exponent() const { return exponent_; }

  // Exact sum and difference; fails with the overflow/underflow/precision messages above.
  static StatusOr<Number> Add(const Number& a, const Number& b);
  static StatusOr<Number> Subtract(const Number& a, const Number& b);

  std::strong_ordering operator<=>(const Number& other) const;
  bool operator==(const Number& other) const = default;

  // DynamoDB's size of a number for item-size accounting: 1 byte per two significant digits + 1.
  size_t StorageSize() const { return (digits_.size() + 1) / 2 + 1; }

 private:
  // Checks digit count and exponent range of an already-normalized number.
  static StatusOr<Number> Checked(bool negative, std::string digits, int exponent);

  bool negative_ = false;
  std::string digits_;
  int exponent_ = 0;
};

}  // namespace ddbd::storage
