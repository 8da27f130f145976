"""`skillforge serve`'s server: real HTTP in, API Gateway proxy events to the same handler, HTTP out."""

import json
import threading
import urllib.error
import urllib.request

import pytest


@pytest.fixture
def server(api):
    from skillforge.api.local_server import make_server

    srv = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def fetch(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, method=method, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_get_search_and_conditional_get(server):
    status, headers, body = fetch(f"{server}/v1/occupations?q=RN&limit=2")
    assert status == 200 and json.loads(body)["items"][0]["onet_code"] == "29-1141.00"
    status, _, body = fetch(f"{server}/v1/occupations/29-1141.00", headers={"If-None-Match": headers["ETag"]})
    assert status == 200  # another resource, another ETag
    etag = fetch(f"{server}/v1/occupations/29-1141.00")[1]["ETag"]
    status, _, body = fetch(f"{server}/v1/occupations/29-1141.00", headers={"If-None-Match": etag})
    assert status == 304 and body == b""


def test_post_match_and_errors(server):
    status, _, body = fetch(
        f"{server}/v1/match",
        "POST",
        json.dumps({"skills": [{"element_id": "2.A.1.a", "level": 4}], "limit": 2}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200 and len(json.loads(body)["items"]) == 2
    status, _, body = fetch(f"{server}/v1/match", "POST", b"[1,2", {"Content-Type": "application/json"})
    assert status == 422 and json.loads(body)["error"]["code"] == "validation_error"
    status, _, body = fetch(f"{server}/v1/occupations?q=caf%C3%A9%20cook&job_zone=9")
    assert status == 422 and json.loads(body)["error"]["details"][0]["field"] == "query.job_zone"


def test_swagger_ui(server):
    status, headers, body = fetch(f"{server}/docs")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"swagger" in body.lower()


def raw_request(server: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (urllib would fix the headers) and read the status line and body."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(server)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


@pytest.mark.parametrize(
    "length, status, rule",
    [
        (b"-5", 400, "integer"),
        (b"abc", 400, "integer"),
        (b"1e3", 400, "integer"),
        (b"\xd9\xa3", 400, "integer"),  # an Arabic-Indic digit: isdigit() but not ASCII
        (b"99999999999999999999", 400, "integer"),
        (b"20000000", 413, "max_size"),
    ],
)
def test_bad_content_length_is_a_4xx_naming_the_header(server, length, status, rule):
    got, body = raw_request(
        server,
        b"POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: " + length + b"\r\n\r\n{}",
    )
    error = json.loads(body)["error"]
    assert got == status and error["details"][0] == {
        "field": "header.Content-Length",
        "rule": rule,
        "message": error["message"],
    }


def test_conflicting_lengths_and_chunked_bodies_are_refused(server):
    got, _ = raw_request(
        server,
        b"POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{}",
    )
    assert got == 400
    got, body = raw_request(
        server,
        b"POST /v1/match HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    )
    assert got == 411 and json.loads(body)["error"]["code"] == "length_required"
