# UpdateItem semantics: upsert, SET (+, -, if_not_exists, list_append, nested paths, list
# indexes), REMOVE, ADD, DELETE, ReturnValues, clause and path rules, key protection, runtime
# errors, exact number arithmetic and ConsumedCapacity.

import pytest
from botocore.exceptions import ClientError

from conftest import (B, N, S, SS, assert_validation, get_item, norm, seeded, unique_key, update,
                      update_fails)


# --- upsert ----------------------------------------------------------------------------------

def test_update_creates_missing_item(ddb, table_s):
    # UpdateItem is an upsert: a missing item is created from the key plus the SET values.
    key = unique_key()
    update(ddb, table_s, key, "SET a = :a, b = :b", {":a": S("x"), ":b": N(1)})
    assert get_item(ddb, table_s, key) == {"pk": S(key), "a": S("x"), "b": N(1)}


def test_update_without_expression_creates_key_only_item(ddb, table_s):
    # An UpdateItem with no update at all still creates the item with just its key.
    key = unique_key()
    resp = ddb.update_item(TableName=table_s, Key={"pk": S(key)})
    assert "Attributes" not in resp
    assert get_item(ddb, table_s, key) == {"pk": S(key)}


def test_update_creates_item_with_composite_key(ddb, table_sn):
    # Both key attributes come from Key.
    key = unique_key()
    ddb.update_item(TableName=table_sn, Key={"pk": S(key), "sk": N(7)}, UpdateExpression="SET a = :a",
                    ExpressionAttributeValues={":a": S("x")})
    got = ddb.get_item(TableName=table_sn, Key={"pk": S(key), "sk": N(7)}, ConsistentRead=True)
    assert got["Item"] == {"pk": S(key), "sk": N(7), "a": S("x")}


# --- SET -------------------------------------------------------------------------------------

def test_set_plus_and_minus(ddb, table_s):
    # + and - do decimal arithmetic on numbers, from attributes and from values.
    key = seeded(ddb, table_s, n=N(10), m=N(3))
    update(ddb, table_s, key, "SET a = n + :five, b = n - :twelve, c = n - m, d = :five + :five",
           {":five": N(5), ":twelve": N(12)})
    item = get_item(ddb, table_s, key)
    assert (item["a"], item["b"], item["c"], item["d"]) == (N(15), N(-2), N(7), N(10))


def test_set_self_increment(ddb, table_s):
    # counter = counter + 1 reads the old value.
    key = seeded(ddb, table_s, cnt=N(41))
    resp = update(ddb, table_s, key, "SET cnt = cnt + :one", {":one": N(1)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"cnt": N(42)}


def test_set_all_right_hand_sides_read_the_old_item(ddb, table_s):
    # Every SET action sees the item as it was before the update, not the other actions' results.
    key = seeded(ddb, table_s, a=N(1), b=N(2))
    update(ddb, table_s, key, "SET a = b, b = a")
    item = get_item(ddb, table_s, key)
    assert (item["a"], item["b"]) == (N(2), N(1))


def test_numbers_stay_exact(ddb, table_s):
    # Decimal arithmetic: 0.1 + 0.2 is exactly 0.3, and 38-digit values keep every digit.
    key = seeded(ddb, table_s, x=N("0.1"))
    update(ddb, table_s, key,
           "SET y = x + :p2, z = :big + :one, w = :small - :small, v = :frac - :one",
           {":p2": N("0.2"), ":big": N("9999999999999999999999999999999999999"), ":one": N(1),
            ":small": N("1E-130"), ":frac": N("12345678901234567890.12345678901234567")})
    item = get_item(ddb, table_s, key)
    assert item["y"] == N("0.3")
    assert item["z"] == N("10000000000000000000000000000000000000")
    assert item["w"] == N("0")
    assert item["v"] == N("12345678901234567889.12345678901234567")


def test_add_numbers_stays_exact(ddb, table_s):
    # ADD uses the same exact arithmetic.
    key = seeded(ddb, table_s, x=N("0.1"))
    update(ddb, table_s, key, "ADD x :p2", {":p2": N("0.2")})
    assert get_item(ddb, table_s, key)["x"] == N("0.3")


def test_if_not_exists(ddb, table_s):
    # if_not_exists(path, v) is the stored value if the path exists, else v.
    key = seeded(ddb, table_s, a=S("kept"))
    update(ddb, table_s, key, "SET a = if_not_exists(a, :d), b = if_not_exists(b, :d)", {":d": S("dflt")})
    item = get_item(ddb, table_s, key)
    assert (item["a"], item["b"]) == (S("kept"), S("dflt"))


def test_if_not_exists_counter_on_missing_item(ddb, table_s):
    # The classic "create or increment" idiom.
    key = unique_key()
    for _ in range(3):
        update(ddb, table_s, key, "SET c = if_not_exists(c, :zero) + :one", {":zero": N(0), ":one": N(1)})
    assert get_item(ddb, table_s, key)["c"] == N(3)


def test_if_not_exists_nested_path(ddb, table_s):
    # if_not_exists works on document paths too.
    key = seeded(ddb, table_s, m={"M": {"k": S("v")}})
    update(ddb, table_s, key, "SET m.k = if_not_exists(m.k, :d), m.j = if_not_exists(m.j, :d)",
           {":d": S("dflt")})
    assert get_item(ddb, table_s, key)["m"] == {"M": {"k": S("v"), "j": S("dflt")}}


def test_list_append_both_orders(ddb, table_s):
    # list_append(a, b) concatenates in argument order: append or prepend.
    key = seeded(ddb, table_s, l={"L": [S("b")]})
    update(ddb, table_s, key, "SET l = list_append(l, :tail)", {":tail": {"L": [S("c"), N(1)]}})
    update(ddb, table_s, key, "SET l = list_append(:head, l)", {":head": {"L": [S("a")]}})
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("a"), S("b"), S("c"), N(1)]}


