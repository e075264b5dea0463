"""How the signatures look, as Decree 30/2020/NĐ-CP Phụ lục I prescribes.

- II.7.d: the leader's signature is the image of the handwritten signature (blue, transparent
  PNG), centred between the position line and the name line, with no text.
- II.8.a: the agency's signature is the seal image (red, transparent PNG) at its real size,
  covering about a third of the leader's signature on its left.
- II.8.b / III.1.d: attachments in a separate file get the agency's signature at the top right
  of page 1, no image, the text "số và ký hiệu văn bản; thời gian ký" (ISO 8601 with the time
  zone), Times New Roman 10 pt, black.
- I.4 and II.3–4: the "Số:" line 13 pt upright, numbers below 10 with a leading 0; the
  place-and-date line 13 pt italic, days below 10 and months 1–2 with a leading 0.

pyHanko's defaults (a 3 pt border, 60 % opacity, 5 pt margins, non-embedded Courier) are all
replaced here. The texts are Vietnamese whatever the UI language: they go into a signed file.
The font is Liberation Serif (metric-compatible with Times New Roman) rescaled to 1000 units per
em, because pyHanko 0.38 spaces glyphs of 2048-unit fonts about twice too far.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import StaticStampStyle, TextStampStyle

from resources import ROOT as RESOURCES

FONTS = RESOURCES / "fonts"
REGULAR_FONT = FONTS / "HopDeskSerif-Regular.ttf"
ITALIC_FONT = FONTS / "HopDeskSerif-Italic.ttf"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MM = 72 / 25.4  # points per millimetre
DEFAULT_SEAL_MM = 36.0  # a common diameter of an agency seal (Nghị định 99/2016: 35–42 mm)
DEFAULT_DPI = 300.0


@dataclass(frozen=True, slots=True)
class StampImage:
    """A transparent PNG and the size it is drawn at, in points."""

    png: bytes
    width: float
    height: float

    @classmethod
    def from_png(cls, png: bytes, *, default_dpi: float = DEFAULT_DPI) -> StampImage:
        """The image at its real size: its pixels over the resolution it declares (a seal is
        drawn at true size, II.8.a)."""
        with Image.open(io.BytesIO(png)) as image:
            dpi = image.info.get("dpi", (default_dpi, default_dpi))
            dpi_x = float(dpi[0]) or default_dpi
            dpi_y = float(dpi[1]) or default_dpi
            return cls(png, image.width * 72 / dpi_x, image.height * 72 / dpi_y)

    def pdf_image(self) -> PdfImage:
        image = Image.open(io.BytesIO(self.png))
        image.load()
        return PdfImage(image)


def _image_style(image: StampImage, scaling: layout.InnerScaling) -> StaticStampStyle:
    return StaticStampStyle(
        background=image.pdf_image(),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=scaling,
        ),
    )


def signature_style(image: StampImage) -> StaticStampStyle:
    """The leader's stamp: only the signature image, centred, shrunk to fit its box (II.7.d)."""
    return _image_style(image, layout.InnerScaling.SHRINK_TO_FIT)


def seal_style(image: StampImage) -> StaticStampStyle:
    """The agency's stamp: only the seal, filling a box made at its true size (II.8.a)."""
    return _image_style(image, layout.InnerScaling.STRETCH_TO_FIT)


def text_style(*, italic: bool = False, size: int = 13) -> TextBoxStyle:
    """An embedded Times-compatible font, black, no border, no scaling."""
    font = ITALIC_FONT if italic else REGULAR_FONT
    return TextBoxStyle(
        font=GlyphAccumulatorFactory(str(font), font_size=size),
        font_size=size,
        border_width=0,
        text_color=(0, 0, 0),
    )


def attachment_style() -> TextStampStyle:
    """The agency's stamp on an attachment: 10 pt black text, no image, no border (II.8.b)."""
    return TextStampStyle(
        stamp_text="%(text)s",
        text_box_style=text_style(size=10),
        border_width=0,
        background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )


def number_line(number: int, symbol: str) -> str:
    """'Số: 05/QĐ-UBND': the number with a leading 0 below 10, then the symbol."""
    return f"Số: {number:02d}/{symbol}"


def date_line(place: str, day: dt.date) -> str:
    """'Hà Nội, ngày 05 tháng 01 năm 2026': days below 10 and months 1–2 with a leading 0."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def signing_time_text(at: dt.datetime) -> str:
    """The signing time in ISO 8601 with Vietnam's offset, to the second
    (2026-01-05T09:30:00+07:00)."""
    if at.tzinfo is None:
        raise ValueError("the signing time must carry its time zone")
    return at.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def attachment_text(reference: str, at: dt.datetime) -> str:
    """'số và ký hiệu văn bản; thời gian ký' for the agency's stamp on an attachment."""
    return f"{reference}; {signing_time_text(at)}"
