"""Append-only audit log: who did what, when, from where (`GET /audit` for IT admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access import require
from server.models import AuditEvent, User
from server.unit_of_work import get_session

router = APIRouter(tags=["audit"])


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None,
    address: str,
    target: str = "",
    **detail: Any,
) -> None:
    """Add an audit row to the session; it is committed with the change it describes."""
    session.add(
        AuditEvent(user_id=user_id, action=action, target=target, address=address, detail=detail)
    )


class AuditOut(BaseModel):
    """One audit row as the API shows it."""

    id: int
    at: dt.datetime
    user_id: int | None
    action: str
    target: str
    address: str
    detail: dict[str, Any]


@router.get("/audit", response_model=list[AuditOut])
def list_audit(
    user: Annotated[User, Depends(require("it_admin"))],
    session: Annotated[Session, Depends(get_session)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEvent]:
    """Newest first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
