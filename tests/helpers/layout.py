"""The layout check: what a typesetter looks for first, read from the real PDF (issue 16).

`layout_violations(pdf, margins)` reads the PDF once with `pdftotext -bbox-layout` (every word's
box) and once with pypdf (page and trim boxes, the outline), and returns every violation of:

- ``outside``: a word outside the page's text block (the @page margins of the stylesheet), or a
  running head or footer (a word in the top or bottom margin) outside the text block's width or
  closer than `EDGE_MM` to the paper's edge;
- ``overlap``: two words drawn over each other (a continued grid cell drawn over the running
  head, a label over a bar's text): more than a third of the smaller word's box is also the
  other's;
- ``ink-outside``: the same for everything drawn, read from the page rendered as an image: a
  table's rule, a chart, a QR code or an image past the text block's sides, or ink closer than
  `EDGE_MM` to the paper's edge (crop marks outside the trim are not the page's);
- ``near-empty``: a page other than the cover with fewer than `MIN_LINES` printed lines of body;
- ``heading-last``: a heading (an outline entry) with nothing of the body after it on its page,
  or a page whose last lines are a heading that no outline entry names (an article's own
  headings in the ``--full-text`` reprint are paragraphs, kept out of the bookmarks: the caller
  names them, ``unlisted_headings``, read from the document's HTML by ``html_headings``);
- ``lone-character``: a printed line of a paragraph, title, table cell or chart label that is a
  single Han character alone (with or without closing punctuation), the widow a Chinese
  typesetter avoids;
- ``past-cell``: a word of a ruled table drawn past its cell's side (a "OCEBM 4 级" that does not
  fit its column runs over the table's edge or into the next cell), read from the table's rules
  as the PDF draws them (`_table_rules`) and pdftotext's lines (`_past_cells`).

A test helper, not product code: every test that produces a PDF calls it, so a new template is
checked for free. Reading the PDF (not WeasyPrint's boxes) checks what a reader gets.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import unescape
from itertools import pairwise
from pathlib import Path

from helpers.pdf import poppler

ROOT = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
XHTML = "{http://www.w3.org/1999/xhtml}"
# Glyph boxes (the font's ascent and descent) stand up to ~0.5 pt outside a tight line box.
TOLERANCE = 1.5  # pt
EDGE_MM = 5  # running heads and footers keep at least this far from the paper's edge
MIN_LINES = 4  # a page with 3 lines or fewer (a version line, a 3-line disclaimer) is near-empty
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
CLOSING = "。，、；：？！）」』”’》〉】…—"
LONE = re.compile(f"^{HAN}[{CLOSING}]*$")


@dataclass(frozen=True)
class Margins:
    """A page box's margins in mm (top, right, bottom, left), as CSS gives them."""

    top: float
    right: float
    bottom: float
    left: float


@dataclass(frozen=True)
class Violation:
    rule: str  # outside | overlap | ink-outside | near-empty | heading-last | lone-character | past-cell
    page: int
    text: str

    def __str__(self) -> str:
        return f"p{self.page} {self.rule}: {self.text}"


def css_margins(stylesheet: str | Path, page: str = "") -> Margins:
    """The margins of `@page` (or `@page name`) in a stylesheet, so the check follows the CSS."""
    css = Path(ROOT / stylesheet).read_text(encoding="utf-8")
    block = re.search(r"@page" + (r"\s+" + re.escape(page) if page else "") + r"\s*\{([^}]*)", css)
    assert block, f"no @page {page} in {stylesheet}"
    found = re.search(r"(?<![-\w])margin:\s*([^;]+);", block.group(1))
    assert found, f"no margin in @page {page} of {stylesheet}"
    values = [float(v.removesuffix("mm")) for v in found.group(1).split()]
    top, right, bottom, left = {1: values * 4, 2: values * 2, 3: [*values, values[1]], 4: values}[len(values)]
    return Margins(top, right, bottom, left)


