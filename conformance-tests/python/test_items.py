# Item operations: PutItem, GetItem, DeleteItem - values, limits, validation messages,
# ReturnValues, ReturnConsumedCapacity and ProjectionExpression.

import time

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, unique_key, unique_table_name

MAX_ITEM_BYTES = 400 * 1024
NEST_MESSAGE_PREFIX = "Nesting Levels have exceeded supported limits"


# --- helpers ---------------------------------------------------------------------------------

def norm(value):
    """Makes an AttributeValue (or item) comparable: sets are unordered on the wire."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "NS", "BS"):
                out[k] = sorted(v)
            else:
                out[k] = norm(v)
        return out
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def get_consistent(ddb, table, key, **kwargs):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True, **kwargs)


def utf8_fill(prefix, total_bytes):
    """`prefix` followed by 3-byte and 1-byte characters, exactly `total_bytes` UTF-8 bytes long."""
    rest = total_bytes - len(prefix.encode("utf-8"))
    assert rest >= 0
    return prefix + "\u20ac" * (rest // 3) + "a" * (rest % 3)


def item_of_size(key, total_bytes, attr="data"):
    """An item {pk, attr} whose DynamoDB size (UTF-8 names + values) is exactly total_bytes."""
    fixed = len("pk".encode()) + len(key.encode()) + len(attr.encode())
    return {"pk": {"S": key}, attr: {"S": "x" * (total_bytes - fixed)}}


def item_size(item):
    """DynamoDB's size of an item made only of S attributes."""
    return sum(len(k.encode()) + len(v["S"].encode()) for k, v in item.items())


def deep_map(levels):
    """An attribute value of `levels` nested single-entry maps around a string."""
    v = {"S": "leaf"}
    for _ in range(levels):
        v = {"M": {"n": v}}
    return v


def deep_list(levels):
    v = {"S": "leaf"}
    for _ in range(levels):
        v = {"L": [v]}
    return v


def eventually_get(ddb, table, key, **kwargs):
    """An eventually consistent GetItem that has seen the item (DynamoDB may lag briefly)."""
    deadline = time.monotonic() + 10
    while True:
        resp = ddb.get_item(TableName=table, Key=key, ConsistentRead=False, **kwargs)
        if "Item" in resp or time.monotonic() > deadline:
            return resp
        time.sleep(0.1)


# --- round trips -----------------------------------------------------------------------------

def test_all_ten_types_round_trip(ddb, table_s):
    # Every AttributeValue type must come back exactly as written.
    key = unique_key()
    item = {
        "pk": {"S": key},
        "s": {"S": "hello \u00e9\u20ac\U0001f600"},
        "n": {"N": "-56.789"},
        "b": {"B": b"\x00\x01\xfe\xff"},
        "ss": {"SS": ["a", "b", "c"]},
        "ns": {"NS": ["1", "-2.5", "300"]},
        "bs": {"BS": [b"\x00", b"\x01\x02"]},
        "m": {"M": {"x": {"S": "y"}, "inner": {"M": {"z": {"N": "1"}}}}},
        "l": {"L": [{"S": "a"}, {"N": "1"}, {"BOOL": False}, {"NULL": True}, {"L": []}, {"M": {}}]},
        "null": {"NULL": True},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
    }
    assert ddb.put_item(TableName=table_s, Item=item).get("Attributes") is None
    got = get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"]
    assert norm(got) == norm(item)


def test_get_missing_item_has_no_item(ddb, table_s):
    # A GetItem miss is a 200 with no Item member, not an error.
    resp = get_consistent(ddb, table_s, {"pk": {"S": unique_key()}})
    assert "Item" not in resp


def test_put_replaces_whole_item(ddb, table_s):
    # PutItem replaces the item; attributes of the old item must not survive.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": {"S": key}, "old": {"S": "1"}})
    ddb.put_item(TableName=table_s, Item={"pk": {"S": key}, "new": {"S": "2"}})
    got = get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"]
    assert got == {"pk": {"S": key}, "new": {"S": "2"}}


def test_empty_string_binary_list_map_outside_keys(ddb, table_s):
    # Empty S and B are allowed in non-key attributes, as are empty L and M.
    key = unique_key()
    item = {"pk": {"S": key}, "s": {"S": ""}, "b": {"B": b""}, "l": {"L": []}, "m": {"M": {}}}
    ddb.put_item(TableName=table_s, Item=item)
    assert get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"] == item


