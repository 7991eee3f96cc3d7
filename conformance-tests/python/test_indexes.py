# Secondary indexes: CreateTable/DescribeTable with GSIs and LSIs and their validation, Query
# and Scan on indexes (ordering, sparseness, projections, Select, ConsistentRead, paging keys),
# index maintenance on every kind of write, type checks of index keys, and index/table agreement
# under concurrent updates.
#
# Every test would pass against Amazon DynamoDB: GSI reads are eventually consistent there, so a
# GSI read that must observe a write is retried for a short while (`until`); LSI reads use
# ConsistentRead, which LSIs support.

import re
import threading
import time
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from conftest import (
    N,
    S,
    assert_conditional_failed,
    assert_validation,
    delete_table_quietly,
    strip_envelope,
    unique_key,
    unique_table_name,
    wait_for_active,
)

INVALID = "One or more parameter values were invalid: "

KEYS_HR = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
KEYS_H = [{"AttributeName": "pk", "KeyType": "HASH"}]


def attr_defs(**types):
    return [{"AttributeName": k, "AttributeType": v} for k, v in types.items()]


def key_schema(hash_key, range_key=None):
    ks = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        ks.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return ks


def gsi(name, hash_key, range_key=None, projection="ALL", non_key=None, throughput=None):
    proj = {"ProjectionType": projection}
    if non_key is not None:
        proj["NonKeyAttributes"] = non_key
    index = {"IndexName": name, "KeySchema": key_schema(hash_key, range_key), "Projection": proj}
    if throughput:
        index["ProvisionedThroughput"] = {"ReadCapacityUnits": throughput[0],
                                          "WriteCapacityUnits": throughput[1]}
    return index


def lsi(name, range_key, projection="ALL", non_key=None, hash_key="pk"):
    index = gsi(name, hash_key, range_key, projection, non_key)
    return index


MAIN_GSIS = [
    gsi("by_gsi", "gpk", "gsk", "ALL"),
    gsi("by_gpk", "gpk", None, "KEYS_ONLY"),
    gsi("by_incl", "gpk", "gsk", "INCLUDE", ["a", "b"]),
]
MAIN_LSIS = [lsi("by_lsk", "lsk", "KEYS_ONLY")]


# --- helpers ---------------------------------------------------------------------------------

def wait_for_indexes_active(ddb, name, timeout=600.0):
    """DynamoDB may report the table ACTIVE before its GSIs are; wait for both."""
    deadline = time.monotonic() + timeout
    while True:
        desc = wait_for_active(ddb, name)
        if all(g.get("IndexStatus") == "ACTIVE" for g in desc.get("GlobalSecondaryIndexes", [])):
            return desc
        if time.monotonic() > deadline:
            raise AssertionError(f"indexes of {name} not ACTIVE after {timeout}s")
        time.sleep(0.5)


def until(fn, pred, timeout=20.0):
    """Calls fn until pred(result) holds (GSIs are eventually consistent) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if pred(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def pages_of(call, **params):
    pages = []
    while True:
        resp = call(**params)
        pages.append(resp)
        if "LastEvaluatedKey" not in resp:
            return pages
        params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        assert len(pages) < 1000


def items_of(pages):
    return [i for p in pages for i in p.get("Items", [])]


def gsi_query(ddb, table, index, gpk, cond=None, values=None, **extra):
    """Every item of a GSI query on gpk = :g [AND cond] (eventually consistent)."""
    expr = "gpk = :g" if cond is None else f"gpk = :g AND {cond}"
    vals = {":g": S(gpk)}
    vals.update(values or {})
    return items_of(pages_of(ddb.query, TableName=table, IndexName=index,
                             KeyConditionExpression=expr, ExpressionAttributeValues=vals,
                             **extra))


def lsi_query(ddb, table, pk, cond=None, values=None, **extra):
    """Every item of an LSI (by_lsk) query on pk = :p [AND cond], strongly consistent."""
    expr = "pk = :p" if cond is None else f"pk = :p AND {cond}"
    vals = {":p": S(pk)}
    vals.update(values or {})
    return items_of(pages_of(ddb.query, TableName=table, IndexName="by_lsk",
                             KeyConditionExpression=expr, ExpressionAttributeValues=vals,
                             ConsistentRead=True, **extra))


def pks(items):
    return [i["pk"]["S"] for i in items]


def put(ddb, table, pk, sk=0, **attrs):
    item = {"pk": S(pk), "sk": N(sk)}
    item.update(attrs)
    ddb.put_item(TableName=table, Item=item)
    return item


def create_fails(ddb, message=None, **params):
    """CreateTable is rejected (with exactly `message` if given) and leaves no table behind."""
    name = unique_table_name("bad-idx")
    params = dict(TableName=name, **params)
    if "ProvisionedThroughput" not in params and "BillingMode" not in params:
        params["BillingMode"] = "PAY_PER_REQUEST"
    try:
        with pytest.raises(ClientError) as e:
            ddb.create_table(**params)
    finally:
        try:
            ddb.describe_table(TableName=name)
            created = True
        except ClientError:
            created = False
        if created:   # clean up a table that should never have been made
            wait_for_active(ddb, name)
            delete_table_quietly(ddb, name)
    assert not created, "a rejected CreateTable left a table behind"
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    if message is not None:
        assert_validation(e, message)
    return strip_envelope(err["Message"])


def parse_name_list(text):
    return sorted(x.strip() for x in text.split(",")) if text.strip() else []


# --- module tables ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def itab(ddb):
    """pk S + sk N table with GSIs by_gsi (ALL), by_gpk (KEYS_ONLY, hash only), by_incl
    (INCLUDE a, b) on gpk S / gsk N and an LSI by_lsk (KEYS_ONLY) on lsk S. Tests use unique
    gpk values and partition keys, so they never see each other's items."""
    name = unique_table_name("idx")
    created = ddb.create_table(
        TableName=name, KeySchema=KEYS_HR, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attr_defs(pk="S", sk="N", gpk="S", gsk="N", lsk="S"),
        GlobalSecondaryIndexes=MAIN_GSIS, LocalSecondaryIndexes=MAIN_LSIS)
    wait_for_indexes_active(ddb, name)
    yield name, created["TableDescription"]
    delete_table_quietly(ddb, name)


