# Table operations: CreateTable, DescribeTable, ListTables, DeleteTable and their validation.

import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import (
    assert_client_error,
    delete_table_quietly,
    unique_key,
    unique_table_name,
    wait_for_active,
    wait_for_deleted,
)

HASH_ONLY = dict(
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
)


@pytest.fixture
def cleanup(ddb):
    """Names appended here are deleted after the test, whether or not it passed."""
    names = []
    yield names
    for name in names:
        delete_table_quietly(ddb, name)


# --- CreateTable / DescribeTable -------------------------------------------------------------

def test_create_on_demand_table_and_describe(ddb, cleanup):
    # The basic description every SDK and tool reads back after creating a table.
    name = unique_table_name("desc")
    cleanup.append(name)
    created = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    td = created["TableDescription"]
    assert td["TableName"] == name
    assert td["TableStatus"] in ("CREATING", "ACTIVE")
    assert td["KeySchema"] == HASH_ONLY["KeySchema"]
    assert td["AttributeDefinitions"] == HASH_ONLY["AttributeDefinitions"]

    desc = wait_for_active(ddb, name)
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == HASH_ONLY["KeySchema"]
    assert desc["AttributeDefinitions"] == HASH_ONLY["AttributeDefinitions"]
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0
    assert isinstance(desc["CreationDateTime"], datetime.datetime)
    assert desc["TableArn"].startswith("arn:aws:dynamodb:us-east-1:")
    assert desc["TableArn"].endswith(":table/" + name)
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 0


def test_create_provisioned_table_with_sort_key(ddb, cleanup):
    # Provisioned throughput and a composite key must be echoed back as given, HASH first.
    name = unique_table_name("prov")
    cleanup.append(name)
    key_schema = [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"},
             {"AttributeName": "sk", "AttributeType": "N"}]
    ddb.create_table(TableName=name, KeySchema=key_schema, AttributeDefinitions=attrs,
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    desc = wait_for_active(ddb, name)
    assert desc["KeySchema"] == key_schema
    assert sorted(desc["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == attrs
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 7


def test_create_existing_table_is_resource_in_use(ddb, table_s):
    # Creating a table twice must fail with ResourceInUseException, which SDK helpers rely on.
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_s, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    assert_client_error(e, "ResourceInUseException", f"Table already exists: {table_s}")


def test_describe_unknown_table(ddb):
    # DescribeTable on a missing table names the table in its message, unlike item operations.
    name = unique_table_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName=name)
    assert_client_error(e, "ResourceNotFoundException",
                        f"Requested resource not found: Table: {name} not found")


# --- DeleteTable ----------------------------------------------------------------------------

def test_delete_table(ddb):
    # DeleteTable answers with the table's description and the table then disappears.
    name = unique_table_name("del")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    wait_for_active(ddb, name)
    resp = ddb.delete_table(TableName=name)
    td = resp["TableDescription"]
    assert td["TableName"] == name
    # The service's DeleteTable description is the short one: status, ids, sizes, throughput,
    # billing; no key schema, attribute definitions or creation time.
    assert td["TableStatus"] == "DELETING"
    for present in ("TableArn", "TableId", "ItemCount", "TableSizeBytes", "ProvisionedThroughput",
                    "BillingModeSummary"):
        assert present in td, present
    for absent in ("KeySchema", "AttributeDefinitions", "CreationDateTime"):
        assert absent not in td, absent
    wait_for_deleted(ddb, name)
    assert name not in ddb.list_tables(ExclusiveStartTableName=name[:-1], Limit=100)["TableNames"]


def test_delete_unknown_table(ddb):
    # DeleteTable on a missing table is ResourceNotFoundException with the table's name.
    name = unique_table_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=name)
    assert_client_error(e, "ResourceNotFoundException",
                        f"Requested resource not found: Table: {name} not found")


def test_recreated_table_does_not_see_old_items(ddb, cleanup):
    # A table re-created under the same name must start empty: old rows must never resurface.
    name = unique_table_name("recreate")
    cleanup.append(name)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    wait_for_active(ddb, name)
    key = unique_key()
    ddb.put_item(TableName=name, Item={"pk": {"S": key}, "v": {"S": "old"}})
    ddb.delete_table(TableName=name)
    wait_for_deleted(ddb, name)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    wait_for_active(ddb, name)
    resp = ddb.get_item(TableName=name, Key={"pk": {"S": key}}, ConsistentRead=True)
    assert "Item" not in resp


# --- ListTables -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_tables(ddb):
    """Three tables sharing a unique prefix, so they are adjacent in ListTables order."""
    prefix = unique_table_name("list")
    names = [prefix + "-a", prefix + "-b", prefix + "-c"]
    for n in names:
        ddb.create_table(TableName=n, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    for n in names:
        wait_for_active(ddb, n)
    yield prefix, names
    for n in names:
        delete_table_quietly(ddb, n)


def test_list_tables_includes_new_tables(ddb, three_tables):
    # ListTables without parameters returns names sorted, including tables just created.
    _, names = three_tables
    seen = []
    kwargs = {}
    while True:
        resp = ddb.list_tables(**kwargs)
        seen.extend(resp["TableNames"])
        if "LastEvaluatedTableName" not in resp:
            break
        kwargs = {"ExclusiveStartTableName": resp["LastEvaluatedTableName"]}
    for n in names:
        assert n in seen
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))


