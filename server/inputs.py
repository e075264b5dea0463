"""What the API accepts from a client: the shared types every path, query and body uses.

Each type states the limits of the column it ends in, so hostile input is a 422 naming the field
and never reaches the database, where it used to give a 500 (issue 10, findings 1-3):
- ids and sequence numbers are 32-bit (`INTEGER` on PostgreSQL; SQLite fails above 2^63);
- text may not hold a NUL character (PostgreSQL refuses it in any text column);
- numbers are finite (`NaN`/`Infinity` are not JSON; stored they became null or an error);
- times are ISO 8601 strings with an offset whose UTC value exists (`0001-01-01T00:00+14:00`
  lies before year 1 in UTC), never a bare number read as a Unix time.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    field_validator,
)

MAX_INT = 2**31 - 1  # the largest value of an `INTEGER` column on PostgreSQL

Id = Annotated[int, Interval(ge=1, le=MAX_INT)]
"""A row id: 1 … 2^31-1 (anything else cannot exist, so it is refused before any query)."""

Seq = Annotated[int, Interval(ge=0, le=MAX_INT)]
"""An event sequence number to resume after (0: from the start)."""

NUL = "\x00"


def no_nul(value: str) -> str:
    """Refuse the NUL character, which PostgreSQL cannot store in text."""
    if NUL in value:
        raise ValueError("text may not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
"""A string from a query or path parameter (bodies get the same check from `Input`)."""

# An ISO 8601 date and time: what the contract promises to accept, and nothing else (pydantic
# alone would also take "1700000000" or 1700000000 as seconds since 1970).
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise ValueError("expected an ISO 8601 date and time with an offset")
    return value


def _utc_exists(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the time lies outside years 1-9999 in UTC") from None


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_utc_exists)]
"""An aware date and time from a client, in UTC once validated."""


def _check_values(value: object) -> None:
    """NUL in any string inside a body, however deeply nested (lists, tuples, dicts)."""
    if isinstance(value, str):
        no_nul(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_values(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key)
            _check_values(item)


class Input(BaseModel):
    """Base of every request body: finite numbers only, and no NUL in any string of any field."""

    model_config = ConfigDict(allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_anywhere(cls, value: Any) -> Any:
        _check_values(value)
        return value
