# Legacy (non-expression) parameters: Expected / ConditionalOperator on PutItem, UpdateItem and
# DeleteItem, AttributeUpdates on UpdateItem and AttributesToGet on GetItem.
#
# The Java SDK v1 DynamoDBMapper still speaks only this dialect for @DynamoDBVersionAttribute, so
# its exact request shapes come first. Expected outcomes and validation wordings follow captures
# of the real service: dynalite's test suite (run against DynamoDB), the AWS-published
# DynamoDB Local validator, Amazon's DAX client legacy->expression translator, and the matrix in
# floci-io/floci#2125 that was re-run against DynamoDB itself.


import pytest
from botocore.exceptions import ClientError

from conftest import (race, assert_conditional_failed, assert_validation, make_client, raw_dynamodb_call,
                      unique_key)

INVALID = "One or more parameter values were invalid: "


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def get(ddb, table, pk):
    return ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True).get("Item")


# --- 1. Java SDK v1 DynamoDBMapper (@DynamoDBVersionAttribute) request shapes -----------------

def mapper_first_save(client, table, pk, name):
    """DynamoDBMapper's save() of a new versioned object: version 1, insist it does not exist."""
    return client.put_item(
        TableName=table,
        Item={"pk": S(pk), "name": S(name), "version": N(1)},
        Expected={"version": {"Exists": False}})


# The two Expected shapes mapper versions send for an existing object.
MAPPER_EXPECTED_SHAPES = {
    "value-only": lambda old: {"version": {"Value": N(old)}},
    "value-and-exists-true": lambda old: {"version": {"Value": N(old), "Exists": True}},
}


def mapper_update_save(client, table, pk, name, old_version, shape="value-only", **extra):
    """DynamoDBMapper's save() of a loaded object: PUT changed attributes and version+1."""
    return client.update_item(
        TableName=table, Key={"pk": S(pk)},
        AttributeUpdates={"name": {"Action": "PUT", "Value": S(name)},
                          "version": {"Action": "PUT", "Value": N(old_version + 1)}},
        Expected=MAPPER_EXPECTED_SHAPES[shape](old_version),
        **extra)


def test_mapper_first_save_put_if_version_absent(ddb, table_s):
    # The mapper's first save must create the item once; a second "first save" must fail.
    pk = unique_key("mapper-new")
    assert "Attributes" not in mapper_first_save(ddb, table_s, pk, "John")
    assert get(ddb, table_s, pk) == {"pk": S(pk), "name": S("John"), "version": N(1)}
    with pytest.raises(ClientError) as e:
        mapper_first_save(ddb, table_s, pk, "Lisa")
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == {"pk": S(pk), "name": S("John"), "version": N(1)}


@pytest.mark.parametrize("shape", sorted(MAPPER_EXPECTED_SHAPES))
def test_mapper_versioned_update_and_stale_save(ddb, table_s, shape):
    # A save with the current version wins and bumps it; a save with a stale version changes nothing.
    pk = unique_key(f"mapper-upd-{shape}")
    mapper_first_save(ddb, table_s, pk, "Original")
    resp = mapper_update_save(ddb, table_s, pk, "John", 1, shape, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": S(pk), "name": S("John"), "version": N(2)}

    with pytest.raises(ClientError) as e:
        mapper_update_save(ddb, table_s, pk, "Lisa", 1, shape)
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == {"pk": S(pk), "name": S("John"), "version": N(2)}

    mapper_update_save(ddb, table_s, pk, "Lisa", 2, shape)
    assert get(ddb, table_s, pk) == {"pk": S(pk), "name": S("Lisa"), "version": N(3)}


def test_mapper_update_of_deleted_item_fails(ddb, table_s):
    # A versioned save of an item someone deleted must not resurrect it (Value implies existence).
    pk = unique_key("mapper-gone")
    with pytest.raises(ClientError) as e:
        mapper_update_save(ddb, table_s, pk, "John", 1, "value-and-exists-true")
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) is None


