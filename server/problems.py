"""RFC 9457 problem details: one exception type and the handlers that render every error."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

TYPE_BASE = "https://hopdesk.example/problems/"
MEDIA_TYPE = "application/problem+json"

# Default slug and title for statuses raised by the framework itself.
_BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("malformed-request", "Malformed request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Validation error"),
    429: ("too-many-attempts", "Too many attempts"),
    500: ("internal-error", "Internal server error"),
    502: ("bad-gateway", "Bad gateway"),
    503: ("unavailable", "Service unavailable"),
}


class Problem(Exception):
    """An error the API reports on purpose; raised anywhere, rendered by the handler."""

    def __init__(
        self,
        status: int,
        slug: str | None = None,
        title: str | None = None,
        detail: str = "",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        default_slug, default_title = _BY_STATUS.get(status, ("error", "Error"))
        self.status = status
        self.slug = slug or default_slug
        self.title = title or default_title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions
        super().__init__(f"{status} {self.slug}: {detail}")


def problem_body(
    status: int, slug: str, title: str, detail: str, instance: str, **extensions: Any
) -> bytes:
    """The JSON document of a problem."""
    body = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extensions,
    }
    return json.dumps(body, ensure_ascii=False, default=str).encode()


def problem_response(problem: Problem, instance: str) -> Response:
    """An `application/problem+json` response for a Problem."""
    body = problem_body(
        problem.status,
        problem.slug,
        problem.title,
        problem.detail,
        instance,
        **problem.extensions,
    )
    return Response(body, problem.status, headers=problem.headers, media_type=MEDIA_TYPE)


def title_for(status: int) -> str:
    """The title of the default problem for a status."""
    return _BY_STATUS.get(status, ("error", "Error"))[1]


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` for the problems its handler raises on purpose; server/openapi.py
    adds the ones every route shares and the problem schema to each."""
    return {status: {"description": title_for(status)} for status in statuses}


def unauthorized(detail: str = "Sign in first.", slug: str = "unauthorized") -> Problem:
    """401 with the `WWW-Authenticate` header RFC 6750 asks for."""
    return Problem(401, slug, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def not_found(what: str = "Resource") -> Problem:
    """404; also used for things that exist but the user may not see."""
    return Problem(404, detail=f"{what} not found.")


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc, request.url.path)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    problem = Problem(exc.status_code, detail=detail, headers=dict(exc.headers or {}))
    if exc.status_code == 401:
        problem.headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(problem, request.url.path)


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the offending input (it may be huge or not JSON at all)."""
    return [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg")), "type": e.get("type")}
        for e in errors
    ]


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(exc.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        problem = Problem(400, detail="The body is not valid JSON.")
    else:
        problem = Problem(422, detail="The request does not match the schema.", errors=errors)
    return problem_response(problem, request.url.path)


async def _on_crash(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = Problem(500, detail="The server failed; the error has been logged.")
    return problem_response(problem, request.url.path)


def install(app: FastAPI) -> None:
    """Route every kind of error through problem details."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(Exception, _on_crash)