@pytest.fixture(scope="module")
def typed(ddb):
    """pk S table with one GSI by_gsi on gsi_pk S, for index-key type checks."""
    name = unique_table_name("idx-typed")
    ddb.create_table(TableName=name, KeySchema=KEYS_H, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=attr_defs(pk="S", gsi_pk="S"),
                     GlobalSecondaryIndexes=[gsi("by_gsi", "gsi_pk")])
    wait_for_indexes_active(ddb, name)
    yield name
    delete_table_quietly(ddb, name)


# --- CreateTable / DescribeTable -------------------------------------------------------------

def test_create_table_response_describes_indexes(itab):
    # The CreateTable answer already lists the indexes with their schema and projection.
    _, td = itab
    gsis = {g["IndexName"]: g for g in td["GlobalSecondaryIndexes"]}
    assert set(gsis) == {"by_gsi", "by_gpk", "by_incl"}
    for g in MAIN_GSIS:
        assert gsis[g["IndexName"]]["KeySchema"] == g["KeySchema"]
        assert gsis[g["IndexName"]]["IndexStatus"] in ("CREATING", "ACTIVE")
    lsis = {x["IndexName"]: x for x in td["LocalSecondaryIndexes"]}
    assert set(lsis) == {"by_lsk"}
    assert lsis["by_lsk"]["KeySchema"] == MAIN_LSIS[0]["KeySchema"]


