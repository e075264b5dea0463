"""Uploading PDFs (`POST /files`), adding them to a document as a version or an attachment, and
delegations (ủy quyền).

The upload is streamed to a temporary file beside the store while its sha256 is computed (the
body limit middleware stops it past `max_upload`), then checked with PyMuPDF in a worker thread
so the event loop keeps serving others: a file that is not a PDF, is encrypted or is damaged is
refused with a problem saying which, and nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server import audit
from server import workflow as wf
from server.access import require
from server.documents import DocumentOut
from server.files import FileRef, FileStore, file_ref
from server.inputs import Id, Input, Timestamp
from server.models import Delegation, FileBlob, User
from server.problems import Problem, problem_responses
from server.registry import attach_file
from server.unit_of_work import client_address, commit, get_session
from server.users import STAFF_ROLES, UserRef, user_ref
from server.workflow_api import Actor, Db, Sha256, finish, must_hold, step_for

router = APIRouter(tags=["workflow"])
PDF = "application/pdf"
# Accepted upload media types: what the file is is decided by reading it, not by the header.
UPLOAD_TYPES = (PDF, "application/octet-stream")
_CHUNK = 1 << 16


def check_pdf(path: Path) -> tuple[str, str] | None:
    """Why the file is refused as a PDF (slug, detail), or None when it opens cleanly."""
    import pymupdf  # the server's only PDF reader; imported here, only when a file arrives

    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        return "not-a-pdf", "The file is not a PDF."
    try:
        with pymupdf.open(path, filetype="pdf") as pdf:
            if pdf.needs_pass or pdf.is_encrypted:
                return "pdf-encrypted", "The PDF is encrypted; upload it without a password."
            if pdf.is_repaired or pdf.page_count == 0:
                return "pdf-damaged", "The PDF is damaged."
            for page in pdf:
                page.get_text("text")  # a broken page stream fails here, not in the reader
    except (RuntimeError, ValueError):  # pymupdf.FileDataError is a RuntimeError
        return "pdf-damaged", "The PDF is damaged."
    return None


async def _receive(request: Request, store: FileStore) -> tuple[Path, str, int]:
    """Stream the body to a temporary file in the store; its path, sha256 and size."""
    store.root.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=store.root, prefix=".upload-")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                digest.update(chunk)
                size += len(chunk)
                await run_in_threadpool(out.write, chunk)
    except BaseException:
        await run_in_threadpool(Path(name).unlink, missing_ok=True)
        raise
    return Path(name), digest.hexdigest(), size


@router.post(
    "/files",
    status_code=201,
    response_model=FileRef,
    responses=problem_responses(403, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload(
    request: Request,
    user: Annotated[User, Depends(require(*STAFF_ROLES))],
    name: Annotated[str, Query(min_length=1, max_length=300, pattern=r"^[^\x00/\\]+$")],
) -> FileRef:
    """Store an uploaded PDF (body: the bytes, `Content-Type: application/pdf` or
    `application/octet-stream`); add it to a document afterwards. Refused: 415 other media
    types, 422 `not-a-pdf`, `pdf-encrypted`, `pdf-damaged`, `empty-file`; 413 past the upload
    limit."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in UPLOAD_TYPES:
        raise Problem(415, detail="Send the file as application/pdf.")
    store: FileStore = request.app.state.files
    path, sha256, size = await _receive(request, store)
    try:
        if size == 0:
            raise Problem(422, "empty-file", detail="The file is empty.")
        refusal = await run_in_threadpool(check_pdf, path)
        if refusal is not None:
            raise Problem(422, refusal[0], detail=refusal[1])
        await run_in_threadpool(_keep, path, store.path(sha256))
    finally:
        await run_in_threadpool(path.unlink, missing_ok=True)
    return await run_in_threadpool(_record, request, user, sha256, size, name)


