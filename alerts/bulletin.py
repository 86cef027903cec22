"""The weekly and monthly bulletins (and the daily digest) as DOCX, laid out as an official
document (GB/T 9704-2012, 党政机关公文格式): python-docx, from the same
:class:`~alerts.digest.Digest` as the email.

``bulletin_docx(digest, language, desk_copy=False) -> bytes``:

- A4 (210 x 297 mm) with the standard margins (top 37, bottom 35, left 28, right 26 mm: a
  156 x 225 mm text area);
- the masthead: the issuing office (发文机关标志, red), the document number
  (``原材预警周〔2026〕48号``), a red rule and the title; the period, the data date and the
  issue date, each labelled;
- the body in FangSong (仿宋) with headings numbered 一、 （一） 1.: the overview (the warnings
  in force, as reviewed, and the board), the changes of the period, one section per warning
  in force (what it means, the reasons, suggested actions, a chart with its title, unit and
  level lines), the indicators' own levels only in the desk's copy and labelled unreviewed,
  the notes and a note on sources and method;
- the signing office and the date written out (2026年12月7日), then the contact line;
- a header with the office and the number, and a footer with the page number as ``— 1 —``
  (a PAGE field).

English documents keep the layout with Latin fonts and 1. / 1.1 / (a) headings. The
document's created/modified times are the digest's ``generated_at``.
"""

from __future__ import annotations

import io
from datetime import UTC
from typing import Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from alerts.digest import (
    ActiveWarning,
    Digest,
    change_text,
    chart_note,
    chart_title,
    counts_text,
    dates_text,
    digest_title,
    digest_words,
    long_date,
    sector_lines,
    since_text,
)
from alerts.labels import LABELS, LEVEL_COLOURS, Labels, format_date, format_value
from alerts.model import Language
from vocabulary import level_rank

# GB/T 9704-2012: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm
PAGE_MM: Final = (210, 297)
MARGINS_MM: Final = {"top": 37, "bottom": 35, "left": 28, "right": 26}
RED: Final = RGBColor(0xC0, 0x00, 0x00)
BLACK: Final = RGBColor(0, 0, 0)

# (Latin, East Asian) font per role; East Asian names as Word and LibreOffice know them
_FONTS: Final = {
    Language.ZH: {
        "body": ("Times New Roman", "FangSong"),
        "heading1": ("Times New Roman", "SimHei"),
        "heading2": ("Times New Roman", "KaiTi"),
        "heading3": ("Times New Roman", "FangSong"),
        "masthead": ("Times New Roman", "SimSun"),
        "title": ("Times New Roman", "SimSun"),
    },
    Language.EN: {
        role: ("Times New Roman", "Times New Roman")
        for role in ("body", "heading1", "heading2", "heading3", "masthead", "title")
    },
}
_SIZES: Final[dict[Language, dict[str, float]]] = {  # 三号 16, 二号 22, 四号 14, 五号 10.5
    Language.ZH: {"body": 16, "masthead": 36, "title": 22, "small": 14, "table": 10.5},
    Language.EN: {"body": 12, "masthead": 24, "title": 18, "small": 10, "table": 9},
}
# the board's columns: material, level, direction, since, latest, data as of (15.6 of 15.6 cm)
_COLUMNS_CM: Final = (2.6, 3.0, 3.0, 2.3, 2.5, 2.2)
_CHINESE_NUMERALS: Final = "一二三四五六七八九十"


def heading_number(level: int, index: int, language: Language) -> str:
    """The number of the ``index``-th (from 1) heading or item of ``level`` (1 to 4):
    一、 （一） 1. (1) in Chinese (GB/T 9704), 1. (1) (a) a) in English."""
    if language is Language.ZH:
        numeral = _chinese_numeral(index)
        return (f"{numeral}、", f"（{numeral}）", f"{index}.", f"({index})")[level - 1]
    letter = chr(ord("a") + (index - 1) % 26)
    return (f"{index}.", f"({index})", f"({letter})", f"{letter})")[level - 1]


def _chinese_numeral(n: int) -> str:
    if 1 <= n <= 10:
        return _CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + _CHINESE_NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return _CHINESE_NUMERALS[tens - 1] + "十" + (_CHINESE_NUMERALS[ones - 1] if ones else "")