def briefing_margins() -> dict[int | None, Margins]:
    """The briefing's pages (and the weekly's, which uses the same stylesheet); page 1 is its cover."""
    return {None: css_margins("styles/briefing.css"), 1: css_margins("styles/briefing.css", "cover")}


def weekly_margins() -> dict[int | None, Margins]:
    return {None: css_margins("styles/briefing.css")}


def handout_margins(paper: str) -> dict[int | None, Margins]:
    """As templates/handout.html sets them from reports.documents.handout.PAPERS: 4 mm more at the foot."""
    from reports.documents.handout import PAPERS

    m = PAPERS[paper].margin
    return {None: Margins(m, m, m + 4, m)}


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, list[tuple[float, float, float, float, str]]]]]:
    """Per page, per pdftotext block: its lines, each (xMin, yMin, xMax, yMax, words)."""
    root = ET.fromstring(poppler("pdftotext", "-bbox-layout", pdf=pdf))
    pages = []
    for page in root.iter(XHTML + "page"):
        blocks = []
        for block in page.iter(XHTML + "block"):
            lines = []
            for line in block.iter(XHTML + "line"):
                words = [(*(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), w.text or "")
                         for w in line.iter(XHTML + "word")]
                if words:
                    lines.append((*(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), words))
            blocks.append(lines)
        pages.append(blocks)
    return pages


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\u00a0\u2060]+", "", text)


def _lone_characters(number: int, lines: list) -> list[Violation]:
    """Lines that are one Han character alone, under a line of the same paragraph, cell or label.

    Poppler makes a block of a paragraph's last line and may split a line where glyphs overlap,
    so lines are joined again by position: pieces on one
    baseline that touch are one line, and a line continues the one just above it (a gap under
    0.4 of its height, or an overlap under half of it as in the charts' labels, in the same column). A cell or label that is one character is no widow.
    """
    joined: list[list] = []
    for x0, y0, x1, y1, words in sorted(lines, key=lambda line: (round(line[1]), line[0])):
        text = _squeeze("".join(w[4] for w in words))
        last = joined[-1] if joined else None
        if last and abs(y0 - last[1]) < 1.5 and -12 < x0 - last[2] < 4:
            last[2], last[4] = x1, last[4] + text
        else:
            joined.append([x0, y0, x1, y1, text])
    found = []
    for x0, y0, x1, y1, text in joined:
        if not LONE.match(text):
            continue
        height = y1 - y0
        above = [line for line in joined
                 if -0.5 * height <= y0 - line[3] < 0.4 * height and line[1] < y0 - 0.5 * height and abs((line[3] - line[1]) - height) < 0.15 * height
                 and line[0] - 2.5 * height <= x0 + TOLERANCE and x0 <= line[2]]
        if above:
            found.append(Violation("lone-character", number, f"{above[-1][4][-12:]} / {text}"))
    return found


OVERLAP = 1 / 3  # of the smaller box: words that merely touch (kerning, a tight line) share far less


def _overlaps(number: int, words: list[tuple[float, float, float, float, str]]) -> list[Violation]:
    """Words whose boxes overlap by more than OVERLAP of the smaller one's area.

    Only pairs whose boxes share some height can overlap: with the words sorted by their top, a
    word is compared with those whose top lies above its bottom (a line's neighbours), not with
    the whole page (which cost a square of the page's words)."""
    import numpy

    if len(words) < 2:
        return []
    boxes = numpy.array([w[:4] for w in words])
    order = numpy.argsort(boxes[:, 1], kind="stable")
    x0, y0, x1, y1 = (boxes[order, i] for i in range(4))
    # For the i-th word by top, the candidates are the words after it whose top is above its bottom.
    ends = numpy.searchsorted(y0, y1, side="left")
    counts = numpy.maximum(ends - numpy.arange(len(words)) - 1, 0)
    first = numpy.repeat(numpy.arange(len(words)), counts)
    second = numpy.arange(counts.sum()) - numpy.repeat(numpy.cumsum(counts) - counts, counts) + first + 1
    width = numpy.clip(numpy.minimum(x1[first], x1[second]) - numpy.maximum(x0[first], x0[second]), 0, None)
    height = numpy.clip(numpy.minimum(y1[first], y1[second]) - numpy.maximum(y0[first], y0[second]), 0, None)
    area = (x1 - x0) * (y1 - y0)
    shared = width * height / numpy.maximum(numpy.minimum(area[first], area[second]), 1e-6)
    hits = shared > OVERLAP
    pairs = sorted((min(a, b), max(a, b)) for a, b in zip(order[first[hits]].tolist(), order[second[hits]].tolist()))
    return [Violation("overlap", number, f"{words[a][4]} / {words[b][4]} (y {words[a][1]:.0f} pt)") for a, b in pairs]


