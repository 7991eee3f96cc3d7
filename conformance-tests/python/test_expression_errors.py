# Expression validation errors, word for word: syntax errors with token and "near" text,
# undefined and unused placeholders, reserved words, functions and operand counts, limits,
# mixing legacy and expression parameters, empty expressions and semantic checks. Every
# rejected request must also leave the item untouched.
#
# The real service sometimes wraps one message in "1 validation error detected: " (it varies
# by region); assert_validation accepts the message bare or so wrapped, nothing else.

import re

import pytest
from botocore.exceptions import ClientError

from conftest import assert_validation, strip_envelope, unique_key


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def item_key(ddb, table_s):
    """A stored item the failing requests must not change."""
    key = unique_key("err")
    ddb.put_item(TableName=table_s, Item={"pk": S(key), "a": N(1), "s": S("x")})
    return key


def unchanged(ddb, table, key):
    got = ddb.get_item(TableName=table, Key={"pk": S(key)}, ConsistentRead=True)["Item"]
    assert got == {"pk": S(key), "a": N(1), "s": S("x")}


def cond_error(ddb, table, key, cond, message, values=None, names=None):
    """A conditional UpdateItem is rejected with `message` and changes nothing."""
    params = dict(TableName=table, Key={"pk": S(key)}, UpdateExpression="SET upd = :upd_val",
                  ConditionExpression=cond,
                  ExpressionAttributeValues=dict(values or {}, **{":upd_val": S("changed")}))
    if names is not None:
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as e:
        ddb.update_item(**params)
    assert_validation(e, message)
    unchanged(ddb, table, key)
    return e


def update_error(ddb, table, key, expr, message, values=None, names=None):
    params = dict(TableName=table, Key={"pk": S(key)}, UpdateExpression=expr)
    if values is not None:
        params["ExpressionAttributeValues"] = values
    if names is not None:
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as e:
        ddb.update_item(**params)
    assert_validation(e, message)
    unchanged(ddb, table, key)
    return e


# --- syntax errors ---------------------------------------------------------------------------

def test_update_syntax_error_first_token(ddb, table_s, item_key):
    # Captured from the service: the token, and "near" spanning previous..next token.
    update_error(ddb, table_s, item_key, "INVALID SYNTAX HERE",
                 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
                 {":v": S("val")})


def test_update_syntax_error_keeps_original_spacing(ddb, table_s, item_key):
    # Captured from the service: "near" is the source text from the previous to the next token.
    update_error(ddb, table_s, item_key, "ADD hits : incr",
                 'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
                 {":incr": N(1)})


@pytest.mark.parametrize("cond,token,near", [
    ("a = :v AND", "<EOF>", "AND"),      # at the end: no next token
    ("a == :v", "=", "== :v"),           # previous token '=', next ':v'
    ("a = :v b = :v", "b", ":v b ="),
    ("(a = :v", "<EOF>", ":v"),
    ("a = :v)", ")", ":v)"),
])
def test_condition_syntax_errors(ddb, table_s, item_key, cond, token, near):
    # Same rule for conditions: token, and the text from the previous to the next token.
    cond_error(ddb, table_s, item_key, cond,
               f'Invalid ConditionExpression: Syntax error; token: "{token}", near: "{near}"',
               {":v": N(1)})