def test_mapper_update_nulled_attribute_is_deleted(ddb, table_s):
    # The mapper sends Action DELETE (no Value) for attributes set to null on the object.
    pk = unique_key("mapper-null")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "name": S("x"), "nick": S("n"), "version": N(4)})
    ddb.update_item(
        TableName=table_s, Key={"pk": S(pk)},
        AttributeUpdates={"name": {"Action": "PUT", "Value": S("y")},
                          "nick": {"Action": "DELETE"},
                          "version": {"Action": "PUT", "Value": N(5)}},
        Expected={"version": {"Value": N(4), "Exists": True}})
    assert get(ddb, table_s, pk) == {"pk": S(pk), "name": S("y"), "version": N(5)}


def test_mapper_two_clients_race_has_one_winner_each_round(ddb, table_s):
    # 30 rounds: two clients race the first save, then race a versioned save; one winner each time.
    client1, client2 = make_client(), make_client()
    clients = [client1, client2]
    names = ["John", "Lisa"]
    for round_no in range(30):
        pk = unique_key(f"mapper-race{round_no}")
        results = race([lambda c=c, n=n: mapper_first_save(c, table_s, pk, n)
                        for c, n in zip(clients, names)])
        winners = [i for i, (_, err) in enumerate(results) if err is None]
        assert len(winners) == 1, f"round {round_no} first save: {results}"
        loser_err = results[1 - winners[0]][1]
        assert isinstance(loser_err, ClientError), loser_err
        assert loser_err.response["Error"]["Code"] == "ConditionalCheckFailedException"

        shape = "value-only" if round_no % 2 else "value-and-exists-true"
        results = race([lambda c=c, n=n: mapper_update_save(c, table_s, pk, n, 1, shape)
                        for c, n in zip(clients, names)])
        winners = [i for i, (_, err) in enumerate(results) if err is None]
        assert len(winners) == 1, f"round {round_no} update: {results}"
        loser_err = results[1 - winners[0]][1]
        assert isinstance(loser_err, ClientError), loser_err
        assert loser_err.response["Error"]["Code"] == "ConditionalCheckFailedException"
        assert get(ddb, table_s, pk) == {"pk": S(pk), "name": S(names[winners[0]]), "version": N(2)}


def test_delete_item_with_expected_version(ddb, table_s):
    # DynamoDBMapper.delete() of a versioned object: a stale delete fails, a current one succeeds.
    pk = unique_key("mapper-del")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "version": N(3)})
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(pk)}, Expected={"version": {"Value": N(2)}})
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == {"pk": S(pk), "version": N(3)}
    resp = ddb.delete_item(TableName=table_s, Key={"pk": S(pk)},
                           Expected={"version": {"Value": N(3), "Exists": True}}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"pk": S(pk), "version": N(3)}
    assert get(ddb, table_s, pk) is None


# --- 2. ComparisonOperator semantics ----------------------------------------------------------

STORED = {"s": S("b"), "n": N(5), "greeting": S("hello"), "tags": {"SS": ["red", "blue"]},
          "nums": {"NS": ["1", "2"]}, "items": {"L": [S("x"), N(1)]}}

