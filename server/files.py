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
from sqlalchemy.orm import Session

from server import audit
from server.access import signed_in
from server.models import FileBlob, User
from server.problems import not_found, problem_responses
from server.unit_of_work import client_address, commit, get_session
from server.visibility import is_confidential_file, may_read_file

router = APIRouter(tags=["files"])
SHA256 = r"^[0-9a-f]{64}$"
CACHE_NORMAL = "private, max-age=31536000, immutable"  # the bytes of a hash never change
CACHE_CONFIDENTIAL = "no-store"  # no copy of a confidential file anywhere on the way


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
    """The bytes, for a user allowed to see something that references them (else 404).
    Every download is audited (who, which file, from which peer); the file of a confidential
    paper or document is served `no-store`."""
    blob = session.get(FileBlob, sha256)
    if blob is None or not may_read_file(session, user, sha256):
        raise not_found("File")
    confidential = is_confidential_file(session, sha256)
    headers = {
        "ETag": f'"{sha256}"',
        "Cache-Control": CACHE_CONFIDENTIAL if confidential else CACHE_NORMAL,
    }
    if request.headers.get("if-none-match", "").strip('"') == sha256:
        return Response(status_code=304, headers=headers)  # the client has them: no download
    store: FileStore = request.app.state.files
    path = store.path(sha256)
    if not path.exists():
        raise not_found("File content")
    audit.record(
        session,
        "file.download",
        user_id=user.id,
        address=client_address(request),
        target=f"file:{sha256}",
        name=blob.name,
        confidential=confidential,
    )
    commit(session)
    return FileResponse(path, media_type=blob.media_type, headers=headers)