def test_list_tables_limit_and_exclusive_start(ddb, three_tables):
    # Limit caps a page and LastEvaluatedTableName is the last name returned when more follow.
    prefix, names = three_tables
    # prefix + "-" sorts immediately before our three names and after every other table name.
    resp = ddb.list_tables(ExclusiveStartTableName=prefix + "-", Limit=2)
    assert resp["TableNames"] == names[:2]
    assert resp["LastEvaluatedTableName"] == names[1]

    resp = ddb.list_tables(ExclusiveStartTableName=resp["LastEvaluatedTableName"], Limit=1)
    assert resp["TableNames"] == names[2:3]

    resp = ddb.list_tables(ExclusiveStartTableName=names[0], Limit=100)
    assert resp["TableNames"][:2] == names[1:]


def test_list_tables_paging_with_limit_one(ddb, three_tables):
    # Paging one name at a time visits every table exactly once, in order.
    _, names = three_tables
    seen = []
    kwargs = {"Limit": 1}
    while True:
        resp = ddb.list_tables(**kwargs)
        assert len(resp["TableNames"]) <= 1
        seen.extend(resp["TableNames"])
        if "LastEvaluatedTableName" not in resp:
            break
        assert resp["LastEvaluatedTableName"] == resp["TableNames"][-1]
        kwargs = {"Limit": 1, "ExclusiveStartTableName": resp["LastEvaluatedTableName"]}
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))
    i = seen.index(names[0])
    assert seen[i:i + 3] == names


def test_list_tables_limit_zero(ddb):
    # Limit below 1 is a constraint violation reported in the AWS validation format.
    with pytest.raises(ClientError) as e:
        ddb.list_tables(Limit=0)
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1")


def test_list_tables_limit_over_100(ddb):
    # ListTables pages are capped at 100 names.
    with pytest.raises(ClientError) as e:
        ddb.list_tables(Limit=101)
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100")


# --- CreateTable validation -----------------------------------------------------------------

def test_create_table_name_too_short(ddb):
    # Table-level operations report a bad name length with their own short message.
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="ab", BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    assert_client_error(e, "ValidationException",
                        "TableName must be at least 3 characters long and at most 255 "
                        "characters long")


def test_create_table_name_too_long(ddb):
    # 255 characters is the longest table name.
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="a" * 256, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    assert_client_error(e, "ValidationException",
                        "TableName must be at least 3 characters long and at most 255 "
                        "characters long")


def test_describe_table_name_too_short(ddb):
    # DescribeTable shares CreateTable's table-name length message.
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName="ab")
    assert_client_error(e, "ValidationException",
                        "TableName must be at least 3 characters long and at most 255 "
                        "characters long")


def test_describe_table_name_bad_characters(ddb):
    # Table names are limited to [a-zA-Z0-9_.-].
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName="abc;")
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


def test_create_table_pay_per_request_with_throughput(ddb):
    # On-demand tables must not carry provisioned throughput.
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                         **HASH_ONLY)
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Neither ReadCapacityUnits "
                        "nor WriteCapacityUnits can be specified when BillingMode is "
                        "PAY_PER_REQUEST")


def test_create_table_provisioned_without_throughput(ddb):
    # Provisioned tables need both capacity figures.
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=unique_table_name("bad"), BillingMode="PROVISIONED",
                         **HASH_ONLY)
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: ReadCapacityUnits and "
                        "WriteCapacityUnits must both be specified when BillingMode is "
                        "PROVISIONED")


def test_create_table_default_billing_without_throughput(ddb):
    # BillingMode defaults to PROVISIONED, so omitting both it and the throughput is an error.
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=unique_table_name("bad"), **HASH_ONLY)
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: ReadCapacityUnits and "
                        "WriteCapacityUnits must both be specified when BillingMode is "
                        "PROVISIONED")


def test_create_table_unused_attribute_definition(ddb):
    # Without indexes, every AttributeDefinition must be a key attribute.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "other", "AttributeType": "S"}])
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Number of attributes in "
                        "KeySchema does not exactly match number of attributes defined in "
                        "AttributeDefinitions")


def test_create_table_key_not_in_attribute_definitions(ddb):
    # A key attribute with no definition, when the counts match, names both lists.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}])
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Some index key attributes "
                        "are not defined in AttributeDefinitions. Keys: [pk], "
                        "AttributeDefinitions: [other]")


def test_create_table_more_keys_than_definitions(ddb):
    # A sort key with no definition (fewer definitions than keys) is an invalid KeySchema.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert_client_error(e, "ValidationException",
                        "Invalid KeySchema: Some index key attribute have no definition")


def test_create_table_bad_attribute_type(ddb):
    # Key attributes can only be S, N or B.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "SS"}])
    assert_client_error(
        e, "ValidationException",
        "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")


def test_create_table_first_key_not_hash(ddb):
    # The first KeySchema element must be the HASH key.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"},
                       {"AttributeName": "sk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
    assert_client_error(e, "ValidationException",
                        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")


def test_create_table_second_key_not_range(ddb):
    # The second KeySchema element must be the RANGE key.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
    assert_client_error(e, "ValidationException",
                        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")


def test_create_table_hash_and_range_same_name(ddb):
    # One attribute cannot be both the partition key and the sort key.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique_table_name("bad"), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "pk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
    assert_client_error(e, "ValidationException",
                        "Both the Hash Key and the Range Key element in the KeySchema have the "
                        "same name")


def test_failed_create_leaves_no_table(ddb):
    # A rejected CreateTable must not leave a half-made table behind.
    name = unique_table_name("bad")
    with pytest.raises(ClientError):
        ddb.create_table(TableName=name, BillingMode="PROVISIONED", **HASH_ONLY)
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName=name)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
