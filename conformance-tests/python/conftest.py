# Shared fixtures for the ddbd conformance tests.
#
# The runner starts ddbd and exports DDBD_ENDPOINT (and DDBD_BIN for the durability tests).
# Every test is written so that it would also pass against Amazon DynamoDB itself: tables are
# waited on until ACTIVE, eventually consistent reads are never trusted to see a fresh write,
# and every table and key name is unique to the run.

import os
import threading
import time
import uuid

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("DDBD_ENDPOINT", "http://127.0.0.1:8000")
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

# Unique per pytest run, so several runs against one server never collide.
RUN_ID = uuid.uuid4().hex[:8]
TABLE_PREFIX = f"ddbd-conf-{RUN_ID}"


def make_client(endpoint=ENDPOINT):
    """A low-level DynamoDB client that neither retries nor validates parameters locally.

    Retries would hide server bugs (a bad CRC32 or a 500 would be retried silently), and
    botocore's own parameter validation would reject the invalid requests that the tests
    send on purpose before the server ever saw them.
    """
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"},
            parameter_validation=False,
            connect_timeout=10,
            read_timeout=60,
        ),
    )


def unique_table_name(tag="t"):
    return f"{TABLE_PREFIX}-{tag}-{uuid.uuid4().hex[:12]}"


def unique_key(tag="k"):
    return f"{tag}-{uuid.uuid4().hex}"


def wait_for_active(client, name, timeout=120.0):
    """Polls DescribeTable until the table is ACTIVE (DynamoDB creates tables asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        desc = client.describe_table(TableName=name)["Table"]
        if desc["TableStatus"] == "ACTIVE":
            return desc
        if time.monotonic() > deadline:
            raise AssertionError(f"table {name} not ACTIVE after {timeout}s: {desc['TableStatus']}")
        time.sleep(0.2)


def wait_for_deleted(client, name, timeout=120.0):
    """Polls DescribeTable until the table is gone (DynamoDB deletes tables asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.describe_table(TableName=name)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise
        if time.monotonic() > deadline:
            raise AssertionError(f"table {name} still exists after {timeout}s")
        time.sleep(0.2)


def create_table(client, name, key_schema, attribute_definitions, **extra):
    """Creates an on-demand table (unless `extra` says otherwise) and waits until it is ACTIVE."""
    params = dict(
        TableName=name,
        KeySchema=key_schema,
        AttributeDefinitions=attribute_definitions,
    )
    if "ProvisionedThroughput" not in extra and "BillingMode" not in extra:
        params["BillingMode"] = "PAY_PER_REQUEST"
    params.update(extra)
    client.create_table(**params)
    return wait_for_active(client, name)


def delete_table_quietly(client, name):
    try:
        client.delete_table(TableName=name)
    except ClientError:
        pass


def assert_client_error(excinfo, code, message):
    """Asserts both the error code and the exact message of a botocore ClientError."""
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, err
    assert err["Message"] == message, err


def signed_headers(target, body, host_header, content_type="application/x-amz-json-1.0",
                   extra_headers=None):
    """SigV4 headers for a raw request, signed the same way an SDK signs them."""
    headers = {
        "Content-Type": content_type,
        "X-Amz-Target": target,
        "Host": host_header,
    }
    if extra_headers:
        headers.update(extra_headers)
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=ENDPOINT.rstrip("/") + "/", data=body, headers=headers)
    creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
    botocore.auth.SigV4Auth(creds, "dynamodb", REGION).add_auth(request)
    return dict(request.headers.items())


@pytest.fixture(scope="session")
def ddb():
    return make_client()


@pytest.fixture(scope="session")
def table_s(ddb):
    """A shared table with a string partition key `pk`; tests use unique keys in it."""
    name = unique_table_name("s")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"}],
                 [{"AttributeName": "pk", "AttributeType": "S"}])
    yield name
    delete_table_quietly(ddb, name)


@pytest.fixture(scope="session")
def table_sn(ddb):
    """A shared table with partition key `pk` (S) and numeric sort key `sk` (N)."""
    name = unique_table_name("sn")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"}])
    yield name
    delete_table_quietly(ddb, name)


@pytest.fixture(scope="session")
def table_ss(ddb):
    """A shared table with partition key `pk` (S) and string sort key `sk` (S)."""
    name = unique_table_name("ss")
    create_table(ddb, name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "S"}])
    yield name
    delete_table_quietly(ddb, name)


@pytest.fixture
def new_table(ddb):
    """Factory for per-test tables; every table it makes is deleted after the test."""
    made = []

    def make(key_schema=None, attribute_definitions=None, tag="t", **extra):
        name = unique_table_name(tag)
        made.append(name)
        create_table(
            ddb, name,
            key_schema or [{"AttributeName": "pk", "KeyType": "HASH"}],
            attribute_definitions or [{"AttributeName": "pk", "AttributeType": "S"}],
            **extra)
        return name

    yield make
    for name in made:
        delete_table_quietly(ddb, name)


