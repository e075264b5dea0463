"""The approval inbox with 10,000 documents in the local store: first screen, a filter and a
full-text search, each through the real page (ApprovalView on the GUI thread, the model filled),
against the bare SQLite FTS5 query on the same file in the same run. Goal: each under 100 ms,
and no GUI stall over 16 ms (every step here runs on the GUI thread, so its time is the stall).

Run on demand (not collected by pytest):
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/inbox.py [--documents 10000]
Prints medians of 9 tries and writes tests/bench/results/inbox.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "tests" / "bench" / "results" / "inbox.json"
WORDS = (
    "kế",
    "hoạch",
    "triển",
    "khai",
    "chuyển",
    "đổi",
    "số",
    "phê",
    "duyệt",
    "dự",
    "toán",
    "ngân",
    "sách",
    "báo",
    "cáo",
    "tình",
    "hình",
)
TYPES = ["Quyết định", "Công văn", "Tờ trình", "Báo cáo", "Kế hoạch"]
AGENCIES = ["UBND tỉnh Hòa Bình", "Bộ Thông tin và Truyền thông", "Sở Tài chính", "Sở Nội vụ"]
URGENCIES = ["normal", "urgent", "very_urgent", "flash"]


def payload(i: int) -> dict[str, object]:
    words = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(8))
    return {
        "id": i,
        "number": str(100 + i),
        "symbol": "QĐ-UBND",
        "issuing_agency": AGENCIES[i % len(AGENCIES)],
        "summary": f"{TYPES[i % len(TYPES)]} về {words}",
        "doc_type": TYPES[i % len(TYPES)],
        "urgency": URGENCIES[i % len(URGENCIES)],
        "direction": "in" if i % 2 else "out",
        "status": ["processing", "drafting", "issued", "awaiting_signature"][i % 4],
        "deadline": f"2026-12-{1 + i % 28:02d}T10:00:00+00:00" if i % 3 else None,
        "my_action": "process" if i % 5 == 0 else None,
    }


def since(start: float) -> float:
    """Milliseconds since `start` (perf_counter)."""
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--tries", type=int, default=9)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from desktop.inbox_index import InboxIndex
    from desktop.store import LocalStore
    from ui.approval_view import ApprovalView

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp) / "cache.db")
        store.open()
        scope = "giamdoc@http://bench"
        docs = [payload(i) for i in range(args.documents)]
        waiting = [d for d in docs if d["my_action"]]
        index = InboxIndex(store, scope)
        index.replace(waiting, [], docs)
        body = " ".join(WORDS * 40)  # about 3 KB of PDF text each
        for i in range(args.documents):
            index.set_text(i, f"Điều {i}. {body}")

        class Inbox:  # ApprovalInbox's reading side on the same index (no network in a bench)
            changed = None

            def counts(self) -> dict[str, int]:
                return index.counts()

            def documents(self, name: str, wanted: object) -> object:
                from desktop.domain import DocumentSummary, parse_list

                return parse_list(DocumentSummary, index.query(name, wanted), "bench")  # type: ignore[arg-type]

            def choices(self) -> dict[str, list[str]]:
                return index.choices()

        from PySide6.QtCore import QObject, Signal

        class Service(QObject):
            changed = Signal()

        service = Service()
        inbox = Inbox()
        inbox.changed = service.changed  # type: ignore[assignment]

        figures: dict[str, list[float]] = {
            "first_screen": [],
            "filter": [],
            "search": [],
            "bare_fts": [],
        }
        query = '"quyet"* "dinh"* "chuyen"* "doi"*'
        for _ in range(args.tries):
            start = time.perf_counter()
            page = ApprovalView(inbox)  # type: ignore[arg-type]
            figures["first_screen"].append(since(start))
            page.lists.setCurrentRow(5)  # outgoing: the longest list (half of all)
            start = time.perf_counter()
            page.urgency.setCurrentIndex(3)  # "very urgent"
            figures["filter"].append(since(start))
            start = time.perf_counter()
            page.search.setText("quyet dinh chuyen doi")
            page.show_list()
            figures["search"].append(since(start))
            rows = page.model.rowCount()
            page.deleteLater()
            app.processEvents()
            with store.transaction() as con:
                start = time.perf_counter()
                sql = "SELECT count(*) FROM inbox_text WHERE inbox_text MATCH ?"
                con.execute(sql, (query,)).fetchone()
                figures["bare_fts"].append(since(start))
        store.close()
    medians = {k: round(statistics.median(v), 2) for k, v in figures.items()}
    result = {
        "documents": args.documents,
        "waiting": len(waiting),
        "rows_after_search": rows,
        "median_ms": medians,
        "goal_ms": 100,
        "stall_goal_ms": 16,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
