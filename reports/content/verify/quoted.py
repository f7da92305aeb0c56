"""An excerpt, or a piece of the curator's prose, read once; and what stands around a figure in it.

``Quoted`` holds a text in the normal form with its figures (``reports.text.figures``), its
sentences and their spans, so that every check of a row reads an excerpt the same way. What several
checks read around a figure lives here too: its clause (``clause_around``), the words that tell no
count from another (``GENERIC_CONTEXT``), how a qualifier is named in messages (``BOUND_WORDS``),
and whether a population names the subgroup an excerpt states (``population_covers``). A piece of
prose is read once and cached (``read_prose``): the numbers, pairs, severity and subgroup checks
all read the same pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reports.content.model import Excerpt
from reports.content.verify.claims import anchors, simplified
from reports.content.verify.names import Labels, holds_term, label_distance
from reports.text.figures import COUNT, ITEMS, TRIALS, Figure, compact, figures_in, sentences_of
from reports.text.normal import normal_form

COUNTED = frozenset({COUNT, TRIALS, ITEMS})


@dataclass
class Quoted:
    """An excerpt's text, its numbers and its sentences, read once."""

    id: str
    text: str
    figures: tuple[Figure, ...]
    sentences: list[str]
    spans: list[tuple[int, int]]  # (start, end) of each sentence in text

    @classmethod
    def of(cls, excerpt: Excerpt) -> "Quoted":
        text = normal_form(excerpt.text)
        spans = sentences_of(text)
        return cls(excerpt.id, text, figures_in(text), [text[a:b] for a, b in spans], spans)

    @classmethod
    def of_text(cls, id: str, text: str) -> "Quoted":
        """A text read as an excerpt is (the curator's prose, to compare its numbers with the excerpts')."""
        spans = sentences_of(text)
        return cls(id, text, figures_in(text), [text[a:b] for a, b in spans], spans)

    def names(self, sentence: int, terms: list[str]) -> bool:
        """The sentence names one of the terms, in either script (a table in simplified Chinese quotes
        traditional articles: 中位年龄 is named by 中位年齡)."""
        if not terms:
            return True
        here = compact(self.sentences[sentence])
        folded = simplified(here)
        return any(holds_term(here, term) or holds_term(folded, simplified(term)) for term in terms)

    def labels_near(self, figure: Figure, labels: "Labels") -> set[int]:
        """The parts whose name stands nearest to a figure in its clause (CD22(9.60%)、CD20(7.01%): 9.60% is
        CD22's); empty when no name stands in the clause."""
        start, end = clause_around(self.text, figure.start, *self.spans[figure.sentence])
        found = labels.occurrences(self.text, start, end)
        if not found:
            return set()
        distances = [(label_distance(figure, o[0], o[1], self.text), o[2]) for o in found]
        nearest = min(distance for distance, _ in distances)
        return set().union(*(owners for distance, owners in distances if distance == nearest))


CLAUSE_BREAK = re.compile(r"[，,；;、：:。]")


@lru_cache(maxsize=4096)
def read_prose(text: str) -> Quoted:
    """A piece of the curator's text read once, for the several checks of its numbers and words."""
    return Quoted.of_text("", text)


@lru_cache(maxsize=16384)
def clause_around(text: str, offset: int, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the clause of ``text`` that holds ``offset``, within the sentence start..end."""
    left = max((m.end() for m in CLAUSE_BREAK.finditer(text, start, offset)), default=start)
    right = next((m.start() for m in CLAUSE_BREAK.finditer(text, offset, end)), end)
    return left, right


def same_number(a: Decimal | int, b: Decimal | int) -> bool:
    return Decimal(a) == Decimal(b)


# Words beside any count: they tell no count from another.
GENERIC_CONTEXT = frozenset({"患者", "例患", "名患", "位患", "治疗", "其中", "中有", "例中", "名中", "项试", "试验", "研究",
                             "的患", "者中", "例的", "名的", "共有", "仅有", "约有", "达到", "之后", "以后", "以上"})

CONTEXT_BREAK = re.compile(r"[，,；;。]")


def population_covers(population: str | None, subgroup: str) -> bool:
    """True when a part's population gives the subgroup an excerpt states: its figures and names (HER2 3+,
    随访超过 12 个月), or its words."""
    if not population:
        return False
    needed = anchors(subgroup)
    if needed:
        return needed <= anchors(population)
    # In either script: the table is written in simplified Chinese, the article may be traditional.
    return simplified(compact(subgroup)).replace("的", "") in simplified(compact(population)).replace("的", "")


BOUND_WORDS = {"more-than": "qualified as more than (超过, 以上)", "at-least": "qualified as at least (至少)",
               "up-to": "qualified as up to (长达, 最长)", "about": "qualified as about (约, 大约)",
               "exact": "stated without a qualifier"}
