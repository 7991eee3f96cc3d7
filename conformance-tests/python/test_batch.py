# BatchGetItem and BatchWriteItem (issue 9): reads and writes of many items across tables, their
# limits, duplicate checks, validation order and messages, capacity and response shapes.

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, assert_client_error, assert_validation, norm, unique_key

KEY_MISMATCH = "The provided key element does not match the schema"
DUPLICATES = "Provided list of item keys contains duplicates"


def put_requests(items):
    return [{"PutRequest": {"Item": item}} for item in items]


# --- BatchWriteItem ----------------------------------------------------------------------------

def test_batch_write_puts_and_deletes_across_tables(ddb, table_s, table_sn):
    p = unique_key("bw")
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-old")})
    resp = ddb.batch_write_item(RequestItems={
        table_s: put_requests([{"pk": S(f"{p}-{i}"), "n": N(i)} for i in range(3)])
        + [{"DeleteRequest": {"Key": {"pk": S(p + "-old")}}}],
        table_sn: put_requests([{"pk": S(p), "sk": N(i)} for i in range(2)]),
    })
    assert resp["UnprocessedItems"] == {}
    assert "ConsumedCapacity" not in resp
    for i in range(3):
        assert ddb.get_item(TableName=table_s, Key={"pk": S(f"{p}-{i}")})["Item"]["n"] == N(i)
    assert "Item" not in ddb.get_item(TableName=table_s, Key={"pk": S(p + "-old")})
    got = ddb.query(TableName=table_sn, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": S(p)})
    assert got["Count"] == 2


def test_batch_write_twenty_five_requests_and_no_more(ddb, table_s):
    p = unique_key("bw25")
    resp = ddb.batch_write_item(RequestItems={
        table_s: put_requests([{"pk": S(f"{p}-{i}")} for i in range(25)])})
    assert resp["UnprocessedItems"] == {}
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={
            table_s: put_requests([{"pk": S(f"{p}-x{i}")} for i in range(26)])})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 25" in e.value.response["Error"]["Message"]
    assert "Item" not in ddb.get_item(TableName=table_s, Key={"pk": S(f"{p}-x0")})


def test_batch_write_capacity_is_one_entry_per_table(ddb, table_s, table_sn):
    p = unique_key("bwcc")
    resp = ddb.batch_write_item(RequestItems={
        table_s: put_requests([{"pk": S(f"{p}-{i}"), "big": S("x" * 1500)} for i in range(3)]),
        table_sn: [{"DeleteRequest": {"Key": {"pk": S(p), "sk": N(1)}}}],
    }, ReturnConsumedCapacity="TOTAL")
    cc = sorted(resp["ConsumedCapacity"], key=lambda c: c["TableName"] != table_s)
    # Each item is rounded up to 1 KB on its own: 3 x 2 units; a delete of nothing costs 1.
    assert cc == [{"TableName": table_s, "CapacityUnits": 6.0},
                  {"TableName": table_sn, "CapacityUnits": 1.0}]
    resp = ddb.batch_write_item(RequestItems={table_s: put_requests([{"pk": S(p + "-i")}])},
                                ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == [
        {"TableName": table_s, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}]


def test_batch_write_duplicate_keys_are_refused_and_nothing_is_written(ddb, table_s):
    p = unique_key("bwdup")
    for requests in (
        put_requests([{"pk": S(p)}, {"pk": S(p), "a": N(1)}]),
        [{"PutRequest": {"Item": {"pk": S(p)}}}, {"DeleteRequest": {"Key": {"pk": S(p)}}}],
        [{"DeleteRequest": {"Key": {"pk": S(p)}}}, {"DeleteRequest": {"Key": {"pk": S(p)}}}],
    ):
        with pytest.raises(ClientError) as e:
            ddb.batch_write_item(RequestItems={table_s: requests})
        assert_validation(e, DUPLICATES)
    assert "Item" not in ddb.get_item(TableName=table_s, Key={"pk": S(p)})


def test_batch_write_validates_everything_before_writing(ddb, table_s):
    p = unique_key("bwval")
    good = {"PutRequest": {"Item": {"pk": S(p)}}}
    cases = [
        ([good, {"PutRequest": {"Item": {"pk": N(1)}}}], KEY_MISMATCH),
        ([good, {"PutRequest": {"Item": {"other": S("x")}}}], KEY_MISMATCH),
        ([good, {"DeleteRequest": {"Key": {"pk": S("a"), "extra": S("b")}}}], KEY_MISMATCH),
        ([good, {"PutRequest": {"Item": {"pk": S(p + "2"), "big": S("x" * 409600)}}}],
         "Item size has exceeded the maximum allowed size"),
    ]
    for requests, message in cases:
        with pytest.raises(ClientError) as e:
            ddb.batch_write_item(RequestItems={table_s: requests})
        assert_validation(e, message)
    assert "Item" not in ddb.get_item(TableName=table_s, Key={"pk": S(p)})


def test_batch_write_unknown_table(ddb, table_s):
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={
            table_s: put_requests([{"pk": S(unique_key("bwnt"))}]),
            "no-such-table-bw": put_requests([{"pk": S("x")}])})
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_batch_write_request_with_neither_or_both_requests(ddb, table_s):
    for request in ({}, {"PutRequest": {"Item": {"pk": S("a")}},
                         "DeleteRequest": {"Key": {"pk": S("b")}}}):
        with pytest.raises(ClientError) as e:
            ddb.batch_write_item(RequestItems={table_s: [request]})
        assert_validation(e, "Supplied AttributeValue has more than one datatypes set, must "
                             "contain exactly one of the supported datatypes")


