# TransactWriteItems and TransactGetItems (issue 9): all-or-nothing writes with conditions,
# positional cancellation reasons, ClientRequestToken idempotency, snapshot reads, capacity,
# and a bank-transfer run under contention whose invariants must always hold.

import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, assert_client_error, assert_validation, make_client, unique_key

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "
MULTIPLE = "Transaction request cannot include multiple operations on one item"


def put(table, item, **extra):
    return {"Put": dict({"TableName": table, "Item": item}, **extra)}


def update(table, key, expr, values=None, cond=None, **extra):
    u = {"TableName": table, "Key": key, "UpdateExpression": expr}
    if values:
        u["ExpressionAttributeValues"] = values
    if cond:
        u["ConditionExpression"] = cond
    u.update(extra)
    return {"Update": u}


def check(table, key, cond, values=None, **extra):
    c = {"TableName": table, "Key": key, "ConditionExpression": cond}
    if values:
        c["ExpressionAttributeValues"] = values
    c.update(extra)
    return {"ConditionCheck": c}


def delete(table, key, **extra):
    return {"Delete": dict({"TableName": table, "Key": key}, **extra)}


def cancellation(excinfo):
    err = excinfo.value.response["Error"]
    assert err["Code"] == "TransactionCanceledException", err
    return err["Message"], excinfo.value.response["CancellationReasons"]


def item(ddb, table, pk):
    return ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True).get("Item")


# --- TransactWriteItems ------------------------------------------------------------------------

def test_all_actions_commit_together(ddb, table_s, table_sn):
    p = unique_key("tx")
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-del")})
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-upd"), "n": N(1)})
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-chk"), "ok": N(1)})
    resp = ddb.transact_write_items(TransactItems=[
        put(table_sn, {"pk": S(p), "sk": N(1), "a": S("x")}),
        delete(table_s, {"pk": S(p + "-del")}),
        update(table_s, {"pk": S(p + "-upd")}, "SET n = n + :one", {":one": N(1)}),
        check(table_s, {"pk": S(p + "-chk")}, "ok = :one", {":one": N(1)}),
    ])
    assert "ConsumedCapacity" not in resp and "ItemCollectionMetrics" not in resp
    assert ddb.get_item(TableName=table_sn, Key={"pk": S(p), "sk": N(1)})["Item"]["a"] == S("x")
    assert item(ddb, table_s, p + "-del") is None
    assert item(ddb, table_s, p + "-upd")["n"] == N(2)
    assert item(ddb, table_s, p + "-chk") == {"pk": S(p + "-chk"), "ok": N(1)}


def test_a_failed_condition_cancels_everything_with_positional_reasons(ddb, table_s):
    p = unique_key("txfail")
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-a"), "v": N(1)})
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-b"), "v": N(5)})
    ddb.put_item(TableName=table_s, Item={"pk": S(p + "-c")})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(p + "-new")}),
            update(table_s, {"pk": S(p + "-a")}, "SET v = :two", {":two": N(2), ":one": N(1)},
                   "v = :one"),
            check(table_s, {"pk": S(p + "-b")}, "v = :one", {":one": N(1)},
                  ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            delete(table_s, {"pk": S(p + "-c")}, ConditionExpression="attribute_not_exists(pk)"),
        ])
    message, reasons = cancellation(e)
    assert message == CANCELLED + "[None, None, ConditionalCheckFailed, ConditionalCheckFailed]"
    assert reasons == [
        {"Code": "None"},
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {"pk": S(p + "-b"), "v": N(5)}},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    assert item(ddb, table_s, p + "-new") is None
    assert item(ddb, table_s, p + "-a")["v"] == N(1)
    assert item(ddb, table_s, p + "-c") is not None


