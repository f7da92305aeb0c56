"""Converting Chinese text between simplified (zh-Hans) and traditional (zh-Hant) script.

Used by ``reports build --script``: the rendering step calls ``ScriptConverter.convert`` on each
text node with that node's language, and says whether the node is the source's own words
(``verbatim``: a quotation, a quoted passage, a reprinted article, a cited title; see
``reports.text.typeset``). Into zh-Hant the result is written for Taiwan readers, in three steps:

1. Characters: the official OpenCC package with the profile ``s2tw`` (``tw2s`` the other way),
   which changes script only.
2. Phrase rules (``script_corrections.yaml``): the slips of OpenCC's longest-match segmentation
   (抗原|并发挥 read as 併發 "complication": 抗原併發揮; 时长|须带 read as 長鬚 "long beard"), and
   characters Taiwan writes otherwise (8 週 for 8 周, as OpenCC itself writes 一週). Applied to every
   converted text, quotations included: they are errors or spellings, not words.
3. Taiwan vocabulary (``taiwan_vocabulary.yaml``, into zh-Hant only): the editors' own text (labels,
   headings, the curator's prose) gets the words a Taiwan physician writes (細胞激素釋放症候群 for
   細胞因子釋放綜合徵, 追蹤 for 隨訪, 資料 for 數據, 乳癌 for 乳腺癌).

Why not OpenCC's own Taiwan phrases (``s2twp``): measured on the shipped briefing, handouts and
weekly, about half of the distinct swaps it makes are wrong in medical text (19 of 39, read one by
one: 在體內存活 -> 在體記憶體活, 重編程 -> 重程式設計, 發布日期 -> 釋出日期, 激活 -> 啟用, 持久性 ->
永續性, 類型 -> 型別, 導入 -> 匯入, 人工審核 -> 人工稽核), and it has none of the medical words a
Taiwan reader misses (隨訪, 綜合徵, 細胞因子, 乳腺癌, 報道). So ``s2tw`` and a vocabulary we review:
each entry with its reason and an example that ``tests/text/test_scripts.py`` converts, and every
swap the shipped documents make listed, with its context, by
``tests/documents/test_traditional_wording.py``, so that a new one is read before it ships.

Quotations get steps 1 and 2 only, and keep their "轉為繁體（OpenCC）" label: a quotation is the
source's words, verified word for word against the source, and a vocabulary swap would put words
in the source's mouth that it never wrote (a simplified article says 随访, not 追蹤). Changing the
script is the reader's convenience and the label says it was done; changing the words is not ours
to do. Quotation marks follow the target script (“ ” ‘ ’ in zh-Hans, 「 」 『 』 in zh-Hant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from reports.names import SCRIPTS, Script

# OpenCC profile converting *into* each target script, from the other one.
PROFILES = {"zh-Hant": "s2tw.json", "zh-Hans": "tw2s.json"}
CORRECTIONS_FILE = "script_corrections.yaml"
VOCABULARY_FILE = "taiwan_vocabulary.yaml"
AMBIGUOUS_FILE = "ambiguous_characters.yaml"
# A correction marked after_figure is made only right after an Arabic figure (8 周, 8\u00a0周).
AFTER_FIGURE = r"(?<=[0-9])[ \u00a0]?"

TO_HANT_QUOTES = str.maketrans("“”", "「」")
TO_HANS_QUOTES = str.maketrans("「」『』", "“”‘’")
# ’ between Latin letters or digits is an apostrophe (Crohn’s, don’t), never a closing quote.
APOSTROPHE_RE = re.compile(r"(?<=[A-Za-z0-9])’(?=[A-Za-z])")


@dataclass(frozen=True)
class Correction:
    """One known OpenCC slip: ``wrong`` in its output for ``target`` becomes ``right``."""

    wrong: str
    right: str
    target: str
    reason: str
    example: str  # a sentence in the other script that OpenCC gets wrong
    expected: str  # its correct conversion
    after_figure: bool = False  # only right after a figure: 8 周 -> 8 週, but 周圍 and the name 周 stay


@dataclass(frozen=True)
class Term:
    """A Taiwan word for a mainland one, in the editors' own text converted into zh-Hant."""

    mainland: str  # as OpenCC's s2tw writes it: traditional characters, the mainland word (數據)
    taiwan: str  # what a Taiwan physician writes (資料)
    reason: str
    example: str  # a simplified sentence of the editors' kind that uses it
    expected: str  # its conversion for Taiwan readers


@dataclass(frozen=True)
class Swap:
    """One phrase of OpenCC's output replaced: by a correction, or by the Taiwan vocabulary."""

    kind: str  # "correction" or "vocabulary"
    wrong: str  # the rule's phrase, as OpenCC wrote it
    right: str
    context: str  # the converted text around it, the replacement in 【】


@dataclass(frozen=True)
class AmbiguousCharacter:
    """A traditional character that OpenCC may pick wrongly for a simplified one with several
    (并 -> 並 or 併): where it is right, so that anywhere else it is shown as a likely slip."""

    character: str
    simplified: str
    usual: str  # the character the simplified one usually is
    words: tuple[str, ...]  # the words it is right in (合併, 併發症)