def test_list_append_with_if_not_exists(ddb, table_s):
    # list_append(if_not_exists(l, :empty), :new) creates the list on first use.
    key = unique_key()
    for v in ("x", "y"):
        update(ddb, table_s, key, "SET l = list_append(if_not_exists(l, :empty), :new)",
               {":empty": {"L": []}, ":new": {"L": [S(v)]}})
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("x"), S("y")]}


def test_set_nested_map_paths(ddb, table_s):
    # SET on a map path replaces or adds one entry and keeps its siblings.
    key = seeded(ddb, table_s, m={"M": {"k": S("v"), "inr": {"M": {"x": N(1)}}}})
    update(ddb, table_s, key, "SET m.k = :new, m.added = :a, m.inr.x = m.inr.x + :one, #m.#i.y = :y",
           {":new": S("v2"), ":a": {"L": []}, ":one": N(1), ":y": B(b"\x00")},
           {"#m": "m", "#i": "inr"})
    assert get_item(ddb, table_s, key)["m"] == {"M": {
        "k": S("v2"), "added": {"L": []}, "inr": {"M": {"x": N(2), "y": B(b"\x00")}}}}


def test_set_list_index_replaces_element(ddb, table_s):
    # SET l[i] inside the list replaces that element.
    key = seeded(ddb, table_s, l={"L": [S("a"), S("b"), S("c")]})
    update(ddb, table_s, key, "SET l[1] = :v", {":v": S("B")})
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("a"), S("B"), S("c")]}


def test_set_list_index_past_end_appends(ddb, table_s):
    # An index past the end appends the value at the end, with no padding.
    key = seeded(ddb, table_s, l={"L": [S("a"), S("b"), S("c")]}, e={"L": []})
    update(ddb, table_s, key, "SET l[10] = :v, e[0] = :w", {":v": S("z"), ":w": S("first")})
    item = get_item(ddb, table_s, key)
    assert item["l"] == {"L": [S("a"), S("b"), S("c"), S("z")]}
    assert item["e"] == {"L": [S("first")]}


def test_set_several_indexes_past_end_append_in_index_order(ddb, table_s):
    # Documented: several out-of-range elements set at once are appended sorted by index.
    key = seeded(ddb, table_s, l={"L": [S("one"), S("two"), S("three")]})
    update(ddb, table_s, key, "SET l[84] = :a1, l[37] = :a2, l[17] = :a3, l[50] = :a4",
           {":a1": S("a1"), ":a2": S("a2"), ":a3": S("a3"), ":a4": S("a4")})
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("one"), S("two"), S("three"),
                                                      S("a3"), S("a2"), S("a4"), S("a1")]}