def test_cancellation_body_on_the_wire(ddb, table_s):
    # The error body spells its message key "Message" and lists the reasons beside it.
    from conftest import raw_dynamodb_call
    p = unique_key("txwire")
    status, body = raw_dynamodb_call("TransactWriteItems", {"TransactItems": [
        check(table_s, {"pk": S(p)}, "attribute_exists(pk)")]})
    assert status == 400
    assert body == {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": CANCELLED + "[ConditionalCheckFailed]",
        "CancellationReasons": [{"Code": "ConditionalCheckFailed",
                                 "Message": "The conditional request failed"}]}


def test_problems_with_the_stored_item_are_validation_error_reasons(ddb, table_s):
    p = unique_key("txve")
    ddb.put_item(TableName=table_s, Item={"pk": S(p), "s": S("text")})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(p + "-x")}),
            update(table_s, {"pk": S(p)}, "ADD s :one", {":one": N(1)}),
            check(table_s, {"pk": S(p + "-missing")}, "attribute_exists(pk)"),
        ])
    message, reasons = cancellation(e)
    # The service examines no action after the first invalid one.
    assert message == CANCELLED + "[None, ValidationError, None]"
    assert reasons[1] == {"Code": "ValidationError", "Message": "An operand in the update "
                          "expression has an incorrect data type"}
    assert item(ddb, table_s, p + "-x") is None


def test_a_key_of_the_wrong_type_is_a_validation_error_reason(ddb, table_s):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(unique_key("txk"))}),
            delete(table_s, {"pk": N(1)})])
    message, reasons = cancellation(e)
    assert message == CANCELLED + "[None, ValidationError]"
    assert reasons[1] == {"Code": "ValidationError",
                          "Message": "The provided key element does not match the schema"}


def test_two_actions_on_one_item(ddb, table_s):
    p = unique_key("txdup")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(p)}),
            check(table_s, {"pk": S(p)}, "attribute_not_exists(pk)")])
    assert_validation(e, MULTIPLE)
    assert item(ddb, table_s, p) is None


def test_request_only_problems_are_reported_before_tables(ddb, table_s):
    p = unique_key("txorder")
    # A syntax error in the second action is reported although the first names no table.
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put("no-such-table-tx", {"pk": S(p)}),
            check(table_s, {"pk": S(p)}, "attribute_exists(")])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"].startswith("Invalid ConditionExpression: Syntax error")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put("no-such-table-tx", {"pk": S(p)})])
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(p)}, ExpressionAttributeValues={":unused": N(1)},
                ConditionExpression="attribute_not_exists(pk)")])
    assert_validation(e, "Value provided in ExpressionAttributeValues unused in expressions: "
                         "keys: {:unused}")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(p), "big": S("x" * 409600)})])
    assert_validation(e, "Item size has exceeded the maximum allowed size")


def test_transact_items_limits(ddb, table_s):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length greater than or equal to 1" in e.value.response["Error"]["Message"]
    p = unique_key("tx101")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put(table_s, {"pk": S(f"{p}-{i}")})
                                                for i in range(101)])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 100" in e.value.response["Error"]["Message"]
    resp = ddb.transact_write_items(TransactItems=[put(table_s, {"pk": S(f"{p}-{i}")})
                                                   for i in range(100)])
    assert item(ddb, table_s, f"{p}-99") is not None
    # More than 4 MB of payload in one transaction.
    big = "x" * 400000
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put(table_s, {"pk": S(f"{p}-b{i}"), "b": S(big)})
                                                for i in range(11)])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "size cannot exceed" in e.value.response["Error"]["Message"]


