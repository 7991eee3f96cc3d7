# Reading attributes an index does not project. An LSI fetches them from the table: every fetched
# item is charged in full to the table and counts toward the 1 MB page, rounded up to 4 KB
# (Developer Guide, "Local secondary indexes", "Read capacity units"). A GSI cannot fetch, and
# says which requested attributes it lacks.

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, assert_validation, delete_table_quietly, put_all, read_pages, \
    unique_key, unique_table_name, wait_for_active

INVALID = "One or more parameter values were invalid: "


@pytest.fixture(scope="module")
def ftab(ddb):
    """pk S + sk N with an LSI by_lsk (KEYS_ONLY, on lsk S) and a GSI by_incl (INCLUDE a, on
    g S)."""
    name = unique_table_name("fetch")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("pk", "S"), ("sk", "N"), ("lsk", "S"), ("g", "S"))],
        LocalSecondaryIndexes=[{
            "IndexName": "by_lsk",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "lsk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_incl",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}])
    wait_for_active(ddb, name)
    yield name
    delete_table_quietly(ddb, name)


def big_items(pk, count, size=7000):
    """Items of about `size` bytes (two read units each), in one partition, lsk in sk order."""
    return [{"pk": S(pk), "sk": N(i), "lsk": S(f"k{i:04d}"), "big": S("x" * size)}
            for i in range(count)]


def lsi_query(ddb, table, pk, **extra):
    return ddb.query(TableName=table, IndexName="by_lsk", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S(pk)}, **extra)


def test_lsi_fetch_charges_every_fetched_item_to_the_table(ddb, ftab):
    # Three items of about 7 KB: the index entries cost 1 unit; each fetched item 2 more.
    pk = unique_key("lf")
    put_all(ddb, ftab, big_items(pk, 3))
    for consistent, scale in ((True, 1.0), (False, 0.5)):
        resp = lsi_query(ddb, ftab, pk, Select="ALL_ATTRIBUTES", ConsistentRead=consistent,
                         ReturnConsumedCapacity="INDEXES")
        assert resp["Count"] == 3 and len(resp["Items"][0]["big"]["S"]) == 7000
        cc = resp["ConsumedCapacity"]
        assert cc["CapacityUnits"] == 7 * scale
        assert cc["Table"]["CapacityUnits"] == 6 * scale
        assert cc["LocalSecondaryIndexes"]["by_lsk"]["CapacityUnits"] == 1 * scale
    # A non-projected attribute in the projection fetches too; the entries alone do not.
    resp = lsi_query(ddb, ftab, pk, ProjectionExpression="sk, big", ConsistentRead=True,
                     ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 7
    resp = lsi_query(ddb, ftab, pk, ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert [set(i) for i in resp["Items"]] == [{"pk", "sk", "lsk"}] * 3
    cc = resp["ConsumedCapacity"]
    assert cc["CapacityUnits"] == 1 and cc["Table"]["CapacityUnits"] == 0


def test_lsi_fetch_of_filtered_out_items_is_not_charged(ddb, ftab):
    # Only the items the filter keeps are fetched (the filter is on the table's sort key, which
    # every index entry has).
    pk = unique_key("lf")
    put_all(ddb, ftab, big_items(pk, 4))
    resp = ddb.query(TableName=ftab, IndexName="by_lsk", Select="ALL_ATTRIBUTES",
                     ConsistentRead=True, KeyConditionExpression="pk = :p",
                     FilterExpression="sk IN (:one, :three)",
                     ExpressionAttributeValues={":p": S(pk), ":one": N(1), ":three": N(3)},
                     ReturnConsumedCapacity="TOTAL")
    assert resp["ScannedCount"] == 4
    assert [int(i["sk"]["N"]) for i in resp["Items"]] == [1, 3]
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1 + 2 * 2


def test_lsi_fetched_items_fill_the_page_rounded_up_to_4kb(ddb, ftab):
    # 300 items of about 7 KB: with the table fetch, each counts 8 KB and a page holds at most
    # 128 of them; the index entries alone (a few dozen bytes each) fit in one page.
    pk = unique_key("lf")
    put_all(ddb, ftab, big_items(pk, 300))
    projected = lsi_query(ddb, ftab, pk, ConsistentRead=True)
    assert projected["Count"] == 300 and "LastEvaluatedKey" not in projected
    params = dict(TableName=ftab, IndexName="by_lsk", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S(pk)}, Select="ALL_ATTRIBUTES",
                  ConsistentRead=True)
    pages = read_pages(ddb.query, dict(params))
    first = pages[0]
    assert 120 <= first["Count"] <= 128
    last = first["Items"][-1]
    assert first["LastEvaluatedKey"] == {"pk": last["pk"], "sk": last["sk"], "lsk": last["lsk"]}
    assert len(pages) == 3
    got = [int(i["sk"]["N"]) for p in pages for i in p["Items"]]
    assert got == list(range(300))
    # The same holds going backwards.
    back = read_pages(ddb.query, dict(params, ScanIndexForward=False))
    assert [int(i["sk"]["N"]) for p in back for i in p["Items"]] == list(range(299, -1, -1))
    # A Scan of the LSI fetching from the table pages the same way.
    scanned = ddb.scan(TableName=ftab, IndexName="by_lsk", Select="ALL_ATTRIBUTES",
                       ConsistentRead=True)
    assert scanned["Count"] <= 128 and "LastEvaluatedKey" in scanned


def test_gsi_names_the_attributes_it_does_not_project(ddb, ftab):
    # Requesting attributes a GSI does not project lists them, in the request's order.
    for expr, names, missing in (("zdrop, a, adrop", None, "zdrop, adrop"),
                                 ("#z.x, big[1], a", {"#z": "zz"}, "zz, big"),
                                 ("g, thing", None, "thing")):
        extra = {"ExpressionAttributeNames": names} if names else {}
        with pytest.raises(ClientError) as e:
            ddb.query(TableName=ftab, IndexName="by_incl", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": S("x")}, ProjectionExpression=expr,
                      **extra)
        assert_validation(e, INVALID + f"Global secondary index by_incl does not project "
                                       f"[{missing}]")
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=ftab, IndexName="by_incl", ProjectionExpression="pk, nope")
    assert_validation(e, INVALID + "Global secondary index by_incl does not project [nope]")
    # Projected attributes (keys, the INCLUDE list) are fine.
    ddb.query(TableName=ftab, IndexName="by_incl", KeyConditionExpression="g = :g",
              ExpressionAttributeValues={":g": S("x")}, ProjectionExpression="pk, sk, g, a")