def test_update_syntax_error_at_end(ddb, table_s, item_key):
    # A dangling operator: token <EOF>, near is the last token.
    update_error(ddb, table_s, item_key, "SET a = :v +",
                 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "+"', {":v": N(1)})


@pytest.mark.parametrize("expr", [
    "SET a",                    # missing '= value'
    "SET a = b / c",            # no division
    "SET a = b * c",            # no multiplication
    "SET a = :v + :v + :v",     # only one + or - per operand
    "REMOVE a = :v",
    "ADD a",
    "DELETE a",
    "SET :v = a",               # a value cannot be a target
    "whatever",
])
def test_update_syntax_errors_are_rejected(ddb, table_s, item_key, expr):
    # Grammar violations are syntax errors (the exact token/near is covered above).
    params = dict(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression=expr)
    if ":v" in expr:
        params["ExpressionAttributeValues"] = {":v": N(1)}
    with pytest.raises(ClientError) as e:
        ddb.update_item(**params)
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert re.match(r'^Invalid UpdateExpression: Syntax error; token: "[^"]*", near: "[^"]*"$',
                    strip_envelope(err["Message"])), err
    unchanged(ddb, table_s, item_key)


# --- placeholders ----------------------------------------------------------------------------

def test_undefined_name_in_condition(ddb, table_s, item_key):
    # A #name with no ExpressionAttributeNames entry.
    cond_error(ddb, table_s, item_key, "#n = :v",
               "Invalid ConditionExpression: An expression attribute name used in the document "
               "path is not defined; attribute name: #n", {":v": N(1)}, {"#other": "a"})


def test_undefined_value_in_condition(ddb, table_s, item_key):
    # A :value with no ExpressionAttributeValues entry (the update's own value is defined).
    cond_error(ddb, table_s, item_key, "a = :v",
               "Invalid ConditionExpression: An expression attribute value used in expression is "
               "not defined; attribute value: :v")


def test_undefined_name_in_update(ddb, table_s, item_key):
    # The same check inside UpdateExpression, prefixed accordingly.
    update_error(ddb, table_s, item_key, "SET #n = :v",
                 "Invalid UpdateExpression: An expression attribute name used in the document "
                 "path is not defined; attribute name: #n", {":v": N(1)})


def test_undefined_value_in_update(ddb, table_s, item_key):
    # Captured from the service.
    update_error(ddb, table_s, item_key, "SET a = :v",
                 "Invalid UpdateExpression: An expression attribute value used in expression is "
                 "not defined; attribute value: :v")


def test_undefined_name_in_put_condition(ddb, table_s, item_key):
    # PutItem validates its ConditionExpression the same way, before touching the item.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(item_key)}, ConditionExpression="attribute_exists(#x)")
    assert_validation(e, "Invalid ConditionExpression: An expression attribute name used in the "
                         "document path is not defined; attribute name: #x")
    unchanged(ddb, table_s, item_key)


def test_undefined_value_in_delete_condition(ddb, table_s, item_key):
    # DeleteItem likewise.
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(item_key)}, ConditionExpression="a = :gone")
    assert_validation(e, "Invalid ConditionExpression: An expression attribute value used in "
                         "expression is not defined; attribute value: :gone")
    unchanged(ddb, table_s, item_key)


def test_unused_name(ddb, table_s, item_key):
    # Every ExpressionAttributeNames entry must be used by some expression of the request.
    cond_error(ddb, table_s, item_key, "a = :v",
               "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}",
               {":v": N(1)}, {"#a": "a"})


def test_unused_value(ddb, table_s, item_key):
    # Every ExpressionAttributeValues entry must be used.
    cond_error(ddb, table_s, item_key, "a = :v",
               "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
               {":v": N(1), ":w": N(2)})


def test_two_unused_names_listed(ddb, table_s, item_key):
    # Several unused keys are all listed (the order is not specified).
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET a = :v",
                        ExpressionAttributeValues={":v": N(1)},
                        ExpressionAttributeNames={"#x": "x", "#y": "y"})
    msg = strip_envelope(e.value.response["Error"]["Message"])
    assert msg in ("Value provided in ExpressionAttributeNames unused in expressions: keys: {#x, #y}",
                   "Value provided in ExpressionAttributeNames unused in expressions: keys: {#y, #x}")
    unchanged(ddb, table_s, item_key)


def test_names_used_by_either_expression_count(ddb, table_s, item_key):
    # A name used only in the condition and a value used only in the update are both "used".
    ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET upd = :u",
                    ConditionExpression="#a = :one", ExpressionAttributeNames={"#a": "a"},
                    ExpressionAttributeValues={":u": S("ok"), ":one": N(1)})


def test_invalid_name_key(ddb, table_s, item_key):
    # ExpressionAttributeNames keys must start with '#'.
    cond_error(ddb, table_s, item_key, "a = :v",
               'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"',
               {":v": N(1)}, {"a": "a"})


def test_invalid_value_key(ddb, table_s, item_key):
    # ExpressionAttributeValues keys must start with ':'.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET a = :v",
                        ExpressionAttributeValues={":v": N(1), "w": N(2)})
    assert_validation(e, 'ExpressionAttributeValues contains invalid key: Syntax error; key: "w"')
    unchanged(ddb, table_s, item_key)


def test_empty_names_map(ddb, table_s, item_key):
    # An empty ExpressionAttributeNames map is rejected.
    cond_error(ddb, table_s, item_key, "a = :v", "ExpressionAttributeNames must not be empty",
               {":v": N(1)}, {})


