# CreateTable's index rules beyond test_indexes.py (messages as recorded from the real service):
# empty index lists, NonKeyAttributes' length and duplicates, the keys an undefined-attribute
# message lists, multi-attribute key schemas, LSI key length; and Query key values that are
# empty strings or binaries.

import pytest
from botocore.exceptions import ClientError

from conftest import B, N, S, assert_validation, raw_dynamodb_call, strip_envelope, \
    unique_table_name
from test_indexes import INVALID, KEYS_H, KEYS_HR, attr_defs, create_fails, gsi, lsi


def key_schema(hashes, ranges=()):
    return ([{"AttributeName": h, "KeyType": "HASH"} for h in hashes] +
            [{"AttributeName": r, "KeyType": "RANGE"} for r in ranges])


def raw_create_fails(message, **params):
    body = dict(TableName=unique_table_name("bad-idx"), BillingMode="PAY_PER_REQUEST", **params)
    status, resp = raw_dynamodb_call("CreateTable", body)
    assert status == 400, resp
    assert resp["__type"].endswith("ValidationException")
    assert strip_envelope(resp["message"]) == message


def test_empty_index_lists(ddb):
    # An empty list is refused (the SDKs omit the member instead).
    for member in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        create_fails(ddb, INVALID + f"List of {member} is empty", KeySchema=KEYS_HR,
                     AttributeDefinitions=attr_defs(pk="S", sk="S"), **{member: []})


def test_non_key_attributes_length(ddb):
    # 1 to 20 names per index.
    for projection in ("INCLUDE", "ALL"):
        raw_create_fails(
            "Value '[]' at 'globalSecondaryIndexes.1.member."
            "projection.nonKeyAttributes' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1",
            KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
            GlobalSecondaryIndexes=[{"IndexName": "g_idx", "KeySchema": key_schema(["g"]),
                                     "Projection": {"ProjectionType": projection,
                                                    "NonKeyAttributes": []}}])
    names = [f"a{i}" for i in range(21)]
    create_fails(ddb, "Value '[" + ", ".join(names) + "]' at "
                      "'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to "
                      "satisfy constraint: Member must have length less than or equal to 20",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 GlobalSecondaryIndexes=[gsi("g_idx", "g", None, "INCLUDE", names)])
    create_fails(ddb, INVALID + "Duplicate element in NonKeyAttributes: x",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", g="S"),
                 GlobalSecondaryIndexes=[gsi("g_idx", "g", None, "INCLUDE", ["x", "y", "x"])])


def test_undefined_key_names_the_whole_index_key(ddb):
    # The message lists every key attribute of the index that lacks a definition.
    create_fails(ddb, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                                "Keys: [c, d], AttributeDefinitions: [pk, sk]",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S"),
                 GlobalSecondaryIndexes=[gsi("g_idx", "c", "d")])
    create_fails(ddb, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                                "Keys: [pk, c], AttributeDefinitions: [pk, sk]",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S"),
                 LocalSecondaryIndexes=[lsi("l_idx", "c")])


@pytest.mark.parametrize("hashes,ranges,message", [
    (["a", "b", "c", "d", "e"], [],
     INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"),
    (["a"], ["b", "c", "d", "e", "f"],
     INVALID + "The KeySchema exceeds the maximum allowed number of RANGE key attributes"),
    (["a", "b", "a"], [], INVALID + "The KeySchema contains multiple key attributes with the same "
                                    "name"),
])
def test_multi_attribute_key_schema_limits(ddb, hashes, ranges, message):
    names = sorted(set(hashes) | set(ranges))
    create_fails(ddb, message, KeySchema=KEYS_H, AttributeDefinitions=attr_defs(
        pk="S", **{n: "S" for n in names}), GlobalSecondaryIndexes=[{
            "IndexName": "g_idx", "KeySchema": key_schema(hashes, ranges),
            "Projection": {"ProjectionType": "ALL"}}])


def test_hash_attributes_come_before_range_attributes(ddb):
    create_fails(ddb, INVALID + "All HASH key attributes must precede RANGE key attributes in the "
                                "KeySchema",
                 KeySchema=KEYS_H, AttributeDefinitions=attr_defs(pk="S", a="S", b="S", c="S"),
                 GlobalSecondaryIndexes=[{
                     "IndexName": "g_idx", "Projection": {"ProjectionType": "ALL"},
                     "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"},
                                   {"AttributeName": "b", "KeyType": "RANGE"},
                                   {"AttributeName": "c", "KeyType": "HASH"}]}])


def test_lsi_key_has_two_elements_at_most(ddb):
    create_fails(ddb, "Value '[...]' at 'localSecondaryIndexes.1."
                      "member.keySchema' failed to satisfy constraint: Member must have length "
                      "less than or equal to 2",
                 KeySchema=KEYS_HR, AttributeDefinitions=attr_defs(pk="S", sk="S", a="S", b="S"),
                 LocalSecondaryIndexes=[{"IndexName": "l_idx", "Projection": {
                     "ProjectionType": "ALL"}, "KeySchema": key_schema(["pk"], ["a", "b"])}])


@pytest.fixture(scope="module")
def keyed(ddb):
    """pk S + sk S table with GSI by_g (g B) for the empty-key-value Query checks."""
    from test_indexes import wait_for_indexes_active
    name = unique_table_name("emptykey")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KEYS_HR,
                     AttributeDefinitions=attr_defs(pk="S", sk="S", g="B"),
                     GlobalSecondaryIndexes=[gsi("by_g", "g")])
    wait_for_indexes_active(ddb, name)
    yield name
    ddb.delete_table(TableName=name)


@pytest.mark.parametrize("index,condition,values,key,kind", [
    (None, "pk = :v", {":v": S("")}, "pk", "string"),
    (None, "pk = :p AND sk = :v", {":p": S("x"), ":v": S("")}, "sk", "string"),
    (None, "pk = :p AND begins_with(sk, :v)", {":p": S("x"), ":v": S("")}, "sk", "string"),
    (None, "pk = :p AND sk BETWEEN :v AND :a", {":p": S("x"), ":a": S("a"), ":v": S("")}, "sk",
     "string"),
    ("by_g", "g = :v", {":v": B(b"")}, "g", "binary"),
])
def test_query_key_values_cannot_be_empty(ddb, keyed, index, condition, values, key, kind):
    # As for GetItem's Key: a key value is never an empty string or binary.
    extra = {"IndexName": index} if index else {}
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=keyed, KeyConditionExpression=condition,
                  ExpressionAttributeValues=values, **extra)
    assert_validation(e, "One or more parameter values are not valid. The AttributeValue for a "
                         f"key attribute cannot contain an empty {kind} value. Key: {key}")
    with pytest.raises(ClientError) as e:  # the legacy KeyConditions alike
        ddb.query(TableName=keyed, KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                                         "AttributeValueList": [S("")]}})
    assert_validation(e, "One or more parameter values are not valid. The AttributeValue for a "
                         "key attribute cannot contain an empty string value. Key: pk")