def test_delete_item(ddb, table_s):
    # DeleteItem removes the item; deleting a missing item is not an error.
    key = {"pk": {"S": unique_key()}}
    ddb.put_item(TableName=table_s, Item=dict(key, v={"S": "x"}))
    assert "Attributes" not in ddb.delete_item(TableName=table_s, Key=key)
    assert "Item" not in get_consistent(ddb, table_s, key)
    assert "Attributes" not in ddb.delete_item(TableName=table_s, Key=key)


def test_composite_key_items_are_distinct(ddb, table_sn):
    # Items that share a partition key but differ in sort key are separate items.
    pk = unique_key()
    ddb.put_item(TableName=table_sn, Item={"pk": {"S": pk}, "sk": {"N": "1"}, "v": {"S": "one"}})
    ddb.put_item(TableName=table_sn, Item={"pk": {"S": pk}, "sk": {"N": "2"}, "v": {"S": "two"}})
    got = get_consistent(ddb, table_sn, {"pk": {"S": pk}, "sk": {"N": "1"}})["Item"]
    assert got["v"] == {"S": "one"}
    got = get_consistent(ddb, table_sn, {"pk": {"S": pk}, "sk": {"N": "2"}})["Item"]
    assert got["v"] == {"S": "two"}


def test_consistent_read_false_eventually_sees_item(ddb, table_s):
    # ConsistentRead=false is accepted and (after replication lag, none locally) sees the item.
    key = {"pk": {"S": unique_key()}}
    ddb.put_item(TableName=table_s, Item=dict(key, v={"S": "x"}))
    assert eventually_get(ddb, table_s, key)["Item"]["v"] == {"S": "x"}


# --- numbers ---------------------------------------------------------------------------------

BIG_38 = "12345678901234567890123456789012345678"


@pytest.mark.parametrize("given,expected", [
    ("00042", "42"),
    ("1.50", "1.5"),
    ("-0", "0"),
    ("1.0", "1"),
    ("+5", "5"),
    ("1.5E2", "150"),
    ("1e+2", "100"),
    ("-00001.2300", "-1.23"),
    ("0.000123", "0.000123"),
    ("-15.789e6", "-15789000"),
    (BIG_38, BIG_38),
    ("00000" + BIG_38, BIG_38),
    ("-1." + BIG_38[1:], "-1." + BIG_38[1:]),
    (BIG_38 + "00", BIG_38 + "00"),
    ("1E+100", "1" + "0" * 100),
    ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
    ("-9.9999999999999999999999999999999999999E+125", "-" + "9" * 38 + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"),
    ("-1E-130", "-0." + "0" * 129 + "1"),
])
def test_number_canonical_form(ddb, table_s, given, expected):
    # Numbers come back in DynamoDB's canonical plain-decimal text, never in exponent form.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": {"S": key}, "n": {"N": given}})
    got = get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"]
    assert got["n"] == {"N": expected}


def test_number_set_canonical_form(ddb, table_s):
    # Members of a number set are canonicalised like single numbers.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": {"S": key}, "ns": {"NS": ["01", "2.50", "-0.0"]}})
    got = get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"]
    assert sorted(got["ns"]["NS"]) == ["0", "1", "2.5"]


def test_number_key_matches_numerically(ddb, table_sn):
    # A numeric sort key is a number, not text: "1.50" and "1.5" address the same item.
    pk = unique_key()
    ddb.put_item(TableName=table_sn, Item={"pk": {"S": pk}, "sk": {"N": "1.50"}, "v": {"S": "a"}})
    got = get_consistent(ddb, table_sn, {"pk": {"S": pk}, "sk": {"N": "001.5"}})["Item"]
    assert got == {"pk": {"S": pk}, "sk": {"N": "1.5"}, "v": {"S": "a"}}


@pytest.mark.parametrize("number,message", [
    ("123456789012345678901234567890123456789",
     "Attempting to store more than 38 significant digits in a Number"),
    ("-1.23456789012345678901234567890123456789",
     "Attempting to store more than 38 significant digits in a Number"),
    ("1e126",
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("-1e126",
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1e-131",
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"),
    ("-1e-131",
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"),
    ("abc", "The parameter cannot be converted to a numeric value: abc"),
])
def test_invalid_numbers(ddb, table_s, number, message):
    # Out-of-range, over-precise or malformed numbers are rejected with DynamoDB's wording.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": unique_key()}, "n": {"N": number}})
    assert_client_error(e, "ValidationException", message)


# --- AttributeValue validation ---------------------------------------------------------------

@pytest.mark.parametrize("value,message", [
    ({"SS": []},
     "One or more parameter values were invalid: An string set  may not be empty"),
    ({"NS": []},
     "One or more parameter values were invalid: An number set  may not be empty"),
    ({"BS": []},
     "One or more parameter values were invalid: Binary sets should not be empty"),
    ({"SS": ["a", "a"]},
     "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
    ({"NULL": False},
     "One or more parameter values were invalid: Null attribute value types must have the "
     "value of true"),
    ({"S": "a", "N": "1"},
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
     "the supported datatypes"),
    ({},
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"M": {"inner": {}}},
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"L": [{"SS": []}]},
     "One or more parameter values were invalid: An string set  may not be empty"),
])
def test_invalid_attribute_values(ddb, table_s, value, message):
    # Malformed attribute values, also nested ones, are rejected before anything is stored.
    key = unique_key()
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": key}, "a": value})
    assert_client_error(e, "ValidationException", message)
    assert "Item" not in get_consistent(ddb, table_s, {"pk": {"S": key}})


# --- key validation --------------------------------------------------------------------------

def test_put_empty_string_key(ddb, table_s):
    # Key attributes may not be empty strings, even though other attributes may.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": ""}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values are not valid. The AttributeValue for a "
                        "key attribute cannot contain an empty string value. Key: pk")


def test_get_empty_string_key(ddb, table_s):
    # GetItem rejects an empty string key too (its wording differs from PutItem's).
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": {"S": ""}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: The AttributeValue for a "
                        "key attribute cannot contain an empty string value. Key: pk")


def test_put_missing_partition_key(ddb, table_s):
    # An item without its partition key cannot be stored.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"other": {"S": "x"}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Missing the key pk in the item")


def test_put_missing_sort_key(ddb, table_sn):
    # An item of a composite-key table needs its sort key too.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_sn, Item={"pk": {"S": unique_key()}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Missing the key sk in the item")


def test_put_wrong_partition_key_type(ddb, table_s):
    # The key's type must match the table's AttributeDefinitions.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"N": "1"}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Type mismatch for key pk "
                        "expected: S actual: N")