# (case id, attribute, ComparisonOperator, AttributeValueList that holds, list that does not)
COMPARISONS = [
    ("EQ-S", "s", "EQ", [S("b")], [S("c")]),
    ("EQ-type-mismatch", "n", "EQ", [N(5)], [S("5")]),
    ("EQ-set", "tags", "EQ", [{"SS": ["blue", "red"]}], [{"SS": ["red"]}]),
    ("NE-S", "s", "NE", [S("c")], [S("b")]),
    ("LE-N", "n", "LE", [N(5)], [N(4)]),
    ("LT-N", "n", "LT", [N(6)], [N(5)]),
    ("GE-N", "n", "GE", [N(5)], [N(6)]),
    ("GT-N", "n", "GT", [N(4)], [N(5)]),
    ("LT-S", "s", "LT", [S("c")], [S("a")]),
    ("CONTAINS-substring", "greeting", "CONTAINS", [S("ell")], [S("bye")]),
    ("CONTAINS-set-member", "tags", "CONTAINS", [S("red")], [S("green")]),
    ("CONTAINS-number-set", "nums", "CONTAINS", [N(2)], [N(3)]),
    ("CONTAINS-list-element", "items", "CONTAINS", [S("x")], [S("y")]),
    ("NOT_CONTAINS-substring", "greeting", "NOT_CONTAINS", [S("bye")], [S("ell")]),
    ("NOT_CONTAINS-set-member", "tags", "NOT_CONTAINS", [S("green")], [S("red")]),
    ("BEGINS_WITH", "greeting", "BEGINS_WITH", [S("he")], [S("lo")]),
    ("IN", "s", "IN", [S("a"), S("b")], [S("c"), S("d")]),
    ("BETWEEN-N", "n", "BETWEEN", [N(1), N(5)], [N(6), N(9)]),
    ("BETWEEN-S", "s", "BETWEEN", [S("a"), S("c")], [S("c"), S("d")]),
    ("NOT_NULL", "s", "NOT_NULL", [], None),
    ("NULL", "absent", "NULL", [], None),
]


def stored_item(pk):
    return dict(STORED, pk=S(pk))


@pytest.mark.parametrize("case", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparison_operator_holds_and_fails(ddb, table_s, case):
    # Each operator lets the write through with a matching value and blocks it with a wrong one.
    _, attr, op, good, bad = case
    pk = unique_key(f"cmp-{op}")
    ddb.put_item(TableName=table_s, Item=stored_item(pk))

    ddb.update_item(TableName=table_s, Key={"pk": S(pk)},
                    AttributeUpdates={"marker": {"Action": "PUT", "Value": S("good")}},
                    Expected={attr: {"ComparisonOperator": op, "AttributeValueList": good}})
    assert get(ddb, table_s, pk)["marker"] == S("good")

    if bad is None:  # NOT_NULL / NULL: the failing case is the opposite operator
        bad_expected = {attr: {"ComparisonOperator": "NULL" if op == "NOT_NULL" else "NOT_NULL"}}
    else:
        bad_expected = {attr: {"ComparisonOperator": op, "AttributeValueList": bad}}
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(pk)},
                        AttributeUpdates={"marker": {"Action": "PUT", "Value": S("bad")}},
                        Expected=bad_expected)
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == dict(stored_item(pk), marker=S("good"))


# Operators that compare against a value are false when the attribute is missing ...
MISSING_FALSE = [("EQ", [S("b")]), ("LE", [N(5)]), ("LT", [N(5)]), ("GE", [N(5)]), ("GT", [N(5)]),
                 ("CONTAINS", [S("b")]), ("BEGINS_WITH", [S("b")]), ("IN", [S("b")]),
                 ("BETWEEN", [N(1), N(9)]), ("NOT_NULL", [])]


@pytest.mark.parametrize("op,values", MISSING_FALSE, ids=[m[0] for m in MISSING_FALSE])
def test_comparison_on_missing_attribute_is_false(ddb, table_s, op, values):
    # A missing attribute satisfies none of the value comparisons (nor NOT_NULL).
    pk = unique_key(f"missing-{op}")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk)})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(pk), "marker": S("x")},
                     Expected={"absent": {"ComparisonOperator": op, "AttributeValueList": values}})
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == {"pk": S(pk)}


def test_ne_on_missing_attribute_is_true(ddb, table_s):
    # NE on a missing attribute holds: Amazon's DAX client translates legacy NE to `#a <> :v`,
    # which DynamoDB evaluates to true for a missing attribute.
    pk = unique_key("missing-NE")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk)})
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "marker": S("x")},
                 Expected={"absent": {"ComparisonOperator": "NE", "AttributeValueList": [S("b")]}})
    assert get(ddb, table_s, pk) == {"pk": S(pk), "marker": S("x")}


