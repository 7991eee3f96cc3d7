# ConditionExpression semantics on PutItem, UpdateItem and DeleteItem: comparisons, BETWEEN, IN,
# AND/OR/NOT precedence, parentheses, every function, document paths, cross-type comparisons,
# missing attributes and missing items. Each case checks a condition that must hold (the write
# happens) and one that must not (ConditionalCheckFailedException and nothing changes).

import re
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import assert_conditional_failed, unique_key

# One item holding every type, and nested documents to walk into.
BASE_ITEM = {
    "s": {"S": "hello world"},
    "n": {"N": "42"},
    "neg": {"N": "-5"},
    "dcm": {"N": "10.5"},
    "b": {"B": b"\x01\x02\x03"},
    "bb": {"B": b"\xff"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b", "c"]},
    "ns": {"NS": ["1", "2", "3"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "l": {"L": [{"S": "x"}, {"N": "7"}, {"M": {"c": {"S": "deep"}}}]},
    "m": {"M": {"b": {"L": [{"N": "0"}, {"M": {"c": {"S": "found"}}}]}, "k": {"S": "v"}}},
    "e": {"L": []},
    "em": {"M": {}},
    "u1": {"S": "\uffff"},
    "u2": {"S": "\U0001F600"},
}


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": v}


def get_item(ddb, table, key):
    return ddb.get_item(TableName=table, Key={"pk": S(key)}, ConsistentRead=True).get("Item")


def holds(ddb, table, cond, values=None, names=None, item=None):
    """Evaluates `cond` against a fresh copy of `item` through a conditional UpdateItem.

    True: the update happened. False: ConditionalCheckFailedException and the item is
    byte-for-byte unchanged. Any other error propagates.
    """
    key = unique_key("cond")
    stored = dict(item if item is not None else BASE_ITEM)
    stored["pk"] = S(key)
    ddb.put_item(TableName=table, Item=stored)
    marker = uuid.uuid4().hex
    # Only the placeholders the condition uses (unused ones are a ValidationException).
    used = set(re.findall(r":[A-Za-z0-9_]+", cond))
    vals = {k: v for k, v in (values or {}).items() if k in used}
    vals[":probe_marker"] = S(marker)
    params = dict(TableName=table, Key={"pk": S(key)}, UpdateExpression="SET probe = :probe_marker",
                  ConditionExpression=cond, ExpressionAttributeValues=vals)
    if names:
        params["ExpressionAttributeNames"] = names
    try:
        ddb.update_item(**params)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        assert e.response["Error"]["Message"] == "The conditional request failed"
        assert get_item(ddb, table, key) == stored, "a failed conditional write changed the item"
        return False
    after = get_item(ddb, table, key)
    assert after["probe"] == S(marker)
    del after["probe"]
    assert after == stored
    return True


# --- comparisons -----------------------------------------------------------------------------

COMPARISONS = [
    # (true condition, false condition, values)
    ("n = :v42", "n = :v41", {":v42": N(42), ":v41": N(41)}),
    ("n <> :v41", "n <> :v42", {":v42": N(42), ":v41": N(41)}),
    ("n < :v43", "n < :v42", {":v42": N(42), ":v43": N(43)}),
    ("n <= :v42", "n <= :v41", {":v42": N(42), ":v41": N(41)}),
    ("n > :v41", "n > :v42", {":v42": N(42), ":v41": N(41)}),
    ("n >= :v42", "n >= :v43", {":v42": N(42), ":v43": N(43)}),
    # Numbers compare numerically, not as text ("42" > "100" as strings).
    ("n < :v100", "n > :v100", {":v100": N(100)}),
    ("neg < :v3", "neg > :v3", {":v3": N(3)}),
    ("dcm > :v975", "dcm < :v975", {":v975": N("9.75")}),
    # Equal numbers written differently are equal.
    ("n = :v42e0", "n <> :v42e0", {":v42e0": N("42.000")}),
    # Strings compare by UTF-8 bytes.
    ("s < :hz", "s > :hz", {":hz": S("hello x")}),
    ("s > :cap", "s < :cap", {":cap": S("Zzz")}),
    # U+FFFF (EF BF BF) sorts below U+1F600 (F0 9F 98 80) in UTF-8 (UTF-16 would say the opposite).
    ("u1 < u2", "u1 > u2", None),
    # Binary compares as unsigned bytes: 0xFF is the largest byte.
    ("bb > :b01", "bb < :b01", {":b01": B(b"\x01")}),
    ("b < :b0104", "b >= :b0104", {":b0104": B(b"\x01\x04")}),
    ("b = :b010203", "b <> :b010203", {":b010203": B(b"\x01\x02\x03")}),
    # Two attributes of the item compared to each other.
    ("n > neg", "n < neg", None),
    # BOOL and NULL support equality.
    ("t = :true", "t = :false", {":true": {"BOOL": True}, ":false": {"BOOL": False}}),
    ("z = :null", "z <> :null", {":null": {"NULL": True}}),
    # Sets, lists and maps compare by value (sets ignore order).
    ("ss = :ss", "ss = :ss2", {":ss": {"SS": ["c", "a", "b"]}, ":ss2": {"SS": ["a", "b"]}}),
    ("l[0] = :x", "l[0] = :y", {":x": S("x"), ":y": S("y")}),
    ("m.k = :v", "m.k <> :v", {":v": S("v")}),
]


@pytest.mark.parametrize("true_cond,false_cond,values", COMPARISONS,
                         ids=[c[0] for c in COMPARISONS])
def test_comparison_operators(ddb, table_s, true_cond, false_cond, values):
    # Each comparison operator must hold exactly when DynamoDB's ordering says so.
    assert holds(ddb, table_s, true_cond, values) is True
    assert holds(ddb, table_s, false_cond, values) is False


CROSS_TYPE = [
    # Ordering across types is false (not an error) in both directions.
    ("n < :str", {":str": S("zzz")}),
    ("n > :str", {":str": S("0")}),
    ("n >= :str", {":str": S("0")}),
    ("s < :num", {":num": N(1)}),
    ("n = :str42", {":str42": S("42")}),
    ("b = :s", {":s": S("\x01\x02\x03")}),
    ("ss = :l", {":l": {"L": [S("a"), S("b"), S("c")]}}),
    ("n BETWEEN :s1 AND :s2", {":s1": S("0"), ":s2": S("9")}),
    ("n IN (:str42)", {":str42": S("42")}),
]


@pytest.mark.parametrize("cond,values", CROSS_TYPE, ids=[c[0] for c in CROSS_TYPE])
def test_comparisons_across_types_are_false(ddb, table_s, cond, values):
    # DynamoDB evaluates comparisons of different types to false instead of failing the request.
    assert holds(ddb, table_s, cond, values) is False
    assert holds(ddb, table_s, f"NOT ({cond})", values) is True


def test_not_equal_across_types_is_true(ddb, table_s):
    # {"N":"42"} and {"S":"42"} are different values, so <> holds and = does not.
    values = {":str42": S("42")}
    assert holds(ddb, table_s, "n <> :str42", values) is True
    assert holds(ddb, table_s, "n = :str42", values) is False


# --- BETWEEN and IN --------------------------------------------------------------------------

def test_between_is_inclusive(ddb, table_s):
    # BETWEEN includes both bounds.
    v = {":a": N(40), ":b": N(42), ":c": N(43), ":d": N(50)}
    assert holds(ddb, table_s, "n BETWEEN :a AND :b", v) is True
    assert holds(ddb, table_s, "n BETWEEN :b AND :c", v) is True
    assert holds(ddb, table_s, "n BETWEEN :c AND :d", v) is False


def test_between_strings_and_binary(ddb, table_s):
    # BETWEEN uses the type's own ordering for strings and binaries.
    v = {":lo": S("hello"), ":hi": S("help"), ":lo2": S("i"), ":hi2": S("j"),
         ":blo": B(b"\x01"), ":bhi": B(b"\x02")}
    assert holds(ddb, table_s, "s BETWEEN :lo AND :hi", v) is True
    assert holds(ddb, table_s, "s BETWEEN :lo2 AND :hi2", v) is False
    assert holds(ddb, table_s, "b BETWEEN :blo AND :bhi", v) is True
    assert holds(ddb, table_s, "bb BETWEEN :blo AND :bhi", v) is False


def test_in(ddb, table_s):
    # IN holds when the operand equals any listed value.
    v = {":a": N(1), ":b": N(42), ":c": N(2), ":s": S("hello world")}
    assert holds(ddb, table_s, "n IN (:a, :b)", v) is True
    assert holds(ddb, table_s, "n IN (:a, :c)", v) is False
    assert holds(ddb, table_s, "s IN (:a, :s)", v) is True
    assert holds(ddb, table_s, "n IN (:b)", v) is True


def test_in_with_100_operands_is_accepted(ddb, table_s):
    # 100 operands is the documented maximum and must still work.
    values = {f":v{i}": N(i) for i in range(100)}
    cond = "n IN (" + ", ".join(values) + ")"
    assert holds(ddb, table_s, cond, values) is True
    values = {f":v{i}": N(i + 1000) for i in range(100)}
    cond = "n IN (" + ", ".join(values) + ")"
    assert holds(ddb, table_s, cond, values) is False


# --- logical operators -----------------------------------------------------------------------

LOGIC_ITEM = {"a": N(1), "bv": N(2), "c": N(3)}
LOGIC_VALUES = {":one": N(1), ":two": N(2), ":three": N(3), ":nine": N(9)}


@pytest.mark.parametrize("cond,expected", [
    ("a = :one AND bv = :two", True),
    ("a = :one AND bv = :nine", False),
    ("a = :nine OR bv = :two", True),
    ("a = :nine OR bv = :nine", False),
    ("NOT a = :nine", True),
    ("NOT a = :one", False),
    # AND binds tighter than OR: a OR (b AND c).
    ("a = :one OR bv = :nine AND c = :nine", True),
    ("bv = :nine AND c = :nine OR a = :one", True),
    ("a = :nine OR bv = :two AND c = :nine", False),
    # Parentheses override: (a OR b) AND c.
    ("(a = :one OR bv = :nine) AND c = :nine", False),
    ("(a = :one OR bv = :nine) AND c = :three", True),
    # NOT binds tighter than AND: (NOT a) AND b.
    ("NOT a = :nine AND bv = :nine", False),
    ("NOT (a = :nine AND bv = :nine)", True),
    ("NOT a = :one OR bv = :two", True),
    ("NOT (a = :one OR bv = :two)", False),
    ("NOT NOT a = :one", True),
    # Keywords are case-insensitive.
    ("a = :one and bv = :two", True),
    ("a = :nine or not bv = :nine", True),
    ("a between :one and :two", True),
    # Nested parentheses around sub-expressions.
    ("(a = :one AND (bv = :nine OR c = :three))", True),
    ("(a = :one AND (bv = :nine OR c = :nine))", False),
])
def test_logical_precedence(ddb, table_s, cond, expected):
    # NOT > AND > OR, as DynamoDB documents; a wrong precedence flips these results.
    assert holds(ddb, table_s, cond, LOGIC_VALUES, item=LOGIC_ITEM) is expected


# --- functions -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["s", "n", "z", "e", "em", "m.k", "m.b[1].c", "l[2].c", "l[0]"])
def test_attribute_exists(ddb, table_s, path):
    # attribute_exists holds for any present path (NULL and empty list/map included).
    assert holds(ddb, table_s, f"attribute_exists({path})") is True
    assert holds(ddb, table_s, f"attribute_not_exists({path})") is False


@pytest.mark.parametrize("path", ["nope", "m.nope", "m.b[5]", "m.b[1].x", "l[3]", "s.x", "n[0]",
                                  "m.k.deeper", "e[0]"])
def test_attribute_not_exists(ddb, table_s, path):
    # Missing paths - including paths through a scalar or past a list's end - do not exist.
    assert holds(ddb, table_s, f"attribute_not_exists({path})") is True
    assert holds(ddb, table_s, f"attribute_exists({path})") is False


TYPE_OF = [("s", "S"), ("n", "N"), ("b", "B"), ("t", "BOOL"), ("z", "NULL"), ("ss", "SS"),
           ("ns", "NS"), ("bs", "BS"), ("l", "L"), ("m", "M")]


@pytest.mark.parametrize("attr,type_name", TYPE_OF)
def test_attribute_type_every_type(ddb, table_s, attr, type_name):
    # attribute_type recognises all ten type names and rejects every other type for the attribute.
    assert holds(ddb, table_s, f"attribute_type({attr}, :t)", {":t": S(type_name)}) is True
    for _, other in TYPE_OF:
        if other != type_name:
            assert holds(ddb, table_s, f"attribute_type({attr}, :t)", {":t": S(other)}) is False, other


def test_attribute_type_missing_and_nested(ddb, table_s):
    # A missing path has no type; nested paths are typed like top-level ones.
    assert holds(ddb, table_s, "attribute_type(nope, :t)", {":t": S("S")}) is False
    assert holds(ddb, table_s, "attribute_type(m.b, :t)", {":t": S("L")}) is True
    assert holds(ddb, table_s, "attribute_type(m.b[1], :t)", {":t": S("M")}) is True
    assert holds(ddb, table_s, "attribute_type(m.b[1], :t)", {":t": S("L")}) is False


def test_begins_with_string(ddb, table_s):
    # begins_with on a string is a prefix test.
    v = {":p": S("hello"), ":q": S("world"), ":all": S("hello world"), ":more": S("hello world!"),
         ":empty": S("")}
    assert holds(ddb, table_s, "begins_with(s, :p)", v) is True
    assert holds(ddb, table_s, "begins_with(s, :all)", v) is True
    assert holds(ddb, table_s, "begins_with(s, :q)", v) is False
    assert holds(ddb, table_s, "begins_with(s, :more)", v) is False


def test_begins_with_binary(ddb, table_s):
    # begins_with on a binary is a byte-prefix test.
    v = {":p": B(b"\x01\x02"), ":q": B(b"\x02")}
    assert holds(ddb, table_s, "begins_with(b, :p)", v) is True
    assert holds(ddb, table_s, "begins_with(b, :q)", v) is False


def test_begins_with_wrong_attribute_type_is_false(ddb, table_s):
    # An attribute of another type (number, set, missing) simply does not begin with the prefix.
    v = {":p": S("4"), ":bp": B(b"\x01")}
    assert holds(ddb, table_s, "begins_with(n, :p)", v) is False
    assert holds(ddb, table_s, "begins_with(ss, :p)", v) is False
    assert holds(ddb, table_s, "begins_with(s, :bp)", v) is False
    assert holds(ddb, table_s, "begins_with(nope, :p)", v) is False
    assert holds(ddb, table_s, "NOT begins_with(n, :p)", v) is True


@pytest.mark.parametrize("path,present,absent", [
    ("s", S("lo wo"), S("xyz")),          # substring of a string
    ("ss", S("b"), S("d")),               # member of a string set
    ("ns", N(2), N(5)),                   # member of a number set
    ("bs", B(b"\x01"), B(b"\x03")),       # member of a binary set
    ("l", S("x"), S("y")),                # element of a list
    ("l", N(7), N(8)),                    # element of a list (number)
])
def test_contains(ddb, table_s, path, present, absent):
    # contains means substring for S, membership for sets and element equality for lists.
    assert holds(ddb, table_s, f"contains({path}, :v)", {":v": present}) is True
    assert holds(ddb, table_s, f"contains({path}, :v)", {":v": absent}) is False


def test_contains_type_mismatch_and_missing_are_false(ddb, table_s):
    # A set of strings does not contain a number; a number contains nothing; missing is false.
    assert holds(ddb, table_s, "contains(ss, :v)", {":v": N(1)}) is False
    assert holds(ddb, table_s, "contains(ns, :v)", {":v": S("1")}) is False
    assert holds(ddb, table_s, "contains(n, :v)", {":v": N(4)}) is False
    assert holds(ddb, table_s, "contains(nope, :v)", {":v": S("a")}) is False
    assert holds(ddb, table_s, "NOT contains(nope, :v)", {":v": S("a")}) is True


@pytest.mark.parametrize("path,size", [
    ("s", 11),       # string length
    ("b", 3),        # binary length in bytes
    ("ss", 3),       # set cardinality
    ("ns", 3),
    ("bs", 2),
    ("l", 3),        # list length
    ("m", 2),        # map entry count
    ("e", 0),
    ("em", 0),
    ("m.b", 2),      # nested
])
def test_size(ddb, table_s, path, size):
    # size() returns the documented measure for each type and works in every comparison.
    v = {":n": N(size), ":less": N(size - 1), ":more": N(size + 1)}
    assert holds(ddb, table_s, f"size({path}) = :n", v) is True
    assert holds(ddb, table_s, f"size({path}) <> :n", v) is False
    assert holds(ddb, table_s, f"size({path}) > :less", v) is True
    assert holds(ddb, table_s, f"size({path}) > :n", v) is False
    assert holds(ddb, table_s, f"size({path}) BETWEEN :less AND :more", v) is True
    assert holds(ddb, table_s, f"size({path}) IN (:less, :more)", v) is False


def test_size_compared_with_attribute(ddb, table_s):
    # size() can be compared with another attribute's value.
    item = dict(BASE_ITEM, cnt=N(3), big=N(100))
    assert holds(ddb, table_s, "size(l) = cnt", item=item) is True
    assert holds(ddb, table_s, "size(l) = big", item=item) is False
    assert holds(ddb, table_s, "cnt < size(s)", item=item) is True


def test_size_of_missing_path_is_false(ddb, table_s):
    # size() of a missing attribute makes the comparison false.
    v = {":zero": N(0)}
    assert holds(ddb, table_s, "size(nope) = :zero", v) is False
    assert holds(ddb, table_s, "size(nope) >= :zero", v) is False


# --- document paths --------------------------------------------------------------------------

@pytest.mark.parametrize("cond,values,expected", [
    ("m.b[1].c = :v", {":v": S("found")}, True),
    ("m.b[1].c = :v", {":v": S("nope")}, False),
    ("m.b[0] = :v", {":v": N(0)}, True),
    ("l[2].c = :v", {":v": S("deep")}, True),
    ("l[1] > :v", {":v": N(6)}, True),
    ("l[1] > :v", {":v": N(7)}, False),
    ("#m.#b[1].#c = :v", {":v": S("found")}, True),
    ("m.b[9].c = :v", {":v": S("found")}, False),
    ("m.x.y = :v", {":v": S("found")}, False),
])
def test_nested_document_paths(ddb, table_s, cond, values, expected):
    # Paths walk maps with '.' and lists with '[n]', also through #name placeholders.
    names = {"#m": "m", "#b": "b", "#c": "c"} if "#" in cond else None
    assert holds(ddb, table_s, cond, values, names=names) is expected


def test_dotted_name_placeholder_is_one_attribute(ddb, table_s):
    # '#a' standing for "m.k" names a top-level attribute literally called "m.k", not a path.
    item = dict(BASE_ITEM)
    item["m.k"] = S("literal")
    names = {"#a": "m.k"}
    assert holds(ddb, table_s, "#a = :v", {":v": S("literal")}, names=names, item=item) is True
    assert holds(ddb, table_s, "#a = :v", {":v": S("v")}, names=names, item=item) is False
    assert holds(ddb, table_s, "m.k = :v", {":v": S("v")}, item=item) is True


# --- missing attributes ----------------------------------------------------------------------

@pytest.mark.parametrize("cond,expected", [
    ("nope = :v", False),
    ("nope <> :v", True),     # a missing attribute is not equal to anything
    ("nope < :v", False),
    ("nope <= :v", False),
    ("nope > :v", False),
    ("nope >= :v", False),
    ("NOT nope = :v", True),
    ("NOT nope <> :v", False),
    ("nope BETWEEN :v AND :w", False),
    ("nope IN (:v, :w)", False),
    ("nope = nope2", False),
    ("nope <> nope2", True),
    ("m.nope <> :v", True),
    ("m.b[7] <> :v", True),
])
def test_missing_attribute_comparisons(ddb, table_s, cond, expected):
    # Against a missing attribute every comparison is false except <>, which is true.
    values = {":v": S("a"), ":w": S("z")}
    values = {k: v for k, v in values.items() if k in cond}
    assert holds(ddb, table_s, cond, values) is expected


# --- the three operations --------------------------------------------------------------------

def test_put_item_condition_is_checked_against_the_stored_item(ddb, table_s):
    # The condition sees the item being replaced, not the new one.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": N(1)})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": N(2)}, ConditionExpression="v = :two",
                     ExpressionAttributeValues={":two": N(2)})
    assert_conditional_failed(e)
    assert get_item(ddb, table_s, key) == {"pk": S(key), "v": N(1)}
    ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": N(2)}, ConditionExpression="v = :one",
                 ExpressionAttributeValues={":one": N(1)})
    assert get_item(ddb, table_s, key) == {"pk": S(key), "v": N(2)}


def test_delete_item_condition(ddb, table_s):
    # DeleteItem deletes only when its condition holds.
    key = unique_key()
    item = {"pk": S(key), "state": S("active")}
    ddb.put_item(TableName=table_s, Item=item)
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(key)}, ConditionExpression="#st = :done",
                        ExpressionAttributeNames={"#st": "state"},
                        ExpressionAttributeValues={":done": S("done")})
    assert_conditional_failed(e)
    assert get_item(ddb, table_s, key) == item
    ddb.delete_item(TableName=table_s, Key={"pk": S(key)}, ConditionExpression="#st = :active",
                    ExpressionAttributeNames={"#st": "state"},
                    ExpressionAttributeValues={":active": S("active")})
    assert get_item(ddb, table_s, key) is None


