"""The client's payload models (desktop/domain.py) held against the server's /openapi.json.

For every endpoint the client parses, the model it parses the answer with is walked next to the
endpoint's response schema: each client field must exist on the server, a field the client
requires must be required there, and every kind of value the server may send (integer, string,
date-time, null, object, array, ...) must be one the client accepts. Field names, requiredness
and basic types only: constraints and descriptions may change freely. Personal notes go both
ways (desktop/notes.py writes them): each kind's PUT body must fit the request schema. The OpenAPI
document is generated in-process from the real server app (no database is touched to build it).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec.inspect as mi
import pytest

from desktop import domain
from desktop.meeting_room.chat import ChatMessage, ChatPage
from desktop.meeting_room.presenter import PresenterState
from desktop.meeting_room.speak import SpeakQueue
from desktop.notes import CONTRACT_KIND, Note, note_body, note_json
from server.app import API_PREFIX, create_app
from server.config import Config
from viewer import AnnotationKind

Schema = dict[str, Any]
SHA = "ab" * 32

# (method, path, where in the answer, the client's type for it): what desktop/ parses.
ENDPOINTS: list[tuple[str, str, tuple[str, ...], object]] = [
    ("post", "/auth/login", (), domain.TokenPair),
    ("post", "/auth/refresh", (), domain.TokenPair),
    ("get", "/me", (), domain.User),
    ("get", "/meetings", (), list[domain.MeetingSummary]),
    ("get", "/meetings/{meeting_id}", (), domain.Meeting),
    ("get", "/documents", (), list[domain.DocumentSummary]),
    ("get", "/documents/{document_id}", (), domain.Document),
    # The event stream's messages are the `events` of `GET /events` (one EventOut each).
    ("get", "/events", ("properties", "events", "items"), domain.Event),
    ("get", "/meetings/{meeting_id}/speak-requests", (), SpeakQueue),
    ("post", "/meetings/{meeting_id}/chat", (), ChatMessage),
    ("get", "/meetings/{meeting_id}/chat", (), ChatPage),
    ("get", "/meetings/{meeting_id}/presenter", (), PresenterState),
]


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    data = tmp_path_factory.mktemp("contract")
    config = Config(db_url=f"sqlite:///{data / 'unused.db'}", data_dir=Path(data))
    spec: Schema = create_app(config, migrate=False).openapi()
    return spec


class Contract:
    """Walks client types beside server schemas and collects every disagreement."""

    def __init__(self, spec: Schema) -> None:
        self.spec = spec
        self.problems: list[str] = []
        self.models_seen: set[type] = set()

    def resolve(self, schema: Schema) -> Schema:
        """Follow `$ref` (and a lone `allOf` wrapper) to the schema itself."""
        while True:
            if "$ref" in schema:
                name = schema["$ref"].removeprefix("#/components/schemas/")
                schema = self.spec["components"]["schemas"][name]
            elif len(schema.get("allOf", ())) == 1:
                schema = schema["allOf"][0]
            else:
                return schema

    def alternatives(self, schema: Schema) -> Iterator[Schema]:
        """The server's alternatives for one value (`anyOf`/`oneOf` flattened)."""
        schema = self.resolve(schema)
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            for option in options:
                yield from self.alternatives(option)
        else:
            yield schema

    def response_schema(self, method: str, path: str) -> Schema:
        responses = self.spec["paths"][API_PREFIX + path][method]["responses"]
        for status, response in sorted(responses.items()):
            if status.startswith("2"):
                schema: Schema = response["content"]["application/json"]["schema"]
                return schema
        raise AssertionError(f"{method.upper()} {path} has no 2xx JSON answer")

    def check_endpoint(self, method: str, path: str, inside: tuple[str, ...], kind: object):
        schema = self.response_schema(method, path)
        for key in inside:
            schema = self.resolve(schema)[key]
        self.check(mi.type_info(kind), schema, f"{method.upper()} {path}")

    def check(self, client: mi.Type, server: Schema, where: str) -> None:
        """Every kind of value the server may send here must be one the client accepts."""
        accepted = list(client.types) if isinstance(client, mi.UnionType) else [client]
        for option in self.alternatives(server):
            if not any(self.accepts(c, option, where) for c in accepted):
                self.problems.append(
                    f"{where}: the server may send {basic_kind(option)}, "
                    f"the client accepts {' | '.join(type(c).__name__ for c in accepted)}"
                )

    def accepts(self, client: mi.Type, server: Schema, where: str) -> bool:
        """Whether `client` takes values of the single server alternative `server`."""
        kind = basic_kind(server)
        if isinstance(client, mi.AnyType | mi.CustomType) and client_is_any(client):
            return True
        if isinstance(client, mi.StructType):
            if kind != "object":
                return False
            if "properties" in server:
                self.check_struct(client, server, where)
            # else a free-form object (TokenPair.user): its fields are checked at GET /me
            return True
        if isinstance(client, mi.VarTupleType | mi.ListType):
            if kind != "array":
                return False
            self.check(client.item_type, server.get("items", {}), f"{where}[]")
            return True
        simple = {
            mi.IntType: "integer",
            mi.StrType: "string",
            mi.BoolType: "boolean",
            mi.FloatType: "number",
            mi.DateTimeType: "date-time",
            mi.DateType: "date",
            mi.NoneType: "null",
            mi.DictType: "object",
        }
        mine = simple.get(type(client))
        return mine == kind or (mine == "number" and kind == "integer")

    def check_struct(self, client: mi.StructType, server: Schema, where: str) -> None:
        self.models_seen.add(client.cls)
        where = f"{where} {client.cls.__name__}"
        properties: Schema = server["properties"]
        required = set(server.get("required", ()))
        for field in client.fields:
            if field.encode_name not in properties:
                self.problems.append(f"{where}.{field.name}: not in the server's schema")
                continue
            if field.required and field.encode_name not in required:
                self.problems.append(f"{where}.{field.name}: required here, optional on the server")
            self.check(field.type, properties[field.encode_name], f"{where}.{field.name}")


