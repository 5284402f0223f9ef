"""Page layout shared by every sheet: A4 portrait, styles, tables, tick boxes, footers.

Sheets are printed in black and white, often on a tired office printer at night, so nothing here
relies on colour: headers are shaded light grey with a heavy rule under them, totals have a rule
above, alternate rows are a very light grey, and the text is black throughout.

A PDF file holds one or more *sheets* (a site sheet, a route, a notice). Each sheet starts on a
new page, and its pages are numbered within the sheet ("page 2 of 3"), so a combined file of all
site sheets prints as a stack of separate sheets. A sheet that runs over a page repeats its title
at the top of the next page, and long tables repeat their header row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from planner.messages import Lang, text

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 14 * mm
MARGIN_BOTTOM = 16 * mm
#: Width available to flowables.
BODY_W = PAGE_W - 2 * MARGIN_X
BODY_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

# Greys chosen to stay visible on a black-and-white laser printer yet keep black text readable.
HEADER_GREY = colors.Color(0.80, 0.80, 0.80)
LABEL_GREY = colors.Color(0.90, 0.90, 0.90)
STRIPE_GREY = colors.Color(0.95, 0.95, 0.95)
RULE_GREY = colors.Color(0.55, 0.55, 0.55)


@dataclass(frozen=True)
class Styles:
    """Paragraph styles for one font and one wrapping rule, built once and reused.

    Attributes
    ----------
    font
        reportlab name of the registered CJK font.
    size
        Body text size in points (table cells use it too).
    """

    font: str
    size: float
    kind: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    banner: ParagraphStyle
    big_title: ParagraphStyle
    big: ParagraphStyle
    big_box: ParagraphStyle


@lru_cache(maxsize=16)
def make_styles(font: str, cjk_wrap: bool = True) -> Styles:
    """The styles for ``font``; ``cjk_wrap`` breaks lines between any two characters.

    Chinese and Japanese have no spaces, so their lines must break anywhere (``CJK`` wrapping);
    English and Korean break at spaces.
    """
    wrap = "CJK" if cjk_wrap else None

    def style(name: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=leading, wordWrap=wrap, **kw
        )

    return Styles(
        font=font,
        size=9,
        kind=style("kind", 10, 13, textColor=colors.black),
        title=style("title", 18, 23, spaceAfter=2),
        heading=style("heading", 11.5, 15, spaceBefore=7, spaceAfter=2),
        body=style("body", 9, 12.5),
        cell=style("cell", 9, 11.5),
        small=style("small", 7.5, 10),
        banner=style(
            "banner",
            9.5,
            13,
            borderWidth=1.2,
            borderColor=colors.black,
            borderPadding=4,
            # Indents as wide as the padding keep the box inside the margins.
            leftIndent=4,
            rightIndent=4,
            spaceBefore=4,
            spaceAfter=8,
            alignment=TA_CENTER,
        ),
        big_title=style("big_title", 34, 42, alignment=TA_CENTER, spaceAfter=14),
        big=style("big", 20, 28, spaceBefore=4, spaceAfter=4),
        big_box=style(
            "big_box",
            26,
            34,
            borderWidth=1.8,
            borderColor=colors.black,
            borderPadding=(6, 8, 8, 8),
            leftIndent=8,
            rightIndent=8,
            spaceBefore=12,
            spaceAfter=16,
        ),
    )


def para(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (``&``, ``<`` and ``>`` escaped for reportlab's mini-markup)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>"), style)


class TickBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = 10.0) -> None:
        super().__init__()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Occupy the square only."""
        return self.size, self.size

    def draw(self) -> None:
        """Draw the square's outline."""
        self.canv.setLineWidth(0.9)
        self.canv.rect(0, 0, self.size, self.size)


def heading(value: str, styles: Styles) -> list[Flowable]:
    """A section heading with a rule under it (put a ``CondPageBreak`` before it)."""
    return [para(value, styles.heading), HRFlowable(width="100%", thickness=0.8, spaceAfter=3)]


def sheet_head(kind: str, title: str, styles: Styles, synthetic_note: str | None) -> list[Flowable]:
    """The top of a sheet: what it is (small), what it is for (large), synthetic-data banner."""
    out: list[Flowable] = [para(kind, styles.kind), para(title, styles.title)]
    if synthetic_note:
        out.append(para(synthetic_note, styles.banner))
    else:
        out.append(Spacer(1, 4))
    return out


def checklist(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    styles: Styles,
    *,
    align_right: Sequence[int] = (),
    padding: float = 2.5,
) -> Table:
    """A calling or visiting checklist: :func:`grid` with a totals row whose label spans the
    first two columns and tick boxes centred in the last column. The one column given width 0
    takes what the body width leaves."""
    sized = list(widths)
    fill = sized.index(0)
    sized[fill] = BODY_W - sum(sized)
    last = len(sized) - 1
    return grid(
        rows,
        sized,
        styles,
        total=True,
        padding=padding,
        align_right=align_right,
        extra=[("ALIGN", (last, 1), (last, -1), "CENTER"), ("SPAN", (0, -1), (1, -1))],
    )


