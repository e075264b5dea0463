"""The workflow side of the demo documents (server/seed.py seeds them first): what each stage
has by then, so the inbox shows real cases.

Incoming documents get their số đến and ngày đến; outgoing ones the place and nơi nhận; those
submitted for signature the sha256 the leader is asked to sign; signed and issued ones the
signer and position; issued ones their internal recipients' incoming lists. The number
registers continue after the seeded numbers, so the next issue or registration follows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import workflow as wf
from server.models import Document, DocumentReader, NumberCounter, User, utcnow
from server.numbering import INCOMING

PLACE = "Hòa Bình"
RECIPIENTS = ["Như trên;", "Giám đốc, các Phó Giám đốc Sở;", "Lưu: VT."]
# Internal recipients of the issued demo documents (their "incoming" list).
ISSUED_TO = ("chuyenvien1", "chanhvp")


def enrich(session: Session, users: dict[str, User], ids: list[int], today: dt.date) -> None:
    """Fill the workflow fields of the seeded documents `ids` (flushed, with their versions)."""
    documents = list(session.scalars(select(Document).where(Document.id.in_(ids))))
    incoming = 0
    for document in sorted(documents, key=lambda d: d.id):
        if document.direction == "in":
            incoming += 1
            document.received_number = f"{incoming:02d}"
            document.received_on = today if document.issued_on is None else document.issued_on
            continue
        document.place = PLACE
        document.recipients = list(RECIPIENTS)
        versions = [v for v in document.versions if v.kind in (None, "version")]
        if document.status in (wf.AWAITING_APPROVAL, wf.AWAITING_SIGNATURE, wf.SIGNED):
            document.signing_sha256 = versions[-1].file_sha256
        if document.status in (wf.SIGNED, wf.ISSUED):
            signer = next(
                users[name]
                for name in ("giamdoc", "phogiamdoc")
                if any(
                    a.assignee_id == users[name].id and a.action == wf.SIGN
                    for a in document.assignments
                )
            )
            principal = users["giamdoc"] if signer is not users["giamdoc"] else None
            document.signer_name = signer.full_name
            document.signer_position = "\n".join(
                wf.position_lines(
                    signer.title,
                    principal.title if principal else None,
                    "deputy" if principal else None,
                )
            )
        if document.status == wf.ISSUED:
            for name in ISSUED_TO:
                session.add(
                    DocumentReader(
                        document_id=document.id, user_id=users[name].id, received_at=utcnow()
                    )
                )
    cover_numbers(session, documents)


def cover_numbers(session: Session, documents: Iterable[Document]) -> None:
    """Raise the number registers to the demo documents' own numbers, each in the year of its
    date (Decree 30 numbers from 01 every 1 January): issued ones in their agency's register,
    incoming ones in the incoming register; the next number given follows them."""
    needed: dict[tuple[str, int], int] = {}
    for document in documents:
        if document.status == wf.ISSUED and document.direction == "out" and document.issued_on:
            key = (document.issuing_agency, document.issued_on.year)
            needed[key] = max(needed.get(key, 0), int(document.number))
        if document.received_number and document.received_on is not None:
            key = (INCOMING, document.received_on.year)
            needed[key] = max(needed.get(key, 0), int(document.received_number))
    for (register, year), last in needed.items():
        row = session.get(NumberCounter, (register, year))
        if row is None:
            session.add(NumberCounter(register=register, year=year, last=last))
        else:
            row.last = max(row.last, last)
