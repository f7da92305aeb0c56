"""Charts and QR codes as standalone vector SVG, drawn with reportlab.graphics.

The HTML embeds them as ``data:image/svg+xml`` images, which WeasyPrint draws as vectors and real
text. Each SVG is sized in pt and its user unit is 1 pt, so the font sizes inside are printed sizes.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
from dataclasses import dataclass
from functools import cache

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from reports.text.typeset import space_han_and_latin

# The sans faces of styles/briefing.css, per script. WeasyPrint ignores lang in SVG text, so the
# family names alone choose the SC or TC glyph forms.
FACES = {
    "zh-Hans": ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "zh-Hant": ("Noto Sans CJK TC", "Source Han Sans TC", "WenQuanYi Zen Hei"),
}
MINIMUM_FONT_SIZE = 8  # the printed handouts allow no smaller text
LABEL_SHARE = 0.32  # of the width, at most, for the category labels
TEXT_SHARE = 0.2  # of the width, at most, for one panel's bar texts: longer ones wrap
TEXT_LINES = 6  # a bar's text wraps rather than lose words to "…"
MINIMUM_SPAN = 3  # ems: the shortest room for the bars a narrow chart keeps by wrapping texts more
STEPS = (1, 2, 5)  # a scale's step is one of these times a power of ten: 0 20 40, never 0 25 50 75 (no 2.5 beside 5)
MOST_INTERVALS = 5  # a scale has at most this many steps; fewer when their labels would touch
BAR_FILL = colors.HexColor("#555555")  # reads as a bar in grayscale too; every text stays black
ELLIPSIS = "…"
OPENING = "（［｛〔〈《「『【“‘(["  # never ends a line
CLOSING = "）］｝〕〉》」』】”’)]、，。：；！？%"  # never starts a line
HAN_UNIT = "[\u3400-\u4dbf\u4e00-\u9fff]"  # a unit that starts with a Han character
WIDE = "\u2e80-\uffef"  # CJK characters and punctuation: a line may break before and after each
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Bar:
    value: float | None  # None: nothing reported for this category: no bar, only the text
    text: str  # printed just after the bar end (at the axis when value is None)


@dataclass
class Panel:
    title: str  # printed above the panel: what is measured, in which unit (占比（%）, 最长随访（年）)
    bars: list[Bar]  # one per category, in the categories' order
    maximum: float | None = None  # the end of the scale (100 for percentages); default: a step past the largest value
    scale: bool = True  # ticks and their figures under the bars; every bar carries its figure in any case


@dataclass
class Scale:
    """A panel's axis: where it ends and the figures printed under it, in one precision."""
    end: float
    ticks: list[float]
    decimals: int

    def label(self, tick: float) -> str:
        return f"{tick:.{self.decimals}f}"


def panel_scale(panel: Panel, span: float, letters: Lettering) -> Scale | None:
    """The scale of a panel ``span`` pt long: the finest steps of 1, 2 or 5 times a power of ten whose
    labels keep a gap between them, at most MOST_INTERVALS of them. A given maximum is kept (a
    percentage runs to 100) and only steps that divide it are taken; otherwise the scale ends at the
    first step past the largest value. None when there is nothing to measure."""
    values = [bar.value for bar in panel.bars if bar.value is not None]
    maximum = panel.maximum if panel.maximum is not None else max(values, default=0)
    if maximum <= 0:
        return None
    magnitude = math.floor(math.log10(maximum))
    candidates = []
    for exponent in range(magnitude - 1, magnitude + 1):
        for multiple in STEPS:
            step = multiple * 10.0 ** exponent
            intervals = maximum / step if panel.maximum is not None else math.ceil(maximum / step - 1e-9)
            if abs(intervals - round(intervals)) > 1e-9 or not 1 <= round(intervals) <= MOST_INTERVALS:
                continue
            decimals = max(-exponent, 0)
            scale = Scale(round(round(intervals) * step, decimals),
                          [round(index * step, decimals) for index in range(round(intervals) + 1)], decimals)
            candidates.append(scale)
    if not candidates:  # a maximum no step divides (a percentage of 37): its two ends alone
        return Scale(maximum, [0, maximum], 0 if float(maximum).is_integer() else 1)
    # The finest first; of two as fine, the one that ends sooner (18 years: 0-20 in fives, not 0-50 in tens).
    candidates.sort(key=lambda scale: (-len(scale.ticks), scale.end))
    for scale in candidates:
        widest = max(letters.width(scale.label(tick)) for tick in scale.ticks)
        if span * (scale.ticks[1] - scale.ticks[0]) / scale.end >= widest + 2 * letters.gap:
            return scale
    return min(candidates, key=lambda scale: (len(scale.ticks), scale.end))


