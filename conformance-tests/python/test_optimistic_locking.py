# Optimistic locking, the way clients really do it: the seed scenario (two clients racing on
# version 1), the Java SDK v2 enhanced client's request shapes sent raw, the old item in the
# ConditionalCheckFailedException body, and a put-if-absent race with exactly one winner.


import pytest
from botocore.exceptions import ClientError

from conftest import (race, assert_conditional_failed, make_client, raw_dynamodb_call, unique_key)

CCF_TYPE = "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture(scope="module")
def users_table(ddb, request):
    """A table keyed like the seed scenario: hash key user_id (S)."""
    from conftest import create_table, delete_table_quietly, unique_table_name
    name = unique_table_name("users")
    create_table(ddb, name, [{"AttributeName": "user_id", "KeyType": "HASH"}],
                 [{"AttributeName": "user_id", "AttributeType": "S"}])
    yield name
    delete_table_quietly(ddb, name)


def versioned_update(client, table, user_id, first_name, expected_version):
    """The seed scenario's write: set first_name and bump version, only if version matches."""
    return client.update_item(
        TableName=table, Key={"user_id": S(user_id)},
        UpdateExpression="SET first_name = :fn, version = version + :one",
        ConditionExpression="version = :expected",
        ExpressionAttributeValues={":fn": S(first_name), ":one": N(1), ":expected": N(expected_version)},
        ReturnValues="ALL_NEW")


# --- (a) the seed scenario -------------------------------------------------------------------

def test_seed_scenario_verbatim(ddb, users_table):
    # Issue 3's scenario, sequentially: John wins on version 1, Lisa loses, re-reads, wins on 2.
    user_id = unique_key("123")
    client1, client2 = make_client(), make_client()
    ddb.put_item(TableName=users_table,
                 Item={"user_id": S(user_id), "first_name": S("Original"), "version": N(1)})

    resp = versioned_update(client1, users_table, user_id, "John", 1)
    assert resp["Attributes"] == {"user_id": S(user_id), "first_name": S("John"), "version": N(2)}

    with pytest.raises(ClientError) as e:
        versioned_update(client2, users_table, user_id, "Lisa", 1)
    assert_conditional_failed(e)

    current = client2.get_item(TableName=users_table, Key={"user_id": S(user_id)}, ConsistentRead=True)["Item"]
    assert current == {"user_id": S(user_id), "first_name": S("John"), "version": N(2)}
    resp = versioned_update(client2, users_table, user_id, "Lisa", int(current["version"]["N"]))
    assert resp["Attributes"] == {"user_id": S(user_id), "first_name": S("Lisa"), "version": N(3)}


def test_seed_scenario_concurrent_rounds(ddb, users_table):
    # Two clients race on version 1, 50 times on fresh keys: exactly one wins every round.
    client1, client2 = make_client(), make_client()
    for round_no in range(50):
        user_id = unique_key(f"123-r{round_no}")
        ddb.put_item(TableName=users_table,
                     Item={"user_id": S(user_id), "first_name": S("Original"), "version": N(1)})
        results = race([lambda: versioned_update(client1, users_table, user_id, "John", 1),
                        lambda: versioned_update(client2, users_table, user_id, "Lisa", 1)])
        winners = [i for i, (res, err) in enumerate(results) if err is None]
        losers = [i for i, (res, err) in enumerate(results) if err is not None]
        assert len(winners) == 1, f"round {round_no}: {results}"
        err = results[losers[0]][1]
        assert isinstance(err, ClientError), err
        assert err.response["Error"]["Code"] == "ConditionalCheckFailedException", err.response
        winner_name = ["John", "Lisa"][winners[0]]
        loser_name = ["John", "Lisa"][losers[0]]
        loser_client = [client1, client2][losers[0]]
        assert results[winners[0]][0]["Attributes"]["first_name"] == S(winner_name)

        current = loser_client.get_item(TableName=users_table, Key={"user_id": S(user_id)},
                                        ConsistentRead=True)["Item"]
        assert current == {"user_id": S(user_id), "first_name": S(winner_name), "version": N(2)}
        versioned_update(loser_client, users_table, user_id, loser_name, 2)
        final = ddb.get_item(TableName=users_table, Key={"user_id": S(user_id)}, ConsistentRead=True)["Item"]
        assert final == {"user_id": S(user_id), "first_name": S(loser_name), "version": N(3)}


