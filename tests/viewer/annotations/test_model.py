"""Annotation value objects, the undoable model and the SQLite store (viewer/annotations/model.py,
viewer/annotations/store.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from viewer.annotations.model import Annotation, AnnotationKind, AnnotationModel
from viewer.annotations.store import (
    AnnotationStore,
    MemoryAnnotationStore,
    SqliteAnnotationStore,
)

SHA = "ab" * 32
USER = "chuyenvien1"


def _highlight(page: int = 0, y: float = 100.0, text: str = "") -> Annotation:
    return Annotation.markup(
        SHA,
        page,
        AnnotationKind.HIGHLIGHT,
        [(72, y, 300, y + 14), (72, y + 20, 200, y + 34)],
        text=text,
    )


def test_json_matches_server_shape_and_round_trips() -> None:
    a = _highlight(text="Xem lại số liệu")
    data = a.to_json()
    assert set(data) == {
        "id",
        "target",
        "page",
        "kind",
        "rect",
        "points",
        "color",
        "text",
        "updated_at",
    }
    assert data["kind"] == "highlight"
    assert data["rect"] == [72, 100, 300, 134]
    # flat, four points per line (PDF QuadPoints order), as server/notes.py stores them
    assert data["points"][:4] == [[72, 100], [300, 100], [72, 114], [300, 114]]
    assert len(data["points"]) == 8
    assert data["target"] == SHA
    assert Annotation.from_json(json.loads(json.dumps(data))) == a
    # the server returns UTC with a Z
    data["updated_at"] = data["updated_at"].replace("+00:00", "Z")
    assert Annotation.from_json(data) == a


@pytest.mark.parametrize(
    "note",
    [
        Annotation.sticky(SHA, 1, (50, 60), text="Hỏi lại phòng Tài chính"),
        Annotation.ink(SHA, 0, [(1, 2), (3, 4), (5, 1), (10, 10), (12, 14)], color="#ff0000"),
        Annotation.box(SHA, 3, (10, 20, 110, 220), color="#0000ff"),
    ],
)
def test_json_round_trip_other_kinds(note: Annotation) -> None:
    assert Annotation.from_json(note.to_json()) == note


def test_server_note_shapes_parse() -> None:
    """What the reference server returns (server/notes.py NoteOut) parses."""
    base = {"id": "6b1f8a4e-0d8e-4a53-9d53-7c1b1d0a9c11", "target": SHA, "page": 2}
    strike = Annotation.from_json(
        {
            **base,
            "kind": "strike",
            "rect": None,
            "points": [[1, 2], [9, 2], [1, 8], [9, 8]],
            "color": "",
            "text": "",
            "updated_at": "2026-11-22T08:00:00Z",
        }
    )
    assert strike.kind is AnnotationKind.STRIKEOUT
    assert strike.rect == (1, 2, 9, 8)
    assert strike.line_rects() == [(1, 2, 9, 8)]
    assert strike.color == "#ffd400"
    sticky = Annotation.from_json(
        {**base, "kind": "text", "rect": [5, 5, 25, 25], "points": None, "updated_at": None}
    )
    assert sticky.kind is AnnotationKind.NOTE
    assert sticky.to_json()["points"] is None


def test_from_json_rejects_bad_input() -> None:
    data = _highlight().to_json()
    with pytest.raises(ValueError):  # noqa: PT011 (uuid and enum both raise ValueError)
        Annotation.from_json({**data, "kind": "scribble"})
    with pytest.raises(ValueError):  # noqa: PT011
        Annotation.from_json({**data, "id": "not-a-uuid"})
    with pytest.raises(ValueError):  # noqa: PT011
        Annotation.from_json({**data, "rect": None, "points": None})


@pytest.fixture
def store(tmp_path: Path) -> SqliteAnnotationStore:
    s = SqliteAnnotationStore(tmp_path / "notes.sqlite")
    yield s  # type: ignore[misc]
    s.close()


def test_stores_satisfy_protocol(store: SqliteAnnotationStore) -> None:
    assert isinstance(store, AnnotationStore)
    assert isinstance(MemoryAnnotationStore(), AnnotationStore)


def test_add_edit_delete_undo_redo_persist(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    store = SqliteAnnotationStore(path)
    model = AnnotationModel(store, SHA, USER)
    late, early = _highlight(page=2), _highlight(page=0, text="đầu")
    model.add(late)
    model.add(early)
    assert [a.id for a in model.annotations()] == [early.id, late.id]  # page order
    assert model.rowCount() == 2

    def reopened() -> list[Annotation]:
        other = SqliteAnnotationStore(path)
        try:
            return sorted(other.load(SHA, USER), key=lambda a: a.page)
        finally:
            other.close()

    assert [a.id for a in reopened()] == [early.id, late.id]  # saved at once

    model.edit(late.id, text="sửa", color="#00ff00")
    assert model.find(late.id).text == "sửa"  # type: ignore[union-attr]
    assert reopened()[1].color == "#00ff00"

    model.remove(early.id)
    assert [a.id for a in reopened()] == [late.id]
    assert model.rowCount() == 1

    model.undo_stack.undo()  # delete undone
    assert {a.id for a in reopened()} == {early.id, late.id}
    model.undo_stack.undo()  # edit undone
    assert reopened()[1].text == ""
    model.undo_stack.redo()
    assert reopened()[1].text == "sửa"
    model.undo_stack.undo()
    model.undo_stack.undo()
    model.undo_stack.undo()
    assert reopened() == []
    assert model.rowCount() == 0
    model.undo_stack.redo()
    assert [a.id for a in reopened()] == [late.id]
    # other users and documents are separate
    assert store.load(SHA, "someone-else") == []
    assert store.load("cd" * 32, USER) == []
    store.close()


def test_edit_through_qt_model_and_display(qtbot: QtBot) -> None:
    excerpts: list[tuple[int, tuple[float, ...]]] = []

    def excerpt(page: int, rect: tuple[float, float, float, float]) -> str:
        excerpts.append((page, rect))
        return "quick brown fox"

    model = AnnotationModel(MemoryAnnotationStore(), SHA, USER, excerpt=excerpt)
    model.add(_highlight(page=4))
    index = model.index(0)
    assert model.data(index) == "Page 5 · quick brown fox quick brown fox"
    assert excerpts[0][0] == 4
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(index, "Ý kiến", Qt.ItemDataRole.EditRole)
    assert model.data(index) == "Page 5 · Ý kiến"
    assert model.data(index, Qt.ItemDataRole.EditRole) == "Ý kiến"
    model.undo_stack.undo()
    assert model.data(index, Qt.ItemDataRole.EditRole) == ""


def test_edit_keeps_rows_in_page_order(qtbot: QtBot) -> None:
    model = AnnotationModel(MemoryAnnotationStore(), SHA, USER)
    a, b, c = _highlight(page=0), _highlight(page=2), _highlight(page=4)
    for n in (a, b, c):
        model.add(n)
    model.edit(a.id, page=3)
    assert [n.id for n in model.annotations()] == [b.id, a.id, c.id]
    model.edit(c.id, page=0)
    assert [n.id for n in model.annotations()] == [c.id, b.id, a.id]
    model.edit(b.id, text="same place")
    assert [n.id for n in model.annotations()] == [c.id, b.id, a.id]
    model.undo_stack.undo()
    model.undo_stack.undo()
    model.undo_stack.undo()
    assert [n.id for n in model.annotations()] == [a.id, b.id, c.id]


def test_merge_is_one_undo_step_and_keeps_newer(qtbot: QtBot) -> None:
    model = AnnotationModel(MemoryAnnotationStore(), SHA, USER)
    a, b = _highlight(), _highlight(page=1)
    assert model.merge([a, b]) == 2
    assert model.merge([a, b]) == 0
    assert model.merge([a.edited(text="mới")]) == 1
    assert model.find(a.id).text == "mới"  # type: ignore[union-attr]
    model.undo_stack.undo()
    model.undo_stack.undo()
    assert model.rowCount() == 0


def test_store_failure_is_reported(qtbot: QtBot, tmp_path: Path) -> None:
    store = SqliteAnnotationStore(tmp_path / "n.sqlite")
    model = AnnotationModel(store, SHA, USER)
    kept = _highlight()
    model.add(kept)
    store.close()  # every later write fails
    with qtbot.waitSignal(model.errorOccurred) as error:
        model.add(_highlight(page=1))
    assert "could not be saved" in error.args[0]
    assert model.annotations() == [kept]  # the list shows only what is stored
    assert model.undo_stack.count() == 1  # the failed change is not on the stack
    with qtbot.waitSignal(model.errorOccurred):
        model.undo_stack.undo()
    assert model.annotations() == [kept]


def test_killed_app_loses_nothing(tmp_path: Path) -> None:
    """A process that saves a note and is then killed (no close, no clean exit) kept the note."""
    path = tmp_path / "notes.sqlite"
    note = _highlight(text="trước khi bị tắt")
    script = textwrap.dedent(
        f"""
        import json, os, signal
        from viewer.annotations.store import SqliteAnnotationStore
        from viewer.annotations.model import Annotation
        store = SqliteAnnotationStore({str(path)!r})
        store.save({USER!r}, Annotation.from_json(json.loads({json.dumps(note.to_json())!r})))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[3])
    assert result.returncode == -9
    reopened = SqliteAnnotationStore(path)
    assert reopened.load(SHA, USER) == [note]
    reopened.close()


@pytest.mark.parametrize(
    "note",
    [
        _highlight(text="Xem lại"),
        Annotation.markup(SHA, 1, AnnotationKind.STRIKEOUT, [(1, 2, 3, 4)]),
        Annotation.sticky(SHA, 0, (5, 5), text="ghi chú"),
        Annotation.ink(SHA, 2, [(1, 1), (2, 3), (4, 2)]),
        Annotation.box(SHA, 0, (10, 10, 50, 40)),
    ],
)
def test_json_is_accepted_by_the_reference_server_schema(note: Annotation) -> None:
    """The viewer's JSON validates against server/notes.py's models, and their output parses."""
    notes = pytest.importorskip("server.notes")
    body = notes.NoteIn.model_validate(note.to_json())
    out = notes.NoteOut.model_validate({**body.model_dump(mode="json"), "id": note.id})
    assert Annotation.from_json(out.model_dump(mode="json")) == note
