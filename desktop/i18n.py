"""Languages: Qt translators, the QLocale for dates and numbers, Vietnamese-aware sorting.

Source strings are English; `resources/translations/hopdesk_vi.qm` (built from `hopdesk_vi.ts` with
pyside6-lrelease, committed) carries Vietnamese, the default language. Switching language at run
time replaces the translator: Qt then sends `LanguageChange` to every widget, and the UI
retranslates itself live.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import (
    QCollator,
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    Qt,
    QTranslator,
)

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"

_installed: list[QTranslator] = []
_current = DEFAULT_LANGUAGE


def normalise(language: str | None) -> str:
    """A supported language code; anything else falls back to Vietnamese."""
    code = (language or "").lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def install(app: QCoreApplication, language: str) -> str:
    """Load HopDesk's (and, when shipped, Qt's own) translations for `language`; returns it."""
    global _current
    language = normalise(language)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(locale_for(language))
    if language != "en":
        candidates = [
            (TRANSLATIONS_DIR, f"hopdesk_{language}"),
            (
                Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
                f"qtbase_{language}",
            ),
        ]
        for directory, name in candidates:
            translator = QTranslator(app)
            if translator.load(name, str(directory)):
                app.installTranslator(translator)
                _installed.append(translator)
            elif name.startswith("hopdesk"):
                log.warning("no %s.qm in %s: showing English", name, directory)
    if not _installed:
        # removeTranslator() already sent LanguageChange; make sure English also gets one.
        QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))
    _current = language
    return language


def current() -> str:
    """The language code in use."""
    return _current


def locale_for(language: str | None = None) -> QLocale:
    """QLocale for dates, times and numbers in `language` (default: the current one)."""
    if normalise(language or _current) == "vi":
        return QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def collator(language: str | None = None) -> QCollator:
    """A collator that sorts Vietnamese properly (đ after d, tones after the base letter)."""
    coll = QCollator(locale_for(language))
    coll.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    coll.setNumericMode(True)
    return coll
