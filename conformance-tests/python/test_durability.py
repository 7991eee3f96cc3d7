# Durability of the persistent mode: these tests start their own ddbd processes from $DDBD_BIN
# on a private --db-path, stop them cleanly (SIGTERM) or brutally (kill -9), start them again
# on the same directory and read everything back.

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, make_client, unique_key, unique_table_name

DDBD_BIN = os.environ.get("DDBD_BIN")

pytestmark = pytest.mark.skipif(not DDBD_BIN, reason="DDBD_BIN is not set")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ddbd process on a private port and data directory, logging to a file."""

    def __init__(self, db_path, log_path):
        self.db_path = db_path
        self.log_path = log_path
        self.proc = None
        self.port = None

    def start(self, timeout=30.0):
        self.port = free_port()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [DDBD_BIN, "--host", "127.0.0.1", "--port", str(self.port),
             "--db-path", str(self.db_path)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/"
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"ddbd exited with {self.proc.returncode} during start-up:\n"
                                     + self.logs())
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200 and resp.read().startswith(b"healthy:"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("ddbd did not answer GET / in time:\n" + self.logs())
            time.sleep(0.05)
        self.client = make_client(f"http://127.0.0.1:{self.port}")
        return self

    def terminate(self, timeout=30.0):
        """SIGTERM and wait; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("ddbd did not exit within 30 s of SIGTERM:\n" + self.logs())
        finally:
            self.log.close()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop_quietly(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None and not self.log.closed:
            self.log.close()

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-4000:].decode(errors="replace")
        except OSError:
            return ""


@pytest.fixture
def server_factory(tmp_path):
    """Starts ddbd processes on one data directory; any still running are killed afterwards."""
    db_path = tmp_path / "db"
    db_path.mkdir()
    started = []

    def start():
        server = Server(db_path, tmp_path / "ddbd.log").start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop_quietly()


HASH_ONLY = ([{"AttributeName": "pk", "KeyType": "HASH"}],
             [{"AttributeName": "pk", "AttributeType": "S"}])


def test_clean_restart_keeps_tables_and_items(server_factory):
    # A SIGTERM shutdown exits 0 and a restart on the same --db-path sees every table and item.
    server = server_factory()
    name = unique_table_name("dur")
    sorted_name = unique_table_name("dur-sn")
    create_table(server.client, name, *HASH_ONLY)
    create_table(server.client, sorted_name,
                 [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                 [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "sk", "AttributeType": "N"}],
                 BillingMode="PROVISIONED",
                 ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    items = []
    for i in range(20):
        item = {
            "pk": {"S": f"item-{i:03d}"},
            "n": {"N": f"{i}.5"},
            "b": {"B": bytes([i, 255 - i])},
            "ss": {"SS": [f"x{i}", "y"]},
            "m": {"M": {"l": {"L": [{"BOOL": i % 2 == 0}, {"NULL": True}]}}},
        }
        server.client.put_item(TableName=name, Item=item)
        items.append(item)
    server.client.put_item(TableName=sorted_name,
                           Item={"pk": {"S": "p"}, "sk": {"N": "-12.5"}, "v": {"S": "ranged"}})
    # A deleted item must stay deleted after the restart.
    server.client.delete_item(TableName=name, Key={"pk": {"S": "item-019"}})
    items.pop()

    assert server.terminate() == 0, server.logs()

    server = server_factory()
    listed = server.client.list_tables()["TableNames"]
    assert name in listed and sorted_name in listed
    desc = server.client.describe_table(TableName=sorted_name)["Table"]
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    for item in items:
        got = server.client.get_item(TableName=name, Key={"pk": item["pk"]},
                                     ConsistentRead=True)["Item"]
        got["ss"]["SS"] = sorted(got["ss"]["SS"])
        assert got == dict(item, ss={"SS": sorted(item["ss"]["SS"])})
    assert "Item" not in server.client.get_item(TableName=name, Key={"pk": {"S": "item-019"}},
                                                ConsistentRead=True)
    got = server.client.get_item(TableName=sorted_name,
                                 Key={"pk": {"S": "p"}, "sk": {"N": "-12.5"}},
                                 ConsistentRead=True)["Item"]
    assert got["v"] == {"S": "ranged"}
    assert server.terminate() == 0, server.logs()


def test_kill9_keeps_every_acknowledged_put(server_factory):
    # A write that was acknowledged must survive a crash right after the acknowledgement.
    server = server_factory()
    name = unique_table_name("crash")
    create_table(server.client, name, *HASH_ONLY)
    prefix = unique_key("crash")
    count = 500
    for i in range(count):
        server.client.put_item(TableName=name,
                               Item={"pk": {"S": f"{prefix}-{i}"}, "i": {"N": str(i)}})
    server.kill9()

    server = server_factory()
    missing = []
    for i in range(count):
        resp = server.client.get_item(TableName=name, Key={"pk": {"S": f"{prefix}-{i}"}},
                                      ConsistentRead=True)
        if resp.get("Item") != {"pk": {"S": f"{prefix}-{i}"}, "i": {"N": str(i)}}:
            missing.append(i)
    assert missing == [], f"{len(missing)} acknowledged items lost, first: {missing[:10]}"
    assert server.terminate() == 0, server.logs()


def test_kill9_keeps_acknowledged_overwrites_and_deletes(server_factory):
    # The last acknowledged state of each key survives a crash: overwrites and deletes included.
    server = server_factory()
    name = unique_table_name("crash2")
    create_table(server.client, name, *HASH_ONLY)
    for i in range(50):
        server.client.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": "1"}})
    for i in range(50):
        if i % 2:
            server.client.delete_item(TableName=name, Key={"pk": {"S": f"k{i}"}})
        else:
            server.client.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": "2"}})
    server.kill9()

    server = server_factory()
    for i in range(50):
        resp = server.client.get_item(TableName=name, Key={"pk": {"S": f"k{i}"}},
                                      ConsistentRead=True)
        if i % 2:
            assert "Item" not in resp, i
        else:
            assert resp["Item"]["v"] == {"N": "2"}, i
    assert server.terminate() == 0, server.logs()


def test_deleted_table_stays_deleted_after_restart(server_factory):
    # DeleteTable is durable, and a table re-created after the restart starts empty.
    server = server_factory()
    name = unique_table_name("gone")
    create_table(server.client, name, *HASH_ONLY)
    server.client.put_item(TableName=name, Item={"pk": {"S": "old"}})
    server.client.delete_table(TableName=name)
    assert server.terminate() == 0, server.logs()

    server = server_factory()
    with pytest.raises(ClientError) as e:
        server.client.describe_table(TableName=name)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    create_table(server.client, name, *HASH_ONLY)
    assert "Item" not in server.client.get_item(TableName=name, Key={"pk": {"S": "old"}},
                                                ConsistentRead=True)
    assert server.terminate() == 0, server.logs()
