"""What a figure is about: a part's names, and the name nearest a figure in its clause.

A figure belongs to what it stands by: an outcome's name, an event's term, a landscape item's
label, or one of their ``quoted_as`` forms (rule 3 of docs/rules.md). A name is found whole (CD2 is
not inside CD22), compacted and in simplified script. Where a clause names several parts of a row
(a landscape's: of one series), the one nearest the figure owns it: in CD22(9.60%)、CD20(7.01%),
9.60% is CD22's. ``rival_labels`` gathers, once per row and before its parts are checked, the names
each part's figures are told apart from (``Labels``).
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import lru_cache

from reports.content.model import AdverseEvent, Backed, Landscape, LandscapeItem, Measurement, Study
from reports.content.verify.claims import simplified
from reports.text.figures import Figure, term_forms, unit_length
from reports.text.normal import squeezed


def term_shown(part: Backed) -> str:
    """What a part is about, as the curator wrote it, for messages: “神经毒性” (or “…”)."""
    name = getattr(part, "name", None) or getattr(part, "term", None) or getattr(part, "label", None) or ""
    forms = [name, *getattr(part, "quoted_as", [])]
    return " or ".join(f"“{form}”" for form in forms if form)


def printed_name(part: Backed) -> str:
    """The name a part is printed with: an outcome's name, an event's term, an item's label."""
    return getattr(part, "name", None) or getattr(part, "term", None) or getattr(part, "label", None) or ""


def part_terms(part: Backed) -> list[str]:
    """The forms the thing a part is about may be quoted as; empty for parts about no one thing."""
    quoted_as = getattr(part, "quoted_as", [])
    if isinstance(part, Measurement):
        return term_forms(part.name, quoted_as)
    if isinstance(part, AdverseEvent):
        return term_forms(part.term, quoted_as)
    if isinstance(part, LandscapeItem):
        return term_forms(part.label, quoted_as)
    return []


# Head nouns of a count (891 项试验, 14 名患者) name what is counted, not which row it belongs to.
GENERIC_LABELS = frozenset({"试验", "試驗", "临床试验", "臨床試驗", "患者", "研究"})


COUNT_AFTER = re.compile(r"\d+(?:\.\d+)?\s*(?:例|名|位|人|%|％)")


def holds_term(text: str, term: str, start: int = 0) -> int:
    """Where ``term`` stands in ``text`` as a whole name (1-based; 0 when it does not): I 期及以后 is not
    inside II 期及以后, nor CD2 inside CD22; both compacted."""
    at = text.find(term, start)
    while at >= 0:
        before = text[at - 1] if at else ""
        after = text[at + len(term):at + len(term) + 1]
        # CRS14 例 (a count right after the name, its space compacted away) still names CRS
        counted = term[-1].isalpha() and after.isdigit() and COUNT_AFTER.match(text, at + len(term))
        if not (term[0].isascii() and term[0].isalnum() and before.isascii() and before.isalnum()) and (counted or not (
                term[-1].isascii() and term[-1].isalnum() and after.isascii() and after.isalnum())):
            return at + 1
        at = text.find(term, at + 1)
    return 0


def label_distance(figure: Figure, start: int, end: int, text: str) -> float:
    """Characters between a name and a figure with its unit (2 例); a name after it counts half a
    character further."""
    figure_end = figure.end + unit_length(text, figure.end)
    if end <= figure.start:
        return figure.start - end
    if start >= figure_end:
        return start - figure_end + 0.5
    return 0


@dataclass
class Labels:
    """The names of every part of a row (or of a table), each with the parts it names: what a figure's
    nearest name is chosen among."""

    owners: dict[str, set[int]] = field(default_factory=dict)  # compact form -> ids of the parts
    names: dict[int, str] = field(default_factory=dict)  # id of a part -> how messages name it
    printed: dict[str, set[int]] = field(default_factory=dict)  # the printed names' forms only (no quoted_as)
    found: dict[tuple[str, int, int], list] = field(default_factory=dict, repr=False, compare=False)  # occurrences

    def add(self, part: Backed) -> None:
        self.found.clear()  # a new name: what was found before may change
        self.names[id(part)] = term_shown(part)
        for form in term_forms(printed_name(part), []):
            if simplified(form) not in GENERIC_LABELS:
                self.printed.setdefault(simplified(form), set()).add(id(part))
        for form in dict.fromkeys(simplified(form) for form in part_terms(part)):
            if form not in GENERIC_LABELS:
                self.owners.setdefault(form, set()).add(id(part))

    def occurrences(self, text: str, start: int, end: int) -> list[tuple[int, int, frozenset[int]]]:
        """(start, end, owners) of each name in text[start:end], a shorter name inside a longer one left out.

        Found once per text and span: a check asks again for each figure of the prose it compares."""
        key = (text, start, end)
        if key not in self.found:
            self.found[key] = self._occurrences(text, start, end)
        return list(self.found[key])

    def _occurrences(self, text: str, start: int, end: int) -> list[tuple[int, int, frozenset[int]]]:
        squeezed, where = squeeze(text[start:end])
        found = []
        for form, owners in self.owners.items():
            at = holds_term(squeezed, form) - 1
            while at >= 0:
                found.append((start + where[at], start + where[at + len(form) - 1] + 1, frozenset(owners)))
                at = holds_term(squeezed, form, at + 1) - 1
        found.sort(key=lambda o: o[0] - o[1])
        kept: list[tuple[int, int, frozenset[int]]] = []
        for occurrence in found:
            if not any(k[0] <= occurrence[0] and occurrence[1] <= k[1] for k in kept):
                kept.append(occurrence)
        return kept


def printed_of(labels: "Labels", owner: int) -> str:
    return labels.names[owner].split(" or ")[0].strip("“”")


def other_name_in(form: str, part: Backed, labels: "Labels", own_forms: set[str]) -> str | None:
    """How messages name another part of the group whose name stands in a quoted_as form, or None."""
    for name, owners in labels.printed.items():
        others = owners - {id(part)}
        if others and name not in own_forms and holds_term(form, name):
            return " or ".join(f"“{printed_of(labels, owner)}”" for owner in sorted(others))
    return None


def rival_labels(row: Study | Landscape, parts: list[Backed]) -> dict[int, Labels]:
    """For each part, the names its figures are told apart from: a study's parts among themselves; a
    landscape item among the items of its series (CD22 and CD7, 全球 and 中国)."""
    if isinstance(row, Landscape):
        groups = [[row.trials], *[series.items for series in row.series]]
    else:
        groups = [parts]
    rivals = {}
    for group in groups:
        labels = Labels()
        for part in group:
            labels.add(part)
        for part in group:
            rivals[id(part)] = labels
    return rivals


@lru_cache(maxsize=16384)
def squeeze(text: str) -> tuple[str, tuple[int, ...]]:
    """``compact(text)`` in simplified script and, for each of its characters, where it stands in ``text``."""
    folded = simplified(text).lower()
    chars, where = squeezed(folded if len(folded) == len(text) else text.lower())
    return chars, tuple(where)