def client_is_any(client: mi.Type) -> bool:
    """`object` / `Any` values (free-form JSON members) accept anything."""
    return isinstance(client, mi.AnyType) or (
        isinstance(client, mi.CustomType) and client.cls is object
    )


def basic_kind(schema: Schema) -> str:
    """integer, number, string, date-time, date, boolean, null, object, array — or `any`."""
    kind = schema.get("type")
    if kind is None and "enum" in schema:
        kinds = {type(value).__name__ for value in schema["enum"]}
        kind = {"str": "string", "int": "integer", "bool": "boolean"}.get(kinds.pop(), "any")
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        return str(schema["format"])
    return str(kind or "any")


def check_all(spec: Schema) -> Contract:
    contract = Contract(spec)
    for method, path, inside, kind in ENDPOINTS:
        contract.check_endpoint(method, path, inside, kind)
    return contract


def test_client_models_match_the_servers_openapi(openapi: Schema) -> None:
    contract = check_all(openapi)
    assert not contract.problems, "\n".join(contract.problems)


def test_every_client_model_is_held_against_the_server(openapi: Schema) -> None:
    """A model added to desktop/domain.py without an endpoint above fails here."""
    models = {
        value
        for value in vars(domain).values()
        if isinstance(value, type) and issubclass(value, domain.Model) and value is not domain.Model
    }
    missing = models - check_all(openapi).models_seen
    assert not missing, f"not checked against the OpenAPI: {sorted(m.__name__ for m in missing)}"


def component(spec: Schema, name: str) -> Schema:
    schema: Schema = spec["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize(
    ("drift", "found"),
    [
        (
            lambda s: component(s, "UserRef")["properties"].pop("full_name"),
            "UserRef.full_name: not in the server's schema",
        ),
        (
            lambda s: component(s, "CommentOut")["required"].remove("text"),
            "Comment.text: required here, optional on the server",
        ),
        (
            lambda s: component(s, "DocumentSummary")["properties"].update(id={"type": "string"}),
            "DocumentSummary.id: the server may send string",
        ),
        (
            lambda s: component(s, "MeetingSummary")["properties"].update(
                starts_at={"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
            ),
            "MeetingSummary.starts_at: the server may send null",
        ),
        (
            lambda s: component(s, "AgendaItemOut")["properties"].update(
                papers={"type": "object", "additionalProperties": True}
            ),
            "AgendaItem.papers: the server may send object",
        ),
    ],
)
def test_a_contract_drift_is_found(openapi: Schema, drift: Any, found: str) -> None:
    """The check is not vacuous: each kind of drift on a copy of the schema is reported."""
    drifted = copy.deepcopy(openapi)
    drift(drifted)
    problems = check_all(drifted).problems
    assert any(found in problem for problem in problems), problems


# --- personal notes: the client writes them as well as reads them ------------------------------
def value_kinds(value: object) -> set[str]:
    """The basic kinds a JSON value may stand for (a time string is a string and a date-time)."""
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"number"}
    if isinstance(value, list):
        return {"array"}
    if isinstance(value, dict):
        return {"object"}
    kinds = {"string"}
    try:
        dt.datetime.fromisoformat(str(value))
        kinds.add("date-time")
    except ValueError:
        pass
    return kinds