def test_describe_table_global_secondary_indexes(ddb, itab):
    # DescribeTable shows every GSI: name, keys, projection, ACTIVE status, ARN, counts.
    table, _ = itab
    desc = ddb.describe_table(TableName=table)["Table"]
    gsis = {g["IndexName"]: g for g in desc["GlobalSecondaryIndexes"]}
    assert set(gsis) == {g["IndexName"] for g in MAIN_GSIS}
    for want in MAIN_GSIS:
        got = gsis[want["IndexName"]]
        assert got["KeySchema"] == want["KeySchema"]
        assert got["Projection"]["ProjectionType"] == want["Projection"]["ProjectionType"]
        assert sorted(got["Projection"].get("NonKeyAttributes", [])) == \
            sorted(want["Projection"].get("NonKeyAttributes", []))
        assert got["IndexStatus"] == "ACTIVE"
        assert got["IndexArn"] == desc["TableArn"] + "/index/" + want["IndexName"]
        assert isinstance(got["ItemCount"], int) and got["ItemCount"] >= 0
        assert isinstance(got["IndexSizeBytes"], int) and got["IndexSizeBytes"] >= 0
        # On-demand tables report zero provisioned capacity for their GSIs.
        assert got["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
        assert got["ProvisionedThroughput"]["WriteCapacityUnits"] == 0
    assert "NonKeyAttributes" not in gsis["by_gsi"]["Projection"]


def test_describe_table_local_secondary_indexes(ddb, itab):
    # DescribeTable shows every LSI: name, keys, projection, ARN, counts (LSIs have no status).
    table, _ = itab
    desc = ddb.describe_table(TableName=table)["Table"]
    lsis = desc["LocalSecondaryIndexes"]
    assert len(lsis) == 1
    got = lsis[0]
    assert got["IndexName"] == "by_lsk"
    assert got["KeySchema"] == MAIN_LSIS[0]["KeySchema"]
    assert got["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert got["IndexArn"] == desc["TableArn"] + "/index/by_lsk"
    assert isinstance(got["ItemCount"], int) and got["ItemCount"] >= 0
    assert isinstance(got["IndexSizeBytes"], int) and got["IndexSizeBytes"] >= 0
    assert "IndexStatus" not in got
    assert sorted(desc["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == \
        sorted(attr_defs(pk="S", sk="N", gpk="S", gsk="N", lsk="S"),
               key=lambda a: a["AttributeName"])


def test_describe_table_without_indexes_has_no_index_lists(ddb, table_s):
    # A table without indexes has neither GlobalSecondaryIndexes nor LocalSecondaryIndexes.
    desc = ddb.describe_table(TableName=table_s)["Table"]
    assert "GlobalSecondaryIndexes" not in desc
    assert "LocalSecondaryIndexes" not in desc


def test_create_provisioned_table_with_gsi_throughput(ddb, new_table):
    # Under PROVISIONED each GSI carries its own throughput, echoed by DescribeTable.
    table = new_table(
        KEYS_H, attr_defs(pk="S", g="N"), tag="idx-prov",
        ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        GlobalSecondaryIndexes=[gsi("g_idx", "g", throughput=(4, 5))])
    desc = wait_for_indexes_active(ddb, table)
    g = desc["GlobalSecondaryIndexes"][0]
    assert g["IndexName"] == "g_idx"
    assert g["KeySchema"] == key_schema("g")
    assert g["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    assert g["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 2


def test_index_name_limits_accepted(ddb, new_table):
    # Index names of 3 and of 255 characters from [a-zA-Z0-9_.-] are accepted.
    long_name = "L" * 250 + "_.-09"
    table = new_table(KEYS_HR, attr_defs(pk="S", sk="S", x="S"), tag="idx-names",
                      GlobalSecondaryIndexes=[gsi("a.-", "x")],
                      LocalSecondaryIndexes=[lsi(long_name, "x", "KEYS_ONLY")])
    desc = wait_for_indexes_active(ddb, table)
    assert [g["IndexName"] for g in desc["GlobalSecondaryIndexes"]] == ["a.-"]
    assert [x["IndexName"] for x in desc["LocalSecondaryIndexes"]] == [long_name]


def test_gsi_may_reuse_the_table_key(ddb, new_table):
    # A GSI may use the table's own key attributes, in any role.
    table = new_table(KEYS_HR, attr_defs(pk="S", sk="N"), tag="idx-reuse",
                      GlobalSecondaryIndexes=[gsi("by_sk", "sk", "pk", "KEYS_ONLY")])
    wait_for_indexes_active(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": S("a"), "sk": N(7), "v": S("x")})
    got = until(lambda: ddb.query(TableName=table, IndexName="by_sk",
                                  KeyConditionExpression="sk = :s",
                                  ExpressionAttributeValues={":s": N(7)})["Items"],
                lambda items: len(items) == 1)
    assert got == [{"pk": S("a"), "sk": N(7)}]


# --- CreateTable validation ------------------------------------------------------------------

def test_unused_attribute_definition_without_indexes(ddb):
    # Without indexes every AttributeDefinition must be a table key attribute.
    create_fails(ddb, INVALID + "Number of attributes in KeySchema does not exactly match number "
                                "of attributes defined in AttributeDefinitions",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="N", extra="S"))


def test_unused_attribute_definition_with_indexes(ddb):
    # With indexes the message lists the definitions and the keys used (in no promised order).
    msg = create_fails(ddb, KeySchema=KEYS_H,
                       AttributeDefinitions=attr_defs(pk="S", g="S", extra="N"),
                       GlobalSecondaryIndexes=[gsi("g_idx", "g")])
    m = re.fullmatch(re.escape(INVALID) + r"Some AttributeDefinitions are not used\. "
                     r"AttributeDefinitions: \[(.*)\], keys used: \[(.*)\]", msg)
    assert m, msg
    assert parse_name_list(m.group(1)) == ["extra", "g", "pk"]
    assert parse_name_list(m.group(2)) == ["g", "pk"]


def test_index_key_attribute_not_defined(ddb):
    # Every index key attribute needs an AttributeDefinition.
    create_fails(ddb, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                                "Keys: [gx], AttributeDefinitions: [pk]",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S"),
                 GlobalSecondaryIndexes=[gsi("g_idx", "gx")])


def test_duplicate_gsi_names(ddb):
    # Index names are unique within a table.
    create_fails(ddb, INVALID + "Duplicate index name: dup",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 GlobalSecondaryIndexes=[gsi("dup", "g"), gsi("dup", "g", projection="KEYS_ONLY")])


def test_duplicate_name_between_gsi_and_lsi(ddb):
    # A GSI and an LSI cannot share a name either.
    create_fails(ddb, INVALID + "Duplicate index name: dup",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S", x="S"),
                 GlobalSecondaryIndexes=[gsi("dup", "x")],
                 LocalSecondaryIndexes=[lsi("dup", "x")])


def test_lsi_on_hash_only_table(ddb):
    # An LSI needs a table with a sort key.
    create_fails(ddb, INVALID + "Table KeySchema does not have a range key, which is required when "
                                "specifying a LocalSecondaryIndex",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", x="S"),
                 LocalSecondaryIndexes=[lsi("l_idx", "x")])


def test_lsi_with_a_different_partition_key(ddb):
    # An LSI shares the table's partition key.
    create_fails(ddb, INVALID + "Index KeySchema does not have the same leading hash key as table "
                                "KeySchema for index: l_idx. index hash key: x, table hash key: pk",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S", x="S"),
                 LocalSecondaryIndexes=[lsi("l_idx", "sk", hash_key="x")])


def test_lsi_without_a_range_key(ddb):
    # An LSI's key schema has a sort key.
    create_fails(ddb, INVALID + "Index KeySchema does not have a range key for index: l_idx",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S"),
                 LocalSecondaryIndexes=[{"IndexName": "l_idx", "KeySchema": key_schema("pk"),
                                         "Projection": {"ProjectionType": "ALL"}}])


def test_more_than_five_lsis(ddb):
    # A table has at most 5 LSIs.
    create_fails(ddb, INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S"),
                 LocalSecondaryIndexes=[lsi(f"l{i}_idx", "sk") for i in range(6)])


def test_more_than_twenty_gsis(ddb):
    # A table has at most 20 GSIs.
    create_fails(ddb, INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S"),
                 GlobalSecondaryIndexes=[gsi(f"g{i:02d}", "pk") for i in range(21)])


@pytest.mark.parametrize("kind", ["ALL", "KEYS_ONLY"])
def test_non_key_attributes_with_all_or_keys_only(ddb, kind):
    # NonKeyAttributes only go with INCLUDE.
    create_fails(ddb, INVALID + f"ProjectionType is {kind}, but NonKeyAttributes is specified",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 GlobalSecondaryIndexes=[gsi("g_idx", "g", projection=kind, non_key=["a"])])


def test_include_without_non_key_attributes(ddb):
    # INCLUDE needs its NonKeyAttributes.
    create_fails(ddb, INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 GlobalSecondaryIndexes=[gsi("g_idx", "g", projection="INCLUDE")])


def test_more_than_100_projected_attributes_in_total(ddb):
    # At most 100 NonKeyAttributes across all of a table's indexes (each index lists <= 20).
    create_fails(ddb, KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S"),
                 GlobalSecondaryIndexes=[
                     gsi(f"g{i}_idx", "pk", projection="INCLUDE",
                         non_key=[f"attr_{i}_{j}" for j in range(17)]) for i in range(6)])


@pytest.mark.parametrize("name,constraint", [
    ("ab", "Member must have length greater than or equal to 3"),
    ("x" * 256, "Member must have length less than or equal to 255"),
    ("bad name", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("idx#1", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
])
def test_gsi_name_rules(ddb, name, constraint):
    # Index names are 3 to 255 characters of [a-zA-Z0-9_.-].
    create_fails(ddb, f"Value '{name}' at 'globalSecondaryIndexes.1.member.indexName' failed to "
                      f"satisfy constraint: {constraint}",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 GlobalSecondaryIndexes=[gsi(name, "g")])


def test_lsi_name_rules(ddb):
    # The same name rules apply to LSIs.
    create_fails(ddb, "Value 'ab' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy "
                      "constraint: Member must have length greater than or equal to 3",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S", x="S"),
                 LocalSecondaryIndexes=[lsi("ab", "x")])


def test_provisioned_gsi_without_throughput(ddb):
    # Under PROVISIONED billing every GSI needs ProvisionedThroughput.
    create_fails(ddb, INVALID + "ProvisionedThroughput is not specified for index: g_idx",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                 GlobalSecondaryIndexes=[gsi("g_idx", "g")])


def test_pay_per_request_gsi_with_throughput(ddb):
    # Under PAY_PER_REQUEST a GSI must not carry ProvisionedThroughput.
    create_fails(ddb, INVALID + "ProvisionedThroughput should not be specified for index: g_idx "
                                "when BillingMode is PAY_PER_REQUEST",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 BillingMode="PAY_PER_REQUEST",
                 GlobalSecondaryIndexes=[gsi("g_idx", "g", throughput=(1, 1))])


# --- Query on a GSI --------------------------------------------------------------------------

def test_gsi_query_orders_by_index_sort_key(ddb, itab):
    # A GSI query returns the items of one index partition ordered by the index sort key,
    # whatever their base-table partitions.
    table, _ = itab
    g = unique_key("g")
    order = ["-7", "0", "2.5", "3", "10", "1E+3"]
    for i, gsk in enumerate(reversed(order)):
        put(ddb, table, unique_key(f"p{i}"), i, gpk=S(g), gsk=N(gsk), v=N(i))
    got = until(lambda: gsi_query(ddb, table, "by_gsi", g), lambda items: len(items) == 6)
    assert [Decimal(i["gsk"]["N"]) for i in got] == [Decimal(x) for x in order]
    rev = until(lambda: gsi_query(ddb, table, "by_gsi", g, ScanIndexForward=False),
                lambda items: len(items) == 6)
    assert [Decimal(i["gsk"]["N"]) for i in rev] == [Decimal(x) for x in reversed(order)]
    between = gsi_query(ddb, table, "by_gsi", g, "gsk BETWEEN :a AND :b",
                        {":a": N(0), ":b": N(3)})
    assert [Decimal(i["gsk"]["N"]) for i in between] == [0, Decimal("2.5"), 3]


def test_gsi_all_projection_returns_whole_items(ddb, itab):
    # An ALL projection returns every attribute of the item.
    table, _ = itab
    g = unique_key("g")
    item = put(ddb, table, unique_key("p"), 1, gpk=S(g), gsk=N(1), a=S("A"), c=S("C"),
               m={"M": {"x": {"L": [N(1)]}}})
    got = until(lambda: gsi_query(ddb, table, "by_gsi", g), lambda items: len(items) == 1)
    assert got == [item]


def test_gsi_keys_only_projection(ddb, itab):
    # KEYS_ONLY returns the table's key and the index's key attributes only.
    table, _ = itab
    g = unique_key("g")
    p = unique_key("p")
    put(ddb, table, p, 5, gpk=S(g), gsk=N(9), lsk=S("l"), a=S("A"), c=S("C"))
    got = until(lambda: gsi_query(ddb, table, "by_gpk", g), lambda items: len(items) == 1)
    assert got == [{"pk": S(p), "sk": N(5), "gpk": S(g)}]


def test_gsi_include_projection(ddb, itab):
    # INCLUDE returns the listed attributes (when present) plus table and index keys.
    table, _ = itab
    g = unique_key("g")
    p1, p2 = unique_key("p1"), unique_key("p2")
    put(ddb, table, p1, 1, gpk=S(g), gsk=N(1), a=S("A"), b=N(2), c=S("C"), lsk=S("x"))
    put(ddb, table, p2, 2, gpk=S(g), gsk=N(2), b=N(3), c=S("C"))
    got = until(lambda: gsi_query(ddb, table, "by_incl", g), lambda items: len(items) == 2)
    assert got == [{"pk": S(p1), "sk": N(1), "gpk": S(g), "gsk": N(1), "a": S("A"), "b": N(2)},
                   {"pk": S(p2), "sk": N(2), "gpk": S(g), "gsk": N(2), "b": N(3)}]
    proj = gsi_query(ddb, table, "by_incl", g, ProjectionExpression="a, pk")
    assert proj == [{"a": S("A"), "pk": S(p1)}, {"pk": S(p2)}]


def test_gsi_is_sparse(ddb, itab):
    # Items lacking an index key attribute are absent from that index only.
    table, _ = itab
    g = unique_key("g")
    p_full, p_hash_only, p_none = unique_key("full"), unique_key("hash"), unique_key("none")
    put(ddb, table, p_full, 0, gpk=S(g), gsk=N(1))
    put(ddb, table, p_hash_only, 0, gpk=S(g))          # no gsk: only in the hash-only index
    put(ddb, table, p_none, 0, gsk=N(1))              # no gpk: in no GSI
    hash_only = until(lambda: gsi_query(ddb, table, "by_gpk", g), lambda items: len(items) == 2)
    assert sorted(pks(hash_only)) == sorted([p_full, p_hash_only])
    for index in ("by_gsi", "by_incl"):
        got = until(lambda: gsi_query(ddb, table, index, g), lambda items: len(items) >= 1)
        assert pks(got) == [p_full]


def test_gsi_keys_need_not_be_unique(ddb, itab):
    # Several items may share the same GSI key; all are returned.
    table, _ = itab
    g = unique_key("g")
    ps = sorted(unique_key("p") for _ in range(3))
    for p in ps:
        put(ddb, table, p, 0, gpk=S(g), gsk=N(42))
    got = until(lambda: gsi_query(ddb, table, "by_gsi", g), lambda items: len(items) == 3)
    assert sorted(pks(got)) == ps


def test_gsi_last_evaluated_key_has_index_and_table_keys(ddb, itab):
    # The LastEvaluatedKey of a GSI query holds the index keys and the table's primary key,
    # and paging with it returns every item once, in index order.
    table, _ = itab
    g = unique_key("g")
    expected = []
    for i in range(5):
        p = unique_key(f"p{i}")
        put(ddb, table, p, 100 + i, gpk=S(g), gsk=N(i * 2))
        expected.append(p)
    until(lambda: gsi_query(ddb, table, "by_gsi", g), lambda items: len(items) == 5)
    first = ddb.query(TableName=table, IndexName="by_gsi", Limit=1,
                      KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": S(g)})
    assert first["LastEvaluatedKey"] == {"gpk": S(g), "gsk": N(0), "pk": S(expected[0]),
                                         "sk": N(100)}
    pages = pages_of(ddb.query, TableName=table, IndexName="by_gsi", Limit=2,
                     KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": S(g)})
    assert pks(items_of(pages)) == expected
    assert [p["Count"] for p in pages] == [2, 2, 1]
    for page in pages[:-1]:
        assert set(page["LastEvaluatedKey"]) == {"gpk", "gsk", "pk", "sk"}
    hash_only = ddb.query(TableName=table, IndexName="by_gpk", Limit=1,
                          KeyConditionExpression="gpk = :g",
                          ExpressionAttributeValues={":g": S(g)})
    assert set(hash_only["LastEvaluatedKey"]) == {"gpk", "pk", "sk"}


def test_gsi_query_filter_and_count(ddb, itab):
    # Filters on non-key attributes and Select COUNT work on a GSI query.
    table, _ = itab
    g = unique_key("g")
    for i in range(6):
        put(ddb, table, unique_key("p"), i, gpk=S(g), gsk=N(i), v=N(i % 3))
    until(lambda: gsi_query(ddb, table, "by_gsi", g), lambda items: len(items) == 6)
    got = gsi_query(ddb, table, "by_gsi", g, FilterExpression="v = :z", values={":z": N(0)})
    assert [int(i["gsk"]["N"]) for i in got] == [0, 3]
    resp = ddb.query(TableName=table, IndexName="by_gsi", Select="COUNT",
                     KeyConditionExpression="gpk = :g AND gsk >= :a",
                     ExpressionAttributeValues={":g": S(g), ":a": N(2)})
    assert resp["Count"] == resp["ScannedCount"] == 4


def test_select_all_attributes_on_keys_only_gsi(ddb, itab):
    # A GSI cannot fetch from the table: ALL_ATTRIBUTES needs an ALL projection.
    table, _ = itab
    for index in ("by_gpk", "by_incl"):
        with pytest.raises(ClientError) as e:
            ddb.query(TableName=table, IndexName=index, Select="ALL_ATTRIBUTES",
                      KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": S("x")})
        assert_validation(e, INVALID + f"Select type ALL_ATTRIBUTES is not supported for global "
                                       f"secondary index {index} because its projection type is "
                                       "not ALL")


def test_select_all_attributes_and_all_projected_on_all_gsi(ddb, itab):
    # On an ALL-projected GSI, ALL_ATTRIBUTES and ALL_PROJECTED_ATTRIBUTES both return items.
    table, _ = itab
    g = unique_key("g")
    item = put(ddb, table, unique_key("p"), 3, gpk=S(g), gsk=N(3), c=S("C"))
    until(lambda: gsi_query(ddb, table, "by_gsi", g), lambda items: len(items) == 1)
    for select in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"):
        assert gsi_query(ddb, table, "by_gsi", g, Select=select) == [item]
    got = until(lambda: gsi_query(ddb, table, "by_gpk", g, Select="ALL_PROJECTED_ATTRIBUTES"),
                lambda items: len(items) == 1)
    assert got == [{"pk": item["pk"], "sk": item["sk"], "gpk": S(g)}]


def test_consistent_read_on_gsi_is_rejected(ddb, itab):
    # GSIs only support eventually consistent reads, for Query and Scan.
    table, _ = itab
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, IndexName="by_gsi", ConsistentRead=True,
                  KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": S("x")})
    assert_validation(e, "Consistent reads are not supported on global secondary indexes")
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, IndexName="by_gsi", ConsistentRead=True)
    assert_validation(e, "Consistent reads are not supported on global secondary indexes")


def test_unknown_index(ddb, itab):
    # Naming an index the table does not have is a validation error.
    table, _ = itab
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, IndexName="nope",
                  KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": S("x")})
    assert_validation(e, "The table does not have the specified index: nope")
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, IndexName="nope")
    assert_validation(e, "The table does not have the specified index: nope")


def test_gsi_key_condition_must_use_index_keys(ddb, itab):
    # On an index, the key condition is on the index's keys, not the table's.
    table, _ = itab
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, IndexName="by_gsi",
                  KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("x")})
    assert_validation(e, "Query condition missed key schema element: gpk")


def test_gsi_filter_on_index_key_is_rejected(ddb, itab):
    # The index's own key attributes cannot be used in a Query filter.
    table, _ = itab
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, IndexName="by_gsi", FilterExpression="gsk > :n",
                  KeyConditionExpression="gpk = :g",
                  ExpressionAttributeValues={":g": S("x"), ":n": N(1)})
    assert_validation(e, "Filter Expression can only contain non-primary key attributes: "
                         "Primary key attribute: gsk")


# --- Query on an LSI -------------------------------------------------------------------------

def test_lsi_query_orders_by_index_sort_key(ddb, itab):
    # An LSI query returns the partition's items ordered by the LSI sort key (and is sparse).
    table, _ = itab
    p = unique_key("lp")
    lsks = ["d", "a", "\u00e9", "B", "c"]
    for i, lsk_value in enumerate(lsks):
        put(ddb, table, p, i, lsk=S(lsk_value), a=S(f"a{i}"))
    put(ddb, table, p, 99, a=S("no lsk"))              # absent from the LSI
    got = lsi_query(ddb, table, p)
    assert [i["lsk"]["S"] for i in got] == sorted(lsks, key=lambda s: s.encode())
    assert got[0] == {"pk": S(p), "sk": N(3), "lsk": S("B")}   # KEYS_ONLY: table + index keys
    rev = lsi_query(ddb, table, p, ScanIndexForward=False)
    assert [i["lsk"]["S"] for i in rev] == sorted(lsks, key=lambda s: s.encode(), reverse=True)
    cond = lsi_query(ddb, table, p, "lsk BETWEEN :a AND :b", {":a": S("a"), ":b": S("c")})
    assert [i["lsk"]["S"] for i in cond] == ["a", "c"]


def test_lsi_select_all_attributes_fetches_from_the_table(ddb, itab):
    # On an LSI, ALL_ATTRIBUTES is allowed even with KEYS_ONLY: items come from the table.
    table, _ = itab
    p = unique_key("lp")
    items = [put(ddb, table, p, i, lsk=S(f"k{5 - i}"), a=S(f"a{i}"), c=N(i)) for i in range(3)]
    got = lsi_query(ddb, table, p, Select="ALL_ATTRIBUTES")
    assert got == items[::-1]
    proj = lsi_query(ddb, table, p, ProjectionExpression="c, lsk")
    assert proj == [{"c": N(i), "lsk": S(f"k{5 - i}")} for i in (2, 1, 0)]


def test_lsi_last_evaluated_key(ddb, itab):
    # An LSI's LastEvaluatedKey has the table key and the index sort key; paging works.
    table, _ = itab
    p = unique_key("lp")
    for i in range(5):
        put(ddb, table, p, i, lsk=S(f"k{i}"))
    first = ddb.query(TableName=table, IndexName="by_lsk", Limit=2, ConsistentRead=True,
                      KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S(p)})
    assert first["LastEvaluatedKey"] == {"pk": S(p), "sk": N(1), "lsk": S("k1")}
    pages = pages_of(ddb.query, TableName=table, IndexName="by_lsk", Limit=2, ConsistentRead=True,
                     KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S(p)})
    assert [i["lsk"]["S"] for i in items_of(pages)] == [f"k{i}" for i in range(5)]


def test_lsi_same_sort_value_for_several_items(ddb, itab):
    # LSI sort values need not be unique within a partition.
    table, _ = itab
    p = unique_key("lp")
    for i in range(3):
        put(ddb, table, p, i, lsk=S("same"))
    got = lsi_query(ddb, table, p, "lsk = :s", {":s": S("same")})
    assert sorted(int(i["sk"]["N"]) for i in got) == [0, 1, 2]


# --- index maintenance -----------------------------------------------------------------------

def test_index_follows_put_update_and_delete(ddb, itab):
    # Every write keeps the GSIs in step: new entries, moved keys, removed keys, deletes.
    table, _ = itab
    g1, g2 = unique_key("g1"), unique_key("g2")
    p = unique_key("p")
    key = {"pk": S(p), "sk": N(0)}

    put(ddb, table, p, 0, gpk=S(g1), gsk=N(1), a=S("v1"))
    assert pks(until(lambda: gsi_query(ddb, table, "by_gsi", g1), lambda r: len(r) == 1)) == [p]

    # Changing the index partition key moves the entry.
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET gpk = :g",
                    ExpressionAttributeValues={":g": S(g2)})
    assert until(lambda: gsi_query(ddb, table, "by_gsi", g1), lambda r: r == []) == []
    moved = until(lambda: gsi_query(ddb, table, "by_gsi", g2), lambda r: len(r) == 1)
    assert moved[0]["a"] == S("v1") and moved[0]["gsk"] == N(1)

    # Changing the index sort key and a projected attribute updates the entry in place.
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET gsk = :n, a = :a",
                    ExpressionAttributeValues={":n": N(7), ":a": S("v2")})
    got = until(lambda: gsi_query(ddb, table, "by_incl", g2),
                lambda r: len(r) == 1 and r[0].get("gsk") == N(7) and r[0].get("a") == S("v2"))
    assert got == [{"pk": S(p), "sk": N(0), "gpk": S(g2), "gsk": N(7), "a": S("v2")}]

    # Removing the index sort key drops the entry from range indexes, not the hash-only one.
    ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE gsk")
    assert until(lambda: gsi_query(ddb, table, "by_gsi", g2), lambda r: r == []) == []
    assert pks(until(lambda: gsi_query(ddb, table, "by_gpk", g2), lambda r: len(r) == 1)) == [p]

    # A PutItem replacing the item without index keys removes it from every GSI.
    put(ddb, table, p, 0, a=S("v3"))
    assert until(lambda: gsi_query(ddb, table, "by_gpk", g2), lambda r: r == []) == []

    # Putting it back and deleting the item removes the entry again.
    put(ddb, table, p, 0, gpk=S(g2), gsk=N(3))
    assert len(until(lambda: gsi_query(ddb, table, "by_gsi", g2), lambda r: len(r) == 1)) == 1
    ddb.delete_item(TableName=table, Key=key)
    assert until(lambda: gsi_query(ddb, table, "by_gsi", g2), lambda r: r == []) == []
    assert until(lambda: gsi_query(ddb, table, "by_gpk", g2), lambda r: r == []) == []


