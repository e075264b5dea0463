"""The OpenAPI document lists every problem response an operation can give (issue 10, #11).

FastAPI alone documents a 422 with its own `application/json` schema and nothing else, so a
generated client knew neither our 401/403/404/409/413/429 nor their `application/problem+json`
body. Here each operation gets:
- what every route can answer, derived from how it is built: 401 when it needs a signed-in user
  (`signed_in`), 403 when it needs a role (`require(...)`), 422 when it takes parameters or a
  body, 400 (malformed JSON) and 413 (body limit) when it takes a body;
- what its handler raises on purpose, declared on the route with `problems.problem_responses(...)`;
all with the RFC 9457 schema below as `application/problem+json`. Operations that need a
signed-in user say so (`bearer` security) and, when they change state, take `Idempotency-Key`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from server.access import require, signed_in
from server.idempotency import EXEMPT_PREFIX, MAX_KEY, UNSAFE
from server.problems import MEDIA_TYPE, TYPE_BASE, title_for

PROBLEM_REF = "#/components/schemas/Problem"
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Applies the request once; a repeat gets the stored answer (docs/contract.md)",
    "schema": {"type": "string", "maxLength": MAX_KEY},
}


class ValidationIssue(BaseModel):
    """One entry of a `validation-error` problem's `errors`: where, what, which rule."""

    loc: list[str]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details; extension members (`errors`, `retry_after`, ...) may follow."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description=f"`{TYPE_BASE}<slug>`; the slug says what went wrong")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path")
    errors: list[ValidationIssue] | None = Field(
        default=None, description="For `validation-error`: each field refused"
    )


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _is_role_check(call: object) -> bool:
    # `require(...)` builds a fresh closure per route: recognise it by where it was defined.
    return getattr(call, "__qualname__", "").startswith(f"{require.__qualname__}.")


def _needs_sign_in(route: APIRoute) -> bool:
    return signed_in in _calls(route.dependant)


def problem_statuses(route: APIRoute) -> set[int]:
    """Every problem status the route can answer with."""
    statuses = {s for s in route.responses if isinstance(s, int) and s >= 400}
    calls = list(_calls(route.dependant))
    if _needs_sign_in(route):
        statuses.add(401)
    if any(_is_role_check(c) for c in calls):
        statuses.add(403)
    dependant = route.dependant
    if dependant.path_params or dependant.query_params or dependant.header_params:
        statuses.add(422)
    if route.body_field is not None:
        statuses |= {400, 413, 422}
    return statuses


def _problem_response(status: int, description: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or title_for(status),
        "content": {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _document(schema: dict[str, Any], prefix: str, routers: Sequence[APIRouter]) -> None:
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    for route in routes:
        for method in route.methods or ():
            path = prefix + route.path_format
            operation = schema["paths"][path][method.lower()]
            statuses = problem_statuses(route)
            if _needs_sign_in(route):
                operation["security"] = [{"bearer": []}]
                if method in UNSAFE and not path.startswith(EXEMPT_PREFIX):
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                    statuses.add(422)  # a key reused for another request
            responses: dict[str, Any] = operation["responses"]
            for status in statuses:
                declared = route.responses.get(status, {}).get("description")
                responses[str(status)] = _problem_response(status, declared)
            operation["responses"] = dict(sorted(responses.items()))
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An access token"}
    }
    components = schema["components"].setdefault("schemas", {})
    # FastAPI's own 422 shapes are replaced everywhere above.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem


def install(app: FastAPI, prefix: str, routers: Sequence[APIRouter]) -> None:
    """Serve the document with the problem responses of `routers`' operations (mounted under
    `prefix`) filled in; built once, then cached."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _document(schema, prefix, routers)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend
