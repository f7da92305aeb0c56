"""Checks across files: ids are unique, references resolve, excerpts are verbatim, figures and claims are quoted.

Runs after every file has been read and schema-validated (``reports.evidence``,
``reports.articles``), and reports every problem at the line and column of the YAML value.
What it enforces, rule by rule (the README's "The rules reports check enforces" says the same):

1. Every excerpt occurs in its article word for word, both in the normal form (``reports.text``:
   NFC, invisible characters left out, whitespace collapsed); an invisible character inside or
   beside a number, in an article or an excerpt, is an error. The article's text is the one its
   Markdown prints: asterisks and underscores between digits, every backslash and an ordered list
   item's number are text (``reports.articles``), and a quotation prints exactly the verified
   text. An excerpt may not begin or end inside a number of the article (2 名 cut from 12 名).
2. Every figure of a row is stated in one of the excerpts its part cites, as a number of the
   right kind (``reports.figures``): a count of patients as a count of people, a percentage with
   its percent sign, a duration with its unit, a grade as a grade; never inside an identifier or
   a date. A 0 may be stated as an absence (未观察到). A figure the curator computed is declared
   with ``derived`` and recomputed here from numbers stated in the excerpts.
3. What a figure is about (an outcome's name, an adverse event's term, a landscape label, or one
   of its ``quoted_as`` forms) stands in the same sentence of the excerpt as the figure, and is the
   name nearest the figure in its clause among the row's names (a landscape's: its series');
   a ``quoted_as`` form names what the printed name names.
4. An ``of`` is stated as a denominator (or follows from a stated n with its percentage);
   enrolled/treated/evaluable stand with a word that says so; a subgroup's figure needs the
   subgroup in ``population``.
5. A grading system and version are stated in a cited excerpt, in a sentence naming the event.
6. A study's phase is stated in one of its excerpts (or is ``not-reported``, or ``n-a``).
7. Every number in the curator's own text (overview, landscape summary, limitations and
   denominators, a study's descriptive fields, editor's notes) occurs in an excerpt of the same
   table (a study's: of the same row), with the same qualifier, subgroup and name, or is declared
   in ``own_figures`` with a reason.
8. Clinical words of the curator's text are stated in the scope's excerpts (``reports.claims``,
   ``reports/content/lexicon.yaml``); design fields are stated or ``not-reported``; promotional words are
   refused.
9. A row's paper (journal, title, DOI, publication date, first author) and its registry ids occur
   in the text of an article the row quotes (whitespace and case aside; a journal by a Chinese name
   of reports/content/bibliography.py's list or its ``journal_zh``; a date as 2025年2月17日 or 2025-02-17),
   or are declared under ``source.supplied`` with the value, the record it was checked in and the
   day; they print with ‡. An index entry's title and date agree with the article's front matter,
   or occur in the file, or are declared (``reports.bibliography``).
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from rapidfuzz import fuzz

from reports.content.articles import Article
from reports.content.bibliography import article_texts, check_bibliography
from reports.content.claims import (
    PHASE_OF_CODE,
    Lexicon,
    Scope,
    anchors,
    design_groups,
    design_problems,
    lexicon_for,
    phase_tokens,
    simplified,
    unbacked_words,
)
from reports.content.evidence import EvidenceFile
from reports.content.glossary import abbreviations_in
from reports.content.model import (
    DESIGN_RATINGS,
    AdverseEvent,
    Backed,
    Enrollment,
    EvidenceTable,
    Excerpt,
    FollowUp,
    Glossary,
    Landscape,
    LandscapeItem,
    Measurement,
    Overview,
    OwnFigure,
    ProjectSettings,
    Study,
    agrees_as_written,
    design_kind,
    own_figure_spans,
)
from reports.content.settings import promotional_warning, promotional_words_in
from reports.content.sources import PathKey, Positions, walk_models
from reports.errors import Problems
from reports.text.figures import (
    COUNT,
    DATE,
    GRADE,
    IDENTIFIER,
    ITEMS,
    KIND_NAMES,
    NOT_SUBGROUP,
    ORDINAL,
    PERCENT,
    PLAIN,
    QUANTITIES,
    SUBGROUP_KINDS,
    SUBGROUP_RE,
    TRIALS,
    Figure,
    bound_of,
    compact,
    figures_in,
    is_denominator,
    kinds_for_unit,
    sentences_of,
    states_absence,
    subgroup_of,
    term_forms,
    unit_length,
)
from reports.text.normal import hidden_by_numbers, inside_number, normal_form, squeezed, whole_number

FOLLOW_UP_KINDS = {"days": "duration:days", "weeks": "duration:weeks", "months": "duration:months",
                   "years": "duration:years"}
COUNTED = frozenset({COUNT, TRIALS, ITEMS})
# How each grading system is named in a source, in Chinese and English.
GRADING_NAMES = {
    "CTCAE": r"CTCAE|不良事件通用术语标准|不良事件通用術語標準|Common Terminology Criteria",
    "ASTCT": r"ASTCT|美国移植和细胞治疗学会|美國移植和細胞治療學會|American Society (?:for|of) Transplantation and "
             r"Cellular Therapy",
}
ROMAN = {"I": 1, "Ⅰ": 1, "1": 1, "一": 1, "II": 2, "Ⅱ": 2, "2": 2, "二": 2, "III": 3, "Ⅲ": 3, "3": 3, "三": 3,
         "IV": 4, "Ⅳ": 4, "4": 4, "四": 4}
_ROMAN = "|".join(sorted(ROMAN, key=len, reverse=True))
# A phase as a trial's phase (I 期临床试验, 一期临床试验, phase 1/2), not a disease stage (Ⅳ期).
PHASE_ZH = re.compile(rf"(?<![A-Za-zⅠⅡⅢⅣ/／])(早期\s*)?({_ROMAN})(?:\s*[/／]\s*({_ROMAN}))?\s*期\s*"
                      r"(?:临床|臨牀|臨床)?\s*(?:试验|試驗|研究)")
PHASE_EN = re.compile(r"\b(early\s+)?phase\s*(I{1,3}|IV|[1-4])(?:\s*/\s*(I{1,3}|IV|[1-4]))?\b", re.IGNORECASE)
PHASE_CODES = {1: "phase-1", 2: "phase-2", 3: "phase-3", 4: "phase-4"}


@dataclass
class ArticleText:
    """An article's visible text in the normal form, and where each block starts in it."""

    text: str
    starts: list[tuple[int, int]]  # (offset in text, file line)

    @classmethod
    def of(cls, article: Article) -> "ArticleText":
        parts, starts, offset = [], [], 0
        for block in article.blocks:
            normal = normal_form(block.text)
            starts.append((offset, block.line))
            parts.append(normal)
            offset += len(normal) + 1
        return cls(" ".join(parts), starts)

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1] if self.starts else 1
        for start, block_line in self.starts:
            if start > offset:
                break
            line = block_line
        return line


