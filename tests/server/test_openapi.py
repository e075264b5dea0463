"""The OpenAPI document tells a generated client every problem an operation can answer, as
`application/problem+json` (issue 10, finding 11); and no redirect points at another host
(finding 9)."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api

PROBLEM = "application/problem+json"
PROBLEM_CONTENT = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document(demo_server: ServerProcess) -> dict[str, Any]:
    reply = Api(demo_server.url).get("/openapi.json")
    assert reply.status == 200, reply.body
    result: dict[str, Any] = reply.json()
    return result


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path.removeprefix("/api/v1")): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_every_error_response_is_a_problem_document(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) >= 20
    for (method, path), operation in operations.items():
        errors = {int(s): r for s, r in operation["responses"].items() if int(s) >= 400}
        assert errors or path == "/health", (method, path, "documents no problem")
        for status, response in errors.items():
            assert response.get("content") == PROBLEM_CONTENT, (method, path, status)
    assert "HTTPValidationError" not in str(document)  # FastAPI's application/json 422 shape
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert problem["additionalProperties"] is True  # RFC 9457 extension members


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/auth/login", {400, 401, 413, 422, 429}),
        ("POST", "/auth/refresh", {400, 401, 413, 422}),
        ("GET", "/me", {401}),
        ("GET", "/users", {401, 403, 422}),
        ("POST", "/meetings", {400, 401, 403, 413, 422}),
        ("GET", "/meetings/{meeting_id}", {401, 404, 422}),
        ("POST", "/documents/{document_id}/comments", {400, 401, 403, 404, 413, 422}),
        ("GET", "/files/{sha256}", {401, 404, 422}),
        ("PUT", "/notes/{note_id}", {400, 401, 404, 409, 413, 422}),
        ("DELETE", "/notes/{note_id}", {401, 404, 422}),
        ("GET", "/audit", {401, 403, 422}),
    ],
)
def test_documented_problem_statuses(
    document: dict[str, Any], method: str, path: str, expected: set[int]
) -> None:
    responses = _operations(document)[(method, path)]["responses"]
    assert {int(s) for s in responses if int(s) >= 400} == expected


def test_other_answers_are_documented(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert "201" in operations[("PUT", "/notes/{note_id}")]["responses"]  # a new note
    file_get = operations[("GET", "/files/{sha256}")]["responses"]
    assert "304" in file_get
    assert file_get["200"]["content"]["*/*"]["schema"]["format"] == "binary"
    login = operations[("POST", "/auth/login")]["responses"]
    assert "Retry-After" in login["429"]["headers"]
    assert "WWW-Authenticate" in login["401"]["headers"]
    assert not [s for s in operations[("GET", "/health")]["responses"] if int(s) >= 400]


def test_no_redirect_to_the_host_header(demo_server: ServerProcess) -> None:
    """A trailing slash redirected to `http://<Host header>/...`: an open redirect."""
    parts = urlsplit(demo_server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.request("GET", "/api/v1/health/", headers={"Host": "evil.example"})
        reply = conn.getresponse()
        reply.read()
    finally:
        conn.close()
    assert reply.getheader("location") is None
    assert reply.status == 404
    assert reply.getheader("content-type") == PROBLEM


def test_sign_in_and_idempotency_are_documented(document: dict[str, Any]) -> None:
    """A generated client knows which operations need the bearer token and take a key."""
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for (method, path), operation in _operations(document).items():
        public = path.startswith("/auth/") or path == "/health"
        assert ("security" not in operation) == public, (method, path)
        keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
        assert bool(keys) == (method != "GET" and not public), (method, path)