def bulletin_docx(digest: Digest, language: Language, *, desk_copy: bool = False) -> bytes:
    """The DOCX bytes of ``digest`` in ``language``; ``desk_copy`` adds the indicators' own
    (unreviewed) levels."""
    document = Document()
    _page(document, digest, language)
    _styles(document, language)
    _properties(document, digest, language)
    writer = _Writer(document, digest, language)
    writer.masthead()
    writer.overview()
    writer.changes()
    writer.warnings()
    if desk_copy and digest.indicator_levels:
        writer.indicator_levels()
    writer.notes()
    writer.signature()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page(document: DocxDocument, digest: Digest, language: Language) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    office = digest.issuer.name(language) if digest.issuer else digest_title(digest, language)
    header_text = "  ".join(part for part in (office, digest.document_number) if part)
    _sized(header.add_run(header_text), _SIZES[language]["small"] - 2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _sized(footer.add_run("— "), _SIZES[language]["small"])
    _page_field(footer, _SIZES[language]["small"])
    _sized(footer.add_run(" —"), _SIZES[language]["small"])


def _page_field(paragraph: Paragraph, size: float) -> None:
    """A PAGE field: Word and LibreOffice put the page's number in its place."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = _sized(paragraph.add_run(), size)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text or ""
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    _sized(paragraph.add_run(), size)._r.append(end)


def _sized(run: Run, size: float) -> Run:
    run.font.size = Pt(size)
    return run


def _set_font(style_or_run_element: object, latin: str, east_asian: str) -> None:
    r_pr = style_or_run_element.get_or_add_rPr()  # type: ignore[attr-defined]
    r_fonts = r_pr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        r_fonts.set(qn(attribute), latin)
    r_fonts.set(qn("w:eastAsia"), east_asian)


def _styles(document: DocxDocument, language: Language) -> None:
    fonts, sizes = _FONTS[language], _SIZES[language]
    roles = {
        "Normal": "body",
        "Title": "title",
        "Heading 1": "heading1",
        "Heading 2": "heading2",
        "Heading 3": "heading3",
        "List Bullet": "body",
    }
    for name, role in roles.items():
        style = document.styles[name]
        latin, east_asian = fonts[role]
        style.font.name = latin
        _set_font(style.element, latin, east_asian)
        style.font.size = Pt(sizes["title"] if role == "title" else sizes["body"])
        style.font.color.rgb = BLACK
        style.font.italic = False
        if name.startswith("Heading"):
            style.font.bold = name != "Heading 2"
            style.paragraph_format.space_before = Pt(6)
            style.paragraph_format.space_after = Pt(3)
    body = document.styles["Normal"].paragraph_format
    body.space_after = Pt(0)
    body.line_spacing = Pt(28 if language is Language.ZH else 18)  # 28 pt: 22 lines a page


def _properties(document: DocxDocument, digest: Digest, language: Language) -> None:
    properties = document.core_properties
    properties.title = digest_title(digest, language)
    # python-docx writes the clock time as if it were UTC: give it UTC
    properties.created = digest.generated_at.astimezone(UTC)
    properties.modified = digest.generated_at.astimezone(UTC)
    properties.author = digest.issuer.name(language) if digest.issuer else "raw-material-warning"
    properties.language = "zh-CN" if language is Language.ZH else "en"
    properties.identifier = digest.document_number


def _colour(level: str) -> RGBColor:
    return RGBColor.from_string(LEVEL_COLOURS[level].lstrip("#").upper())


class _Writer:
    """Writes the parts of the bulletin in order, numbering the headings."""

    def __init__(self, document: DocxDocument, digest: Digest, language: Language) -> None:
        self.document, self.digest, self.language = document, digest, language
        self.labels: Labels = LABELS[language]
        self.words = digest_words(language)
        self.sections = 0
        self.figures = 0

    # -- helpers

    def heading(self, text: str, level: int, index: int) -> Paragraph:
        number = heading_number(level, index, self.language)
        space = "" if self.language is Language.ZH and level < 3 else " "
        return self.document.add_heading(f"{number}{space}{text}", level=level)

    def section(self, text: str) -> None:
        self.sections += 1
        self.heading(text, 1, self.sections)

    def paragraph(self, text: str = "", *, indent: bool = True) -> Paragraph:
        paragraph = self.document.add_paragraph(text)
        if indent and self.language is Language.ZH:
            paragraph.paragraph_format.first_line_indent = Pt(2 * _SIZES[self.language]["body"])
        return paragraph

    def items(self, lines: tuple[str, ...], *, numbered: bool = True) -> None:
        """Indented paragraphs, numbered (1) (2) ... when there are several."""
        several = numbered and len(lines) > 1
        for index, line in enumerate(lines, start=1):
            number = f"{heading_number(4, index, self.language)} " if several else ""
            paragraph = self.paragraph(f"{number}{line}")
            if self.language is Language.EN:
                paragraph.paragraph_format.left_indent = Pt(18)

    def labelled(self, label: str, text: str) -> Paragraph:
        paragraph = self.paragraph()
        paragraph.add_run(f"{label}{self.labels.colon}").bold = True
        paragraph.add_run(text)
        return paragraph

    # -- parts

    def masthead(self) -> None:
        digest, language = self.digest, self.language
        sizes, fonts = _SIZES[language], _FONTS[language]
        if digest.issuer is not None:
            office = self.document.add_paragraph()
            office.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = _sized(office.add_run(digest.issuer.name(language)), sizes["masthead"])
            run.bold, run.font.color.rgb = True, RED
            _set_font(run._r, *fonts["masthead"])
            office.paragraph_format.space_after = Pt(12)
            office.paragraph_format.line_spacing = 1.0  # not the body's exact spacing
        if digest.document_number:
            number = self.document.add_paragraph()
            number.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if language is Language.EN:
                number.add_run(f"{self.words['doc_number']} ")
            number.add_run(digest.document_number)
        _red_rule(self.document.add_paragraph())
        title = self.document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.line_spacing = 1.2
        title.paragraph_format.space_after = Pt(6)
        run = _sized(title.add_run(digest_title(digest, language)), sizes["title"])
        _set_font(run._r, *fonts["title"])
        run.bold = True
        dates = self.paragraph(dates_text(digest, language), indent=False)
        dates.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def overview(self) -> None:
        words = self.words
        self.section(words["overview"])
        self.labelled(words["in_force_counts"], counts_text(self.digest, self.labels))
        sectors = sector_lines(self.digest, self.language)
        if sectors:
            self.labelled(words["by_sector"], "")
            self.items(sectors, numbered=False)
        headers = (
            words["material"],
            words["board_level"],
            words["direction"],
            words["since_column"],
            words["latest"],
            words["data_as_of"],
        )
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        small = _SIZES[self.language]["table"]
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            run = _sized(_cell_paragraph(cell).add_run(text), small)
            run.bold = True
        board = sorted(self.digest.board, key=lambda r: (-level_rank(r.level), r.material_id))
        for row in board:
            cells = table.add_row().cells
            level_text = self.labels.level[row.level]
            if row.previous_level and row.previous_level != row.level:
                level_text += f" ({words['was']} {self.labels.level[row.previous_level]})"
            texts = (
                row.name(self.language),
                level_text,
                self.labels.direction[row.direction],
                format_date(row.since),
                f"{format_value(row.latest_value)} {row.latest_unit}".strip()
                if row.latest_value is not None
                else format_value(None),
                format_date(row.latest_date),
            )
            for index, (cell, text) in enumerate(zip(cells, texts, strict=True)):
                run = _sized(_cell_paragraph(cell).add_run(text), small)
                if index == 1:
                    run.bold, run.font.color.rgb = True, _colour(row.level)
        for column, width in zip(table.columns, _COLUMNS_CM, strict=True):
            for cell in column.cells:
                cell.width = Cm(width)

    def changes(self) -> None:
        words, labels = self.words, self.labels
        self.section(words["period_changes"])
        if not self.digest.changes:
            self.paragraph(words["no_changes"])
        for index, change in enumerate(
            sorted(self.digest.changes, key=lambda c: (c.on, c.material_id)), start=1
        ):
            number = heading_number(3, index, self.language)
            self.paragraph(
                f"{number} {format_date(change.on)} {change.name(self.language)}{labels.colon}"
                f"{change_text(change, self.language)}"
            )

    def warnings(self) -> None:
        self.section(self.words["materials"])
        if not self.digest.active:
            self.paragraph(self.words["no_active"])
        ordered = sorted(self.digest.active, key=lambda w: (-level_rank(w.level), w.material_id))
        for index, warning in enumerate(ordered, start=1):
            self.warning(warning, index)

    def warning(self, warning: ActiveWarning, index: int) -> None:
        words, labels, language = self.words, self.labels, self.language
        level_words = f"{labels.level[warning.level]}{labels.warning}"
        if language is Language.EN:
            level_words = f"{labels.level[warning.level]} {labels.warning}"
        heading = self.heading(f"{warning.name(language)} ", 2, index)
        level_run = heading.add_run(level_words)
        level_run.font.color.rgb = _colour(warning.level)
        separator = "；" if language is Language.ZH else "; "
        self.paragraph(
            f"{labels.direction_word}{labels.colon}{labels.direction[warning.direction]}"
            f"{separator}{since_text(warning.since, language)}"
        )
        items: list[tuple[str, tuple[str, ...]]] = []
        if warning.meaning(language):
            items.append((words["meaning"], (warning.meaning(language),)))
        if warning.reasons(language):
            items.append((words["reasons"], warning.reasons(language)))
        if warning.actions(language):
            items.append((words["actions"], warning.actions(language)))
        for number, (label, lines) in enumerate(items, start=1):
            self.paragraph(f"{heading_number(3, number, language)} {label}")
            self.items(lines)
        if warning.chart is not None:
            self.figure(warning)
        self.paragraph(warning.link)

    def figure(self, warning: ActiveWarning) -> None:
        assert warning.chart is not None
        self.figures += 1
        picture = self.document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.line_spacing = 1.0  # not the body's exact 28 pt: it clips
        picture.add_run().add_picture(io.BytesIO(warning.chart.png), width=Cm(15))
        title = chart_title(warning, self.language) or warning.chart.alt
        caption = self.document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        text = f"{self.words['figure'].format(n=self.figures)} {title}"
        _sized(caption.add_run(text), _SIZES[self.language]["small"]).bold = True
        note = chart_note(warning, self.language)
        if note:
            lines = self.document.add_paragraph()
            lines.paragraph_format.line_spacing = 1.0
            _sized(lines.add_run(note), _SIZES[self.language]["small"])

    def indicator_levels(self) -> None:
        words, labels = self.words, self.labels
        self.section(words["indicator_levels"])
        self.paragraph(words["indicator_note"])
        rows = sorted(
            self.digest.indicator_levels, key=lambda r: (-level_rank(r.level), r.material_id)
        )
        self.items(
            tuple(
                f"{row.name(self.language)}{labels.colon}{labels.level[row.level]}, "
                f"{labels.direction[row.direction]} ({words['as_of']} {format_date(row.as_of)})"
                for row in rows
            ),
            numbered=False,
        )

    def notes(self) -> None:
        words = self.words
        self.section(words["sources"])
        self.items(self.digest.notes(self.language))
        self.paragraph(words["sources_text"])
        self.labelled(words["open_board"], self.digest.link)

    def signature(self) -> None:
        digest, language = self.digest, self.language
        self.document.add_paragraph()
        if digest.issuer is not None:
            office = self.document.add_paragraph(digest.issuer.name(language))
            office.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        day = self.document.add_paragraph(long_date(digest.issued_on, language))
        day.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if digest.issuer is not None and digest.issuer.contact:
            self.document.add_paragraph()
            self.labelled(self.words["contact"], digest.issuer.contact)


def _cell_paragraph(cell: _Cell) -> Paragraph:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.first_line_indent = Pt(0)
    return paragraph


def _red_rule(paragraph: Paragraph) -> None:
    """The red line under the masthead (版头分隔线): a bottom border on an empty paragraph."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    attributes = (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "C00000"))
    for key, value in attributes:
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)
