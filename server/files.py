"""Content-addressed file store (bytes on disk under their SHA-256) and `GET /files/{sha256}`."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from server.access import signed_in
from server.models import DocumentVersion, FileBlob, Paper, User
from server.problems import not_found, problem_responses
from server.unit_of_work import get_session

router = APIRouter(tags=["files"])
SHA256 = r"^[0-9a-f]{64}$"


class FileStore:
    """Files named by their SHA-256 in two-level fan-out folders; writes are atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the bytes of `sha256` live (whether or not they exist)."""
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store bytes once; returns their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)  # readers never see a half-written file
        return digest


class FileRef(BaseModel):
    """`FileRef` of the contract."""

    sha256: str
    size: int
    name: str
    media_type: str


def file_ref(blob: FileBlob | None) -> FileRef | None:
    """The contract's `FileRef` for a blob row, or None."""
    if blob is None:
        return None
    return FileRef(sha256=blob.sha256, size=blob.size, name=blob.name, media_type=blob.media_type)


def add_file(
    session: Session, store: FileStore, data: bytes, name: str, media_type: str = "application/pdf"
) -> FileBlob:
    """Store bytes and their metadata row (reused when the same bytes come again)."""
    digest = store.put(data)
    blob = session.get(FileBlob, digest)
    if blob is None:
        blob = FileBlob(sha256=digest, size=len(data), name=name, media_type=media_type)
        session.add(blob)
    return blob


def may_read_file(session: Session, user: User, sha256: str) -> bool:
    """True when the file belongs to a meeting paper or a document version the user can see."""
    from server.documents import visible_documents
    from server.meetings import visible_meetings
    from server.models import AgendaItem

    in_paper = exists(
        select(Paper.id)
        .join(AgendaItem, AgendaItem.id == Paper.agenda_item_id)
        .where(Paper.file_sha256 == sha256, AgendaItem.meeting_id.in_(visible_meetings(user)))
    )
    in_document = exists(
        select(DocumentVersion.id).where(
            DocumentVersion.file_sha256 == sha256,
            DocumentVersion.document_id.in_(visible_documents(user)),
        )
    )
    return bool(session.scalar(select(in_paper | in_document)))


# The bytes have the media type they were stored with (PDF, images, office files).
_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    },
    304: {"description": "Not modified (`If-None-Match` was the file's ETag)"},
    **problem_responses(404),
}


@router.get("/files/{sha256}", response_class=Response, responses=_FILE_RESPONSES)
def get_file(
    sha256: Annotated[str, PathParam(pattern=SHA256)],
    request: Request,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> Response:
    """The bytes, for a user allowed to see something that references them (else 404)."""
    blob = session.get(FileBlob, sha256)
    if blob is None or not may_read_file(session, user, sha256):
        raise not_found("File")
    if request.headers.get("if-none-match", "").strip('"') == sha256:
        return Response(status_code=304, headers={"ETag": f'"{sha256}"'})
    store: FileStore = request.app.state.files
    path = store.path(sha256)
    if not path.exists():
        raise not_found("File content")
    return FileResponse(
        path,
        media_type=blob.media_type,
        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable"},
    )
