# DynamoDB semantics at the edges the core hardening touched: nesting bounds after updates,
# several REMOVEs of list elements, updates that must not create items, projections of maps
# with an empty key, large set arithmetic, number overflow in arithmetic, legacy Expected
# validation, expression-size limits, condition-function operand rules, update-expression
# parsing errors and attribute-name limits. Every test here would also pass against Amazon
# DynamoDB.

import time

import pytest
from botocore.exceptions import ClientError

from conftest import (B, N, S, SS, assert_conditional_failed, assert_validation, get_item,
                      norm, raw_dynamodb_call, strip_envelope, unique_key, update, update_fails)
from conftest import seeded as _seeded


def seeded(ddb, table, **attrs):
    return _seeded(ddb, table, "core", **attrs)

NEST_MESSAGE_PREFIX = "Nesting Levels have exceeded supported limits"


def put_with_condition(ddb, table, key, condition, values=None, names=None, item=None):
    params = dict(TableName=table, Item=item or {"pk": S(key)}, ConditionExpression=condition)
    if values:
        params["ExpressionAttributeValues"] = values
    if names:
        params["ExpressionAttributeNames"] = names
    return ddb.put_item(**params)


def deep_map(levels, leaf=None):
    """`levels` nested single-entry maps (key "b") around `leaf` (a string by default)."""
    v = leaf or S("leaf")
    for _ in range(levels):
        v = {"M": {"b": v}}
    return v


def deep_list(levels, leaf=None):
    """`levels` nested single-element lists around `leaf` (a string by default)."""
    v = leaf or S("leaf")
    for _ in range(levels):
        v = {"L": [v]}
    return v


# --- nesting depth after an update -----------------------------------------------------------

# `a` is 20 levels deep (19 maps around a scalar; the top-level attribute is level 1). Setting
# a copy of `a` at a path of p components makes the item p + 19 levels deep.

def test_update_nesting_past_32_levels_rejected_and_item_unchanged(ddb, table_s):
    # PutItem's 32-level bound must also hold for the item an update produces: a self-copy
    # placed 14 levels down makes 33 levels, which is rejected, and the stored item survives.
    key = seeded(ddb, table_s, a=deep_map(19))
    before = get_item(ddb, table_s, key)
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, key, "SET a" + ".b" * 13 + " = a")
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    assert strip_envelope(err["Message"]).startswith(NEST_MESSAGE_PREFIX), err
    assert get_item(ddb, table_s, key) == before
    # The item is still readable, updatable and deletable.
    update(ddb, table_s, key, "SET c = :c", {":c": N(1)})
    assert get_item(ddb, table_s, key) == dict(before, c=N(1))
    ddb.delete_item(TableName=table_s, Key={"pk": S(key)})
    assert get_item(ddb, table_s, key) is None


def test_update_nesting_of_exactly_32_levels_accepted(ddb, table_s):
    # The same self-copy 13 levels down makes exactly 32 levels: the deepest allowed.
    key = seeded(ddb, table_s, a=deep_map(19))
    update(ddb, table_s, key, "SET a" + ".b" * 12 + " = a")
    expected = deep_map(12, deep_map(19))
    assert get_item(ddb, table_s, key)["a"] == expected


def test_update_nesting_past_32_levels_with_lists_rejected(ddb, table_s):
    # Lists count as levels too: a self-copy of a 20-level list placed 14 levels down (13
    # indexes) makes 33 levels and is rejected; 13 levels down (exactly 32) is accepted.
    key = seeded(ddb, table_s, a=deep_list(19))
    before = get_item(ddb, table_s, key)
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, key, "SET a" + "[0]" * 13 + " = a")
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    assert strip_envelope(err["Message"]).startswith(NEST_MESSAGE_PREFIX), err
    assert get_item(ddb, table_s, key) == before
    update(ddb, table_s, key, "SET a" + "[0]" * 12 + " = a")
    assert get_item(ddb, table_s, key)["a"] == deep_list(12, deep_list(19))


# --- REMOVE of several list elements ---------------------------------------------------------

LIST_A = {"L": [{"L": [S("x0"), S("x1")]},
                {"L": [S("y0"), S("y1")]},
                {"M": {"b": S("z"), "c": S("w")}}]}


