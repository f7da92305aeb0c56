"""Converting Chinese text between simplified (zh-Hans) and traditional (zh-Hant) script.

Used by ``reports build --script``: the rendering step calls ``ScriptConverter.convert`` on each
text node with that node's language. Characters are converted by the official OpenCC package with
the phrase-level profiles ``s2tw`` and ``tw2s``, which change script only: never ``s2twp`` or
``tw2sp``, whose regional vocabulary swaps are wrong in medical text (发布会 -> 釋出會,
运行情况 -> 執行情況). OpenCC's known slips are then fixed from ``script_corrections.yaml``, and
quotation marks follow the target script (“ ” ‘ ’ in zh-Hans, 「 」 『 』 in zh-Hant).
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


@cache
def load_corrections() -> tuple[Correction, ...]:
    """The corrections shipped in ``reports/text/script_corrections.yaml``, in file order."""
    text = resources.files("reports.text").joinpath(CORRECTIONS_FILE).read_text(encoding="utf-8")
    corrections = tuple(Correction(**entry) for entry in yaml.safe_load(text))
    for correction in corrections:
        if correction.target not in SCRIPTS:  # a slip in our own data file, not a user error
            raise ValueError(f"{CORRECTIONS_FILE}: unknown target {correction.target!r} for {correction.wrong!r}")
    return corrections


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
        self._corrections = tuple((c.wrong, c.right) for c in load_corrections() if c.target == target)

    def changes(self, text: str) -> int:
        """How many of ``text``'s characters OpenCC changes converting it into this script (quotation
        marks and the corrections aside): few for a text already in it, many for one in the other."""
        converted = self._opencc.convert(text)
        return sum(a != b for a, b in zip(text, converted)) + abs(len(text) - len(converted))

    def converts(self, lang: str) -> bool:
        """True when text in ``lang`` will have its characters converted (zh-CN with target zh-Hant...)."""
        script = script_from_lang(lang)
        return script is not None and script != self.target

    def convert(self, text: str, lang: str) -> str:
        """``text`` in the target script, if ``lang`` is the other one; quotes restyled in any Chinese text.

        Text in another language (``en``...) is returned unchanged. Chinese text whose script is
        unknown (a bare ``zh``) keeps its characters but still gets the target's quotation marks.
        """
        if not is_chinese(lang):
            return text
        if self.converts(lang):
            text = self._opencc.convert(text)
            for wrong, right in self._corrections:
                text = text.replace(wrong, right)
        return convert_quotes(text, self.target)