# Operators that may come between one table's border segments: the graphics state and the path.
BORDER_OPERATORS = {b"q", b"Q", b"cm", b"gs", b"w", b"RG", b"rg", b"CS", b"cs", b"SC", b"SCN", b"sc", b"scn",
                    b"d", b"J", b"j", b"M", b"m", b"l", b"S", b"BMC", b"BDC", b"EMC"}


def _segments(reader, page) -> list[tuple[int, float, float, float]]:
    """The horizontal lines the page strokes, each (run, y, left, right) in pt from the media box's
    top-left corner, as pdftotext's word boxes have them.

    WeasyPrint strokes a collapsed table border one segment per column and row (``m``, ``l``,
    ``S``: its draw_collapsed_borders) and fills the borders of other boxes, so the stroked
    horizontal segments are the tables' rules (and a struck-through text's line). It strokes one
    table's segments one after the other, thinnest first: a run ends at any other drawing (a
    fill, a text) or where the line width drops, and a table is one run. Read by hand from the
    content stream (q, Q, cm and the path): pypdf gives the operators, not the drawing's geometry.
    """
    from pypdf.generic import ContentStream, DecodedStreamObject

    height, origin = float(page.mediabox.top), float(page.mediabox.left)
    ctm, saved, path, found = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], [], []
    run, width, stroked = 0, 0.0, 0.0
    drawing = DecodedStreamObject()
    drawing.set_data(_without_text(page.get_contents().get_data()))
    for operands, operator in ContentStream(drawing, reader).operations:
        if operator not in BORDER_OPERATORS:
            run, stroked = run + 1, 0.0
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            m = ctm
            ctm = (a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2], c * m[1] + d * m[3],
                   e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5])
        elif operator == b"w":
            width = float(operands[0]) * abs(ctm[0])
        elif operator in (b"m", b"l"):
            x, y = (float(v) for v in operands)
            path.append((operator, x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5]))
            continue
        elif operator == b"S" and [p[0] for p in path] == [b"m", b"l"] and abs(path[0][2] - path[1][2]) < 0.01:
            (_, x1, y), (_, x2, _) = path
            if width < stroked - 0.01:
                run += 1
            stroked = width
            found.append((run, height - y, min(x1, x2) - origin, max(x1, x2) - origin))
        path = []
    return found


TEXT_OBJECT = re.compile(rb"\bBT\b.*?\bET\b", re.DOTALL)
LINE_WIDTH = re.compile(rb"[-+]?[0-9.]+\s+w\b")


def _without_text(content: bytes) -> bytes:
    """A page's content stream with each text object (BT ... ET) reduced to its line widths: a text
    object holds no path, and parsing its glyph strings was most of the layout check's time. What
    is left of it still ends a run of rules (BT and ET are other drawing)."""
    return TEXT_OBJECT.sub(lambda text: b" ".join([b"BT", *LINE_WIDTH.findall(text.group()), b"ET"]), content)


RULE_JOIN = 1.5  # pt: one rule's segments meet end to end (half a vertical border's width apart at most)