@dataclass
class Verification:
    """What a check verified, counted for its summary line."""

    excerpts: int = 0
    figures: int = 0
    claims: int = 0  # terms beside their figures, gradings, phases
    prose_numbers: int = 0
    own_figures: int = 0  # numbers the curator declared as their own

    def summary(self) -> str:
        return (f"{self.figures} figures, {self.claims} claims (terms, gradings, phases, clinical words) and "
                f"{self.prose_numbers} numbers in prose checked against {self.excerpts} verified excerpts; "
                f"{self.own_figures} numbers marked as the curator's own")


# ---------------------------------------------------------------------------------------------
# Figures: which kind of number backs which field, and whether an excerpt states it.


@dataclass(frozen=True)
class Claim:
    """One figure of a part, what kinds of number can state it, and whether its term must stand beside it."""

    name: str  # the field's path inside the part, e.g. "ci.lower"
    value: Decimal | int
    kinds: frozenset[str]
    needs_term: bool
    bound: str | None = None  # Measurement.bound: backed only where the source qualifies the number so (超过, 约)
    role: str | None = None  # "of": stated as a denominator; enrolled / treated / evaluable: with a word saying so


def claims_of(part: Backed) -> Iterator[Claim]:
    """The figures of a part that must be backed by its excerpts, each with the kinds that can back it."""
    counts = frozenset({COUNT})
    if isinstance(part, Enrollment):
        for name in ("enrolled", "treated", "evaluable"):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), counts, False, role=name)
    elif isinstance(part, Measurement):
        value_kinds = kinds_for_unit(part.unit)
        if part.value is not None:
            yield Claim("value", part.value, value_kinds, True, part.bound)
        if part.n is not None:
            yield Claim("n", part.n, counts, True)
        if part.of is not None:
            yield Claim("of", part.of, counts, False, role="of")
        for interval in ("ci", "iqr"):
            bounds = getattr(part, interval)
            if bounds is not None:
                yield Claim(f"{interval}.lower", bounds.lower, value_kinds | {PLAIN}, False)
                yield Claim(f"{interval}.upper", bounds.upper, value_kinds | {PLAIN}, False)
                if bounds.level is not None:
                    yield Claim(f"{interval}.level", bounds.level, frozenset({PERCENT}), False)
    elif isinstance(part, AdverseEvent):
        for name, kinds in (("patients", counts), ("percent", frozenset({PERCENT})),
                            ("max_grade", frozenset({GRADE})), ("grade_3_plus", counts)):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), kinds, True)
        if part.of is not None:
            yield Claim("of", part.of, counts, False, role="of")
    elif isinstance(part, FollowUp):
        for name in ("median", "longest"):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), frozenset({FOLLOW_UP_KINDS[part.unit]}), False)
    elif isinstance(part, LandscapeItem):
        if part.value is not None:
            yield Claim("value", part.value, kinds_for_unit(part.unit), True)
        for name, needs_term in (("n", True), ("of", False)):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), frozenset({COUNT, TRIALS}), needs_term,
                            role="of" if name == "of" else None)


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
        if not terms:
            return True
        here = compact(self.sentences[sentence])
        return any(holds_term(here, term) for term in terms)

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
# Head nouns of a count (891 项试验, 14 名患者) name what is counted, not which row it belongs to.
GENERIC_LABELS = frozenset({"试验", "試驗", "临床试验", "臨床試驗", "患者", "研究"})


def holds_term(text: str, term: str, start: int = 0) -> int:
    """Where ``term`` stands in ``text`` as a whole name (1-based; 0 when it does not): I 期及以后 is not
    inside II 期及以后, nor CD2 inside CD22; both compacted."""
    at = text.find(term, start)
    while at >= 0:
        before = text[at - 1] if at else ""
        after = text[at + len(term):at + len(term) + 1]
        if not (term[0].isascii() and term[0].isalnum() and before.isascii() and before.isalnum()) and not (
                term[-1].isascii() and term[-1].isalnum() and after.isascii() and after.isalnum()):
            return at + 1
        at = text.find(term, at + 1)
    return 0


@lru_cache(maxsize=4096)
def read_prose(text: str) -> Quoted:
    """A piece of the curator's text read once, for the several checks of its numbers and words."""
    return Quoted.of_text("", text)