def test_remove_list_elements_resolve_against_original(ddb, table_s):
    # Every path of one REMOVE clause names an element of the item as it was before the update:
    # removing a[0] does not shift a[1] to mean the old a[2].
    key = seeded(ddb, table_s, a=LIST_A)
    update(ddb, table_s, key, "REMOVE a[0], a[1][0]")
    assert get_item(ddb, table_s, key)["a"] == {
        "L": [{"L": [S("y1")]}, {"M": {"b": S("z"), "c": S("w")}}]}


def test_remove_list_element_and_nested_map_member(ddb, table_s):
    # Same rule when the second path goes into a map inside a later element.
    key = seeded(ddb, table_s, a=LIST_A)
    update(ddb, table_s, key, "REMOVE a[0], a[2].b")
    assert get_item(ddb, table_s, key)["a"] == {
        "L": [{"L": [S("y0"), S("y1")]}, {"M": {"c": S("w")}}]}


def test_remove_list_elements_in_any_order(ddb, table_s):
    # The order of paths in the clause does not matter either.
    key = seeded(ddb, table_s, a=LIST_A)
    update(ddb, table_s, key, "REMOVE a[2].c, a[1][1], a[0]")
    assert get_item(ddb, table_s, key)["a"] == {
        "L": [{"L": [S("y0")]}, {"M": {"b": S("z")}}]}


# --- updates that must not create an item ----------------------------------------------------

@pytest.mark.parametrize("expr,values", [
    ("REMOVE x", None),
    ("REMOVE x, y.z", None),
    ("DELETE s :set", {":set": SS(["a"])}),
], ids=["remove", "remove-two", "delete-set"])
def test_update_of_absent_item_that_changes_nothing_creates_nothing(ddb, table_s, expr, values):
    # Removing from an item that does not exist leaves it not existing: no key-only item.
    key = unique_key("absent")
    resp = update(ddb, table_s, key, expr, values, ReturnValues="ALL_NEW")
    assert "Attributes" not in resp
    assert get_item(ddb, table_s, key) is None


@pytest.mark.parametrize("updates", [
    {"x": {"Action": "DELETE"}},
    {"s": {"Action": "DELETE", "Value": SS(["a"])}},
    {"x": {"Action": "DELETE"}, "s": {"Action": "DELETE", "Value": SS(["a"])}},
], ids=["delete-attr", "delete-members", "both"])
def test_legacy_delete_only_update_of_absent_item_creates_nothing(ddb, table_s, updates):
    # The legacy AttributeUpdates form follows the same rule: DELETE actions alone do not create.
    key = unique_key("absent")
    resp = ddb.update_item(TableName=table_s, Key={"pk": S(key)}, AttributeUpdates=updates,
                           ReturnValues="ALL_NEW")
    assert "Attributes" not in resp
    assert get_item(ddb, table_s, key) is None


