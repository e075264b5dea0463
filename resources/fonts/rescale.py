"""Make the stamp fonts from Liberation Serif 2 (Debian fonts-liberation2, SIL OFL 1.1).

pyHanko 0.38 spaces glyphs about twice too far with fonts of 2048 units per em, so the font is
rescaled to 1000 units per em with fontTools. A modified font may not keep the Reserved Font
Names (Liberation, Tinos), so the result is named "HopDesk Serif". Metric-compatible with Times
New Roman, which Decree 30/2020 Phụ lục I asks for. Run: python resources/fonts/rescale.py
"""

from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

SOURCE = Path("/usr/share/fonts/truetype/liberation2")
HERE = Path(__file__).resolve().parent


def main() -> None:
    for style in ("Regular", "Italic"):
        font = TTFont(SOURCE / f"LiberationSerif-{style}.ttf")
        scale_upem(font, 1000)
        names = {
            1: "HopDesk Serif",
            2: style,
            4: f"HopDesk Serif {style}",
            6: f"HopDeskSerif-{style}",
            3: f"HopDesk Serif {style} (Liberation Serif 2)",
        }
        for record in list(font["name"].names):
            if record.nameID in (16, 17, 21, 22):
                font["name"].removeNames(nameID=record.nameID)
        for name_id, value in names.items():
            font["name"].setName(value, name_id, 3, 1, 0x409)
            font["name"].setName(value, name_id, 1, 0, 0)
        font.save(HERE / f"HopDeskSerif-{style}.ttf")


if __name__ == "__main__":
    main()