def test_empty_values_map(ddb, table_s, item_key):
    # An empty ExpressionAttributeValues map is rejected.
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(item_key)}, ConditionExpression="attribute_exists(a)",
                        ExpressionAttributeValues={})
    assert_validation(e, "ExpressionAttributeValues must not be empty")
    unchanged(ddb, table_s, item_key)


# --- reserved words --------------------------------------------------------------------------

@pytest.mark.parametrize("cond,word", [
    ("name = :v", "name"),
    ("Name = :v", "Name"),        # reported as written, not upper-cased
    ("STATUS = :v", "STATUS"),
    ("attribute_exists(date)", "date"),
    ("a.counter = :v", "counter"),  # any path element
])
def test_reserved_word_in_condition(ddb, table_s, item_key, cond, word):
    # Reserved words must be aliased with #names; the message echoes the word as written.
    values = {":v": N(1)} if ":v" in cond else None
    cond_error(ddb, table_s, item_key, cond,
               f"Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: {word}",
               values)


def test_reserved_word_in_update(ddb, table_s, item_key):
    # Same in UpdateExpression (captured wording: "reserved keyword: status").
    update_error(ddb, table_s, item_key, "SET status = :v",
                 "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
                 {":v": N(1)})


def test_reserved_word_through_placeholder_is_fine(ddb, table_s, item_key):
    # Aliased reserved words are accepted.
    ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET #s = :v",
                    ConditionExpression="attribute_not_exists(#n)",
                    ExpressionAttributeNames={"#s": "status", "#n": "name"},
                    ExpressionAttributeValues={":v": S("ok")})
    got = ddb.get_item(TableName=table_s, Key={"pk": S(item_key)}, ConsistentRead=True)["Item"]
    assert got["status"] == S("ok")


# --- functions and operands ------------------------------------------------------------------

def test_invalid_function_in_condition(ddb, table_s, item_key):
    # Unknown function names are rejected by name.
    cond_error(ddb, table_s, item_key, "foo(a)",
               "Invalid ConditionExpression: Invalid function name; function: foo")


def test_invalid_function_in_update(ddb, table_s, item_key):
    # Same in UpdateExpression.
    update_error(ddb, table_s, item_key, "SET a = foo(:v)",
                 "Invalid UpdateExpression: Invalid function name; function: foo", {":v": N(1)})


def test_function_names_are_case_sensitive(ddb, table_s, item_key):
    # Function names are case-sensitive: ATTRIBUTE_EXISTS is not attribute_exists.
    cond_error(ddb, table_s, item_key, "ATTRIBUTE_EXISTS(a)",
               "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS")


@pytest.mark.parametrize("cond,fn,count", [
    ("attribute_exists(a, s)", "attribute_exists", 2),
    ("attribute_not_exists(a, s)", "attribute_not_exists", 2),
    ("begins_with(s)", "begins_with", 1),
    ("contains(s)", "contains", 1),
    ("attribute_type(a)", "attribute_type", 1),
    ("size(a, s) = :v", "size", 2),
])
def test_wrong_operand_count_in_condition(ddb, table_s, item_key, cond, fn, count):
    # Each function has a fixed number of operands.
    values = {":v": N(1)} if ":v" in cond else None
    cond_error(ddb, table_s, item_key, cond,
               "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
               f"operator or function: {fn}, number of operands: {count}", values)


@pytest.mark.parametrize("expr,fn,count", [
    ("SET a = if_not_exists(s)", "if_not_exists", 1),
    ("SET a = list_append(s)", "list_append", 1),
])
def test_wrong_operand_count_in_update(ddb, table_s, item_key, expr, fn, count):
    # Same for the update functions.
    update_error(ddb, table_s, item_key, expr,
                 "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
                 f"operator or function: {fn}, number of operands: {count}")


def test_attribute_exists_needs_a_path(ddb, table_s, item_key):
    # attribute_exists(:value) makes no sense.
    cond_error(ddb, table_s, item_key, "attribute_exists(:v)",
               "Invalid ConditionExpression: Operator or function requires a document path; "
               "operator or function: attribute_exists", {":v": N(1)})


def test_begins_with_number_literal(ddb, table_s, item_key):
    # begins_with takes S or B; a literal of another type is rejected up front.
    cond_error(ddb, table_s, item_key, "begins_with(s, :v)",
               "Invalid ConditionExpression: Incorrect operand type for operator or function; "
               "operator or function: begins_with, operand type: N", {":v": N(1)})