def test_update_item_condition_sees_old_values(ddb, table_s):
    # The condition is evaluated before the update expression is applied.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": N(1)})
    ddb.update_item(TableName=table_s, Key={"pk": S(key)}, UpdateExpression="SET v = :two",
                    ConditionExpression="v = :one",
                    ExpressionAttributeValues={":one": N(1), ":two": N(2)})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(key)}, UpdateExpression="SET v = :three",
                        ConditionExpression="v = :one",
                        ExpressionAttributeValues={":one": N(1), ":three": N(3)})
    assert_conditional_failed(e)
    assert get_item(ddb, table_s, key) == {"pk": S(key), "v": N(2)}


# --- missing items ---------------------------------------------------------------------------

def test_put_if_absent_on_missing_and_existing_item(ddb, table_s):
    # attribute_not_exists(pk) is the put-if-absent idiom: true only when there is no item.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": N(1)},
                 ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": N(2)},
                     ConditionExpression="attribute_not_exists(pk)")
    assert_conditional_failed(e)
    assert get_item(ddb, table_s, key) == {"pk": S(key), "v": N(1)}


@pytest.mark.parametrize("cond,values", [
    ("attribute_exists(pk)", None),
    ("pk = :k", "KEY"),
    ("v = :one", {":one": N(1)}),
    ("attribute_type(pk, :s)", {":s": S("S")}),
    ("size(pk) > :zero", {":zero": N(0)}),
])
@pytest.mark.parametrize("op", ["put", "update", "delete"])
def test_conditions_against_missing_item_fail(ddb, table_s, cond, values, op):
    # Against a missing item every attribute is missing - even the key - so these are false
    # and nothing is created.
    key = unique_key()
    if values == "KEY":
        values = {":k": S(key)}
    params = dict(TableName=table_s, ConditionExpression=cond)
    if values:
        params["ExpressionAttributeValues"] = values
    with pytest.raises(ClientError) as e:
        if op == "put":
            ddb.put_item(Item={"pk": S(key), "v": N(1)}, **params)
        elif op == "update":
            ddb.update_item(Key={"pk": S(key)}, UpdateExpression="SET w = :w",
                            **dict(params, ExpressionAttributeValues=dict(values or {}, **{":w": N(1)})))
        else:
            ddb.delete_item(Key={"pk": S(key)}, **params)
    assert_conditional_failed(e)
    assert get_item(ddb, table_s, key) is None


