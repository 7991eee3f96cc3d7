# UpdateTable: adding a GSI to a table that already has items (backfill: CREATING, then
# ACTIVE with every item indexed), deleting one, changing a GSI's throughput, billing mode and
# throughput changes, and the service's rules for what one call may do.

import time

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, assert_validation, create_table, delete_table_quietly, strip_envelope, \
    unique_table_name


NOTHING_TO_DO = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required")


def wait_all_active(ddb, name, timeout=60.0):
    """Polls DescribeTable until the table and every GSI are ACTIVE; returns the description."""
    deadline = time.time() + timeout
    while True:
        d = ddb.describe_table(TableName=name)["Table"]
        gsis = d.get("GlobalSecondaryIndexes", [])
        if d["TableStatus"] == "ACTIVE" and all(g["IndexStatus"] == "ACTIVE" for g in gsis):
            return d
        assert time.time() < deadline, f"{name} not ACTIVE: {d}"
        time.sleep(0.1)


@pytest.fixture
def loaded(ddb):
    """A hash+range table with 300 items, 100 of them without the future GSI key."""
    name = unique_table_name("upd")
    create_table(ddb, name, [{"AttributeName": "pk", "KeyType": "HASH"},
                             {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"}])
    for i in range(300):
        item = {"pk": S(f"p{i % 10}"), "sk": N(i), "v": S("x" * 20)}
        if i % 3:
            item["g"] = S(f"g{i % 4}")
        ddb.put_item(TableName=name, Item=item)
    yield name
    delete_table_quietly(ddb, name)


def add_gsi(ddb, name, index="by_g", projection=None):
    return ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": index,
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": projection or {"ProjectionType": "ALL"}}}])


def test_new_gsi_is_backfilled_with_existing_items(ddb, loaded):
    # Adding an index to a table with data must index every existing item that has the key,
    # and only those (sparse), before the index reports ACTIVE.
    resp = add_gsi(ddb, loaded)["TableDescription"]
    # The answer shows the first phase: the table UPDATING, the index CREATING, not backfilling.
    assert resp["TableStatus"] == "UPDATING"
    gsi = resp["GlobalSecondaryIndexes"][0]
    assert gsi["IndexName"] == "by_g"
    assert (gsi["IndexStatus"], gsi["Backfilling"]) == ("CREATING", False)
    d = wait_all_active(ddb, loaded)
    assert d["GlobalSecondaryIndexes"][0]["ItemCount"] == 200
    total = 0
    for g in range(4):
        pages = ddb.get_paginator("query").paginate(
            TableName=loaded, IndexName="by_g", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": S(f"g{g}")})
        sks = [int(i["sk"]["N"]) for p in pages for i in p["Items"]]
        assert sks == sorted(sks)
        assert all(sk % 3 and sk % 4 == g for sk in sks)
        total += len(sks)
    assert total == 200


def test_writes_after_the_update_maintain_the_new_index(ddb, loaded):
    # Items written while and after the index is built are in it, with their current values.
    add_gsi(ddb, loaded)
    ddb.put_item(TableName=loaded, Item={"pk": S("new"), "sk": N(1000), "g": S("fresh")})
    ddb.update_item(TableName=loaded, Key={"pk": S("p1"), "sk": N(1)},
                    UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": S("fresh")})
    wait_all_active(ddb, loaded)
    got = ddb.query(TableName=loaded, IndexName="by_g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": S("fresh")})["Items"]
    assert sorted(int(i["sk"]["N"]) for i in got) == [1, 1000]


def test_delete_gsi(ddb, loaded):
    # A deleted index disappears from the description and can no longer be queried.
    add_gsi(ddb, loaded)
    wait_all_active(ddb, loaded)
    resp = ddb.update_table(TableName=loaded,
                            GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_g"}}])
    # The answer shows the index DELETING (without Backfilling) and the table UPDATING.
    answer = resp["TableDescription"]
    assert answer["TableStatus"] == "UPDATING"
    [gone] = answer["GlobalSecondaryIndexes"]
    assert (gone["IndexName"], gone["IndexStatus"]) == ("by_g", "DELETING")
    assert "Backfilling" not in gone
    d = wait_all_active(ddb, loaded)
    assert not d.get("GlobalSecondaryIndexes")
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=loaded, IndexName="by_g", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("g1")})
    assert_validation(e, "The table does not have the specified index: by_g")


def test_one_index_create_or_delete_per_call(ddb, loaded):
    # DynamoDB builds or drops one index at a time per UpdateTable call.
    spec = lambda n: {"Create": {"IndexName": n, "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}}
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded,
                         AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[spec("one"), spec("two")])
    assert e.value.response["Error"]["Code"] == "LimitExceededException"


def test_update_table_needs_something_to_do(ddb, loaded):
    # An UpdateTable that changes nothing is a ValidationException.
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded)
    assert_validation(e, NOTHING_TO_DO)
    # An empty GlobalSecondaryIndexUpdates list counts as nothing; beside a change it is refused.
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded, GlobalSecondaryIndexUpdates=[])
    assert_validation(e, NOTHING_TO_DO)
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded, GlobalSecondaryIndexUpdates=[],
                         BillingMode="PAY_PER_REQUEST")
    assert_validation(e, "One or more parameter values were invalid: List of "
                         "GlobalSecondaryIndexUpdates is empty")
    # The request is checked before the table is looked up.
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=unique_table_name("none"))
    assert_validation(e, NOTHING_TO_DO)