def grid(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    styles: Styles,
    *,
    total: bool = False,
    align_right: Sequence[int] = (),
    size: float | None = None,
    padding: float = 2.5,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table whose first row is a header repeated on every page it runs over.

    Parameters
    ----------
    rows
        Header row first; cells are text or flowables (paragraphs, tick boxes).
    widths
        Column widths in points.
    total
        The last row is a totals row (rule above, shaded).
    align_right
        Columns of numbers, aligned right.
    size
        Font size of plain-text cells (default: the body size).
    padding
        Space above and below each cell's content.
    extra
        More table-style commands (spans, alignment).
    """
    font_size = size or styles.size
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), styles.font, font_size, font_size + 2.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
        ("INNERGRID", (0, 1), (-1, -1), 0.3, RULE_GREY),
        ("LINEAFTER", (0, 0), (-2, 0), 0.3, RULE_GREY),
    ]
    body_end = -2 if total else -1
    if len(rows) > 2:
        cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, body_end), [colors.white, STRIPE_GREY]))
    if total:
        cmds += [
            ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black),
            ("BACKGROUND", (0, -1), (-1, -1), LABEL_GREY),
        ]
    for col in align_right:
        cmds.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    if total:
        cmds.append(("ALIGN", (0, -1), (0, -1), "LEFT"))
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*cmds, *extra]))
    return table


def facts_table(pairs: Sequence[tuple[str, Any]], styles: Styles, label_w: float) -> Table:
    """A two-column table of labels (shaded) and values, for a sheet's key facts."""
    rows = [[para(label, styles.cell), value] for label, value in pairs]
    table = Table(rows, colWidths=[label_w, BODY_W - label_w], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), styles.font, styles.size),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), LABEL_GREY),
                ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, RULE_GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


# ------------------------------------------------------------------------------------------
# Documents


@dataclass(frozen=True)
class Sheet:
    """One printed sheet: its title (repeated on continuation pages) and how to lay it out.

    ``build`` makes fresh flowables on every call: platypus flowables keep layout state (tables
    split across pages are consumed), so a sheet written to its own file and to a combined file
    is built twice.
    """

    title: str
    build: Callable[[], list[Flowable]]


class _SheetStart(Flowable):
    """Invisible marker telling the canvas that a new sheet starts on this page."""

    def __init__(self, number: int, title: str) -> None:
        super().__init__()
        self.number = number
        self.title = title

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Take no room."""
        return 0.0, 0.0

    def draw(self) -> None:
        """Record the sheet on the canvas; the footer is drawn when the file is saved."""
        self.canv.sheet = (self.number, self.title)


class _SheetCanvas(Canvas):
    """A canvas that numbers pages within each sheet and draws footers when saving.

    "Page X of Y" needs Y, known only at the end: each page's drawing state is kept at
    ``showPage`` and the pages are emitted with their footers in :meth:`save`.
    """

    def __init__(
        self, *args: Any, footer: str, lang: Lang, footer_font: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sheet: tuple[int, str] = (0, "")
        self._footer = footer
        self._lang: Lang = lang
        self._footer_font = footer_font
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        """Keep the page to emit it with its footer later."""
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Emit every kept page with its footer, then write the file."""
        pages = self._pages
        counts = Counter(state["sheet"][0] for state in pages)
        seen: Counter[int] = Counter()
        for state in pages:
            self.__dict__.update(state)
            number, title = self.sheet
            seen[number] += 1
            self._decorate(seen[number], counts[number], title)
            Canvas.showPage(self)
        Canvas.save(self)

    def _decorate(self, page: int, pages: int, title: str) -> None:
        self.saveState()
        self.setFont(self._footer_font, 7.5)
        self.setLineWidth(0.5)
        y = MARGIN_BOTTOM - 6 * mm
        self.line(MARGIN_X, y + 9, PAGE_W - MARGIN_X, y + 9)
        self.drawString(MARGIN_X, y, self._footer)
        self.setFont(self._footer_font, 9)
        label = text("sheet_page", self._lang, page=page, pages=pages)
        self.drawRightString(PAGE_W - MARGIN_X, y, label)
        if page > 1 and title:
            # A continuation page says which sheet it continues, in case pages get separated.
            self.setFont(self._footer_font, 9)
            top = PAGE_H - MARGIN_TOP + 4 * mm
            self.drawString(MARGIN_X, top, text("sheet_continued", self._lang, title=title))
            self.drawRightString(PAGE_W - MARGIN_X, top, label)
        self.restoreState()


def write_pdf(
    target: Path,
    sheets: Sequence[Sheet],
    *,
    font: str,
    footer: str,
    lang: Lang,
    title: str,
) -> int:
    """Write ``sheets`` to the PDF ``target`` (A4 portrait), each sheet from a new page.

    Returns
    -------
    int
        Number of pages written.
    """
    doc = BaseDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author="planner",
        creator="planner print",
        # The canvas starts in the CJK font, so no unembedded standard font is ever named.
        initialFontName=font,
        lang="zh-CN" if lang == "zh" else "en",
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        BODY_W,
        BODY_H,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame])])
    story: list[Flowable] = []
    for number, sheet in enumerate(sheets):
        if number:
            story.append(PageBreak())
        story.append(_SheetStart(number, sheet.title))
        story.extend(sheet.build())
    maker = partial(_SheetCanvas, footer=footer, lang=lang, footer_font=font)
    doc.build(story, canvasmaker=maker)
    return int(doc.page)
