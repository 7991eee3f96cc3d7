#!/usr/bin/env python3
"""Heavy requests beside light ones (issue 7, point 8): while one connection sends a heavy
request, fresh connections send GetItem every 20 ms; reports how long the heavy request took and
the worst and p99 GetItem latency measured while it ran.

Usage: bench/heavy.py ENDPOINT [--timeout SECONDS] [--only NAME ...]
Prints one line per heavy shape: `HEAVY name=... heavy_s=... get_n=... get_p99_ms=... get_max_ms=...`
Loopback only; every request is bounded by --timeout (default 60 s)."""
import argparse
import http.client
import json
import threading
import time
import urllib.parse

AUTH = ("AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00")


def call(url, target, body, timeout):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        conn.request("POST", "/", body=data, headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Date": "20260101T000000Z",
            "X-Amz-Target": "DynamoDB_20120810." + target, "Authorization": AUTH})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def shapes(table):
    big_string = {"TableName": table, "Item": {"pk": {"S": "big"}, "v": {"S": "x" * (15 << 20)}}}
    expected = {"TableName": table, "Item": {"pk": {"S": "exp"}},
                "Expected": {f"a{i}": {"Exists": False} for i in range(100000)}}
    # 30,000 members onto a stored set of 30,000 (half overlapping): within the 400 KB item limit.
    members = [f"m{i:05d}" for i in range(15000, 45000)]
    big_set = {"TableName": table, "Key": {"pk": {"S": "set"}}, "UpdateExpression": "ADD s :s",
               "ExpressionAttributeValues": {":s": {"SS": members}}}
    ops = " AND ".join(f"#a{i % 10} <> :v" for i in range(150))
    long_expr = {"TableName": table, "Item": {"pk": {"S": "expr"}}, "ConditionExpression": ops,
                 "ExpressionAttributeNames": {f"#a{i}": f"a{i}" for i in range(10)},
                 "ExpressionAttributeValues": {":v": {"S": "v"}}}
    return [("put-15MB-item", "PutItem", big_string), ("put-100k-expected", "PutItem", expected),
            ("add-30k-to-30k-set", "UpdateItem", big_set), ("condition-300-operators", "PutItem", long_expr)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    url = urllib.parse.urlparse(args.endpoint)
    table = f"heavy{int(time.time() * 1000)}"
    call(url, "CreateTable", {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
                              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]},
         args.timeout)
    time.sleep(0.2)
    call(url, "PutItem", {"TableName": table, "Item": {"pk": {"S": "light"}}}, args.timeout)
    call(url, "PutItem", {"TableName": table, "Item": {
        "pk": {"S": "set"}, "s": {"SS": [f"m{i:05d}" for i in range(30000)]}}}, args.timeout)
    for name, target, body in shapes(table):
        if args.only and name not in args.only:
            continue
        data = json.dumps(body).encode()
        done = threading.Event()
        result = {}

        def heavy():
            start = time.monotonic()
            try:
                result["status"] = call(url, target, data, args.timeout)[0]
            except Exception as e:  # a timeout is a result too
                result["status"] = type(e).__name__
            result["secs"] = time.monotonic() - start
            done.set()

        t = threading.Thread(target=heavy, daemon=True)
        t.start()
        time.sleep(0.02)
        lat = []
        while not done.is_set() and len(lat) < 2000:
            start = time.monotonic()
            try:
                call(url, "GetItem", {"TableName": table, "Key": {"pk": {"S": "light"}}}, args.timeout)
                lat.append(time.monotonic() - start)
            except Exception:
                lat.append(args.timeout)
            time.sleep(0.02)
        t.join(args.timeout + 5)
        lat.sort()
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0
        mx = lat[-1] * 1000 if lat else 0
        print(f"HEAVY name={name} bytes={len(data)} status={result.get('status')} "
              f"heavy_s={result.get('secs', args.timeout):.3f} get_n={len(lat)} "
              f"get_p99_ms={p99:.1f} get_max_ms={mx:.1f}", flush=True)


if __name__ == "__main__":
    main()