def test_lsi_follows_updates(ddb, itab):
    # Updating or removing the LSI sort key reorders or removes the LSI entry.
    table, _ = itab
    p = unique_key("lp")
    for i in range(3):
        put(ddb, table, p, i, lsk=S(f"k{i}"))
    ddb.update_item(TableName=table, Key={"pk": S(p), "sk": N(0)},
                    UpdateExpression="SET lsk = :z", ExpressionAttributeValues={":z": S("z")})
    assert [int(i["sk"]["N"]) for i in lsi_query(ddb, table, p)] == [1, 2, 0]
    ddb.update_item(TableName=table, Key={"pk": S(p), "sk": N(1)}, UpdateExpression="REMOVE lsk")
    assert [int(i["sk"]["N"]) for i in lsi_query(ddb, table, p)] == [2, 0]
    ddb.delete_item(TableName=table, Key={"pk": S(p), "sk": N(2)})
    assert [int(i["sk"]["N"]) for i in lsi_query(ddb, table, p)] == [0]


def test_failed_conditional_writes_leave_indexes_unchanged(ddb, itab):
    # A write whose condition fails changes neither the item nor any index entry.
    table, _ = itab
    g1, g2 = unique_key("g1"), unique_key("g2")
    p = unique_key("p")
    key = {"pk": S(p), "sk": N(0)}
    original = put(ddb, table, p, 0, gpk=S(g1), gsk=N(1), lsk=S("l1"))
    until(lambda: gsi_query(ddb, table, "by_gsi", g1), lambda r: len(r) == 1)

    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET gpk = :g, lsk = :l",
                        ConditionExpression="attribute_not_exists(pk)",
                        ExpressionAttributeValues={":g": S(g2), ":l": S("l2")})
    assert_conditional_failed(e)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table, Item=dict(key, gpk=S(g2), gsk=N(2)),
                     ConditionExpression="gsk = :nine", ExpressionAttributeValues={":nine": N(9)})
    assert_conditional_failed(e)
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="attribute_not_exists(gpk)")
    assert_conditional_failed(e)

    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == original
    time.sleep(0.5)   # give a wrongly applied index change time to show up
    assert gsi_query(ddb, table, "by_gsi", g1) == [original]
    assert gsi_query(ddb, table, "by_gsi", g2) == []
    assert [i["lsk"]["S"] for i in lsi_query(ddb, table, p)] == ["l1"]


