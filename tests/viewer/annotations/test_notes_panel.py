"""The notes panel (viewer/annotations/notes_panel.py): list, jump, edit, delete, undo/redo,
persistence."""

from __future__ import annotations

from pathlib import Path

import pymupdf
from PySide6.QtCore import QItemSelectionModel, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from viewer.annotations.model import Annotation, AnnotationKind, AnnotationModel
from viewer.annotations.notes_panel import NotesPanel, connect_notes
from viewer.annotations.store import SqliteAnnotationStore
from viewer.annotations.tools import AnnotationTools, Tool
from viewer.document import Document
from viewer.render.pool import RenderPool
from viewer.view.page_view import PageView

SHA = "12" * 32


def _panel(qtbot: QtBot, store: SqliteAnnotationStore) -> tuple[NotesPanel, AnnotationModel]:
    model = AnnotationModel(store, SHA, "u", excerpt=lambda page, rect: f"text on {page + 1}")
    panel = NotesPanel(model)
    qtbot.addWidget(panel)
    panel.resize(300, 400)
    panel.show()
    return panel, model


def test_list_jump_edit_delete_undo(qtbot: QtBot, tmp_path: Path) -> None:
    store = SqliteAnnotationStore(tmp_path / "notes.sqlite")
    panel, model = _panel(qtbot, store)
    mark = Annotation.markup(SHA, 3, AnnotationKind.HIGHLIGHT, [(72, 200, 300, 214)])
    note = Annotation.sticky(SHA, 0, (40, 50), text="Đề nghị bổ sung")
    model.add(mark)
    model.add(note)
    texts = [model.data(model.index(r)) for r in range(model.rowCount())]
    assert texts == ["Page 1 · Đề nghị bổ sung", "Page 4 · text on 4"]
    assert not panel.delete_action.isEnabled()

    # click → jump to the note's page and rectangle
    rect = panel.list.visualRect(model.index(1))
    with qtbot.waitSignal(panel.jumpRequested) as jump:
        QTest.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert jump.args == [3, mark.rect]
    assert panel.current() == mark
    assert panel.delete_action.isEnabled()

    # edit in place
    panel.edit_current()
    editor = panel.list.findChild(QLineEdit)
    assert editor is not None
    editor.setText("Kiểm tra số liệu")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits through a queued call
    qtbot.waitUntil(lambda: model.find(mark.id).text == "Kiểm tra số liệu")  # type: ignore[union-attr]

    # delete, then undo / redo through the panel's actions
    panel.delete_action.trigger()
    assert model.find(mark.id) is None
    panel.undo_action.trigger()
    assert model.find(mark.id) is not None
    panel.undo_action.trigger()
    assert model.find(mark.id).text == ""  # type: ignore[union-attr]
    panel.redo_action.trigger()
    assert model.find(mark.id).text == "Kiểm tra số liệu"  # type: ignore[union-attr]

    # persisted at once: a second panel on a reopened store sees the same
    other = SqliteAnnotationStore(tmp_path / "notes.sqlite")
    _panel2, model2 = _panel(qtbot, other)
    assert [(a.id, a.text) for a in model2.annotations()] == [
        (note.id, note.text),
        (mark.id, "Kiểm tra số liệu"),
    ]
    other.close()
    store.close()


def test_select_annotation_follows_page_clicks(qtbot: QtBot, tmp_path: Path) -> None:
    store = SqliteAnnotationStore(tmp_path / "n.sqlite")
    panel, model = _panel(qtbot, store)
    notes = [Annotation.sticky(SHA, p, (10, 10)) for p in range(3)]
    for n in notes:
        model.add(n)
    with qtbot.waitSignal(panel.currentChanged) as changed:
        panel.select_annotation(notes[2].id)
    assert changed.args == [notes[2].id]
    assert panel.list.selectionModel().isSelected(model.index(2))
    panel.list.selectionModel().setCurrentIndex(
        model.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert panel.current() == notes[0]
    store.close()


def test_wired_to_page_view(qtbot: QtBot, tmp_path: Path, pool: RenderPool) -> None:
    pdf = pymupdf.open()
    for _ in range(5):
        pdf.new_page(width=595, height=842)
    path = tmp_path / "five.pdf"
    pdf.save(path)
    pdf.close()
    doc = Document.open_path(str(path))
    view = PageView(pool)
    qtbot.addWidget(view)
    view.resize(500, 600)
    view.show()
    view.set_document(doc)
    store = SqliteAnnotationStore(tmp_path / "n.sqlite")
    panel, model = _panel(qtbot, store)
    tools = AnnotationTools(view, model, prompt=lambda _parent, _text: "trang 4")
    connect_notes(view, tools, panel)
    try:
        far = Annotation.sticky(SHA, 3, (100, 500), text="xa")
        model.add(far)
        assert 3 not in view.visible_pages()
        rect = panel.list.visualRect(model.index(0))
        QTest.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert 3 in view.visible_pages()  # jumped to the note
        # a new note made with the tool becomes the current row
        tools.set_tool(Tool.NOTE)
        t = view.page_transform(3)
        assert t is not None
        at = t.map(QPointF(300, 520)).toPoint()
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
        current = panel.current()
        assert current is not None
        assert current.text == "trang 4"
    finally:
        tools.detach()
        view.set_document(None)
        doc.close()
        store.close()
