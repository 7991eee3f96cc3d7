# Multi-attribute GSI keys (DynamoDB, 2025): a GSI's partition key and sort key may each be a
# tuple of up to four attributes. Items are partitioned by all partition attributes together and
# ordered attribute by attribute; a Query names every partition attribute with `=` and may
# constrain the sort attributes left to right, equality first and at most one range last.
# boto3 1.26 predates the feature (it allows two KeySchema elements), so requests go raw.

import pytest

from conftest import N, S, raw_dynamodb_call, unique_table_name, wait_for_active


@pytest.fixture(scope="module")
def tuple_table(ddb):
    name = unique_table_name("multi")
    status, body = raw_dynamodb_call("CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                 {"AttributeName": "tenant", "AttributeType": "S"},
                                 {"AttributeName": "rgn", "AttributeType": "S"},
                                 {"AttributeName": "year", "AttributeType": "N"},
                                 {"AttributeName": "seq", "AttributeType": "N"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by_tenant_region",
            "KeySchema": [{"AttributeName": "tenant", "KeyType": "HASH"},
                          {"AttributeName": "rgn", "KeyType": "HASH"},
                          {"AttributeName": "year", "KeyType": "RANGE"},
                          {"AttributeName": "seq", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]})
    assert status == 200, body
    wait_for_active(ddb, name)
    n = 0
    for tenant in ("acme", "zeta"):
        for region in ("eu", "us"):
            for year in (2023, 2024, 2025):
                for seq in (3, -1, 20):
                    n += 1
                    ddb.put_item(TableName=name, Item={
                        "id": S(f"i{n}"), "tenant": S(tenant), "rgn": S(region),
                        "year": N(year), "seq": N(seq)})
    ddb.put_item(TableName=name, Item={"id": S("sparse"), "tenant": S("acme")})  # no region
    yield name
    ddb.delete_table(TableName=name)


def query(table, condition, values, **extra):
    status, body = raw_dynamodb_call("Query", dict(
        TableName=table, IndexName="by_tenant_region", KeyConditionExpression=condition,
        ExpressionAttributeValues=values, **extra))
    return status, body


def keys(body):
    return [(int(i["year"]["N"]), int(i["seq"]["N"])) for i in body["Items"]]


def test_partition_is_all_partition_attributes(tuple_table):
    # Only items matching every partition attribute, ordered by year then seq (numerically).
    status, body = query(tuple_table, "tenant = :t AND rgn = :r",
                         {":t": S("acme"), ":r": S("eu")})
    assert status == 200, body
    assert keys(body) == [(y, s) for y in (2023, 2024, 2025) for s in (-1, 3, 20)]
    assert all(i["tenant"] == S("acme") and i["rgn"] == S("eu") for i in body["Items"])


def test_equality_then_range_on_sort_attributes(tuple_table):
    # year = 2024 AND seq > 0: equality on the first sort attribute, a range on the second.
    status, body = query(tuple_table, "tenant = :t AND rgn = :r AND #y = :y AND seq > :s",
                         {":t": S("zeta"), ":r": S("us"), ":y": N(2024), ":s": N(0)},
                         ExpressionAttributeNames={"#y": "year"}, ScanIndexForward=False)
    assert status == 200, body
    assert keys(body) == [(2024, 20), (2024, 3)]


def test_range_on_first_sort_attribute(tuple_table):
    # A range on the first sort attribute alone.
    status, body = query(tuple_table, "tenant = :t AND rgn = :r AND #y >= :y",
                         {":t": S("acme"), ":r": S("us"), ":y": N(2025)},
                         ExpressionAttributeNames={"#y": "year"})
    assert status == 200, body
    assert keys(body) == [(2025, -1), (2025, 3), (2025, 20)]


def test_every_partition_attribute_is_required(tuple_table):
    # Naming only some partition attributes is refused.
    status, body = query(tuple_table, "tenant = :t", {":t": S("acme")})
    assert status == 400
    assert body["message"] == "Query condition missed key schema element: rgn"


@pytest.mark.parametrize("condition", [
    "seq = :s",                  # year skipped
    "#y > :y AND seq = :s",      # a range condition before the last attribute named
])
def test_a_sort_attribute_before_a_condition_needs_equality(tuple_table, condition):
    # Sort attributes are conditioned left to right; the one lacking equality is named.
    values = {":t": S("acme"), ":r": S("eu"), ":y": N(2024), ":s": N(3)}
    used = {k: v for k, v in values.items() if k in condition or k in (":t", ":r")}
    names = {"ExpressionAttributeNames": {"#y": "year"}} if "#y" in condition else {}
    status, body = query(tuple_table, "tenant = :t AND rgn = :r AND " + condition, used, **names)
    assert status == 400
    assert body["message"] == ("RANGE key attributes year must have equality conditions "
                               "specified in the query because a condition is present on key "
                               "attribute seq")


def test_paging_carries_every_key_attribute(tuple_table):
    # LastEvaluatedKey holds the table key and all four index key attributes; paging resumes.
    status, body = query(tuple_table, "tenant = :t AND rgn = :r",
                         {":t": S("acme"), ":r": S("eu")}, Limit=4)
    assert status == 200, body
    lek = body["LastEvaluatedKey"]
    assert set(lek) == {"id", "tenant", "rgn", "year", "seq"}
    status, rest = query(tuple_table, "tenant = :t AND rgn = :r",
                         {":t": S("acme"), ":r": S("eu")}, ExclusiveStartKey=lek)
    assert status == 200, rest
    assert keys(body) + keys(rest) == [(y, s) for y in (2023, 2024, 2025) for s in (-1, 3, 20)]