def test_capacity_is_twice_the_plain_units(ddb, table_s):
    p = unique_key("txcc")
    resp = ddb.transact_write_items(TransactItems=[
        put(table_s, {"pk": S(p + "-1")}),
        put(table_s, {"pk": S(p + "-2"), "big": S("x" * 1500)})], ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [
        {"TableName": table_s, "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0}]
    resp = ddb.transact_write_items(TransactItems=[
        check(table_s, {"pk": S(p + "-1")}, "attribute_exists(pk)")],
        ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == [
        {"TableName": table_s, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
         "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}]


def test_client_request_token_replays_without_applying_twice(ddb, table_s):
    p = unique_key("txtok")
    token = str(uuid.uuid4())
    items = [update(table_s, {"pk": S(p)}, "ADD n :one", {":one": N(1)})]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    resp = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token,
                                    ReturnConsumedCapacity="TOTAL")
    assert item(ddb, table_s, p)["n"] == N(1)
    # The replay only reads the item: a transactional read.
    assert resp["ConsumedCapacity"] == [
        {"TableName": table_s, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(
            TransactItems=[update(table_s, {"pk": S(p)}, "ADD n :two", {":two": N(2)})],
            ClientRequestToken=token)
    assert e.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert item(ddb, table_s, p)["n"] == N(1)
    # Another token applies again.
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
    assert item(ddb, table_s, p)["n"] == N(2)


def test_a_cancelled_transaction_does_not_keep_its_token(ddb, table_s):
    p = unique_key("txtokfail")
    token = str(uuid.uuid4())
    items = [update(table_s, {"pk": S(p)}, "SET n = :one", {":one": N(1)},
                    "attribute_exists(pk)")]
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.put_item(TableName=table_s, Item={"pk": S(p)})
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert item(ddb, table_s, p)["n"] == N(1)


def test_client_request_token_length(ddb, table_s):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put(table_s, {"pk": S("x")})],
                                 ClientRequestToken="t" * 37)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 36" in e.value.response["Error"]["Message"]


def test_indexes_follow_a_transaction(ddb, new_table):
    table = new_table(
        attribute_definitions=[{"AttributeName": "pk", "AttributeType": "S"},
                               {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    resp = ddb.transact_write_items(TransactItems=[
        put(table, {"pk": S("a"), "g": S("G")}), put(table, {"pk": S("b"), "g": S("G")})],
        ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"][0]["GlobalSecondaryIndexes"] == {"by_g": {"CapacityUnits": 4.0}}
    assert resp["ConsumedCapacity"][0]["CapacityUnits"] == 8.0
    got = ddb.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": S("G")})
    assert got["Count"] == 2
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            update(table, {"pk": S("a")}, "SET g = :h", {":h": S("H")}),
            check(table, {"pk": S("zz")}, "attribute_exists(pk)")])
    got = ddb.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": S("H")})
    assert got["Count"] == 0


# --- TransactGetItems ---------------------------------------------------------------------------

def test_transact_get_is_positional_with_projections(ddb, table_s, table_sn):
    p = unique_key("tg")
    ddb.put_item(TableName=table_s, Item={"pk": S(p), "a": N(1), "b": N(2)})
    ddb.put_item(TableName=table_sn, Item={"pk": S(p), "sk": N(1), "c": S("x")})
    resp = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table_s, "Key": {"pk": S(p)}, "ProjectionExpression": "#b",
                 "ExpressionAttributeNames": {"#b": "b"}}},
        {"Get": {"TableName": table_s, "Key": {"pk": S(p + "-missing")}}},
        {"Get": {"TableName": table_sn, "Key": {"pk": S(p), "sk": N(1)}}},
    ], ReturnConsumedCapacity="TOTAL")
    assert resp["Responses"] == [{"Item": {"b": N(2)}}, {},
                                 {"Item": {"pk": S(p), "sk": N(1), "c": S("x")}}]
    cc = {c["TableName"]: c for c in resp["ConsumedCapacity"]}
    assert cc[table_s] == {"TableName": table_s, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}
    assert cc[table_sn] == {"TableName": table_sn, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}


def test_transact_get_errors(ddb, table_s):
    p = unique_key("tgerr")
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": table_s, "Key": {"pk": S(p)}}},
            {"Get": {"TableName": table_s, "Key": {"pk": S(p)}}}])
    assert_validation(e, MULTIPLE)
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": "no-such-table-tg", "Key": {"pk": S(p)}}}])
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": table_s, "Key": {"pk": S(p)}}},
            {"Get": {"TableName": table_s, "Key": {}}}])
    message, reasons = cancellation(e)
    assert message == CANCELLED + "[None, ValidationError]"
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": table_s, "Key": {"pk": S(p)}, "ProjectionExpression": "a",
                     "ExpressionAttributeNames": {"#x": "x"}}}])
    assert_validation(e, "Value provided in ExpressionAttributeNames unused in expressions: "
                         "keys: {#x}")


