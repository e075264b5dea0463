"""The demo's number registers (server/seed_workflow.py) at a year's turn: Decree 30 numbers
from 01 every 1 January, so each seeded number must sit in the register of its own year, or the
next issue repeats it (or a demo started on 2 January finds its notice 14 in last year)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import make_engine, session_factory, upgrade
from server.files import FileStore
from server.models import Document, NumberCounter
from server.numbering import INCOMING
from server.seed import seed_demo

NEW_YEAR = dt.date(2027, 1, 2)


@pytest.mark.parametrize(
    ("seeded", "restarted"),
    [(NEW_YEAR, None), (dt.date(2026, 12, 30), dt.date(2027, 1, 3))],
    ids=["seeded-on-2-january", "re-anchored-into-january"],
)
def test_every_seeded_number_is_in_the_register_of_its_year(
    tmp_path: Path, seeded: dt.date, restarted: dt.date | None
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    upgrade(engine)
    factory, store = session_factory(engine), FileStore(tmp_path / "files")
    assert seed_demo(factory, store, today=seeded)
    if restarted is not None:  # the demo server started again days later: dates shifted
        assert not seed_demo(factory, store, today=restarted)
    with factory() as session:
        last = {(c.register, c.year): c.last for c in session.scalars(select(NumberCounter))}
        documents = list(session.scalars(select(Document)))
    engine.dispose()
    numbered = [
        (d.issuing_agency, d.issued_on, d.number)
        for d in documents
        if d.status == "issued" and d.direction == "out" and d.issued_on
    ] + [(INCOMING, d.received_on, d.received_number) for d in documents if d.received_number]
    assert len(numbered) == 5  # the notice 14 and the four incoming documents
    for register, day, number in numbered:
        assert last.get((register, day.year), 0) >= int(number), (register, day, number)
    if restarted is None:  # all of this year: the next issue follows the notice 14
        assert {day.year for _, day, _ in numbered} == {seeded.year}
