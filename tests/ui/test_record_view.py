"""The list pages' shared base: columns are fitted once per update, and only when seen."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.test_table_model import Doc
from ui.documents_view import DocumentsModel
from ui.record_view import RecordView


class Page(RecordView[Doc]):
    """A list page that counts how often it fits its columns."""

    def __init__(self) -> None:
        self.fits = 0
        super().__init__(DocumentsModel())

    def heading_text(self) -> str:
        return "Văn bản"

    def empty_text(self) -> str:
        return "Không có văn bản"

    def stretch_column(self) -> int:
        return DocumentsModel.COLUMNS.index("summary")

    def _fit_columns(self) -> None:
        self.fits += 1
        super()._fit_columns()


def rows(count: int) -> list[Doc]:
    return [Doc(i, f"Sở {i}", summary=f"V/v việc số {i}") for i in range(count)]


def test_a_hidden_page_fits_its_columns_once_when_shown(qtbot: QtBot, qapp: QApplication) -> None:
    page = Page()
    qtbot.addWidget(page)
    page.show_rows(rows(30))  # from the cache
    page.show_rows(rows(40))  # from the server
    qapp.processEvents()
    assert page.fits == 0
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)
    qapp.processEvents()
    assert page.fits == 1
    summary = page.model.COLUMNS.index("summary")
    header = page.table.horizontalHeader()
    assert header.sectionSize(summary) >= 0.4 * page.table.viewport().width() - 1


def test_a_visible_page_fits_once_per_update_before_it_says_shown(
    qtbot: QtBot, qapp: QApplication
) -> None:
    page = Page()
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)
    qapp.processEvents()
    seen: list[int] = []
    page.rows_shown.connect(lambda: seen.append(page.fits))
    page.show_rows(rows(40))
    qapp.processEvents()
    assert seen == [1]  # fitted before `rows_shown`, which the start-up's "ready" waits for
    assert page.fits == 1
    for width in (800, 820, 840):  # a window being dragged wider: one fit per turn of the loop
        page.resize(width, 500)
    qapp.processEvents()
    assert page.fits == 2
