# UpdateTable's rules for what one call may ask (the service's messages, as recorded from the
# real service): the shape of GlobalSecondaryIndexUpdates, changes that must come alone,
# throughput that does not change, billing switches with GSIs, and the indexes an update names.

import pytest
from botocore.exceptions import ClientError

from conftest import delete_table_quietly, raw_dynamodb_call, strip_envelope, unique_table_name, \
    wait_for_active

INVALID = "One or more parameter values were invalid: "
KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]


def pt(r, w):
    return {"ReadCapacityUnits": r, "WriteCapacityUnits": w}


@pytest.fixture
def prov(ddb):
    """PROVISIONED 5/5 (pk S, sk S) with GSI by_g (g S, 3/3, INCLUDE z, a) and LSI by_l (l S)."""
    name = unique_table_name("rules")
    ddb.create_table(
        TableName=name, KeySchema=KEYS, ProvisionedThroughput=pt(5, 5),
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("pk", "sk", "g", "l")],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["z", "a"]},
            "ProvisionedThroughput": pt(3, 3)}],
        LocalSecondaryIndexes=[{
            "IndexName": "by_l", "KeySchema": [KEYS[0], {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    wait_for_active(ddb, name)
    yield name
    delete_table_quietly(ddb, name)


def fails(call, code, message):
    with pytest.raises(ClientError) as e:
        call()
    err = e.value.response["Error"]
    assert (err["Code"], strip_envelope(err["Message"])) == (code, message)


def update_g(r, w):
    return {"Update": {"IndexName": "by_g", "ProvisionedThroughput": pt(r, w)}}


def create(name, attr="h", throughput=(1, 1)):
    spec = {"IndexName": name, "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}
    if throughput:
        spec["ProvisionedThroughput"] = pt(*throughput)
    return {"Create": spec}


H_DEF = [{"AttributeName": "h", "AttributeType": "S"}]


def test_each_update_entry_holds_exactly_one_action(ddb, prov):
    # Two actions in one entry would be ambiguous; before, ddbd ran both (and deleted the index).
    v = "ValidationException"
    fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by_g"}, **update_g(4, 4)}]), v,
        INVALID + "Only one global secondary index action is allowed per "
                  "GlobalSecondaryIndexUpdate object")
    fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[{}]), v,
          INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                    "GlobalSecondaryIndexUpdate.Delete must not be null")
    fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[
        update_g(4, 4), update_g(6, 6)]), v,
        INVALID + "Only one global secondary index update per index is allowed simultaneously. "
                  "Index: by_g")
    fails(lambda: ddb.update_table(TableName=prov, AttributeDefinitions=[
        {"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by_g"}}, create("by_g", "g")]), v,
        INVALID + "Only one global secondary index update per index is allowed simultaneously. "
                  "Index: by_g")
    d = ddb.describe_table(TableName=prov)["Table"]
    assert d["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 3


def test_changes_that_must_come_alone(ddb, prov):
    v = "ValidationException"
    # (boto3 1.26 predates DeletionProtectionEnabled: raw request.)
    status, body = raw_dynamodb_call("UpdateTable", {
        "TableName": prov, "DeletionProtectionEnabled": True, "ProvisionedThroughput": pt(6, 6)})
    assert (status, body["__type"].split("#")[-1], strip_envelope(body["message"])) == (
        400, v, "DeletionProtection modification must be the only operation in the request")
    fails(lambda: ddb.update_table(TableName=prov, TableClass="STANDARD_INFREQUENT_ACCESS",
                                   GlobalSecondaryIndexUpdates=[update_g(4, 4)]), v,
          "TableClass modification must be the only operation in the request")
    fails(lambda: ddb.update_table(TableName=prov, AttributeDefinitions=H_DEF,
                                   ProvisionedThroughput=pt(6, 6),
                                   GlobalSecondaryIndexUpdates=[create("by_h")]), v,
          "You cannot create or delete index while updating table IOPS")
    # Several GSI updates, or the table's throughput with a GSI's, go together. The answer
    # shows the GSI UPDATING with the throughput it had; DescribeTable then the new one.
    resp = ddb.update_table(TableName=prov, ProvisionedThroughput=pt(6, 6),
                            GlobalSecondaryIndexUpdates=[update_g(4, 4)])
    [answered] = resp["TableDescription"]["GlobalSecondaryIndexes"]
    assert answered["IndexStatus"] == "UPDATING"
    assert answered["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    d = ddb.describe_table(TableName=prov)["Table"]
    assert d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 6
    assert d["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 4


TABLE_5_5_WILL_NOT_CHANGE = (
    "The provisioned throughput for the table will not change. The requested value equals the "
    "current value. Current ReadCapacityUnits provisioned for the table: 5. Requested "
    "ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. Requested "
    "WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and "
    "how to request higher limits.")


def test_throughput_that_does_not_change_is_refused(ddb, prov):
    fails(lambda: ddb.update_table(TableName=prov, ProvisionedThroughput=pt(5, 5)),
          "ValidationException",
          TABLE_5_5_WILL_NOT_CHANGE)
    fails(lambda: ddb.update_table(TableName=prov, BillingMode="PROVISIONED",
                                   ProvisionedThroughput=pt(5, 5)),
          "ValidationException",
          TABLE_5_5_WILL_NOT_CHANGE)
    fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[update_g(3, 3)]),
          "ValidationException",
          "The provisioned throughput for the index by_g will not change. The requested value "
          "equals the current value. Current ReadCapacityUnits provisioned for index by_g: 3. "
          "Requested ReadCapacityUnits: 3. Current WriteCapacityUnits provisioned for index by_g: "
          "3. Requested WriteCapacityUnits: 3. Refer to the Amazon DynamoDB Developer Guide for "
          "current limits and how to request higher limits.")
    fails(lambda: ddb.update_table(TableName=prov, BillingMode="PROVISIONED"),
          "ValidationException",
          INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    # A change of one of the two units is a change.
    ddb.update_table(TableName=prov, ProvisionedThroughput=pt(5, 6))


def test_billing_switches_with_a_gsi(ddb, prov):
    # To on-demand: the GSI's throughput goes with the table's (0/0), updates of it are refused.
    ddb.update_table(TableName=prov, BillingMode="PAY_PER_REQUEST")
    d = ddb.describe_table(TableName=prov)["Table"]
    assert d["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[update_g(4, 4)]),
          "ValidationException",
          INVALID + "The only Updates for index: by_g when TableThroughputMode is PAY_PER_REQUEST "
                    "can be to OnDemandThroughput, WarmThroughput")
    fails(lambda: ddb.update_table(TableName=prov, AttributeDefinitions=H_DEF,
                                   GlobalSecondaryIndexUpdates=[create("by_h")]),
          "ValidationException",
          INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: "
                    "by_h when BillingMode is PAY_PER_REQUEST")
    # Back to provisioned: every GSI needs its throughput in the same call.
    fails(lambda: ddb.update_table(TableName=prov, BillingMode="PROVISIONED",
                                   ProvisionedThroughput=pt(7, 7)),
          "ValidationException", INVALID + "ProvisionedThroughput must be specified for index: by_g")
    ddb.update_table(TableName=prov, BillingMode="PROVISIONED", ProvisionedThroughput=pt(7, 7),
                     GlobalSecondaryIndexUpdates=[update_g(2, 9)])
    d = ddb.describe_table(TableName=prov)["Table"]
    assert d["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    got = d["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
    assert (got["ReadCapacityUnits"], got["WriteCapacityUnits"]) == (2, 9)
    fails(lambda: ddb.update_table(TableName=prov, AttributeDefinitions=H_DEF,
                                   GlobalSecondaryIndexUpdates=[create("by_h", throughput=None)]),
          "ValidationException",
          INVALID + "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: "
                    "by_h")


def test_the_index_an_update_names(ddb, prov):
    fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by_l"}}]), "ValidationException",
        "Cannot delete an index that is not a GlobalSecondaryIndex: by_l")
    for action in ({"Delete": {"IndexName": "nope"}},
                   {"Update": {"IndexName": "nope", "ProvisionedThroughput": pt(1, 2)}}):
        fails(lambda: ddb.update_table(TableName=prov, GlobalSecondaryIndexUpdates=[action]),
              "ResourceNotFoundException",
              f"Requested resource not found: Index nope for table {prov}")
    for existing in ("by_g", "by_l"):
        fails(lambda: ddb.update_table(TableName=prov, AttributeDefinitions=H_DEF,
                                       GlobalSecondaryIndexUpdates=[create(existing)]),
              "ValidationException", "Attempting to create an index which already exists")


def test_attribute_definitions_only_serve_a_create(ddb, prov):
    # Elsewhere they are ignored, even when they contradict the table's (pk is S).
    ddb.update_table(TableName=prov, ProvisionedThroughput=pt(8, 8),
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "N"},
                                           {"AttributeName": "zz", "AttributeType": "S"}])
    defs = ddb.describe_table(TableName=prov)["Table"]["AttributeDefinitions"]
    assert {d["AttributeName"]: d["AttributeType"] for d in defs} == {
        "pk": "S", "sk": "S", "g": "S", "l": "S"}


