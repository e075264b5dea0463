"""The approval inbox's local index on a real SQLite file: the six lists, badge counts, filters,
sorting, and diacritics-insensitive full-text search over metadata and PDF text."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.inbox_index import (
    DONE,
    IN_PROGRESS,
    INCOMING,
    OUTGOING,
    SENT_BY_ME,
    WAITING,
    InboxFilter,
    InboxIndex,
    lists_of,
)
from desktop.store import LocalStore

SCOPE = "vanthu@http://x"


def doc(doc_id: int, summary: str, **extra: Any) -> dict[str, Any]:
    return {"id": doc_id, "summary": summary, "status": "processing", **extra}


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [int(r["id"]) for r in rows]


@pytest.fixture
def index(store: LocalStore) -> InboxIndex:
    waiting = [
        doc(1, "Quyết định phê duyệt kế hoạch", urgency="urgent", doc_type="Quyết định"),
        doc(2, "Công văn đôn đốc", urgency="flash", deadline="2026-12-09T00:00:00+00:00"),
    ]
    incoming = [doc(3, "Thông báo lịch họp", status="issued", issuing_agency="UBND tỉnh")]
    everything = [
        *waiting,
        *incoming,
        doc(4, "Tờ trình xin ý kiến", status="awaiting_signature", direction="out"),
        doc(5, "Báo cáo tháng", status="done", deadline="2026-12-08T00:00:00+00:00"),
        doc(6, "Dự thảo quy chế", status="drafting", direction="out"),
    ]
    local = InboxIndex(store, SCOPE)
    local.replace(waiting, incoming, everything)
    return local


def test_each_document_lands_in_its_lists_with_badge_counts(index: InboxIndex) -> None:
    assert index.counts() == {
        WAITING: 2,
        IN_PROGRESS: 2,  # 4 and 6: live, not waiting for me
        DONE: 2,  # 3 issued, 5 done
        SENT_BY_ME: 1,  # 4: handed on for signature
        INCOMING: 1,
        OUTGOING: 2,
    }
    assert ids(index.query(WAITING)) == [2, 1]  # flash before urgent
    assert ids(index.query(DONE, InboxFilter(sort="deadline"))) == [5, 3]  # no deadline last


def test_search_ignores_tones_and_the_d_stroke(index: InboxIndex) -> None:
    assert ids(index.query(WAITING, InboxFilter(search="quyet dinh"))) == [1]
    assert ids(index.query(WAITING, InboxFilter(search="DON DOC"))) == [2]
    assert ids(index.query(WAITING, InboxFilter(search="quyet dinh khong co"))) == []
    assert ids(index.query(WAITING, InboxFilter(search="  ,; "))) == [2, 1]  # no words: all


def test_pdf_text_is_searchable_and_survives_a_refresh(index: InboxIndex) -> None:
    assert index.set_text(1, "Điều 1. Phê duyệt danh mục đầu tư công") is True
    assert index.set_text(99, "not listed") is False
    assert ids(index.query(WAITING, InboxFilter(search="dau tu cong"))) == [1]
    # the server's lists come again, document 1 unchanged, 2 changed: the text is kept
    index.replace(
        [doc(1, "Quyết định phê duyệt kế hoạch", urgency="urgent", doc_type="Quyết định")],
        [],
        [doc(2, "Công văn đôn đốc (sửa)", status="done")],
    )
    assert ids(index.query(WAITING, InboxFilter(search="dieu 1 dau tu"))) == [1]
    assert ids(index.query(DONE, InboxFilter(search="sua"))) == [2]
    assert index.query(INCOMING) == []  # 3 is gone from every list, and from the index
    assert ids(index.query(DONE, InboxFilter(search="thong bao"))) == []


def test_filters_by_urgency_type_and_agency(index: InboxIndex) -> None:
    assert ids(index.query(WAITING, InboxFilter(urgency="urgent"))) == [1]
    assert ids(index.query(WAITING, InboxFilter(doc_type="Quyết định"))) == [1]
    assert ids(index.query(DONE, InboxFilter(agency="UBND tỉnh"))) == [3]
    assert index.choices() == {"doc_type": ["Quyết định"], "agency": ["UBND tỉnh"]}


def test_another_user_on_the_same_cache_sees_nothing_of_it(
    index: InboxIndex, store: LocalStore
) -> None:
    assert InboxIndex(store, "other@http://x").counts()[WAITING] == 0


def test_lists_of_a_document_waiting_for_me_is_not_in_progress() -> None:
    assert lists_of(doc(1, "x", direction="out", status="awaiting_signature"), True, False) == [
        WAITING,
        OUTGOING,
    ]
