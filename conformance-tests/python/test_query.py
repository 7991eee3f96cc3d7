# Query on base tables: key conditions on S, N and B sort keys, ordering, Limit, filters,
# projections, Select, paging with ExclusiveStartKey, the 1 MB page limit, consumed capacity
# and the validation errors of the real service, word for word.
#
# Every test would pass against Amazon DynamoDB: reads that must see earlier writes use
# ConsistentRead, and the module's data is written once before any test reads it.
#
# Sources of the exact messages (see the report of the change that added this file):
# the DynamoDB API reference and developer guide, DynamoDB Local's error table, dynalite's
# test-suite (written against the real service) and captures quoted by the ScyllaDB Alternator
# and other emulator projects.

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from conftest import (
    B,
    N,
    S,
    all_items,
    assert_client_error,
    assert_validation,
    create_table,
    delete_table_quietly,
    item_bytes,
    put_all,
    read_pages,
    unique_key,
    unique_table_name,
)

ONE_MB = 1024 * 1024
BIG_ITEM_BYTES = 10_000
BIG_ITEM_COUNT = 130          # 1.3 MB in one partition
CAP_ITEM_BYTES = 1_000
CAP_ITEM_COUNT = 10           # 10,000 bytes in one partition

OPS_SK = [i * 10 for i in range(20)]   # 0, 10, ..., 190

# Numbers in increasing numeric order: signs, fractions, 38 digits and extreme exponents.
NUMBERS_IN_ORDER = [
    "-9.9999999999999999999999999999999999999E+125",
    "-1E+100",
    "-12345678901234567890",
    "-100",
    "-10",
    "-9.5",
    "-1",
    "-0.5",
    "-1E-130",
    "0",
    "1E-130",
    "0.000001",
    "0.1",
    "0.12",
    "1",
    "1.0000000000000000000000000000000000001",
    "2",
    "9.99",
    "10",
    "100",
    "1E+20",
    "1E+100",
    "9.9999999999999999999999999999999999999E+125",
]

# Strings whose UTF-8 byte order differs from case-insensitive, locale and UTF-16 order.
STRINGS = [
    "", "A", "Z", "_", "a", "aa", "ab", "b", "z", "~", "\u00e9", "\u00e9a", "\u0100",
    "\u20ac", "\uff21", "\U0001f600", "Ab", "AB", "aB", "0", "9", " ",
]
STRINGS = [s for s in STRINGS if s]   # an empty sort key is not allowed

BINARIES = [
    b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\x7f", b"\x7f\xff", b"\x80", b"\x80\x00",
    b"\xfe", b"\xff", b"\xff\x00", b"\xff\xff", b"a", b"ab", b"abc", b"abd", b"ac",
]


# --- helpers ---------------------------------------------------------------------------------

def kce_params(pk, cond=None, values=None, names=None, **extra):
    """Query parameters for `pk = :pk [AND cond]`."""
    expr = "pk = :pk" if cond is None else f"pk = :pk AND {cond}"
    vals = {":pk": S(pk)}
    vals.update(values or {})
    params = dict(KeyConditionExpression=expr, ExpressionAttributeValues=vals, **extra)
    if names:
        params["ExpressionAttributeNames"] = names
    return params


def query(ddb, table, **params):
    params.setdefault("ConsistentRead", True)
    return ddb.query(TableName=table, **params)


def query_pages(ddb, table, **params):
    """Every page of a Query, following LastEvaluatedKey until it is absent."""
    return read_pages(lambda **p: query(ddb, table, **p), params, max_pages=1000)


def sort_keys(items):
    return [item["sk"] for item in items]


def nums(items, attr="sk"):
    return [Decimal(item[attr]["N"]) for item in items]


def sized_item(pk, sk, total):
    """An item {pk, sk, payload}, all strings, of exactly `total` bytes."""
    fixed = len("pk") + len(pk.encode()) + len("sk") + len(sk.encode()) + len("payload")
    return {"pk": S(pk), "sk": S(sk), "payload": S("x" * (total - fixed))}


def query_error(ddb, table, message, **params):
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, **params)
    assert_validation(e, message)


# --- module data -----------------------------------------------------------------------------

def ops_item(pk, i):
    return {"pk": S(pk), "sk": N(OPS_SK[i]), "av": N(i), "ev": {"BOOL": i % 2 == 0},
            "nm": S(f"n{i:02d}"), "name": S(f"reserved-{i}")}


@pytest.fixture(scope="module")
def ntab(ddb):
    """Hash S + range N table: an `ops` partition, a number-ordering partition, neighbours."""
    name = unique_table_name("q-n")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"}])
    data = {"ops": unique_key("ops"), "num": unique_key("num"),
            "neighbours": [unique_key("nb") for _ in range(4)]}
    items = [ops_item(data["ops"], i) for i in range(len(OPS_SK))]
    # Written in scrambled order: the sort order must come from the keys, not insertion.
    order = list(range(len(NUMBERS_IN_ORDER)))
    order = order[1::2] + order[0::2]
    items += [{"pk": S(data["num"]), "sk": N(NUMBERS_IN_ORDER[i])} for i in order]
    for nb in data["neighbours"]:
        items += [{"pk": S(nb), "sk": N(v), "av": N(-1)} for v in (-5, 0, 50, 100, 500)]
    put_all(ddb, name, items)
    yield name, data
    delete_table_quietly(ddb, name)