def test_describe_lists_definitions_and_projections_sorted_by_name(ddb, prov):
    # AttributeDefinitions and NonKeyAttributes come back sorted by name (given as g, l, pk, sk
    # and as z, a); the index lists keep their order.
    d = ddb.describe_table(TableName=prov)["Table"]
    assert [a["AttributeName"] for a in d["AttributeDefinitions"]] == ["g", "l", "pk", "sk"]
    assert d["GlobalSecondaryIndexes"][0]["Projection"]["NonKeyAttributes"] == ["a", "z"]


def test_twenty_gsis_at_most(ddb):
    # The 21st GSI: a ValidationException in CreateTable, a LimitExceededException by UpdateTable.
    name = unique_table_name("gsi20")
    defs = [{"AttributeName": "pk", "AttributeType": "S"}] + [
        {"AttributeName": f"g{i}", "AttributeType": "S"} for i in range(21)]
    gsis = [create(f"idx{i}", f"g{i}", throughput=None)["Create"] for i in range(21)]
    fails(lambda: ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                   KeySchema=KEYS[:1], AttributeDefinitions=defs,
                                   GlobalSecondaryIndexes=gsis),
          "ValidationException", INVALID + "GlobalSecondaryIndex count exceeds the per-table "
                                           "limit of 20")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KEYS[:1],
                     AttributeDefinitions=defs[:21], GlobalSecondaryIndexes=gsis[:20])
    try:
        wait_for_active(ddb, name)
        fails(lambda: ddb.update_table(TableName=name, AttributeDefinitions=defs[21:],
                                       GlobalSecondaryIndexUpdates=[{"Create": gsis[20]}]),
              "LimitExceededException",
              "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table "
              "limit of 20")
    finally:
        delete_table_quietly(ddb, name)