# --- (b) Java SDK v2 enhanced client (VersionedRecordExtension) shapes, raw ----------------

def test_enhanced_client_first_write_and_versioned_updates(users_table):
    # The exact request shapes DynamoDbEnhancedClient sends for a @DynamoDbVersionAttribute.
    user_id = unique_key("enh")
    first = {
        "TableName": users_table,
        "Item": {"user_id": S(user_id), "first_name": S("Original"), "version": N(1)},
        "ConditionExpression": "attribute_not_exists(#AMZN_MAPPED_version)",
        "ExpressionAttributeNames": {"#AMZN_MAPPED_version": "version"},
    }
    status, body = raw_dynamodb_call("PutItem", first)
    assert (status, body) == (200, {})
    # The same first write again: the record now exists, so it must fail.
    status, body = raw_dynamodb_call("PutItem", first)
    assert status == 400 and body["__type"] == CCF_TYPE, body
    assert body["message"] == "The conditional request failed"
    assert "Item" not in body

    # updateItem(): SET of every mapped attribute plus the version, conditioned on the old version.
    upd = {
        "TableName": users_table,
        "Key": {"user_id": S(user_id)},
        "UpdateExpression": "SET #AMZN_MAPPED_first_name = :AMZN_MAPPED_first_name, "
                            "#AMZN_MAPPED_version = :AMZN_MAPPED_version",
        "ConditionExpression": "#AMZN_MAPPED_version = :old_version_value",
        "ExpressionAttributeNames": {"#AMZN_MAPPED_first_name": "first_name",
                                     "#AMZN_MAPPED_version": "version"},
        "ExpressionAttributeValues": {":AMZN_MAPPED_first_name": S("John"),
                                      ":AMZN_MAPPED_version": N(2),
                                      ":old_version_value": N(1)},
        "ReturnValues": "ALL_NEW",
    }
    status, body = raw_dynamodb_call("UpdateItem", upd)
    assert status == 200, body
    assert body["Attributes"] == {"user_id": S(user_id), "first_name": S("John"), "version": N(2)}
    status, body = raw_dynamodb_call("UpdateItem", upd)  # stale: version is 2 now
    assert status == 400 and body["__type"] == CCF_TYPE, body

    # putItem() of a loaded record: whole-item replace conditioned on the old version.
    put = {
        "TableName": users_table,
        "Item": {"user_id": S(user_id), "first_name": S("Lisa"), "version": N(3)},
        "ConditionExpression": "#AMZN_MAPPED_version = :old_version_value",
        "ExpressionAttributeNames": {"#AMZN_MAPPED_version": "version"},
        "ExpressionAttributeValues": {":old_version_value": N(2)},
    }
    status, body = raw_dynamodb_call("PutItem", put)
    assert (status, body) == (200, {})
    status, body = raw_dynamodb_call("PutItem", put)
    assert status == 400 and body["__type"] == CCF_TYPE, body
    status, body = raw_dynamodb_call("GetItem", {"TableName": users_table, "Key": {"user_id": S(user_id)},
                                                 "ConsistentRead": True})
    assert body["Item"] == {"user_id": S(user_id), "first_name": S("Lisa"), "version": N(3)}


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_return_values_on_condition_check_failure_all_old(ddb, users_table, op):
    # With ALL_OLD the loser gets the current item in the error body, so it need not re-read.
    user_id = unique_key("rvcf")
    stored = {"user_id": S(user_id), "first_name": S("John"), "version": N(2)}
    ddb.put_item(TableName=users_table, Item=stored)
    req = {"TableName": users_table,
           "ConditionExpression": "#v = :old",
           "ExpressionAttributeNames": {"#v": "version"},
           "ExpressionAttributeValues": {":old": N(1)},
           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if op == "PutItem":
        req["Item"] = {"user_id": S(user_id), "first_name": S("Lisa"), "version": N(2)}
    else:
        req["Key"] = {"user_id": S(user_id)}
    if op == "UpdateItem":
        req["UpdateExpression"] = "SET first_name = :fn"
        req["ExpressionAttributeValues"][":fn"] = S("Lisa")
    status, body = raw_dynamodb_call(op, req)
    assert status == 400, body
    assert body["__type"] == CCF_TYPE
    assert body["message"] == "The conditional request failed"
    assert body["Item"] == stored
    # Without the parameter (or with NONE) the body has no Item.
    for rv in (None, "NONE"):
        plain = dict(req)
        del plain["ReturnValuesOnConditionCheckFailure"]
        if rv:
            plain["ReturnValuesOnConditionCheckFailure"] = rv
        status, body = raw_dynamodb_call(op, plain)
        assert status == 400 and body["__type"] == CCF_TYPE, body
        assert "Item" not in body
    assert ddb.get_item(TableName=users_table, Key={"user_id": S(user_id)}, ConsistentRead=True)["Item"] == stored


def test_return_values_on_condition_check_failure_missing_item(users_table):
    # When the item does not exist there is no old item to return.
    user_id = unique_key("rvcf-missing")
    status, body = raw_dynamodb_call("UpdateItem", {
        "TableName": users_table, "Key": {"user_id": S(user_id)},
        "UpdateExpression": "SET first_name = :fn", "ConditionExpression": "attribute_exists(user_id)",
        "ExpressionAttributeValues": {":fn": S("x")}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert status == 400 and body["__type"] == CCF_TYPE, body
    assert "Item" not in body


def test_return_values_on_condition_check_failure_invalid_enum(users_table):
    # Only ALL_OLD and NONE exist.
    status, body = raw_dynamodb_call("PutItem", {
        "TableName": users_table, "Item": {"user_id": S(unique_key())},
        "ConditionExpression": "attribute_not_exists(user_id)",
        "ReturnValuesOnConditionCheckFailure": "ALL_NEW"})
    assert status == 400, body
    assert body["__type"] == "com.amazon.coral.validate#ValidationException"
    msg = body["message"]
    assert msg == ("1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' "
                   "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"), msg


def test_return_values_on_condition_check_failure_success_returns_nothing_extra(users_table):
    # On success the parameter has no effect on the response.
    status, body = raw_dynamodb_call("PutItem", {
        "TableName": users_table, "Item": {"user_id": S(unique_key())},
        "ConditionExpression": "attribute_not_exists(user_id)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert (status, body) == (200, {})


# --- (c) put-if-absent race ------------------------------------------------------------------

def test_put_if_absent_race_has_one_winner(users_table):
    # 16 clients create the same new key with attribute_not_exists: exactly one succeeds.
    clients = [make_client() for _ in range(16)]
    for attempt in range(5):
        user_id = unique_key(f"race{attempt}")

        def put(i):
            return lambda: clients[i].put_item(
                TableName=users_table, Item={"user_id": S(user_id), "owner": N(i)},
                ConditionExpression="attribute_not_exists(user_id)")

        results = race([put(i) for i in range(16)])
        winners = [i for i, (_, err) in enumerate(results) if err is None]
        assert len(winners) == 1, results
        for i, (_, err) in enumerate(results):
            if err is not None:
                assert isinstance(err, ClientError), err
                assert err.response["Error"]["Code"] == "ConditionalCheckFailedException"
        item = clients[0].get_item(TableName=users_table, Key={"user_id": S(user_id)}, ConsistentRead=True)["Item"]
        assert item == {"user_id": S(user_id), "owner": N(winners[0])}