def test_put_wrong_sort_key_type(ddb, table_sn):
    # The sort key's type is checked as well.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_sn, Item={"pk": {"S": unique_key()}, "sk": {"S": "1"}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Type mismatch for key sk "
                        "expected: N actual: S")


@pytest.mark.parametrize("key", [
    {"pk": {"S": "a"}, "extra": {"S": "b"}},
    {"other": {"S": "a"}},
    {"pk": {"N": "1"}},
    {},
])
def test_get_key_not_matching_schema(ddb, table_s, key):
    # GetItem needs exactly the key attributes, with the right types.
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key=key)
    assert_client_error(e, "ValidationException",
                        "The provided key element does not match the schema")


def test_get_missing_sort_key(ddb, table_sn):
    # A composite-key table needs both key attributes on GetItem.
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_sn, Key={"pk": {"S": unique_key()}})
    assert_client_error(e, "ValidationException",
                        "The provided key element does not match the schema")


@pytest.mark.parametrize("key", [
    {"pk": {"S": "a"}, "extra": {"S": "b"}},
    {"pk": {"N": "1"}},
])
def test_delete_key_not_matching_schema(ddb, table_s, key):
    # DeleteItem validates its key exactly like GetItem.
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key=key)
    assert_client_error(e, "ValidationException",
                        "The provided key element does not match the schema")


# --- size limits -----------------------------------------------------------------------------

def test_item_exactly_400kb_is_accepted(ddb, table_s):
    # 409600 bytes (names + values) is the largest item DynamoDB stores.
    key = unique_key()
    item = item_of_size(key, MAX_ITEM_BYTES)
    assert item_size(item) == MAX_ITEM_BYTES
    ddb.put_item(TableName=table_s, Item=item)
    assert get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"] == item


def test_item_one_byte_over_400kb_is_rejected(ddb, table_s):
    # One byte more than 400 KB is too big.
    key = unique_key()
    item = item_of_size(key, MAX_ITEM_BYTES + 1)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item=item)
    assert_client_error(e, "ValidationException", "Item size has exceeded the maximum allowed size")
    assert "Item" not in get_consistent(ddb, table_s, {"pk": {"S": key}})