@pytest.mark.parametrize("cond,values", [
    ("attribute_not_exists(pk)", None),
    ("attribute_not_exists(v)", None),
    ("pk <> :k", {":k": S("something-else")}),
    ("NOT v = :one", {":one": N(1)}),
])
@pytest.mark.parametrize("op", ["put", "update", "delete"])
def test_conditions_against_missing_item_hold(ddb, table_s, cond, values, op):
    # Conditions that are true of "nothing" succeed: put and update create the item.
    key = unique_key()
    params = dict(TableName=table_s, ConditionExpression=cond)
    if values:
        params["ExpressionAttributeValues"] = values
    if op == "put":
        ddb.put_item(Item={"pk": S(key), "w": N(1)}, **params)
        assert get_item(ddb, table_s, key) == {"pk": S(key), "w": N(1)}
    elif op == "update":
        ddb.update_item(Key={"pk": S(key)}, UpdateExpression="SET w = :w",
                        **dict(params, ExpressionAttributeValues=dict(values or {}, **{":w": N(1)})))
        assert get_item(ddb, table_s, key) == {"pk": S(key), "w": N(1)}
    else:
        resp = ddb.delete_item(Key={"pk": S(key)}, ReturnValues="ALL_OLD", **params)
        assert "Attributes" not in resp
        assert get_item(ddb, table_s, key) is None


def test_condition_on_composite_key_item(ddb, table_sn):
    # With a sort key, attribute_not_exists(pk) concerns exactly the (pk, sk) item.
    key = unique_key()
    ddb.put_item(TableName=table_sn, Item={"pk": S(key), "sk": N(1)})
    ddb.put_item(TableName=table_sn, Item={"pk": S(key), "sk": N(2)},
                 ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_sn, Item={"pk": S(key), "sk": N(2), "x": N(1)},
                     ConditionExpression="attribute_not_exists(pk)")
    assert_conditional_failed(e)
    got = ddb.get_item(TableName=table_sn, Key={"pk": S(key), "sk": N(2)}, ConsistentRead=True)
    assert got["Item"] == {"pk": S(key), "sk": N(2)}