def test_size_alone_is_not_a_condition(ddb, table_s, item_key):
    # size() yields a number, not a truth value (wording seen from the service by Alternator's tests).
    cond_error(ddb, table_s, item_key, "size(s)",
               "Invalid ConditionExpression: The function is not allowed to be used this way in an "
               "expression; function: size")


def test_function_used_as_operand_of_comparison(ddb, table_s, item_key):
    # Only size() may appear as a comparison operand.
    cond_error(ddb, table_s, item_key, "attribute_exists(a) = :v",
               "Invalid ConditionExpression: The function is not allowed to be used this way in an "
               "expression; function: attribute_exists", {":v": N(1)})


def test_same_operand_twice(ddb, table_s, item_key):
    # Captured from the service: comparing a path with itself is rejected.
    cond_error(ddb, table_s, item_key, "contains(#a, #a)",
               "Invalid ConditionExpression: The first operand must be distinct from the remaining "
               "operands for this operator or function; operator: contains, first operand: [s]",
               names={"#a": "s"})


def test_redundant_parentheses(ddb, table_s, item_key):
    # Captured from the service: doubled parentheses are rejected.
    cond_error(ddb, table_s, item_key, "((attribute_exists(a)))",
               "Invalid ConditionExpression: The expression has redundant parentheses;")


@pytest.mark.parametrize("expr,op,typ", [
    ("SET a = s + :str", "+", "S"),
    ("SET a = :str - a", "-", "S"),
    ("SET a = list_append(:str, s)", "list_append", "S"),
])
def test_literal_operand_type_in_update(ddb, table_s, item_key, expr, op, typ):
    # Arithmetic and list_append reject literals of the wrong type before reading the item.
    update_error(ddb, table_s, item_key, expr,
                 "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                 f"operator or function: {op}, operand type: {typ}", {":str": S("x")})


@pytest.mark.parametrize("expr,values,op,typ", [
    ("ADD a :v", {":v": S("x")}, "ADD", "STRING"),
    ("ADD a :v", {":v": {"BOOL": True}}, "ADD", "BOOLEAN"),
    ("DELETE a :v", {":v": N(1)}, "DELETE", "NUMBER"),
    ("DELETE a :v", {":v": {"L": []}}, "DELETE", "LIST"),
])
def test_literal_operand_type_for_add_delete(ddb, table_s, item_key, expr, values, op, typ):
    # ADD takes a number or a set, DELETE a set; the message names the operator and type word.
    update_error(ddb, table_s, item_key, expr,
                 f"Invalid UpdateExpression: Incorrect operand type for operator or function; "
                 f"operator: {op}, operand type: {typ}", values)


def test_in_with_101_operands(ddb, table_s, item_key):
    # IN takes at most 100 operands.
    values = {f":v{i}": N(i) for i in range(101)}
    cond_error(ddb, table_s, item_key, "a IN (" + ", ".join(values) + ")",
               "Invalid ConditionExpression: The IN operator is provided with too many operands; "
               "number of operands: 101", values)


def test_between_inverted_constant_bounds(ddb, table_s, item_key):
    # Constant bounds in the wrong order are rejected, showing both bounds.
    cond_error(ddb, table_s, item_key, "a BETWEEN :hi AND :lo",
               "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be "
               "greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, "
               "upper bound operand: AttributeValue: {N:1}", {":hi": N(5), ":lo": N(1)})


def test_between_mixed_constant_types(ddb, table_s, item_key):
    # Constant bounds of different types are rejected.
    cond_error(ddb, table_s, item_key, "a BETWEEN :lo AND :hi",
               "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower "
               "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
               "AttributeValue: {S:z}", {":lo": N(1), ":hi": S("z")})


def test_attribute_type_invalid_type_name(ddb, table_s, item_key):
    # attribute_type's second operand must be one of the ten type names.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET upd = :u",
                        ConditionExpression="attribute_type(a, :t)",
                        ExpressionAttributeValues={":t": S("STRING"), ":u": S("x")})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    msg = strip_envelope(err["Message"])
    # Captures disagree on the list's order and on spaces inside the braces; the set is fixed.
    m = re.fullmatch(r"Invalid ConditionExpression: Invalid attribute type name found; type: STRING, "
                     r"valid types: \{ ?([A-Z,]+) ?\}", msg)
    assert m, msg
    assert sorted(m.group(1).split(",")) == sorted(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"])
    unchanged(ddb, table_s, item_key)


# --- limits ----------------------------------------------------------------------------------

def long_condition(size):
    """attribute_not_exists(...) AND ... of exactly `size` bytes, far below 300 operators."""
    parts, total = [], 0
    i = 0
    while True:
        clause = f"attribute_not_exists({'x' * 40}{i})"
        add = len(clause) + (5 if parts else 0)
        if total + add > size:
            break
        parts.append(clause)
        total += add
        i += 1
    short = size - total
    parts[-1] = f"attribute_not_exists({'x' * (40 + short)}{i - 1})"
    expr = " AND ".join(parts)
    assert len(expr.encode()) == size
    return expr


def test_condition_of_4096_bytes_accepted(ddb, table_s, item_key):
    # 4 KB is the documented maximum expression size.
    ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET upd = :u",
                    ConditionExpression=long_condition(4096), ExpressionAttributeValues={":u": S("ok")})