def test_set_inside_list_element_map(ddb, table_s):
    # Paths mix list indexes and map keys: a.b[1].c.
    key = seeded(ddb, table_s, a={"M": {"b": {"L": [N(0), {"M": {"c": S("old")}}]}}})
    update(ddb, table_s, key, "SET a.b[1].c = :v", {":v": S("new")})
    assert get_item(ddb, table_s, key)["a"] == {"M": {"b": {"L": [N(0), {"M": {"c": S("new")}}]}}}


# --- REMOVE ----------------------------------------------------------------------------------

def test_remove_top_level(ddb, table_s):
    # REMOVE deletes attributes; removing a missing attribute is not an error.
    key = seeded(ddb, table_s, a=S("x"), b=S("y"), c=S("z"))
    update(ddb, table_s, key, "REMOVE a, c, absent")
    assert get_item(ddb, table_s, key) == {"pk": S(key), "b": S("y")}


def test_remove_nested_map_entry(ddb, table_s):
    # REMOVE m.k deletes only that entry of the map.
    key = seeded(ddb, table_s, m={"M": {"k": S("gone"), "keep": S("stay")}})
    update(ddb, table_s, key, "REMOVE m.k")
    assert get_item(ddb, table_s, key)["m"] == {"M": {"keep": S("stay")}}


def test_remove_list_element_shifts(ddb, table_s):
    # REMOVE l[i] deletes the element and shifts the rest down.
    key = seeded(ddb, table_s, l={"L": [S("a"), S("b"), S("c"), S("d")]})
    update(ddb, table_s, key, "REMOVE l[1]")
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("a"), S("c"), S("d")]}


def test_remove_several_list_elements_uses_original_indexes(ddb, table_s):
    # Indexes in one REMOVE all refer to the list before the update, in any order.
    key = seeded(ddb, table_s, l={"L": [S("a"), S("b"), S("c"), S("d"), S("e")]})
    update(ddb, table_s, key, "REMOVE l[3], l[0], l[1]")
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("c"), S("e")]}


def test_remove_list_element_past_end_is_a_no_op(ddb, table_s):
    # Removing an index beyond the list leaves the list as it is.
    key = seeded(ddb, table_s, l={"L": [S("a")]})
    update(ddb, table_s, key, "REMOVE l[5]")
    assert get_item(ddb, table_s, key)["l"] == {"L": [S("a")]}


def test_remove_and_set_list_indexes_refer_to_original_list(ddb, table_s):
    # REMOVE l[1] SET l[3]: index 3 is the element before the removal, in either clause order.
    for expr in ("REMOVE l[1] SET l[3] = :v", "SET l[3] = :v REMOVE l[1]"):
        key = seeded(ddb, table_s, l={"L": [N(2), N(3), N(4), N(5), N(6), N(7)]})
        update(ddb, table_s, key, expr, {":v": N(17)})
        assert get_item(ddb, table_s, key)["l"] == {"L": [N(2), N(4), N(17), N(6), N(7)]}, expr


def test_remove_last_members_leaves_empty_map_and_list(ddb, table_s):
    # Empty maps and lists are legal, so removing their last member keeps them.
    key = seeded(ddb, table_s, m={"M": {"b": N(1)}}, l={"L": [N(1)]})
    update(ddb, table_s, key, "REMOVE m.b, l[0]")
    item = get_item(ddb, table_s, key)
    assert (item["m"], item["l"]) == ({"M": {}}, {"L": []})


def test_remove_missing_leaf_is_a_no_op(ddb, table_s):
    # A missing leaf under an existing parent is silently ignored.
    key = seeded(ddb, table_s, m={"M": {"x": N(3)}}, l={"L": [S("hi")]})
    before = get_item(ddb, table_s, key)
    update(ddb, table_s, key, "REMOVE m.y, l[7], c")
    assert get_item(ddb, table_s, key) == before


@pytest.mark.parametrize("expr", ["REMOVE s.c", "REMOVE l.c", "REMOVE nope.c", "REMOVE s[0]", "REMOVE nope[0]"])
def test_remove_with_invalid_parent(ddb, table_s, expr):
    # REMOVE under a missing or non-document parent is an invalid path, like SET.
    key = seeded(ddb, table_s, s=S("hello"), l={"L": [S("hi")]})
    update_fails(ddb, table_s, key, expr, "The document path provided in the update expression is invalid for update")


def test_set_and_remove_together(ddb, table_s):
    # Clauses combine in one update, in any order.
    key = seeded(ddb, table_s, a=S("x"), b=S("y"))
    update(ddb, table_s, key, "REMOVE a SET c = b", None)
    assert get_item(ddb, table_s, key) == {"pk": S(key), "b": S("y"), "c": S("y")}