def test_delete_unknown_index(ddb, loaded):
    # Deleting an index the table does not have is ResourceNotFoundException.
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded,
                         GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_new_index_key_must_be_defined(ddb, loaded):
    # A new index needs AttributeDefinitions in the same call, and they must define its keys.
    create = {"Create": {
        "IndexName": "by_h", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"},
                                           {"AttributeName": "sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}}
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded, GlobalSecondaryIndexUpdates=[create])
    assert_validation(e, "One or more parameter values were invalid: AttributeDefinitions is not "
                         "specified for index: by_h")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=loaded, GlobalSecondaryIndexUpdates=[create],
                         AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}])
    assert_validation(e, "One or more parameter values were invalid: Some index key attributes are "
                         "not defined in AttributeDefinitions. Keys: [h, sk], "
                         "AttributeDefinitions: [x]")
    # The new key alone is enough: the table's own sk is already defined.
    ddb.update_table(TableName=loaded, GlobalSecondaryIndexUpdates=[create],
                     AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}])
    assert wait_all_active(ddb, loaded)["GlobalSecondaryIndexes"][0]["IndexName"] == "by_h"


def test_billing_mode_and_throughput(ddb, loaded):
    # Switching to PROVISIONED needs throughput, which DescribeTable then reports; switching back
    # to PAY_PER_REQUEST reports zero throughput.
    d = ddb.update_table(TableName=loaded, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3})
    d = wait_all_active(ddb, loaded)
    assert d["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    ddb.update_table(TableName=loaded, BillingMode="PAY_PER_REQUEST")
    d = wait_all_active(ddb, loaded)
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    # The items are untouched by all this.
    assert d["ItemCount"] == 300


def test_update_unknown_table(ddb):
    # UpdateTable of a table that does not exist is ResourceNotFoundException.
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=unique_table_name("none"), BillingMode="PAY_PER_REQUEST")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- AttributeDefinitions follow the keys ----------------------------------------------------

def defined(ddb, name):
    d = ddb.describe_table(TableName=name)["Table"]
    return {a["AttributeName"]: a["AttributeType"] for a in d["AttributeDefinitions"]}


