#!/usr/bin/env python3
"""Writes hostile seed inputs for fuzz_dispatcher into the directory given as argv[1].

Each seed is in the target's format: byte 0 picks the mode (even: JSON body; 1 or 3 (mod 4):
condition and update expressions), byte 1 the operation. The shapes are the ones that once
crashed, stalled or corrupted ddbd: deep nesting, huge sets, long legacy Expected maps, long
OR chains, and updates that copy a subtree into itself.
"""
import json
import os
import sys

OPS = ["PutItem", "GetItem", "UpdateItem", "DeleteItem", "ListTables", "CreateTable",
       "DescribeTable", "DeleteTable", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
       "TransactGetItems", "TransactWriteItems"]


def seed(out, name, mode, op, body):
    data = bytes([mode, OPS.index(op)]) + (body if isinstance(body, bytes) else body.encode())
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def nested(depth, kind="M"):
    v = {"S": "leaf"}
    for _ in range(depth - 1):
        v = {"M": {"x": v}} if kind == "M" else {"L": [v]}
    return v


def main(out):
    os.makedirs(out, exist_ok=True)
    for depth in (32, 33, 200):
        for kind in ("M", "L"):
            seed(out, f"deep-{kind}-{depth}", 0, "PutItem",
                 json.dumps({"TableName": "t", "Item": {"pk": {"S": "d"}, "a": nested(depth, kind)}}))
    seed(out, "json-nesting", 0, "PutItem", "[" * 50000 + "]" * 50000)
    members = [f"m{i}" for i in range(20000)]
    seed(out, "huge-set-put", 0, "PutItem",
         json.dumps({"TableName": "t", "Item": {"pk": {"S": "s"}, "ss": {"SS": members}}}))
    seed(out, "huge-set-add", 0, "UpdateItem",
         json.dumps({"TableName": "t", "Key": {"pk": {"S": "s"}}, "UpdateExpression": "ADD ss :s",
                     "ExpressionAttributeValues": {":s": {"SS": members[::-1]}}}))
    seed(out, "huge-set-equal", 0, "PutItem",
         json.dumps({"TableName": "t", "Item": {"pk": {"S": "s"}}, "ConditionExpression": "ss = :s",
                     "ExpressionAttributeValues": {":s": {"SS": members}}}))
    expected = {f"a{i}": {"Exists": False} for i in range(20000)}
    seed(out, "long-expected", 0, "PutItem",
         json.dumps({"TableName": "t", "Item": {"pk": {"S": "e"}}, "Expected": expected}))
    seed(out, "long-expected-or", 0, "PutItem",
         json.dumps({"TableName": "t", "Item": {"pk": {"S": "e"}}, "ConditionalOperator": "OR",
                     "Expected": {f"a{i}": {"ComparisonOperator": "NOT_NULL"} for i in range(5000)}}))
    seed(out, "or-chain", 1, "PutItem", " OR ".join(["#a = :n"] * 300) + "\x01SET #a = :n")
    seed(out, "not-chain", 1, "PutItem", "NOT " * 300 + "#a = :n\x01SET #a = :n")
    seed(out, "parens", 1, "PutItem", "(" * 300 + "#a = :n" + ")" * 300 + "\x01SET #a = :n")
    seed(out, "copy-into-self", 3, "PutItem", "attribute_exists(#m)\x01SET #m.x = #m")
    seed(out, "copy-twice", 3, "PutItem", "attribute_exists(#m)\x01SET #m.x = #m, #m.y = #m")
    seed(out, "remove-list", 1, "PutItem", "attribute_exists(#b)\x01REMOVE #b[0], #b[1].c")
    # The largest batches and transactions: 100 actions, each with a deep item or a long
    # condition; 100 keys of one batch read.
    seed(out, "transact-100-deep", 0, "TransactWriteItems", json.dumps({"TransactItems": [
        {"Put": {"TableName": "t", "Item": {"pk": {"S": f"tx{i}"}, "a": nested(32)}}}
        for i in range(100)]}))
    seed(out, "transact-100-conditions", 0, "TransactWriteItems", json.dumps({"TransactItems": [
        {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": f"c{i}"}},
                            "ConditionExpression": " OR ".join(["attribute_exists(pk)"] * 100)}}
        for i in range(100)]}))
    seed(out, "batch-get-100", 0, "BatchGetItem", json.dumps({"RequestItems": {"t": {
        "Keys": [{"pk": {"S": f"k{i}"}} for i in range(100)]}}}))
    seed(out, "batch-write-25-sets", 0, "BatchWriteItem", json.dumps({"RequestItems": {"t": [
        {"PutRequest": {"Item": {"pk": {"S": f"w{i}"}, "ss": {"SS": members[:2000]}}}}
        for i in range(25)]}}))
    seed(out, "nested-functions", 1, "PutItem",
         "attribute_exists(#a)\x01SET #a = " + "if_not_exists(#a, " * 150 + ":n" + ")" * 150)


if __name__ == "__main__":
    main(sys.argv[1])
