#include "api/expressions/resolve.h"

#include "api/errors.h"

namespace ddbd::api::expressions {
namespace {

using storage::AttributeValue;
using storage::ValueType;

ApiError Invalid(std::string_view kind, const std::string& msg) {
  return ApiError::Validation("Invalid " + std::string(kind) + ": " + msg);
}

const AttributeValue* Constant(const Operand& o) {
  auto* ref = std::get_if<ValueRef>(&o.v);
  return ref ? &ref->value : nullptr;
}

bool IsScalarKeyType(ValueType t) {
  return t == ValueType::kS || t == ValueType::kN || t == ValueType::kB;
}

[[noreturn]] void OperandTypeError(std::string_view kind, std::string_view fn, ValueType t) {
  throw Invalid(kind, "Incorrect operand type for operator or function; operator or function: " +
                          std::string(fn) + ", operand type: " + storage::TypeName(t));
}

// ADD and DELETE messages name the type in words.
const char* LongTypeName(ValueType t) {
  switch (t) {
    case ValueType::kS:
      return "STRING";
    case ValueType::kN:
      return "NUMBER";
    case ValueType::kB:
      return "BINARY";
    case ValueType::kSS:
      return "STRING_SET";
    case ValueType::kNS:
      return "NUMBER_SET";
    case ValueType::kBS:
      return "BINARY_SET";
    case ValueType::kM:
      return "MAP";
    case ValueType::kL:
      return "LIST";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "BOOLEAN";
  }
  return "?";
}

bool IsSet(ValueType t) {
  return t == ValueType::kSS || t == ValueType::kNS || t == ValueType::kBS;
}

// DynamoDB rejects an operator whose first operand (a path) reappears among the others.
void CheckDistinct(std::string_view kind, std::string_view op,
                   const std::vector<const Operand*>& operands) {
  auto* first = std::get_if<Path>(&operands[0]->v);
  if (!first) return;
  for (size_t i = 1; i < operands.size(); ++i) {
    auto* other = std::get_if<Path>(&operands[i]->v);
    if (other && other->elements == first->elements) {
      throw Invalid(kind,
                    "The first operand must be distinct from the remaining operands for this "
                    "operator or function; operator: " +
                        std::string(op) + ", first operand: " + first->ToString());
    }
  }
}

}  // namespace

std::string DescribeValue(const AttributeValue& value) {
  std::string out = "{";
  out += storage::TypeName(value.type());
  out += ":";
  if (auto* s = value.get_if<std::string>()) {
    out += *s;
  } else if (auto* n = value.get_if<storage::Number>()) {
    out += n->ToString();
  } else if (auto* b = value.get_if<bool>()) {
    out += *b ? "true" : "false";
  }
  return out + "}";
}

void Resolver::ResolvePath(Path& path, std::string_view kind) {
  for (auto& e : path.elements) {
    if (!e.placeholder) continue;
    auto it = names_ ? names_->find(e.name) : NameMap::const_iterator();
    if (!names_ || it == names_->end()) {
      throw Invalid(kind,
                    "An expression attribute name used in the document path is not defined; "
                    "attribute name: " +
                        e.name);
    }
    used_names_.insert(e.name);
    e.name = it->second;
    e.placeholder = false;
  }
}

void Resolver::ResolveOperand(Operand& operand, std::string_view kind) {
  if (auto* p = std::get_if<Path>(&operand.v)) {
    ResolvePath(*p, kind);
  } else if (auto* ref = std::get_if<ValueRef>(&operand.v)) {
    auto it = values_ ? values_->find(ref->placeholder) : storage::AttributeMap::const_iterator();
    if (!values_ || it == values_->end()) {
      throw Invalid(kind,
                    "An expression attribute value used in expression is not defined; "
                    "attribute value: " +
                        ref->placeholder);
    }
    used_values_.insert(ref->placeholder);
    ref->value = it->second;
  } else if (auto* call = std::get_if<Call>(&operand.v)) {
    ResolveCall(*call, kind);
  } else if (auto* arith = std::get_if<Arithmetic>(&operand.v)) {
    for (auto& side : arith->sides) {
      ResolveOperand(side, kind);
      const AttributeValue* v = Constant(side);
      if (v && v->type() != ValueType::kN) {
        OperandTypeError(kind, std::string(1, arith->op), v->type());
      }
    }
  }
}

void Resolver::ResolveCall(Call& call, std::string_view kind) {
  for (auto& arg : call.args) ResolveOperand(arg, kind);
  const char* fn = FunctionName(call.function);
  if (call.function == Function::kAttributeType) {
    const AttributeValue* t = Constant(call.args[1]);
    if (t) {
      auto* s = t->get_if<std::string>();
      if (!s) OperandTypeError(kind, fn, t->type());
      static const std::set<std::string, std::less<>> kTypes = {"B", "BOOL", "BS",   "L", "M",
                                                                "N", "NS",   "NULL", "S", "SS"};
      if (!kTypes.count(*s)) {
        throw Invalid(kind, "Invalid attribute type name found; type: " + *s +
                                ", valid types: { B,BOOL,BS,L,M,N,NS,NULL,S,SS }");
      }
    }
  } else if (call.function == Function::kListAppend) {
    for (const auto& arg : call.args) {
      const AttributeValue* v = Constant(arg);
      if (v && v->type() != ValueType::kL) OperandTypeError(kind, fn, v->type());
    }
  }
  if (call.function == Function::kSize) {
    // size() of a constant must be of a type that has a size; size(size(x)) is size of an N.
    const AttributeValue* v = Constant(call.args[0]);
    auto* inner = std::get_if<Call>(&call.args[0].v);
    if (inner && inner->function == Function::kSize) OperandTypeError(kind, fn, ValueType::kN);
    if (v && (v->type() == ValueType::kN || v->type() == ValueType::kBool ||
              v->type() == ValueType::kNull)) {
      OperandTypeError(kind, fn, v->type());
    }
  }
  if (call.function == Function::kBeginsWith || call.function == Function::kContains) {
    CheckDistinct(kind, fn, {&call.args[0], &call.args[1]});
  }
  if (call.function == Function::kBeginsWith) {
    for (const auto& arg : call.args) {
      const AttributeValue* v = Constant(arg);
      if (v && v->type() != ValueType::kS && v->type() != ValueType::kB) {
        OperandTypeError(kind, fn, v->type());
      }
    }
  }
}

void Resolver::Resolve(Condition& condition, std::string_view kind) {
  struct Visitor {
    Resolver* r;
    std::string_view kind;
    void operator()(Comparison& c) {
      r->ResolveOperand(c.lhs, kind);
      r->ResolveOperand(c.rhs, kind);
      CheckDistinct(kind, ComparatorText(c.op), {&c.lhs, &c.rhs});
      if (c.op == Comparator::kEq || c.op == Comparator::kNe) return;
      for (const Operand* o : {&c.lhs, &c.rhs}) {
        const AttributeValue* v = Constant(*o);
        if (v && !IsScalarKeyType(v->type())) {
          OperandTypeError(kind, ComparatorText(c.op), v->type());
        }
      }
    }
    void operator()(Between& b) {
      r->ResolveOperand(b.subject, kind);
      r->ResolveOperand(b.lower, kind);
      r->ResolveOperand(b.upper, kind);
      CheckDistinct(kind, "BETWEEN", {&b.subject, &b.lower, &b.upper});
      const AttributeValue* lo = Constant(b.lower);
      const AttributeValue* hi = Constant(b.upper);
      for (const AttributeValue* v : {Constant(b.subject), lo, hi}) {
        if (v && !IsScalarKeyType(v->type())) OperandTypeError(kind, "BETWEEN", v->type());
      }
      if (lo && hi && lo->type() != hi->type()) {
        throw Invalid(kind,
                      "The BETWEEN operator requires same data type for lower and upper bounds; "
                      "lower bound operand: AttributeValue: " +
                          DescribeValue(*lo) +
                          ", upper bound operand: AttributeValue: " + DescribeValue(*hi));
      }
      if (lo && hi) {
        bool inverted = false;
        if (auto* a = lo->get_if<storage::Number>()) {
          inverted = *a > *hi->get_if<storage::Number>();
        } else {
          const std::string& x = lo->type() == ValueType::kS ? *lo->get_if<std::string>()
                                                             : lo->get_if<storage::Binary>()->bytes;
          const std::string& y = hi->type() == ValueType::kS ? *hi->get_if<std::string>()
                                                             : hi->get_if<storage::Binary>()->bytes;
          inverted = x > y;
        }
        if (inverted) {
          throw Invalid(kind,
                        "The BETWEEN operator requires upper bound to be greater than or equal to "
                        "lower bound; lower bound operand: AttributeValue: " +
                            DescribeValue(*lo) +
                            ", upper bound operand: AttributeValue: " + DescribeValue(*hi));
        }
      }
    }
    void operator()(In& in) {
      r->ResolveOperand(in.subject, kind);
      for (auto& c : in.candidates) r->ResolveOperand(c, kind);
      std::vector<const Operand*> all = {&in.subject};
      for (const auto& c : in.candidates) all.push_back(&c);
      CheckDistinct(kind, "IN", all);
    }
    void operator()(Call& c) { r->ResolveCall(c, kind); }
    void operator()(Logical& l) {
      for (auto& s : l.sides) r->Resolve(s, kind);
    }
    void operator()(Not& n) { r->Resolve(n.inner[0], kind); }
  };
  std::visit(Visitor{this, kind}, condition.v);
}

void Resolver::Resolve(UpdateExpression& update) {
  constexpr std::string_view kind = "UpdateExpression";
  for (auto& a : update.set) {
    ResolvePath(a.path, kind);
    ResolveOperand(a.value, kind);
  }
  for (auto& p : update.remove) ResolvePath(p, kind);
  for (auto& a : update.add) {
    ResolvePath(a.path, kind);
    ResolveOperand(a.value, kind);
    const AttributeValue* v = Constant(a.value);
    if (v && v->type() != ValueType::kN && !IsSet(v->type())) {
      throw Invalid(kind, std::string("Incorrect operand type for operator or function; operator: "
                                      "ADD, operand type: ") +
                              LongTypeName(v->type()));
    }
  }
  for (auto& a : update.del) {
    ResolvePath(a.path, kind);
    ResolveOperand(a.value, kind);
    const AttributeValue* v = Constant(a.value);
    if (v && !IsSet(v->type())) {
      throw Invalid(kind, std::string("Incorrect operand type for operator or function; operator: "
                                      "DELETE, operand type: ") +
                              LongTypeName(v->type()));
    }
  }
}

void Resolver::Resolve(Projection& projection) {
  for (auto& p : projection.paths) ResolvePath(p, "ProjectionExpression");
}

void Resolver::CheckAllUsed() const {
  auto unused = [](const auto& sent, const auto& used) {
    std::string keys;
    for (const auto& [k, v] : sent) {
      if (used.count(k)) continue;
      keys += keys.empty() ? "" : ", ";
      keys += k;
    }
    return keys;
  };
  if (names_) {
    std::string keys = unused(*names_, used_names_);
    if (!keys.empty()) {
      throw ApiError::Validation(
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}");
    }
  }
  if (values_) {
    std::string keys = unused(*values_, used_values_);
    if (!keys.empty()) {
      throw ApiError::Validation(
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys +
          "}");
    }
  }
}

}  // namespace ddbd::api::expressions
