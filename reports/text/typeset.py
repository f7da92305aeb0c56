"""Typesetting Chinese text: one pass over the finished HTML, before WeasyPrint lays it out.

Pango 1.50 breaks lines by UAX #14, which is close to the W3C clreq rules but not the same, and
WeasyPrint 70 supports none of the CSS properties (``text-autospace``, ``line-break``,
``text-spacing``) that would fix the rest. So the fixes are made in the markup, on every text
node of the document (templates, evidence YAML and articles alike):

- Han-Latin spacing: one U+0020 between Han and Latin letters or digits, none doubled. In Noto
  CJK that space is 0.22 em, close to clreq's quarter em, and it stays a break opportunity.
- No space beside full-width punctuation (clreq: the mark's em already holds its spacing, so a
  space there doubles it): 分析； 未做 and （CTCAE） v5.0 print as 分析；未做 and （CTCAE）v5.0,
  across elements too (a template's line break between ``：</span>`` and the next span). The
  quotation marks “ ” ‘ ’ are full width only in Chinese: beside an English word on both sides
  (months’ follow-up) their space stays.
- Runs that must not break are tied: Latin and digit runs with inner punctuation (CD19/CD22,
  0.75×10⁹/L), a term with its number (HER2 3+), a number with the Han unit that follows it
  (18.2 年, 2024 年, 3～5 天), a number with its unit (300 mg/m²), and a character with the
  marks Pango lets start a line (～ · ／).
  A tie is made of characters, not markup: the space becomes U+00A0 NO-BREAK SPACE and U+2060
  WORD JOINER goes between a mark and its neighbours, which every UAX #14 line breaker (Pango's,
  a browser's) keeps together. Both are invisible in the PDF's text (pdftotext gives a plain
  space and nothing). A ``<span class="nb">`` (``white-space: nowrap``) per run did the same, but
  each span is an inline box for WeasyPrint to lay out and draw: the seed briefing's 1,163 of
  them took a quarter of its layout time. Headings keep the span: their text is copied into
  the PDF's bookmarks and running heads, where a word joiner would be a character of the title.
- A DOI (10.1016/S0140-6736(25)01671-X) breaks only after a slash or before a dot of its suffix
  (a ``<wbr>`` there), never at a hyphen, where a reader would take the break for hyphenation
  and copy the DOI without it: every other character is tied with U+2060.
- The last two Han characters of every text node (not of headings) are tied with U+2060, closing
  marks included, so that no line holds a single character alone (clreq's widow; issue 16).
- GRADE's symbols (⊕⊕◯◯), wherever a text has them, in every document: a run of them becomes a
  ``<span class="grade-symbols">`` with each ⊕ in a ``<span class="grade-plus">``, which the
  stylesheets draw in the sans face of the text's script at the text's size, ⊕ as large as ◯
  (issue 24). Text nodes the typesetting otherwise leaves alone (``.nb``) get them too.
- Punctuation is not compressed: every full-width mark keeps its em (GB/T 15834's full-width
  style), so that the PDF's text copies as it reads (issue 16). Compression in WeasyPrint 70
  (``letter-spacing: -0.5em``, or the font's ``halt``/``palt`` on the mark) leaves the mark's
  1 em box in the PDF and draws the next glyph half an em inside it; Poppler (pdftotext, and
  viewers built on it) then often starts a new line there, so "（LLDAS）：67%" extracted as
  "（LLDAS）" / "：67%". ``hwid`` has true half-width glyphs only for （）， and they are
  another design. Measured in docs/typesetting.md.

Written by hand: no library does this for HTML (``pangu`` only adds spaces, and into the text).
The pass uses the standard library's streaming HTML parser, because the document is our own
well-formed template output and only its text nodes change.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import Callable

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
LATIN = r"A-Za-z0-9\u0391-\u03a9\u03b1-\u03c9"
# Inside a run: joiners that Pango may break at (slash, hyphen, times, tilde, dot...).
RUN_INNER = LATIN + r"\u2070-\u209f\u00b2\u00b3\u00b9./+\-\u2212\u2013×~～:%‰°±·"
RUN_END = LATIN + r"\u2070-\u209f\u00b2\u00b3\u00b9%‰°+\u2212"
TOKEN = rf"[{LATIN}±+\u2212](?:[{RUN_INNER}]*[{RUN_END}])?"
# Units a number is written with, by their symbols (SI and clinical), with their per-units (mg/m²,
# cells/kg, U/L): 300 mg/m² must not break after 300 or inside its unit. A Han per-unit (mg/m²/天)
# may still go to the next line after its slash: tying it too took a line more in a narrow quote
# and pushed the CAR-NK handout to its denser type.
UNIT_SYMBOLS = ("mg", "μg", "µg", "ng", "g", "kg", "mL", "ml", "μL", "µL", "L", "dL", "mmol", "μmol", "µmol", "nmol",
                "mol", "IU", "U", "cm", "mm", "μm", "µm", "nm", "m", "Gy", "cGy", "kDa", "min", "h", "d", "cells", "cell")
UNIT = (rf"(?:{'|'.join(sorted(UNIT_SYMBOLS, key=len, reverse=True))})[²³]?"
        rf"(?:/(?:[A-Za-zμµ]+[²³]?|10[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+))*(?![A-Za-z])")
# A token, then more tokens after a space when they start with a digit or sign (HER2 3+),
# then optionally, after a digit, a space and its unit (300 mg/m²), or a space and one Han
# character when the run ends in a digit or % (18.2 年).
RUN_RE = re.compile(rf"{TOKEN}(?: [0-9±+\u2212][{RUN_INNER}]*(?<=[{RUN_END}]))*"
                    rf"(?:(?<=[0-9]) {UNIT}|(?<=[0-9%‰]) ?[{HAN}])?")
LONGEST_UNBROKEN_RUN = 24  # longer runs (DOIs, long identifiers) may break, or they overflow narrow cells

# Half-width marks in Chinese text (a paste's "," "(" ":"), and their full-width forms (GB/T 15834).
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_CHINESE = re.compile(rf"[{HAN}\u3000-\u303f\uff00-\uffef“”‘’]")


def full_width_punctuation(text: str) -> str:
    """A Chinese text's half-width punctuation in full width, where it punctuates Chinese.

    A mark next to a Han character (or to a full-width mark) is Chinese punctuation; one between
    digits or inside Latin text (1,580; 14:13; https://; (CAR-T) in English) stays as typed. A
    bracket pair is full width when its opening bracket is (its closing one follows it).
    """
    out: list[str] = []
    opened: list[bool] = []
    for index, character in enumerate(text):
        if character not in HALF_TO_FULL:
            out.append(character)
            continue
        before = out[-1] if out else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        chinese = bool(_CHINESE.match(before) or _CHINESE.match(after))
        if character == "(":
            opened.append(chinese)
        elif character == ")":
            chinese = opened.pop() if opened else chinese
        elif before.isdigit() and after.isdigit():
            chinese = False
        out.append(HALF_TO_FULL[character] if chinese else character)
    return "".join(out)


# Marks that must not start a line but that Pango 1.50 lets start one: tie them to what precedes.
TIE_TO_PREVIOUS_RE = re.compile(r"\S[～·／‧]+")
# Closing and pause marks: they stay with the character before them (never alone on a line).
CLOSING_MARKS = "，。、；：？！）」』】》〉〕〗”’"

# The last two Han characters of a text, with the closing marks after them: tied, so that no line
# holds one character alone (clreq's widow; issue 16). Not in headings: see tie_with_markup.
LAST_TWO_HAN_RE = re.compile(rf"([{HAN}])([{HAN}][{CLOSING_MARKS}]*\s*)$")
HAN_THEN_LATIN_RE = re.compile(rf"([{HAN}]) *(?=[{LATIN}])")
LATIN_THEN_HAN_RE = re.compile(rf"([{LATIN}%‰\u2070-\u209f\u00b2\u00b3\u00b9]) *(?=[{HAN}])")  # 10⁹ 个, m² 体表面积

# A web address's scheme: no line may end with it ("http://" / "www.thelancet.com").
SCHEME_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9+.-]*://)(?=[A-Za-z0-9])")

NO_BREAK_SPACE = "\u00a0"
WORD_JOINER = "\u2060"

# Full-width punctuation (GB/T 15834): no space beside it, its em holds its spacing (clreq).
FULL_WIDTH_MARKS = "，。、；：？！（）「」『』【】《》〈〉〔〕〖〗"
QUOTE_MARKS = "“”‘’"  # full width in Chinese, but English's too: Chinese when Han or a full-width mark is beside
DOUBLED_MARKS = "—…"  # —— and …… are Chinese marks; a single — or … may be English
SPACES_RE = re.compile(r"[ \t\r\n]+")  # not U+00A0: a no-break space is a tie
_HAN_OR_MARK_RE = re.compile(rf"[{HAN}{FULL_WIDTH_MARKS}]")
# What a space stands between when it is stray: Han, Latin letters and digits, and the marks
# (not a template's separator: "（病例报告） · 生物谷" keeps its spaced middle dot).
_NEIGHBOUR_RE = re.compile(rf"[{HAN}{LATIN}{FULL_WIDTH_MARKS}{QUOTE_MARKS}{DOUBLED_MARKS}]")

# A DOI (the 10. prefix, a registrant code, a slash, a suffix), not inside a web address; its
# last character is a letter, digit or closing bracket (the sentence's full stop is not the DOI's).
DOI_RE = re.compile(r"(?<![\w./])10\.\d{4,9}/[!-~]*[A-Za-z0-9)]")

TYPESETTING_SKIPPED_CLASSES = {"url", "nb"}  # URLs get their breaks from render.url_breaks; .nb is tied already
TYPESETTING_SKIPPED_TAGS = {"style", "script", "pre", "code", "head"}
# The source's own words, converted in script only (reports/text/scripts.py says why): quotations,
# the appendix's quoted passages and reprinted articles, and what a template marks .verbatim (a
# cited title, a source's name).
VERBATIM_TAGS = {"blockquote", "q"}
VERBATIM_CLASSES = {"verbatim", "passage-text", "article-body"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Elements inside a line of text: a space between two of them is still between the line's characters.
INLINE_TAGS = {"a", "abbr", "b", "cite", "em", "i", "mark", "q", "small", "span", "strong", "sub", "sup", "wbr"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def space_han_and_latin(text: str) -> str:
    """Exactly one space between Han and Latin letters or digits (clreq's quarter-em spacing)."""
    text = HAN_THEN_LATIN_RE.sub(r"\1 ", text)
    return LATIN_THEN_HAN_RE.sub(r"\1 ", text)


def _is_full_width_mark(text: str, at: int) -> bool:
    """``text[at]`` is a full-width mark of Chinese text (an English apostrophe or a single dash is not)."""
    if not 0 <= at < len(text):
        return False
    character = text[at]
    if character in FULL_WIDTH_MARKS:
        return True
    if character in DOUBLED_MARKS:
        return text[at - 1:at] == character or text[at + 1:at + 2] == character
    if character in QUOTE_MARKS:
        before, after = text[:at].rstrip(" \t\r\n")[-1:], text[at + 1:].lstrip(" \t\r\n")[:1]
        return bool(_HAN_OR_MARK_RE.match(before) or _HAN_OR_MARK_RE.match(after))
    return False


def is_stray_space(text: str, start: int, end: int) -> bool:
    """The whitespace ``text[start:end]`` stands beside a full-width mark, between characters of the text."""
    before, after = text[start - 1:start], text[end:end + 1]
    return bool((_is_full_width_mark(text, start - 1) and _NEIGHBOUR_RE.match(after))
                or (_is_full_width_mark(text, end) and _NEIGHBOUR_RE.match(before)))


def close_up_punctuation(text: str) -> str:
    """No space beside full-width punctuation (clreq: the mark's em already holds the spacing):
    分析； 未做 -> 分析；未做, （CTCAE） v5.0 -> （CTCAE）v5.0, 表达 “压制” T 细胞 -> 表达“压制”T 细胞."""
    return SPACES_RE.sub(lambda space: "" if is_stray_space(text, *space.span()) else space.group(), text)


GRADE_SYMBOLS_RE = re.compile("[⊕◯]+")


def grade_symbols_html(run: str) -> str:
    """A run of GRADE symbols as HTML: ⊕◯◯◯ in one span, each ⊕ in one of its own (styles: .grade-plus)."""
    inner = "".join('<span class="grade-plus">⊕</span>' if symbol == "⊕" else symbol for symbol in run)
    return f'<span class="grade-symbols">{inner}</span>'


def with_grade_symbols(html: str) -> str:
    """Escaped text with its runs of GRADE symbols marked up (neither character is escaped)."""
    return GRADE_SYMBOLS_RE.sub(lambda match: grade_symbols_html(match.group()), html)


def doi_html(doi: str) -> str:
    """A DOI as HTML that breaks only after a slash or before a dot of its suffix, at a ``<wbr>``:
    never at a hyphen (a reader would take it for hyphenation), never with a hyphen added."""
    suffix_starts = doi.index("/") + 1
    html = []
    for at, (before, character) in enumerate(zip(" " + doi, doi)):
        if (at and before == "/") or (at > suffix_starts and character == "."):
            html.append("<wbr>")
        elif at and not _joins_without_a_break(before, character):
            html.append(WORD_JOINER)
        html.append(escape(character, quote=False))
    return "".join(html)


def _dois(text: str) -> list[tuple[int, int]]:
    """Where the DOIs of a text are; a closing bracket that is the sentence's is not the DOI's."""
    found = []
    for match in DOI_RE.finditer(text):
        doi = match.group()
        while doi.endswith(")") and doi.count(")") > doi.count("("):
            doi = doi[:-1]
        found.append((match.start(), match.start() + len(doi)))
    return found


def _needs_tying(text: str, start: int, end: int) -> bool:
    """A plain word or number is never broken by Pango; only runs with joiners or spaces are.

    A run inside a long identifier (a DOI) is left breakable, or the identifier overflows.
    """
    run = text[start:end]
    if len(run) < 2 or run.isalnum():
        return False
    while start > 0 and "!" <= text[start - 1] <= "~":
        start -= 1
    while end < len(text) and "!" <= text[end] <= "~":
        end += 1
    return end - start <= LONGEST_UNBROKEN_RUN


def typeset_text(text: str, lang: str = "zh-Hans", tie_with_markup: bool = False) -> str:
    """Text in, HTML out: unbreakable runs tied; Chinese text also spaced, its last two characters tied.

    ``tie_with_markup``: a run is tied with ``<span class="nb">``, not with characters (headings).
    """
    chinese = lang.startswith("zh")
    text = SCHEME_RE.sub(rf"\1{WORD_JOINER}", text)  # http:// stays with its host (Pango breaks after /)
    if chinese:
        text = space_han_and_latin(close_up_punctuation(text))
        if not tie_with_markup:
            text = LAST_TWO_HAN_RE.sub(rf"\1{WORD_JOINER}\2", text)
    # DOIs first: a run inside one is the DOI's (headings keep their text plain, DOIs included).
    spans: list[tuple[int, int, str]] = [] if tie_with_markup else [(*span, "doi") for span in _dois(text)]
    for match in RUN_RE.finditer(text):
        if (_needs_tying(text, match.start(), match.end())
                and not any(start < match.end() and match.start() < end for start, end, _ in spans)):
            spans.append((match.start(), match.end(), "nb"))
    for match in TIE_TO_PREVIOUS_RE.finditer(text) if chinese else ():
        if not any(start < match.end() and match.start() < end for start, end, _ in spans):
            spans.append((match.start(), match.end(), "nb"))
    html, position = [], 0
    for start, end, css_class in sorted(spans):
        html.append(with_grade_symbols(escape(text[position:start], quote=False)))
        run = text[start:end]
        if css_class == "doi":
            html.append(doi_html(run))
        elif css_class == "nb" and not tie_with_markup:
            html.append(escape(tie(run), quote=False))  # tied before escaping: no joiner inside an &entity;
        else:
            html.append(f'<span class="{css_class}">{escape(run, quote=False)}</span>')
        position = end
    html.append(with_grade_symbols(escape(text[position:], quote=False)))
    return "".join(html)


def tie(run: str) -> str:
    """The run with no break opportunity left inside: no-break spaces, word joiners around marks."""
    tied = []
    for before, character in zip(" " + run, run):
        if tied and not _joins_without_a_break(before, character):
            tied.append(WORD_JOINER)
        tied.append(NO_BREAK_SPACE if character == " " else character)
    return "".join(tied)


def _joins_without_a_break(before: str, after: str) -> bool:
    """Letters, digits and Han never break between each other; a no-break space never breaks."""
    return (before.isalnum() or before == " ") and (after.isalnum() or after == " ")


class TextPass(HTMLParser):
    """Re-emits a document unchanged except for its text nodes, which ``rewrite`` turns into HTML.

    Each open element records its tag, its language and whether its text is rewritten (``covers``:
    an element is covered when its parent is and it is not excluded). Shared by the typesetting
    and the abbreviations' first-use pass (reports.abbreviations).
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, str, bool]] = []  # (tag, lang, text rewritten here)

    @property
    def lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def covers(self, tag: str, attributes: dict[str, str | None], lang: str) -> bool:
        return True

    def rewrite(self, data: str) -> str:
        return escape(data, quote=False)

    def rewrite_tag(self, raw: str, attributes: dict[str, str | None], lang: str) -> str:
        return raw

    def keep(self, data: str) -> str:
        """A text node the pass does not cover, as HTML."""
        return escape(data, quote=False)

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        lang = attributes.get("lang") or self.lang
        covered = (not self.stack or self.stack[-1][2]) and self.covers(tag, attributes, lang)
        self.out.append(self.rewrite_tag(self.get_starttag_text() or "", attributes, lang))
        if tag not in VOID_TAGS:
            self.stack.append((tag, lang, covered))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.rewrite_tag(self.get_starttag_text() or "", dict(attrs), self.lang))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        tag = self.stack[-1][0] if self.stack else ""
        if tag in ("style", "script"):
            self.out.append(data)
        elif self.stack and self.stack[-1][2]:
            self.out.append(self.rewrite(data))
        else:
            self.out.append(self.keep(data))

    def run(self, html: str) -> str:
        self.feed(html)
        self.close()
        return "".join(self.out)


class _Typesetter(TextPass):
    """Typesets every text node but those of skipped tags and classes (and, converting, lang and meta).

    A space beside full-width punctuation may stand between two text nodes (a template's line
    break between ``：</span>`` and ``<span>生物谷``): whitespace at a text node's end is kept
    apart in ``out`` and dropped when the next text, inside the same run of inline elements,
    shows it stray. A block's start or end ends the run (no space there is printed anyway).
    """

    def __init__(self, convert: Callable[[str, str, bool], str] | None, target_lang: str | None):
        super().__init__()
        self.convert = convert
        self.target_lang = target_lang
        self.verbatim: list[bool] = []  # beside TextPass.stack: whether each open element is the source's words
        self.before = ""  # the last characters of the text before, in this run of inline elements
        self.pending: list[int] = []  # indices in out of whitespace that the next text decides on

    def covers(self, tag: str, attributes: dict[str, str | None], lang: str) -> bool:
        classes = set((attributes.get("class") or "").split())
        return tag not in TYPESETTING_SKIPPED_TAGS and not classes & TYPESETTING_SKIPPED_CLASSES

    def _tag(self, tag: str) -> None:
        if tag not in INLINE_TAGS:
            self.before, self.pending = "", []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag)
        depth = len(self.stack)
        super().handle_starttag(tag, attrs)
        if len(self.stack) > depth:
            classes = set((dict(attrs).get("class") or "").split())
            inside = bool(self.verbatim) and self.verbatim[-1]
            self.verbatim.append(inside or tag in VERBATIM_TAGS or bool(classes & VERBATIM_CLASSES))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag)
        super().handle_startendtag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag)
        super().handle_endtag(tag)
        del self.verbatim[len(self.stack):]

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in ("style", "script"):
            super().handle_data(data)
            return
        if self.convert:
            data = self.convert(data, self.lang, bool(self.verbatim) and self.verbatim[-1])
        spacing = bool(self.stack) and self.stack[-1][2] and self.lang.startswith("zh")  # this node's spaces may go
        text = data.strip(" \t\r\n")
        if not text:
            self.out.append(data)
            if spacing and self.before:
                self.pending.append(len(self.out) - 1)
            return
        lead = data[:len(data) - len(data.lstrip(" \t\r\n"))]
        context = self.before + " " + text[:2]
        if self.pending and is_stray_space(context, len(self.before), len(self.before) + 1):
            for index in self.pending:
                self.out[index] = ""
        self.pending = []
        if lead and spacing and self.before and is_stray_space(context, len(self.before), len(self.before) + 1):
            lead = ""
        trail = data[len(data.rstrip(" \t\r\n")):]
        super().handle_data(lead + text)
        self.before = (self.before + text)[-4:]
        if trail:
            self.out.append(trail)
            if spacing:
                self.pending.append(len(self.out) - 1)

    def rewrite(self, data: str) -> str:
        in_heading = any(tag in HEADING_TAGS for tag, _, _ in self.stack)
        return typeset_text(data, self.lang, tie_with_markup=in_heading)

    def keep(self, data: str) -> str:
        """Text the typesetting leaves alone (.nb, .url): its GRADE symbols marked up all the same
        (not in the head, pre or code)."""
        escaped = escape(data, quote=False)
        if any(tag in TYPESETTING_SKIPPED_TAGS for tag, _, _ in self.stack):
            return escaped
        return with_grade_symbols(escaped)

    def rewrite_tag(self, raw: str, attributes: dict[str, str | None], lang: str) -> str:
        """Converting to one script: lang attributes name it, and meta text is converted too."""
        if not self.convert:
            return raw
        if attributes.get("lang", "").startswith("zh"):
            raw = re.sub(r'lang="zh-[^"]*"', f'lang="{self.target_lang}"', raw)
        if "content" in attributes and attributes.get("name") in ("description", "keywords", "author"):
            converted = self.convert(attributes["content"] or "", lang, False)
            raw = re.sub(r'content="[^"]*"', lambda _: f'content="{escape(converted)}"', raw)
        return raw


def typeset_html(html: str, convert: Callable[[str, str, bool], str] | None = None,
                 target_lang: str | None = None) -> str:
    """Apply the Chinese typesetting rules (and optionally a script conversion) to a document.

    ``convert(text, lang, verbatim)`` converts one text node written in ``lang``, ``verbatim`` when
    it is the source's words (see reports/text/scripts.py); ``target_lang`` then replaces the
    Chinese lang attributes.
    """
    return _Typesetter(convert, target_lang).run(html)
