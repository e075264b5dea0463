"""The shared list model: Vietnamese collation, in-place updates, locale-aware dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.notify import Notifier
from ui.documents_view import DocumentsModel
from ui.notices import NoticePresenter
from ui.table_model import CollatingProxy


@dataclass(frozen=True, slots=True)
class Doc:
    """The fields of a DocumentSummary the model reads."""

    id: int
    issuing_agency: str
    number: str = "1"
    symbol: str = "UBND"
    issued_on: dt.date = dt.date(2026, 11, 2)
    summary: str = "V/v"
    doc_type: str = "Công văn"
    urgency: str = "normal"
    direction: str = "in"
    status: str = "processing"
    deadline: dt.datetime | None = None
    my_action: str | None = None


def sorted_column(model: DocumentsModel, column: str) -> list[str]:
    proxy = CollatingProxy()
    proxy.setSourceModel(model)
    col = model.COLUMNS.index(column)
    proxy.sort(col, Qt.SortOrder.AscendingOrder)
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def test_vietnamese_collation(qapp: QApplication, vietnamese: None) -> None:
    model = DocumentsModel()
    agencies = ["Đài Phát thanh", "Sở Y tế", "Ban Dân tộc", "Bộ Nội vụ", "Sở Xây dựng", "Ủy ban"]
    model.set_rows([Doc(i, a) for i, a in enumerate(agencies)])
    assert sorted_column(model, "agency") == [
        "Ban Dân tộc",
        "Bộ Nội vụ",
        "Đài Phát thanh",  # Đ after D, before E (a code-point sort puts it last)
        "Sở Xây dựng",
        "Sở Y tế",
        "Ủy ban",
    ]


def test_numbers_in_text_sort_numerically(qapp: QApplication) -> None:
    model = DocumentsModel()
    model.set_rows([Doc(1, "a", number="45"), Doc(2, "b", number="4821"), Doc(3, "c", number="9")])
    assert sorted_column(model, "number") == ["9/UBND", "45/UBND", "4821/UBND"]


def test_same_rows_update_in_place(qapp: QApplication, qtbot: QtBot) -> None:
    model = DocumentsModel()
    model.set_rows([Doc(1, "a"), Doc(2, "b")])
    with qtbot.waitSignal(model.dataChanged), qtbot.assertNotEmitted(model.modelReset):
        model.set_rows([Doc(1, "a", status="done"), Doc(2, "b")])
    with qtbot.waitSignal(model.modelReset):
        model.set_rows([Doc(3, "c")])


def test_dates_and_words_follow_the_language(qapp: QApplication, vietnamese: None) -> None:
    model = DocumentsModel()
    model.set_rows([Doc(1, "a", urgency="flash")])
    issued = model.index(0, model.COLUMNS.index("issued_on")).data()
    assert issued == "02/11/2026"
    assert model.urgency_text("flash") == "Hỏa tốc"
    assert model.index(0, model.COLUMNS.index("direction")).data() == "Văn bản đến"


def test_notices_by_severity(qapp: QApplication, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMainWindow, QMessageBox

    notifier = Notifier()
    presenter = NoticePresenter(notifier)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    presenter.window = window
    notifier.info("hello there")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "hello there")
    notifier.error("it failed", "trace")
    qtbot.waitUntil(
        lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in qapp.topLevelWidgets())
    )
    box = next(w for w in qapp.topLevelWidgets() if isinstance(w, QMessageBox))
    assert box.text() == "it failed"
    box.close()
