"""Errors are RFC 9457 problem details, and bad input never causes a 500."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api

PROBLEM = "application/problem+json"


def test_malformed_json_is_400(demo: Api) -> None:
    reply = demo.post("/auth/login", raw=b'{"username": ')
    assert reply.status == 400
    assert reply.headers["content-type"] == PROBLEM
    assert reply.json()["type"].endswith("/malformed-request")


def test_schema_error_is_422_with_errors(demo: Api) -> None:
    reply = demo.post("/auth/login", {"username": 5})
    assert reply.status == 422
    body = reply.json()
    assert body["type"].endswith("/validation-error")
    assert body["errors"]
    assert all({"loc", "msg", "type"} <= set(e) for e in body["errors"])


def test_unknown_route_and_method(demo: Api) -> None:
    missing = demo.get("/no/such/thing")
    assert missing.status == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong = demo.call("DELETE", "/health")
    assert wrong.status == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")


def _raw_request(
    server: ServerProcess, headers: dict[str, str], chunks: list[bytes]
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.putrequest("POST", "/api/v1/auth/login")
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    try:
        for chunk in chunks:
            conn.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before the whole body is sent
    resp = conn.getresponse()
    result = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    conn.close()
    return result


def test_oversize_body_by_length_and_by_stream(demo_server: ServerProcess) -> None:
    big = b"x" * (10 * 1024 * 1024 + 1)
    status, headers, body = _raw_request(
        demo_server, {"Content-Type": "application/json", "Content-Length": str(len(big))}, [big]
    )
    assert status == 413
    assert headers["content-type"] == PROBLEM
    assert json.loads(body)["type"].endswith("/too-large")

    # Chunked: no Content-Length to trust, the middleware counts what arrives.
    piece = b"y" * (1024 * 1024)
    chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
    status, _, body = _raw_request(
        demo_server,
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        [chunk] * 11 + [b"0\r\n\r\n"],
    )
    assert status == 413
    assert json.loads(body)["type"].endswith("/too-large")


@pytest.fixture(scope="module")
def fuzz_token(shared: Api) -> str:
    """The fuzzers write (valid bodies may slip through), so they get their own server."""
    token = shared.login("giamdoc").token
    assert token
    return token


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
ENDPOINTS = [
    ("POST", "/auth/login"),
    ("POST", "/auth/refresh"),
    ("POST", "/auth/logout"),
    ("POST", "/meetings"),
    ("POST", "/documents/1/comments"),
    ("PUT", "/notes/3f0e4b52-0c8e-4f7e-9a55-5b9a9c1e7a10"),
    ("GET", "/meetings"),
    ("GET", "/documents"),
    ("GET", "/events"),
]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=json_values | st.binary(max_size=64),
    query=st.dictionaries(
        st.sampled_from(["start", "end", "box", "since", "limit", "target"]),
        st.text(max_size=12),
        max_size=3,
    ),
    signed=st.booleans(),
)
def test_garbage_never_gives_500(
    fuzz_token: str,
    shared: Api,
    endpoint: tuple[str, str],
    body: object,
    query: dict[str, str],
    signed: bool,
) -> None:
    method, path = endpoint
    qs = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    api = Api(shared.base, fuzz_token if signed else None)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = api.call(method, f"{path}?{qs}" if qs else path, raw=raw if method != "GET" else None)
    assert reply.status < 500, (method, path, body, reply.body)
    if reply.status >= 400:
        assert reply.headers["content-type"] == PROBLEM


@given(segment=st.text(min_size=1, max_size=20))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_garbage_paths_never_give_500(fuzz_token: str, shared: Api, segment: str) -> None:
    api = Api(shared.base, fuzz_token)
    for template in ("/meetings/{}", "/documents/{}", "/files/{}", "/notes/{}", "/{}"):
        reply = api.get(template.format(quote(segment, safe="")))
        assert reply.status < 500, (template, segment)


def test_unexpected_error_is_a_logged_500_problem(caplog: pytest.LogCaptureFixture) -> None:
    """The catch-all handler, driven through ASGI directly (no route of ours fails on purpose)."""
    import asyncio

    from fastapi import FastAPI

    from server import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaput")

    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/boom",
        "raw_path": b"/boom",
        "query_string": b"",
        "headers": [],
        "scheme": "http",
        "server": ("t", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "http_version": "1.1",
    }
    with pytest.raises(RuntimeError):  # Starlette re-raises after answering, for the server log
        asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 500
    assert (b"content-type", PROBLEM.encode()) in sent[0]["headers"]  # type: ignore[operator]
    body = json.loads(sent[1]["body"])  # type: ignore[arg-type]
    assert body["type"].endswith("/internal-error")
    assert "kaput" not in body["detail"]
    assert any("unhandled error" in r.message for r in caplog.records)
