# Scan: every item exactly once, Limit/Count/ScannedCount, filters, projections, Select COUNT,
# paging with ExclusiveStartKey, 1 MB pages, parallel scan (Segment/TotalSegments) and the
# validation errors of the real service, word for word.
#
# Every test would pass against Amazon DynamoDB: the module's tables are written once before
# any test reads them and every Scan that must see those writes uses ConsistentRead.

import pytest
from botocore.exceptions import ClientError

from conftest import (
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
PARTITIONS = 40
PER_PARTITION = 5
ITEM_COUNT = PARTITIONS * PER_PARTITION     # 200
BIG_ITEM_BYTES = 10_000
BIG_ITEM_COUNT = 130                         # 1.3 MB


# --- helpers ---------------------------------------------------------------------------------

def scan(ddb, table, **params):
    params.setdefault("ConsistentRead", True)
    return ddb.scan(TableName=table, **params)


def scan_pages(ddb, table, **params):
    """Every page of a Scan, following LastEvaluatedKey until it is absent."""
    return read_pages(lambda **p: scan(ddb, table, **p), params)


def key_of(item):
    return (item["pk"]["S"], int(item["sk"]["N"]))


def keys_of(items):
    return [key_of(i) for i in items]


def scan_error(ddb, table, message, **params):
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, **params)
    assert_validation(e, message)


# --- module data -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sc(ddb):
    """A hash S + range N table with 200 items in 40 partitions; nothing else writes to it."""
    name = unique_table_name("scan")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"}])
    items = []
    for p in range(PARTITIONS):
        pk = f"p{p:02d}-{unique_key()}"
        for s in range(PER_PARTITION):
            n = p * PER_PARTITION + s
            items.append({"pk": S(pk), "sk": N(s * 3), "n": N(n), "odd": {"BOOL": n % 2 == 1},
                          "tg": S(f"t{n % 4}")})
    put_all(ddb, name, items)
    yield name, items
    delete_table_quietly(ddb, name)


@pytest.fixture(scope="module")
def big(ddb):
    """A hash-only table holding 1.3 MB in 130 items of 10,000 bytes."""
    name = unique_table_name("scan-big")
    create_table(ddb, name, [{"AttributeName": "pk", "KeyType": "HASH"}],
                 [{"AttributeName": "pk", "AttributeType": "S"}])
    items = []
    for i in range(BIG_ITEM_COUNT):
        pk = f"big-{i:04d}-{unique_key()}"
        items.append({"pk": S(pk), "payload": S("x" * (BIG_ITEM_BYTES - 2 - len(pk) - 7))})
    assert all(item_bytes(i) == BIG_ITEM_BYTES for i in items)
    put_all(ddb, name, items)
    yield name, items
    delete_table_quietly(ddb, name)


# --- full scans ------------------------------------------------------------------------------

def test_scan_returns_every_item_once(ddb, sc):
    # A full scan (following LastEvaluatedKey) returns each item exactly once, intact.
    table, items = sc
    pages = scan_pages(ddb, table)
    got = all_items(pages)
    assert len(got) == ITEM_COUNT
    assert sorted(keys_of(got)) == sorted(keys_of(items))
    by_key = {key_of(i): i for i in items}
    for item in got:
        assert item == by_key[key_of(item)]
    assert sum(p["Count"] for p in pages) == sum(p["ScannedCount"] for p in pages) == ITEM_COUNT


def test_scan_keeps_sort_key_order_within_a_partition(ddb, sc):
    # Partitions come in hash order, but inside one partition items follow the sort key.
    table, _ = sc
    got = keys_of(all_items(scan_pages(ddb, table)))
    seen = {}
    for pk, sk in got:
        seen.setdefault(pk, []).append(sk)
    assert len(seen) == PARTITIONS
    for sks in seen.values():
        assert sks == [0, 3, 6, 9, 12]
    # Items of one partition are contiguous in the scan.
    firsts = [i for i, (pk, _) in enumerate(got) if i == 0 or got[i - 1][0] != pk]
    assert len(firsts) == PARTITIONS


def test_scan_order_is_stable(ddb, sc):
    # Two scans of an unchanged table return the items in the same order.
    table, _ = sc
    assert keys_of(all_items(scan_pages(ddb, table))) == \
        keys_of(all_items(scan_pages(ddb, table, Limit=13)))


