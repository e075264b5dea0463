"""The reader (viewer/reader.py) driven offscreen: open, notes in the store and the panel, reload
after a sync, signatures, watermark, export/import of notes, and the host owning file opening."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from tests.viewer.fixtures_sign import (
    SIGNER_NAME,
    make_pdf,
    pki_fixture,  # noqa: F401 (fixture)
    plain_pdf_fixture,  # noqa: F401 (fixture)
    signed_pdf_fixture,  # noqa: F401 (fixture)
)
from tests.viewer.view.test_widget import dark_pixels, wait_painted
from viewer.annotations.model import Annotation, AnnotationKind, sha256_of_file
from viewer.annotations.store import SqliteAnnotationStore
from viewer.annotations.tools import Tool
from viewer.drop import dropped_pdf
from viewer.jobs import JobRunner
from viewer.reader import Reader
from viewer.render.pool import RenderPool
from viewer.signatures.inspector import SignatureInspector
from viewer.view.state import MemoryStateStore

pytestmark = pytest.mark.timeout(90)

USER = "giamdoc@test"


@pytest.fixture(scope="module")
def inspector(qapp: QApplication) -> Iterator[SignatureInspector]:
    """One signature worker for the module (each reader would otherwise start its own)."""
    shared = SignatureInspector()
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def jobs(qapp: QApplication) -> Iterator[JobRunner]:
    """One export/import worker for the module."""
    runner = JobRunner()
    yield runner
    runner.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteAnnotationStore]:
    notes = SqliteAnnotationStore(tmp_path / "notes.sqlite")
    yield notes
    notes.close()


@pytest.fixture
def reader(
    qtbot: QtBot,
    pool: RenderPool,
    store: SqliteAnnotationStore,
    inspector: SignatureInspector,
    jobs: JobRunner,
) -> Iterator[Reader]:
    widget = Reader(
        store,
        USER,
        user_name="Nguyễn Văn Hùng",
        pool=pool,
        state_store=MemoryStateStore(),
        inspector=inspector,
        jobs=jobs,
        prompt=lambda _parent, _current: "Cần làm rõ số liệu",
        password_callback=lambda _name, _wrong: None,
    )
    widget.resize(1200, 800)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()


@pytest.fixture
def small_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "to-trinh.pdf"
    path.write_bytes(make_pdf())
    return path


def _open(qtbot: QtBot, reader: Reader, path: Path, watermark: str | None = None) -> str:
    sha = sha256_of_file(path)
    with qtbot.waitSignal(reader.documentOpened, timeout=30_000):
        reader.open_path(path, sha256=sha, title="Tờ trình", watermark=watermark)
    return sha


def _page_point(reader: Reader, page: int, x: float, y: float) -> QPoint:
    t = reader.viewer.page_view.page_transform(page)
    assert t is not None
    return t.map(QPointF(x, y)).toPoint()


def _sticky(qtbot: QtBot, reader: Reader, x: float = 300, y: float = 400) -> None:
    """Place a sticky note with the mouse, as a user does."""
    assert reader.tools is not None
    reader.set_tool(Tool.NOTE)
    with qtbot.waitSignal(reader.tools.annotationCreated):
        QTest.mouseClick(
            reader.viewer.page_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=_page_point(reader, 0, x, y),
        )


def _reddish(image: QImage) -> int:
    """Pixels tinted by the red watermark (red clearly above green and blue)."""
    count = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            c = image.pixelColor(x, y)
            if c.red() - c.green() > 25 and c.red() - c.blue() > 25:
                count += 1
    return count


def test_open_shows_page_one_and_no_notes_before(
    qtbot: QtBot, reader: Reader, text_pdf: Path
) -> None:
    assert not reader.export_action.isEnabled()
    assert reader.notes is None
    sha = _open(qtbot, reader, text_pdf)
    wait_painted(qtbot, reader.viewer.page_view, 0)
    assert dark_pixels(reader.viewer.page_view.viewport().grab().toImage()) > 50
    assert reader.sha256() == sha
    assert reader.title() == "Tờ trình"
    assert reader.current_page() == 0
    assert reader.export_action.isEnabled()
    assert reader.notes is not None
    assert reader.notes.model.rowCount() == 0


def test_a_note_is_in_the_store_at_once_and_listed(
    qtbot: QtBot, reader: Reader, small_pdf: Path, store: SqliteAnnotationStore
) -> None:
    sha = _open(qtbot, reader, small_pdf)
    wait_painted(qtbot, reader.viewer.page_view, 0)
    _sticky(qtbot, reader)
    (note,) = store.load(sha, USER)
    assert note.kind is AnnotationKind.NOTE
    assert note.text == "Cần làm rõ số liệu"
    assert reader.notes is not None
    model = reader.notes.model
    assert model.rowCount() == 1
    assert "Cần làm rõ số liệu" in model.data(model.index(0))
    # the tool and colour chosen in the toolbar are the ones the note got
    assert note.color == reader.color_box.currentData()
    assert reader.tool_actions[Tool.NOTE].isChecked()


def test_reload_after_the_store_changed(
    qtbot: QtBot, reader: Reader, small_pdf: Path, tmp_path: Path
) -> None:
    sha = _open(qtbot, reader, small_pdf)
    wait_painted(qtbot, reader.viewer.page_view, 0)
    _sticky(qtbot, reader)
    assert reader.notes is not None
    # the echo of our own change (a sync that brought nothing new) keeps the list and its undo
    assert not reader.reload_notes()
    assert reader.notes.undo_action.isEnabled()

    # a sync wrote another device's note into the same database
    other = SqliteAnnotationStore(tmp_path / "notes.sqlite")
    synced = Annotation.markup(sha, 1, AnnotationKind.HIGHLIGHT, [(72, 95, 300, 110)])
    other.save(USER, synced)
    other.close()
    with qtbot.waitSignal(reader.notesReloaded):
        assert reader.reload_notes()
    model = reader.notes.model
    assert model.rowCount() == 2
    assert model.find(synced.id) == synced
    # the new panel drives the page: its notes are drawn and selectable
    assert reader.tools is not None
    assert reader.model is model


def test_signatures_tab_lists_the_signer(
    qtbot: QtBot, reader: Reader, tmp_path: Path, signed_pdf: bytes
) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    with qtbot.waitSignal(reader.signatures.signaturesShown, timeout=60_000) as shown:
        _open(qtbot, reader, path)
    (info,) = shown.args[0]
    assert info.signer == SIGNER_NAME
    rows = reader.signatures.model
    assert rows.rowCount() == 1
    assert SIGNER_NAME in rows.data(rows.index(0))
    reader.close_document()
    assert reader.signatures.model.rowCount() == 0


def test_watermark_with_the_readers_name(qtbot: QtBot, reader: Reader, small_pdf: Path) -> None:
    view = reader.viewer.page_view
    _open(qtbot, reader, small_pdf)
    wait_painted(qtbot, view, 0)
    plain = _reddish(view.viewport().grab().toImage())
    assert reader.watermark() is None

    _open(qtbot, reader, small_pdf, watermark="MẬT")
    wait_painted(qtbot, view, 0)
    spec = reader.watermark()
    assert spec is not None
    assert "Nguyễn Văn Hùng" in spec.text()
    assert "MẬT" in spec.text()
    assert _reddish(view.viewport().grab().toImage()) > plain + 200
    # a later document without the marking carries no watermark
    _open(qtbot, reader, small_pdf)
    wait_painted(qtbot, view, 0)
    assert reader.watermark() is None


def test_export_writes_a_copy_with_the_notes_and_import_reads_them_back(
    qtbot: QtBot,
    reader: Reader,
    tmp_path: Path,
    signed_pdf: bytes,
    store: SqliteAnnotationStore,
) -> None:
    original = tmp_path / "signed.pdf"
    original.write_bytes(signed_pdf)
    before = hashlib.sha256(signed_pdf).hexdigest()
    sha = _open(qtbot, reader, original)
    wait_painted(qtbot, reader.viewer.page_view, 0)
    _sticky(qtbot, reader)
    out = tmp_path / "copy.pdf"
    with qtbot.waitSignal(reader.exportFinished, timeout=60_000) as finished:
        assert reader.export_to(out) is not None
        assert not reader.export_action.isEnabled()  # one export at a time
    assert finished.args == [str(out), 1]
    assert reader.export_action.isEnabled()
    assert "1" in reader.status.text()
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    assert out.read_bytes().startswith(signed_pdf)  # appended: the signed bytes are intact
    with pymupdf.open(out) as copy:
        annots = list(copy[0].annots())
        assert [a.info["content"] for a in annots] == ["Cần làm rõ số liệu"]
        assert annots[0].info["title"] == "Nguyễn Văn Hùng"

    # the copy's notes come back as the same note (no duplicate) ...
    with qtbot.waitSignal(reader.importFinished, timeout=60_000) as imported:
        reader.import_from(out)
    assert imported.args == [0]
    # ... and into an empty notes database as new ones
    (note,) = store.load(sha, USER)
    store.delete(sha, USER, note.id)
    assert reader.reload_notes()
    with qtbot.waitSignal(reader.importFinished, timeout=60_000) as imported:
        reader.import_from(out)
    assert imported.args == [1]
    assert [n.text for n in store.load(sha, USER)] == ["Cần làm rõ số liệu"]


def test_export_over_the_original_is_refused_with_a_message(
    qtbot: QtBot, reader: Reader, small_pdf: Path
) -> None:
    before = small_pdf.read_bytes()
    _open(qtbot, reader, small_pdf)
    with qtbot.waitSignal(reader.errorOccurred, timeout=60_000) as error:
        reader.export_to(small_pdf)
    assert error.args == ["The notes could not be exported."]
    assert reader.status.isVisible()
    assert small_pdf.read_bytes() == before


def test_drop_and_open_action_ask_the_host(
    qtbot: QtBot, reader: Reader, small_pdf: Path, text_pdf: Path
) -> None:
    _open(qtbot, reader, small_pdf)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.org/a.pdf"), QUrl.fromLocalFile(str(text_pdf))])
    args = (QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton)
    enter = QDragEnterEvent(QPoint(50, 50), *args[1:], Qt.KeyboardModifier.NoModifier)
    enter.setAccepted(False)
    reader.dragEnterEvent(enter)  # Qt delivers synthetic drag events only during a real drag
    assert enter.isAccepted()
    with qtbot.waitSignal(reader.openFileRequested) as requested:
        reader.dropEvent(QDropEvent(*args, Qt.KeyboardModifier.NoModifier))
    assert requested.args == [str(text_pdf)]
    shown = reader.viewer.document
    with qtbot.waitSignal(reader.openFileRequested) as requested:  # a drop on the page area
        reader.viewer.dropEvent(QDropEvent(*args, Qt.KeyboardModifier.NoModifier))
    assert requested.args == [str(text_pdf)]
    assert reader.viewer.document is shown  # the viewer did not open it behind the host's back
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(small_pdf.with_suffix(".docx")))])
    refused = QDragEnterEvent(
        QPoint(5, 5), args[1], other, *args[3:], Qt.KeyboardModifier.NoModifier
    )
    refused.setAccepted(False)
    reader.dragEnterEvent(refused)
    assert not refused.isAccepted()

    reader.viewer.open_action.trigger()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog)]
    dialog = next(d for d in dialogs if d.isVisible())
    with qtbot.waitSignal(reader.openFileRequested) as requested:
        dialog.selectFile(str(text_pdf))
        dialog.accept()
    assert Path(requested.args[0]) == text_pdf
    assert reader.path() == small_pdf  # the host decides; nothing opened by itself


def test_dropped_pdf_takes_the_first_local_pdf(tmp_path: Path) -> None:
    (tmp_path / "folder.pdf").mkdir()
    urls = [
        QUrl("https://example.org/remote.pdf"),
        QUrl.fromLocalFile(str(tmp_path / "notes.txt")),
        QUrl.fromLocalFile(str(tmp_path / "folder.pdf")),
        QUrl.fromLocalFile(str(tmp_path / "Báo cáo.PDF")),
        QUrl.fromLocalFile(str(tmp_path / "second.pdf")),
    ]
    assert dropped_pdf(urls) == tmp_path / "Báo cáo.PDF"
    assert dropped_pdf(urls[:3]) is None
    assert dropped_pdf([]) is None


def test_side_tabs_and_notes_toolbar_fit_at_the_default_size(
    qtbot: QtBot, reader: Reader, small_pdf: Path
) -> None:
    """The Search tab hid behind scroll arrows, and "Undo Add sticky note" pushed Redo into the
    notes toolbar's overflow: icons, with the names as tooltips."""
    _open(qtbot, reader, small_pdf)
    _sticky(qtbot, reader)  # the undo action's text now names what it undoes
    assert reader.notes is not None
    reader.side.setCurrentIndex(0)
    qtbot.waitUntil(reader.notes.toolbar.isVisible)
    undo = reader.notes.undo_action
    assert undo.text() != "Undo"
    assert undo.toolTip() == undo.text()
    for tabs in (reader.viewer.sidebar, reader.side):
        assert tabs.tabBar().sizeHint().width() <= tabs.width(), tabs
        assert all(tabs.tabToolTip(i) for i in range(tabs.count()))
    toolbars = (reader.notes.toolbar, reader.toolbar, reader.viewer.toolbar)
    for toolbar in toolbars:
        for action in toolbar.actions():
            if action.isSeparator():
                continue
            widget = toolbar.widgetForAction(action)
            assert widget is not None
            assert widget.isVisible(), action.text()  # not in the overflow menu
            assert widget.geometry().right() <= toolbar.width(), action.text()