# --- ADD and DELETE --------------------------------------------------------------------------

def test_add_number(ddb, table_s):
    # ADD adds to a number, and starts from 0 when the attribute is missing.
    key = seeded(ddb, table_s, n=N(5))
    update(ddb, table_s, key, "ADD n :three, fresh :three, neg :minus", {":three": N(3), ":minus": N(-2)})
    item = get_item(ddb, table_s, key)
    assert (item["n"], item["fresh"], item["neg"]) == (N(8), N(3), N(-2))


def test_add_on_missing_item_creates_it(ddb, table_s):
    # ADD on a missing item creates the item.
    key = unique_key()
    update(ddb, table_s, key, "ADD n :one", {":one": N(1)})
    assert get_item(ddb, table_s, key) == {"pk": S(key), "n": N(1)}


@pytest.mark.parametrize("kind,start,added,result", [
    ("SS", ["a", "b"], ["b", "c"], ["a", "b", "c"]),
    ("NS", ["1", "2"], ["2", "3.5"], ["1", "2", "3.5"]),
    ("BS", [b"\x01", b"\x02"], [b"\x02", b"\x03"], [b"\x01", b"\x02", b"\x03"]),
])
def test_add_to_sets(ddb, table_s, kind, start, added, result):
    # ADD to a set is a union (duplicates dropped); to a missing attribute it creates the set.
    key = seeded(ddb, table_s, s1={kind: start})
    update(ddb, table_s, key, "ADD s1 :v, s2 :v", {":v": {kind: added}})
    item = get_item(ddb, table_s, key)
    assert sorted(item["s1"][kind]) == sorted(result)
    assert sorted(item["s2"][kind]) == sorted(added)


@pytest.mark.parametrize("kind,start,removed,result", [
    ("SS", ["a", "b", "c"], ["a", "x"], ["b", "c"]),
    ("NS", ["1", "2", "3"], ["3", "9"], ["1", "2"]),
    ("BS", [b"\x01", b"\x02"], [b"\x02"], [b"\x01"]),
])
def test_delete_from_sets(ddb, table_s, kind, start, removed, result):
    # DELETE removes members; members not in the set are ignored.
    key = seeded(ddb, table_s, s1={kind: start})
    update(ddb, table_s, key, "DELETE s1 :v", {":v": {kind: removed}})
    assert sorted(get_item(ddb, table_s, key)["s1"][kind]) == sorted(result)


