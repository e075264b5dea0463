"""Icons, translations, style sheets and fonts shipped with HopDesk."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
TRANSLATIONS = ROOT / "translations"
ICONS = ROOT / "icons"
