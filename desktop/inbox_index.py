"""The approval inbox's local index: every document of the six lists once, in the cache file, with
the columns its lists sort and filter by, and an FTS5 index of its metadata and PDF text.

Why in SQLite and not in Python lists: with 10,000 documents a filter or a full-text search must
answer within a frame budget from the GUI thread, and the text of cached PDFs is far bigger than
what the app wants in memory. The FTS5 tokenizer `unicode61 remove_diacritics 2` folds the
Vietnamese tones ("quyet" finds "Quyết"); "đ" is a letter of its own in Unicode (no
decomposition), so it is folded to "d" here, on both sides, or "dinh" would never find "định".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.store import LocalStore

WAITING = "waiting"  # a pending assignment of mine (`?box=inbox`)
IN_PROGRESS = "in_progress"  # live, but not waiting for me
DONE = "done"  # issued or done
SENT_BY_ME = "sent_by_me"  # outgoing, handed on for approval/signature/issuing
INCOMING = "incoming"  # issued documents that reached me (`?box=incoming`)
OUTGOING = "outgoing"  # every outgoing document I may see
LISTS = (WAITING, IN_PROGRESS, DONE, SENT_BY_ME, INCOMING, OUTGOING)

FINAL_STATES = frozenset({"issued", "done"})
HANDED_ON = frozenset({"awaiting_approval", "awaiting_signature", "signed"})
URGENCY_RANK = {"flash": 0, "very_urgent": 1, "urgent": 2, "normal": 3}
SORTS = ("urgency", "deadline")
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """What FTS5's diacritics folding leaves out: đ/Đ as d/D."""
    return text.replace("đ", "d").replace("Đ", "D")


def lists_of(payload: Mapping[str, Any], waiting: bool, incoming: bool) -> list[str]:
    """Which lists a document of `?box=all` belongs to (pure; the server's summary names no
    creator, so "sent by me" is an outgoing one handed on and not waiting for me)."""
    status = str(payload.get("status", ""))
    out = payload.get("direction") == "out"
    names = [WAITING] if waiting else []
    if incoming:
        names.append(INCOMING)
    if status in FINAL_STATES:
        names.append(DONE)
    elif not waiting:
        names.append(IN_PROGRESS)
    if out:
        names.append(OUTGOING)
        if status in HANDED_ON and not waiting:
            names.append(SENT_BY_ME)
    return names


def metadata_text(payload: Mapping[str, Any]) -> str:
    """The searchable metadata of a summary (folded)."""
    fields = ("number", "symbol", "summary", "issuing_agency", "doc_type")
    return fold(" ".join(str(payload.get(f) or "") for f in fields))


def match_query(text: str) -> str | None:
    """The user's words as an FTS5 query: every word, each as a prefix (typing as you search)."""
    words = _WORD.findall(fold(text))
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """What the filter bar and the search box ask for."""

    search: str = ""
    urgency: str | None = None
    doc_type: str | None = None
    agency: str | None = None
    sort: str = "urgency"  # or "deadline"


