"""server/documents.py without HTTP: the shapes a user sees, and who hears of a change."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from server.documents import CommentIn, detail, interested_users, summary
from server.models import Assignment, Base, Comment, Document, DocumentVersion, FileBlob, User

UTC = dt.UTC


def person(user_id: int, name: str) -> User:
    return User(id=user_id, username=f"u{user_id}", full_name=name, title="Chuyên viên")


LEADER, SPECIALIST, CLERK = (
    person(1, "Nguyễn Văn Hùng"),
    person(2, "Phạm Thị Lan"),
    person(3, "Đỗ Thị Hạnh"),
)


def document(*assignments: Assignment, created_by: int | None = 3) -> Document:
    blob = FileBlob(sha256="ab" * 32, size=1234, name="cv-12.pdf", media_type="application/pdf")
    return Document(
        id=12,
        number="12",
        symbol="12/CV-STTTT",
        issuing_agency="Sở Thông tin và Truyền thông",
        issued_on=dt.date(2026, 12, 1),
        summary="V/v triển khai chuyển đổi số",
        doc_type="Công văn",
        urgency="urgent",
        confidentiality="normal",
        direction="in",
        status="processing",
        deadline=dt.datetime(2026, 12, 10, 10, tzinfo=UTC),
        created_by=created_by,
        versions=[
            DocumentVersion(no=1, file=blob, created_at=dt.datetime(2026, 12, 1, tzinfo=UTC))
        ],
        assignments=list(assignments),
        comments=[
            Comment(
                id=5,
                author=LEADER,
                text="Đồng ý",
                created_at=dt.datetime(2026, 12, 2, tzinfo=UTC),
            )
        ],
    )


def assignment(who: User, action: str, state: str = "pending", a_id: int = 1) -> Assignment:
    return Assignment(id=a_id, assignee_id=who.id, assignee=who, action=action, state=state)


def test_my_action_is_my_pending_assignment_only() -> None:
    doc = document(
        assignment(SPECIALIST, "process", state="done", a_id=1),
        assignment(SPECIALIST, "review", a_id=2),
        assignment(LEADER, "approve", a_id=3),
    )
    assert summary(doc, SPECIALIST).my_action == "review"
    assert summary(doc, LEADER).my_action == "approve"
    assert summary(doc, CLERK).my_action is None


def test_detail_carries_versions_assignments_and_comments() -> None:
    doc = document(assignment(LEADER, "approve"))
    engine = create_engine("sqlite://")  # an empty schema: no delegations, not a meeting's minutes
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        out = detail(session, doc, LEADER)
    assert out.symbol == "12/CV-STTTT"
    assert out.my_action == "approve"
    assert out.signature_place is None
    assert [(v.no, v.file.name, v.file.size) for v in out.versions] == [(1, "cv-12.pdf", 1234)]
    assert [(a.assignee.full_name, a.action, a.state) for a in out.assignments] == [
        ("Nguyễn Văn Hùng", "approve", "pending")
    ]
    assert [(c.author.full_name, c.text) for c in out.comments] == [("Nguyễn Văn Hùng", "Đồng ý")]


def test_everyone_assigned_and_the_creator_hear_of_a_change() -> None:
    doc = document(assignment(SPECIALIST, "process", state="done"), assignment(LEADER, "approve"))
    assert interested_users(doc) == {SPECIALIST.id, LEADER.id, CLERK.id}
    assert interested_users(document(created_by=None)) == set()


def test_a_comment_is_one_to_twenty_thousand_characters() -> None:
    assert CommentIn(text="Đề nghị bổ sung số liệu").text == "Đề nghị bổ sung số liệu"
    for bad in ("", "x" * 20_001):
        with pytest.raises(ValidationError):
            CommentIn(text=bad)