def test_scan_empty_table(ddb, new_table):
    # Scanning an empty table is one empty page without LastEvaluatedKey.
    table = new_table(tag="scan-empty")
    resp = scan(ddb, table)
    assert resp["Items"] == []
    assert resp["Count"] == resp["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in resp


# --- Limit, filter, projection, Select -------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 7, 50, 199, 200, 201])
def test_scan_limit_paging(ddb, sc, limit):
    # Limit caps every page; paging with the returned keys visits each item exactly once.
    table, items = sc
    pages = scan_pages(ddb, table, Limit=limit)
    for page in pages:
        assert page["Count"] == page["ScannedCount"] == len(page["Items"]) <= limit
    for page in pages[:-1]:
        assert page["Count"] == limit
        assert set(page["LastEvaluatedKey"]) == {"pk", "sk"}
        assert key_of(page["LastEvaluatedKey"]) == key_of(page["Items"][-1])
    got = keys_of(all_items(pages))
    assert len(got) == len(set(got)) == ITEM_COUNT
    assert sorted(got) == sorted(keys_of(items))
    # A page that stopped at Limit has LastEvaluatedKey, even on the last item.
    expected_pages = ITEM_COUNT // limit + 1
    assert len(pages) == expected_pages


def test_scan_filter_expression(ddb, sc):
    # Count counts matching items, ScannedCount the items read.
    table, items = sc
    resp = scan(ddb, table, FilterExpression="tg = :t", ExpressionAttributeValues={":t": S("t1")})
    expected = [i for i in items if i["tg"]["S"] == "t1"]
    assert sorted(keys_of(resp["Items"])) == sorted(keys_of(expected))
    assert resp["Count"] == len(expected) == 50
    assert resp["ScannedCount"] == ITEM_COUNT


def test_scan_filter_on_key_attributes_is_allowed(ddb, sc):
    # Unlike Query, a Scan may filter on key attributes.
    table, items = sc
    pk = items[17]["pk"]["S"]
    resp = scan(ddb, table, FilterExpression="pk = :p AND sk >= :s",
                ExpressionAttributeValues={":p": S(pk), ":s": N(6)})
    assert keys_of(resp["Items"]) == [(pk, 6), (pk, 9), (pk, 12)]
    assert resp["ScannedCount"] == ITEM_COUNT


def test_scan_limit_counts_items_read_before_the_filter(ddb, sc):
    # With Limit and a filter each page reads Limit items and returns only the matches.
    table, items = sc
    pages = scan_pages(ddb, table, Limit=10, FilterExpression="odd = :t",
                       ExpressionAttributeValues={":t": {"BOOL": True}})
    for page in pages[:-1]:
        assert page["ScannedCount"] == 10
        assert page["Count"] == len(page["Items"]) <= 10
        assert "LastEvaluatedKey" in page
    got = all_items(pages)
    assert sorted(keys_of(got)) == sorted(keys_of(i for i in items if i["odd"]["BOOL"]))
    assert sum(p["ScannedCount"] for p in pages) == ITEM_COUNT


def test_scan_filter_matching_nothing_keeps_paging(ddb, sc):
    # Pages emptied by the filter still return LastEvaluatedKey until the table is read.
    table, _ = sc
    pages = scan_pages(ddb, table, Limit=40, FilterExpression="n < :neg",
                       ExpressionAttributeValues={":neg": N(-1)})
    assert len(pages) == ITEM_COUNT // 40 + 1
    assert all(p["Items"] == [] and p["Count"] == 0 for p in pages)
    assert all("LastEvaluatedKey" in p for p in pages[:-1])


def test_scan_projection_expression(ddb, sc):
    # A projection returns only the named attributes of every item.
    table, items = sc
    got = all_items(scan_pages(ddb, table, ProjectionExpression="#n, tg",
                               ExpressionAttributeNames={"#n": "n"}))
    assert len(got) == ITEM_COUNT
    assert sorted((int(i["n"]["N"]), i["tg"]["S"]) for i in got) == \
        sorted((int(i["n"]["N"]), i["tg"]["S"]) for i in items)
    assert all(set(i) == {"n", "tg"} for i in got)


def test_scan_select_count(ddb, sc):
    # Select COUNT counts without returning items.
    table, _ = sc
    resp = scan(ddb, table, Select="COUNT")
    assert resp["Count"] == resp["ScannedCount"] == ITEM_COUNT
    assert resp.get("Items", []) == []
    resp = scan(ddb, table, Select="COUNT", FilterExpression="odd = :f",
                ExpressionAttributeValues={":f": {"BOOL": False}})
    assert resp["Count"] == ITEM_COUNT // 2
    assert resp["ScannedCount"] == ITEM_COUNT


def test_scan_exclusive_start_key_continues(ddb, sc):
    # A page started from another page's LastEvaluatedKey continues exactly after it.
    table, _ = sc
    full = keys_of(all_items(scan_pages(ddb, table)))
    first = scan(ddb, table, Limit=25)
    second = scan(ddb, table, Limit=25, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert keys_of(first["Items"]) == full[:25]
    assert keys_of(second["Items"]) == full[25:50]


def test_scan_consistent_read_both_ways(ddb, sc):
    # ConsistentRead true and false are both accepted on a table scan.
    table, _ = sc
    assert scan(ddb, table, ConsistentRead=True, Select="COUNT")["Count"] == ITEM_COUNT
    assert ddb.scan(TableName=table, ConsistentRead=False, Select="COUNT")["Count"] <= ITEM_COUNT


# --- 1 MB pages ------------------------------------------------------------------------------

def test_scan_one_megabyte_pages(ddb, big):
    # A page stops after 1 MB of items read; paging then returns every item exactly once.
    table, items = big
    first = scan(ddb, table)
    assert "LastEvaluatedKey" in first
    assert 50 <= first["Count"] < BIG_ITEM_COUNT
    assert sum(item_bytes(i) for i in first["Items"]) <= ONE_MB + BIG_ITEM_BYTES
    pages = scan_pages(ddb, table)
    got = [i["pk"]["S"] for i in all_items(pages)]
    assert len(got) == len(set(got)) == BIG_ITEM_COUNT
    assert set(got) == {i["pk"]["S"] for i in items}


def test_scan_one_megabyte_is_measured_before_filter_and_projection(ddb, big):
    # The 1 MB limit counts items read: filtering everything out stops at the same point.
    table, _ = big
    plain = scan(ddb, table)
    filtered = scan(ddb, table, FilterExpression="payload = :no", ProjectionExpression="pk",
                    ExpressionAttributeValues={":no": S("nothing")})
    assert filtered["Count"] == 0
    assert filtered["ScannedCount"] == plain["Count"]
    assert filtered["LastEvaluatedKey"] == plain["LastEvaluatedKey"]
    counted = scan(ddb, table, Select="COUNT")
    assert counted["ScannedCount"] == plain["Count"]


# --- parallel scan ---------------------------------------------------------------------------

@pytest.mark.parametrize("total", [1, 2, 4, 7, 100])
def test_parallel_scan_segments_partition_the_table(ddb, sc, total):
    # Each item is in exactly one segment: the union of all segments is the full scan.
    table, items = sc
    union = []
    for segment in range(total):
        pages = scan_pages(ddb, table, Segment=segment, TotalSegments=total)
        union.extend(keys_of(all_items(pages)))
    assert len(union) == len(set(union)) == ITEM_COUNT
    assert sorted(union) == sorted(keys_of(items))


def test_parallel_scan_segments_are_stable_and_pageable(ddb, sc):
    # A segment read with a small Limit returns the same items as the segment read whole,
    # and a partition's items all fall in one segment.
    table, _ = sc
    for segment in range(3):
        whole = keys_of(all_items(scan_pages(ddb, table, Segment=segment, TotalSegments=3)))
        paged = keys_of(all_items(scan_pages(ddb, table, Segment=segment, TotalSegments=3,
                                             Limit=4)))
        assert paged == whole
    owner = {}
    for segment in range(7):
        for pk, _ in keys_of(all_items(scan_pages(ddb, table, Segment=segment,
                                                  TotalSegments=7))):
            assert owner.setdefault(pk, segment) == segment


def test_parallel_scan_single_segment_is_the_full_scan(ddb, sc):
    # TotalSegments 1 is the whole table.
    table, _ = sc
    assert keys_of(all_items(scan_pages(ddb, table, Segment=0, TotalSegments=1))) == \
        keys_of(all_items(scan_pages(ddb, table)))


def test_parallel_scan_with_filter_and_count(ddb, sc):
    # Filters and Select COUNT work per segment and add up to the whole table's numbers.
    table, _ = sc
    total = 4
    counts = [scan(ddb, table, Segment=s, TotalSegments=total, Select="COUNT",
                   FilterExpression="odd = :t",
                   ExpressionAttributeValues={":t": {"BOOL": True}}) for s in range(total)]
    assert sum(c["Count"] for c in counts) == ITEM_COUNT // 2
    assert sum(c["ScannedCount"] for c in counts) == ITEM_COUNT


# --- validation errors -----------------------------------------------------------------------

def test_segment_without_total_segments(ddb, sc):
    # Segment needs TotalSegments.
    table, _ = sc
    scan_error(ddb, table, "The TotalSegments parameter is required but was not present in the "
                           "request when Segment parameter is present", Segment=1)


def test_total_segments_without_segment(ddb, sc):
    # TotalSegments needs Segment.
    table, _ = sc
    scan_error(ddb, table, "The Segment parameter is required but was not present in the request "
                           "when parameter TotalSegments is present", TotalSegments=4)


@pytest.mark.parametrize("total,message", [
    (0, "Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1"),
    (1000001, "Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have "
              "value less than or equal to 1000000"),
])
def test_total_segments_out_of_range(ddb, sc, total, message):
    # TotalSegments is 1 to 1,000,000 (a constraint error in the AWS format).
    table, _ = sc
    scan_error(ddb, table, message, Segment=0, TotalSegments=total)


def test_total_segments_maximum_is_accepted(ddb, sc):
    # 1,000,000 segments is allowed; each is then (almost always) tiny.
    table, _ = sc
    resp = scan(ddb, table, Segment=999_999, TotalSegments=1_000_000)
    assert resp["Count"] <= ITEM_COUNT


@pytest.mark.parametrize("segment,total", [(5, 5), (7, 5), (1, 1)])
def test_segment_not_less_than_total_segments(ddb, sc, segment, total):
    # Segment is zero-based and must be below TotalSegments.
    table, _ = sc
    scan_error(ddb, table,
               "The Segment parameter is zero-based and must be less than parameter "
               f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}",
               Segment=segment, TotalSegments=total)


def test_negative_segment(ddb, sc):
    # Segment has a minimum of 0 (a constraint error).
    table, _ = sc
    scan_error(ddb, table, "Value '-1' at 'segment' failed to satisfy constraint: Member must "
                           "have value greater than or equal to 0",
               Segment=-1, TotalSegments=2)


def test_exclusive_start_key_from_another_segment(ddb, sc):
    # A start key must belong to the segment being scanned.
    table, _ = sc
    other = scan(ddb, table, Segment=1, TotalSegments=2, Limit=1)
    assert other["Items"], "segment 1 of 2 is expected to hold some of the 200 items"
    start = {"pk": other["Items"][0]["pk"], "sk": other["Items"][0]["sk"]}
    scan_error(ddb, table,
               "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
               "ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0",
               Segment=0, TotalSegments=2, ExclusiveStartKey=start)


@pytest.mark.parametrize("start", [
    {"pk": S("x")},                                  # sort key missing
    {"pk": S("x"), "sk": S("1")},                    # sort key of the wrong type
    {"pk": S("x"), "nope": N(1)},                    # a non-key attribute
])
def test_exclusive_start_key_not_matching_the_schema(ddb, sc, start):
    # A start key must be exactly the table's primary key.
    table, _ = sc
    scan_error(ddb, table, "The provided starting key is invalid: The provided key element does "
                           "not match the schema", ExclusiveStartKey=start)


def test_exclusive_start_key_with_an_invalid_value(ddb, sc):
    # A start key's values are checked as a Key's are: the message is GetItem's, not the one
    # for ExpressionAttributeValues (which the same request may carry).
    table, _ = sc
    scan_error(ddb, table, "The parameter cannot be converted to a numeric value: abc",
               ExclusiveStartKey={"pk": S("x"), "sk": N("abc")})
    scan_error(ddb, table, "ExpressionAttributeValues contains invalid value: The parameter "
                           "cannot be converted to a numeric value: abc",
               FilterExpression="v = :v", ExpressionAttributeValues={":v": N("abc")})


@pytest.mark.parametrize("limit", [0, -5])
def test_scan_limit_below_one(ddb, sc, limit):
    # Limit must be at least 1.
    table, _ = sc
    scan_error(ddb, table, f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must "
                           "have value greater than or equal to 1", Limit=limit)


def test_scan_select_count_with_projection(ddb, sc):
    # COUNT and a projection contradict each other.
    table, _ = sc
    scan_error(ddb, table,
               "Cannot specify the ProjectionExpression when choosing to get only the Count",
               Select="COUNT", ProjectionExpression="n")


def test_scan_select_specific_attributes_without_projection(ddb, sc):
    # SPECIFIC_ATTRIBUTES requires naming the attributes.
    table, _ = sc
    scan_error(ddb, table,
               "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
               "SPECIFIC_ATTRIBUTES", Select="SPECIFIC_ATTRIBUTES")


def test_scan_select_all_projected_attributes_without_index(ddb, sc):
    # ALL_PROJECTED_ATTRIBUTES is for indexes (the message says "Querying" for Scan too).
    table, _ = sc
    scan_error(ddb, table,
               "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
               Select="ALL_PROJECTED_ATTRIBUTES")


def test_scan_filter_errors(ddb, sc):
    # Filter expressions are validated like conditions: undefined values, unused names.
    table, _ = sc
    scan_error(ddb, table,
               "Invalid FilterExpression: An expression attribute value used in expression is "
               "not defined; attribute value: :v", FilterExpression="n = :v")
    scan_error(ddb, table,
               "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
               FilterExpression="n = :v", ExpressionAttributeValues={":v": N(1)},
               ExpressionAttributeNames={"#x": "n"})


def test_scan_unknown_table(ddb):
    # Scanning a missing table is ResourceNotFoundException.
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=unique_table_name("missing"))
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")
