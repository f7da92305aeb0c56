"""Numbers in the curator's prose are quoted too: each one is a number of an excerpt, as the source gives it.

Every number of the curator's text (``curated``) occurs in an excerpt of its scope (a row's text: of
the row; an overview: of the table) as a number of the same value and a compatible kind
(``prose_matches``), with the same qualifier (超过, 以上, 约), phase, subgroup, words of its clause and
nearest name (``prose_mismatch``); or it stands inside a declared ``own_figures`` entry, which must
itself occur (``check_own_used``). Rules 4 and 9 of docs/rules.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from reports.content.model import OwnFigure, own_figure_spans
from reports.content.sources import PathKey
from reports.content.verify.claims import phase_tokens, simplified
from reports.content.verify.curated import Prose
from reports.content.verify.names import Labels
from reports.content.verify.quoted import (
    BOUND_WORDS,
    CONTEXT_BREAK,
    COUNTED,
    GENERIC_CONTEXT,
    Quoted,
    clause_around,
    population_covers,
    read_prose,
    same_number,
)
from reports.content.verify.table import TableCheck
from reports.text.figures import (
    COUNT,
    DATE,
    IDENTIFIER,
    ORDINAL,
    PLAIN,
    QUANTITIES,
    SUBGROUP_KINDS,
    Figure,
    bound_of,
    subgroup_of,
    unit_length,
)


def context_words(quoted: Quoted, figure: Figure, labels: Iterable[Labels] = (), whole_sentence: bool = False) -> set[str]:
    """The words of a count's or a percentage's clause (or sentence), in simplified script, its own number
    and unit left out, with the row's names it holds as one word each (CRS and 细胞因子释放综合征 alike):
    what tells 18 例复发或难治性 from 1 例出现细胞因子释放综合征."""
    start, end, found = _window_words(quoted.text, *quoted.spans[figure.sentence], figure.start, figure.end,
                                      whole_sentence)
    words = set(found)  # generic words taken out already; a name ("#1") is never one
    for group in labels:
        for _, _, owners in group.occurrences(quoted.text, start, end):
            words.update(f"#{owner}" for owner in owners)
    return words


@lru_cache(maxsize=16384)
def _window_words(text: str, start: int, end: int, figure_start: int, figure_end: int,
                  whole_sentence: bool) -> tuple[int, int, frozenset[str]]:
    """context_words without the names: the clause's (or sentence's) start, end and words, found once
    per text and place (a check compares each excerpt's number with every number of the prose)."""
    if not whole_sentence:
        start = max((m.end() for m in CONTEXT_BREAK.finditer(text, start, figure_start)), default=start)
        end = next((m.start() for m in CONTEXT_BREAK.finditer(text, figure_end, end)), end)
    after = figure_end + unit_length(text, figure_end)
    window = text[start:figure_start] + " " + text[after:end]
    folded = simplified(window).lower()
    words = set(re.findall(r"[a-z][a-z0-9+\-]+", folded))
    for run in re.findall(r"[\u3400-\u9fff]+", folded):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    return start, end, frozenset(words - GENERIC_CONTEXT)


def prose_matches(figure: Figure, pool: Iterable[Figure]) -> bool:
    """A number of the curator's prose is backed by a number of the same value and a compatible kind."""
    for other in pool:
        if other.kind == IDENTIFIER or not same_number(other.value, figure.value):
            continue
        if other.kind == figure.kind or figure.kind == PLAIN and other.kind in QUANTITIES | {DATE, ORDINAL}:
            return True
        if figure.kind in COUNTED and other.kind in COUNTED and (figure.kind == COUNT) == (other.kind == COUNT):
            return True  # 1580 项 and 1580 trials; never 12 例 (people) and 12 款 (products)
    return False


COMPATIBLE_BOUNDS = {frozenset({"more-than", "at-least"})}


def prose_mismatch(prose: Quoted, figure: Figure, excerpt: Quoted, other: Figure,
                   label_groups: Iterable[Labels], about: str = "") -> str | None:
    """Why an excerpt's number of the same value does not back a number of the curator's prose: its
    qualifier (超过, 以上, 约), its subgroup or its name differ; None when it backs it."""
    stated, written = bound_of(excerpt.text, other), bound_of(prose.text, figure)
    if stated != written and frozenset({stated, written}) not in COMPATIBLE_BOUNDS:
        return (f"is {BOUND_WORDS[written]}, but {excerpt.id} states “{other.shown(excerpt.text)}” "
                f"{BOUND_WORDS[stated]}")
    mine = phase_tokens(prose.text[slice(*clause_around(prose.text, figure.start, *prose.spans[figure.sentence]))])
    theirs = phase_tokens(excerpt.text[slice(*clause_around(excerpt.text, other.start, *excerpt.spans[other.sentence]))])
    if mine and theirs and not mine <= theirs:
        return (f"is said of {'、'.join(sorted(mine))} 期 here, but of {'、'.join(sorted(theirs))} 期 in {excerpt.id} "
                f"(“{other.shown(excerpt.text)}”)")
    if figure.kind in SUBGROUP_KINDS:
        label_groups = list(label_groups)
        mine, theirs = context_words(prose, figure, label_groups), context_words(excerpt, other, label_groups)
        if not mine and about:  # 仅 1 例 in an event's summary: the count is of the event
            about_text = Quoted.of_text("", about)
            mine = {f"#{owner}" for group in label_groups
                    for _, _, owners in group.occurrences(about_text.text, 0, len(about_text.text)) for owner in owners}
        sentence = context_words(excerpt, other, label_groups, True)
        theirs = theirs or sentence
        names = {word for word in sentence if word.startswith("#")}
        if mine and theirs and not mine & theirs and not mine & names:
            return (f"stands in other words here than in {excerpt.id} (“{other.shown(excerpt.text)}” is about "
                    f"{'、'.join(sorted(w for w in theirs if not w.startswith('#'))[:4])})")
    subgroup = subgroup_of(excerpt.text, other, excerpt.spans[other.sentence])
    if subgroup and not population_covers(prose.sentences[figure.sentence], subgroup):
        return f"is of a subgroup in {excerpt.id} (在{subgroup}中), which this sentence does not name"
    for labels in label_groups if figure.kind in SUBGROUP_KINDS else ():
        mine, theirs = prose.labels_near(figure, labels), excerpt.labels_near(other, labels)
        if mine and theirs and not mine & theirs:
            names = " or ".join(labels.names[owner] for owner in sorted(theirs))
            return f"stands by another name here than in {excerpt.id}, where it belongs to {names}"
    return None


def check_prose(check: TableCheck, pieces: Iterable[Prose], quoted: list[Quoted], own: list[OwnFigure],
                own_key: PathKey, scope: str, label_groups: list[Labels] = ()) -> set[str]:
    """Every number in the pieces is in ``quoted`` (with its qualifier, its subgroup and its name) or
    inside a declared own figure; returns the own figures that were found."""
    found: set[str] = set()
    for piece in pieces:
        spans = own_figure_spans(piece.text, own)
        for entry in own:
            if entry.figure in piece.text:
                found.add(entry.figure)
        prose = read_prose(piece.text)
        for figure in prose.figures:
            if figure.kind == IDENTIFIER:
                continue
            if any(start <= figure.start < end for start, end in spans):
                check.verification.own_figures += 1
                continue
            backing, misses = [], []
            for excerpt in quoted:
                for other in excerpt.figures:
                    if prose_matches(figure, [other]):
                        miss = prose_mismatch(prose, figure, excerpt, other, label_groups, piece.about)
                        (misses.append(miss) if miss else backing.append(excerpt.id))
            if backing:
                check.verification.prose_numbers += 1
                check.used.update(backing)
                continue
            where = ".".join(str(k) for k in piece.key)
            shown = figure.shown(piece.text)
            if misses:
                check.error(piece.key, f"{where}: “{shown}” {'; '.join(dict.fromkeys(misses))}; write it as the "
                                       "source states it")
                continue
            check.error(piece.key, f"{where}: “{shown}” is not stated in {scope}; quote the sentence that gives "
                                   f"it, or declare it under {'.'.join(map(str, own_key))} as "
                                   f"{{figure: \"{shown}\", reason: ...}}")
    return found


def check_own_used(check: TableCheck, own: list[OwnFigure], found: set[str], key: PathKey) -> None:
    for index, entry in enumerate(own):
        if entry.figure not in found:
            check.error(key + (index, "figure"), f"own figure “{entry.figure}” does not occur in the text it "
                                                 "belongs to; copy it exactly as printed, or remove it")