def test_delete_emptying_set_removes_attribute(ddb, table_s):
    # Sets cannot be empty: deleting every member removes the attribute.
    key = seeded(ddb, table_s, s1={"SS": ["a", "b"]}, keep=S("k"))
    resp = update(ddb, table_s, key, "DELETE s1 :v", {":v": {"SS": ["a", "b"]}}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": S(key), "keep": S("k")}
    assert get_item(ddb, table_s, key) == {"pk": S(key), "keep": S("k")}


def test_delete_from_missing_attribute_is_a_no_op(ddb, table_s):
    # DELETE on a missing attribute changes nothing.
    key = seeded(ddb, table_s, keep=S("k"))
    update(ddb, table_s, key, "DELETE s1 :v", {":v": {"NS": ["1"]}})
    assert get_item(ddb, table_s, key) == {"pk": S(key), "keep": S("k")}


def test_add_and_delete_on_nested_set(ddb, table_s):
    # ADD and DELETE reach sets inside maps.
    key = seeded(ddb, table_s, m={"M": {"tags": {"SS": ["a"]}}})
    update(ddb, table_s, key, "ADD m.tags :add", {":add": {"SS": ["b", "c"]}})
    update(ddb, table_s, key, "DELETE m.tags :del", {":del": {"SS": ["a"]}})
    assert sorted(get_item(ddb, table_s, key)["m"]["M"]["tags"]["SS"]) == ["b", "c"]


def test_all_four_clauses_in_one_update(ddb, table_s):
    # SET, REMOVE, ADD and DELETE in one expression all apply.
    key = seeded(ddb, table_s, r=S("x"), n=N(1), s1={"SS": ["a", "b"]})
    update(ddb, table_s, key, "SET a = :a REMOVE r ADD n :one DELETE s1 :del",
           {":a": S("set"), ":one": N(1), ":del": {"SS": ["a"]}})
    assert get_item(ddb, table_s, key) == {"pk": S(key), "a": S("set"), "n": N(2), "s1": {"SS": ["b"]}}


# --- ReturnValues ----------------------------------------------------------------------------

RV_EXPR = "SET a = :ten, d = :four REMOVE c"
RV_VALUES = {":ten": N(10), ":four": N(4)}


@pytest.mark.parametrize("rv,expected", [
    ("NONE", None),
    ("ALL_OLD", {"a": N(1), "b": N(2), "c": N(3)}),
    ("UPDATED_OLD", {"a": N(1), "c": N(3)}),
    ("ALL_NEW", {"a": N(10), "b": N(2), "d": N(4)}),
    ("UPDATED_NEW", {"a": N(10), "d": N(4)}),
])
def test_return_values(ddb, table_s, rv, expected):
    # Each ReturnValues mode returns exactly its documented slice of the item.
    key = seeded(ddb, table_s, a=N(1), b=N(2), c=N(3))
    resp = update(ddb, table_s, key, RV_EXPR, RV_VALUES, ReturnValues=rv)
    if expected is None:
        assert "Attributes" not in resp
    else:
        if rv.startswith("ALL"):
            expected = dict(expected, pk=S(key))
        assert resp["Attributes"] == expected


@pytest.mark.parametrize("rv", ["ALL_OLD", "UPDATED_OLD"])
def test_return_old_values_of_created_item(ddb, table_s, rv):
    # A created item had no old values: nothing is returned.
    resp = update(ddb, table_s, unique_key(), "SET a = :a", {":a": N(1)}, ReturnValues=rv)
    assert "Attributes" not in resp


def test_return_values_nested_paths(ddb, table_s):
    # UPDATED_OLD/UPDATED_NEW return only the updated sub-paths of a document.
    key = seeded(ddb, table_s, m={"M": {"x": N(1), "y": N(2), "z": S("same")}})
    resp = update(ddb, table_s, key, "SET m.x = :nx, m.w = :nw", {":nx": N(10), ":nw": N(20)},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"m": {"M": {"x": N(10), "w": N(20)}}}
    resp = update(ddb, table_s, key, "SET m.x = :nx", {":nx": N(11)}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"m": {"M": {"x": N(10)}}}


def test_return_values_add_and_delete(ddb, table_s):
    # ADD and DELETE targets count as updated attributes.
    key = seeded(ddb, table_s, n=N(1), s1={"SS": ["a", "b"]}, other=S("o"))
    resp = update(ddb, table_s, key, "ADD n :one DELETE s1 :a", {":one": N(1), ":a": {"SS": ["a"]}},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"n": N(2), "s1": {"SS": ["b"]}}


def test_return_values_invalid_enum(ddb, table_s):
    # An unknown ReturnValues is a constraint violation naming the enum.
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, unique_key(), "SET a = :a", {":a": N(1)}, ReturnValues="SOME")
    assert_validation(e, "Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must "
                         "satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")


# --- clause and path rules -------------------------------------------------------------------

@pytest.mark.parametrize("expr,section", [
    ("SET a = :v SET b = :v", "SET"),
    ("REMOVE a REMOVE b", "REMOVE"),
    ("ADD a :n ADD b :n", "ADD"),
    ("DELETE a :s DELETE b :s", "DELETE"),
    ("SET a = :v REMOVE c SET b = :v", "SET"),
])
def test_each_clause_at_most_once(ddb, table_s, expr, section):
    # A section keyword may appear only once per update expression.
    key = seeded(ddb, table_s, keep=S("k"))
    values = {k: v for k, v in {":v": S("x"), ":n": N(1), ":s": {"SS": ["a"]}}.items() if k in expr}
    update_fails(ddb, table_s, key, expr,
                 f'Invalid UpdateExpression: The "{section}" section can only be used once in an '
                 f'update expression;', values or None)