# --- The bank: transfers under contention --------------------------------------------------------

def test_bank_transfers_keep_every_invariant(ddb, new_table):
    """16 clients transfer between 10 accounts for a fixed time with TransactWriteItems (two
    version-checked Updates and a ConditionCheck on the bank's open flag), retrying on
    cancellation. A TransactGetItems reader beside them must always see the total unchanged
    and every account's version matching its own ledger; at the end each account's balance and
    version equal what the committed transfers, counted by the clients, say."""
    table = new_table(tag="bank")
    accounts = [f"acct-{i}" for i in range(10)]
    start = 1000
    for a in accounts:
        ddb.put_item(TableName=table, Item={"pk": S(a), "bal": N(start), "v": N(1)})
    ddb.put_item(TableName=table, Item={"pk": S("bank"), "open": {"BOOL": True}})

    stop = time.monotonic() + 6.0
    lock = threading.Lock()
    committed = []   # (from, to, amount)
    cancelled = [0]
    errors = []
    reads = [0]
    bad_reads = []

    def client_loop(seed):
        import random
        rng = random.Random(seed)
        c = make_client()
        while time.monotonic() < stop:
            src, dst = rng.sample(accounts, 2)
            amount = rng.randint(1, 20)
            got = c.transact_get_items(TransactItems=[
                {"Get": {"TableName": table, "Key": {"pk": S(src)}}},
                {"Get": {"TableName": table, "Key": {"pk": S(dst)}}}])["Responses"]
            vs, vd = got[0]["Item"]["v"]["N"], got[1]["Item"]["v"]["N"]
            try:
                c.transact_write_items(TransactItems=[
                    update(table, {"pk": S(src)}, "SET bal = bal - :a, v = v + :one",
                           {":a": N(amount), ":one": N(1), ":v": N(vs)}, "v = :v"),
                    update(table, {"pk": S(dst)}, "SET bal = bal + :a, v = v + :one",
                           {":a": N(amount), ":one": N(1), ":v": N(vd)}, "v = :v"),
                    check(table, {"pk": S("bank")}, "#o = :t", {":t": {"BOOL": True}},
                          ExpressionAttributeNames={"#o": "open"}),
                ])
                with lock:
                    committed.append((src, dst, amount))
            except ClientError as e:
                if e.response["Error"]["Code"] != "TransactionCanceledException":
                    errors.append(e.response["Error"])
                    return
                codes = {r["Code"] for r in e.response["CancellationReasons"]}
                if not codes <= {"None", "ConditionalCheckFailed"}:
                    errors.append(e.response["CancellationReasons"])
                    return
                with lock:
                    cancelled[0] += 1

    def reader_loop():
        c = make_client()
        while time.monotonic() < stop:
            got = c.transact_get_items(TransactItems=[
                {"Get": {"TableName": table, "Key": {"pk": S(a)}}} for a in accounts])
            items = [r["Item"] for r in got["Responses"]]
            total = sum(int(i["bal"]["N"]) for i in items)
            reads[0] += 1
            if total != start * len(accounts):
                bad_reads.append(total)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(16)]
    threads.append(threading.Thread(target=reader_loop))
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert bad_reads == [], "a reader saw a half-applied transfer"
    assert reads[0] > 0 and len(committed) > 0
    balance = {a: start for a in accounts}
    version = {a: 1 for a in accounts}
    for src, dst, amount in committed:
        balance[src] -= amount
        balance[dst] += amount
        version[src] += 1
        version[dst] += 1
    for a in accounts:
        it = item(ddb, table, a)
        assert int(it["bal"]["N"]) == balance[a], a
        assert int(it["v"]["N"]) == version[a], a
    assert sum(balance.values()) == start * len(accounts)