def _table_rules(reader, page) -> list[tuple[int, float, tuple[float, ...]]]:
    """The page's table rules, each (run, y, column edges): segments of one run on one line that
    meet end to end, two at least (a single line is an underline or a strike-through)."""
    rules: list[tuple[int, float, list[float]]] = []
    for run, y, left, right in sorted(_segments(reader, page)):
        last = rules[-1] if rules else None
        if last and last[0] == run and abs(last[1] - y) < 0.05 and abs(last[2][-1] - left) < RULE_JOIN:
            last[2].append(right)
        else:
            rules.append((run, y, [left, right]))
    return [(run, y, tuple(edges)) for run, y, edges in rules if len(edges) > 2]


CELL_GAP = 4  # pt: less than two cells' paddings side by side, more than a space between words


def _pieces(lines: list, edges: tuple[float, ...]) -> list[tuple[float, float, list]]:
    """Lines cut where a gap of CELL_GAP or more holds a column edge: pdftotext joins into one
    line the words of cells side by side on one baseline. Each piece is (x0, middle, words)."""
    pieces = []
    for _, y0, _, y1, words in lines:
        piece: list = []
        for word in sorted(words):
            if piece and word[0] - piece[-1][2] >= CELL_GAP and any(piece[-1][2] <= e <= word[0] for e in edges):
                pieces.append((piece[0][0], (y0 + y1) / 2, piece))
                piece = []
            piece.append(word)
        pieces.append((piece[0][0], (y0 + y1) / 2, piece))
    return pieces


def _past_cells(number: int, lines: list, rules: list[tuple[int, float, tuple[float, ...]]]) -> list[Violation]:
    """Words of a ruled table drawn past their cell's side.

    A table is one run of rules (`_segments`) with the same column edges; a row is the band
    between two of its rules one after the other. A piece of a line (`_pieces`) belongs to the
    row its middle is in and to the column it starts in. A cell spans the next columns when no
    piece of its row starts in them (a cell with colspan). So a word is past its cell when it
    ends past the first column edge, after its piece's start, at which another piece of the row
    starts, or past the table's last edge. Not seen: a word that runs into a cell left empty in
    its row, and a row with no rule above it on its page (a table without a top rule; a row
    continued from the page before without its header).
    """
    tables: dict[tuple[int, tuple[float, ...]], list[float]] = {}
    for run, y, edges in rules:
        key = next((k for k in tables if k[0] == run and len(k[1]) == len(edges)
                    and all(abs(a - b) < RULE_JOIN for a, b in zip(k[1], edges))), (run, edges))
        tables.setdefault(key, []).append(y)
    found = []
    for (_, edges), ys in tables.items():
        pieces = _pieces(lines, edges)
        for top, bottom in pairwise(ys):
            row = [piece for piece in pieces if top < piece[1] < bottom and edges[0] - TOLERANCE <= piece[0] < edges[-1]]
            starts = {_column(edges, x0) for x0, _, _ in row}
            for x0, _, words in row:
                first = end = _column(edges, x0) + 1
                while end < len(edges) - 1 and end not in starts:
                    end += 1
                for wx0, wy0, wx1, _, text in words:
                    if wx1 > edges[end] + TOLERANCE:
                        found.append(Violation(
                            "past-cell", number, f"{text} (x {wx0:.0f}-{wx1:.0f}, y {wy0:.0f} pt; "
                                                 f"cell x {edges[first - 1]:.0f}-{edges[end]:.0f})"))
    return found


def _column(edges: tuple[float, ...], x: float) -> int:
    """The column a piece starting at x is in (the first one for a piece just left of the table)."""
    return max(i for i in range(len(edges) - 1) if edges[i] <= x + TOLERANCE or i == 0)


INK_DPI = 72  # one pixel a point: a rule 1 pt past the margin is one pixel of ink
INK = 160  # a grey level under this is ink (anti-aliased edges and light tints are not)