def test_ne_on_missing_item_is_true(ddb, table_s):
    # On a brand-new key every attribute is missing, so NE holds and the put goes through.
    pk = unique_key("missing-item-NE")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk)},
                 Expected={"status": {"ComparisonOperator": "NE", "AttributeValueList": [S("busy")]}})
    assert get(ddb, table_s, pk) == {"pk": S(pk)}


def test_not_contains_on_missing_attribute_is_false(ddb, table_s):
    # NOT_CONTAINS on a missing attribute fails: Amazon's DAX client translates legacy NOT_CONTAINS
    # to `attribute_exists(#a) AND NOT contains(#a, :v)` (amazondax, legacy->expression converter),
    # i.e. unlike the expression `NOT contains(...)` it requires the attribute to exist.
    pk = unique_key("missing-NOT_CONTAINS")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk)})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(pk), "marker": S("x")},
                     Expected={"absent": {"ComparisonOperator": "NOT_CONTAINS",
                                          "AttributeValueList": [S("b")]}})
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == {"pk": S(pk)}


def test_value_with_comparison_operator_is_accepted(ddb, table_s):
    # Despite the docs, DynamoDB accepts Value in place of a one-element AttributeValueList
    # (dynalite's suite and floci-io/floci#2125's run against DynamoDB both show it).
    pk = unique_key("value-with-op")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "n": N(5)})
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "n": N(6)},
                 Expected={"n": {"Value": N(5), "ComparisonOperator": "EQ"}})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(pk), "n": N(7)},
                     Expected={"n": {"Value": N(10), "ComparisonOperator": "GE"}})
    assert_conditional_failed(e)
    assert get(ddb, table_s, pk) == {"pk": S(pk), "n": N(6)}


# (ConditionalOperator, first entry holds, second entry holds, write expected to succeed)
CONDITIONAL_OPERATOR_CASES = [
    ("AND", True, True, True), ("AND", True, False, False), ("AND", False, False, False),
    ("OR", True, False, True), ("OR", False, True, True), ("OR", False, False, False),
    (None, True, False, False), (None, True, True, True),
]


@pytest.mark.parametrize("cond_op,first,second,succeeds", CONDITIONAL_OPERATOR_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CONDITIONAL_OPERATOR_CASES])
def test_conditional_operator_combines_two_entries(ddb, table_s, cond_op, first, second, succeeds):
    # ConditionalOperator OR needs one entry to hold, AND (the default) needs both.
    pk = unique_key("condop")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "a": S("x"), "b": N(1)})
    expected = {"a": {"Value": S("x" if first else "y")},
                "b": {"ComparisonOperator": "GT", "AttributeValueList": [N(0 if second else 1)]}}
    extra = {"ConditionalOperator": cond_op} if cond_op else {}
    req = dict(TableName=table_s, Key={"pk": S(pk)}, Expected=expected,
               AttributeUpdates={"done": {"Action": "PUT", "Value": {"BOOL": True}}}, **extra)
    if succeeds:
        ddb.update_item(**req)
        assert get(ddb, table_s, pk)["done"] == {"BOOL": True}
    else:
        with pytest.raises(ClientError) as e:
            ddb.update_item(**req)
        assert_conditional_failed(e)
        assert "done" not in get(ddb, table_s, pk)


def test_exists_false_and_true_on_attribute(ddb, table_s):
    # Exists false holds only while the attribute is absent; a bare Value needs it present and equal.
    pk = unique_key("exists")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk)})
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "lock": S("me")},
                 Expected={"lock": {"Exists": False}})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(pk), "lock": S("you")},
                     Expected={"lock": {"Exists": False}})
    assert_conditional_failed(e)
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(pk)}, Expected={"lock": {"Value": S("you")}})
    assert_conditional_failed(e)
    ddb.delete_item(TableName=table_s, Key={"pk": S(pk)}, Expected={"lock": {"Value": S("me")}})
    assert get(ddb, table_s, pk) is None


# --- 3. AttributeUpdates ----------------------------------------------------------------------