def test_update_with_no_update_creates_key_only_item(ddb, table_s):
    # An UpdateItem naming only the key is an upsert of nothing: it creates the key-only item.
    key = unique_key("bare")
    resp = ddb.update_item(TableName=table_s, Key={"pk": S(key)}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": S(key)}
    assert get_item(ddb, table_s, key) == {"pk": S(key)}


def test_remove_on_absent_item_with_set_creates(ddb, table_s):
    # A REMOVE alongside a SET does create the item (the SET writes something).
    key = unique_key("absent")
    resp = update(ddb, table_s, key, "SET v = :v REMOVE x", {":v": N(1)},
                  ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": S(key), "v": N(1)}


# --- projection of a map with an empty key ---------------------------------------------------

def test_projection_of_map_with_empty_key_is_a_map(ddb, table_s):
    # A nested map member may be named "" (only top-level names must be non-empty); projecting
    # the map returns it as a map with every member, not as a list or without the "" member.
    m = {"M": {"": S("e"), "z": S("z")}}
    key = seeded(ddb, table_s, m=m, other=S("o"))
    got = ddb.get_item(TableName=table_s, Key={"pk": S(key)}, ConsistentRead=True,
                       ProjectionExpression="m")["Item"]
    assert got == {"m": m}
    got = ddb.get_item(TableName=table_s, Key={"pk": S(key)}, ConsistentRead=True,
                       ProjectionExpression="m.z, pk")["Item"]
    assert got == {"pk": S(key), "m": {"M": {"z": S("z")}}}


# --- large sets ------------------------------------------------------------------------------

def _strings(lo, hi):
    return [f"s{i:05d}" for i in range(lo, hi)]


def test_large_set_add_delete_and_equality(ddb, table_s):
    # ADD and DELETE on sets of tens of thousands of members must be fast (not quadratic) and
    # exact, and set equality ignores member order.
    key = seeded(ddb, table_s, ss=SS(_strings(0, 20000)))
    start = time.monotonic()
    update(ddb, table_s, key, "ADD ss :new", {":new": SS(_strings(10000, 30000))})
    took = time.monotonic() - start
    print(f"ADD of 20,000 members to 20,000: {took:.2f}s")
    assert took < 5
    got = get_item(ddb, table_s, key)["ss"]["SS"]
    assert sorted(got) == _strings(0, 30000)
    # DELETE removes exactly the given members (absent ones are ignored).
    start = time.monotonic()
    update(ddb, table_s, key, "DELETE ss :gone",
           {":gone": SS(_strings(0, 5000) + _strings(40000, 45000))})
    assert time.monotonic() - start < 5
    got = get_item(ddb, table_s, key)["ss"]["SS"]
    assert sorted(got) == _strings(5000, 30000)
    # The same members in another order are an equal set.
    update(ddb, table_s, key, "SET hit = :t", {":t": N(1),
                                               ":same": SS(list(reversed(_strings(5000, 30000))))},
           ConditionExpression="ss = :same")
    assert get_item(ddb, table_s, key)["hit"] == N(1)
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, key, "SET hit = :t", {":t": N(2),
                                                   ":fewer": SS(_strings(5000, 29999))},
               ConditionExpression="ss = :fewer")
    assert_conditional_failed(e)


# --- number precision ------------------------------------------------------------------------

def test_arithmetic_beyond_38_digits_is_overflow(ddb, table_s):
    # 1E+50 + 1 needs 51 significant digits; DynamoDB refuses to round and reports it as an
    # overflow (its wording), leaving the item as it was.
    key = seeded(ddb, table_s, n=N("1E+50"))
    update_fails(ddb, table_s, key, "SET n = n + :one",
                 "Number overflow. Attempting to store a number with magnitude larger than "
                 "supported range", values={":one": N(1)})


def test_arithmetic_within_38_digits_is_exact(ddb, table_s):
    # The neighbouring case that fits: 1E+37 + 1 is 38 digits, stored exactly.
    key = seeded(ddb, table_s, n=N("1E+37"))
    update(ddb, table_s, key, "SET n = n + :one", {":one": N(1)})
    assert get_item(ddb, table_s, key)["n"] == N("1" + "0" * 36 + "1")


# --- legacy Expected validation --------------------------------------------------------------

def test_conditional_operator_without_expected(ddb, table_s):
    # ConditionalOperator combines Expected entries; without Expected it is meaningless.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(unique_key())}, ConditionalOperator="AND")
    assert_validation(e, "ConditionalOperator cannot be used without Filter or Expected")


def test_conditional_operator_with_one_expected_entry(ddb, table_s):
    # ... and with a single entry there is nothing to combine.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(unique_key())}, ConditionalOperator="OR",
                     Expected={"a": {"Exists": False}})
    assert_validation(e, "ConditionalOperator can only be used when Filter or Expected has two "
                          "or more elements")


@pytest.mark.parametrize("op,values", [("IN", []), ("BETWEEN", [N(1)])])
def test_expected_wrong_argument_count(ddb, table_s, op, values):
    # IN needs at least one value and BETWEEN exactly two.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(unique_key())},
                     Expected={"a": {"ComparisonOperator": op, "AttributeValueList": values}})
    assert_validation(e, "One or more parameter values were invalid: Invalid number of "
                          f"argument(s) for the {op} ComparisonOperator")