def _keep(path: Path, target: Path) -> None:
    """Move the checked file to its place in the store (atomic: never half there)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)


def _record(request: Request, user: User, sha256: str, size: int, name: str) -> FileRef:
    factory = request.app.state.sessions
    with factory() as session:
        blob = session.get(FileBlob, sha256)
        if blob is None:
            blob = FileBlob(sha256=sha256, size=size, name=name, media_type=PDF)
            session.add(blob)
        audit.record(
            session,
            "file.upload",
            user_id=user.id,
            address=client_address(request),
            target=f"file:{sha256}",
            name=name,
            size=size,
        )
        session.commit()
        ref = file_ref(blob)
    assert ref is not None
    return ref


class AttachIn(Input):
    """Body of `POST /documents/{id}/files`."""

    file_sha256: Sha256
    kind: Literal["version", "attachment"] = "version"


@router.post("/documents/{document_id}/files", responses=problem_responses(403, 404, 409, 422))
def add_file(
    document_id: Id, body: AttachIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Add an uploaded PDF as the draft's next version or as an attachment (the processor,
    while the document is worked on)."""
    step = step_for(session, request, user, document_id, "attach")
    no = attach_file(session, step.document, body.file_sha256, body.kind, user)
    return finish(step, kind=body.kind, no=no, sha256=body.file_sha256)


# --- delegations ---------------------------------------------------------------------------


class DelegationIn(Input):
    """Body of `POST /delegations`: the deputy acts for me from `starts_at` to `ends_at`."""

    deputy_id: Id
    kind: Literal["deputy", "by_order", "authorised", "acting"]
    starts_at: Timestamp
    ends_at: Timestamp


class DelegationOut(BaseModel):
    """`Delegation` of the contract."""

    id: int
    principal: UserRef
    deputy: UserRef
    kind: str
    prefix: str = Field(description="KT., TL., TUQ. or Q.")
    starts_at: dt.datetime
    ends_at: dt.datetime


def _delegation_out(row: Delegation) -> DelegationOut:
    return DelegationOut(
        id=row.id,
        principal=user_ref(row.principal),  # type: ignore[arg-type]
        deputy=user_ref(row.deputy),  # type: ignore[arg-type]
        kind=row.kind,
        prefix=wf.DELEGATION_PREFIX[row.kind],
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )


@router.post(
    "/delegations",
    status_code=201,
    response_model=DelegationOut,
    responses=problem_responses(403, 422),
)
def delegate(
    body: DelegationIn,
    request: Request,
    user: Annotated[User, Depends(require("leader"))],
    session: Annotated[Session, Depends(get_session)],
) -> DelegationOut:
    """A leader lets a deputy act for them for a period (never a guest, never oneself)."""
    if body.ends_at <= body.starts_at:
        raise Problem(422, "empty-period", detail="The delegation must end after it starts.")
    if body.deputy_id == user.id:
        raise Problem(422, "delegate-to-self", detail="Delegate to someone else.")
    deputy = session.get(User, body.deputy_id)
    if deputy is None or not deputy.active or "guest" in deputy.roles:
        raise Problem(422, "unknown-user", detail="No such staff member.", ids=[body.deputy_id])
    if body.kind == "deputy":
        must_hold(session, deputy.id, "leader")
    row = Delegation(
        principal_id=user.id,
        deputy_id=deputy.id,
        kind=body.kind,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "delegation.create",
        user_id=user.id,
        address=client_address(request),
        target=f"delegation:{row.id}",
        deputy_id=deputy.id,
        kind=body.kind,
    )
    commit(session)
    session.refresh(row)
    return _delegation_out(row)


@router.get("/delegations", response_model=list[DelegationOut])
def list_delegations(user: Actor, session: Db) -> list[DelegationOut]:
    """Delegations I gave or received, newest first."""
    rows = session.scalars(
        select(Delegation)
        .where(or_(Delegation.principal_id == user.id, Delegation.deputy_id == user.id))
        .order_by(Delegation.id.desc())
    )
    return [_delegation_out(r) for r in rows]