def test_batch_write_empty_request_items(ddb, table_s):
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={})
    assert_validation(e, "The requestItems parameter is required for BatchWriteItem")
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={table_s: []})
    assert_validation(e, f"Value '{{{table_s}=[]}}' at 'requestItems' failed to satisfy constraint: "
                         "Map value must satisfy constraint: [Member must have length less than "
                         "or equal to 25, Member must have length greater than or equal to 1]")
    # A bad enum is reported on its own, before anything about RequestItems.
    from conftest import raw_dynamodb_call
    status, body = raw_dynamodb_call("BatchWriteItem", {"RequestItems": {"bad!name": []},
                                                        "ReturnConsumedCapacity": "BOGUS"})
    assert status == 400
    assert body["message"] == ("1 validation error detected: Value 'BOGUS' at "
                               "'returnConsumedCapacity' failed to satisfy constraint: Member must "
                               "satisfy enum value set: [INDEXES, TOTAL, NONE]")


def test_batch_write_item_collection_metrics(ddb, new_table):
    table = new_table(
        key_schema=[{"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"}],
        attribute_definitions=[{"AttributeName": "pk", "AttributeType": "S"},
                               {"AttributeName": "sk", "AttributeType": "N"},
                               {"AttributeName": "l", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{"IndexName": "by_l", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST")
    resp = ddb.batch_write_item(RequestItems={table: put_requests(
        [{"pk": S("a"), "sk": N(1), "l": S("x")}, {"pk": S("b"), "sk": N(1)}])},
        ReturnItemCollectionMetrics="SIZE")
    metrics = resp["ItemCollectionMetrics"][table]
    assert sorted(m["ItemCollectionKey"]["pk"]["S"] for m in metrics) == ["a", "b"]
    for m in metrics:
        assert m["SizeEstimateRangeGB"] == [0.0, 1.0]


# --- BatchGetItem ------------------------------------------------------------------------------

def test_batch_get_across_tables_with_projection(ddb, table_s, table_sn):
    p = unique_key("bg")
    for i in range(3):
        ddb.put_item(TableName=table_s, Item={"pk": S(f"{p}-{i}"), "a": N(i), "b": S("x")})
    ddb.put_item(TableName=table_sn, Item={"pk": S(p), "sk": N(1), "c": S("y")})
    resp = ddb.batch_get_item(RequestItems={
        table_s: {"Keys": [{"pk": S(f"{p}-{i}")} for i in range(4)],
                  "ProjectionExpression": "#a, pk", "ExpressionAttributeNames": {"#a": "a"}},
        table_sn: {"Keys": [{"pk": S(p), "sk": N(1)}], "ConsistentRead": True},
    })
    assert resp["UnprocessedKeys"] == {}
    got = sorted(resp["Responses"][table_s], key=lambda i: i["pk"]["S"])
    assert got == [{"pk": S(f"{p}-{i}"), "a": N(i)} for i in range(3)]
    assert resp["Responses"][table_sn] == [{"pk": S(p), "sk": N(1), "c": S("y")}]


def test_batch_get_answers_every_table_even_with_nothing_found(ddb, table_s):
    resp = ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"pk": S(unique_key("none"))}]}})
    assert resp["Responses"] == {table_s: []}
    assert resp["UnprocessedKeys"] == {}