@pytest.mark.parametrize("expr,one,two", [
    ("SET a = :v, a = :w", "[a]", "[a]"),
    ("SET a = :v REMOVE a", "[a]", "[a]"),
    ("SET m.k = :v, m = :w", "[m, k]", "[m]"),
    ("REMOVE m, m.k", "[m]", "[m, k]"),
    ("SET l[1] = :v, l[1] = :w", "[l, [1]]", "[l, [1]]"),
    ("ADD n :n1 SET n = :v", "[n]", "[n]"),
])
def test_overlapping_paths_rejected(ddb, table_s, expr, one, two):
    # Two actions on the same path, or on a path and its ancestor, are rejected.
    key = seeded(ddb, table_s, keep=S("k"))
    values = {k: v for k, v in {":v": S("x"), ":w": S("y"), ":n1": N(1)}.items() if k in expr}
    update_fails(ddb, table_s, key, expr,
                 "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
                 f"or rewrite one of these paths; path one: {one}, path two: {two}", values or None)


@pytest.mark.parametrize("expr,one,two", [
    ("SET a.b = :v, a[1] = :w", "[a, b]", "[a, [1]]"),
    ("REMOVE a.b SET a[1] = :w", "[a, b]", "[a, [1]]"),
])
def test_conflicting_paths_rejected(ddb, table_s, expr, one, two):
    # A path that treats the same attribute as both a map and a list is rejected.
    key = seeded(ddb, table_s, keep=S("k"))
    values = {k: v for k, v in {":v": S("x"), ":w": S("y")}.items() if k in expr}
    update_fails(ddb, table_s, key, expr,
                 "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
                 f"or rewrite one of these paths; path one: {one}, path two: {two}", values)


@pytest.mark.parametrize("expr,values", [
    ("SET pk = :v", {":v": S("other")}),
    ("SET #k = :v", {":v": S("other")}),
    ("REMOVE pk", None),
    ("ADD pk :v", {":v": {"SS": ["x"]}}),
    ("SET a = :v, pk = :v", {":v": S("other")}),
    ("SET pk = pk", None),
])
def test_key_attributes_cannot_be_updated(ddb, table_s, expr, values):
    # The key identifies the item; every update action on it is rejected.
    key = seeded(ddb, table_s, a=S("x"))
    names = {"#k": "pk"} if "#k" in expr else None
    update_fails(ddb, table_s, key, expr,
                 "One or more parameter values were invalid: Cannot update attribute pk. "
                 "This attribute is part of the key", values, names)


def test_sort_key_cannot_be_updated(ddb, table_sn):
    # The same holds for the sort key.
    key = unique_key()
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_sn, Key={"pk": S(key), "sk": N(1)}, UpdateExpression="SET sk = :v",
                        ExpressionAttributeValues={":v": N(2)})
    assert_validation(e, "One or more parameter values were invalid: Cannot update attribute sk. "
                         "This attribute is part of the key")
    got = ddb.get_item(TableName=table_sn, Key={"pk": S(key), "sk": N(1)}, ConsistentRead=True)
    assert "Item" not in got


# --- runtime errors --------------------------------------------------------------------------

INVALID_PATH = "The document path provided in the update expression is invalid for update"


@pytest.mark.parametrize("expr", [
    "SET nope.x = :v",         # parent map missing
    "SET nope[0] = :v",        # parent list missing
    "SET s.x = :v",            # parent is a string, not a map
    "SET s[0] = :v",           # parent is a string, not a list
    "SET m[0] = :v",           # a map indexed like a list
    "SET l.x = :v",            # a list used like a map
    "SET m.inr.deep.x = :v",  # grandparent missing
])
def test_set_with_invalid_parent(ddb, table_s, expr):
    # SET only creates the last path element; its parent must exist with the right type.
    key = seeded(ddb, table_s, s=S("str"), m={"M": {"k": S("v")}}, l={"L": [S("a")]})
    update_fails(ddb, table_s, key, expr, INVALID_PATH, {":v": S("x")})


def test_set_nested_on_missing_item(ddb, table_s):
    # On a missing item every parent is missing: rejected, and nothing is created.
    key = unique_key()
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, key, "SET a.b = :v", {":v": S("x")})
    assert_validation(e, INVALID_PATH)
    assert get_item(ddb, table_s, key) is None


INCORRECT_TYPE = "An operand in the update expression has an incorrect data type"


