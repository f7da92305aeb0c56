"""Certainty is computed, not typed: a typed grade or cebm_level agrees with the computed one.

The GRADE certainty and the OCEBM level printed are the ones the design and the rated steps give
(``reports.content.model``: ``DESIGN_RATINGS``, ``Study.grade``); a typed value that says otherwise is
a curator's mistake, reported at it with what the design and the steps give (rule 12 of
docs/rules.md).
"""

from __future__ import annotations

from reports.content.model import DESIGN_RATINGS, Study, design_kind
from reports.content.sources import PathKey
from reports.content.verify.table import TableCheck, dotted


def check_certainty(check: TableCheck, study: Study, key: PathKey) -> None:
    """A typed grade or cebm_level must be what the design and the rated steps give: the
    computed one is printed, and a typed one that says otherwise is a curator's mistake."""
    certainty, key = study.certainty, key + ("certainty",)
    design = DESIGN_RATINGS[design_kind(study.design)][2]
    if certainty.grade is not None and certainty.grade != study.grade:
        steps = [("rated_down", "−", certainty.rated_down), ("rated_up", "+", certainty.rated_up)]
        given = [f"{name} ({', '.join(f'{step.domain} {sign}{step.levels}' for step in listed)})"
                 for name, sign, listed in steps if listed] or ["no rated_down"]
        check.error(key + ("grade",), f"{dotted(key + ('grade',))}: typed '{certainty.grade}' but the design "
                                      f"({design}) and {' and '.join(given)} give '{study.grade}'; remove "
                                      "grade: or correct rated_down/rated_up")
    if certainty.cebm_level is not None and certainty.cebm_level != study.cebm_level:
        check.error(key + ("cebm_level",), f"{dotted(key + ('cebm_level',))}: typed {certainty.cebm_level} but the "
                                           f"design ({design}) gives OCEBM 2011 level {study.cebm_level}; remove "
                                           "cebm_level: or correct the design")