def test_attribute_definitions_keep_only_what_keys_use(ddb, loaded):
    # A definition no key uses is dropped; a deleted index's key attributes go with it, so the
    # index can come back with another key type.
    ddb.update_table(
        TableName=loaded,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "unused", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    assert defined(ddb, loaded) == {"pk": "S", "sk": "N", "g": "S"}
    wait_all_active(ddb, loaded)
    ddb.update_table(TableName=loaded, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_g"}}])
    assert defined(ddb, loaded) == {"pk": "S", "sk": "N"}
    ddb.update_table(
        TableName=loaded, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_g_n", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    assert defined(ddb, loaded) == {"pk": "S", "sk": "N", "g": "N"}
    d = wait_all_active(ddb, loaded)
    assert d["GlobalSecondaryIndexes"][0]["ItemCount"] == 0  # every g is a string
    # A key's type still cannot change while the key is in use.
    with pytest.raises(ClientError) as e:
        ddb.update_table(
            TableName=loaded, AttributeDefinitions=[{"AttributeName": "sk", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by_sk", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    assert_validation(e, "One or more parameter values were invalid: Cannot change the type of "
                         "attribute sk from N to S")


# --- While a GSI is being created (GSI.OnlineOps) ---------------------------------------------
# With -delayTransientStatuses a new index stays CREATING (backfilling) for a moment, long enough
# to make calls against it.

def test_what_may_happen_while_a_gsi_is_created():
    from test_server_options import DDBD_BIN, OwnServer, client
    if not DDBD_BIN:
        pytest.skip("DDBD_BIN is not set")
    server = OwnServer("-delayTransientStatuses", "-inMemory")
    try:
        c = client(server.endpoint)
        keys = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        # A new table's GSIs are CREATING with it (no Backfilling); it cannot be deleted yet.
        c.create_table(TableName="young", BillingMode="PAY_PER_REQUEST", KeySchema=keys["KeySchema"],
                       AttributeDefinitions=keys["AttributeDefinitions"] + [
                           {"AttributeName": "g", "AttributeType": "S"}],
                       GlobalSecondaryIndexes=[{
                           "IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
                           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
        d = c.describe_table(TableName="young")["Table"]
        assert d["TableStatus"] == "CREATING"
        assert d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
        assert "Backfilling" not in d["GlobalSecondaryIndexes"][0]
        with pytest.raises(ClientError) as e:
            c.delete_table(TableName="young")
        assert e.value.response["Error"]["Code"] == "ResourceInUseException"
        assert strip_envelope(e.value.response["Error"]["Message"]) == (
            "Attempt to change a resource which is still in use: Table is being created: young")

        c.create_table(TableName="busy", ProvisionedThroughput={
            "ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, **keys)
        c.get_waiter("table_exists").wait(TableName="busy", WaiterConfig={"Delay": 0.2})
        for i in range(20):
            c.put_item(TableName="busy", Item={"pk": S(f"p{i}"), "g": S("x")})
        gsi = lambda name: {"Create": {
            "IndexName": name, "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}
        g_def = [{"AttributeName": "g", "AttributeType": "S"}]
        c.update_table(TableName="busy", AttributeDefinitions=g_def,
                       GlobalSecondaryIndexUpdates=[gsi("by_g")])
        # The table is ACTIVE while the index backfills (CREATING, Backfilling true).
        d = c.describe_table(TableName="busy")["Table"]
        assert d["TableStatus"] == "ACTIVE"
        assert d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
        assert d["GlobalSecondaryIndexes"][0]["Backfilling"] is True

        def in_use(call, code="ResourceInUseException", message=None):
            with pytest.raises(ClientError) as e:
                call()
            assert e.value.response["Error"]["Code"] == code
            if message:
                assert strip_envelope(e.value.response["Error"]["Message"]) == message

        # Not allowed: deleting the table, other changes, another index create.
        in_use(lambda: c.delete_table(TableName="busy"), message=(
            "Attempt to change a resource which is still in use: Cannot delete table while "
            "indexes are being created, updated, or deleted."))
        in_use(lambda: c.update_table(TableName="busy", BillingMode="PAY_PER_REQUEST"),
               message="Attempt to change a resource which is still in use: Table is being "
                       "updated: busy")
        in_use(lambda: c.update_table(TableName="busy", AttributeDefinitions=g_def,
                                      GlobalSecondaryIndexUpdates=[gsi("by_g2")]),
               code="LimitExceededException")
        # Allowed: throughput of the table and of the index being built.
        c.update_table(TableName="busy", ProvisionedThroughput={
            "ReadCapacityUnits": 5, "WriteCapacityUnits": 4})
        c.update_table(TableName="busy", GlobalSecondaryIndexUpdates=[{"Update": {
            "IndexName": "by_g",
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}}}])
        d = c.describe_table(TableName="busy")["Table"]
        assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
        index = d["GlobalSecondaryIndexes"][0]
        assert index["IndexStatus"] == "CREATING"
        assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
        # Allowed: deleting the index while it backfills.
        c.update_table(TableName="busy", GlobalSecondaryIndexUpdates=[{"Delete": {
            "IndexName": "by_g"}}])
        d = c.describe_table(TableName="busy")["Table"]
        assert "GlobalSecondaryIndexes" not in d
        assert d["TableStatus"] == "ACTIVE"
        assert d["AttributeDefinitions"] == keys["AttributeDefinitions"]
        c.delete_table(TableName="busy")
    finally:
        server.stop()