# --- helpers shared by the expression and optimistic-locking tests (issue 3) -----------------

# Some regions of the real service wrap a single validation message in this envelope and some
# do not (captures of eu-west-2/us-east-1 vs. older regions differ), so the expression tests
# accept the message either bare or enveloped - and nothing else.
VALIDATION_ENVELOPE = "1 validation error detected: "


def strip_envelope(message):
    if message.startswith(VALIDATION_ENVELOPE):
        return message[len(VALIDATION_ENVELOPE):]
    return message


def assert_validation(excinfo, message):
    """A ValidationException whose message is exactly `message` (optionally enveloped)."""
    err = excinfo.value.response["Error"]
    assert err["Code"] == "ValidationException", err
    assert strip_envelope(err["Message"]) == message, err


def assert_conditional_failed(excinfo):
    err = excinfo.value.response["Error"]
    assert err["Code"] == "ConditionalCheckFailedException", err
    assert err["Message"] == "The conditional request failed", err


def raw_dynamodb_call(operation, body):
    """Sends one signed DynamoDB JSON request without an SDK; returns (status, parsed body).

    Used for parameters boto3 1.26 does not know (ReturnValuesOnConditionCheckFailure) and to
    see the exact error body the service returns.
    """
    import http.client
    import json
    import urllib.parse

    url = urllib.parse.urlparse(ENDPOINT)
    data = json.dumps(body).encode()
    headers = signed_headers(f"DynamoDB_20120810.{operation}", data, url.netloc)
    if url.scheme == "https":
        conn = http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=60)
    else:
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
    try:
        conn.request("POST", "/", body=data, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        return resp.status, (json.loads(payload) if payload else {})
    finally:
        conn.close()


def race(fns):
    """Runs the callables at the same instant (barrier); returns [(result, exception)]."""
    barrier = threading.Barrier(len(fns))
    out = [None] * len(fns)

    def run(i):
        barrier.wait()
        try:
            out[i] = (fns[i](), None)
        except Exception as e:  # noqa: BLE001 - recorded and asserted by the caller
            out[i] = (None, e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "a racing request hung"
    return out


# --- item helpers shared by the expression suites ---------------------------------------------

def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": v}


def SS(values):
    return {"SS": list(values)}


def norm(value):
    """Sets are unordered on the wire: sort them so values compare."""
    if isinstance(value, dict):
        return {k: (sorted(v) if k in ("SS", "NS", "BS") else norm(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def get_item(ddb, table, key, **extra):
    return ddb.get_item(TableName=table, Key={"pk": S(key)}, ConsistentRead=True,
                        **extra).get("Item")


def seeded(ddb, table, tag="upd", **attrs):
    """Puts {pk: <fresh key>, **attrs}; returns the key."""
    key = unique_key(tag)
    ddb.put_item(TableName=table, Item=dict(attrs, pk=S(key)))
    return key


def update(ddb, table, key, expr=None, values=None, names=None, **extra):
    params = dict(TableName=table, Key={"pk": S(key)}, **extra)
    if expr is not None:
        params["UpdateExpression"] = expr
    if values:
        params["ExpressionAttributeValues"] = values
    if names:
        params["ExpressionAttributeNames"] = names
    return ddb.update_item(**params)


def update_fails(ddb, table, key, expr, message, values=None, names=None):
    """The update is rejected with exactly `message` and the stored item did not change."""
    from botocore.exceptions import ClientError
    before = get_item(ddb, table, key)
    with pytest.raises(ClientError) as e:
        update(ddb, table, key, expr, values, names)
    assert_validation(e, message)
    assert get_item(ddb, table, key) == before


# --- helpers shared by the Query and Scan tests (issue 8) -----------------------------------

def read_pages(read, params, max_pages=2000):
    """Every page of a Query or Scan: calls read(**params), following LastEvaluatedKey until
    it is absent."""
    pages = []
    while True:
        resp = read(**params)
        pages.append(resp)
        if "LastEvaluatedKey" not in resp:
            return pages
        params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        assert len(pages) < max_pages, "paging does not terminate"


def all_items(pages):
    return [item for page in pages for item in page.get("Items", [])]


def item_bytes(item):
    """DynamoDB's size of an item made only of S attributes: UTF-8 names plus values."""
    return sum(len(k.encode()) + len(v["S"].encode()) for k, v in item.items())


def put_all(ddb, table, items):
    """Puts the items, 8 at a time."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda it: ddb.put_item(TableName=table, Item=it), items))