@pytest.fixture(scope="module")
def stab(ddb):
    """Hash S + range S table: string ordering, capacity and 1 MB partitions."""
    name = unique_table_name("q-s")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "S"}])
    data = {"str": unique_key("str"), "cap": unique_key("cap"), "big": unique_key("big")}
    items = [{"pk": S(data["str"]), "sk": S(s)} for s in reversed(STRINGS)]
    items += [sized_item(data["cap"], f"c{i:02d}", CAP_ITEM_BYTES) for i in range(CAP_ITEM_COUNT)]
    items += [sized_item(data["big"], f"b{i:04d}", BIG_ITEM_BYTES) for i in range(BIG_ITEM_COUNT)]
    put_all(ddb, name, items)
    yield name, data
    delete_table_quietly(ddb, name)


@pytest.fixture(scope="module")
def btab(ddb):
    """Hash S + range B table with one partition of binary sort keys."""
    name = unique_table_name("q-b")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "B"}])
    pk = unique_key("bin")
    put_all(ddb, name, [{"pk": S(pk), "sk": B(b)} for b in reversed(BINARIES)])
    yield name, pk
    delete_table_quietly(ddb, name)


# --- key conditions --------------------------------------------------------------------------

def test_partition_key_only_returns_whole_partition_in_order(ddb, ntab):
    # `pk = :v` alone returns exactly that partition, in ascending sort-key order.
    table, data = ntab
    resp = query(ddb, table, **kce_params(data["ops"]))
    assert nums(resp["Items"]) == OPS_SK
    assert resp["Count"] == resp["ScannedCount"] == len(OPS_SK)
    assert "LastEvaluatedKey" not in resp
    assert resp["Items"][3] == ops_item(data["ops"], 3)