def update(ddb, table, pk, updates, **extra):
    return ddb.update_item(TableName=table, Key={"pk": S(pk)}, AttributeUpdates=updates, **extra)


def test_attribute_updates_put_creates_and_replaces(ddb, table_s):
    # PUT adds a missing attribute (creating the item) and replaces an existing one, any type.
    pk = unique_key("au-put")
    update(ddb, table_s, pk, {"a": {"Action": "PUT", "Value": S("1")}})
    assert get(ddb, table_s, pk) == {"pk": S(pk), "a": S("1")}
    update(ddb, table_s, pk, {"a": {"Action": "PUT", "Value": {"M": {"x": {"L": [N(1)]}}}},
                              "b": {"Action": "PUT", "Value": {"NULL": True}}})
    assert get(ddb, table_s, pk) == {"pk": S(pk), "a": {"M": {"x": {"L": [N(1)]}}}, "b": {"NULL": True}}


def test_attribute_updates_action_defaults_to_put(ddb, table_s):
    # Action is optional and defaults to PUT (dynalite's suite sends {Value: ...} with no Action).
    pk = unique_key("au-default")
    update(ddb, table_s, pk, {"a": {"Value": S("v")}})
    assert get(ddb, table_s, pk) == {"pk": S(pk), "a": S("v")}


def test_attribute_updates_delete_without_value_removes(ddb, table_s):
    # DELETE with no Value removes the attribute; removing a missing one is not an error.
    pk = unique_key("au-del")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "a": S("x"), "b": S("y")})
    update(ddb, table_s, pk, {"a": {"Action": "DELETE"}, "never": {"Action": "DELETE"}})
    assert get(ddb, table_s, pk) == {"pk": S(pk), "b": S("y")}


def test_attribute_updates_delete_set_members(ddb, table_s):
    # DELETE with a set removes those members; emptying the set removes the attribute.
    pk = unique_key("au-delset")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "ns": {"NS": ["1", "2", "3"]}, "c": S("a")})
    resp = update(ddb, table_s, pk, {"ns": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}}},
                  ReturnValues="UPDATED_NEW")
    assert sorted(resp["Attributes"]["ns"]["NS"]) == ["2", "3"]
    resp = update(ddb, table_s, pk, {"ns": {"Action": "DELETE", "Value": {"NS": ["2", "3"]}}},
                  ReturnValues="UPDATED_NEW")
    assert "Attributes" not in resp or "ns" not in resp["Attributes"], resp
    assert get(ddb, table_s, pk) == {"pk": S(pk), "c": S("a")}


def test_attribute_updates_add_number(ddb, table_s):
    # ADD to a number sums; ADD to a missing attribute starts from zero.
    pk = unique_key("au-addn")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "n": N(1)})
    resp = update(ddb, table_s, pk, {"n": {"Action": "ADD", "Value": N(3)},
                                     "fresh": {"Action": "ADD", "Value": N(-2.5)}},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"n": N(4), "fresh": N(-2.5)}
    assert get(ddb, table_s, pk) == {"pk": S(pk), "n": N(4), "fresh": N(-2.5)}


def test_attribute_updates_add_set_union(ddb, table_s):
    # ADD of a set unions it with the stored set (duplicates dropped).
    pk = unique_key("au-addset")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "ss": {"SS": ["a", "b"]}})
    update(ddb, table_s, pk, {"ss": {"Action": "ADD", "Value": {"SS": ["b", "c"]}}})
    assert sorted(get(ddb, table_s, pk)["ss"]["SS"]) == ["a", "b", "c"]


def test_attribute_updates_add_list_appends(ddb, table_s):
    # Legacy ADD of a list appends to the stored list (dynalite's suite, run against DynamoDB).
    pk = unique_key("au-addlist")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "l": {"L": [S("a"), N(1)]}})
    resp = update(ddb, table_s, pk, {"l": {"Action": "ADD", "Value": {"L": [S("b"), N(2)]}}},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"l": {"L": [S("a"), N(1), S("b"), N(2)]}}
    assert get(ddb, table_s, pk)["l"] == {"L": [S("a"), N(1), S("b"), N(2)]}