def note_problems(contract: Contract, body: Schema, schema: Schema, where: str) -> list[str]:
    """What of a note the client sends or keeps the server's schema does not take."""
    schema = contract.resolve(schema)
    properties: Schema = schema["properties"]
    problems = [f"{where}.{k}: not in the server's schema" for k in body if k not in properties]
    problems += [f"{where}.{k}: required, not sent" for k in schema["required"] if k not in body]
    for key, value in body.items():
        if key not in properties:
            continue
        allowed = {basic_kind(option) for option in contract.alternatives(properties[key])}
        if not value_kinds(value) & allowed:
            problems.append(f"{where}.{key}: sends {value!r}, the server takes {sorted(allowed)}")
    return problems


def note_examples() -> list[Note]:
    lines = [(10.0, 20.0, 200.0, 32.0)]
    return [
        Note.markup(SHA, 0, AnnotationKind.HIGHLIGHT, lines, text="quan trọng"),
        Note.markup(SHA, 1, AnnotationKind.UNDERLINE, lines),
        Note.markup(SHA, 2, AnnotationKind.STRIKEOUT, lines, color="#ff0000"),
        Note.sticky(SHA, 3, (50.0, 60.0), text="Hỏi lại Sở Tài chính"),
        Note.ink(SHA, 4, [(1.0, 2.0), (3.5, 4.5), (8.0, 1.0)]),
        Note.box(SHA, 5, (300.0, 400.0, 100.0, 200.0)),
    ]


def test_notes_match_the_servers_openapi(openapi: Schema) -> None:
    """Every kind of note: the PUT body fits `PUT /notes/{id}`'s body, the kept form (what
    `parse_note` reads back) has exactly the members of the server's note, kinds agree."""
    contract = Contract(openapi)
    put = openapi["paths"][f"{API_PREFIX}/notes/{{note_id}}"]["put"]
    request: Schema = put["requestBody"]["content"]["application/json"]["schema"]
    answer = contract.resolve(contract.response_schema("put", "/notes/{note_id}"))
    problems: list[str] = []
    for note in note_examples():
        problems += note_problems(contract, note_body(note), request, f"PUT {note.kind.name}")
        problems += note_problems(contract, note_json(note), answer, f"Note {note.kind.name}")
        assert set(note_json(note)) == set(answer["properties"]), "the kept form drifted"
    server_kinds = set(contract.resolve(request)["properties"]["kind"]["enum"])
    assert set(CONTRACT_KIND.values()) == server_kinds
    assert not problems, "\n".join(problems)


def test_a_note_drift_is_found(openapi: Schema) -> None:
    drifted = copy.deepcopy(openapi)
    component(drifted, "NoteIn")["properties"]["page"] = {"type": "string"}
    contract = Contract(drifted)
    body = note_body(note_examples()[0])
    found = note_problems(contract, body, component(drifted, "NoteIn"), "PUT")
    assert any("PUT.page: sends 0" in problem for problem in found), found


def test_every_workflow_action_the_server_may_allow_has_its_operation(openapi: Schema) -> None:
    """The app posts an action the server lists in `allowed_actions` to ACTION_PATHS' operation:
    each workflow transition a user can take on a document has one, and it exists."""
    from desktop.inbox import ACTION_PATHS
    from server import workflow

    assert set(ACTION_PATHS) == set(workflow.RULES) - {"register", "create"}  # the list page's
    for action, path in ACTION_PATHS.items():
        operation = f"{API_PREFIX}/documents/{{document_id}}/{path}"
        assert "post" in openapi["paths"].get(operation, {}), action
    document = openapi["components"]["schemas"]["DocumentOut"]
    assert document["properties"]["allowed_actions"]["type"] == "array"
