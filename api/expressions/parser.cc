#include "api/expressions/parser.h"

#include <cctype>
#include <optional>
#include <string>

#include "api/errors.h"
#include "api/expressions/reserved_words.h"

namespace ddbd::api::expressions {
namespace {

// DynamoDB counts operators and functions in an expression; more than this is rejected.
constexpr size_t kMaxOperators = 300;

enum class Tok {
  kEnd,
  kName,
  kNamePlaceholder,
  kValuePlaceholder,
  kNumber,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kInvalid,
};

struct Token {
  Tok kind;
  size_t begin, end;  // byte offsets into the expression
};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    size_t b = i;
    char c = s[i];
    auto one = [&](Tok k) { out.push_back({k, b, ++i}); };
    // A bare name starts with a letter ("_a" and "1a" are syntax errors); #/: refs may not.
    if (std::isalpha(static_cast<unsigned char>(c))) {
      while (i < s.size() && IsWordChar(s[i])) ++i;
      out.push_back({Tok::kName, b, i});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({Tok::kNumber, b, i});
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < s.size() && IsWordChar(s[i])) ++i;
      if (i == b + 1) {
        out.push_back({Tok::kInvalid, b, i});
      } else {
        out.push_back({c == '#' ? Tok::kNamePlaceholder : Tok::kValuePlaceholder, b, i});
      }
    } else if (c == '<') {
      if (i + 1 < s.size() && s[i + 1] == '>') {
        out.push_back({Tok::kNe, b, i += 2});
      } else if (i + 1 < s.size() && s[i + 1] == '=') {
        out.push_back({Tok::kLe, b, i += 2});
      } else {
        one(Tok::kLt);
      }
    } else if (c == '>') {
      if (i + 1 < s.size() && s[i + 1] == '=') {
        out.push_back({Tok::kGe, b, i += 2});
      } else {
        one(Tok::kGt);
      }
    } else {
      switch (c) {
        case '(':
          one(Tok::kLParen);
          break;
        case ')':
          one(Tok::kRParen);
          break;
        case '[':
          one(Tok::kLBracket);
          break;
        case ']':
          one(Tok::kRBracket);
          break;
        case ',':
          one(Tok::kComma);
          break;
        case '.':
          one(Tok::kDot);
          break;
        case '=':
          one(Tok::kEq);
          break;
        case '+':
          one(Tok::kPlus);
          break;
        case '-':
          one(Tok::kMinus);
          break;
        default: {
          // One whole UTF-8 character, so the message quotes it intact.
          ++i;
          while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
          out.push_back({Tok::kInvalid, b, i});
        }
      }
    }
  }
  out.push_back({Tok::kEnd, s.size(), s.size()});
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<Function> FunctionByName(std::string_view name) {
  // Function names are case-sensitive in DynamoDB.
  if (name == "attribute_exists") return Function::kAttributeExists;
  if (name == "attribute_not_exists") return Function::kAttributeNotExists;
  if (name == "attribute_type") return Function::kAttributeType;
  if (name == "begins_with") return Function::kBeginsWith;
  if (name == "contains") return Function::kContains;
  if (name == "size") return Function::kSize;
  if (name == "if_not_exists") return Function::kIfNotExists;
  if (name == "list_append") return Function::kListAppend;
  return std::nullopt;
}

bool IsConditionFunction(Function f) {
  return f == Function::kAttributeExists || f == Function::kAttributeNotExists ||
         f == Function::kAttributeType || f == Function::kBeginsWith || f == Function::kContains;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view kind) : text_(text), kind_(kind) {
    if (text.size() > kMaxExpressionBytes) {
      throw Error("Expression size has exceeded the maximum allowed size; expression size: " +
                  std::to_string(text.size()));
    }
    tokens_ = Lex(text);
    if (tokens_.size() == 1) throw Error("The expression can not be empty;");
  }

  Condition ParseWholeCondition() {
    Condition c = ParseOr();
    if (Peek().kind != Tok::kEnd) SyntaxError();
    ThrowDeferred();
    CheckOperatorCount();
    return c;
  }

  UpdateExpression ParseWholeUpdate() {
    UpdateExpression u;
    bool seen[4] = {false, false, false, false};
    while (Peek().kind != Tok::kEnd) {
      static constexpr const char* kClauses[4] = {"SET", "REMOVE", "ADD", "DELETE"};
      int clause = -1;
      if (Peek().kind == Tok::kName) {
        for (int i = 0; i < 4; ++i) {
          if (EqualsIgnoreCase(Text(Peek()), kClauses[i])) clause = i;
        }
      }
      if (clause < 0) SyntaxError();
      if (seen[clause]) {
        throw Error(std::string("The \"") + kClauses[clause] +
                    "\" section can only be used once in an update expression;");
      }
      seen[clause] = true;
      Next();
      do {
        ++operators_;
        switch (clause) {
          case 0: {
            Path p = ParsePath();
            Expect(Tok::kEq);
            u.set.push_back({std::move(p), ParseSetValue()});
            break;
          }
          case 1:
            u.remove.push_back(ParsePath());
            break;
          case 2:
          case 3: {
            Path p = ParsePath();
            if (Peek().kind != Tok::kValuePlaceholder) SyntaxError();
            Operand v{ValueRef{std::string(Text(Next())), {}}};
            (clause == 2 ? u.add : u.del).push_back({std::move(p), std::move(v)});
            break;
          }
        }
      } while (Accept(Tok::kComma));
    }
    ThrowDeferred();
    CheckOperatorCount();
    return u;
  }

  Projection ParseWholeProjection() {
    Projection p;
    do {
      p.paths.push_back(ParsePath());
    } while (Accept(Tok::kComma));
    if (Peek().kind != Tok::kEnd) SyntaxError();
    ThrowDeferred();
    return p;
  }

 private:
  ApiError Error(const std::string& msg) const {
    return ApiError::Validation("Invalid " + std::string(kind_) + ": " + msg);
  }

  // Semantic problems (reserved words, unknown functions, operand counts, limits) are reported
  // only once the whole expression has parsed: a syntax error anywhere takes precedence.
  void Defer(const std::string& msg) {
    if (!deferred_) deferred_ = Error(msg);
  }
  void ThrowDeferred() {
    if (deferred_) throw *deferred_;
  }

  // DynamoDB counts operators and functions (comparisons, AND, OR, NOT, BETWEEN, IN, SET
  // actions, + and -, update functions); parentheses do not count.
  void CheckOperatorCount() const {
    if (operators_ > kMaxOperators) {
      throw Error("The expression contains too many operators; operator count: " +
                  std::to_string(operators_));
    }
  }

  [[noreturn]] void SyntaxError() const {
    const Token& t = tokens_[pos_];
    std::string token = t.kind == Tok::kEnd ? "<EOF>" : std::string(Text(t));
    size_t from = pos_ > 0 ? tokens_[pos_ - 1].begin : t.begin;
    size_t to = pos_ + 1 < tokens_.size() ? tokens_[pos_ + 1].end : t.end;
    throw Error("Syntax error; token: \"" + token + "\", near: \"" +
                std::string(text_.substr(from, to - from)) + "\"");
  }

  std::string_view Text(const Token& t) const { return text_.substr(t.begin, t.end - t.begin); }
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(Tok k) {
    if (Peek().kind != k) return false;
    Next();
    return true;
  }
  void Expect(Tok k) {
    if (!Accept(k)) SyntaxError();
  }
  bool AtKeyword(std::string_view word) const {
    return Peek().kind == Tok::kName && EqualsIgnoreCase(Text(Peek()), word);
  }
  bool AcceptKeyword(std::string_view word) {
    if (Peek().kind != Tok::kName || !EqualsIgnoreCase(Text(Peek()), word)) return false;
    Next();
    return true;
  }
  bool AtFunctionCall() const { return Peek().kind == Tok::kName && Peek(1).kind == Tok::kLParen; }

  Path ParsePath() {
    Path path;
    path.offset = Peek().begin;
    path.elements.push_back(ParsePathName());
    while (true) {
      if (Accept(Tok::kDot)) {
        path.elements.push_back(ParsePathName());
      } else if (Accept(Tok::kLBracket)) {
        if (Peek().kind != Tok::kNumber) SyntaxError();
        std::string_view digits = Text(Next());
        PathElement e;
        if (digits.size() > 9) {
          Defer("List index is too large; index: " + std::string(digits));
          digits = "0";
        }
        e.index = std::stoll(std::string(digits));
        Expect(Tok::kRBracket);
        path.elements.push_back(std::move(e));
      } else {
        break;
      }
      if (path.elements.size() == kMaxPathDepth + 1) {
        Defer("The document path has too many nesting levels; nesting levels: " +
              std::to_string(path.elements.size()));
      }
    }
    return path;
  }

  PathElement ParsePathName() {
    const Token& t = Peek();
    PathElement e;
    if (t.kind == Tok::kNamePlaceholder) {
      e.name = std::string(Text(t));
      e.placeholder = true;
    } else if (t.kind == Tok::kName) {
      if (IsReservedWord(Text(t))) {
        Defer("Attribute name is a reserved keyword; reserved keyword: " + std::string(Text(t)));
      }
      e.name = std::string(Text(t));
    } else {
      SyntaxError();
    }
    Next();
    return e;
  }

  // Parses `name(args)`; the caller has checked AtFunctionCall().
  Call ParseCall() {
    // Function arguments recurse (if_not_exists(a, if_not_exists(...))): bounded like groups.
    if (++depth_ > kMaxNesting) {
      throw Error("The expression has too many nested levels; nesting levels: " +
                  std::to_string(depth_));
    }
    std::string_view name = Text(Next());
    auto fn = FunctionByName(name);
    if (!fn) {
      Defer("Invalid function name; function: " + std::string(name));
      fn = Function::kSize;  // parse on; the deferred error is what gets reported
    }
    Expect(Tok::kLParen);
    Call call{*fn, {}};
    do {
      call.args.push_back(call.function == Function::kIfNotExists ||
                                  call.function == Function::kListAppend
                              ? ParseUpdateOperand()
                              : ParseConditionOperand());
    } while (Accept(Tok::kComma));
    Expect(Tok::kRParen);
    if (*fn == Function::kListAppend) {
      for (const auto& arg : call.args) {
        auto* inner = std::get_if<Call>(&arg.v);
        if (inner && inner->function == Function::kListAppend) {
          Defer(
              "The function is not allowed to be used this way in an expression; function: "
              "list_append");
        }
      }
    }
    size_t expected = (*fn == Function::kAttributeExists || *fn == Function::kAttributeNotExists ||
                       *fn == Function::kSize)
                          ? 1
                          : 2;
    if (call.args.size() != expected) {
      Defer("Incorrect number of operands for operator or function; operator or function: " +
            std::string(FunctionName(*fn)) +
            ", number of operands: " + std::to_string(call.args.size()));
    }
    bool needs_path = *fn != Function::kListAppend && *fn != Function::kBeginsWith &&
                      *fn != Function::kContains && *fn != Function::kSize;
    if (needs_path && !std::holds_alternative<Path>(call.args[0].v)) {
      Defer("Operator or function requires a document path; operator or function: " +
            std::string(FunctionName(*fn)));
    }
    --depth_;
    return call;
  }

  // Condition operands: a path, a :value, or size(path).
  Operand ParseConditionOperand() {
    if (Peek().kind == Tok::kValuePlaceholder) {
      return Operand{ValueRef{std::string(Text(Next())), {}}};
    }
    if (AtFunctionCall()) {
      Call call = ParseCall();
      if (call.function != Function::kSize || in_update_) {
        Defer("The function is not allowed to be used this way in an expression; function: " +
              std::string(FunctionName(call.function)));
      }
      return Operand{std::move(call)};
    }
    return Operand{ParsePath()};
  }

  // Update operands: a path, a :value, if_not_exists(...) or list_append(...).
  Operand ParseUpdateOperand() {
    if (Peek().kind == Tok::kValuePlaceholder) {
      return Operand{ValueRef{std::string(Text(Next())), {}}};
    }
    if (AtFunctionCall()) {
      bool saved = in_update_;
      in_update_ = true;
      Call call = ParseCall();
      in_update_ = saved;
      if (call.function != Function::kIfNotExists && call.function != Function::kListAppend) {
        Defer("The function is not allowed in an update expression; function: " +
              std::string(FunctionName(call.function)));
      }
      ++operators_;
      return Operand{std::move(call)};
    }
    return Operand{ParsePath()};
  }

  Operand ParseSetValue() {
    Operand lhs = ParseUpdateOperand();
    if (Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus) {
      char op = Next().kind == Tok::kPlus ? '+' : '-';
      ++operators_;
      Operand rhs = ParseUpdateOperand();
      return Operand{Arithmetic{op, {std::move(lhs), std::move(rhs)}}};
    }
    return lhs;
  }

  // A chain `a OR b OR c` is one n-ary node, not a left-deep tree: evaluating or destroying a
  // long chain never recurses along it.
  Condition ParseOr() {
    Condition first = ParseAnd();
    if (!AtKeyword("OR")) return first;
    Logical chain{false, {}};
    chain.sides.push_back(std::move(first));
    while (AcceptKeyword("OR")) {
      ++operators_;
      chain.sides.push_back(ParseAnd());
    }
    last_was_group_ = false;
    return Condition{std::move(chain)};
  }

  Condition ParseAnd() {
    Condition first = ParseNot();
    if (!AtKeyword("AND")) return first;
    Logical chain{true, {}};
    chain.sides.push_back(std::move(first));
    while (AcceptKeyword("AND")) {
      ++operators_;
      chain.sides.push_back(ParseNot());
    }
    last_was_group_ = false;
    return Condition{std::move(chain)};
  }

  Condition ParseNot() {
    if (++depth_ > kMaxNesting) {
      throw Error("The expression has too many nested levels; nesting levels: " +
                  std::to_string(depth_));
    }
    bool negated = AcceptKeyword("NOT");
    if (negated) ++operators_;
    Condition c = negated ? Condition{Not{{ParseNot()}}} : ParsePredicate();
    if (negated) last_was_group_ = false;
    --depth_;
    return c;
  }

  bool AtComparison() const {
    Tok k = Peek().kind;
    return k == Tok::kEq || k == Tok::kNe || k == Tok::kLt || k == Tok::kLe || k == Tok::kGt ||
           k == Tok::kGe || AtKeyword("BETWEEN") || AtKeyword("IN");
  }

  Condition ParsePredicate() {
    if (Accept(Tok::kLParen)) {
      Condition inner = ParseOr();
      bool inner_was_group = last_was_group_;
      Expect(Tok::kRParen);
      if (inner_was_group) Defer("The expression has redundant parentheses;");
      last_was_group_ = true;
      return inner;
    }
    last_was_group_ = false;
    std::optional<Operand> parsed_lhs;
    if (AtFunctionCall()) {
      auto fn = FunctionByName(Text(Peek()));
      if (!fn || IsConditionFunction(*fn)) {
        // A boolean function is a whole condition; compared like a value it is misused. An
        // unknown function's name is the error (deferred) wherever it stands.
        Call call = ParseCall();
        if (!AtComparison()) return Condition{std::move(call)};
        if (fn) {
          Defer("The function is not allowed to be used this way in an expression; function: " +
                std::string(FunctionName(*fn)));
        }
        parsed_lhs = Operand{std::move(call)};
      }
    }
    Operand lhs = parsed_lhs ? std::move(*parsed_lhs) : ParseConditionOperand();
    std::optional<Comparator> cmp;
    switch (Peek().kind) {
      case Tok::kEq:
        cmp = Comparator::kEq;
        break;
      case Tok::kNe:
        cmp = Comparator::kNe;
        break;
      case Tok::kLt:
        cmp = Comparator::kLt;
        break;
      case Tok::kLe:
        cmp = Comparator::kLe;
        break;
      case Tok::kGt:
        cmp = Comparator::kGt;
        break;
      case Tok::kGe:
        cmp = Comparator::kGe;
        break;
      default:
        break;
    }
    if (cmp || AtKeyword("BETWEEN") || AtKeyword("IN")) ++operators_;
    if (cmp) {
      Next();
      return Condition{Comparison{*cmp, std::move(lhs), ParseConditionOperand()}};
    }
    if (AcceptKeyword("BETWEEN")) {
      Operand lower = ParseConditionOperand();
      if (!AcceptKeyword("AND")) SyntaxError();
      Operand upper = ParseConditionOperand();
      return Condition{Between{std::move(lhs), std::move(lower), std::move(upper)}};
    }
    if (AcceptKeyword("IN")) {
      Expect(Tok::kLParen);
      In in{std::move(lhs), {}};
      do {
        in.candidates.push_back(ParseConditionOperand());
      } while (Accept(Tok::kComma));
      Expect(Tok::kRParen);
      if (in.candidates.size() > 100) {
        Defer("The IN operator is provided with too many operands; number of operands: " +
              std::to_string(in.candidates.size()));
      }
      return Condition{std::move(in)};
    }
    // size(x) alone is a value, not a condition.
    if (auto* call = std::get_if<Call>(&lhs.v); call && !AtComparison()) {
      Defer("The function is not allowed to be used this way in an expression; function: " +
            std::string(FunctionName(call->function)));
      return Condition{std::move(*call)};
    }
    SyntaxError();
  }

  std::string_view text_;
  std::string_view kind_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t operators_ = 0;
  bool in_update_ = false;
  std::optional<ApiError> deferred_;
  bool last_was_group_ = false;  // the condition just parsed was a (parenthesized) group
  // Parentheses and NOT recurse; this bounds the recursion for hostile input.
  static constexpr int kMaxNesting = 200;
  int depth_ = 0;
};

}  // namespace

