"""Shared pieces of the workflow tests: PDFs made on the spot, uploads, the office signed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from tests.server.conftest import Api, Reply

PEOPLE = ("giamdoc", "phogiamdoc", "chanhvp", "chuyenvien1", "chuyenvien2", "vanthu", "quantri")


def pdf(text: str, pages: int = 1) -> bytes:
    """A small real PDF whose bytes differ with `text`."""
    with pymupdf.open() as doc:
        for n in range(pages):
            doc.new_page().insert_text((72, 72), f"{text} — trang {n + 1}")
        return doc.tobytes()


def signed_from(base: bytes, tmp: Path) -> bytes:
    """`base` with an incremental update appended, as a signature adds one."""
    path = tmp / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(base)
    with pymupdf.open(path) as doc:
        doc.set_metadata({"title": "Đã ký", "author": "Nguyễn Văn Hùng"})
        doc.saveIncr()
    return path.read_bytes()


def upload(
    api: Api, data: bytes, name: str = "du-thao.pdf", media: str = "application/pdf"
) -> Reply:
    """POST the bytes to /files."""
    return api.call("POST", f"/files?name={name}", raw=data, headers={"Content-Type": media})


def uploaded(api: Api, data: bytes, name: str = "du-thao.pdf") -> str:
    """Upload and return the sha256 (the upload must succeed)."""
    reply = upload(api, data, name)
    assert reply.status == 201, reply.body
    return str(reply.json()["sha256"])


@dataclass
class Office:
    """Every demo person signed in, by user name, and their ids."""

    as_user: dict[str, Api]

    def id(self, username: str) -> int:
        return int(self.as_user[username].user["id"])

    def act(self, username: str, document_id: int, verb: str, body: dict[str, Any]) -> Reply:
        return self.as_user[username].post(f"/documents/{document_id}/{verb}", body)

    def ok(self, username: str, document_id: int, verb: str, body: dict[str, Any]) -> Any:
        reply = self.act(username, document_id, verb, body)
        assert reply.status == 200, (verb, reply.body)
        return reply.json()


def sign_in_all(anon: Api, people: tuple[str, ...] = PEOPLE) -> Office:
    return Office({name: anon.login(name) for name in people})


def slug(reply: Reply) -> str:
    """The problem type's last part."""
    return str(reply.json()["type"]).rsplit("/", 1)[-1]


def signed_draft(office: Office, agency: str, tmp: Path, **fields: Any) -> int:
    """A draft by chuyenvien1 taken to `signed` by giamdoc; its id."""
    writer = office.as_user["chuyenvien1"]
    draft = pdf(f"Dự thảo {uuid.uuid4().hex}")
    reply = writer.post(
        "/documents",
        {
            "direction": "out",
            "issuing_agency": agency,
            "doc_type": "Công văn",
            "summary": "V/v thử nghiệm quy trình",
            "file_sha256": uploaded(writer, draft),
            **fields,
        },
    )
    assert reply.status == 201, reply.body
    doc_id = int(reply.json()["id"])
    sha = office.ok("chuyenvien1", doc_id, "submit", {"approver_id": office.id("giamdoc")})[
        "signing_sha256"
    ]
    office.ok("giamdoc", doc_id, "approve", {})
    signed = uploaded(office.as_user["giamdoc"], signed_from(draft, tmp), "ky.pdf")
    office.ok("giamdoc", doc_id, "sign", {"file_sha256": signed, "base_sha256": sha})
    return doc_id
