# What a DynamoDB Local user relies on beyond the API: data namespaced per access key and region
# (shared with -sharedDb), CORS for browser SDKs, -delayTransientStatuses, and DynamoDB Local's
# command line accepted as written. Tests that need their own server start ddbd from $DDBD_BIN.

import http.client
import os
import subprocess
import time
import urllib.parse
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ENDPOINT, unique_table_name

DDBD_BIN = os.environ.get("DDBD_BIN")
needs_bin = pytest.mark.skipif(not DDBD_BIN, reason="DDBD_BIN is not set")
HASH_ONLY = dict(BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])


def client(endpoint=ENDPOINT, access_key="testing", region="us-east-1"):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=access_key, aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}))


class OwnServer:
    """A ddbd of the test's own, started with extra arguments on a free port."""

    def __init__(self, *args):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([DDBD_BIN, *args, "-port", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("ddbd did not start: " + self.proc.stdout.read().decode())
            time.sleep(0.02)

    def stop(self):
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=10)
        assert self.proc.returncode == 0, out.decode()
        return out.decode()


def test_tables_are_namespaced_per_access_key_and_region():
    # Without -sharedDb each access key + region sees only its own tables, as in DynamoDB Local
    # (an emulator behaviour: against AWS, one account's keys share its tables).
    name = unique_table_name("ns")
    mine = client(access_key="alice")
    mine.create_table(TableName=name, **HASH_ONLY)
    try:
        assert name in mine.list_tables(Limit=100, ExclusiveStartTableName=name[:-1])["TableNames"]
        for other in (client(access_key="bob"), client(access_key="alice", region="eu-west-1")):
            with pytest.raises(ClientError) as e:
                other.describe_table(TableName=name)
            assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    finally:
        mine.delete_table(TableName=name)


@needs_bin
def test_shared_db_puts_every_client_in_one_namespace():
    # With -sharedDb, a table created with one access key and region is visible to all.
    server = OwnServer("-sharedDb", "-inMemory")
    try:
        client(server.endpoint, access_key="alice").create_table(TableName="shared", **HASH_ONLY)
        other = client(server.endpoint, access_key="bob", region="ap-south-1")
        assert other.describe_table(TableName="shared")["Table"]["TableStatus"] == "ACTIVE"
    finally:
        server.stop()


@needs_bin
def test_dynamodb_local_command_line_is_accepted():
    # The words DynamoDB Local's users pass (java, -jar, -D..., no-op flags) must not stop ddbd.
    server = OwnServer("-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
                       "-sharedDb", "-inMemory", "-optimizeDbBeforeStartup", "-disableTelemetry",
                       "-cors", "*")
    try:
        assert client(server.endpoint).list_tables()["TableNames"] == []
    finally:
        out = server.stop()
    assert "ignoring '-jar DynamoDBLocal.jar'" in out


@needs_bin
def test_delay_transient_statuses_shows_creating_then_active():
    # -delayTransientStatuses makes tables pass through CREATING and DELETING, as waiters expect.
    server = OwnServer("-delayTransientStatuses", "-inMemory")
    try:
        c = client(server.endpoint)
        created = c.create_table(TableName="slow", **HASH_ONLY)["TableDescription"]
        assert created["TableStatus"] == "CREATING"
        c.get_waiter("table_exists").wait(TableName="slow", WaiterConfig={"Delay": 0.2})
        assert c.describe_table(TableName="slow")["Table"]["TableStatus"] == "ACTIVE"
        assert c.delete_table(TableName="slow")["TableDescription"]["TableStatus"] == "DELETING"
        assert c.describe_table(TableName="slow")["Table"]["TableStatus"] == "DELETING"
        c.get_waiter("table_not_exists").wait(TableName="slow", WaiterConfig={"Delay": 0.2})
    finally:
        server.stop()


@needs_bin
@pytest.mark.parametrize("flag,expected", [("--help", "Usage: ddbd"), ("-version", "ddbd ")])
def test_help_and_version(flag, expected):
    # -help and -version print and exit 0 without starting a server.
    out = subprocess.run([DDBD_BIN, flag], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0
    assert out.stdout.startswith(expected)


def _raw(method, headers, body=b""):
    url = urllib.parse.urlparse(ENDPOINT)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, "/", body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def test_cors_preflight_is_answered():
    # Browser SDKs send an OPTIONS preflight; DynamoDB Local answers it (CORS "*" by default).
    status, headers, _ = _raw("OPTIONS", {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,authorization"})
    assert status == 200
    assert headers.get("Access-Control-Allow-Origin") == "*"
    assert "POST" in headers.get("Access-Control-Allow-Methods", "")
    assert "x-amz-target" in headers.get("Access-Control-Allow-Headers", "")


def test_cors_headers_on_responses_with_an_origin():
    # A response to a request carrying Origin lets the browser read it and its headers.
    status, headers, _ = _raw("GET", {"Origin": "http://localhost:3000"})
    assert status == 200
    assert headers.get("Access-Control-Allow-Origin") == "*"
    assert "x-amz-crc32" in headers.get("Access-Control-Expose-Headers", "")
    _, plain, _ = _raw("GET", {})
    assert plain.get("Access-Control-Allow-Origin") is None