def script_from_lang(value: Any) -> Script | None:
    """Map a front-matter ``lang`` (zh-CN, zh-TW, zh-Hant, or a list of them) to a script."""
    values = value if isinstance(value, list) else [value]
    for item in values:
        tag = str(item).lower()
        if tag in ("zh-cn", "zh-sg", "zh-hans") or tag.startswith("zh-hans"):
            return "zh-Hans"
        if tag in ("zh-tw", "zh-hk", "zh-mo", "zh-hant") or tag.startswith("zh-hant"):
            return "zh-Hant"
    return None


def script_of_text(text: str) -> Script | None:
    """The script a Chinese text is written in, when its front matter does not say (reports
    add-article): the one OpenCC changes fewer of its characters converting into. A simplified text
    has many characters to change into traditional and none the other way, and the reverse; the
    characters both scripts share change neither way, and a text quoting the other script (a
    simplified by-line in a traditional article) is what most of it is. None when the two are even
    (no Chinese, or only shared characters): the text does not tell."""
    into_hant, into_hans = converter_for("zh-Hant").changes(text), converter_for("zh-Hans").changes(text)
    if into_hant == into_hans:
        return None
    return "zh-Hans" if into_hant > into_hans else "zh-Hant"


def _data(name: str) -> list[dict]:
    return yaml.safe_load(resources.files("reports.text").joinpath(name).read_text(encoding="utf-8"))


@cache
def load_corrections() -> tuple[Correction, ...]:
    """The corrections shipped in ``reports/text/script_corrections.yaml``, in file order."""
    corrections = tuple(Correction(**entry) for entry in _data(CORRECTIONS_FILE))
    for correction in corrections:
        if correction.target not in SCRIPTS:  # a slip in our own data file, not a user error
            raise ValueError(f"{CORRECTIONS_FILE}: unknown target {correction.target!r} for {correction.wrong!r}")
    return corrections


@cache
def load_vocabulary() -> tuple[Term, ...]:
    """The Taiwan vocabulary shipped in ``reports/text/taiwan_vocabulary.yaml``, in file order."""
    terms = tuple(Term(**entry) for entry in _data(VOCABULARY_FILE))
    seen: set[str] = set()
    for term in terms:  # slips in our own data file, not user errors
        if term.mainland in seen:
            raise ValueError(f"{VOCABULARY_FILE}: {term.mainland!r} is listed twice")
        seen.add(term.mainland)
    return terms


@cache
def load_ambiguous_characters() -> tuple[AmbiguousCharacter, ...]:
    """The reviewed one-to-many characters of ``reports/text/ambiguous_characters.yaml``."""
    return tuple(AmbiguousCharacter(**{**entry, "words": tuple(entry["words"] or ())})
                 for entry in _data(AMBIGUOUS_FILE))


def context(text: str, start: int, end: int, width: int = 6) -> str:
    """``text[start:end]`` in 【】 with ``width`` characters either side, spaces made one."""
    shown = f"{text[max(0, start - width):start]}【{text[start:end]}】{text[end:end + width]}"
    return re.sub(r"\s+", " ", shown).strip()


def ambiguous_uses(text: str) -> list[str]:
    """Where a converted ``text`` has a character of ``ambiguous_characters.yaml`` outside the words
    it is right in: each place as its context, the character in 【】 (a likely slip of OpenCC)."""
    places = []
    for entry in load_ambiguous_characters():
        for match in re.finditer(re.escape(entry.character), text):
            at = match.start()
            if any(text.find(word, max(0, at - len(word) + 1), at + len(word)) != -1 for word in entry.words):
                continue
            places.append(context(text, at, at + 1))
    return places


@dataclass(frozen=True)
class Edit:
    """One replacement of a pass of phrase rules: where in the text it read, where in the text it wrote."""

    start: int
    end: int
    new_start: int
    new_end: int
    wrong: str
    right: str


class PhraseRules:
    """Phrases of OpenCC's output replaced in one pass, the longest first, so that no rule reads
    another's output (written by hand: OpenCC's own user dictionaries would be segmented by its
    phrase list, the very segmentation that makes these slips)."""

    def __init__(self, kind: str, rules: list[tuple[str, str, bool]]):
        self.kind = kind
        self.right = {wrong: right for wrong, right, _ in rules}
        alternatives = [AFTER_FIGURE + re.escape(wrong) if after_figure else re.escape(wrong)
                        for wrong, _, after_figure in sorted(rules, key=lambda rule: -len(rule[0]))]
        self.pattern = re.compile("|".join(alternatives)) if alternatives else None

    def apply(self, text: str) -> tuple[str, list[Edit]]:
        """``text`` with every rule applied, and the replacements made."""
        if self.pattern is None:
            return text, []
        out: list[str] = []
        edits: list[Edit] = []
        position = length = 0
        for match in self.pattern.finditer(text):
            wrong = match.group().lstrip(" \u00a0")  # an after_figure match starts with its space
            start = match.end() - len(wrong)
            out.append(text[position:start])
            length += start - position
            right = self.right[wrong]
            edits.append(Edit(start, match.end(), length, length + len(right), wrong, right))
            out.append(right)
            length += len(right)
            position = match.end()
        out.append(text[position:])
        return "".join(out), edits