# --- Scan of an index ------------------------------------------------------------------------

def test_scan_of_a_gsi(ddb, itab):
    # A GSI scan sees only the items in the index, with the index's projection.
    table, _ = itab
    prefix = unique_key("scan")
    with_keys = [put(ddb, table, f"{prefix}-a{i}", i, gpk=S(f"{prefix}-g{i % 2}"), gsk=N(i),
                     a=S("A"), c=S("C")) for i in range(4)]
    put(ddb, table, f"{prefix}-b", 0, gpk=S(f"{prefix}-g0"))   # not in by_gsi / by_incl
    put(ddb, table, f"{prefix}-c", 0, a=S("no index keys"))

    def scan_index(index):
        return items_of(pages_of(ddb.scan, TableName=table, IndexName=index,
                                 FilterExpression="begins_with(pk, :p)",
                                 ExpressionAttributeValues={":p": S(prefix)}))

    got = until(lambda: scan_index("by_gsi"), lambda r: len(r) == 4)
    assert sorted(pks(got)) == sorted(pks(with_keys))
    assert {i["pk"]["S"]: i for i in got} == {i["pk"]["S"]: i for i in with_keys}
    incl = until(lambda: scan_index("by_incl"), lambda r: len(r) == 4)
    assert all(set(i) == {"pk", "sk", "gpk", "gsk", "a"} for i in incl)
    keys_only = until(lambda: scan_index("by_gpk"), lambda r: len(r) == 5)
    assert all(set(i) == {"pk", "sk", "gpk"} for i in keys_only)


