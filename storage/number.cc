#include "storage/number.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace ddbd::storage {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Compares magnitudes of two canonical numbers.
std::strong_ordering CompareMagnitude(const Number& a, const Number& b) {
  if (a.is_zero() || b.is_zero()) return !a.is_zero() <=> !b.is_zero();
  if (a.exponent() != b.exponent()) return a.exponent() <=> b.exponent();
  int c = a.digits().compare(b.digits());
  return c <=> 0;
}

// Digits of |n| aligned so that position i holds the coefficient of 10^(top - 1 - i).
std::string Aligned(const Number& n, int top, int bottom) {
  std::string out(static_cast<size_t>(top - bottom), '0');
  for (size_t i = 0; i < n.digits().size(); ++i) {
    int power = n.exponent() - 1 - static_cast<int>(i);
    out[static_cast<size_t>(top - 1 - power)] = n.digits()[i];
  }
  return out;
}

}  // namespace

StatusOr<Number> Number::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string mantissa;
  int point = -1;  // digits before the decimal point
  size_t mantissa_digits = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      mantissa.push_back(c);
      ++mantissa_digits;
    } else if (c == '.' && point < 0) {
      point = static_cast<int>(mantissa.size());
    } else {
      break;
    }
  }
  if (mantissa_digits == 0) return Status::InvalidArgument(std::string(kNotANumber));
  if (point < 0) point = static_cast<int>(mantissa.size());
  int64_t exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    size_t start = i;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      if (exp < 1'000'000'000) exp = exp * 10 + (text[i] - '0');
    }
    if (i == start) return Status::InvalidArgument(std::string(kNotANumber));
    if (exp_negative) exp = -exp;
  }
  if (i != text.size()) return Status::InvalidArgument(std::string(kNotANumber));

  // Normalize: drop leading zeros (each moves the point left), then trailing zeros.
  size_t lead = 0;
  while (lead < mantissa.size() && mantissa[lead] == '0') ++lead;
  if (lead == mantissa.size()) return Number();
  size_t end = mantissa.size();
  while (end > lead && mantissa[end - 1] == '0') --end;
  std::string digits = mantissa.substr(lead, end - lead);
  int64_t exponent = static_cast<int64_t>(point) - static_cast<int64_t>(lead) + exp;
  if (digits.size() > kMaxDigits) return Status::InvalidArgument(std::string(kTooManyDigits));
  if (exponent > kMaxExponent) return Status::InvalidArgument(std::string(kOverflow));
  if (exponent < kMinExponent) return Status::InvalidArgument(std::string(kUnderflow));
  return FromParts(negative, std::move(digits), static_cast<int>(exponent));
}

Number Number::FromParts(bool negative, std::string digits, int exponent) {
  Number n;
  n.digits_ = std::move(digits);
  n.negative_ = negative && !n.digits_.empty();
  n.exponent_ = n.digits_.empty() ? 0 : exponent;
  return n;
}

StatusOr<Number> Number::Checked(bool negative, std::string digits, int exponent) {
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') ++lead;
  if (lead == digits.size()) return Number();
  size_t end = digits.size();
  while (end > lead && digits[end - 1] == '0') --end;
  exponent -= static_cast<int>(lead);
  digits = digits.substr(lead, end - lead);
  if (digits.size() > kMaxDigits) return Status::InvalidArgument(std::string(kTooManyDigits));
  if (exponent > kMaxExponent) return Status::InvalidArgument(std::string(kOverflow));
  if (exponent < kMinExponent) return Status::InvalidArgument(std::string(kUnderflow));
  return FromParts(negative, std::move(digits), exponent);
}

std::string Number::ToString() const {
  if (digits_.empty()) return "0";
  std::string out;
  if (negative_) out.push_back('-');
  int len = static_cast<int>(digits_.size());
  if (exponent_ <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_), '0');
    out += digits_;
  } else if (exponent_ >= len) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - len), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out.push_back('.');
    out.append(digits_, static_cast<size_t>(exponent_), std::string::npos);
  }
  return out;
}

std::strong_ordering Number::operator<=>(const Number& other) const {
  bool a_neg = negative_ && !is_zero();
  bool b_neg = other.negative_ && !other.is_zero();
  if (a_neg != b_neg) return a_neg ? std::strong_ordering::less : std::strong_ordering::greater;
  auto mag = CompareMagnitude(*this, other);
  return a_neg ? 0 <=> mag : mag;
}

StatusOr<Number> Number::Add(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  // Align both magnitudes on a common grid of powers of ten [bottom, top).
  int top = std::max(a.exponent(), b.exponent()) + 1;
  int bottom = std::min(a.exponent() - static_cast<int>(a.digits().size()),
                        b.exponent() - static_cast<int>(b.digits().size()));
  std::string x = Aligned(a, top, bottom);
  std::string y = Aligned(b, top, bottom);
  bool negative;
  std::string result(x.size(), '0');
  if (a.negative() == b.negative()) {
    negative = a.negative();
    int carry = 0;
    for (size_t i = x.size(); i-- > 0;) {
      int d = (x[i] - '0') + (y[i] - '0') + carry;
      result[i] = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
  } else {
    auto mag = CompareMagnitude(a, b);
    if (mag == 0) return Number();
    const std::string& big = mag > 0 ? x : y;
    const std::string& small = mag > 0 ? y : x;
    negative = mag > 0 ? a.negative() : b.negative();
    int borrow = 0;
    for (size_t i = big.size(); i-- > 0;) {
      int d = (big[i] - '0') - (small[i] - '0') - borrow;
      borrow = d < 0 ? 1 : 0;
      result[i] = static_cast<char>('0' + (d + 10) % 10);
    }
  }
  return Checked(negative, std::move(result), top);
}

StatusOr<Number> Number::Subtract(const Number& a, const Number& b) {
  Number negated = b;
  negated.negative_ = !b.negative_ && !b.is_zero();
  return Add(a, negated);
}

}  // namespace ddbd::storage