def test_empty_expected_is_accepted(ddb, table_s):
    # An empty Expected map is no condition at all.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": S(key)}, Expected={})
    assert get_item(ddb, table_s, key) == {"pk": S(key)}


def test_attributes_to_get_duplicate(ddb, table_s):
    # AttributesToGet is a set of names: a duplicate is rejected, naming it.
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": S(unique_key())},
                     AttributesToGet=["a", "b", "a"])
    assert_validation(e, "One or more parameter values were invalid: Duplicate value in "
                          "attribute name: a")


# --- expression attribute map and operator limits --------------------------------------------

def test_expression_attribute_name_key_too_long(ddb, table_s):
    # Placeholder names are limited to 255 bytes.
    name = "#" + "n" * 255
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": S(unique_key())},
                     ProjectionExpression=name, ExpressionAttributeNames={name: "a"})
    assert_validation(e, "ExpressionAttributeNames contains invalid key: The expression "
                          "attribute map contains a key that is too long; size of key: 256")


def test_expression_attribute_name_key_of_255_accepted(ddb, table_s):
    # The longest allowed placeholder works.
    name = "#" + "n" * 254
    key = seeded(ddb, table_s, a=S("v"))
    got = ddb.get_item(TableName=table_s, Key={"pk": S(key)}, ConsistentRead=True,
                       ProjectionExpression=name, ExpressionAttributeNames={name: "a"})
    assert got["Item"] == {"a": S("v")}


def test_expression_attribute_value_key_too_long(ddb, table_s):
    # Same limit for value placeholders.
    name = ":" + "v" * 255
    with pytest.raises(ClientError) as e:
        put_with_condition(ddb, table_s, unique_key(), f"a = {name}", {name: N(1)})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    assert strip_envelope(err["Message"]).startswith(
        "ExpressionAttributeValues contains invalid key: The expression attribute map contains "
        "a key that is too long;"), err


def test_expression_attribute_name_empty_value(ddb, table_s):
    # A placeholder cannot stand for an empty attribute name.
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": S(unique_key())},
                     ProjectionExpression="#a", ExpressionAttributeNames={"#a": ""})
    assert_validation(e, "ExpressionAttributeNames contains invalid value: Empty attribute "
                          "name for key #a")


def _conjunction(count):
    return " AND ".join(["a = :v"] * count)


def test_condition_with_301_operators_rejected(ddb, table_s):
    # 151 comparisons joined by 150 ANDs are 301 operators: one over the limit of 300.
    key = seeded(ddb, table_s, a=N(1))
    with pytest.raises(ClientError) as e:
        put_with_condition(ddb, table_s, key, _conjunction(151), {":v": N(1)},
                           item={"pk": S(key), "a": N(1), "w": N(1)})
    assert_validation(e, "Invalid ConditionExpression: The expression contains too many "
                          "operators; operator count: 301")
    assert get_item(ddb, table_s, key) == {"pk": S(key), "a": N(1)}


def test_condition_with_300_operators_accepted(ddb, table_s):
    # NOT plus 150 comparisons and 149 ANDs is exactly 300 operators: allowed, and evaluated.
    key = seeded(ddb, table_s, a=N(1))
    put_with_condition(ddb, table_s, key, "NOT a = :w AND " + _conjunction(149),
                       {":v": N(1), ":w": N(2)}, item={"pk": S(key), "a": N(1), "w": N(1)})
    assert get_item(ddb, table_s, key) == {"pk": S(key), "a": N(1), "w": N(1)}


# --- condition functions ---------------------------------------------------------------------

@pytest.mark.parametrize("condition,stored,holds", [
    ("begins_with(:v, a)", "hel", True),
    ("begins_with(:v, a)", "llo", False),
    ("contains(:v, a)", "ell", True),
    ("contains(:v, a)", "xyz", False),
], ids=["begins-true", "begins-false", "contains-true", "contains-false"])
def test_functions_with_constant_first_operand(ddb, table_s, condition, stored, holds):
    # begins_with and contains take any operands: with the constant first they ask whether
    # :v (here "hello") starts with, or contains, the stored value.
    key = seeded(ddb, table_s, a=S(stored))
    item = {"pk": S(key), "a": S(stored), "w": N(1)}
    if holds:
        put_with_condition(ddb, table_s, key, condition, {":v": S("hello")}, item=item)
        assert get_item(ddb, table_s, key) == item
    else:
        with pytest.raises(ClientError) as e:
            put_with_condition(ddb, table_s, key, condition, {":v": S("hello")}, item=item)
        assert_conditional_failed(e)