def test_attribute_updates_on_missing_item(ddb, table_s):
    # On a new item: DELETEs are no-ops, ADD number/set/list create the attributes.
    pk = unique_key("au-new")
    resp = update(ddb, table_s, pk, {
        "b": {"Action": "DELETE"},
        "c": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
        "d": {"Action": "ADD", "Value": N(5)},
        "e": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
        "f": {"Action": "ADD", "Value": {"L": [S("a"), N(1)]}},
    }, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"]["d"] == N(5)
    assert sorted(resp["Attributes"]["e"]["SS"]) == ["a", "b"]
    assert resp["Attributes"]["f"] == {"L": [S("a"), N(1)]}
    assert set(resp["Attributes"]) == {"d", "e", "f"}
    item = get(ddb, table_s, pk)
    assert set(item) == {"pk", "d", "e", "f"}


def test_attribute_updates_key_attribute_rejected(ddb, table_s):
    # Updating the key through AttributeUpdates is a validation error and writes nothing.
    pk = unique_key("au-key")
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, pk, {"pk": {"Action": "PUT", "Value": S("other")},
                                  "a": {"Action": "PUT", "Value": S("x")}})
    assert_validation(e, INVALID + "Cannot update attribute pk. This attribute is part of the key")
    assert get(ddb, table_s, pk) is None


def test_attribute_updates_range_key_rejected(ddb, table_sn):
    # The sort key is part of the key too.
    pk = unique_key("au-sk")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_sn, Key={"pk": S(pk), "sk": N(1)},
                        AttributeUpdates={"sk": {"Action": "ADD", "Value": N(1)}})
    assert_validation(e, INVALID + "Cannot update attribute sk. This attribute is part of the key")


def test_attribute_updates_return_values(ddb, table_s):
    # UPDATED_OLD / UPDATED_NEW return only the touched attributes, ALL_NEW / ALL_OLD the whole item.
    pk = unique_key("au-rv")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "b": S("a"), "c": N(1), "keep": S("k")})
    resp = update(ddb, table_s, pk, {"b": {"Action": "PUT", "Value": S("b")},
                                     "c": {"Action": "ADD", "Value": N(1)}}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"b": S("a"), "c": N(1)}
    resp = update(ddb, table_s, pk, {"b": {"Action": "PUT", "Value": S("c")},
                                     "c": {"Action": "ADD", "Value": N(1)}}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"b": S("c"), "c": N(3)}
    resp = update(ddb, table_s, pk, {"b": {"Action": "DELETE"}}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": S(pk), "c": N(3), "keep": S("k")}
    resp = update(ddb, table_s, pk, {"c": {"Action": "PUT", "Value": N(9)}}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"pk": S(pk), "c": N(3), "keep": S("k")}


def test_attribute_updates_add_set_type_mismatch(ddb, table_s):
    # ADD/DELETE of a set of the wrong type for the stored attribute is rejected (dynalite's suite).
    pk = unique_key("au-mismatch")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "ss": {"SS": ["1"]}, "ns": {"NS": ["1"]}})
    for updates in ({"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
                    {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
                    {"ns": {"Action": "ADD", "Value": N(1)}}):
        with pytest.raises(ClientError) as e:
            update(ddb, table_s, pk, updates)
        assert_validation(e, "Type mismatch for attribute to update")
    assert get(ddb, table_s, pk) == {"pk": S(pk), "ss": {"SS": ["1"]}, "ns": {"NS": ["1"]}}


@pytest.mark.parametrize("value", [S("1"), N(1), {"B": "YQ=="}, {"BOOL": True}, {"NULL": True},
                                   {"M": {}}, {"L": []}], ids=lambda v: next(iter(v)))
def test_attribute_updates_delete_with_non_set_value_rejected(ddb, table_s, value):
    # DELETE with a Value only makes sense for sets.
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, unique_key("au-delbad"), {"a": {"Action": "DELETE", "Value": value}})
    assert_validation(e, INVALID + "DELETE action with value is not supported for the type " + next(iter(value)))


@pytest.mark.parametrize("value", [S("1"), {"B": "YQ=="}, {"BOOL": True}, {"NULL": True}, {"M": {}}],
                         ids=lambda v: next(iter(v)))
def test_attribute_updates_add_unsupported_type_rejected(ddb, table_s, value):
    # ADD only works for numbers, sets and lists.
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, unique_key("au-addbad"), {"a": {"Action": "ADD", "Value": value}})
    assert_validation(e, INVALID + "ADD action is not supported for the type " + next(iter(value)))