def test_scan_of_an_lsi(ddb, itab):
    # An LSI scan (consistent reads allowed) returns index entries with their projection.
    table, _ = itab
    p = unique_key("lscan")
    for i in range(3):
        put(ddb, table, p, i, lsk=S(f"k{2 - i}"), a=S("A"))
    put(ddb, table, p, 9, a=S("no lsk"))
    got = items_of(pages_of(ddb.scan, TableName=table, IndexName="by_lsk", ConsistentRead=True,
                            FilterExpression="pk = :p", ExpressionAttributeValues={":p": S(p)}))
    assert [i["lsk"]["S"] for i in got] == ["k0", "k1", "k2"]
    assert all(set(i) == {"pk", "sk", "lsk"} for i in got)


def test_scan_of_a_keys_only_gsi_rejects_all_attributes(ddb, itab):
    # ALL_ATTRIBUTES on a non-ALL GSI is rejected for Scan as for Query.
    table, _ = itab
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, IndexName="by_gpk", Select="ALL_ATTRIBUTES")
    assert_validation(e, INVALID + "Select type ALL_ATTRIBUTES is not supported for global "
                                   "secondary index by_gpk because its projection type is not ALL")


# --- index key types -------------------------------------------------------------------------

def test_put_with_gsi_key_of_the_wrong_type(ddb, typed):
    # An index key attribute must have the type of its AttributeDefinition; nothing is written.
    key = unique_key("t")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=typed, Item={"pk": S(key), "gsi_pk": N(5)})
    assert_validation(e, INVALID + "Type mismatch for Index Key gsi_pk Expected: S Actual: N "
                                   "IndexName: by_gsi")
    assert "Item" not in ddb.get_item(TableName=typed, Key={"pk": S(key)}, ConsistentRead=True)