class InboxIndex:
    """The documents of one user (`scope`) in the local store."""

    def __init__(self, store: LocalStore, scope: str) -> None:
        self.store = store
        self.scope = scope

    def replace(
        self,
        waiting: Sequence[Mapping[str, Any]],
        incoming: Sequence[Mapping[str, Any]],
        everything: Sequence[Mapping[str, Any]],
    ) -> None:
        """Store the server's three lists; unchanged documents keep their indexed PDF text."""
        waiting_ids = {int(p["id"]) for p in waiting}
        incoming_ids = {int(p["id"]) for p in incoming}
        merged: dict[int, Mapping[str, Any]] = {}
        for payload in [*waiting, *incoming, *everything]:
            merged.setdefault(int(payload["id"]), payload)
        order = {int(p["id"]): i for i, p in enumerate(waiting)}  # the server's inbox order
        with self.store.transaction() as con:
            known = {
                row[0]: (row[1], row[2])
                for row in con.execute(
                    "SELECT id, rowid, payload FROM inbox_documents WHERE scope = ?",
                    (self.scope,),
                )
            }
            for doc_id, payload in merged.items():
                boxes = lists_of(payload, doc_id in waiting_ids, doc_id in incoming_ids)
                raw = json.dumps(payload, sort_keys=True)
                row = (
                    self.scope,
                    doc_id,
                    " " + " ".join(boxes) + " ",
                    order.get(doc_id, len(order) + doc_id),
                    URGENCY_RANK.get(str(payload.get("urgency")), 9),
                    payload.get("deadline"),
                    str(payload.get("doc_type") or ""),
                    str(payload.get("issuing_agency") or ""),
                    raw,
                )
                con.execute(
                    "INSERT INTO inbox_documents (scope, id, boxes, position, urgency, deadline,"
                    " doc_type, agency, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (scope, id) DO UPDATE SET boxes = excluded.boxes,"
                    " position = excluded.position, urgency = excluded.urgency,"
                    " deadline = excluded.deadline, doc_type = excluded.doc_type,"
                    " agency = excluded.agency, payload = excluded.payload",
                    row,
                )
                old = known.get(doc_id)
                if old is not None and old[1] == raw:
                    continue
                rowid = con.execute(
                    "SELECT rowid FROM inbox_documents WHERE scope = ? AND id = ?",
                    (self.scope, doc_id),
                ).fetchone()[0]
                if old is None:
                    con.execute(
                        "INSERT INTO inbox_text (rowid, metadata, body) VALUES (?, ?, '')",
                        (rowid, metadata_text(payload)),
                    )
                else:
                    con.execute(
                        "UPDATE inbox_text SET metadata = ? WHERE rowid = ?",
                        (metadata_text(payload), rowid),
                    )
            gone = [(rowid,) for doc_id, (rowid, _) in known.items() if doc_id not in merged]
            con.executemany("DELETE FROM inbox_text WHERE rowid = ?", gone)
            con.executemany("DELETE FROM inbox_documents WHERE rowid = ?", gone)

    def set_text(self, document_id: int, text: str) -> bool:
        """Index the text of a document's PDF; False when the document is not in the lists."""
        with self.store.transaction() as con:
            row = con.execute(
                "SELECT rowid FROM inbox_documents WHERE scope = ? AND id = ?",
                (self.scope, document_id),
            ).fetchone()
            if row is None:
                return False
            con.execute("UPDATE inbox_text SET body = ? WHERE rowid = ?", (fold(text), row[0]))
            return True

    def counts(self) -> dict[str, int]:
        """How many documents each list holds (the badges)."""
        sums = ", ".join(f"coalesce(sum(instr(boxes, ' {name} ') > 0), 0)" for name in LISTS)
        with self.store.transaction() as con:  # one pass over the table for all six
            row = con.execute(
                f"SELECT {sums} FROM inbox_documents WHERE scope = ?", (self.scope,)
            ).fetchone()
        return dict(zip(LISTS, row, strict=True))

    def query(self, list_name: str, wanted: InboxFilter = InboxFilter()) -> list[dict[str, Any]]:
        """The payloads of one list, filtered, searched and sorted (most urgent or nearest
        deadline first; documents without a deadline last)."""
        if list_name not in LISTS:
            raise ValueError(f"unknown inbox list {list_name!r}")
        where = ["d.scope = ?", "d.boxes LIKE ?"]
        params: list[object] = [self.scope, f"% {list_name} %"]
        for column, value in (
            ("d.urgency", None if wanted.urgency is None else URGENCY_RANK.get(wanted.urgency, 9)),
            ("d.doc_type", wanted.doc_type),
            ("d.agency", wanted.agency),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        source = "inbox_documents d"
        match = match_query(wanted.search)
        if match is not None:
            source += " JOIN inbox_text t ON t.rowid = d.rowid"
            where.append("inbox_text MATCH ?")
            params.append(match)
        by_deadline = "d.deadline IS NULL, d.deadline"
        order = (
            f"{by_deadline}, d.urgency, d.position"
            if wanted.sort == "deadline"
            else f"d.urgency, {by_deadline}, d.position"
        )
        sql = f"SELECT d.payload FROM {source} WHERE {' AND '.join(where)} ORDER BY {order}"
        with self.store.transaction() as con:
            return [json.loads(row[0]) for row in con.execute(sql, params)]

    def choices(self) -> dict[str, list[str]]:
        """The document types and agencies present (the filter bar's menus)."""
        with self.store.transaction() as con:
            return {
                column: [
                    row[0]
                    for row in con.execute(
                        f"SELECT DISTINCT {column} FROM inbox_documents"
                        f" WHERE scope = ? AND {column} != '' ORDER BY {column}",
                        (self.scope,),
                    )
                ]
                for column in ("doc_type", "agency")
            }
