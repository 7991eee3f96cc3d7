# The HTTP layer, spoken raw (no SDK): headers every response carries, the CRC32 SDKs verify,
# the health check, protocol-level errors and their exact __type namespaces, body limits,
# gzip request bodies and keep-alive.

import gzip
import http.client
import json
import select
import socket
import time
import urllib.parse
import zlib

import pytest

from conftest import ENDPOINT, signed_headers, unique_key, unique_table_name

_URL = urllib.parse.urlparse(ENDPOINT)
HOST = _URL.hostname
PORT = _URL.port or (443 if _URL.scheme == "https" else 80)
HOST_HEADER = _URL.netloc
JSON_10 = "application/x-amz-json-1.0"

NS_SERVICE = "com.amazon.coral.service#"
NS_VALIDATE = "com.amazon.coral.validate#"
NS_DYNAMODB = "com.amazonaws.dynamodb.v20120810#"


def connect():
    if _URL.scheme == "https":
        return http.client.HTTPSConnection(HOST, PORT, timeout=60)
    return http.client.HTTPConnection(HOST, PORT, timeout=60)


def send(conn, method, body, headers):
    conn.request(method, "/", body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, resp.headers, data


def post(target, body, signed=True, content_type=JSON_10, extra_headers=None, conn=None):
    """POSTs raw bytes; returns (status, headers, body bytes)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    if signed:
        headers = signed_headers(target, body, HOST_HEADER, content_type, extra_headers)
    else:
        headers = {"Content-Type": content_type, "Host": HOST_HEADER}
        if target is not None:
            headers["X-Amz-Target"] = target
        headers.update(extra_headers or {})
    own = conn is None
    conn = conn or connect()
    try:
        return send(conn, "POST", body, headers)
    finally:
        if own:
            conn.close()


def check_common_headers(headers, body):
    """What every DynamoDB JSON response carries."""
    assert headers.get("Content-Type") == JSON_10
    assert headers.get("x-amzn-RequestId"), "missing x-amzn-RequestId"
    assert headers.get("x-amz-crc32") == str(zlib.crc32(body) & 0xFFFFFFFF)


def error_type(body):
    return json.loads(body)["__type"]


# --- responses -------------------------------------------------------------------------------

def test_success_response_headers_and_crc32():
    # Content-Type, request id and a CRC32 matching the body bytes are what SDKs check.
    status, headers, body = post("DynamoDB_20120810.ListTables", {})
    assert status == 200
    check_common_headers(headers, body)
    assert isinstance(json.loads(body)["TableNames"], list)


def test_error_response_headers_and_body():
    # Errors are JSON {"__type": "<namespace>#<Code>", "message": ...} with the same headers.
    name = unique_table_name("missing")
    status, headers, body = post("DynamoDB_20120810.DescribeTable", {"TableName": name})
    assert status == 400
    check_common_headers(headers, body)
    assert json.loads(body) == {
        "__type": NS_DYNAMODB + "ResourceNotFoundException",
        "message": f"Requested resource not found: Table: {name} not found",
    }


def test_validation_error_namespace():
    # Parameter errors live in the coral validate namespace, not the DynamoDB one.
    status, headers, body = post("DynamoDB_20120810.PutItem",
                                 {"TableName": "ab", "Item": {"pk": {"S": "a"}}})
    assert status == 400
    check_common_headers(headers, body)
    assert json.loads(body) == {
        "__type": NS_VALIDATE + "ValidationException",
        "message": "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 3",
    }


def test_resource_in_use_namespace(table_s):
    # ResourceInUseException is a DynamoDB-namespace error.
    status, headers, body = post("DynamoDB_20120810.CreateTable", {
        "TableName": table_s,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    })
    assert status == 400
    check_common_headers(headers, body)
    assert json.loads(body) == {"__type": NS_DYNAMODB + "ResourceInUseException",
                                "message": f"Table already exists: {table_s}"}


def test_server_header_present():
    # The real service sends a Server header; some clients log or inspect it.
    _, headers, _ = post("DynamoDB_20120810.ListTables", {})
    assert headers.get("Server")


def test_application_json_content_type_accepted():
    # Older SDKs send Content-Type: application/json; it must be served like x-amz-json-1.0.
    status, headers, body = post("DynamoDB_20120810.ListTables", {},
                                 content_type="application/json")
    assert status == 200
    assert isinstance(json.loads(body)["TableNames"], list)
    assert headers.get("x-amz-crc32") == str(zlib.crc32(body) & 0xFFFFFFFF)


# --- health check ----------------------------------------------------------------------------

def test_health_check_echoes_host():
    # GET / is the load-balancer health check: "healthy: <the Host it was called by>".
    conn = connect()
    try:
        status, headers, body = send(conn, "GET", None, {"Host": HOST_HEADER})
    finally:
        conn.close()
    assert status == 200
    # The real service appends a trailing space; compare without trailing whitespace.
    assert body.decode().rstrip() == f"healthy: {HOST_HEADER}"
    assert headers.get("x-amz-crc32") == str(zlib.crc32(body) & 0xFFFFFFFF)
    assert headers.get("x-amzn-RequestId")


# --- protocol-level errors -------------------------------------------------------------------

def test_missing_authentication_token():
    # A request with a valid target but no Authorization header is refused before anything else.
    status, headers, body = post("DynamoDB_20120810.ListTables", {}, signed=False)
    assert status == 400
    check_common_headers(headers, body)
    assert json.loads(body) == {"__type": NS_SERVICE + "MissingAuthenticationTokenException",
                                "message": "Request is missing Authentication Token"}


@pytest.mark.parametrize("target", ["DynamoDB_20120810.ListTable", "whatever",
                                    "DynamoDB_20120810.", "DynamoDB_20991231.ListTables"])
def test_unknown_operation(target):
    # An unknown X-Amz-Target is UnknownOperationException in the coral service namespace.
    status, headers, body = post(target, {})
    assert status == 400
    check_common_headers(headers, body)
    assert error_type(body) == NS_SERVICE + "UnknownOperationException"


def test_missing_target_is_unknown_operation():
    # No X-Amz-Target at all names no operation either.
    status, headers, body = post(None, {}, signed=False)
    assert status == 400
    check_common_headers(headers, body)
    assert error_type(body) == NS_SERVICE + "UnknownOperationException"


@pytest.mark.parametrize("body", [b"hi", b'{"TableName": ', b"[1, 2", b"{'a': 1}"],
                         ids=["word", "truncated", "open-array", "single-quotes"])
def test_malformed_json_is_serialization_exception(body):
    # A body that is not JSON is a SerializationException, never a 500.
    status, headers, data = post("DynamoDB_20120810.ListTables", body)
    assert status == 400
    check_common_headers(headers, data)
    assert error_type(data) == NS_SERVICE + "SerializationException"


def test_empty_body_is_serialization_exception():
    # An empty body is not a JSON document either.
    status, headers, data = post("DynamoDB_20120810.ListTables", b"")
    assert status == 400
    check_common_headers(headers, data)
    assert error_type(data) == NS_SERVICE + "SerializationException"


def test_body_over_16mb_is_413():
    # Request bodies are limited to 16 MB; a larger one gets HTTP 413 without being parsed.
    limit = 16 * 1024 * 1024
    body = b"{" + b" " * (limit - 1) + b"}"  # limit + 1 bytes
    head = (f"POST / HTTP/1.1\r\nHost: {HOST_HEADER}\r\nContent-Type: {JSON_10}\r\n"
            f"X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    sock = socket.create_connection((HOST, PORT), timeout=60)
    try:
        sock.sendall(head)
        view = memoryview(body)
        sent = 0
        deadline = time.monotonic() + 60
        # Stop sending as soon as the server answers: it may refuse after the headers.
        while sent < len(body) and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(view[sent:sent + 256 * 1024])
                except (BrokenPipeError, ConnectionResetError):
                    break
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        assert resp.status == 413
    finally:
        sock.close()


# --- gzip and keep-alive ---------------------------------------------------------------------

def test_gzip_request_body(ddb, table_s):
    # A gzip-compressed request body (Content-Encoding: gzip) is decompressed and served.
    key = unique_key("gzip")
    payload = json.dumps({"TableName": table_s,
                          "Item": {"pk": {"S": key}, "v": {"S": "z" * 1000}}}).encode()
    status, headers, body = post("DynamoDB_20120810.PutItem", gzip.compress(payload),
                                 extra_headers={"Content-Encoding": "gzip"})
    assert status == 200, body
    check_common_headers(headers, body)
    got = ddb.get_item(TableName=table_s, Key={"pk": {"S": key}}, ConsistentRead=True)
    assert got["Item"]["v"] == {"S": "z" * 1000}


def test_keep_alive_serves_several_requests_on_one_connection():
    # SDKs reuse connections: successes and errors alike must leave the connection open.
    conn = connect()
    try:
        status, _, _ = post("DynamoDB_20120810.ListTables", {}, conn=conn)
        assert status == 200
        first_sock = conn.sock
        assert first_sock is not None
        for i in range(6):
            if i % 2:
                status, headers, body = post("DynamoDB_20120810.DescribeTable",
                                             {"TableName": unique_table_name("missing")},
                                             conn=conn)
                assert status == 400
            else:
                status, headers, body = post("DynamoDB_20120810.ListTables", {"Limit": 1},
                                             conn=conn)
                assert status == 200
            check_common_headers(headers, body)
            assert conn.sock is first_sock, "server closed the keep-alive connection"
    finally:
        conn.close()


# --- the reply head on the wire: versions and Connection -----------------------------------

def _raw_head(version, headers):
    return (f"POST / {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n").encode()


def _raw_request(version, connection=None):
    body = b"{}"
    headers = signed_headers("DynamoDB_20120810.ListTables", body, HOST_HEADER)
    headers["Content-Length"] = str(len(body))
    if connection is not None:
        headers["Connection"] = connection
    return _raw_head(version, headers) + body


def _chunked_list_tables_head():
    """The head of a ListTables whose body {} comes as Transfer-Encoding: chunked."""
    headers = signed_headers("DynamoDB_20120810.ListTables", b"{}", HOST_HEADER)
    headers.pop("Content-Length", None)
    headers["Transfer-Encoding"] = "chunked"
    return _raw_head("HTTP/1.1", headers)


def _read_reply(sock, buf=b""):
    """One reply from sock: (status line, [(name, value)] in order, body, bytes left over)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a complete head"
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    fields = [tuple(line.split(": ", 1)) for line in lines[1:]]
    length = int(dict(fields)["Content-Length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        rest += chunk
    return lines[0], fields, rest[:length], rest[length:]


def _closed_by_server(sock):
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.mark.skipif(_URL.scheme == "https", reason="raw sockets speak plain HTTP")
@pytest.mark.parametrize("version,connection,stays_open,connection_header", [
    ("HTTP/1.1", None, True, None),
    ("HTTP/1.1", "close", False, "close"),
    ("HTTP/1.0", None, False, None),
    ("HTTP/1.0", "keep-alive", True, "keep-alive"),
])
def test_reply_head_version_and_connection(version, connection, stays_open, connection_header):
    # The status line echoes the request's version; Connection appears only where it differs
    # from that version's default, and the server keeps or closes the connection accordingly.
    with socket.create_connection((HOST, PORT), timeout=30) as sock:
        sock.sendall(_raw_request(version, connection))
        status, fields, body, rest = _read_reply(sock)
        assert status == f"{version} 200 OK"
        assert rest == b""
        names = [name for name, _ in fields]
        assert names[:2] == ["Server", "Date"]
        assert names[-1] == "Content-Length"
        assert len(names) == len(set(names)), names
        got = dict(fields)
        assert got.get("Connection") == connection_header
        assert int(got["Content-Length"]) == len(body)
        check_common_headers(got, body)
        assert "TableNames" in json.loads(body)
        if stays_open:
            sock.sendall(_raw_request(version, connection))
            status, _, body, _ = _read_reply(sock)
            assert status == f"{version} 200 OK"
            assert "TableNames" in json.loads(body)
        else:
            assert _closed_by_server(sock)


@pytest.mark.skipif(_URL.scheme == "https", reason="raw sockets speak plain HTTP")
def test_pipelined_requests_are_answered_in_order():
    # Two requests in one send: two complete replies, in order, on the same connection.
    first = _raw_request("HTTP/1.1")
    body = json.dumps({"TableName": unique_table_name("missing")}).encode()
    headers = signed_headers("DynamoDB_20120810.DescribeTable", body, HOST_HEADER)
    headers["Content-Length"] = str(len(body))
    second = _raw_head("HTTP/1.1", headers) + body
    with socket.create_connection((HOST, PORT), timeout=30) as sock:
        sock.sendall(first + second)
        status, _, body1, rest = _read_reply(sock)
        assert status == "HTTP/1.1 200 OK"
        assert "TableNames" in json.loads(body1)
        status, fields, body2, rest = _read_reply(sock, rest)
        assert status == "HTTP/1.1 400 Bad Request"
        assert error_type(body2) == NS_DYNAMODB + "ResourceNotFoundException"
        assert rest == b""


@pytest.mark.skipif(_URL.scheme == "https", reason="raw sockets speak plain HTTP")
@pytest.mark.parametrize("cut", ["mid_request_line", "mid_header", "before_body", "mid_body",
                                 "every_byte_around_the_header_end", "every_byte_of_the_end"])
def test_request_arriving_in_pieces_is_answered(cut):
    # The server parses what has arrived and waits for the rest, whichever part is missing.
    body = json.dumps({"TableName": unique_table_name("missing"), "pad": "x" * 300}).encode()
    headers = signed_headers("DynamoDB_20120810.DescribeTable", body, HOST_HEADER)
    headers["Content-Length"] = str(len(body))
    head = _raw_head("HTTP/1.1", headers)
    whole = head + body
    cuts = {
        "mid_request_line": [7],
        "mid_header": [len(head) // 2],
        "before_body": [len(head)],
        "mid_body": [len(head) + len(body) // 2],
        # The last header line, the blank line that ends the header and the first body bytes,
        # one byte at a time: the parser must take over from wherever the bytes stopped.
        "every_byte_around_the_header_end": list(range(len(head) - 8, len(head) + 4)),
        "every_byte_of_the_end": list(range(len(whole) - 8, len(whole))),
    }[cut]
    with socket.create_connection((HOST, PORT), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = 0
        for at in cuts:
            sock.sendall(whole[start:at])
            start = at
            time.sleep(0.05)
        sock.sendall(whole[start:])
        status, _, reply, rest = _read_reply(sock)
        assert status == "HTTP/1.1 400 Bad Request"
        assert error_type(reply) == NS_DYNAMODB + "ResourceNotFoundException"
        assert rest == b""
        # The connection is still good for the next request.
        sock.sendall(_raw_request("HTTP/1.1"))
        status, _, reply, _ = _read_reply(sock)
        assert status == "HTTP/1.1 200 OK"


@pytest.mark.skipif(_URL.scheme == "https", reason="raw sockets speak plain HTTP")
def test_chunked_request_body_is_accepted():
    # Transfer-Encoding: chunked instead of Content-Length, chunks in separate sends.
    head = _chunked_list_tables_head()
    with socket.create_connection((HOST, PORT), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for part in [head + b"1\r\n{", b"\r\n", b"1\r\n}\r\n", b"0\r\n\r\n"]:
            sock.sendall(part)
            time.sleep(0.05)
        status, _, reply, rest = _read_reply(sock)
        assert status == "HTTP/1.1 200 OK"
        assert "TableNames" in json.loads(reply)
        assert rest == b""


@pytest.mark.skipif(_URL.scheme == "https", reason="raw sockets speak plain HTTP")
@pytest.mark.parametrize("second_split", [None, 40])
def test_whole_chunked_request_then_a_pipelined_one(second_split):
    # A chunked request complete in one send, followed at once by another request (whole, or
    # its first bytes only, the rest later): both answered, in order, nothing left over.
    second = _raw_request("HTTP/1.1")
    first = _chunked_list_tables_head() + b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n"
    with socket.create_connection((HOST, PORT), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if second_split is None:
            sock.sendall(first + second)
        else:
            sock.sendall(first + second[:second_split])
            time.sleep(0.1)
            sock.sendall(second[second_split:])
        rest = b""
        for _ in range(2):
            status, fields, reply, rest = _read_reply(sock, rest)
            assert status == "HTTP/1.1 200 OK"
            assert "TableNames" in json.loads(reply)
        assert rest == b""