@cache
def face_advances(lang: str) -> tuple[dict[int, int], int]:
    """Advance widths by code point, and units per em, of the face fontconfig gives for ``lang``.

    Read with fontTools (a WeasyPrint dependency): reportlab cannot load the CFF-based Noto CJK
    fonts, and the digits of its built-in CID fonts are about 10% narrower than Noto Sans CJK's.
    """
    from fontTools.ttLib import TTFont

    # fc-match comes with fontconfig, which Pango (so WeasyPrint) depends on.
    path, index = subprocess.run(["fc-match", "--format", "%{file}\n%{index}", ",".join(FACES[lang])],
                                 capture_output=True, text=True, check=True).stdout.split("\n")
    font = TTFont(path, fontNumber=int(index), lazy=True)
    try:
        metrics, units_per_em = font["hmtx"].metrics, font["head"].unitsPerEm
        # Full-width characters, most of a CJK face, are left out: width() takes an em for what is not here.
        advances = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()
                    if metrics[glyph][0] != units_per_em}
    finally:
        font.close()
    return advances, units_per_em


def clean(text: str) -> str:
    """One line of XML-safe text: minidom would write control characters as they are, an invalid SVG."""
    return " ".join(XML_INVALID.sub("", text).split())


def printed_label(text: str) -> str:
    """A chart's printed text: clean, and spaced between Han and Latin as the page's text is
    (HER2 CAR-T 细胞, 19 个月); the SVG is drawn before the typesetting pass, which skips it."""
    return space_han_and_latin(clean(text))


def break_units(text: str) -> list[str]:
    """Pieces a line may break between: spaces, Latin words, single CJK characters; opening
    punctuation stays with what follows it, closing punctuation with what precedes it, and the
    last two Han characters stay together, so that no line holds one alone (血液系统恶性肿 / 瘤)."""
    units: list[str] = []
    for unit in re.findall(rf"\s+|[^\s{WIDE}]+|.", text):
        if units and not unit.isspace() and not units[-1].isspace() and (
                unit[0] in CLOSING or units[-1][-1] in OPENING):
            units[-1] += unit
        else:
            units.append(unit)
    if len(units) >= 2 and all(re.match(HAN_UNIT, unit) for unit in units[-2:]):
        units[-2:] = ["".join(units[-2:])]
    return units


@dataclass
class Lettering:
    """The chart's texts: one size, one script's faces."""
    size: float
    lang: str

    @property
    def gap(self) -> float:
        """Between a label and the axis, a bar and its text, a panel and the next (three gaps)."""
        return self.size * 0.4

    @property
    def tick(self) -> float:
        """From a scale's axis to its figures' line: the tick mark and a hair of white."""
        return self.size * 0.3

    @property
    def line_height(self) -> float:
        return self.size * 1.25

    @property
    def font(self) -> str:
        # renderSVG writes fontName verbatim into font-family, so it carries the whole CSS stack.
        return ", ".join(f"'{face}'" for face in FACES[self.lang]) + ", sans-serif"

    def width(self, text: str) -> float:
        """As WeasyPrint sets it: SVG text glyph by glyph, so without kerning."""
        advances, units_per_em = face_advances(self.lang)
        return sum(advances.get(ord(character), units_per_em) for character in text) * self.size / units_per_em

    def string(self, x: float, y: float, text: str) -> String:
        # renderSVG flips each text about 2 * y rounded down to a whole unit: y on a half unit stays exact.
        return String(round(x, 2), round(y * 2) / 2, text, fontName=self.font, fontSize=self.size,
                      fillColor=colors.black)

    def shorten(self, text: str, limit: float) -> str:
        if self.width(text) <= limit:
            return text
        while text and self.width(text + ELLIPSIS) > limit:
            text = text[:-1].rstrip()
        return text + ELLIPSIS

    def wrap(self, text: str, limit: float, max_lines: int = 2) -> list[str]:
        """Greedy filling by measured width (hand-written: textwrap counts characters, not widths);
        the last line takes the rest, shortened with "…" if it is still too long."""
        lines: list[list[str]] = [[]]
        for unit in break_units(text):
            if lines[-1] and not unit.isspace() and self.width("".join(lines[-1] + [unit]).strip()) > limit:
                lines.append([])
            lines[-1].append(unit)
        rest = [unit for line in lines[max_lines - 1:] for unit in line]
        kept = ["".join(line).strip() for line in [*lines[:max_lines - 1], rest]]
        return [self.shorten(line, limit) for line in kept if line] or [""]