def test_a_replay_is_recognised_whatever_the_json_key_order(ddb, table_s):
    # JSON objects are unordered (the Go SDK writes maps in random order): a repeat with its
    # members and map entries in another order is the same request.
    from conftest import raw_dynamodb_call
    p = unique_key("txorder")
    token = str(uuid.uuid4())
    first = {"ClientRequestToken": token, "TransactItems": [{"Update": {
        "TableName": table_s, "Key": {"pk": S(p)}, "UpdateExpression": "ADD n :one SET m = :m",
        "ExpressionAttributeValues": {":one": N(1), ":m": S("x")}}}]}
    again = {"TransactItems": [{"Update": {
        "ExpressionAttributeValues": {":m": S("x"), ":one": N(1)},
        "UpdateExpression": "ADD n :one SET m = :m", "Key": {"pk": S(p)},
        "TableName": table_s}}], "ClientRequestToken": token}
    assert raw_dynamodb_call("TransactWriteItems", first)[0] == 200
    assert raw_dynamodb_call("TransactWriteItems", again) == (200, {})
    assert item(ddb, table_s, p)["n"] == N(1)
    status, body = raw_dynamodb_call("TransactWriteItems", dict(again, TransactItems=[{"Update": dict(
        again["TransactItems"][0]["Update"], ExpressionAttributeValues={":m": S("y"), ":one": N(1)})}]))
    assert status == 400
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"
    assert "Message" in body


def test_an_empty_key_value_is_the_requests_fault_not_a_cancellation(ddb, table_s):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(table_s, {"pk": S(unique_key("txe"))}), delete(table_s, {"pk": S("")})])
    assert_validation(e, "One or more parameter values are not valid. The AttributeValue for a "
                         "key attribute cannot contain an empty string value. Key: pk")
    # ... and before the tables are looked up.
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put("no-such-table-txe", {"pk": S("a")}), delete(table_s, {"pk": S("")})])
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_an_update_past_400_kb_cancels_with_its_reason(ddb, table_s):
    p = unique_key("txbig")
    ddb.put_item(TableName=table_s, Item={"pk": S(p), "a": S("x" * 300000)})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            update(table_s, {"pk": S(p)}, "SET b = :b", {":b": S("y" * 200000)})])
    message, reasons = cancellation(e)
    assert message == CANCELLED + "[ValidationError]"
    assert reasons == [{"Code": "ValidationError",
                        "Message": "Item size to update has exceeded the maximum allowed size"}]
    # The same update alone is refused with the same words.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=table_s, Key={"pk": S(p)}, UpdateExpression="SET b = :b",
                        ExpressionAttributeValues={":b": S("y" * 200000)})
    assert_validation(e, "Item size to update has exceeded the maximum allowed size")
    assert "b" not in item(ddb, table_s, p)


def test_a_replay_with_set_members_in_another_order_is_the_same_request(ddb, table_s):
    p = unique_key("txset")
    token = str(uuid.uuid4())
    first = [put(table_s, {"pk": S(p), "tags": {"SS": ["a", "b", "c"]}})]
    again = [put(table_s, {"pk": S(p), "tags": {"SS": ["c", "a", "b"]}})]
    ddb.transact_write_items(TransactItems=first, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=again, ClientRequestToken=token)
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(
            TransactItems=[put(table_s, {"pk": S(p), "tags": {"SS": ["a", "b"]}})],
            ClientRequestToken=token)
    assert e.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
