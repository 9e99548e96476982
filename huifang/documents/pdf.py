"""PDF pages in Chinese with fpdf2 and a font on this machine (Debian fonts-wqy-microhei by
default, HUIFANG_PDF_FONT otherwise): titled sections of lines, nothing fetched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_FAMILY = "zh"


class DocumentError(RuntimeError):
    """A PDF that cannot be made (no usable font); the message names the font file."""


@dataclass(frozen=True)
class Section:
    """A heading and its lines; a line starting with "□" is a tick box line."""

    heading: str
    lines: Sequence[str] = field(default_factory=tuple)


def render_pdf(title: str, sections: Sequence[Section], *, font: Path = DEFAULT_FONT,
               footer: str = "") -> bytes:  # fmt: skip
    """A4 pages: the title, then each section's heading and lines, wrapped to the page."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    try:
        pdf.add_font(_FAMILY, fname=str(font), collection_font_number=0)
    except (OSError, RuntimeError) as err:
        raise DocumentError(f"{font}: cannot use this font for PDF: {err}") from err
    pdf.add_page()
    pdf.set_font(_FAMILY, size=16)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT", align="C")
    for section in sections:
        pdf.ln(3)
        if section.heading:
            pdf.set_font(_FAMILY, size=12)
            pdf.multi_cell(0, 8, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, size=10.5)
        for line in section.lines:
            pdf.multi_cell(0, 6.5, line or " ", new_x="LMARGIN", new_y="NEXT")
    if footer:
        pdf.ln(4)
        pdf.set_font(_FAMILY, size=9)
        pdf.multi_cell(0, 5, footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
