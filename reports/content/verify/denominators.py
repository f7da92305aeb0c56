"""What a number counts travels with it: denominators, and the patients a count is of.

An ``of`` is stated as a denominator (18例患者中, 288/1580, of 18) or follows from a stated count
with its percentage (891 项(56.4%) of 1580: ``rate_implies``); an enrolled, treated or evaluable
count stands in a sentence that says so (``ROLE_WORDS``); a count given with its denominator in
prose (9 例中 6 例, 7/19) is that pair in an excerpt (``check_pairs``). Rules 4 and 5 of
docs/rules.md; ``figures.find_backing`` asks this module about a part's ``of`` and roles.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable

from reports.content.model import OwnFigure, agrees_as_written, own_figure_spans
from reports.content.verify.claims import simplified
from reports.content.verify.curated import Prose
from reports.content.verify.quoted import COUNTED, Quoted, same_number
from reports.content.verify.table import TableCheck, dotted
from reports.text.figures import PERCENT

# What says a count of people is of those enrolled, treated or evaluable.
ROLE_WORDS = {
    "enrolled": r"纳入|納入|入组|入組|招募|入选|入選|收案|收录|收錄|参与|參與|随机分配|隨機分配|随机分组|隨機分組|"
                r"enrolled|enrol|recruited|randomi[sz]ed|participants",
    "treated": r"治疗|治療|接受|输注|輸注|回输|回輸|给药|給藥|treated|infused|received|dosed",
    "evaluable": r"可评估|可評估|可评价|可評價|纳入疗效分析|納入療效分析|evaluable|assessable",
}

ROLE_NAMES = {"enrolled": "enrolled (纳入, 入组, 招募)", "treated": "treated (接受治疗, 输注)",
              "evaluable": "evaluable (可评估)"}

# A count and its denominator: 18 例患者（1 级）中有 1 例, 7 例…存活（其中 2 例, 17/18.
PAIR_IN = re.compile(r"(\d+)\s*(?:例|名|位|人|项|項)[^。；;]{0,20}?中[^。；;\d]{0,6}?(\d+)\s*(?:例|名|位|人|项|項)")

PAIR_SLASH = re.compile(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])")


COUNT_AT = re.compile(r"\d+\s*(?:例|名|位|人|项|項)")


def count_pairs_at(text: str) -> list[tuple[tuple[int, int], int]]:
    """((denominator, count), where) of each count given with its denominator in a text. Tried from every
    count, not only after the last pair: in 1 例发生带状疱疹，2 例发生肺部感染，其中 1 例为 3 级 the pair is 1 of 2."""
    tried = (PAIR_IN.match(text, count.start()) for count in COUNT_AT.finditer(text))
    found = [((int(m.group(1)), int(m.group(2))), m.start()) for m in tried if m]
    found += [((int(m.group(2)), int(m.group(1))), m.start()) for m in PAIR_SLASH.finditer(text)]
    return [(pair, at) for pair, at in found if pair[1] <= pair[0]]


# In an excerpt also: 在 1580 项试验中,92.2%(1457 项).
PAIR_WITH_RATE = re.compile(r"(\d+)\s*(?:例|名|位|人|项|項)[^。；;]{0,20}?中[^。；;]{0,12}?[(（]\s*(\d+)\s*(?:例|名|位|人|项|項)")


def count_pairs(text: str) -> set[tuple[int, int]]:
    """The (denominator, count) pairs an excerpt states."""
    pairs = {pair for pair, _ in count_pairs_at(text)}
    return pairs | {(int(m.group(1)), int(m.group(2))) for m in PAIR_WITH_RATE.finditer(text)}


def rate_implies(quoted: list[Quoted], n: int | None, of: int | Decimal) -> bool:
    """True when an excerpt states n with its percentage and n/of rounds to it as written: 891 项(56.4%) of
    1580 (the total the excerpts state elsewhere)."""
    if n is None:
        return False
    for excerpt in quoted:
        figures = excerpt.figures
        for figure, following in zip(figures, figures[1:]):
            if (figure.kind in COUNTED and same_number(figure.value, n) and following.kind == PERCENT
                    and following.sentence == figure.sentence and following.start - figure.end <= 12
                    and agrees_as_written(Decimal(n) * 100 / Decimal(of), following.value)):
                return True
    return False


def check_pairs(check: TableCheck, pieces: Iterable[Prose], quoted: list[Quoted], own: list[OwnFigure],
                scope: str) -> None:
    """A count given with its denominator in prose (9 例中 6 例, 7/19) is given so in an excerpt: each number
    may stand elsewhere in the excerpts, but not the pair."""
    stated = {pair for excerpt in quoted for pair in count_pairs(simplified(excerpt.text))}
    for piece in pieces:
        spans = own_figure_spans(piece.text, own)
        for pair, start in count_pairs_at(piece.text):
            if pair not in stated and not any(a <= start < b for a, b in spans):
                check.error(piece.key, f"{dotted(piece.key)}: “{pair[1]} of {pair[0]}” is not stated as such in "
                                       f"{scope}; write the count with the denominator the source gives it")