def test_update_with_gsi_key_of_the_wrong_type(ddb, typed):
    # UpdateItem is checked the same way and leaves the item unchanged.
    key = unique_key("t")
    ddb.put_item(TableName=typed, Item={"pk": S(key), "gsi_pk": S("ok")})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=typed, Key={"pk": S(key)}, UpdateExpression="SET gsi_pk = :n",
                        ExpressionAttributeValues={":n": N(5)})
    assert_validation(e, INVALID + "Type mismatch for Index Key gsi_pk Expected: S Actual: N "
                                   "IndexName: by_gsi")
    assert ddb.get_item(TableName=typed, Key={"pk": S(key)}, ConsistentRead=True)["Item"] == \
        {"pk": S(key), "gsi_pk": S("ok")}


def test_gsi_key_of_a_non_key_type(ddb, typed):
    # Non-scalar values are also a type mismatch for an index key.
    key = unique_key("t")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=typed, Item={"pk": S(key), "gsi_pk": {"SS": ["a"]}})
    assert_validation(e, INVALID + "Type mismatch for Index Key gsi_pk Expected: S Actual: SS "
                                   "IndexName: by_gsi")


def test_put_with_lsi_key_of_the_wrong_type(ddb, itab):
    # LSI sort keys are type-checked the same way.
    table, _ = itab
    p = unique_key("p")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table, Item={"pk": S(p), "sk": N(0), "lsk": N(1)})
    assert_validation(e, INVALID + "Type mismatch for Index Key lsk Expected: S Actual: N "
                                   "IndexName: by_lsk")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S(p), "sk": N(0)},
                                      ConsistentRead=True)


def test_attribute_not_in_any_index_may_have_any_type(ddb, typed):
    # Only index key attributes are type-checked; others can hold anything.
    key = unique_key("t")
    ddb.put_item(TableName=typed, Item={"pk": S(key), "other_attr": N(5), "gsi": S("x")})
    assert ddb.get_item(TableName=typed, Key={"pk": S(key)}, ConsistentRead=True)["Item"] == \
        {"pk": S(key), "other_attr": N(5), "gsi": S("x")}


# --- concurrency -----------------------------------------------------------------------------

def test_gsi_agrees_with_table_after_concurrent_updates(ddb, itab):
    # 4 writers move 20 items between GSI partitions while 2 readers query the GSI; once the
    # writers are done the index holds exactly the table's (gpk, gsk) for every item.
    table, _ = itab
    prefix = unique_key("conc")
    buckets = [f"{prefix}-b{i}" for i in range(4)]
    pks_ = [f"{prefix}-{i:02d}" for i in range(20)]
    for i, p in enumerate(pks_):
        put(ddb, table, p, 0, gpk=S(buckets[i % 4]), gsk=N(0), a=S("start"))

    writers_done = threading.Event()
    errors = []
    reads = [0]

    def writer(t):
        try:
            for j in range(25):
                i = (t * 7 + j * 3) % 20
                ddb.update_item(TableName=table, Key={"pk": S(pks_[i]), "sk": N(0)},
                                UpdateExpression="SET gpk = :g, gsk = :n, a = :a",
                                ExpressionAttributeValues={":g": S(buckets[(t + j) % 4]),
                                                           ":n": N(t * 1000 + j),
                                                           ":a": S(f"w{t}-{j}")})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader():
        try:
            while not writers_done.is_set():
                for b in buckets:
                    for item in gsi_query(ddb, table, "by_gsi", b):
                        assert item["gpk"] == S(b)
                        assert item["pk"]["S"] in pks_
                    reads[0] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for th in readers + writers:
        th.start()
    for th in writers:
        th.join(120)
    writers_done.set()
    for th in readers:
        th.join(120)
    assert not any(th.is_alive() for th in writers + readers), "a thread hung"
    assert not errors, errors
    assert reads[0] > 0

    expected = {}
    for p in pks_:
        item = ddb.get_item(TableName=table, Key={"pk": S(p), "sk": N(0)},
                            ConsistentRead=True)["Item"]
        expected[p] = (item["gpk"]["S"], item["gsk"]["N"], item["a"]["S"])

    def index_view():
        seen = {}
        for b in buckets:
            for item in gsi_query(ddb, table, "by_gsi", b):
                entry = (item["gpk"]["S"], item["gsk"]["N"], item["a"]["S"])
                seen.setdefault(item["pk"]["S"], []).append(entry)
        return seen

    def agrees(seen):
        return seen == {p: [v] for p, v in expected.items()}

    view = until(index_view, agrees, timeout=30)
    assert view == {p: [v] for p, v in expected.items()}
    keys_only = until(lambda: {i["pk"]["S"]: i["gpk"]["S"] for b in buckets
                               for i in gsi_query(ddb, table, "by_gpk", b)},
                      lambda seen: seen == {p: v[0] for p, v in expected.items()}, timeout=30)
    assert keys_only == {p: v[0] for p, v in expected.items()}


