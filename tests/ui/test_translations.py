"""Every user-visible string has a finished Vietnamese translation; Vietnamese is the default."""

from __future__ import annotations

import ast
import datetime as dt
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from resources.translations.fill_vi import hidden_messages

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "hopdesk_vi.ts"
LUPDATE = Path(sys.executable).with_name("pyside6-lupdate")


def messages(ts: Path) -> list[tuple[str, str, bool]]:
    """(context, source, finished) of every message in a .ts file."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            finished = translation.get("type") not in ("unfinished", "vanished", "obsolete")
            text = "".join(translation.itertext()).strip()
            out.append((name, message.findtext("source") or "", finished and bool(text)))
    return out


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lupdate over the code into a copy of the committed .ts (merging what is translated)."""
    ts = tmp_path_factory.mktemp("lupdate") / "hopdesk_vi.ts"
    shutil.copy(TS, ts)
    subprocess.run(
        [str(LUPDATE), "-extensions", "py", "-no-obsolete", "-locations", "none",
         "-target-language", "vi_VN", "desktop", "ui", "viewer", "media", "-ts", str(ts)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return ts


def test_every_source_string_is_translated(scanned: Path) -> None:
    missing = [f"[{ctx}] {src!r}" for ctx, src, done in messages(scanned) if ctx and not done]
    assert not missing, (
        "untranslated strings (add them to resources/translations/fill_vi.py, then run "
        "pyside6-lupdate and fill_vi.py):\n" + "\n".join(missing)
    )


def test_committed_qm_is_current() -> None:
    qm = TS.with_suffix(".qm")
    assert qm.exists()
    assert qm.stat().st_mtime >= TS.stat().st_mtime - 1, "run fill_vi.py (it runs lrelease)"


class EmptyServices(QObject):
    """Lists not loaded yet: enough for the navigation and headings."""

    changed = Signal()
    meetings: tuple[object, ...] = ()
    waiting: tuple[object, ...] = ()
    documents: tuple[object, ...] = ()
    period = "upcoming"  # the meetings page's schedule: from today on

    def now(self) -> dt.datetime:
        """The services' clock, which the meetings page reads for "today"."""
        return dt.datetime.now(dt.UTC)


def test_vietnamese_is_default_and_switches_live(qapp: QApplication, qtbot: QtBot) -> None:
    from desktop import i18n
    from ui.main_window import MainWindow

    assert i18n.normalise(None) == "vi"
    i18n.install(qapp, i18n.normalise(None))
    services = EmptyServices()
    window = MainWindow(None, services, services)
    qtbot.addWidget(window)
    nav = [window.nav.item(i).text() for i in range(3)]
    assert nav == ["Lịch họp", "Văn bản", "Tài liệu"]
    assert window.meetings_view.heading.text() == "Lịch họp"
    assert window.meetings_view.model.headerData(0, Qt.Orientation.Horizontal) == "Thời gian"
    i18n.install(qapp, "en")
    QCoreApplication.processEvents()
    assert window.nav.item(0).text() == "Meetings"
    assert window.inbox_view.heading.text() == "Waiting for me"
    i18n.install(qapp, "vi")
    QCoreApplication.processEvents()
    assert window.nav.item(1).text() == "Văn bản"
    i18n.install(qapp, "en")


def test_texts_hidden_from_lupdate_are_translated_too() -> None:
    """`_tr("…")` wrappers and `tr = translate` aliases: fill_vi.py adds their texts."""
    committed = {(ctx, src): done for ctx, src, done in messages(TS)}
    missing = [f"[{c}] {s!r}" for c, s in hidden_messages() if not committed.get((c, s))]
    assert not missing, "run resources/translations/fill_vi.py:\n" + "\n".join(missing)


def test_every_translate_call_is_visible_to_lupdate() -> None:
    hidden = hidden_messages()
    assert not hidden, "call QCoreApplication.translate(ctx, 'literal') directly:\n" + "\n".join(
        f"[{c}] {s!r}" for c, s in hidden
    )


def test_every_translated_text_is_a_literal() -> None:
    """`tr(name)` or `translate(ctx, name)` with a variable: lupdate cannot see the text, so it
    would stay English whatever the catalogue holds."""
    dynamic = []
    for package in ("desktop", "ui", "viewer", "media"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = getattr(func, "attr", getattr(func, "id", None))
                index = {"translate": 1, "tr": 0}.get(str(name))
                if index is None or len(node.args) <= index:
                    continue
                text = node.args[index]
                if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
                    dynamic.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not dynamic, "translate literal texts only:\n" + "\n".join(dynamic)