@dataclass(frozen=True)
class PageBoxes:
    """A page's paper (its trim) and text block, in pt from the media box's top-left corner, as
    pdftotext's word boxes and pdftoppm's images have them (with crop marks the media box holds
    the bleed too). The text block's sides have TOLERANCE added; its top and bottom do not."""

    paper: tuple[float, float, float, float]  # left, top, right, bottom
    left: float
    right: float
    top: float
    bottom: float

    @classmethod
    def of(cls, page, margins: Margins) -> "PageBoxes":
        height, origin, trim = float(page.mediabox.top), float(page.mediabox.left), page.trimbox
        paper = (float(trim.left) - origin, height - float(trim.top), float(trim.right) - origin, height - float(trim.bottom))
        return cls(paper, paper[0] + margins.left * MM - TOLERANCE, paper[2] - margins.right * MM + TOLERANCE,
                   paper[1] + margins.top * MM, paper[3] - margins.bottom * MM)


def _ink_outside(pdf: Path, reader, margins: dict[int | None, Margins]) -> list[Violation]:
    """Ink beside the text block (in the body's band) or too near the paper's edge, per page."""
    import numpy
    from PIL import Image

    found = []
    with tempfile.TemporaryDirectory() as folder:
        # PGM, not PNG: the same pixels, without the compression that was three quarters of the time.
        subprocess.run(["pdftoppm", "-r", str(INK_DPI), "-gray", str(pdf), f"{folder}/page"], check=True)
        images = sorted(Path(folder).glob("page-*.pgm"))
        for number, image in enumerate(images, 1):
            boxes = PageBoxes.of(reader.pages[number - 1], margins.get(number, margins[None]))
            paper, left, right, top, bottom = boxes.paper, boxes.left, boxes.right, boxes.top, boxes.bottom
            edge = EDGE_MM * MM
            pixels = numpy.asarray(Image.open(image).convert("L"))
            scale = INK_DPI / 72
            rows, columns = numpy.nonzero(pixels < INK)
            ys, xs = rows / scale, columns / scale  # the pixel's top-left corner, in pt
            on_paper = (xs >= paper[0]) & (xs < paper[2]) & (ys >= paper[1]) & (ys < paper[3])
            sideways = (xs + 1 / scale < left) | (xs > right)
            near_edge = ((xs < paper[0] + edge) | (xs + 1 / scale > paper[2] - edge)
                         | (ys < paper[1] + edge) | (ys + 1 / scale > paper[3] - edge))
            bad = on_paper & (sideways | near_edge)
            if bad.any():
                found.append(Violation(
                    "ink-outside", number,
                    f"ink at x {xs[bad].min():.0f}-{xs[bad].max() + 1 / scale:.0f}, "
                    f"y {ys[bad].min():.0f}-{ys[bad].max() + 1 / scale:.0f} pt; "
                    f"text block x {left + TOLERANCE:.0f}-{right - TOLERANCE:.0f}, y {top:.0f}-{bottom:.0f}"))
    return found


# Headings that are no outline entry: an article's headings reprinted in the appendix.
UNLISTED_HEADING_RE = re.compile(r'<p class="article-heading">(.*?)</p>', re.DOTALL)


def html_headings(html: str) -> list[str]:
    """The headings of a document's HTML that its outline (the PDF's bookmarks) does not list."""
    return [unescape(re.sub(r"<[^>]+>", "", heading)) for heading in UNLISTED_HEADING_RE.findall(html)]


def _last_lines(body_lines: list[tuple[float, float, str]], count: int = 3) -> list[str]:
    """The page's last printed lines of body, squeezed, pieces on one baseline joined."""
    rows: list[list] = []
    for y, _, text in sorted(body_lines):
        if rows and abs(y - rows[-1][0]) < 1.5:
            rows[-1][1] += text
        else:
            rows.append([y, text])
    return [_squeeze(text) for _, text in rows[-count:]]


