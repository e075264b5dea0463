"""Domain parsing: extra fields tolerated, missing or mistyped required fields → typed error."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import (
    Document,
    DocumentSummary,
    Event,
    Meeting,
    MeetingSummary,
    Paper,
    TokenPair,
    User,
    parse_list,
)
from desktop.errors import MalformedResponse

USER = {
    "id": 1,
    "username": "giamdoc",
    "full_name": "Nguyễn Văn Hùng",
    "title": "Giám đốc",
    "org_unit": {"id": 2, "name": "Ban Giám đốc"},
    "roles": ["leader"],
}
REF = {"id": 1, "full_name": "Nguyễn Văn Hùng", "title": "Giám đốc"}
MEETING = {
    "id": 5,
    "title": "Giao ban",
    "starts_at": "2026-11-23T08:00:00+07:00",
    "ends_at": "2026-11-23T10:00:00Z",
    "location": "Phòng họp 1",
    "online": False,
    "status": "scheduled",
    "chair": REF,
    "my_attendance": "invited",
}
DOCUMENT = {
    "id": 2,
    "number": "4821",
    "symbol": "BTTTT-CĐSQG",
    "issuing_agency": "Bộ TT&TT",
    "issued_on": "2026-11-21",
    "summary": "V/v hướng dẫn",
    "doc_type": "Công văn",
    "urgency": "flash",
    "confidentiality": "normal",
    "direction": "in",
    "status": "processing",
    "deadline": None,
    "my_action": "process",
}


def test_user_with_extra_fields() -> None:
    user = User.from_json({**USER, "future_field": [1, 2]})
    assert user.username == "giamdoc"
    assert user.org_unit is not None
    assert user.org_unit.name == "Ban Giám đốc"
    assert user.has_role("leader")


def test_meeting_summary_and_detail() -> None:
    summary = MeetingSummary.from_json(MEETING)
    assert summary.starts_at == dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    assert summary.chair is not None
    assert summary.chair.full_name == "Nguyễn Văn Hùng"
    paper = {"id": 1, "title": "Tờ trình", "kind": "main", "file": None, "url": None}
    item = {
        "id": 1,
        "order": 1,
        "title": "Mục 1",
        "presenter": None,
        "duration_minutes": 15,
        "papers": [paper],
    }
    meeting = Meeting.from_json(
        {
            **MEETING,
            "secretary": None,
            "media": {"kind": "room", "url": "/api/v1/rooms/x"},
            "agenda": [item],
            "attendees": [{"user": REF, "status": "accepted"}],
        }
    )
    assert meeting.agenda[0].papers[0].title == "Tờ trình"
    assert meeting.summary == summary
    assert meeting.media == {"kind": "room", "url": "/api/v1/rooms/x"}
    assert meeting.agenda[0].papers[0].confidentiality == "normal"  # older servers omit it
    marked = Paper.from_json({**paper, "confidentiality": "secret"})
    assert marked.confidentiality == "secret"


def test_document_detail() -> None:
    file = {"sha256": "a" * 64, "size": 10, "name": "x.pdf", "media_type": "application/pdf"}
    doc = Document.from_json(
        {
            **DOCUMENT,
            "versions": [{"no": 1, "file": file, "created_at": "2026-11-22T19:16:38Z"}],
            "assignments": [
                {
                    "id": 3,
                    "assignee": REF,
                    "action": "approve",
                    "deadline": None,
                    "state": "pending",
                }
            ],
            "comments": [
                {"id": 4, "author": REF, "text": "Đồng ý", "created_at": "2026-11-22T19:16:38Z"}
            ],
        }
    )
    assert doc.issued_on == dt.date(2026, 11, 21)
    assert doc.versions[0].file.size == 10
    assert doc.comments[0].text == "Đồng ý"


@pytest.mark.parametrize(
    ("parse", "payload", "message"),
    [
        (User.from_json, {**USER, "id": "one"}, r"Expected `int`, got `str` - at `\$.id`"),
        (User.from_json, {**USER, "id": True}, r"Expected `int`, got `bool` - at `\$.id`"),
        (User.from_json, {k: v for k, v in USER.items() if k != "username"}, "field `username`"),
        (MeetingSummary.from_json, {**MEETING, "starts_at": "tomorrow"}, r"\$.starts_at"),
        (MeetingSummary.from_json, {**MEETING, "ends_at": "2026-11-23T10:00:00"}, "timezone"),
        (DocumentSummary.from_json, [], "Expected `object`, got `array`"),
        (Event.from_json, {"seq": 1}, "field `type`"),
        (TokenPair.from_json, {"access_token": "a", "refresh_token": "b"}, "field `user`"),
        (Meeting.from_json, {**MEETING, "agenda": [{"id": 1}]}, r"\$.agenda\[0\]"),
    ],
)
def test_malformed_payloads_raise_typed_errors(parse, payload, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MalformedResponse, match=message):
        parse(payload)


def test_parse_list() -> None:
    assert [d.id for d in parse_list(DocumentSummary, [DOCUMENT], "docs")] == [2]
    with pytest.raises(MalformedResponse, match="malformed docs: Expected `array`"):
        parse_list(DocumentSummary, {"not": "a list"}, "docs")
    with pytest.raises(MalformedResponse, match=r"\$\[1\].summary"):
        parse_list(DocumentSummary, [DOCUMENT, {**DOCUMENT, "summary": None}], "docs")


def test_omitted_optional_fields_take_their_defaults() -> None:
    """Older servers omit some members; the models say what they mean then."""
    bare = {"id": 2, "summary": "V/v", "status": "new"}
    doc = DocumentSummary.from_json(bare)
    assert (doc.number, doc.urgency, doc.direction, doc.deadline) == ("", "normal", "in", None)
    assert Document.from_json(bare).versions == ()
    assert Event.from_json({"seq": 1, "type": "x"}).data == {}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
PARSERS = [User.from_json, MeetingSummary.from_json, Meeting.from_json, DocumentSummary.from_json]
PARSERS += [Document.from_json, Event.from_json, TokenPair.from_json]
VALID = {MeetingSummary.from_json: MEETING, DocumentSummary.from_json: DOCUMENT}


@given(payload=json_values, parse=st.sampled_from(PARSERS))
def test_any_json_gives_a_value_or_malformed_response(payload: object, parse: Any) -> None:
    with contextlib.suppress(MalformedResponse):
        parse(payload)


@given(
    parse=st.sampled_from(sorted(VALID, key=str)),
    field=st.sampled_from(sorted(set(MEETING) | set(DOCUMENT))),
    value=json_values,
)
def test_one_bad_field_gives_malformed_response(parse: Any, field: str, value: object) -> None:
    payload = {**VALID[parse], field: value}
    with contextlib.suppress(MalformedResponse):
        parse(payload)
