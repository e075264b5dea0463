"""People: the `User`/`UserRef` shapes, `GET /me`, and creating accounts (CLI, seed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.access import require, signed_in
from server.inputs import Text
from server.models import ROLES, OrgUnit, User, UserRole
from server.passwords import hash_password
from server.unit_of_work import get_session

router = APIRouter(tags=["users"])
STAFF_ROLES = tuple(r for r in ROLES if r != "guest")  # a guest does not browse the staff list


class OrgUnitRef(BaseModel):
    """A unit by id and name."""

    id: int
    name: str


class UserOut(BaseModel):
    """`User` of the contract."""

    id: int
    username: str
    full_name: str
    title: str
    org_unit: OrgUnitRef | None
    roles: list[str]


class UserRef(BaseModel):
    """`UserRef` of the contract."""

    id: int
    full_name: str
    title: str


def user_out(user: User) -> UserOut:
    """The contract's `User` for a model row."""
    unit = user.org_unit
    return UserOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        title=user.title,
        org_unit=OrgUnitRef(id=unit.id, name=unit.name) if unit else None,
        roles=user.roles,
    )


def user_ref(user: User | None) -> UserRef | None:
    """The contract's `UserRef`, or None."""
    if user is None:
        return None
    return UserRef(id=user.id, full_name=user.full_name, title=user.title)


@router.get("/me", response_model=UserOut)
def me(user: Annotated[User, Depends(signed_in)]) -> UserOut:
    """The signed-in user."""
    return user_out(user)


@router.get("/users", response_model=list[UserOut])
def directory(
    user: Annotated[User, Depends(require(*STAFF_ROLES))],
    session: Annotated[Session, Depends(get_session)],
    q: Annotated[Text | None, Query(max_length=100)] = None,
) -> list[UserOut]:
    """Active colleagues (to invite to a meeting, assign a document); `q` filters by name."""
    query = select(User).where(User.active).order_by(User.full_name, User.id)
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(User.full_name.ilike(pattern), User.username.ilike(pattern)))
    return [user_out(u) for u in session.scalars(query)]


def create_user(
    session: Session,
    username: str,
    full_name: str,
    roles: list[str],
    *,
    password: str | None = None,
    password_hash: str | None = None,
    title: str = "",
    unit: OrgUnit | None = None,
) -> User:
    """Add a user; give a password, or an already computed hash (the demo seed shares one)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"user {username!r} exists")
    if password_hash is None:
        if not password:
            raise ValueError("a password is required")
        password_hash = hash_password(password)
    user = User(
        username=username,
        full_name=full_name,
        title=title,
        password_hash=password_hash,
        org_unit=unit,
        role_rows=[UserRole(role=r) for r in roles],
    )
    session.add(user)
    return user
