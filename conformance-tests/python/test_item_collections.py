# ItemCollectionMetrics (API reference: PutItem/UpdateItem/DeleteItem, ReturnItemCollectionMetrics):
# on a table with a local secondary index, a write that asks for SIZE is told which item
# collection it touched and an estimate of that collection's size; tables without an LSI, or
# requests that do not ask, get none.

import pytest

from conftest import N, S, create_table, delete_table_quietly, unique_table_name


@pytest.fixture(scope="module")
def lsi_table(ddb):
    name = unique_table_name("coll")
    create_table(ddb, name, [{"AttributeName": "pk", "KeyType": "HASH"},
                             {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"},
                  {"AttributeName": "l", "AttributeType": "S"}],
                 LocalSecondaryIndexes=[{"IndexName": "by_l",
                                         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                       {"AttributeName": "l", "KeyType": "RANGE"}],
                                         "Projection": {"ProjectionType": "ALL"}}])
    yield name
    delete_table_quietly(ddb, name)


def check_metrics(resp, pk):
    m = resp["ItemCollectionMetrics"]
    assert m["ItemCollectionKey"] == {"pk": S(pk)}
    low, high = m["SizeEstimateRangeGB"]
    assert 0 <= low <= high
    assert high <= 1.0  # a few small items: well under a gigabyte


def test_writes_report_their_item_collection(ddb, lsi_table):
    # PutItem, UpdateItem and DeleteItem each name the collection and estimate its size.
    check_metrics(ddb.put_item(TableName=lsi_table, ReturnItemCollectionMetrics="SIZE",
                               Item={"pk": S("c1"), "sk": N(1), "l": S("a")}), "c1")
    check_metrics(ddb.update_item(TableName=lsi_table, ReturnItemCollectionMetrics="SIZE",
                                  Key={"pk": S("c1"), "sk": N(1)}, UpdateExpression="SET x = :x",
                                  ExpressionAttributeValues={":x": S("y" * 100)}), "c1")
    check_metrics(ddb.delete_item(TableName=lsi_table, ReturnItemCollectionMetrics="SIZE",
                                  Key={"pk": S("c1"), "sk": N(1)}), "c1")


def test_no_metrics_unless_asked(ddb, lsi_table):
    # NONE (the default) returns no ItemCollectionMetrics.
    resp = ddb.put_item(TableName=lsi_table, Item={"pk": S("c2"), "sk": N(1)})
    assert "ItemCollectionMetrics" not in resp
    resp = ddb.put_item(TableName=lsi_table, ReturnItemCollectionMetrics="NONE",
                        Item={"pk": S("c2"), "sk": N(2)})
    assert "ItemCollectionMetrics" not in resp


def test_no_metrics_without_a_local_index(ddb, table_sn):
    # Item collections exist only on tables with local secondary indexes.
    resp = ddb.put_item(TableName=table_sn, ReturnItemCollectionMetrics="SIZE",
                        Item={"pk": S("no-lsi"), "sk": N(1)})
    assert "ItemCollectionMetrics" not in resp