def svg_document(drawing: Drawing, title: str, description: str | None = None, lang: str | None = None) -> str:
    """The drawing as SVG sized in pt, with its title and description, and no DOCTYPE (no external DTD)."""
    width, height = drawing.width, drawing.height
    attributes = {"width": f"{width:g}pt", "height": f"{height:g}pt", "viewBox": f"0 0 {width:g} {height:g}"}
    if lang:
        attributes["xml:lang"] = lang
    canvas = renderSVG.SVGCanvas((width, height), svgAttrs=attributes)
    # renderSVG flips the y axis about the height rounded down to a whole unit: flip about the exact one.
    canvas.groupTree.setAttribute("transform", f"scale(1,-1) translate(0,-{height:g})")
    renderSVG.draw(drawing, canvas)
    # renderSVG writes "..." for both; minidom escapes the text we put instead.
    canvas.svg.getElementsByTagName("title")[0].firstChild.data = clean(title)
    description_node = canvas.svg.getElementsByTagName("desc")[0]
    if description:
        description_node.firstChild.data = clean(description)
    else:
        canvas.svg.removeChild(description_node)
    canvas.doc.removeChild(canvas.doc.doctype)
    output = io.StringIO()
    canvas.save(output)
    return output.getvalue()


def bar_chart_svg(categories: list[str], panels: list[Panel], width: float, *, title: str,
                  description: str, lang: str = "zh-Hans", font_size: float = 8.5) -> str:
    """Horizontal bars, one row per category; panels side by side (small multiples) sharing one
    column of category labels at the left. width is in pt; the height follows from the rows."""
    if not categories or not panels:
        raise ValueError("a bar chart needs at least one category and one panel")
    if any(len(panel.bars) != len(categories) for panel in panels):
        raise ValueError("every panel needs one bar per category")
    if lang not in FACES:
        raise ValueError(f"lang must be one of {', '.join(FACES)}, not {lang!r}")
    letters = Lettering(max(font_size, MINIMUM_FONT_SIZE), lang)
    gap, line_height = letters.gap, letters.line_height

    labels = [letters.wrap(printed_label(category), width * LABEL_SHARE - 2 * gap) for category in categories]
    label_column = max(letters.width(line) for label in labels for line in label) + 2 * gap
    # Each panel reserves room for its longest text, up to TEXT_SHARE of the width (a longer text,
    # such as a subgroup's or an unreported figure's, wraps); the bars of all panels share one length.
    panel_gap = 3 * gap
    longest = [max(letters.width(printed_label(bar.text)) for bar in panel.bars) for panel in panels]
    room = width - label_column - panel_gap * (len(panels) - 1) - len(panels) * (MINIMUM_SPAN * letters.size + gap)
    limit = max(min(width * TEXT_SHARE, text_limit(longest, room)), 4 * letters.size)
    reserves = [min(text, limit) + gap for text in longest]
    texts = [[letters.wrap(printed_label(bar.text), reserve - gap, TEXT_LINES) for bar in panel.bars]
             for panel, reserve in zip(panels, reserves)]
    span = (width - label_column - panel_gap * (len(panels) - 1) - sum(reserves)) / len(panels)
    if span < 2 * letters.size:
        raise ValueError(f"a {width:g} pt wide chart leaves no room for its bars; widen it or shorten its texts")
    lefts = [label_column + sum(reserves[:index]) + (span + panel_gap) * index for index in range(len(panels))]
    titles = [letters.wrap(printed_label(panel.title), span + reserve) for panel, reserve in zip(panels, reserves)]
    scales = [panel_scale(panel, span, letters) if panel.scale else None for panel in panels]
    # Under the rows: a gap, or the scale: a tick, then a line of figures whose glyphs' boxes (Noto
    # CJK's descent is 0.29 em below a baseline 0.36 em under the line's middle) end inside the drawing.
    below = letters.tick + letters.size * 1.3 if any(scales) else gap

    row_height = max(len(lines) for lines in [*labels, *(t for panel in texts for t in panel)]) * line_height + 1.5 * gap
    # A gap above the titles too: their glyphs' boxes (Noto CJK's ascent is 1.16 em) stay inside
    # the drawing, so a chart at the top of a page keeps to the text block.
    title_height = max(len(lines) for lines in titles) * line_height + 2 * gap
    drawing = Drawing(width, round(title_height + row_height * len(categories) + below, 2))
    rows_top = drawing.height - title_height
    rows_bottom = rows_top - row_height * len(categories)
    middles = [rows_top - row_height * (row + 0.5) for row in range(len(categories))]
    for left, lines in zip(lefts, titles):
        draw_lines(drawing, letters, left, rows_top + gap + len(lines) * line_height / 2, lines)  # on the rows
    for middle, label in zip(middles, labels):
        draw_lines(drawing, letters, 0, middle, label)
    for left, panel, lines, scale in zip(lefts, panels, texts, scales):
        drawing.add(Line(left, rows_top, left, rows_bottom, strokeColor=colors.black, strokeWidth=0.5))
        if scale:
            draw_scale(drawing, letters, scale, left, span, rows_bottom)
        draw_bars(drawing, letters, panel, left, span, middles, lines, scale.end if scale else None)
    return svg_document(drawing, title, description, lang)


