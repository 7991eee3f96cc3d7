# The legacy Query/Scan parameters (Developer Guide, "Legacy conditional parameters"):
# KeyConditions, QueryFilter, ScanFilter, ConditionalOperator and AttributesToGet, as the Java
# SDK v1's DynamoDBMapper and older applications send them. They go through the same key-range
# planning and filter evaluation as the expression parameters.

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, assert_validation, create_table, delete_table_quietly, unique_table_name


@pytest.fixture(scope="module")
def legacy_table(ddb):
    name = unique_table_name("legacyq")
    create_table(ddb, name, [{"AttributeName": "pk", "KeyType": "HASH"},
                             {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"}])
    for i in range(20):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(i), "a": N(i % 5),
                                           "b": S("even" if i % 2 == 0 else "odd"), "c": S("c")})
    yield name
    delete_table_quietly(ddb, name)


def eq(v):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [v]}


def test_key_conditions_with_range_operators(ddb, legacy_table):
    # KeyConditions: EQ on the partition key and BETWEEN/GT/BEGINS_WITH-style ranges on the sort key.
    got = ddb.query(TableName=legacy_table, KeyConditions={
        "pk": eq(S("p")),
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(3), N(6)]}})
    assert [int(i["sk"]["N"]) for i in got["Items"]] == [3, 4, 5, 6]
    got = ddb.query(TableName=legacy_table, ScanIndexForward=False, Limit=2, KeyConditions={
        "pk": eq(S("p")), "sk": {"ComparisonOperator": "GT", "AttributeValueList": [N(15)]}})
    assert [int(i["sk"]["N"]) for i in got["Items"]] == [19, 18]
    assert got["LastEvaluatedKey"] == {"pk": S("p"), "sk": N(18)}


def test_query_filter_and_attributes_to_get(ddb, legacy_table):
    # QueryFilter runs after the key range is read (Count vs ScannedCount); AttributesToGet
    # projects top-level attributes.
    got = ddb.query(TableName=legacy_table, KeyConditions={"pk": eq(S("p"))},
                    QueryFilter={"b": eq(S("even")), "a": {"ComparisonOperator": "LT",
                                                          "AttributeValueList": [N(2)]}},
                    AttributesToGet=["sk", "a"])
    assert got["ScannedCount"] == 20
    assert [int(i["sk"]["N"]) for i in got["Items"]] == [0, 6, 10, 16]
    assert all(set(i) == {"sk", "a"} for i in got["Items"])


def test_scan_filter_with_conditional_operator_or(ddb, legacy_table):
    # ScanFilter entries are ANDed unless ConditionalOperator says OR.
    got = ddb.scan(TableName=legacy_table, ConditionalOperator="OR", ScanFilter={
        "a": eq(N(4)), "sk": {"ComparisonOperator": "IN", "AttributeValueList": [N(0), N(1)]}})
    assert sorted(int(i["sk"]["N"]) for i in got["Items"]) == [0, 1, 4, 9, 14, 19]
    got = ddb.scan(TableName=legacy_table, ScanFilter={
        "a": eq(N(4)), "b": eq(S("odd"))})
    assert sorted(int(i["sk"]["N"]) for i in got["Items"]) == [9, 19]


def test_non_indexable_key_condition(ddb, legacy_table):
    # Only EQ, LE, LT, GE, GT, BEGINS_WITH and BETWEEN can select a key range.
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=legacy_table, KeyConditions={
            "pk": eq(S("p")), "sk": {"ComparisonOperator": "NE", "AttributeValueList": [N(1)]}})
    assert_validation(e, "Attempted conditional constraint is not an indexable operation")


def test_legacy_and_expression_parameters_do_not_mix(ddb, legacy_table):
    # The service refuses a request that mixes the two styles, naming both sides.
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=legacy_table, KeyConditions={"pk": eq(S("p"))},
                  FilterExpression="a = :a", ExpressionAttributeValues={":a": N(1)})
    assert_validation(e, "Can not use both expression and non-expression parameters in the same "
                         "request: Non-expression parameters: {KeyConditions} Expression "
                         "parameters: {FilterExpression}")


def test_query_filter_on_a_key_attribute(ddb, legacy_table):
    # As with FilterExpression, a Query filter cannot name a key attribute.
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=legacy_table, KeyConditions={"pk": eq(S("p"))},
                  QueryFilter={"sk": eq(N(1))})
    assert_validation(e, "Filter Expression can only contain non-primary key attributes: "
                         "Primary key attribute: sk")


def test_conditional_operator_without_filter(ddb, legacy_table):
    # ConditionalOperator needs a filter of two or more conditions.
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=legacy_table, ConditionalOperator="OR")
    assert_validation(e, "ConditionalOperator cannot be used without Filter or Expected")
