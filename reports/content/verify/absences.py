"""An absence is said as the source says it: only as severe, or only in a subgroup.

“未观察到严重细胞因子释放综合征” says no *severe* CRS was seen, not that none was; “在 HER2 2+ 患者中未
观察到显著疗效” says it of a subgroup, not of everyone (rule 4 of docs/rules.md). The clauses that
state an absence are found in the excerpts and in the curator's prose alike; an adverse event with 0
patients is held to the same (``figures.check_event_named``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from reports.content.verify.claims import simplified
from reports.content.verify.curated import Prose
from reports.content.verify.names import Labels
from reports.content.verify.quoted import CONTEXT_BREAK, GENERIC_CONTEXT, Quoted, population_covers, read_prose
from reports.content.verify.table import TableCheck, dotted
from reports.text.figures import NOT_SUBGROUP, SUBGROUP_RE, states_absence

SEVERE_BEFORE = re.compile(r"(?:严重|嚴重|重度|3\s*级及以上|3\s*級及以上|≥\s*3\s*级)[^，,；;。、]{0,3}$")

SEVERE_WORD = re.compile(r"严重|嚴重|重度|3\s*级及以上|3\s*級及以上|≥\s*3")


def severe_before(text: str, at: int, start: int) -> bool:
    return bool(SEVERE_BEFORE.search(text[max(start, at - 8):at]))


def absence_clauses(quoted: Quoted) -> tuple[tuple[int, int], ...]:
    """(start, end) of each clause that says something did not occur (未观察到…, 无…), up to the next ，or ；."""
    return _absence_clauses(quoted.text)


@lru_cache(maxsize=4096)
def _absence_clauses(text: str) -> tuple[tuple[int, int], ...]:
    """Found once per text: a check asks for an excerpt's absences for every figure it compares."""
    clauses, start = [], 0
    for match in [*CONTEXT_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        if states_absence(text[start:end]) or re.search(r"未见|未見|(?<![无無])无(?!论|需|法|对照|论)", text[start:end]):
            clauses.append((start, end))
        start = match.end() if match else end
    return tuple(clauses)


def bigrams(text: str) -> set[str]:
    """The two-character words of a text's runs of Chinese characters, less the generic ones."""
    words = set()
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    return words - GENERIC_CONTEXT - ABSENCE_WORDS


ABSENCE_WORDS = frozenset({"未观", "观察", "察到", "未见", "没有", "未发", "发现", "发生", "未出", "出现"})


def subgroup_absences(excerpt: Quoted) -> list[tuple[str, set[str]]]:
    """(subgroup, the words of what was not seen) for each absence an excerpt states of a subgroup only."""
    found = []
    for start, end in absence_clauses(excerpt):
        clause = excerpt.text[start:end]
        match = SUBGROUP_RE.search(clause)
        if match and not re.search(r"研究|試驗|试验|方面", match.group(1)):
            phrase = NOT_SUBGROUP.sub("", NOT_SUBGROUP.sub("", match.group(1)))
            if len(phrase) >= 2:
                found.append((match.group(1).strip(), bigrams(simplified(clause[match.end():]))))
    return found


def only_severe_absence(quoted: list[Quoted], labels: Labels, owners: frozenset[int]) -> bool:
    """True when the excerpts say the thing was absent, and every time only as severe (or serious)."""
    said = False
    for excerpt in quoted:
        for start, end in absence_clauses(excerpt):
            for at, stop, its_owners in labels.occurrences(excerpt.text, start, end):
                if its_owners & owners:
                    said = True
                    if not (severe_before(excerpt.text, at, start) or SEVERE_WORD.search(excerpt.text[at:stop])):
                        return False
    return said


def check_severity(check: TableCheck, pieces: Iterable[Prose], quoted: list[Quoted],
                   label_groups: list[Labels]) -> None:
    """Where the source says only that no *severe* event was seen (未观察到严重细胞因子释放综合征), the
    curator's text may not say that none was seen at all."""
    for piece in pieces:
        prose = read_prose(piece.text)
        for start, end in absence_clauses(prose):
            for labels in label_groups:
                for at, stop, owners in labels.occurrences(prose.text, start, end):
                    if severe_before(prose.text, at, start) or SEVERE_WORD.search(prose.text[at:stop]):
                        continue
                    if only_severe_absence(quoted, labels, owners):
                        name = prose.text[at:stop]
                        check.error(piece.key, f"{dotted(piece.key)}: “{name}” is said not to occur, but the source "
                                               f"says only that no severe {name} (严重) occurred; keep its qualifier")


def check_absent_subgroups(check: TableCheck, pieces: Iterable[Prose], quoted: list[Quoted]) -> None:
    """Where the source says something was not seen in a subgroup (在 HER2 2+ 患者中未观察到显著疗效), the
    curator's sentence saying so names the subgroup: without it, the absence reads as everyone's."""
    stated = [(subgroup, words) for excerpt in quoted for subgroup, words in subgroup_absences(excerpt)]
    for piece in pieces:
        prose = read_prose(piece.text)
        for start, end in absence_clauses(prose):
            words = bigrams(simplified(prose.text[start:end]))
            sentence = next(prose.sentences[i] for i, (a, b) in enumerate(prose.spans) if a <= start < b)
            for subgroup, theirs in stated:
                if words & theirs and not population_covers(f"{sentence} {piece.about}", subgroup):
                    check.error(piece.key, f"{dotted(piece.key)}: the source states this absence only for a "
                                           f"subgroup (在{subgroup}中); name it here")
                    break