def draw_scale(drawing: Drawing, letters: Lettering, scale: Scale, left: float, span: float, bottom: float) -> None:
    """The axis under a panel's bars, its ticks and their figures centred under them."""
    drawing.add(Line(left, bottom, left + span, bottom, strokeColor=colors.black, strokeWidth=0.5))
    for tick in scale.ticks:
        x = round(left + span * tick / scale.end, 2)
        drawing.add(Line(x, bottom, x, bottom - letters.tick * 0.7, strokeColor=colors.black, strokeWidth=0.5))
        label = scale.label(tick)
        draw_lines(drawing, letters, x - letters.width(label) / 2, bottom - letters.tick - letters.line_height / 2,
                   [label])


def text_limit(widths: list[float], room: float) -> float:
    """The widest a panel's texts may be so that all fit in ``room``: short texts keep their width
    and leave the rest to the long ones (water-filling)."""
    for count, width in enumerate(sorted(widths)):
        share = room / (len(widths) - count)
        if width > share:
            return share
        room -= width
    return max(widths, default=0.0)


def draw_lines(drawing: Drawing, letters: Lettering, left: float, middle: float, lines: list[str]) -> None:
    """Lines of text centred vertically on ``middle``."""
    for number, line in enumerate(lines):
        offset = ((len(lines) - 1) / 2 - number) * letters.line_height
        drawing.add(letters.string(left, middle + offset - letters.size * 0.36, line))  # CJK mid-height to baseline


def draw_bars(drawing: Drawing, letters: Lettering, panel: Panel, left: float, span: float,
              middles: list[float], texts: list[list[str]], end: float | None) -> None:
    """One panel's bars from its axis at ``left``, each followed by its text (wrapped: ``texts``);
    ``end`` is where its scale ends (without a scale: the given maximum, else the largest value)."""
    values = [bar.value for bar in panel.bars if bar.value is not None]
    maximum = end if end is not None else panel.maximum if panel.maximum is not None else max(values, default=0)
    thickness = letters.size * 1.1
    for middle, bar, lines in zip(middles, panel.bars, texts):
        # Clamped to the scale, so that no bar runs into the room reserved for the texts.
        share = 0.0 if bar.value is None or maximum <= 0 else min(max(bar.value / maximum, 0), 1)
        if share > 0:
            drawing.add(Rect(left, round(middle - thickness / 2, 2), round(span * share, 2), round(thickness, 2),
                             fillColor=BAR_FILL, strokeColor=None))
        draw_lines(drawing, letters, left + span * share + letters.gap, middle, lines)


def qr_svg(data: str, size: float) -> str:
    """The QR code for data (a URL), `size` pt square including the quiet zone, as vector SVG."""
    from reportlab.graphics.barcode.qr import QrCodeWidget  # 40 ms of imports (platypus): handouts only

    drawing = Drawing(size, size)
    # White under the quiet zone too, so that the code also scans on a tinted background.
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    drawing.add(QrCodeWidget(data, barLevel="M", barBorder=4, barWidth=size, barHeight=size))
    return svg_document(drawing, data)