def moved(position: int, edits: list[Edit]) -> int:
    """Where ``position`` of a text is once ``edits`` are made (a position inside one: its start)."""
    shift = 0
    for edit in edits:
        if edit.end <= position:
            shift += (edit.new_end - edit.new_start) - (edit.end - edit.start)
        elif edit.start < position:
            return edit.new_start
    return position + shift


def is_chinese(lang: str) -> bool:
    """True for any Chinese language tag: zh, zh-CN, zh-Hant-TW, zh_TW..."""
    return re.split(r"[-_]", lang, maxsplit=1)[0].lower() == "zh"


def convert_quotes(text: str, target: Script) -> str:
    """Quotation marks in the target script's style: “‘ ’” in zh-Hans, 「『 』」 in zh-Hant.

    Written by hand: OpenCC leaves punctuation alone. Single quotes become 『 』 only as pairs, so
    an apostrophe (Crohn’s) or a lone mark stays as it is.
    """
    if target == "zh-Hans":
        return text.translate(TO_HANS_QUOTES)
    text = text.translate(TO_HANT_QUOTES)
    apostrophes = {match.start() for match in APOSTROPHE_RE.finditer(text)}
    chars = list(text)
    opening = []
    for i, char in enumerate(chars):
        if char == "‘":
            opening.append(i)
        elif char == "’" and opening and i not in apostrophes:
            chars[opening.pop()], chars[i] = "『", "』"
    return "".join(chars)


@cache
def converter_for(target: Script) -> "ScriptConverter":
    """One converter per script for the process: loading OpenCC's dictionaries is the slow part."""
    return ScriptConverter(target)


class ScriptConverter:
    """Converts Chinese text nodes to one target script, ``zh-Hans`` or ``zh-Hant``.

    >>> ScriptConverter("zh-Hant").convert("“发布会”", "zh-CN")
    '「發布會」'

    OpenCC's dictionaries are loaded once, here; reuse one converter for a whole document.
    """

    def __init__(self, target: Script) -> None:
        if target not in SCRIPTS:
            raise ValueError(f"unknown script {target!r}: use {' or '.join(SCRIPTS)}")
        import opencc  # heavy: loaded only when a conversion is asked for

        # opencc-python-reimplemented installs a module of the same name, with long-fixed bugs.
        if not hasattr(opencc, "opencc_clib"):
            raise ImportError(
                f"{opencc.__file__} is not the official OpenCC package: "
                "run 'pip uninstall opencc-python-reimplemented' then 'pip install --force-reinstall opencc'"
            )
        self.target = target
        self._opencc = opencc.OpenCC(PROFILES[target])
        self._corrections = PhraseRules("correction", [(c.wrong, c.right, c.after_figure) for c in load_corrections()
                                                       if c.target == target])
        terms = load_vocabulary() if target == "zh-Hant" else ()
        self._vocabulary = PhraseRules("vocabulary", [(t.mainland, t.taiwan, False) for t in terms])

    def changes(self, text: str) -> int:
        """How many of ``text``'s characters OpenCC changes converting it into this script (quotation
        marks and the corrections aside): few for a text already in it, many for one in the other."""
        converted = self._opencc.convert(text)
        return sum(a != b for a, b in zip(text, converted)) + abs(len(text) - len(converted))

    def converts(self, lang: str) -> bool:
        """True when text in ``lang`` will have its characters converted (zh-CN with target zh-Hant...)."""
        script = script_from_lang(lang)
        return script is not None and script != self.target

    def convert(self, text: str, lang: str, verbatim: bool = False) -> str:
        """``text`` in the target script, if ``lang`` is the other one; quotes restyled in any Chinese text.

        Text in another language (``en``...) is returned unchanged. Chinese text whose script is
        unknown (a bare ``zh``) keeps its characters but still gets the target's quotation marks.
        ``verbatim`` text (the source's words) has its script changed but not its words: no
        Taiwan vocabulary (see the module's docstring).
        """
        return self.convert_listing(text, lang, verbatim)[0]

    def convert_listing(self, text: str, lang: str, verbatim: bool = False) -> tuple[str, list[Swap]]:
        """``convert``, and every phrase it wrote otherwise than OpenCC: the corrections and the
        vocabulary swaps made (the reviewed list of the shipped documents' swaps is made with it)."""
        if not is_chinese(lang):
            return text, []
        corrected: list[Edit] = []
        swapped: list[Edit] = []
        if self.converts(lang):
            text, corrected = self._corrections.apply(self._opencc.convert(text))
            if not verbatim:
                text, swapped = self._vocabulary.apply(text)
        text = convert_quotes(text, self.target)  # character for character: the edits' places hold
        places = [(self._corrections.kind, moved(e.start, swapped), moved(e.end, swapped), e) for e in corrected]
        places += [(self._vocabulary.kind, e.new_start, e.new_end, e) for e in swapped]
        return text, [Swap(kind, edit.wrong, edit.right, context(text, start, end)) for kind, start, end, edit in places]
