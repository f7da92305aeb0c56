"""The normal form of quoted text: what an excerpt is checked against is what prints as its quotation.

An article's text and an excerpt are compared, and printed, in one form (``normal_form``):

- Unicode NFC, so that a character composed in one and decomposed in the other (an NFD paste
  against an NFC excerpt) is the same character. NFC and not NFKC: compatibility forms are what
  the author wrote, and NFKC would print the ⁹ of 10⁹ as 9 (a dose of 109 cells);
- invisible characters left out: format characters (Unicode category Cf: zero-width space and
  joiners, word joiner, soft hyphen, bidi controls, a BOM inside the text) and the other default
  ignorable code points (variation selectors, the combining grapheme joiner). They print as
  nothing, so leaving them out changes nothing a reader sees, and an excerpt copied from a web
  page may have them or not;
- runs of whitespace made one space (an excerpt may break its lines where the article does not).

One place where an invisible character changes what a reader sees is refused instead of dropped:
inside or directly beside a number, where it splits the number for anything that reads digits
(``4⟨U+200B⟩4%`` is a 4 and a 4% to a pattern, 44% in print). ``hidden_by_numbers`` finds them,
``HiddenCharacters.message`` shows the number visibly for the curator. For the same reason an
excerpt may not begin or end inside a number (``inside_number``): 2 名患者 cut from 12 名患者
prints a figure the article does not state.

The reading layer: ``articles`` normalises an article once as it reads it (``normal_characters``,
keeping its lines for Markdown and for line numbers); ``content.verify.excerpts`` (the excerpt check), ``figures``,
``passages``, ``context`` and ``handout`` (what prints) use ``normal_form``. Nothing here imports
from the project, so every stage can use it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Every format character (category Cf, Unicode 15.1) and every other default ignorable code point
# (DerivedCoreProperties.txt), as ranges: the re module has no \p{Cf}, and building the class from
# unicodedata at import would cost a tenth of a second of every `reports check`. A test checks
# that it covers every Cf character of the running Python.
INVISIBLE_RANGES = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u17b4-\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
INVISIBLE_RE = re.compile(f"[{INVISIBLE_RANGES}]")
INVISIBLE_RUN_RE = re.compile(f"[{INVISIBLE_RANGES}]+")
# What may stand in a number as the curator sees it, for showing it in a message.
NUMBER_PART_RE = re.compile(f"[0-9A-Za-z.,·%％+\\-/{INVISIBLE_RANGES}]")
SHOWN_REACH = 12  # characters either side of the invisible ones


def normal_characters(text: str) -> str:
    """NFC, invisible characters left out; lines kept (an article is parsed and located by them)."""
    return unicodedata.normalize("NFC", INVISIBLE_RE.sub("", text))


def normal_form(text: str) -> str:
    """The normal form: the form an excerpt is checked in and a quotation is printed in."""
    return " ".join(normal_characters(text).split())


def without_invisible(text: str) -> tuple[str, list[int]]:
    """The text without its invisible characters, and for each character kept its index in ``text``
    (plus one past the end): for reading numbers as a reader sees them, located in the original."""
    kept = [index for index, character in enumerate(text) if not INVISIBLE_RE.match(character)]
    return "".join(text[index] for index in kept), kept + [len(text)]


def visible(text: str) -> str:
    """The invisible characters of a text made visible: 4⟨U+200B⟩4%."""
    return INVISIBLE_RE.sub(lambda match: f"⟨U+{ord(match.group()):04X}⟩", text)


def character_name(character: str) -> str:
    """U+200B ZERO WIDTH SPACE."""
    return f"U+{ord(character):04X} {unicodedata.name(character, 'UNNAMED')}"


@dataclass(frozen=True)
class HiddenCharacters:
    """A run of invisible characters inside or beside a number, and where it stands."""

    offset: int  # of the run's first character in the text it was found in
    characters: str
    number: str  # the number as written around it, invisible characters included
    inside: bool  # digits on both sides (4⟨U+200B⟩4), not only on one (4⟨U+200B⟩%)

    def message(self) -> str:
        distinct = list(dict.fromkeys(self.characters))
        kind = "format" if all(unicodedata.category(c) == "Cf" for c in distinct) else "invisible"
        names = ", ".join(character_name(c) for c in distinct)
        what = (f"{kind} characters ({names}) stand" if len(self.characters) > 1 else
                f"{'an' if kind == 'invisible' else 'a'} {kind} character ({names}) stands")
        where, hides = ("inside", "the number's digits") if self.inside else ("beside", "what stands beside the number")
        them, they_hide = ("them", "they hide") if len(self.characters) > 1 else ("it", "it hides")
        return f"{what} {where} the number “{visible(self.number)}”; delete {them} ({they_hide} {hides} from the check)"


def hidden_by_numbers(text: str) -> list[HiddenCharacters]:
    """Every run of invisible characters that stands inside or directly beside a digit."""
    found = []
    for run in INVISIBLE_RUN_RE.finditer(text):
        start, end = run.span()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if not (before.isdigit() or after.isdigit()):
            continue
        left, right = start, end
        while left > max(0, start - SHOWN_REACH) and NUMBER_PART_RE.match(text[left - 1]):
            left -= 1
        while right < min(len(text), end + SHOWN_REACH) and NUMBER_PART_RE.match(text[right]):
            right += 1
        inside = _in_number(before) and _in_number(after)  # 4⟨U+200B⟩4, 4.⟨U+200B⟩5
        found.append(HiddenCharacters(start, run.group(), text[left:right], inside))
    return found


def _in_number(character: str) -> bool:
    return character.isdigit() or (character != "" and character in ".,·")


NUMERAL = re.compile(r"[\d零一二两兩三四五六七八九十百千]")
SEPARATOR = re.compile(r"[.,·]")  # a decimal point or a thousands comma, between digits


def _is(pattern: re.Pattern, text: str, at: int) -> bool:
    return 0 <= at < len(text) and pattern.fullmatch(text[at]) is not None


def inside_number(text: str, at: int) -> bool:
    """True when the cut before ``text[at]`` falls inside a number: between two of its digits
    (1|2), or beside the decimal point or comma between them (12|.5, 12.|5)."""
    left, right = at - 1, at
    return ((_is(NUMERAL, text, left) and _is(NUMERAL, text, right))
            or (_is(NUMERAL, text, left) and _is(SEPARATOR, text, right) and _is(NUMERAL, text, right + 1))
            or (_is(SEPARATOR, text, left) and _is(NUMERAL, text, left - 1) and _is(NUMERAL, text, right)))


def whole_number(text: str, at: int) -> str:
    """The number a cut at ``at`` falls inside, for the message: 12 for 1|2."""
    start, end = at, at
    while _is(NUMERAL, text, start - 1) or _is(SEPARATOR, text, start - 1):
        start -= 1
    while _is(NUMERAL, text, end) or _is(SEPARATOR, text, end):
        end += 1
    return text[start:end].strip(".,·")


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters, as an editor counts them) of an offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def squeezed(text: str) -> tuple[str, list[int]]:
    """The text without whitespace, and for each of its characters the index in ``text``:
    excerpts are checked whitespace aside, so they are found whitespace aside."""
    kept = [(character, index) for index, character in enumerate(text) if not character.isspace()]
    return "".join(c for c, _ in kept), [i for _, i in kept]