@pytest.mark.parametrize("action", ["PUT", "ADD"])
def test_attribute_updates_missing_value_rejected(ddb, table_s, action):
    # Only DELETE may omit the Value.
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, unique_key("au-noval"), {"a": {"Action": action}})
    assert_validation(e, INVALID + "Only DELETE action is allowed when no attribute value is specified")


# --- 4. AttributesToGet -----------------------------------------------------------------------

def test_get_item_attributes_to_get(ddb, table_s):
    # Only the listed attributes come back (names that do not exist are simply absent).
    pk = unique_key("atg")
    ddb.put_item(TableName=table_s, Item={"pk": S(pk), "a": S("1"), "b": N(2), "c": {"SS": ["x"]}})
    item = ddb.get_item(TableName=table_s, Key={"pk": S(pk)}, ConsistentRead=True,
                        AttributesToGet=["a", "c", "nope"])["Item"]
    assert item == {"a": S("1"), "c": {"SS": ["x"]}}
    item = ddb.get_item(TableName=table_s, Key={"pk": S(pk)}, ConsistentRead=True,
                        AttributesToGet=["nope"])
    assert item.get("Item", {}) == {}


def test_get_item_attributes_to_get_with_projection_rejected(ddb, table_s):
    # AttributesToGet and ProjectionExpression cannot be combined.
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_s, Key={"pk": S(unique_key("atg-mix"))},
                     AttributesToGet=["a"], ProjectionExpression="a")
    assert_validation(e, "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")


# --- 5. Validation errors ---------------------------------------------------------------------

EXPECTED_VALIDATION = [
    ("exists-false-with-value", {"version": {"Exists": False, "Value": N(1)}},
     "Value cannot be used when Exists is false for Attribute: version"),
    ("exists-true-without-value", {"version": {"Exists": True}},
     "Value must be provided when Exists is true for Attribute: version"),
    ("empty-entry", {"version": {}},
     "Value must be provided when Exists is null for Attribute: version"),
    ("exists-with-operator", {"version": {"Exists": True, "ComparisonOperator": "EQ",
                                          "AttributeValueList": [N(1)]}},
     "Exists and ComparisonOperator cannot be used together for Attribute: version"),
    ("value-and-list", {"version": {"Value": N(1), "ComparisonOperator": "EQ",
                                    "AttributeValueList": [N(1)]}},
     "Value and AttributeValueList cannot be used together for Attribute: version"),
    ("list-without-operator", {"version": {"AttributeValueList": [N(1)]}},
     "AttributeValueList can only be used with a ComparisonOperator for Attribute: version"),
    ("operator-without-values", {"version": {"ComparisonOperator": "LT"}},
     "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: version"),
    ("EQ-empty-list", {"version": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
     "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ("EQ-two-values", {"version": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1), N(2)]}},
     "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ("NULL-with-value", {"version": {"ComparisonOperator": "NULL", "AttributeValueList": [N(1)]}},
     "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ("IN-empty-list", {"version": {"ComparisonOperator": "IN", "AttributeValueList": []}},
     "Invalid number of argument(s) for the IN ComparisonOperator"),
    ("BETWEEN-three-values", {"version": {"ComparisonOperator": "BETWEEN",
                                          "AttributeValueList": [N(1), N(10), N(12)]}},
     "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ("BETWEEN-with-Value", {"version": {"ComparisonOperator": "BETWEEN", "Value": N(1)}},
     "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ("NULL-with-Value", {"version": {"ComparisonOperator": "NULL", "Value": N(1)}},
     "Invalid number of argument(s) for the NULL ComparisonOperator"),
]


@pytest.mark.parametrize("case", EXPECTED_VALIDATION, ids=[c[0] for c in EXPECTED_VALIDATION])
@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_expected_validation_messages(ddb, table_s, op, case):
    # Malformed Expected entries are rejected with the real service's wording and write nothing.
    _, expected, message = case
    pk = unique_key("val")
    req = {"TableName": table_s, "Expected": expected}
    if op == "PutItem":
        req["Item"] = {"pk": S(pk)}
    else:
        req["Key"] = {"pk": S(pk)}
    if op == "UpdateItem":
        req["AttributeUpdates"] = {"a": {"Action": "PUT", "Value": S("x")}}
    status, body = raw_dynamodb_call(op, req)
    assert status == 400, body
    assert body["__type"] == "com.amazon.coral.validate#ValidationException", body
    msg = body.get("message", body.get("Message"))
    assert msg in (INVALID + message, "1 validation error detected: " + INVALID + message), msg
    assert get(ddb, table_s, pk) is None


def test_expression_attribute_values_with_only_legacy_put(ddb, table_s):
    # ExpressionAttributeValues without any expression is rejected (PutItem names ConditionExpression).
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(unique_key("eav"))},
                     Expected={"a": {"Exists": False}}, ExpressionAttributeValues={":v": S("x")})
    assert_validation(e, "ExpressionAttributeValues can only be specified when using expressions: "
                         "ConditionExpression is null")