def test_item_size_counts_utf8_bytes_of_names_and_values(ddb, table_s):
    # Size is UTF-8 bytes, not characters, for attribute names as well as values.
    key = unique_key()
    name = "n\u00e4me\u20ac"  # 8 bytes, 5 characters
    fixed = len(b"pk") + len(key.encode()) + len(name.encode())
    at_limit = {"pk": {"S": key}, name: {"S": utf8_fill("", MAX_ITEM_BYTES - fixed)}}
    ddb.put_item(TableName=table_s, Item=at_limit)
    assert get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"] == at_limit

    over = {"pk": {"S": key}, name: {"S": utf8_fill("", MAX_ITEM_BYTES - fixed + 1)}}
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item=over)
    assert_client_error(e, "ValidationException", "Item size has exceeded the maximum allowed size")


def test_item_size_counts_attribute_names(ddb, table_s):
    # A longer attribute name with the same value pushes an at-limit item over the limit.
    key = unique_key()
    item = item_of_size(key, MAX_ITEM_BYTES, attr="d")
    item["dd"] = item.pop("d")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item=item)
    assert_client_error(e, "ValidationException", "Item size has exceeded the maximum allowed size")


def test_partition_key_2048_bytes_accepted(ddb, table_s):
    # 2048 UTF-8 bytes is the longest partition key.
    key = utf8_fill(unique_key(), 2048)
    assert len(key.encode()) == 2048 and len(key) < 2048
    ddb.put_item(TableName=table_s, Item={"pk": {"S": key}})
    assert get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"] == {"pk": {"S": key}}


def test_partition_key_over_2048_bytes_rejected(ddb, table_s):
    # One byte more than 2048 is rejected on writes and reads (note: no space before 2048).
    key = utf8_fill(unique_key(), 2049)
    message = ("One or more parameter values were invalid: Size of hashkey has exceeded the "
               "maximum size limit of2048 bytes")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": key}})
    assert_client_error(e, "ValidationException", message)
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": {"S": key}})
    assert_client_error(e, "ValidationException", message)


def test_sort_key_1024_bytes_accepted(ddb, table_ss):
    # 1024 UTF-8 bytes is the longest sort key.
    pk = unique_key()
    sk = utf8_fill("s", 1024)
    ddb.put_item(TableName=table_ss, Item={"pk": {"S": pk}, "sk": {"S": sk}})
    got = get_consistent(ddb, table_ss, {"pk": {"S": pk}, "sk": {"S": sk}})["Item"]
    assert got == {"pk": {"S": pk}, "sk": {"S": sk}}


def test_sort_key_over_1024_bytes_rejected(ddb, table_ss):
    # One byte more than 1024 in the sort key is rejected.
    pk = unique_key()
    sk = utf8_fill("s", 1025)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_ss, Item={"pk": {"S": pk}, "sk": {"S": sk}})
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Aggregated size of all range "
                        "keys has exceeded the size limit of 1024 bytes")


def test_nesting_32_levels_accepted(ddb, table_s):
    # An attribute nested 32 levels deep (31 maps around a scalar) is the deepest allowed.
    key = unique_key()
    item = {"pk": {"S": key}, "deep": deep_map(31)}
    ddb.put_item(TableName=table_s, Item=item)
    assert get_consistent(ddb, table_s, {"pk": {"S": key}})["Item"] == item


@pytest.mark.parametrize("value", [deep_map(32), deep_list(32)], ids=["maps", "lists"])
def test_nesting_over_32_levels_rejected(ddb, table_s, value):
    # One level deeper is rejected (the service appends a region-dependent explanation).
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": unique_key()}, "deep": value})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"].startswith(NEST_MESSAGE_PREFIX), err


# --- ReturnValues ----------------------------------------------------------------------------