def test_missing_partition_is_an_empty_result(ddb, ntab):
    # A partition with no items is a 200 with zero items, not an error.
    table, _ = ntab
    resp = query(ddb, table, **kce_params(unique_key("absent")))
    assert resp["Items"] == []
    assert resp["Count"] == resp["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in resp


@pytest.mark.parametrize("cond,values,expected", [
    ("sk = :a", {":a": N(50)}, [50]),
    ("sk = :a", {":a": N(55)}, []),
    ("sk < :a", {":a": N(50)}, [0, 10, 20, 30, 40]),
    ("sk <= :a", {":a": N(50)}, [0, 10, 20, 30, 40, 50]),
    ("sk > :a", {":a": N(150)}, [160, 170, 180, 190]),
    ("sk >= :a", {":a": N(150)}, [150, 160, 170, 180, 190]),
    ("sk BETWEEN :a AND :b", {":a": N(45), ":b": N(100)}, [50, 60, 70, 80, 90, 100]),
    ("sk BETWEEN :a AND :b", {":a": N(50), ":b": N(50)}, [50]),
    ("sk < :a", {":a": N(-1)}, []),
    ("sk > :a", {":a": N("-1E+100")}, OPS_SK),
    ("sk >= :a", {":a": N("99.5")}, [100, 110, 120, 130, 140, 150, 160, 170, 180, 190]),
])
def test_numeric_sort_key_conditions(ddb, ntab, cond, values, expected):
    # Each comparison operator on an N sort key selects exactly the matching range.
    table, data = ntab
    resp = query(ddb, table, **kce_params(data["ops"], cond, values))
    assert nums(resp["Items"]) == expected
    assert resp["Count"] == len(expected)


@pytest.mark.parametrize("expr,expected", [
    (":pk = pk AND :a < sk", [160, 170, 180, 190]),          # operands may be reversed
    ("pk = :pk AND :a >= sk", [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130,
                               140, 150]),
    ("sk > :a AND pk = :pk", [160, 170, 180, 190]),          # any order of the two conditions
    ("(pk = :pk) AND (sk > :a)", [160, 170, 180, 190]),      # one level of parentheses
    ("pk = :pk and sk between :a and :b", [150, 160, 170]),  # keywords are case-insensitive
])
def test_key_condition_forms(ddb, ntab, expr, expected):
    # Reversed operands, swapped order, parentheses and lower-case keywords are all accepted.
    table, data = ntab
    values = {":pk": S(data["ops"]), ":a": N(150)}
    if ":b" in expr:
        values[":b"] = N(170)
    resp = query(ddb, table, KeyConditionExpression=expr, ExpressionAttributeValues=values)
    assert nums(resp["Items"]) == expected


def test_expression_attribute_names_in_key_condition(ddb, ntab):
    # Key attributes can be referenced through #placeholders.
    table, data = ntab
    resp = query(ddb, table, KeyConditionExpression="#p = :p AND #s BETWEEN :lo AND :hi",
                 ExpressionAttributeNames={"#p": "pk", "#s": "sk"},
                 ExpressionAttributeValues={":p": S(data["ops"]), ":lo": N(10), ":hi": N(30)})
    assert nums(resp["Items"]) == [10, 20, 30]


def test_scan_index_forward_false_reverses(ddb, ntab):
    # ScanIndexForward=false returns the same items in descending sort-key order.
    table, data = ntab
    resp = query(ddb, table, ScanIndexForward=False, **kce_params(data["ops"]))
    assert nums(resp["Items"]) == OPS_SK[::-1]
    resp = query(ddb, table, ScanIndexForward=False,
                 **kce_params(data["ops"], "sk BETWEEN :a AND :b", {":a": N(30), ":b": N(60)}))
    assert nums(resp["Items"]) == [60, 50, 40, 30]


def test_numeric_sort_order(ddb, ntab):
    # N sort keys order numerically: negatives, fractions and extreme exponents included.
    table, data = ntab
    resp = query(ddb, table, **kce_params(data["num"]))
    got = nums(resp["Items"])
    assert got == [Decimal(v) for v in NUMBERS_IN_ORDER]
    assert got == sorted(got)
    resp = query(ddb, table, ScanIndexForward=False, **kce_params(data["num"]))
    assert nums(resp["Items"]) == [Decimal(v) for v in reversed(NUMBERS_IN_ORDER)]


def test_numeric_range_across_zero_and_exponents(ddb, ntab):
    # Numeric comparisons are by value, not by text: "-1E-130" < 0 < "1E-130" < "0.000001".
    table, data = ntab
    resp = query(ddb, table, **kce_params(data["num"], "sk BETWEEN :a AND :b",
                                          {":a": N("-1E-130"), ":b": N("0.000001")}))
    assert nums(resp["Items"]) == [Decimal("-1E-130"), 0, Decimal("1E-130"), Decimal("0.000001")]
    resp = query(ddb, table, **kce_params(data["num"], "sk > :a", {":a": N("1E+20")}))
    assert nums(resp["Items"]) == [Decimal("1E+100"),
                                   Decimal("9.9999999999999999999999999999999999999E+125")]


def test_string_sort_order_is_utf8_bytes(ddb, stab):
    # S sort keys order by their UTF-8 bytes: uppercase before lowercase, BMP before emoji.
    table, data = stab
    resp = query(ddb, table, **kce_params(data["str"]))
    expected = sorted(STRINGS, key=lambda s: s.encode("utf-8"))
    assert [i["sk"]["S"] for i in resp["Items"]] == expected
    # U+FF21 sorts before U+1F600 in UTF-8 (EF.. < F0..) although UTF-16 orders them the other way.
    got = [i["sk"]["S"] for i in resp["Items"]]
    assert got.index("\uff21") < got.index("\U0001f600")


@pytest.mark.parametrize("cond,values,predicate", [
    ("sk < :a", {":a": S("a")}, lambda s: s.encode() < b"a"),
    ("sk >= :a", {":a": S("\u00e9")}, lambda s: s.encode() >= "\u00e9".encode()),
    ("sk BETWEEN :a AND :b", {":a": S("A"), ":b": S("a")},
     lambda s: b"A" <= s.encode() <= b"a"),
    ("begins_with(sk, :a)", {":a": S("a")}, lambda s: s.startswith("a")),
    ("begins_with(sk, :a)", {":a": S("A")}, lambda s: s.startswith("A")),
    ("begins_with(sk, :a)", {":a": S("\u00e9")}, lambda s: s.startswith("\u00e9")),
    ("begins_with(sk, :a)", {":a": S("zz")}, lambda s: False),
])
def test_string_sort_key_conditions(ddb, stab, cond, values, predicate):
    # Comparisons and begins_with on an S sort key are byte-wise and case-sensitive.
    table, data = stab
    resp = query(ddb, table, **kce_params(data["str"], cond, values))
    expected = sorted((s for s in STRINGS if predicate(s)), key=lambda s: s.encode())
    assert [i["sk"]["S"] for i in resp["Items"]] == expected


def test_binary_sort_order_is_unsigned_bytes(ddb, btab):
    # B sort keys order as unsigned bytes (0x80 after 0x7f), prefixes first.
    table, pk = btab
    resp = query(ddb, table, **kce_params(pk))
    assert [i["sk"]["B"] for i in resp["Items"]] == sorted(BINARIES)
    resp = query(ddb, table, ScanIndexForward=False, **kce_params(pk))
    assert [i["sk"]["B"] for i in resp["Items"]] == sorted(BINARIES, reverse=True)


@pytest.mark.parametrize("cond,values,predicate", [
    ("sk > :a", {":a": B(b"\x7f")}, lambda b: b > b"\x7f"),
    ("sk <= :a", {":a": B(b"\x7f\xff")}, lambda b: b <= b"\x7f\xff"),
    ("sk BETWEEN :a AND :b", {":a": B(b"\x00\x01"), ":b": B(b"\x80")},
     lambda b: b"\x00\x01" <= b <= b"\x80"),
    ("begins_with(sk, :a)", {":a": B(b"\xff")}, lambda b: b.startswith(b"\xff")),
    ("begins_with(sk, :a)", {":a": B(b"ab")}, lambda b: b.startswith(b"ab")),
    ("begins_with(sk, :a)", {":a": B(b"\x00")}, lambda b: b.startswith(b"\x00")),
])
def test_binary_sort_key_conditions(ddb, btab, cond, values, predicate):
    # Comparisons and begins_with on a B sort key use unsigned byte order.
    table, pk = btab
    resp = query(ddb, table, **kce_params(pk, cond, values))
    assert [i["sk"]["B"] for i in resp["Items"]] == sorted(b for b in BINARIES if predicate(b))


def test_query_on_hash_only_table(ddb, table_s):
    # On a table without a sort key, Query by partition key returns the one item.
    key = unique_key("hq")
    ddb.put_item(TableName=table_s, Item={"pk": S(key), "v": S("x")})
    resp = query(ddb, table_s, **kce_params(key))
    assert resp["Items"] == [{"pk": S(key), "v": S("x")}]
    assert resp["Count"] == 1


# --- Limit, FilterExpression, counts ---------------------------------------------------------

def test_limit_returns_first_items_and_last_evaluated_key(ddb, ntab):
    # Limit caps the items read; LastEvaluatedKey is exactly the primary key of the last one.
    table, data = ntab
    resp = query(ddb, table, Limit=5, **kce_params(data["ops"]))
    assert nums(resp["Items"]) == OPS_SK[:5]
    assert resp["Count"] == resp["ScannedCount"] == 5
    assert resp["LastEvaluatedKey"] == {"pk": S(data["ops"]), "sk": N(40)}


def test_limit_equal_to_remaining_items_still_returns_last_evaluated_key(ddb, ntab):
    # A page that stopped because of Limit has LastEvaluatedKey even when nothing remains;
    # the next page is then empty and has none.
    table, data = ntab
    params = kce_params(data["ops"], "sk >= :a", {":a": N(150)})
    resp = query(ddb, table, Limit=5, **params)
    assert nums(resp["Items"]) == [150, 160, 170, 180, 190]
    assert resp["LastEvaluatedKey"] == {"pk": S(data["ops"]), "sk": N(190)}
    nxt = query(ddb, table, Limit=5, ExclusiveStartKey=resp["LastEvaluatedKey"], **params)
    assert nxt["Items"] == []
    assert nxt["Count"] == nxt["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in nxt


def test_limit_larger_than_result_has_no_last_evaluated_key(ddb, ntab):
    # When the result ends before Limit is reached, there is no LastEvaluatedKey.
    table, data = ntab
    resp = query(ddb, table, Limit=21, **kce_params(data["ops"]))
    assert resp["Count"] == 20
    assert "LastEvaluatedKey" not in resp


def test_filter_expression_count_vs_scanned_count(ddb, ntab):
    # ScannedCount counts items read; Count counts the items that passed the filter.
    table, data = ntab
    resp = query(ddb, table, FilterExpression="ev = :t",
                 **kce_params(data["ops"], values={":t": {"BOOL": True}}))
    assert nums(resp["Items"]) == OPS_SK[0::2]
    assert resp["Count"] == 10
    assert resp["ScannedCount"] == 20


def test_filter_expression_with_names_and_functions(ddb, ntab):
    # Filters use the full condition grammar: placeholders, functions, BETWEEN, IN.
    table, data = ntab
    resp = query(ddb, table,
                 FilterExpression="(#n IN (:a, :b) OR av BETWEEN :lo AND :hi) "
                                  "AND attribute_exists(ev) AND begins_with(nm, :pre)",
                 **kce_params(data["ops"], names={"#n": "name"},
                              values={":a": S("reserved-1"), ":b": S("reserved-4"),
                                      ":lo": N(10), ":hi": N(12), ":pre": S("n")}))
    assert [Decimal(i["av"]["N"]) for i in resp["Items"]] == [1, 4, 10, 11, 12]
    assert resp["ScannedCount"] == 20


def test_limit_counts_items_read_before_the_filter(ddb, ntab):
    # With a filter, Limit bounds the items read: 4 read, only the even ones returned.
    table, data = ntab
    resp = query(ddb, table, Limit=4, FilterExpression="ev = :t",
                 **kce_params(data["ops"], values={":t": {"BOOL": True}}))
    assert nums(resp["Items"]) == [0, 20]
    assert resp["Count"] == 2
    assert resp["ScannedCount"] == 4
    assert resp["LastEvaluatedKey"] == {"pk": S(data["ops"]), "sk": N(30)}


def test_filter_that_matches_nothing_still_pages(ddb, ntab):
    # Pages emptied by the filter still carry LastEvaluatedKey; paging reads everything.
    table, data = ntab
    pages = query_pages(ddb, table, Limit=5, FilterExpression="av < :neg",
                        **kce_params(data["ops"], values={":neg": N(-100)}))
    assert len(pages) == 5   # four full pages read, then an empty final page
    for page in pages[:4]:
        assert page["Items"] == []
        assert page["Count"] == 0
        assert page["ScannedCount"] == 5
        assert "LastEvaluatedKey" in page
    assert pages[4]["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in pages[4]


# --- ProjectionExpression and Select ---------------------------------------------------------

def test_projection_expression_returns_only_named_attributes(ddb, ntab):
    # A projection returns only the listed attributes: key attributes are not added.
    table, data = ntab
    resp = query(ddb, table, ProjectionExpression="av, nm",
                 **kce_params(data["ops"], "sk <= :a", {":a": N(20)}))
    assert resp["Items"] == [{"av": N(i), "nm": S(f"n{i:02d}")} for i in range(3)]


def test_projection_with_attribute_names_and_keys(ddb, ntab):
    # Reserved words are projected through #names; key attributes when named explicitly.
    table, data = ntab
    resp = query(ddb, table, ProjectionExpression="#n, sk",
                 **kce_params(data["ops"], "sk = :a", {":a": N(30)}, names={"#n": "name"}))
    assert resp["Items"] == [{"name": S("reserved-3"), "sk": N(30)}]


def test_projection_of_missing_attribute_returns_empty_items(ddb, ntab):
    # Items that have none of the projected attributes come back as empty maps, still counted.
    table, data = ntab
    resp = query(ddb, table, ProjectionExpression="nosuch",
                 **kce_params(data["ops"], "sk < :a", {":a": N(30)}))
    assert resp["Items"] == [{}, {}, {}]
    assert resp["Count"] == 3


def test_reserved_word_in_projection_is_rejected(ddb, ntab):
    # A reserved word used bare in a projection is a validation error naming the word.
    table, data = ntab
    query_error(ddb, table,
                "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                "reserved keyword: name",
                ProjectionExpression="name", **kce_params(data["ops"]))


def test_select_count(ddb, ntab):
    # Select COUNT returns counts only, no items.
    table, data = ntab
    resp = query(ddb, table, Select="COUNT", **kce_params(data["ops"]))
    assert resp["Count"] == resp["ScannedCount"] == 20
    assert resp.get("Items", []) == []
    resp = query(ddb, table, Select="COUNT", FilterExpression="ev = :f",
                 **kce_params(data["ops"], values={":f": {"BOOL": False}}))
    assert resp["Count"] == 10
    assert resp["ScannedCount"] == 20
    assert resp.get("Items", []) == []


def test_select_count_with_limit_pages(ddb, ntab):
    # Select COUNT with Limit pages like a normal query: each page counts what it read.
    table, data = ntab
    pages = query_pages(ddb, table, Select="COUNT", Limit=7, **kce_params(data["ops"]))
    assert [p["Count"] for p in pages] == [7, 7, 6]
    assert "LastEvaluatedKey" not in pages[-1]


def test_select_all_attributes_is_the_default(ddb, ntab):
    # Select ALL_ATTRIBUTES returns whole items, the same as no Select.
    table, data = ntab
    params = kce_params(data["ops"], "sk = :a", {":a": N(70)})
    assert query(ddb, table, Select="ALL_ATTRIBUTES", **params)["Items"] == \
        query(ddb, table, **params)["Items"] == [ops_item(data["ops"], 7)]


def test_select_specific_attributes_with_projection(ddb, ntab):
    # Select SPECIFIC_ATTRIBUTES together with a ProjectionExpression behaves like the projection.
    table, data = ntab
    resp = query(ddb, table, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="pk, av",
                 **kce_params(data["ops"], "sk = :a", {":a": N(70)}))
    assert resp["Items"] == [{"pk": S(data["ops"]), "av": N(7)}]


# --- paging ----------------------------------------------------------------------------------

def test_exclusive_start_key_continues_after_the_key(ddb, ntab):
    # ExclusiveStartKey resumes strictly after the given key.
    table, data = ntab
    first = query(ddb, table, Limit=3, **kce_params(data["ops"]))
    second = query(ddb, table, Limit=3, ExclusiveStartKey=first["LastEvaluatedKey"],
                   **kce_params(data["ops"]))
    assert nums(second["Items"]) == [30, 40, 50]
    assert second["LastEvaluatedKey"] == {"pk": S(data["ops"]), "sk": N(50)}


def test_exclusive_start_key_need_not_be_an_existing_item(ddb, ntab):
    # A start key is a position: a key between two items resumes at the next one.
    table, data = ntab
    resp = query(ddb, table, Limit=2,
                 ExclusiveStartKey={"pk": S(data["ops"]), "sk": N(55)},
                 **kce_params(data["ops"]))
    assert nums(resp["Items"]) == [60, 70]


def test_reverse_paging_with_start_keys(ddb, ntab):
    # Paging backwards with Limit walks the partition in descending order, no gaps or repeats.
    table, data = ntab
    pages = query_pages(ddb, table, Limit=3, ScanIndexForward=False, **kce_params(data["ops"]))
    assert nums(all_items(pages)) == OPS_SK[::-1]
    assert pages[0]["LastEvaluatedKey"] == {"pk": S(data["ops"]), "sk": N(170)}
    resp = query(ddb, table, Limit=2, ScanIndexForward=False,
                 ExclusiveStartKey={"pk": S(data["ops"]), "sk": N(100)},
                 **kce_params(data["ops"]))
    assert nums(resp["Items"]) == [90, 80]


def test_limit_one_walks_every_item_exactly_once(ddb, ntab):
    # Limit 1 paging visits every item once, in order, then ends with an empty page.
    table, data = ntab
    pages = query_pages(ddb, table, Limit=1, **kce_params(data["ops"]))
    assert nums(all_items(pages)) == OPS_SK
    assert [p["Count"] for p in pages] == [1] * 20 + [0]


def test_paging_with_a_range_condition(ddb, ntab):
    # Paging respects the sort-key condition on every page.
    table, data = ntab
    pages = query_pages(ddb, table, Limit=4,
                        **kce_params(data["ops"], "sk BETWEEN :a AND :b",
                                     {":a": N(25), ":b": N(125)}))
    assert nums(all_items(pages)) == [30, 40, 50, 60, 70, 80, 90, 100, 110, 120]


def test_binary_last_evaluated_key_round_trips(ddb, btab):
    # A binary LastEvaluatedKey can be passed back as ExclusiveStartKey.
    table, pk = btab
    pages = query_pages(ddb, table, Limit=4, **kce_params(pk))
    assert [i["sk"]["B"] for i in all_items(pages)] == sorted(BINARIES)
    assert isinstance(pages[0]["LastEvaluatedKey"]["sk"]["B"], bytes)


# --- the 1 MB page limit ---------------------------------------------------------------------

def test_one_megabyte_page_limit(ddb, stab):
    # A page stops after 1 MB of items read, with LastEvaluatedKey; paging returns every item.
    table, data = stab
    first = query(ddb, table, **kce_params(data["big"]))
    assert "LastEvaluatedKey" in first
    assert 50 <= first["Count"] < BIG_ITEM_COUNT
    assert sum(item_bytes(i) for i in first["Items"]) <= ONE_MB + BIG_ITEM_BYTES
    pages = query_pages(ddb, table, **kce_params(data["big"]))
    assert len(pages) >= 2
    got = [i["sk"]["S"] for i in all_items(pages)]
    assert got == [f"b{i:04d}" for i in range(BIG_ITEM_COUNT)]


def test_one_megabyte_is_measured_before_filter_and_projection(ddb, stab):
    # The 1 MB limit counts items read, so a filter that drops everything stops at the same place.
    table, data = stab
    plain = query(ddb, table, **kce_params(data["big"]))
    filtered = query(ddb, table, FilterExpression="payload = :no", ProjectionExpression="sk",
                     **kce_params(data["big"], values={":no": S("no such payload")}))
    assert filtered["Count"] == 0
    assert filtered["ScannedCount"] == plain["Count"]
    assert filtered["LastEvaluatedKey"] == plain["LastEvaluatedKey"]
    counted = query(ddb, table, Select="COUNT", **kce_params(data["big"]))
    assert counted["ScannedCount"] == plain["Count"]
    assert counted["LastEvaluatedKey"] == plain["LastEvaluatedKey"]


def test_one_megabyte_wins_over_a_larger_limit(ddb, stab):
    # A Limit above what fits in 1 MB still gets a 1 MB page.
    table, data = stab
    plain = query(ddb, table, **kce_params(data["big"]))
    limited = query(ddb, table, Limit=BIG_ITEM_COUNT - 5, **kce_params(data["big"]))
    assert limited["Count"] == plain["Count"] < BIG_ITEM_COUNT - 5
    assert "LastEvaluatedKey" in limited


def test_one_megabyte_paging_backwards(ddb, stab):
    # Reverse paging over more than 1 MB also returns every item exactly once.
    table, data = stab
    pages = query_pages(ddb, table, ScanIndexForward=False, **kce_params(data["big"]))
    assert len(pages) >= 2
    got = [i["sk"]["S"] for i in all_items(pages)]
    assert got == [f"b{i:04d}" for i in reversed(range(BIG_ITEM_COUNT))]


# --- ConsistentRead and ReturnConsumedCapacity -----------------------------------------------

def test_consistent_read_on_a_table(ddb, ntab):
    # ConsistentRead true and false are both accepted on a base table.
    table, data = ntab
    assert query(ddb, table, ConsistentRead=True, **kce_params(data["ops"]))["Count"] == 20
    assert ddb.query(TableName=table, ConsistentRead=False,
                     **kce_params(data["ops"]))["Count"] in range(0, 21)


def test_consumed_capacity_is_total_size_rounded_to_4kb(ddb, stab):
    # "Read consumption for Query": item sizes are summed, then rounded up to 4 KB units;
    # 10 items of 1,000 bytes = 10,000 bytes -> 3 units, half when eventually consistent.
    table, data = stab
    resp = query(ddb, table, ReturnConsumedCapacity="TOTAL", **kce_params(data["cap"]))
    assert resp["Count"] == CAP_ITEM_COUNT
    assert sum(item_bytes(i) for i in resp["Items"]) == CAP_ITEM_COUNT * CAP_ITEM_BYTES
    cc = resp["ConsumedCapacity"]
    assert cc["TableName"] == table
    assert cc["CapacityUnits"] == 3.0
    resp = ddb.query(TableName=table, ConsistentRead=False, ReturnConsumedCapacity="TOTAL",
                     **kce_params(data["cap"]))
    if resp["Count"] == CAP_ITEM_COUNT:   # an eventually consistent read saw every item
        assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.5


def test_consumed_capacity_counts_items_read_not_returned(ddb, stab):
    # A filter or projection does not reduce the capacity consumed; Limit does.
    table, data = stab
    resp = query(ddb, table, ReturnConsumedCapacity="TOTAL", FilterExpression="payload = :no",
                 ProjectionExpression="sk",
                 **kce_params(data["cap"], values={":no": S("nothing")}))
    assert resp["Count"] == 0
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 3.0
    resp = query(ddb, table, ReturnConsumedCapacity="TOTAL", Limit=4, **kce_params(data["cap"]))
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0   # 4,000 bytes -> one 4 KB unit


def test_no_consumed_capacity_unless_asked(ddb, stab):
    # ConsumedCapacity is only returned when ReturnConsumedCapacity asks for it.
    table, data = stab
    assert "ConsumedCapacity" not in query(ddb, table, **kce_params(data["cap"]))
    assert "ConsumedCapacity" not in query(ddb, table, ReturnConsumedCapacity="NONE",
                                           **kce_params(data["cap"]))


# --- validation errors -----------------------------------------------------------------------

def test_missing_key_condition(ddb, ntab):
    # A Query needs KeyConditionExpression (or the legacy KeyConditions).
    table, _ = ntab
    query_error(ddb, table,
                "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request.")


def test_empty_key_condition(ddb, ntab):
    # An empty KeyConditionExpression is rejected like any empty expression.
    table, _ = ntab
    query_error(ddb, table, "Invalid KeyConditionExpression: The expression can not be empty;",
                KeyConditionExpression="")


def test_condition_on_sort_key_only(ddb, ntab):
    # The partition key must be in the key condition.
    table, _ = ntab
    query_error(ddb, table, "Query condition missed key schema element: pk",
                KeyConditionExpression="sk = :v", ExpressionAttributeValues={":v": N(1)})


def test_condition_on_non_key_attribute_only(ddb, ntab):
    # A condition on a non-key attribute alone misses the partition key.
    table, _ = ntab
    query_error(ddb, table, "Query condition missed key schema element: pk",
                KeyConditionExpression="av = :v", ExpressionAttributeValues={":v": N(1)})


def test_condition_on_partition_and_non_key_attribute(ddb, ntab):
    # With the partition key present, a second condition must be on the sort key.
    table, data = ntab
    query_error(ddb, table, "Query condition missed key schema element: sk",
                **kce_params(data["ops"], "av = :v", {":v": N(1)}))


@pytest.mark.parametrize("expr,values,operator", [
    ("pk = :pk OR sk = :v", {":v": N(1)}, "OR"),
    ("pk = :pk AND sk <> :v", {":v": N(1)}, "<>"),
    ("pk = :pk AND NOT sk = :v", {":v": N(1)}, "NOT"),
    ("pk = :pk AND sk IN (:v)", {":v": N(1)}, "IN"),
    ("pk = :pk AND attribute_exists(sk)", {}, "attribute_exists"),
    ("pk = :pk AND attribute_not_exists(sk)", {}, "attribute_not_exists"),
    ("pk = :pk AND contains(sk, :v)", {":v": N(1)}, "contains"),
])
def test_operator_not_allowed_in_key_condition(ddb, ntab, expr, values, operator):
    # Operators and functions other than =, <, <=, >, >=, BETWEEN, AND and begins_with are refused.
    table, data = ntab
    query_error(ddb, table, f"Invalid operator used in KeyConditionExpression: {operator}",
                KeyConditionExpression=expr,
                ExpressionAttributeValues=dict(values, **{":pk": S(data["ops"])}))


def test_unknown_function_in_key_condition(ddb, ntab):
    # An unknown function name is reported as such.
    table, data = ntab
    query_error(ddb, table, "Invalid KeyConditionExpression: Invalid function name; function: dog",
                **kce_params(data["ops"], "dog(sk, :v)", {":v": N(1)}))


def test_two_conditions_on_the_sort_key(ddb, ntab):
    # Each key attribute may appear in one condition only (that is what BETWEEN is for).
    table, data = ntab
    query_error(ddb, table, "KeyConditionExpressions must only contain one condition per key",
                **kce_params(data["ops"], "sk > :a AND sk < :b", {":a": N(1), ":b": N(9)}))
    query_error(ddb, table, "KeyConditionExpressions must only contain one condition per key",
                KeyConditionExpression="pk = :pk AND pk = :pk",
                ExpressionAttributeValues={":pk": S(data["ops"])})


@pytest.mark.parametrize("expr", [
    "pk < :pk",
    "pk >= :pk",
    "begins_with(pk, :pk)",
    "pk BETWEEN :pk AND :pk",
])
def test_partition_key_needs_equality(ddb, ntab, expr):
    # The partition key can only be compared with "=".
    table, data = ntab
    query_error(ddb, table, "Query key condition not supported",
                KeyConditionExpression=expr, ExpressionAttributeValues={":pk": S(data["ops"])})


def test_nested_attribute_in_key_condition(ddb, ntab):
    # Key conditions cannot address nested paths.
    table, data = ntab
    query_error(ddb, table, "KeyConditionExpressions cannot have conditions on nested attributes",
                **kce_params(data["ops"], "sk.x > :v", {":v": N(1)}))


@pytest.mark.parametrize("expr,values", [
    ("pk = :bad", {":bad": N(1)}),
    ("pk = :pk AND sk = :bad", {":bad": S("1")}),
    ("pk = :pk AND sk BETWEEN :bad AND :bad", {":bad": S("1")}),
])
def test_key_value_of_the_wrong_type(ddb, ntab, expr, values):
    # A key compared with a value of another type than the schema's is rejected.
    table, data = ntab
    vals = dict(values)
    if ":pk" in expr:
        vals[":pk"] = S(data["ops"])
    query_error(ddb, table,
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type",
                KeyConditionExpression=expr, ExpressionAttributeValues=vals)


def test_begins_with_on_a_numeric_sort_key(ddb, ntab):
    # begins_with takes strings or binaries only; a number operand is refused.
    table, data = ntab
    query_error(ddb, table,
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                "operator or function: begins_with, operand type: N",
                **kce_params(data["ops"], "begins_with(sk, :v)", {":v": N(1)}))


def test_between_bounds_in_wrong_order(ddb, ntab):
    # BETWEEN needs lower <= upper; the message shows both operands.
    table, data = ntab
    query_error(ddb, table,
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                "greater than or equal to lower bound; lower bound operand: AttributeValue: {N:20}, "
                "upper bound operand: AttributeValue: {N:10}",
                **kce_params(data["ops"], "sk BETWEEN :a AND :b", {":a": N(20), ":b": N(10)}))


def test_key_condition_syntax_error(ddb, ntab):
    # Syntax errors quote the token and the text around it, as for other expressions.
    table, data = ntab
    query_error(ddb, table,
                'Invalid KeyConditionExpression: Syntax error; token: "=", near: "== :pk"',
                KeyConditionExpression="pk == :pk",
                ExpressionAttributeValues={":pk": S(data["ops"])})


def test_undefined_and_unused_placeholders(ddb, ntab):
    # Every placeholder must be defined, and every defined one must be used.
    table, data = ntab
    query_error(ddb, table,
                "Invalid KeyConditionExpression: An expression attribute value used in expression "
                "is not defined; attribute value: :missing",
                KeyConditionExpression="pk = :missing")
    query_error(ddb, table,
                "Value provided in ExpressionAttributeValues unused in expressions: "
                "keys: {:unused}",
                **kce_params(data["ops"], values={":unused": N(1)}))
    query_error(ddb, table,
                "Invalid KeyConditionExpression: An expression attribute name used in the "
                "document path is not defined; attribute name: #missing",
                KeyConditionExpression="#missing = :pk",
                ExpressionAttributeValues={":pk": S(data["ops"])})
    query_error(ddb, table,
                "Value provided in ExpressionAttributeNames unused in expressions: "
                "keys: {#unused}",
                **kce_params(data["ops"], names={"#unused": "av"}))


def test_select_count_with_projection(ddb, ntab):
    # COUNT returns no attributes, so a projection contradicts it.
    table, data = ntab
    query_error(ddb, table,
                "Cannot specify the ProjectionExpression when choosing to get only the Count",
                Select="COUNT", ProjectionExpression="av", **kce_params(data["ops"]))


def test_select_all_attributes_with_projection(ddb, ntab):
    # A projection is only compatible with SPECIFIC_ATTRIBUTES.
    table, data = ntab
    query_error(ddb, table,
                "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
                Select="ALL_ATTRIBUTES", ProjectionExpression="av", **kce_params(data["ops"]))


def test_select_specific_attributes_without_projection(ddb, ntab):
    # SPECIFIC_ATTRIBUTES needs the attributes to be named.
    table, data = ntab
    query_error(ddb, table,
                "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                "SPECIFIC_ATTRIBUTES",
                Select="SPECIFIC_ATTRIBUTES", **kce_params(data["ops"]))


def test_select_all_projected_attributes_without_index(ddb, ntab):
    # ALL_PROJECTED_ATTRIBUTES only makes sense on an index.
    table, data = ntab
    query_error(ddb, table,
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
                Select="ALL_PROJECTED_ATTRIBUTES", **kce_params(data["ops"]))


def test_select_unknown_value(ddb, ntab):
    # Select is an enum; its constraint message lists the allowed values.
    table, data = ntab
    query_error(ddb, table,
                "Value 'EVERYTHING' at 'select' failed to satisfy constraint: Member must satisfy "
                "enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                "ALL_PROJECTED_ATTRIBUTES]",
                Select="EVERYTHING", **kce_params(data["ops"]))


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_below_one(ddb, ntab, limit):
    # Limit must be at least 1 (a constraint error in the AWS validation format).
    table, data = ntab
    query_error(ddb, table,
                f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value "
                "greater than or equal to 1",
                Limit=limit, **kce_params(data["ops"]))


@pytest.mark.parametrize("start", [
    {"pk": "OPS"},                                   # sort key missing
    {"pk": "OPS", "sk": N(1), "av": N(1)},           # an attribute too many
    {"sk": N(1)},                                    # partition key missing
])
def test_exclusive_start_key_not_matching_the_schema(ddb, ntab, start):
    # A start key must have exactly the table's key attributes.
    table, data = ntab
    start = {k: (S(data["ops"]) if v == "OPS" else v) for k, v in start.items()}
    query_error(ddb, table, "The provided starting key is invalid",
                ExclusiveStartKey=start, **kce_params(data["ops"]))


def test_exclusive_start_key_outside_the_partition(ddb, ntab):
    # A start key in another partition than the key condition's is refused.
    table, data = ntab
    query_error(ddb, table,
                "The provided starting key is outside query boundaries based on provided "
                "conditions",
                ExclusiveStartKey={"pk": S(data["neighbours"][0]), "sk": N(0)},
                **kce_params(data["ops"]))


def test_query_unknown_table(ddb):
    # Querying a table that does not exist is ResourceNotFoundException.
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=unique_table_name("missing"),
                  KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("x")})
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")


@pytest.mark.parametrize("filt,attr", [
    ("sk > :v", "sk"),
    ("pk = :v2", "pk"),
    ("av > :v AND sk < :v", "sk"),
])
def test_filter_on_a_key_attribute(ddb, ntab, filt, attr):
    # A Query's filter may not use the table's key attributes (the key condition does that).
    table, data = ntab
    values = {":v2": S("x")} if ":v2" in filt else {":v": N(1)}
    query_error(ddb, table,
                "Filter Expression can only contain non-primary key attributes: "
                f"Primary key attribute: {attr}",
                FilterExpression=filt, **kce_params(data["ops"], values=values))


def test_failed_query_validation_has_no_side_effects(ddb, ntab):
    # After rejected queries the data reads back unchanged (validation happens before reading).
    table, data = ntab
    with pytest.raises(ClientError):
        ddb.query(TableName=table, Limit=0, **kce_params(data["ops"]))
    assert nums(query(ddb, table, **kce_params(data["ops"]))["Items"]) == OPS_SK