def layout_violations(pdf: Path, margins: dict[int | None, Margins],
                      unlisted_headings: list[str] = ()) -> list[Violation]:
    """Every layout violation of the PDF; `margins` by page number (None: every other page);
    `unlisted_headings`: the texts of headings that no outline entry names (``html_headings``)."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    headings: dict[int, list[tuple[float, str]]] = {}

    def walk(outline):
        for item in outline:
            if isinstance(item, list):
                walk(item)
                continue
            number = reader.get_destination_page_number(item)
            height = float(reader.pages[number].mediabox.top)
            top = float(item.top) if item.get("/Top") is not None else height
            headings.setdefault(number + 1, []).append((height - top, item.title))

    walk(reader.outline)
    violations: list[Violation] = []
    for number, blocks in enumerate(_words(pdf), 1):
        boxes = PageBoxes.of(reader.pages[number - 1], margins.get(number, margins[None]))
        _, paper_top, _, paper_bottom = boxes.paper
        left, right = boxes.left, boxes.right
        top, bottom = boxes.top - TOLERANCE, boxes.bottom + TOLERANCE  # a word's box: glyph ascent and descent
        edge = EDGE_MM * MM
        body_rows: set[int] = set()
        body: list[tuple[float, float, str]] = []  # (top, left, text) of every body word, for headings
        body_lines: list[tuple[float, float, str]] = []  # (top, left, text) of every body line
        for lines in blocks:
            for index, (x0, y0, x1, y1, words) in enumerate(lines):
                middle = (y0 + y1) / 2
                in_body = top <= middle <= bottom
                for wx0, wy0, wx1, wy1, text in words:
                    if in_body:
                        inside = left <= wx0 and wx1 <= right and top <= wy0 and wy1 <= bottom
                    else:  # a running head or footer: in its margin box, clear of the paper's edge
                        inside = (left <= wx0 and wx1 <= right
                                  and paper_top + edge <= wy0 and wy1 <= paper_bottom - edge)
                    if not inside:
                        violations.append(Violation(
                            "outside", number,
                            f"{text} (x {wx0:.0f}-{wx1:.0f}, y {wy0:.0f}-{wy1:.0f} pt; "
                            f"text block x {left + TOLERANCE:.0f}-{right - TOLERANCE:.0f}, "
                            f"y {top + TOLERANCE:.0f}-{bottom - TOLERANCE:.0f})"))
                    if in_body:
                        body.append((wy0, wx0, text))
                if in_body:
                    body_rows.add(round((y0 + y1) / 4))  # rows 2 pt apart count once: table cells side by side
                    body_lines.append((y0, x0, " ".join(word[4] for word in words)))
        violations += _lone_characters(number, [line for lines in blocks for line in lines])
        violations += _overlaps(number, [word for lines in blocks for line in lines for word in line[4]])
        violations += _past_cells(number, [line for lines in blocks for line in lines],
                                  _table_rules(reader, reader.pages[number - 1]))
        if number not in margins and len(body_rows) < MIN_LINES:  # pages with their own margins are covers
            violations.append(Violation(
                "near-empty", number,
                f"{len(body_rows)} lines: " +  " ".join(text for _, _, text in sorted(body))[:80]))
        for heading_top, title in headings.get(number, []):
            after = _squeeze("".join(text for y, _, text in sorted(body) if y >= heading_top - TOLERANCE))
            if after == _squeeze(title):
                violations.append(Violation("heading-last", number, title))
        # A heading no outline entry names is found by its text: the page's last line, or its last
        # two or three lines when it wraps.
        last = _last_lines(body_lines)
        tails = {"".join(last[-count:]) for count in range(1, len(last) + 1)}
        for title in unlisted_headings:
            if _squeeze(title) in tails:
                violations.append(Violation("heading-last", number, title))
    return violations + _ink_outside(pdf, reader, margins)
