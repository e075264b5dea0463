"""The next number of a register for a year (Decree 30/2020, Art. 15): documents are numbered
from 01 on 1 January, once each, shared by paper and electronic documents of one agency.

The counter row is bumped with one `UPDATE … RETURNING` inside the caller's transaction: on
PostgreSQL the row lock makes a concurrent issuer wait and then read the new value, on SQLite
the write lock does the same; a rollback gives the number back, so there is never a gap or a
duplicate (a database sequence would leave gaps).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import NumberCounter

VN = ZoneInfo("Asia/Ho_Chi_Minh")  # the year and the date on a document are Hanoi's
INCOMING = "incoming:"  # prefix of the incoming register of an agency (số đến)


def today_vn(now: dt.datetime) -> dt.date:
    """The date in Vietnam at `now` (an aware time)."""
    return now.astimezone(VN).date()


def next_number(session: Session, register: str, year: int) -> int:
    """Take the next number of `register` in `year` (1 for the first); the caller commits."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(NumberCounter)
        .values(register=register, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["register", "year"])
    )
    taken = session.execute(
        update(NumberCounter)
        .where(NumberCounter.register == register, NumberCounter.year == year)
        .values(last=NumberCounter.last + 1)
        .returning(NumberCounter.last)
    ).scalar_one()
    return int(taken)


def formatted(number: int) -> str:
    """The number as printed: a leading zero below 10 ("05")."""
    return f"{number:02d}"