def test_expression_attribute_values_with_only_legacy_update(ddb, table_s):
    # On UpdateItem the message names both expressions.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(unique_key("eav-u"))},
                        AttributeUpdates={"a": {"Action": "PUT", "Value": S("x")}},
                        Expected={"a": {"Exists": False}}, ExpressionAttributeValues={":v": S("x")})
    assert_validation(e, "ExpressionAttributeValues can only be specified when using expressions: "
                         "UpdateExpression and ConditionExpression are null")


def test_expression_attribute_names_with_only_legacy(ddb, table_s):
    # ExpressionAttributeNames without any expression is rejected as well.
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table_s, Key={"pk": S(unique_key("ean"))},
                        Expected={"a": {"Exists": False}}, ExpressionAttributeNames={"#a": "a"})
    assert_validation(e, "ExpressionAttributeNames can only be specified when using expressions")


def test_mixing_expected_and_condition_expression_put(ddb, table_s):
    # Legacy and expression parameters cannot be combined.
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table_s, Item={"pk": S(unique_key("mix"))},
                     Expected={"a": {"Exists": False}}, ConditionExpression="attribute_not_exists(a)")
    assert_validation(e, "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")


def test_mixing_all_four_on_update_names_them_in_service_order(ddb, table_s):
    # The real service lists {AttributeUpdates, Expected} and {UpdateExpression, ConditionExpression}.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(unique_key("mix4"))},
                        Expected={"a": {"Exists": False}},
                        AttributeUpdates={"a": {"Action": "PUT", "Value": S("x")}},
                        UpdateExpression="SET a = :v", ConditionExpression="attribute_not_exists(a)",
                        ExpressionAttributeValues={":v": S("x")})
    assert_validation(e, "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {AttributeUpdates, Expected} "
                         "Expression parameters: {UpdateExpression, ConditionExpression}")


def test_mixing_attribute_updates_and_condition_expression(ddb, table_s):
    # AttributeUpdates with a ConditionExpression is a mix too.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(unique_key("mix2"))},
                        AttributeUpdates={"a": {"Action": "PUT", "Value": S("x")}},
                        ConditionExpression="attribute_not_exists(a)")
    assert_validation(e, "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {AttributeUpdates} Expression parameters: {ConditionExpression}")