def test_put_return_values_all_old(ddb, table_s):
    # ALL_OLD returns the replaced item, and nothing when there was none.
    key = unique_key()
    first = {"pk": {"S": key}, "v": {"N": "-0015.789e6"}}
    resp = ddb.put_item(TableName=table_s, Item=first, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp
    resp = ddb.put_item(TableName=table_s, Item={"pk": {"S": key}, "v": {"S": "b"}},
                        ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"pk": {"S": key}, "v": {"N": "-15789000"}}


def test_put_return_values_none(ddb, table_s):
    # NONE returns no attributes even when an item is replaced.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item={"pk": {"S": key}})
    resp = ddb.put_item(TableName=table_s, Item={"pk": {"S": key}}, ReturnValues="NONE")
    assert "Attributes" not in resp


def test_delete_return_values_all_old(ddb, table_s):
    # DeleteItem ALL_OLD returns the deleted item, and nothing for a missing item.
    key = {"pk": {"S": unique_key()}}
    item = dict(key, v={"SS": ["x", "y"]})
    ddb.put_item(TableName=table_s, Item=item)
    resp = ddb.delete_item(TableName=table_s, Key=key, ReturnValues="ALL_OLD")
    assert norm(resp["Attributes"]) == norm(item)
    resp = ddb.delete_item(TableName=table_s, Key=key, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_return_values_not_allowed(ddb, table_s, rv):
    # PutItem only understands NONE and ALL_OLD of the shared ReturnValues enum.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": unique_key()}}, ReturnValues=rv)
    assert_client_error(e, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD"])
def test_delete_return_values_not_allowed(ddb, table_s, rv):
    # DeleteItem likewise only understands NONE and ALL_OLD.
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": {"S": unique_key()}}, ReturnValues=rv)
    assert_client_error(e, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_return_values_not_in_enum(ddb, table_s):
    # A value outside the enum is a constraint violation listing the whole enum.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": {"S": unique_key()}}, ReturnValues="BOGUS")
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value 'BOGUS' at 'returnValues' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")


# --- ReturnConsumedCapacity ------------------------------------------------------------------

def consumed(resp, table):
    cc = resp["ConsumedCapacity"]
    assert cc["TableName"] == table
    return cc["CapacityUnits"]


@pytest.mark.parametrize("size,units", [(100, 1.0), (1024, 1.0), (1025, 2.0), (2048, 2.0),
                                        (2049, 3.0)])
def test_put_capacity_one_unit_per_started_kb(ddb, table_s, size, units):
    # A write costs one WCU per started KB of item size.
    item = item_of_size(unique_key(), size)
    assert item_size(item) == size
    resp = ddb.put_item(TableName=table_s, Item=item, ReturnConsumedCapacity="TOTAL")
    assert consumed(resp, table_s) == units


def test_put_capacity_indexes_reports_table(ddb, table_s):
    # INDEXES adds the per-table breakdown.
    item = item_of_size(unique_key(), 1025)
    resp = ddb.put_item(TableName=table_s, Item=item, ReturnConsumedCapacity="INDEXES")
    assert consumed(resp, table_s) == 2.0
    assert resp["ConsumedCapacity"]["Table"]["CapacityUnits"] == 2.0


def test_capacity_none_or_absent_reports_nothing(ddb, table_s):
    # NONE (the default) returns no ConsumedCapacity.
    key = {"pk": {"S": unique_key()}}
    assert "ConsumedCapacity" not in ddb.put_item(TableName=table_s, Item=key,
                                                  ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in ddb.put_item(TableName=table_s, Item=key)
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table_s, Key=key,
                                                  ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in ddb.delete_item(TableName=table_s, Key=key)


def test_put_capacity_counts_larger_of_old_and_new(ddb, table_s):
    # Overwriting costs the larger of the old and the new item's size.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item=item_of_size(key, 1025))
    resp = ddb.put_item(TableName=table_s, Item={"pk": {"S": key}}, ReturnConsumedCapacity="TOTAL")
    assert consumed(resp, table_s) == 2.0
    resp = ddb.put_item(TableName=table_s, Item={"pk": {"S": key}}, ReturnConsumedCapacity="TOTAL")
    assert consumed(resp, table_s) == 1.0


@pytest.mark.parametrize("size,strong,eventual", [(4096, 1.0, 0.5), (4097, 2.0, 1.0),
                                                  (8192, 2.0, 1.0), (8193, 3.0, 1.5)])
def test_get_capacity_per_started_4kb(ddb, table_s, size, strong, eventual):
    # Strong reads cost one RCU per started 4 KB, eventually consistent reads half that.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item=item_of_size(key, size))
    resp = get_consistent(ddb, table_s, {"pk": {"S": key}}, ReturnConsumedCapacity="TOTAL")
    assert "Item" in resp
    assert consumed(resp, table_s) == strong
    resp = eventually_get(ddb, table_s, {"pk": {"S": key}}, ReturnConsumedCapacity="TOTAL")
    assert "Item" in resp
    assert consumed(resp, table_s) == eventual


def test_get_capacity_of_missing_item(ddb, table_s):
    # A read that finds nothing still costs the minimum: 1 strong, 0.5 eventual.
    key = {"pk": {"S": unique_key()}}
    resp = get_consistent(ddb, table_s, key, ReturnConsumedCapacity="TOTAL")
    assert consumed(resp, table_s) == 1.0
    resp = ddb.get_item(TableName=table_s, Key=key, ReturnConsumedCapacity="INDEXES")
    assert consumed(resp, table_s) == 0.5
    assert resp["ConsumedCapacity"]["Table"]["CapacityUnits"] == 0.5


def test_delete_capacity(ddb, table_s):
    # Deleting costs by the deleted item's size, and 1 WCU when nothing was there.
    key = unique_key()
    ddb.put_item(TableName=table_s, Item=item_of_size(key, 1025))
    resp = ddb.delete_item(TableName=table_s, Key={"pk": {"S": key}},
                           ReturnConsumedCapacity="TOTAL")
    assert consumed(resp, table_s) == 2.0
    resp = ddb.delete_item(TableName=table_s, Key={"pk": {"S": key}},
                           ReturnConsumedCapacity="TOTAL")
    assert consumed(resp, table_s) == 1.0


def test_return_consumed_capacity_not_in_enum(ddb, table_s):
    # ReturnConsumedCapacity is an enum of INDEXES, TOTAL and NONE.
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": {"S": unique_key()}},
                     ReturnConsumedCapacity="BOGUS")
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy "
        "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")


# --- ProjectionExpression --------------------------------------------------------------------

@pytest.fixture(scope="module")
def projection_item(ddb, table_s):
    key = unique_key("proj")
    item = {
        "pk": {"S": key},
        "a": {"M": {
            "b": {"L": [{"S": "x0"}, {"S": "x1"}, {"M": {"c": {"N": "7"}, "d": {"S": "no"}}}]},
            "z": {"S": "no"},
        }},
        "status": {"S": "active"},
        "e": {"N": "5"},
    }
    ddb.put_item(TableName=table_s, Item=item)
    return item


def test_projection_nested_path(ddb, table_s, projection_item):
    # A document path keeps only the named element, rebuilding the enclosing map and list.
    resp = get_consistent(ddb, table_s, {"pk": projection_item["pk"]},
                          ProjectionExpression="a.b[2].c")
    assert resp["Item"] == {"a": {"M": {"b": {"L": [{"M": {"c": {"N": "7"}}}]}}}}


def test_projection_with_attribute_names(ddb, table_s, projection_item):
    # #names substitute path elements, including reserved words such as `status`.
    resp = get_consistent(ddb, table_s, {"pk": projection_item["pk"]},
                          ProjectionExpression="#a.#b[2].#c, #s",
                          ExpressionAttributeNames={"#a": "a", "#b": "b", "#c": "c",
                                                   "#s": "status"})
    assert resp["Item"] == {"a": {"M": {"b": {"L": [{"M": {"c": {"N": "7"}}}]}}},
                            "status": {"S": "active"}}


def test_projection_several_paths(ddb, table_s, projection_item):
    # Several paths merge into one item; list elements keep their relative order.
    resp = get_consistent(ddb, table_s, {"pk": projection_item["pk"]},
                          ProjectionExpression="a.b[2].c, e, a.b[0], absent_attr")
    assert resp["Item"] == {
        "a": {"M": {"b": {"L": [{"S": "x0"}, {"M": {"c": {"N": "7"}}}]}}},
        "e": {"N": "5"},
    }


def test_projection_unused_attribute_name(ddb, table_s, projection_item):
    # An ExpressionAttributeNames entry that no expression uses is an error.
    with pytest.raises(ClientError) as e:
        get_consistent(ddb, table_s, {"pk": projection_item["pk"]},
                       ProjectionExpression="e", ExpressionAttributeNames={"#x": "x"})
    assert_client_error(e, "ValidationException",
                        "Value provided in ExpressionAttributeNames unused in expressions: "
                        "keys: {#x}")


# --- unknown table and bad table names -------------------------------------------------------

def test_item_operations_on_unknown_table(ddb):
    # Item operations on a missing table say "Requested resource not found", without the name.
    name = unique_table_name("missing")
    key = {"pk": {"S": "a"}}
    for call in (lambda: ddb.put_item(TableName=name, Item=key),
                 lambda: ddb.get_item(TableName=name, Key=key),
                 lambda: ddb.delete_item(TableName=name, Key=key)):
        with pytest.raises(ClientError) as e:
            call()
        assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_put_item_table_name_too_short(ddb):
    # Item operations report a bad table name in the generic constraint format.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="ab", Item={"pk": {"S": "a"}})
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3")
