"""Glyph coverage: which characters no installed font can draw.

A character missing from every font is not only a box (.notdef) in the PDF: Pango then asks
fontconfig for a fallback font, a search that cost about 55 s of layout in a reported case
(WeasyPrint #2811). So such characters are found before layout, reported as warnings at their
place in the seeds, and printed as 〓 (U+3013 GETA MARK, the mark Chinese and Japanese
typesetting use for a character that cannot be set).
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

from reports.errors import Location, Problem

MISSING_GLYPH_MARK = "〓"
PLACEHOLDER_NAMES = {"Co": "(private use)", "Cs": "(surrogate)"}

# The faces the stylesheet names, per script, in its order: the alternatives are its fallbacks
# (reports doctor checks them; a rendering process opens them before its first render).
REQUIRED_FACES = {
    "simplified serif": ("Noto Serif CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei"),
    "simplified sans": ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "traditional serif": ("Noto Serif CJK TC", "Source Han Serif TC", "WenQuanYi Zen Hei"),
    "traditional sans": ("Noto Sans CJK TC", "Source Han Sans TC", "WenQuanYi Zen Hei"),
}


@lru_cache(maxsize=1)
def installed_coverage() -> tuple[list[int], list[int]] | None:
    """Sorted, merged code point ranges covered by any installed font (None: fontconfig absent)."""
    if not shutil.which("fc-list"):
        return None
    listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                             check=False).stdout
    ranges = []
    for item in listing.split():
        first, _, last = item.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    starts, ends = [], []
    for first, last in sorted(ranges):
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


def is_drawable(character: str) -> bool:
    coverage = installed_coverage()
    if coverage is None or character.isspace() or unicodedata.category(character) in ("Cc", "Cf"):
        return True
    starts, ends = coverage
    index = bisect.bisect_right(starts, ord(character)) - 1
    return index >= 0 and ord(character) <= ends[index]


def missing_characters(text: str) -> set[str]:
    return {character for character in set(text) if not is_drawable(character)}


def replace_missing(text: str, missing: set[str]) -> str:
    return text.translate({ord(character): MISSING_GLYPH_MARK for character in missing}) if missing else text


def locate_missing(paths: list[Path], missing: set[str], root: Path) -> list[Problem]:
    """One warning per character and file, at its first occurrence, saying how often it occurs."""
    warnings = []
    for path in paths:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        for character in sorted(missing):
            places = [(number, line.index(character) + 1)
                      for number, line in enumerate(lines, 1) if character in line]
            if not places:
                continue
            count = sum(line.count(character) for line in lines)
            name = unicodedata.name(character, "") or PLACEHOLDER_NAMES.get(unicodedata.category(character),
                                                                            "(unassigned)")
            times = f" ({count} times in this file)" if count > 1 else ""
            warnings.append(Problem(
                Location(path.relative_to(root).as_posix(), *places[0]),
                f"U+{ord(character):04X} {name}{times} is in none of the installed fonts; it is printed "
                f"as {MISSING_GLYPH_MARK}. Replace it with a standard character, or install a font "
                "that has it",
            ))
    return warnings