std::string Path::ToString() const {
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i) out += ", ";
    if (elements[i].is_index()) {
      out += "[" + std::to_string(elements[i].index) + "]";
    } else {
      out += elements[i].name;
    }
  }
  return out + "]";
}

const char* FunctionName(Function f) {
  switch (f) {
    case Function::kAttributeExists:
      return "attribute_exists";
    case Function::kAttributeNotExists:
      return "attribute_not_exists";
    case Function::kAttributeType:
      return "attribute_type";
    case Function::kBeginsWith:
      return "begins_with";
    case Function::kContains:
      return "contains";
    case Function::kSize:
      return "size";
    case Function::kIfNotExists:
      return "if_not_exists";
    case Function::kListAppend:
      return "list_append";
  }
  return "?";
}

const char* ComparatorText(Comparator c) {
  switch (c) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "<>";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
  }
  return "?";
}

Condition ParseCondition(std::string_view text, std::string_view kind) {
  return Parser(text, kind).ParseWholeCondition();
}

UpdateExpression ParseUpdate(std::string_view text) {
  return Parser(text, kUpdateExpression).ParseWholeUpdate();
}

Projection ParseProjection(std::string_view text) {
  return Parser(text, kProjectionExpression).ParseWholeProjection();
}

}  // namespace ddbd::api::expressions