def test_batch_get_legacy_attributes_to_get(ddb, table_s):
    p = unique_key("bgatg")
    ddb.put_item(TableName=table_s, Item={"pk": S(p), "a": N(1), "b": N(2)})
    resp = ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"pk": S(p)}],
                                                      "AttributesToGet": ["b"]}})
    assert resp["Responses"][table_s] == [{"b": N(2)}]
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"pk": S(p)}],
                                                   "AttributesToGet": ["b"],
                                                   "ProjectionExpression": "a"}})
    assert_validation(e, "Can not use both expression and non-expression parameters in the same "
                         "request: Non-expression parameters: {AttributesToGet} Expression "
                         "parameters: {ProjectionExpression}")


def test_batch_get_capacity(ddb, table_s):
    p = unique_key("bgcc")
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-1")})
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-2"), "big": S("x" * 5000)})
    keys = [{"pk": S(p + "-1")}, {"pk": S(p + "-2")}, {"pk": S(p + "-3")}]
    # Each read rounds up to 4 KB on its own, a missing item still costs a read; eventually
    # consistent reads cost half.
    resp = ddb.batch_get_item(RequestItems={table_s: {"Keys": keys}},
                              ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table_s, "CapacityUnits": 2.0}]
    resp = ddb.batch_get_item(RequestItems={table_s: {"Keys": keys, "ConsistentRead": True}},
                              ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table_s, "CapacityUnits": 4.0}]


def test_batch_get_limits_and_duplicates(ddb, table_s, table_sn):
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"pk": S("a")}, {"pk": S("a")}]}})
    assert_validation(e, DUPLICATES)
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"pk": S(f"k{i}")} for i in range(101)]}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 100" in e.value.response["Error"]["Message"]
    # 100 keys per call in all, whatever the tables.
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={
            table_s: {"Keys": [{"pk": S(f"k{i}")} for i in range(60)]},
            table_sn: {"Keys": [{"pk": S("k"), "sk": N(i)} for i in range(41)]}})
    assert_validation(e, "Too many items requested for the BatchGetItem call")
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table_s: {"Keys": []}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length greater than or equal to 1" in e.value.response["Error"]["Message"]


def test_batch_get_key_problems(ddb, table_s, table_sn):
    for table, key in ((table_s, {"pk": N(1)}), (table_s, {"other": S("x")}),
                       (table_sn, {"pk": S("x")}), (table_s, {"pk": S("x"), "b": S("y")})):
        with pytest.raises(ClientError) as e:
            ddb.batch_get_item(RequestItems={table: {"Keys": [key]}})
        assert_validation(e, KEY_MISMATCH)
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"no-such-table-bg": {"Keys": [{"pk": S("x")}]}})
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_batch_get_sixteen_megabytes_then_unprocessed_keys(ddb, table_s):
    # 50 items of ~400 KB are ~20 MB: the answer stops at the 16 MB limit and hands back the
    # rest as UnprocessedKeys, which a second call reads.
    p = unique_key("bg16")
    big = "x" * (400 * 1024 - 100)
    keys = [{"pk": S(f"{p}-{i:02d}")} for i in range(50)]
    for i in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={table_s: put_requests(
            [dict(k, big=S(big)) for k in keys[i:i + 25]])})
    resp = ddb.batch_get_item(RequestItems={table_s: {"Keys": keys,
                                                      "ProjectionExpression": "pk, big"}})
    first = resp["Responses"][table_s]
    rest = resp["UnprocessedKeys"][table_s]
    assert 30 <= len(first) < 50
    assert rest["ProjectionExpression"] == "pk, big"
    assert len(first) + len(rest["Keys"]) == 50
    resp = ddb.batch_get_item(RequestItems={table_s: rest})
    seen = {i["pk"]["S"] for i in first} | {i["pk"]["S"] for i in resp["Responses"][table_s]}
    assert seen == {k["pk"]["S"] for k in keys}
    assert resp["UnprocessedKeys"] == {}


def test_batch_empty_key_values(ddb, table_s):
    # An empty key value is refused before the tables are looked up.
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"no-such-table-e": {"Keys": [{"pk": S("")}]}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    empty = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
             "cannot contain an empty string value. Key: pk")
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"pk": S("")}]}})
    assert_validation(e, empty)
    for request in ({"PutRequest": {"Item": {"pk": S("")}}},
                    {"DeleteRequest": {"Key": {"pk": S("")}}}):
        with pytest.raises(ClientError) as e:
            ddb.batch_write_item(RequestItems={table_s: [request]})
        assert_validation(e, empty)
