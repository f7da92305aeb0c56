"""Clinical words and design fields, checked at their places in a table.

Each piece of a row's text (and its landscape labels) is checked against the row's scope: its
excerpts, and what its checked design, phase and rating say (``row_scope``); an overview against the
whole table's (``table_scope``). A study's design fields are stated in its excerpts or
``not-reported``. The lexicon and the matching are ``claims``'s; this module applies them to a
table. Rules 6 and 7 of docs/rules.md.
"""

from __future__ import annotations

from typing import Iterable

from reports.content.model import EvidenceTable, Landscape, Study
from reports.content.sources import PathKey
from reports.content.verify.claims import PHASE_OF_CODE, Lexicon, Scope, design_groups, design_problems, unbacked_words
from reports.content.verify.curated import Prose
from reports.content.verify.table import TableCheck


def row_scope(row: Study | Landscape, lexicon: Lexicon) -> Scope:
    """What a row's own text may rest on: its excerpts, and what its checked design, phase and rating say."""
    if isinstance(row, Landscape):
        return Scope([excerpt.text for excerpt in row.excerpts], lexicon, ids=[e.id for e in row.excerpts])
    return Scope([excerpt.text for excerpt in row.excerpts], lexicon, ids=[e.id for e in row.excerpts],
                 implied=design_groups(row.design),
                 phases=PHASE_OF_CODE.get(row.phase, set()), grades={row.grade})


def table_scope(table: EvidenceTable, lexicon: Lexicon) -> Scope:
    """What an overview may rest on: every excerpt of the table, and what its studies' checked fields say."""
    implied, phases = set(), set()
    for study in table.studies:
        implied |= design_groups(study.design)
        phases |= PHASE_OF_CODE.get(study.phase, set())
    return Scope([excerpt.text for row in table.rows for excerpt in row.excerpts], lexicon, implied=implied,
                 ids=[excerpt.id for row in table.rows for excerpt in row.excerpts],
                 phases=phases, grades={study.grade for study in table.studies})


def check_words(check: TableCheck, pieces: Iterable[Prose], scope: Scope, scope_name: str) -> None:
    """The clinical words of the curator's text (reports/content/lexicon.yaml) are stated in the scope's excerpts."""
    for piece in pieces:
        where = ".".join(str(k) for k in piece.key)
        for message in unbacked_words(piece.text, scope):
            check.error(piece.key, f"{where}: {message.replace('{scope}', scope_name)}")
    check.verification.claims += scope.words_checked
    check.used |= scope.used


def check_design(check: TableCheck, study: Study, key: PathKey, scope: Scope) -> None:
    people = [study.enrollment.enrolled, study.enrollment.treated, study.enrollment.evaluable]
    for name, message in design_problems(study.design, scope, [p for p in people if p is not None]):
        check.error(key + ("design", name), message)