def test_condition_over_4096_bytes(ddb, table_s, item_key):
    # One byte more is rejected (some regions append "; expression size: <n>").
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET upd = :u",
                        ConditionExpression=long_condition(4097), ExpressionAttributeValues={":u": S("ok")})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert strip_envelope(err["Message"]) in (
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size;",
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
        "expression size: 4097"), err
    unchanged(ddb, table_s, item_key)


def test_update_expression_over_4096_bytes(ddb, table_s, item_key):
    # The limit applies to UpdateExpression as well.
    sets, values, i = [], {}, 0
    while len("SET " + ", ".join(sets)) <= 4096:
        sets.append(f"{'y' * 40}{i} = :v{i}")
        values[f":v{i}"] = N(i)
        i += 1
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET " + ", ".join(sets),
                        ExpressionAttributeValues=values)
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert strip_envelope(err["Message"]).startswith(
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"), err
    unchanged(ddb, table_s, item_key)


# --- parameter combinations ------------------------------------------------------------------

def test_expected_with_condition_expression(ddb, table_s, item_key):
    # Captured from the service: legacy and expression parameters cannot be mixed.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(item_key)}, Expected={"pk": {"Exists": False}},
                     ConditionExpression="attribute_not_exists(pk)")
    assert_validation(e, "Can not use both expression and non-expression parameters in the same "
                         "request: Non-expression parameters: {Expected} Expression parameters: "
                         "{ConditionExpression}")
    unchanged(ddb, table_s, item_key)


def test_attribute_updates_with_update_expression(ddb, table_s, item_key):
    # Captured from the service: the same for AttributeUpdates and UpdateExpression.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(item_key)}, UpdateExpression="SET a = :v",
                        ExpressionAttributeValues={":v": S("val")},
                        AttributeUpdates={"a": {"Value": S("val"), "Action": "PUT"}})
    assert_validation(e, "Can not use both expression and non-expression parameters in the same "
                         "request: Non-expression parameters: {AttributeUpdates} Expression "
                         "parameters: {UpdateExpression}")
    unchanged(ddb, table_s, item_key)


def test_empty_condition_expression(ddb, table_s, item_key):
    # Captured from the service.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(item_key)}, ConditionExpression="")
    assert_validation(e, "Invalid ConditionExpression: The expression can not be empty;")
    unchanged(ddb, table_s, item_key)


def test_empty_update_expression(ddb, table_s, item_key):
    # Captured from the service.
    update_error(ddb, table_s, item_key, "", "Invalid UpdateExpression: The expression can not be empty;")


def test_whitespace_only_expression_is_empty(ddb, table_s, item_key):
    # Whitespace alone counts as empty.
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(item_key)}, ConditionExpression="   ")
    assert_validation(e, "Invalid ConditionExpression: The expression can not be empty;")
    unchanged(ddb, table_s, item_key)


def test_names_without_any_expression(ddb, table_s, item_key):
    # Captured from the service: placeholders need an expression to belong to.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(item_key)}, ExpressionAttributeNames={"#a": "a"})
    assert_validation(e, "ExpressionAttributeNames can only be specified when using expressions")
    unchanged(ddb, table_s, item_key)


def test_values_without_any_expression(ddb, table_s, item_key):
    # Captured from the service (older regions append ": ConditionExpression is null").
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(item_key)}, ExpressionAttributeValues={":v": S("x")})
    msg = strip_envelope(e.value.response["Error"]["Message"])
    assert msg in ("ExpressionAttributeValues can only be specified when using expressions",
                   "ExpressionAttributeValues can only be specified when using expressions: "
                   "ConditionExpression is null"), msg
    unchanged(ddb, table_s, item_key)