def test_size_of_number_constant_rejected(ddb, table_s):
    # size() of a constant is checked when the expression is validated: numbers have no size.
    with pytest.raises(ClientError) as e:
        put_with_condition(ddb, table_s, unique_key(), "size(:n) > :z", {":n": N(5), ":z": N(0)})
    assert_validation(e, "Invalid ConditionExpression: Incorrect operand type for operator or "
                          "function; operator or function: size, operand type: N")


def test_size_of_stored_number_is_false_not_error(ddb, table_s):
    # size() of a stored number is only known at evaluation time: the condition is false.
    key = seeded(ddb, table_s, a=N(12345))
    with pytest.raises(ClientError) as e:
        put_with_condition(ddb, table_s, key, "size(a) > :z", {":z": N(0)})
    assert_conditional_failed(e)
    assert get_item(ddb, table_s, key) == {"pk": S(key), "a": N(12345)}


def test_attribute_exists_of_value_rejected(ddb, table_s):
    # attribute_exists needs a document path, not a value placeholder.
    with pytest.raises(ClientError) as e:
        put_with_condition(ddb, table_s, unique_key(), "attribute_exists(:v)", {":v": S("x")})
    assert_validation(e, "Invalid ConditionExpression: Operator or function requires a "
                          "document path; operator or function: attribute_exists")


# --- update-expression parsing ---------------------------------------------------------------

@pytest.mark.parametrize("expr,values,message", [
    ("SET _a = :v", {":v": N(1)},
     'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _a"'),
    ("SET a = foo(b)", None,
     "Invalid UpdateExpression: Invalid function name; function: foo"),
    ("SET a = list_append(list_append(a, :l), :l)", {":l": {"L": [N(1)]}},
     "Invalid UpdateExpression: The function is not allowed to be used this way in an "
     "expression; function: list_append"),
    ("SET a = if_not_exists(:v, :w)", {":v": N(1), ":w": N(2)},
     "Invalid UpdateExpression: Operator or function requires a document path; operator or "
     "function: if_not_exists"),
], ids=["leading-underscore", "unknown-function", "nested-list-append", "if-not-exists-value"])
def test_update_expression_parse_errors(ddb, table_s, expr, values, message):
    # The exact wording clients see for malformed update expressions; nothing is written.
    key = seeded(ddb, table_s, a={"L": [N(0)]}, b=N(1))
    update_fails(ddb, table_s, key, expr, message, values=values)


# --- attribute names -------------------------------------------------------------------------

def test_empty_top_level_attribute_name_rejected(ddb, table_s):
    # Top-level attribute names must be non-empty.
    key = unique_key()
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(key), "": S("x")})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    assert "Empty attribute name" in err["Message"], err
    assert get_item(ddb, table_s, key) is None


def test_attribute_name_of_65535_bytes_round_trips(ddb, table_s):
    # Attribute names may be up to 64 KB - 1 bytes (UTF-8); such an item is stored and read
    # back whole.
    key = unique_key()
    name = "n" * 65535
    item = {"pk": S(key), name: S("v")}
    ddb.put_item(TableName=table_s, Item=item)
    assert get_item(ddb, table_s, key) == item
    status, body = raw_dynamodb_call("GetItem", {
        "TableName": table_s, "Key": {"pk": S(key)}, "ConsistentRead": True,
        "ProjectionExpression": "#n", "ExpressionAttributeNames": {"#n": name}})
    assert status == 200, body
    assert body["Item"] == {name: S("v")}


def test_attribute_name_of_65536_bytes_rejected(ddb, table_s):
    # One byte more is rejected, and the message says how long the name was.
    key = unique_key()
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(key), "n" * 65536: S("v")})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    assert "65536" in err["Message"], err
    assert get_item(ddb, table_s, key) is None
