"""A study's phase is stated in one of its excerpts, as a trial's phase.

I 期临床试验, 一期临床试验, phase 1/2 state a phase; a disease stage (Ⅳ期) does not. A phase of
``n-a`` or ``not-reported`` needs no excerpt. Rule 8 of docs/rules.md; a phase written in the
curator's prose is checked as a claim word (``claims.phase_tokens``, ``words``).
"""

from __future__ import annotations

import re

from reports.content.model import Study
from reports.content.sources import PathKey
from reports.content.verify.table import TableCheck
from reports.text.normal import normal_form

ROMAN = {"I": 1, "Ⅰ": 1, "1": 1, "一": 1, "II": 2, "Ⅱ": 2, "2": 2, "二": 2, "III": 3, "Ⅲ": 3, "3": 3, "三": 3,
         "IV": 4, "Ⅳ": 4, "4": 4, "四": 4}

_ROMAN = "|".join(sorted(ROMAN, key=len, reverse=True))

# A phase as a trial's phase (I 期临床试验, 一期临床试验, phase 1/2), not a disease stage (Ⅳ期).
# 1b 期, Ib 期, phase 1b: a part of a phase 1 trial (ClinicalTrials.gov has no phase 1b).
PHASE_ZH = re.compile(rf"(?<![A-Za-zⅠⅡⅢⅣ/／])(早期\s*)?({_ROMAN})[ab]?(?:\s*[/／]\s*({_ROMAN})[ab]?)?\s*期\s*"
                      r"(?:临床|臨牀|臨床)?\s*(?:试验|試驗|研究)")

PHASE_EN = re.compile(r"\b(early\s+)?phase\s*(I{1,3}|IV|[1-4])[ab]?(?:\s*/\s*(I{1,3}|IV|[1-4])[ab]?)?\b", re.IGNORECASE)

PHASE_CODES = {1: "phase-1", 2: "phase-2", 3: "phase-3", 4: "phase-4"}


def phases_stated(text: str) -> set[str]:
    """The trial phases a text states: {'phase-1'}, {'phase-1-phase-2'}, {'early-phase-1'} ..."""
    found = set()
    for pattern in (PHASE_ZH, PHASE_EN):
        for match in pattern.finditer(text):
            early, first, second = match.groups()
            first_n = ROMAN.get(first.upper() if pattern is PHASE_EN else first)
            if first_n is None:
                continue
            if second:
                second_n = ROMAN.get(second.upper() if pattern is PHASE_EN else second)
                if second_n == first_n + 1:
                    found.add(f"phase-{first_n}-phase-{second_n}")
                continue
            found.add("early-phase-1" if early and first_n == 1 else PHASE_CODES[first_n])
    return found


def check_phase(check: TableCheck, study: Study, key: PathKey) -> None:
    if study.phase in ("n-a", "not-reported"):
        return
    stated: set[str] = set()
    for excerpt in study.excerpts:
        phases = phases_stated(normal_form(excerpt.text))
        if study.phase in phases:
            check.used.add(excerpt.id)
        stated |= phases
    if study.phase in stated:
        check.verification.claims += 1
        return
    said = f"they state {', '.join(sorted(stated))}" if stated else "none of them states a phase"
    check.error(key + ("phase",), f"phase {study.phase} is not stated in this study's excerpts ({said}); quote "
                                  "where the source gives the phase, or write phase: not-reported")