def clause_around(text: str, offset: int, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the clause of ``text`` that holds ``offset``, within the sentence start..end."""
    left = max((m.end() for m in CLAUSE_BREAK.finditer(text, start, offset)), default=start)
    right = next((m.start() for m in CLAUSE_BREAK.finditer(text, offset, end)), end)
    return left, right


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

    def add(self, part: Backed) -> None:
        self.names[id(part)] = term_shown(part)
        for form in term_forms(printed_name(part), []):
            if simplified(form) not in GENERIC_LABELS:
                self.printed.setdefault(simplified(form), set()).add(id(part))
        for form in dict.fromkeys(simplified(form) for form in part_terms(part)):
            if form not in GENERIC_LABELS:
                self.owners.setdefault(form, set()).add(id(part))

    def occurrences(self, text: str, start: int, end: int) -> list[tuple[int, int, frozenset[int]]]:
        """(start, end, owners) of each name in text[start:end], a shorter name inside a longer one left out."""
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


def _same(a: Decimal | int, b: Decimal | int) -> bool:
    return Decimal(a) == Decimal(b)


@dataclass
class Binding:
    """What a part's figures must stand with in an excerpt, beyond their value and kind: the part's own name
    nearest to them (among the names of the row's other parts), and its subgroup."""

    labels: "Labels | None" = None
    me: int = 0
    population: str | None = None
    n: int | None = None  # the part's numerator, for a denominator a stated rate implies


# What says a count of people is of those enrolled, treated or evaluable.
ROLE_WORDS = {
    "enrolled": r"纳入|納入|入组|入組|招募|入选|入選|参与|參與|enrolled|enrol|recruited|participants",
    "treated": r"治疗|治療|接受|输注|輸注|给药|給藥|treated|infused|received|dosed",
    "evaluable": r"可评估|可評估|可评价|可評價|evaluable|assessable",
}
ROLE_NAMES = {"enrolled": "enrolled (纳入, 入组, 招募)", "treated": "treated (接受治疗, 输注)",
              "evaluable": "evaluable (可评估)"}


def find_backing(claim: Claim, quoted: list[Quoted], terms: list[str], binding: Binding | None = None) -> str | None:
    """None when an excerpt states the claim; otherwise what the excerpts have instead, for the message."""
    binding = binding or Binding()
    term_needed = claim.needs_term and bool(terms)
    near_misses: list[str] = []
    for excerpt in quoted:
        for figure in excerpt.figures:
            if not _same(figure.value, claim.value):
                continue
            shown = figure.shown(excerpt.text)
            nearest = (excerpt.labels_near(figure, binding.labels)
                       if term_needed and binding.labels is not None else set())
            subgroup = subgroup_of(excerpt.text, figure, excerpt.spans[figure.sentence])
            if figure.kind not in claim.kinds:
                near_misses.append(f"{claim.value} occurs only {KIND_NAMES[figure.kind]} (“{shown}” in {excerpt.id})")
            elif term_needed and not excerpt.names(figure.sentence, terms):
                near_misses.append(f"“{shown}” in {excerpt.id} is in a sentence that does not name what the figure "
                                   "is about")
            elif nearest and binding.me not in nearest:
                other = " or ".join(binding.labels.names[owner] for owner in sorted(nearest))
                near_misses.append(f"“{shown}” in {excerpt.id} belongs to {other}, the name nearest to it")
            elif claim.bound is not None and bound_of(excerpt.text, figure) != claim.bound:
                stated = bound_of(excerpt.text, figure)
                near_misses.append(f"“{shown}” in {excerpt.id} is {BOUND_WORDS[stated]}, not bound: {claim.bound}; "
                                   f"write bound: {stated}")
            elif claim.role == "of" and not (is_denominator(excerpt.text, figure)
                                              or rate_implies(quoted, binding.n, claim.value)):
                near_misses.append(f"“{shown}” in {excerpt.id} is not stated as the denominator (X 例中, n/X, of X)")
            elif claim.role in ROLE_WORDS and not re.search(ROLE_WORDS[claim.role], excerpt.sentences[figure.sentence],
                                                             re.IGNORECASE):
                near_misses.append(f"“{shown}” in {excerpt.id} is in a sentence that does not say the patients were "
                                   f"{ROLE_NAMES[claim.role]}")
            elif claim.role is None and subgroup and not population_covers(binding.population, subgroup):
                near_misses.append(f"“{shown}” in {excerpt.id} is of a subgroup (在{subgroup}中), which the item does "
                                   f"not give; write it under population:")
            else:
                return None
        if _same(claim.value, 0) and (COUNT in claim.kinds or PERCENT in claim.kinds):
            for index, sentence in enumerate(excerpt.sentences):
                if states_absence(sentence):
                    if not term_needed or excerpt.names(index, terms):
                        return None
                    near_misses.append(f"{excerpt.id} states an absence, but not in a sentence that names what "
                                       "the figure is about")
    if near_misses:
        return "; ".join(dict.fromkeys(near_misses))
    return f"no {claim.value} in them"


# Words beside any count: they tell no count from another.
GENERIC_CONTEXT = frozenset({"患者", "例患", "名患", "位患", "治疗", "其中", "中有", "例中", "名中", "项试", "试验", "研究",
                             "的患", "者中", "例的", "名的", "共有", "仅有", "约有", "达到", "之后", "以后", "以上"})


def context_words(quoted: Quoted, figure: Figure, labels: Iterable[Labels] = (), whole_sentence: bool = False) -> set[str]:
    """The words of a count's or a percentage's clause (or sentence), in simplified script, its own number
    and unit left out, with the row's names it holds as one word each (CRS and 细胞因子释放综合征 alike):
    what tells 18 例复发或难治性 from 1 例出现细胞因子释放综合征."""
    start, end = quoted.spans[figure.sentence]
    if not whole_sentence:
        start = max((m.end() for m in CONTEXT_BREAK.finditer(quoted.text, start, figure.start)), default=start)
        end = next((m.start() for m in CONTEXT_BREAK.finditer(quoted.text, figure.end, end)), end)
    after = figure.end + unit_length(quoted.text, figure.end)
    window = quoted.text[start:figure.start] + " " + quoted.text[after:end]
    folded = simplified(window).lower()
    words = set(re.findall(r"[a-z][a-z0-9+\-]+", folded))
    for run in re.findall(r"[\u3400-\u9fff]+", folded):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    for group in labels:
        for _, _, owners in group.occurrences(quoted.text, start, end):
            words.update(f"#{owner}" for owner in owners)
    return words - GENERIC_CONTEXT


CONTEXT_BREAK = re.compile(r"[，,；;。]")
# A count and its denominator: 18 例患者（1 级）中有 1 例, 7 例…存活（其中 2 例, 17/18.
PAIR_IN = re.compile(r"(\d+)\s*(?:例|名|位|人|项|項)[^。；;]{0,20}?中[^。；;\d]{0,6}?(\d+)\s*(?:例|名|位|人|项|項)")
PAIR_SLASH = re.compile(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])")


def count_pairs_at(text: str) -> list[tuple[tuple[int, int], int]]:
    """((denominator, count), where) of each count given with its denominator in a text."""
    found = [((int(m.group(1)), int(m.group(2))), m.start()) for m in PAIR_IN.finditer(text)]
    found += [((int(m.group(2)), int(m.group(1))), m.start()) for m in PAIR_SLASH.finditer(text)]
    return [(pair, at) for pair, at in found if pair[1] <= pair[0]]


# In an excerpt also: 在 1580 项试验中,92.2%(1457 项).
PAIR_WITH_RATE = re.compile(r"(\d+)\s*(?:例|名|位|人|项|項)[^。；;]{0,20}?中[^。；;]{0,12}?[(（]\s*(\d+)\s*(?:例|名|位|人|项|項)")


def count_pairs(text: str) -> set[tuple[int, int]]:
    """The (denominator, count) pairs an excerpt states."""
    pairs = {pair for pair, _ in count_pairs_at(text)}
    return pairs | {(int(m.group(1)), int(m.group(2))) for m in PAIR_WITH_RATE.finditer(text)}


SEVERE_BEFORE = re.compile(r"(?:严重|嚴重|重度|3\s*级及以上|3\s*級及以上|≥\s*3\s*级)[^，,；;。、]{0,3}$")


SEVERE_WORD = re.compile(r"严重|嚴重|重度|3\s*级及以上|3\s*級及以上|≥\s*3")


def severe_before(text: str, at: int, start: int) -> bool:
    return bool(SEVERE_BEFORE.search(text[max(start, at - 8):at]))


def absence_clauses(quoted: Quoted) -> list[tuple[int, int]]:
    """(start, end) of each clause that says something did not occur (未观察到…, 无…), up to the next ，or ；."""
    clauses, start = [], 0
    for match in [*CONTEXT_BREAK.finditer(quoted.text), None]:
        end = match.start() if match else len(quoted.text)
        if states_absence(quoted.text[start:end]) or re.search(r"未见|未見|(?<![无無])无(?!论|需|法|对照|论)", quoted.text[start:end]):
            clauses.append((start, end))
        start = match.end() if match else end
    return clauses


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


def rate_implies(quoted: list[Quoted], n: int | None, of: int | Decimal) -> bool:
    """True when an excerpt states n with its percentage and n/of rounds to it as written: 891 项(56.4%) of
    1580 (the total the excerpts state elsewhere)."""
    if n is None:
        return False
    for excerpt in quoted:
        figures = excerpt.figures
        for figure, following in zip(figures, figures[1:]):
            if (figure.kind in COUNTED and _same(figure.value, n) and following.kind == PERCENT
                    and following.sentence == figure.sentence and following.start - figure.end <= 12
                    and agrees_as_written(Decimal(n) * 100 / Decimal(of), following.value)):
                return True
    return False


def population_covers(population: str | None, subgroup: str) -> bool:
    """True when a part's population gives the subgroup an excerpt states: its figures and names (HER2 3+,
    随访超过 12 个月), or its words."""
    if not population:
        return False
    needed = anchors(subgroup)
    if needed:
        return needed <= anchors(population)
    return compact(subgroup).replace("的", "") in compact(population).replace("的", "")


BOUND_WORDS = {"more-than": "qualified as more than (超过, 以上)", "at-least": "qualified as at least (至少)",
               "up-to": "qualified as up to (长达, 最长)", "about": "qualified as about (约, 大约)",
               "exact": "stated without a qualifier"}


def describe_kinds(kinds: frozenset[str]) -> str:
    if kinds == QUANTITIES or len(kinds) > 3:
        return "as a quantity"
    return " or ".join(sorted(KIND_NAMES[kind] for kind in kinds))


# ---------------------------------------------------------------------------------------------
# Derived figures: the curator's arithmetic on stated numbers, recomputed.

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate(expression: str, names: dict[str, Decimal]) -> tuple[Decimal, list[Decimal]]:
    """The value of an arithmetic expression (+ - * / and brackets) and the literal numbers it uses.

    Written with ``ast`` instead of ``eval``: the expression is the curator's text and runs nothing.
    """
    literals: list[Decimal] = []

    def walk(node: ast.AST) -> Decimal:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            number = Decimal(str(node.value))
            literals.append(number)
            return number
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError("use numbers, n, of, + - * / and brackets only")

    if len(expression) > 200:
        raise ValueError("the expression is longer than 200 characters")
    try:
        tree = ast.parse(expression.replace("×", "*").replace("−", "-").replace("÷", "/"), mode="eval")
        return walk(tree), literals
    except (SyntaxError, ZeroDivisionError, InvalidOperation) as error:
        raise ValueError(f"cannot compute it ({error.__class__.__name__})") from None


# ---------------------------------------------------------------------------------------------
# Claims beyond figures: gradings and phases.


def grading_stated(event: AdverseEvent, quoted: list[Quoted], terms: list[str]) -> bool:
    """The grading system and its version are named in a sentence of a cited excerpt that names the event."""
    system = GRADING_NAMES[event.grading.system]
    version = Decimal(event.grading.version) if re.fullmatch(r"\d+(\.\d+)?", event.grading.version or "") else None
    for excerpt in quoted:
        for index, sentence in enumerate(excerpt.sentences):
            if not re.search(system, sentence, re.IGNORECASE) or not excerpt.names(index, terms):
                continue
            numbers = [f.value for f in excerpt.figures if f.sentence == index and f.kind != IDENTIFIER]
            if version is None or any(_same(number, version) for number in numbers):
                return True
    return False


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


# ---------------------------------------------------------------------------------------------
# Prose: numbers in the curator's own sentences.


def prose_matches(figure: Figure, pool: Iterable[Figure]) -> bool:
    """A number of the curator's prose is backed by a number of the same value and a compatible kind."""
    for other in pool:
        if other.kind == IDENTIFIER or not _same(other.value, figure.value):
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


@dataclass
class Prose:
    """A piece of the curator's text, where it stands, and the excerpts its numbers are checked against."""

    text: str
    key: PathKey
    about: str = ""  # for an item's result: its name and population, which the result is read with


def study_prose(study: Study, key: PathKey) -> Iterator[Prose]:
    for name in ("title", "indication", "population", "intervention", "safety_not_reported"):
        if getattr(study, name):
            yield Prose(getattr(study, name), key + (name,))
    yield Prose(study.design.summary, key + ("design", "summary"))
    for group in ("baseline", "outcomes"):
        for index, item in enumerate(getattr(study, group)):
            about = f"{item.name} {item.population or ''}"
            for name in ("name", "result", "timepoint", "population"):
                if getattr(item, name):
                    yield Prose(getattr(item, name), key + (group, index, name), about)
    for index, event in enumerate(study.adverse_events):
        yield Prose(event.term, key + ("adverse_events", index, "term"))
        yield Prose(event.summary, key + ("adverse_events", index, "summary"), event.term)
    if study.follow_up:
        yield Prose(study.follow_up.summary, key + ("follow_up", "summary"))
    for steps in ("rated_down", "rated_up"):
        for index, step in enumerate(getattr(study.certainty, steps)):
            yield Prose(step.reason, key + ("certainty", steps, index, "reason"))


def landscape_prose(landscape: Landscape, key: PathKey) -> Iterator[Prose]:
    for name in ("title", "summary", "data_source"):
        yield Prose(getattr(landscape, name), key + (name,))
    for index, limitation in enumerate(landscape.limitations):
        yield Prose(limitation, key + ("limitations", index))
    for index, series in enumerate(landscape.series):
        yield Prose(series.title, key + ("series", index, "title"))
        yield Prose(series.denominator, key + ("series", index, "denominator"))


def notes_prose(row: Study | Landscape, key: PathKey) -> Iterator[Prose]:
    for index, excerpt in enumerate(row.excerpts):
        if excerpt.note:
            yield Prose(excerpt.note, key + ("excerpts", index, "note"))


def row_prose(row: Study | Landscape, key: PathKey) -> list[Prose]:
    """A row's own text: a study's descriptive fields or a landscape's, then its editor's notes."""
    own = study_prose(row, key) if isinstance(row, Study) else landscape_prose(row, key)
    return [*own, *notes_prose(row, key)]


def overview_prose(overview: Overview) -> list[Prose]:
    return [Prose(getattr(overview, name), ("overview", name))
            for name in ("mechanism", "status", "key_message") if getattr(overview, name)]


def dotted(key: PathKey) -> str:
    """A value's path as messages name it: studies.0.certainty.grade."""
    return ".".join(str(part) for part in key)


def keyed_rows(table: EvidenceTable) -> list[tuple[Study | Landscape, PathKey]]:
    """The table's rows (``EvidenceTable.rows``), each with its place in the YAML document."""
    rows: list[tuple[Study | Landscape, PathKey]] = [(study, ("studies", index))
                                                     for index, study in enumerate(table.studies)]
    return rows + ([(table.landscape, ("landscape",))] if table.landscape else [])


# ---------------------------------------------------------------------------------------------
# The check.


@dataclass
class TableCheck:
    """Checking one evidence file: where its values stand, its rows' excerpts, and the counts."""

    file: EvidenceFile
    problems: Problems
    verification: Verification
    used: set[str] = field(default_factory=set)
    lexicon: Lexicon | None = None

    @property
    def positions(self) -> Positions:
        return self.file.positions

    def error(self, key: PathKey, message: str) -> None:
        self.problems.error(self.file.path, *self.positions.of(key), message)

    def check_part(self, part: Backed, key: PathKey, own: dict[str, Excerpt], labels: "Labels | None" = None) -> None:
        quoted = []
        for number, excerpt_id in enumerate(part.excerpts):
            if excerpt_id not in own:
                self.error(key + ("excerpts", number),
                           f"unknown excerpt '{excerpt_id}'; this row's excerpts are: {', '.join(own) or 'none'}")
            else:
                self.used.add(excerpt_id)
                quoted.append(Quoted.of(own[excerpt_id]))
        if not quoted:
            return
        terms = part_terms(part)
        self.check_quoted_as(part, key, quoted, labels)
        if isinstance(part, AdverseEvent):
            self.check_event_named(part, key, quoted)
        self.check_name_figures(part, key, quoted)
        derived = dict(getattr(part, "derived", {}))
        for claim in claims_of(part):
            field_key = key + tuple(claim.name.split("."))
            where = ".".join(str(k) for k in field_key)
            if claim.name in derived:
                self.check_derived(part, claim, derived.pop(claim.name), quoted, field_key, where)
                continue
            binding = Binding(labels, id(part), getattr(part, "population", None),
                              getattr(part, "n", None) if not isinstance(part, AdverseEvent) else part.patients)
            missing = find_backing(claim, quoted, terms, binding)
            if missing is None:
                self.verification.figures += 1
                if claim.needs_term and terms:
                    self.verification.claims += 1
                continue
            about = f" in a sentence naming {term_shown(part)}" if claim.needs_term and terms else ""
            fix = ("quote the clause that gives this figure, add the excerpt's wording of the term to quoted_as, "
                   "or correct the figure") if about else "quote the sentence that gives this figure, or correct it"
            self.error(field_key, f"{where} = {claim.value} is not stated {describe_kinds(claim.kinds)}{about} in its "
                                  f"excerpts ({', '.join(part.excerpts)}): {missing}; {fix}")
        for name in derived:
            self.error(key + ("derived", name), f"derived: '{name}' is not given in this item; give {name} too, "
                                                "or remove its expression")
        if isinstance(part, AdverseEvent) and part.grading.system != "not-reported":
            if grading_stated(part, quoted, terms):
                self.verification.claims += 1
            else:
                grading = f"{part.grading.system} {part.grading.version}"
                self.error(key + ("grading", "system"),
                           f"grading {grading} is not stated in its excerpts ({', '.join(part.excerpts)}) in a sentence "
                           f"naming {term_shown(part)}; quote where the source says how this event was graded, "
                           "or write grading: {system: not-reported}")

    def check_name_figures(self, part: Backed, key: PathKey, quoted: list[Quoted]) -> None:
        """A number in an item's printed name (存活 8 年以上) is stated in the item's own excerpts: the name is
        what its figures are about."""
        name = printed_name(part)
        field_name = "name" if hasattr(part, "name") else "term" if hasattr(part, "term") else "label"
        for figure in figures_in(name):
            if figure.kind != IDENTIFIER and not any(prose_matches(figure, excerpt.figures) for excerpt in quoted):
                self.error(key + (field_name,), f"{dotted(key + (field_name,))}: “{figure.shown(name)}” in the name is "
                                                f"not stated in this item's excerpts ({', '.join(part.excerpts)}); "
                                                "name the item by what its own excerpts say")

    def check_event_named(self, event: AdverseEvent, key: PathKey, quoted: list[Quoted]) -> None:
        """An adverse event is named in its excerpts (its term, a part of it, or a quoted_as form), even with no
        figure: a term that no excerpt names is a harm the source does not report."""
        texts = [simplified(compact(excerpt.text)) for excerpt in quoted]
        forms = [simplified(form) for form in part_terms(event)]
        if event.patients == 0 and not SEVERE_WORD.search(event.term):
            alone = Labels()
            alone.add(event)
            if only_severe_absence(quoted, alone, frozenset({id(event)})):
                self.error(key + ("term",), f"{dotted(key + ('term',))}: “{event.term}” with 0 patients says none "
                                            "occurred, but the source says only that none was severe (严重); keep its "
                                            "qualifier in the term")
        if not any(holds_term(text, form) for text in texts for form in forms):
            self.error(key + ("term",), f"{dotted(key + ('term',))}: {term_shown(event)} is not named in its excerpts "
                                        f"({', '.join(event.excerpts)}); cite the excerpt that reports this event, or "
                                        "add the excerpt's wording of it to quoted_as")

    def check_quoted_as(self, part: Backed, key: PathKey, quoted: list[Quoted], labels: "Labels | None" = None) -> None:
        """A quoted_as form must be how a cited excerpt names the thing: it occurs in one of them, names what the
        printed name names, and is not another item's name."""
        texts = [compact(excerpt.text) for excerpt in quoted]
        own_forms = {simplified(form) for form in term_forms(printed_name(part), [])}
        for index, form in enumerate(getattr(part, "quoted_as", [])):
            if len(compact(form)) < 2:
                self.error(key + ("quoted_as", index), f"quoted_as “{form}” is too short to name anything; quote "
                                                       "at least two characters of the excerpt's wording")
            elif not any(compact(form) in text for text in texts):
                self.error(key + ("quoted_as", index), f"quoted_as “{form}” does not occur in the cited excerpts "
                                                       f"({', '.join(part.excerpts)}); copy the excerpt's own words")
            elif self.lexicon is not None and not self.lexicon.same_thing(form, printed_name(part)):
                self.error(key + ("quoted_as", index), f"quoted_as “{form}” does not name what “{printed_name(part)}” "
                                                       "names (they share no word); print the source's name for it, "
                                                       "or quote where the source names this")
            elif labels is not None and (other := other_name_in(simplified(compact(form)), part, labels, own_forms)):
                self.error(key + ("quoted_as", index), f"quoted_as “{form}” is the name of another item, {other}; "
                                                       f"name “{printed_name(part)}” by the source's own words for it")

    def check_derived(self, part: Backed, claim: Claim, expression: str, quoted: list[Quoted], key: PathKey,
                      where: str) -> None:
        names = {name: Decimal(getattr(part, name)) for name in ("n", "of") if getattr(part, name, None) is not None}
        try:
            computed, literals = evaluate(expression, names)
        except ValueError as error:
            self.error(key, f"{where}: derived '{expression}': {error}")
            return
        if not agrees_as_written(computed, claim.value):
            self.error(key, f"{where} = {claim.value}, but derived '{expression}' gives {computed:.4g}; correct the "
                            "figure or the expression")
            return
        pool = [figure for excerpt in quoted for figure in excerpt.figures if figure.kind not in (IDENTIFIER, DATE)]
        for literal in literals:
            if literal == 100:
                continue  # turns a proportion into a percentage
            if not any(_same(figure.value, literal) for figure in pool):
                self.error(key, f"{where}: derived '{expression}' uses {literal}, which its excerpts "
                                f"({', '.join(part.excerpts)}) do not state; compute only from quoted figures")
                return
        self.verification.figures += 1

    def check_phase(self, study: Study, key: PathKey) -> None:
        if study.phase in ("n-a", "not-reported"):
            return
        stated: set[str] = set()
        for excerpt in study.excerpts:
            phases = phases_stated(normal_form(excerpt.text))
            if study.phase in phases:
                self.used.add(excerpt.id)
            stated |= phases
        if study.phase in stated:
            self.verification.claims += 1
            return
        said = f"they state {', '.join(sorted(stated))}" if stated else "none of them states a phase"
        self.error(key + ("phase",), f"phase {study.phase} is not stated in this study's excerpts ({said}); quote "
                                     "where the source gives the phase, or write phase: not-reported")

    def check_certainty(self, study: Study, key: PathKey) -> None:
        """A typed grade or cebm_level must be what the design and the rated steps give: the
        computed one is printed, and a typed one that says otherwise is a curator's mistake."""
        certainty, key = study.certainty, key + ("certainty",)
        design = DESIGN_RATINGS[design_kind(study.design)][2]
        if certainty.grade is not None and certainty.grade != study.grade:
            steps = [("rated_down", "−", certainty.rated_down), ("rated_up", "+", certainty.rated_up)]
            given = [f"{name} ({', '.join(f'{step.domain} {sign}{step.levels}' for step in listed)})"
                     for name, sign, listed in steps if listed] or ["no rated_down"]
            self.error(key + ("grade",), f"{dotted(key + ('grade',))}: typed '{certainty.grade}' but the design "
                                         f"({design}) and {' and '.join(given)} give '{study.grade}'; remove "
                                         "grade: or correct rated_down/rated_up")
        if certainty.cebm_level is not None and certainty.cebm_level != study.cebm_level:
            self.error(key + ("cebm_level",), f"{dotted(key + ('cebm_level',))}: typed {certainty.cebm_level} but the "
                                              f"design ({design}) gives OCEBM 2011 level {study.cebm_level}; remove "
                                              "cebm_level: or correct the design")

    def check_severity(self, pieces: Iterable[Prose], quoted: list[Quoted], label_groups: list[Labels]) -> None:
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
                            self.error(piece.key, f"{dotted(piece.key)}: “{name}” is said not to occur, but the source "
                                                  f"says only that no severe {name} (严重) occurred; keep its qualifier")

    def check_absent_subgroups(self, pieces: Iterable[Prose], quoted: list[Quoted]) -> None:
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
                        self.error(piece.key, f"{dotted(piece.key)}: the source states this absence only for a "
                                              f"subgroup (在{subgroup}中); name it here")
                        break

    def check_pairs(self, pieces: Iterable[Prose], quoted: list[Quoted], own: list[OwnFigure], scope: str) -> None:
        """A count given with its denominator in prose (9 例中 6 例, 7/19) is given so in an excerpt: each number
        may stand elsewhere in the excerpts, but not the pair."""
        stated = {pair for excerpt in quoted for pair in count_pairs(simplified(excerpt.text))}
        for piece in pieces:
            spans = own_figure_spans(piece.text, own)
            for pair, start in count_pairs_at(piece.text):
                if pair not in stated and not any(a <= start < b for a, b in spans):
                    self.error(piece.key, f"{dotted(piece.key)}: “{pair[1]} of {pair[0]}” is not stated as such in "
                                          f"{scope}; write the count with the denominator the source gives it")

    def check_prose(self, pieces: Iterable[Prose], quoted: list[Quoted], own: list[OwnFigure],
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
                    self.verification.own_figures += 1
                    continue
                backing, misses = [], []
                for excerpt in quoted:
                    for other in excerpt.figures:
                        if prose_matches(figure, [other]):
                            miss = prose_mismatch(prose, figure, excerpt, other, label_groups, piece.about)
                            (misses.append(miss) if miss else backing.append(excerpt.id))
                if backing:
                    self.verification.prose_numbers += 1
                    self.used.update(backing)
                    continue
                where = ".".join(str(k) for k in piece.key)
                shown = figure.shown(piece.text)
                if misses:
                    self.error(piece.key, f"{where}: “{shown}” {'; '.join(dict.fromkeys(misses))}; write it as the "
                                          "source states it")
                    continue
                self.error(piece.key, f"{where}: “{shown}” is not stated in {scope}; quote the sentence that gives "
                                      f"it, or declare it under {'.'.join(map(str, own_key))} as "
                                      f"{{figure: \"{shown}\", reason: ...}}")
        return found

    def check_words(self, pieces: Iterable[Prose], scope: Scope, scope_name: str) -> None:
        """The clinical words of the curator's text (reports/content/lexicon.yaml) are stated in the scope's excerpts."""
        for piece in pieces:
            where = ".".join(str(k) for k in piece.key)
            for message in unbacked_words(piece.text, scope):
                self.error(piece.key, f"{where}: {message.replace('{scope}', scope_name)}")
        self.verification.claims += scope.words_checked
        self.used |= scope.used

    def check_design(self, study: Study, key: PathKey, scope: Scope) -> None:
        people = [study.enrollment.enrolled, study.enrollment.treated, study.enrollment.evaluable]
        for name, message in design_problems(study.design, scope, [p for p in people if p is not None]):
            self.error(key + ("design", name), message)

    def check_own_used(self, own: list[OwnFigure], found: set[str], key: PathKey) -> None:
        for index, entry in enumerate(own):
            if entry.figure not in found:
                self.error(key + (index, "figure"), f"own figure “{entry.figure}” does not occur in the text it "
                                                    "belongs to; copy it exactly as printed, or remove it")


def label_prose(row: Study | Landscape, key: PathKey) -> list[Prose]:
    """The names a row prints beside its figures that row_prose leaves out: a landscape's item labels."""
    if not isinstance(row, Landscape):
        return []
    pieces = [Prose(row.trials.label, key + ("trials", "label"))]
    for s_index, series in enumerate(row.series):
        for i_index, item in enumerate(series.items):
            pieces.append(Prose(item.label, key + ("series", s_index, "items", i_index, "label")))
    return pieces


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


def curated_text(table: EvidenceTable) -> list[Prose]:
    """Every piece of the curator's own text in a table, in reading order (not the quotations)."""
    return overview_prose(table.overview) + [piece for row, key in keyed_rows(table) for piece in row_prose(row, key)]


def warn_unknown_abbreviations(files: list[EvidenceFile], glossary: Glossary | None, problems: Problems) -> None:
    """With a glossary: a warning at the first use of each abbreviation of the curator's text it lacks."""
    if glossary is None:
        return
    warned: set[str] = set()
    for file in files:
        for piece in curated_text(file.table):
            for abbr, _ in abbreviations_in(piece.text):
                if abbr in warned or glossary.get(abbr):
                    continue
                warned.add(abbr)
                where = ".".join(map(str, piece.key))
                problems.warn(file.path, *file.positions.of(piece.key),
                              f"{where}: abbreviation {abbr} is not in seeds/glossary.yaml; add "
                              f"{{abbr: {abbr}, zh: ..., en: ...}} so that it is expanded at its first use and listed")


# What a reader of a medical publication looks for, and where a project declares it.
APPARATUS = {
    "editors": "who compiled and checked the evidence (editors: [{name: ..., role: 证据整理}])",
    "conflicts_of_interest": "the editors' and reviewers' interests in the products discussed, or that they have none",
    "funding": "who paid for the briefing, or that no company did",
    "source_selection": "how the sources were found and chosen, and what that leaves out",
}


def warn_missing_apparatus(settings: ProjectSettings, settings_path: Path, problems: Problems) -> None:
    """A warning for each statement a medical publication prints that the project does not make;
    the briefing prints 未声明 in its place, never a statement nobody made. Only for a project
    that sets any of its settings: one that sets none is a draft on the defaults throughout."""
    if not settings.model_fields_set:
        return
    for key, what in APPARATUS.items():
        if not getattr(settings, key):
            problems.warn(settings_path, 1, 1, f"no {key}: the briefing prints 未声明 where readers look for {what}; "
                                               f"add {key}: to seeds/project.yaml")


def refuse_promotional_wording(files: list[EvidenceFile], settings: ProjectSettings, problems: Problems) -> None:
    """An error at each piece of the curator's own text that uses a word of praise (promotional_words):
    only a quotation may say what its source says."""
    for file in files:
        for piece in curated_text(file.table):
            words = promotional_words_in(piece.text, settings)
            if words:
                where = ".".join(map(str, piece.key))
                problems.error(file.path, *file.positions.of(piece.key), f"{where}: {promotional_warning(words)}")


def verify_excerpt(excerpt: Excerpt, article: Article, text: ArticleText) -> str | None:
    """None when the excerpt occurs verbatim (in the normal form) and whole, not beginning or ending
    inside a number (2 名患者 cut from 12 名患者 reads as 2); else a message naming the passage."""
    needle = normal_form(excerpt.text)
    cut: tuple[int, str] | None = None  # where the first occurrence cuts a number, and which of its ends does
    start = text.text.find(needle) if needle else -1
    while start >= 0:
        end = start + len(needle)
        if not inside_number(text.text, start) and not inside_number(text.text, end):
            return None
        cut = cut or ((start, "begins") if inside_number(text.text, start) else (end, "ends"))
        start = text.text.find(needle, start + 1)
    if cut is not None:
        at, which = cut
        return (f"excerpt '{excerpt.id}' {which} inside the number “{whole_number(text.text, at)}” of article "
                f"'{article.id}' ({article.path}:{text.line_at(at)}), so it would print a figure the article does "
                "not state; quote the whole number")
    alignment = fuzz.partial_ratio_alignment(needle, text.text)
    passage = text.text[alignment.dest_start:alignment.dest_end]
    return (
        f"excerpt '{excerpt.id}' is not in article '{article.id}' word for word; the closest passage "
        f"({article.path}:{text.line_at(alignment.dest_start)}, {alignment.score:.0f}% similar) reads: “{passage}” "
        "— copy the quotation exactly"
    )


def verify_evidence(files: list[EvidenceFile], articles: dict[str, Article], problems: Problems,
                    unreadable: set[str] = frozenset(), settings: ProjectSettings | None = None) -> Verification:
    """Check every evidence file against the articles; returns what was verified.

    ``unreadable``: ids of article files that could not be read (their own problem says why): an
    excerpt citing one is not reported again as citing an unknown article.
    """
    texts = {article_id: ArticleText.of(article) for article_id, article in articles.items()}
    lexicon = lexicon_for((settings or ProjectSettings()).claim_words)
    bibliography_texts = article_texts(articles)
    verification = Verification()
    row_ids: dict[str, str] = {}
    excerpt_ids: dict[str, str] = {}
    for file in files:
        check = TableCheck(file, problems, verification, lexicon=lexicon)
        rows = keyed_rows(file.table)
        table_quoted: list[Quoted] = []
        table_labels: list[Labels] = []
        for row, row_key in rows:
            here = f"{problems.relative(file.path)}:{file.positions.of(row_key + ('id',))[0]}"
            if row.id in row_ids:
                problems.error(file.path, *file.positions.of(row_key + ("id",)),
                               f"duplicate id '{row.id}' (also used at {row_ids[row.id]}); give each row its own id")
            row_ids.setdefault(row.id, here)
            own = _verify_excerpts(check, row, row_key, articles, texts, excerpt_ids, unreadable)
            parts = [(part, key) for part, key in walk_models(row, row_key) if isinstance(part, Backed)]
            rivals = rival_labels(row, [part for part, _ in parts])
            for part, key in parts:
                check.check_part(part, key, own, rivals.get(id(part)))
            if isinstance(row, Study):
                check.check_phase(row, row_key)
                check.check_certainty(row, row_key)
            check_bibliography(file, row, row_key, bibliography_texts, problems)
            row_quoted = [Quoted.of(excerpt) for excerpt in own.values()]
            table_quoted += row_quoted
            groups = list({id(labels): labels for labels in rivals.values()}.values())
            table_labels += groups
            pieces = row_prose(row, row_key)
            found = check.check_prose(pieces, row_quoted, row.own_figures, row_key + ("own_figures",),
                                      "this row's excerpts", groups)
            check.check_pairs(pieces, row_quoted, row.own_figures, "this row's excerpts")
            check.check_severity(pieces, row_quoted, groups)
            check.check_absent_subgroups(pieces, row_quoted)
            check.check_own_used(row.own_figures, found, row_key + ("own_figures",))
            scope = row_scope(row, lexicon)
            check.check_words(pieces + label_prose(row, row_key), scope, "this row's excerpts")
            if isinstance(row, Study):
                check.check_design(row, row_key, scope)
        overview = file.table.overview
        pieces = overview_prose(overview)
        check.check_words(pieces, table_scope(file.table, lexicon), "any excerpt of this table")
        found = check.check_prose(pieces, table_quoted, overview.own_figures, ("overview", "own_figures"),
                                  "any excerpt of this table", table_labels)
        check.check_pairs(pieces, table_quoted, overview.own_figures, "any excerpt of this table")
        check.check_severity(pieces, table_quoted, table_labels)
        check.check_absent_subgroups(pieces, table_quoted)
        check.check_own_used(overview.own_figures, found, ("overview", "own_figures"))
        for row, row_key in rows:
            for index, excerpt in enumerate(row.excerpts):
                if excerpt.id not in check.used and not excerpt.key:
                    problems.warn(file.path, *file.positions.of(row_key + ("excerpts", index, "id")),
                                  f"excerpt '{excerpt.id}' backs no figure and is not a key excerpt")
    return verification


def _verify_excerpts(check: TableCheck, row: Study | Landscape, row_key: PathKey, articles: dict[str, Article],
                     texts: dict[str, ArticleText], excerpt_ids: dict[str, str],
                     unreadable: set[str]) -> dict[str, Excerpt]:
    """Each excerpt of the row: unique id, known article, verbatim; returns the row's excerpts by id."""
    problems, positions = check.problems, check.positions
    own: dict[str, Excerpt] = {}
    for index, excerpt in enumerate(row.excerpts):
        key = row_key + ("excerpts", index)
        line, column = positions.of(key + ("id",))
        if excerpt.id in excerpt_ids:
            problems.error(check.file.path, line, column,
                           f"duplicate excerpt id '{excerpt.id}' (also used at {excerpt_ids[excerpt.id]}); rename one")
        excerpt_ids.setdefault(excerpt.id, f"{problems.relative(check.file.path)}:{line}")
        own[excerpt.id] = excerpt
        for hidden in hidden_by_numbers(excerpt.text):
            check.error(key + ("text",), f"excerpt '{excerpt.id}': {hidden.message()}")
        article = articles.get(excerpt.article)
        if article is None and excerpt.article in unreadable:
            continue
        if article is None:
            known = ", ".join(sorted(articles)) or "none"
            check.error(key + ("article",), f"unknown article '{excerpt.article}'; the articles are: {known}")
            continue
        message = verify_excerpt(excerpt, article, texts[article.id])
        if message:
            check.error(key + ("text",), message)
        else:
            check.verification.excerpts += 1
    return own