def test_index_survives_many_moves_of_one_item(ddb, itab):
    # Rapidly moving one item between GSI partitions never leaves stale or duplicate entries.
    table, _ = itab
    p = unique_key("mover")
    gs = [unique_key(f"g{i}") for i in range(3)]
    for j in range(30):
        ddb.put_item(TableName=table, Item={"pk": S(p), "sk": N(0), "gpk": S(gs[j % 3]),
                                            "gsk": N(j)})
    final = gs[29 % 3]
    got = until(lambda: [gsi_query(ddb, table, "by_gsi", g) for g in gs],
                lambda r: [len(x) for x in r] == [1 if g == final else 0 for g in gs])
    assert [len(x) for x in got] == [1 if g == final else 0 for g in gs]
    assert got[gs.index(final)][0]["gsk"] == N(29)



def test_consumed_capacity_breakdown_names_the_index(ddb, itab):
    # With ReturnConsumedCapacity INDEXES, a GSI query's units are the index's, and the table's
    # own share is zero.
    table, _ = itab
    resp = ddb.query(TableName=table, IndexName="by_gsi", KeyConditionExpression="gpk = :g",
                     ExpressionAttributeValues={":g": S("x")}, ReturnConsumedCapacity="INDEXES")
    cc = resp["ConsumedCapacity"]
    assert cc["TableName"] == table
    assert cc["Table"]["CapacityUnits"] == 0
    assert cc["GlobalSecondaryIndexes"]["by_gsi"]["CapacityUnits"] == cc["CapacityUnits"]


# --- Write capacity of index maintenance -------------------------------------------------------

def _write_cc(resp):
    cc = resp["ConsumedCapacity"]
    gsis = {k: v["CapacityUnits"] for k, v in cc.get("GlobalSecondaryIndexes", {}).items()}
    lsis = {k: v["CapacityUnits"] for k, v in cc.get("LocalSecondaryIndexes", {}).items()}
    return cc["CapacityUnits"], cc["Table"]["CapacityUnits"], gsis, lsis


def test_write_capacity_counts_each_index_written(ddb, itab):
    # A new item in every index costs one write per index besides the table's; TOTAL is the sum.
    table, _ = itab
    key = {"pk": S("wcu-1"), "sk": N("1")}
    item = dict(key, gpk=S("wcu-g1"), gsk=N("1"), lsk=S("l"), a=S("x"), c=S("y"))
    resp = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (5.0, 1.0, {"by_gsi": 1.0, "by_gpk": 1.0, "by_incl": 1.0},
                               {"by_lsk": 1.0})
    total = ddb.put_item(TableName=table, Item=dict(item, pk=S("wcu-1b")),
                         ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert total == {"TableName": table, "CapacityUnits": 5.0}

    # Changing an attribute only the ALL projection holds rewrites that index alone.
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET c = :v",
                           ExpressionAttributeValues={":v": S("z")}, ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (2.0, 1.0, {"by_gsi": 1.0}, {})
    # An INCLUDEd attribute: the ALL and INCLUDE indexes.
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                           ExpressionAttributeValues={":v": S("w")}, ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (3.0, 1.0, {"by_gsi": 1.0, "by_incl": 1.0}, {})
    # Writing the same values again changes no index entry.
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                           ExpressionAttributeValues={":v": S("w")}, ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (1.0, 1.0, {}, {})
    # A new index key: the old entry is deleted and a new one put, two writes per GSI.
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET gpk = :g",
                           ExpressionAttributeValues={":g": S("wcu-g2")},
                           ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (7.0, 1.0, {"by_gsi": 2.0, "by_gpk": 2.0, "by_incl": 2.0}, {})
    # Removing the LSI key takes the item out of the LSI: one write.
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE lsk",
                           ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (3.0, 1.0, {"by_gsi": 1.0}, {"by_lsk": 1.0})
    # Deleting the item removes it from the three GSIs it is still in.
    resp = ddb.delete_item(TableName=table, Key=key, ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (4.0, 1.0, {"by_gsi": 1.0, "by_gpk": 1.0, "by_incl": 1.0}, {})


def test_write_capacity_of_index_entries_follows_their_size(ddb, itab):
    # Each index write is rounded up to 1 KB of the entry it writes: a 3 KB attribute makes the
    # ALL projection's entry 3 units and leaves the KEYS_ONLY and INCLUDE entries at 1.
    table, _ = itab
    item = {"pk": S("wcu-2"), "sk": N("1"), "gpk": S("wcu-g3"), "gsk": N("1"), "lsk": S("l"),
            "big": S("x" * 3000)}
    resp = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="INDEXES")
    assert _write_cc(resp) == (9.0, 3.0, {"by_gsi": 3.0, "by_gpk": 1.0, "by_incl": 1.0},
                               {"by_lsk": 1.0})


def test_write_capacity_of_an_entry_overwritten_in_place(ddb, itab):
    # An entry whose key stays is charged like an item: the larger of the old and new entry,
    # whether it grows or shrinks (by_incl projects a, by_gsi everything; their keys stay).
    table, _ = itab
    key = {"pk": S("wcu-4"), "sk": N("1")}
    ddb.put_item(TableName=table, Item={**key, "gpk": S("wcu-g4"), "gsk": N(1), "a": S("x" * 3000)})
    shrink = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                             ExpressionAttributeValues={":v": S("p")},
                             ReturnConsumedCapacity="INDEXES")
    grow = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                           ExpressionAttributeValues={":v": S("y" * 3000)},
                           ReturnConsumedCapacity="INDEXES")
    for resp in (shrink, grow):  # the table's write too is the larger item's, 3 KB
        assert _write_cc(resp) == (9.0, 3.0, {"by_gsi": 3.0, "by_incl": 3.0}, {})


def test_write_capacity_of_an_item_outside_every_index(ddb, itab):
    # Sparse indexes: an item without index keys costs the table's write only.
    table, _ = itab
    resp = ddb.put_item(TableName=table, Item={"pk": S("wcu-3"), "sk": N("1"), "a": S("x")},
                        ReturnConsumedCapacity="INDEXES")
    cc = resp["ConsumedCapacity"]
    assert cc["CapacityUnits"] == 1.0
    assert cc["Table"] == {"CapacityUnits": 1.0}
    assert "GlobalSecondaryIndexes" not in cc and "LocalSecondaryIndexes" not in cc