@pytest.mark.parametrize("expr,values", [
    ("SET r = s + :one", {":one": N(1)}),         # + on a string attribute
    ("SET r = :one - s", {":one": N(1)}),         # - on a string attribute
    ("SET r = l + :one", {":one": N(1)}),         # + on a list
    ("ADD s :one", {":one": N(1)}),               # ADD a number to a string
    ("ADD ss :one", {":one": N(1)}),              # ADD a number to a string set
    ("ADD n :set", {":set": {"SS": ["a"]}}),      # ADD a set to a number
    ("ADD ss :ns", {":ns": {"NS": ["1"]}}),       # ADD a number set to a string set
    ("DELETE ss :ns", {":ns": {"NS": ["1"]}}),    # DELETE numbers from a string set
    ("DELETE n :ns", {":ns": {"NS": ["1"]}}),     # DELETE from a number
    ("SET r = list_append(s, :l)", {":l": {"L": []}}),  # list_append on a string
])
def test_incorrect_operand_type_at_runtime(ddb, table_s, expr, values):
    # Type errors that depend on the stored item are reported at update time.
    key = seeded(ddb, table_s, s=S("str"), n=N(1), l={"L": []}, ss={"SS": ["x"]})
    update_fails(ddb, table_s, key, expr, INCORRECT_TYPE, values)


MISSING_ATTR = "The provided expression refers to an attribute that does not exist in the item"


@pytest.mark.parametrize("expr,values", [
    ("SET a = nope", None),
    ("SET a = nope + :one", {":one": N(1)}),
    ("SET a = :one - m.nope", {":one": N(1)}),
    ("SET a = list_append(nope, :l)", {":l": {"L": []}}),
    ("SET a = l[5]", None),
])
def test_reference_to_missing_attribute(ddb, table_s, expr, values):
    # A right-hand side that reads a missing path (outside if_not_exists) is an error.
    key = seeded(ddb, table_s, m={"M": {}}, l={"L": [S("a")]})
    update_fails(ddb, table_s, key, expr, MISSING_ATTR, values)


def test_reference_to_missing_attribute_on_missing_item(ddb, table_s):
    # The same on a missing item, which is then not created.
    key = unique_key()
    with pytest.raises(ClientError) as e:
        update(ddb, table_s, key, "SET a = b")
    assert_validation(e, MISSING_ATTR)
    assert get_item(ddb, table_s, key) is None


def test_failed_update_applies_no_action(ddb, table_s):
    # An update that fails on one action applies none of its other actions.
    key = seeded(ddb, table_s, a=S("x"), n=N(1))
    update_fails(ddb, table_s, key, "SET b = :v, c = nope REMOVE a ADD n :one", MISSING_ATTR,
                 {":v": S("y"), ":one": N(1)})


# --- ConsumedCapacity ------------------------------------------------------------------------

def item_bytes(key, attr, value_len):
    return len("pk") + len(key) + len(attr) + value_len


@pytest.mark.parametrize("mode", ["TOTAL", "INDEXES"])
def test_update_consumed_capacity(ddb, table_s, mode):
    # An update costs 1 WCU per started KB of the larger of the old and new item.
    key = unique_key()
    small = 100
    resp = update(ddb, table_s, key, "SET d = :d", {":d": S("x" * small)}, ReturnConsumedCapacity=mode)
    assert resp["ConsumedCapacity"]["TableName"] == table_s
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0
    if mode == "INDEXES":
        assert resp["ConsumedCapacity"]["Table"]["CapacityUnits"] == 1.0
    # Grow to 2049 bytes: 3 WCU.
    big = 2049 - item_bytes(key, "d", 0)
    resp = update(ddb, table_s, key, "SET d = :d", {":d": S("x" * big)}, ReturnConsumedCapacity=mode)
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 3.0
    # Shrink back: still charged for the larger (old) item.
    resp = update(ddb, table_s, key, "SET d = :d", {":d": S("x" * small)}, ReturnConsumedCapacity=mode)
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 3.0
    resp = update(ddb, table_s, key, "SET d = :d", {":d": S("y" * small)}, ReturnConsumedCapacity=mode)
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_update_consumed_capacity_exact_kb_boundary(ddb, table_s):
    # 1024 bytes is one unit, 1025 bytes two.
    key = unique_key()
    resp = update(ddb, table_s, key, "SET d = :d", {":d": S("x" * (1024 - item_bytes(key, "d", 0)))},
                  ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0
    key = unique_key()
    resp = update(ddb, table_s, key, "SET d = :d", {":d": S("x" * (1025 - item_bytes(key, "d", 0)))},
                  ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 2.0


def test_update_without_consumed_capacity_reports_none(ddb, table_s):
    # NONE (or absent) reports nothing.
    resp = update(ddb, table_s, unique_key(), "SET a = :a", {":a": N(1)}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in resp
