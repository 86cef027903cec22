"""The weekly and monthly bulletins (and the daily digest) as DOCX, the format the ministry's
desk circulates: python-docx, from the same :class:`~alerts.digest.Digest` as the email.

``bulletin_docx(digest, language) -> bytes``: a title, the period and the summary counts, the
board as a table, the changes, each active warning with its reasons and chart, and the notes.
Chinese documents use 宋体 / 黑体 for East Asian text so they open the same on the desk's
machines. The document's created/modified times are the digest's ``generated_at``.
"""

from __future__ import annotations

import io
from datetime import UTC
from typing import Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from alerts.digest import Digest, counts_text, digest_title, digest_words, period_text
from alerts.labels import LABELS, LEVEL_COLOURS, Labels, format_date, format_value
from alerts.model import Language
from vocabulary import level_rank

_FONTS: Final = {
    Language.ZH: {"Normal": ("Times New Roman", "宋体"), "heading": ("Arial", "黑体")},
    Language.EN: {"Normal": ("Calibri", "Calibri"), "heading": ("Calibri", "Calibri")},
}
_HEADING_STYLES: Final = ("Title", "Heading 1", "Heading 2")


def bulletin_docx(digest: Digest, language: Language) -> bytes:
    """The DOCX bytes of ``digest`` in ``language``."""
    document = Document()
    _set_fonts(document, language)
    properties = document.core_properties
    properties.title = digest_title(digest, language)
    # python-docx writes the clock time as if it were UTC: give it UTC
    properties.created = digest.generated_at.astimezone(UTC)
    properties.modified = digest.generated_at.astimezone(UTC)
    properties.author = "raw-material-warning"
    properties.language = "zh-CN" if language is Language.ZH else "en"
    labels = LABELS[language]
    words = digest_words(language)
    document.add_heading(digest_title(digest, language), level=0)
    colon = labels.colon
    document.add_paragraph(f"{words['period']}{colon}{period_text(digest, language)}")
    document.add_paragraph(f"{words['summary']}{colon}{counts_text(digest, labels)}")
    _board(document, digest, labels, language, words)
    _changes(document, digest, labels, language, words)
    _active(document, digest, labels, language, words)
    if digest.notes(language):
        document.add_heading(words["notes"], level=1)
        for note in digest.notes(language):
            document.add_paragraph(note, style="List Bullet")
    document.add_paragraph(f"{words['open_board']}{colon}{digest.link}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_fonts(document: DocxDocument, language: Language) -> None:
    fonts = _FONTS[language]
    for name in ("Normal", *_HEADING_STYLES):
        latin, east_asian = fonts["Normal" if name == "Normal" else "heading"]
        style = document.styles[name]
        style.font.name = latin
        r_fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        r_fonts.set(qn("w:eastAsia"), east_asian)
    document.styles["Normal"].font.size = Pt(11)


def _colour(level: str) -> RGBColor:
    return RGBColor.from_string(LEVEL_COLOURS[level].lstrip("#").upper())


def _board(
    document: DocxDocument,
    digest: Digest,
    labels: Labels,
    language: Language,
    words: dict[str, str],
) -> None:
    document.add_heading(words["board"], level=1)
    headers = (
        words["material"],
        words["level"],
        words["direction"],
        words["latest"],
        words["date"],
    )
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in sorted(digest.board, key=lambda r: (-level_rank(r.level), r.material_id)):
        cells = table.add_row().cells
        cells[0].text = row.name(language)
        level_text = labels.level[row.level]
        if row.previous_level and row.previous_level != row.level:
            level_text += f" ({words['was']} {labels.level[row.previous_level]})"
        run = cells[1].paragraphs[0].add_run(level_text)
        run.bold = True
        run.font.color.rgb = _colour(row.level)
        cells[2].text = labels.direction[row.direction]
        cells[3].text = f"{format_value(row.latest_value)} {row.latest_unit}".strip()
        cells[4].text = format_date(row.latest_date)


def _changes(
    document: DocxDocument,
    digest: Digest,
    labels: Labels,
    language: Language,
    words: dict[str, str],
) -> None:
    document.add_heading(words["changes"], level=1)
    if not digest.changes:
        document.add_paragraph(words["no_changes"])
    for change in sorted(digest.changes, key=lambda c: (c.on, c.material_id)):
        was = (
            f" ({words['was']} {labels.level[change.previous_level]})"
            if change.previous_level
            else ""
        )
        text = (
            f"{format_date(change.on)} {change.name(language)}{labels.colon}"
            f"{labels.change[change.change]}, {labels.level[change.level]}{was}"
        )
        document.add_paragraph(text, style="List Bullet")


def _active(
    document: DocxDocument,
    digest: Digest,
    labels: Labels,
    language: Language,
    words: dict[str, str],
) -> None:
    document.add_heading(words["active"], level=1)
    if not digest.active:
        document.add_paragraph(words["no_active"])
    for warning in sorted(digest.active, key=lambda w: -level_rank(w.level)):
        heading = document.add_heading(level=2)
        heading.add_run(f"{warning.name(language)} ")
        level = heading.add_run(f"{labels.level[warning.level]} {labels.warning}".strip())
        level.font.color.rgb = _colour(warning.level)
        separator = "；" if language is Language.ZH else "; "
        document.add_paragraph(
            f"{labels.direction_word}{labels.colon}{labels.direction[warning.direction]}"
            f"{separator}{labels.since}{labels.colon}{format_date(warning.since)}"
        )
        for reason in warning.reasons(language):
            document.add_paragraph(reason, style="List Bullet")
        if warning.chart is not None:
            document.add_picture(io.BytesIO(warning.chart.png), width=Cm(14))
        document.add_paragraph(warning.link)
