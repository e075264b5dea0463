"""User messages: full sentences naming the URL and the cause, never a traceback."""

from __future__ import annotations

from desktop.errors import (
    ApiError,
    InvalidCredentials,
    Problem,
    ServerUnreachable,
    SessionExpired,
    TlsError,
    TooManyAttempts,
)


def test_problem_parsing_keeps_extensions() -> None:
    body = {
        "type": "https://hopdesk.example/problems/too-many-attempts",
        "title": "Too many attempts",
        "status": 429,
        "detail": "wait",
        "instance": "/api/v1/auth/login",
        "retry_after": 60,
    }
    problem = Problem.from_json(429, body)
    assert problem.slug == "too-many-attempts"
    assert problem.extensions == {"retry_after": 60}
    assert Problem.from_json(502, "<html>").status == 502


def test_messages_name_url_and_cause() -> None:
    unreachable = ServerUnreachable("http://127.0.0.1:9", "Connection refused")
    assert "http://127.0.0.1:9" in unreachable.user_message()
    assert "Connection refused" in unreachable.user_message()
    tls = TlsError("https://x", "self-signed certificate")
    assert "https://x" in tls.user_message()
    assert "self-signed certificate" in tls.user_message()
    assert "Traceback" not in tls.user_message()


def test_too_many_attempts_seconds_and_minutes() -> None:
    problem = Problem(status=429)
    assert "45 seconds" in TooManyAttempts(problem, 45).user_message()
    assert "15 minutes" in TooManyAttempts(problem, 900).user_message()


def test_other_messages() -> None:
    assert "password" in InvalidCredentials(Problem(401)).user_message()
    assert "sign in again" in SessionExpired().user_message()
    assert "not allowed" in ApiError(Problem(403)).user_message()
    assert "Bad text" in ApiError(Problem(422, detail="Bad text")).user_message()
    assert "500" in ApiError(Problem(500)).user_message()
