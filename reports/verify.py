"""Checks across files: ids are unique, references resolve, excerpts are verbatim, figures and claims are quoted.

Runs after every file has been read and schema-validated (``reports.evidence``,
``reports.articles``), and reports every problem at the line and column of the YAML value.
What it enforces, rule by rule (the README's "The rules reports check enforces" says the same):

1. Every excerpt occurs in its article word for word (whitespace aside).
2. Every figure of a row is stated in one of the excerpts its part cites, as a number of the
   right kind (``reports.figures``): a count of patients as a count of people, a percentage with
   its percent sign, a duration with its unit, a grade as a grade; never inside an identifier or
   a date. A 0 may be stated as an absence (未观察到). A figure the curator computed is declared
   with ``derived`` and recomputed here from numbers stated in the excerpts.
3. What a figure is about (an outcome's name, an adverse event's term, a landscape label, or one
   of its ``quoted_as`` forms) stands in the same sentence of the excerpt as the figure.
4. A grading system and version are stated in a cited excerpt, in a sentence naming the event.
5. A study's phase is stated in one of its excerpts (or is ``not-reported``, or ``n-a``).
6. Every number in the curator's own text (overview, landscape summary, limitations and
   denominators, a study's descriptive fields, editor's notes) occurs in an excerpt of the same
   table (a study's: of the same row), or is declared in ``own_figures`` with a reason.
7. A row's paper (journal, title, DOI, publication date, first author) and its registry ids occur
   in the text of an article the row quotes (whitespace and case aside; a journal by a Chinese name
   of reports/bibliography.py's list or its ``journal_zh``; a date as 2025年2月17日 or 2025-02-17),
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
from pathlib import Path
from typing import Iterable, Iterator

from rapidfuzz import fuzz

from reports.articles import Article
from reports.bibliography import article_texts, check_bibliography
from reports.errors import Problems
from reports.evidence import EvidenceFile
from reports.figures import (
    COUNT, DATE, GRADE, IDENTIFIER, ITEMS, KIND_NAMES, ORDINAL, PERCENT, PLAIN, QUANTITIES, TRIALS,
    Figure, bound_of, compact, figures_in, kinds_for_unit, sentences_of, states_absence, term_forms,
)
from reports.glossary import abbreviations_in
from reports.model import (
    AdverseEvent, Backed, Enrollment, EvidenceTable, Excerpt, FollowUp, Glossary, Landscape,
    LandscapeItem, Measurement, Overview, OwnFigure, ProjectSettings, Study, agrees_as_written, own_figure_spans,
)
from reports.settings import promotional_warning, promotional_words_in
from reports.sources import PathKey, Positions, walk_models

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


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


@dataclass
class ArticleText:
    """An article's visible text with whitespace collapsed, and where each block starts in it."""

    text: str
    starts: list[tuple[int, int]]  # (offset in text, file line)

    @classmethod
    def of(cls, article: Article) -> "ArticleText":
        parts, starts, offset = [], [], 0
        for block in article.blocks:
            normal = normalise_whitespace(block.text)
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
        return (f"{self.figures} figures, {self.claims} claims (terms, gradings, phases) and "
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


def claims_of(part: Backed) -> Iterator[Claim]:
    """The figures of a part that must be backed by its excerpts, each with the kinds that can back it."""
    counts = frozenset({COUNT})
    if isinstance(part, Enrollment):
        for name in ("enrolled", "treated", "evaluable"):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), counts, False)
    elif isinstance(part, Measurement):
        value_kinds = kinds_for_unit(part.unit)
        if part.value is not None:
            yield Claim("value", part.value, value_kinds, True, part.bound)
        if part.n is not None:
            yield Claim("n", part.n, counts, True)
        if part.of is not None:
            yield Claim("of", part.of, counts, False)
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
            yield Claim("of", part.of, counts, False)
    elif isinstance(part, FollowUp):
        for name in ("median", "longest"):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), frozenset({FOLLOW_UP_KINDS[part.unit]}), False)
    elif isinstance(part, LandscapeItem):
        if part.value is not None:
            yield Claim("value", part.value, kinds_for_unit(part.unit), True)
        for name, needs_term in (("n", True), ("of", False)):
            if getattr(part, name) is not None:
                yield Claim(name, getattr(part, name), frozenset({COUNT, TRIALS}), needs_term)


def term_shown(part: Backed) -> str:
    """What a part is about, as the curator wrote it, for messages: “神经毒性” (or “…”)."""
    name = getattr(part, "name", None) or getattr(part, "term", None) or getattr(part, "label", None) or ""
    forms = [name, *getattr(part, "quoted_as", [])]
    return " or ".join(f"“{form}”" for form in forms if form)


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

    @classmethod
    def of(cls, excerpt: Excerpt) -> "Quoted":
        text = normalise_whitespace(excerpt.text)
        return cls(excerpt.id, text, figures_in(text), [text[a:b] for a, b in sentences_of(text)])

    def names(self, sentence: int, terms: list[str]) -> bool:
        if not terms:
            return True
        here = compact(self.sentences[sentence])
        return any(term in here for term in terms)


def _same(a: Decimal | int, b: Decimal | int) -> bool:
    return Decimal(a) == Decimal(b)


def find_backing(claim: Claim, quoted: list[Quoted], terms: list[str]) -> str | None:
    """None when an excerpt states the claim; otherwise what the excerpts have instead, for the message."""
    term_needed = claim.needs_term and bool(terms)
    near_misses: list[str] = []
    for excerpt in quoted:
        for figure in excerpt.figures:
            if not _same(figure.value, claim.value):
                continue
            if figure.kind not in claim.kinds:
                near_misses.append(f"{claim.value} occurs only {KIND_NAMES[figure.kind]} "
                                   f"(“{figure.shown(excerpt.text)}” in {excerpt.id})")
            elif term_needed and not excerpt.names(figure.sentence, terms):
                near_misses.append(f"“{figure.shown(excerpt.text)}” in {excerpt.id} is in a sentence that does "
                                   "not name what the figure is about")
            elif claim.bound is not None and bound_of(excerpt.text, figure) != claim.bound:
                stated = bound_of(excerpt.text, figure)
                near_misses.append(f"“{figure.shown(excerpt.text)}” in {excerpt.id} is {BOUND_WORDS[stated]}, "
                                   f"not bound: {claim.bound}; write bound: {stated}")
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
        if figure.kind in COUNTED and other.kind in COUNTED:
            return True
    return False


@dataclass
class Prose:
    """A piece of the curator's text, where it stands, and the excerpts its numbers are checked against."""

    text: str
    key: PathKey


def study_prose(study: Study, key: PathKey) -> Iterator[Prose]:
    for name in ("title", "indication", "population", "intervention", "safety_not_reported"):
        if getattr(study, name):
            yield Prose(getattr(study, name), key + (name,))
    yield Prose(study.design.summary, key + ("design", "summary"))
    for group in ("baseline", "outcomes"):
        for index, item in enumerate(getattr(study, group)):
            for name in ("name", "result", "timepoint", "population"):
                if getattr(item, name):
                    yield Prose(getattr(item, name), key + (group, index, name))
    for index, event in enumerate(study.adverse_events):
        yield Prose(event.term, key + ("adverse_events", index, "term"))
        yield Prose(event.summary, key + ("adverse_events", index, "summary"))
    if study.follow_up:
        yield Prose(study.follow_up.summary, key + ("follow_up", "summary"))
    for index, reason in enumerate(study.certainty.rated_down):
        yield Prose(reason.reason, key + ("certainty", "rated_down", index, "reason"))


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

    @property
    def positions(self) -> Positions:
        return self.file.positions

    def error(self, key: PathKey, message: str) -> None:
        self.problems.error(self.file.path, *self.positions.of(key), message)

    def check_part(self, part: Backed, key: PathKey, own: dict[str, Excerpt]) -> None:
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
        self.check_quoted_as(part, key, quoted)
        derived = dict(getattr(part, "derived", {}))
        for claim in claims_of(part):
            field_key = key + tuple(claim.name.split("."))
            where = ".".join(str(k) for k in field_key)
            if claim.name in derived:
                self.check_derived(part, claim, derived.pop(claim.name), quoted, field_key, where)
                continue
            missing = find_backing(claim, quoted, terms)
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

    def check_quoted_as(self, part: Backed, key: PathKey, quoted: list[Quoted]) -> None:
        """A quoted_as form must be how a cited excerpt names the thing: it occurs in one of them."""
        texts = [compact(excerpt.text) for excerpt in quoted]
        for index, form in enumerate(getattr(part, "quoted_as", [])):
            if len(compact(form)) < 2:
                self.error(key + ("quoted_as", index), f"quoted_as “{form}” is too short to name anything; quote "
                                                       "at least two characters of the excerpt's wording")
            elif not any(compact(form) in text for text in texts):
                self.error(key + ("quoted_as", index), f"quoted_as “{form}” does not occur in the cited excerpts "
                                                       f"({', '.join(part.excerpts)}); copy the excerpt's own words")

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
            phases = phases_stated(normalise_whitespace(excerpt.text))
            if study.phase in phases:
                self.used.add(excerpt.id)
            stated |= phases
        if study.phase in stated:
            self.verification.claims += 1
            return
        said = f"they state {', '.join(sorted(stated))}" if stated else "none of them states a phase"
        self.error(key + ("phase",), f"phase {study.phase} is not stated in this study's excerpts ({said}); quote "
                                     "where the source gives the phase, or write phase: not-reported")

    def check_prose(self, pieces: Iterable[Prose], quoted: list[Quoted], own: list[OwnFigure],
                    own_key: PathKey, scope: str) -> set[str]:
        """Every number in the pieces is in ``quoted`` or inside a declared own figure; returns the own
        figures that were found."""
        pool = [figure for excerpt in quoted for figure in excerpt.figures]
        found: set[str] = set()
        for piece in pieces:
            spans = own_figure_spans(piece.text, own)
            for entry in own:
                if entry.figure in piece.text:
                    found.add(entry.figure)
            for figure in figures_in(piece.text):
                if figure.kind == IDENTIFIER:
                    continue
                if any(start <= figure.start < end for start, end in spans):
                    self.verification.own_figures += 1
                    continue
                if prose_matches(figure, pool):
                    self.verification.prose_numbers += 1
                    for excerpt in quoted:
                        if prose_matches(figure, excerpt.figures):
                            self.used.add(excerpt.id)
                    continue
                where = ".".join(str(k) for k in piece.key)
                shown = figure.shown(piece.text)
                self.error(piece.key, f"{where}: “{shown}” is not stated in {scope}; quote the sentence that gives "
                                      f"it, or declare it under {'.'.join(map(str, own_key))} as "
                                      f"{{figure: \"{shown}\", reason: ...}}")
        return found

    def check_own_used(self, own: list[OwnFigure], found: set[str], key: PathKey) -> None:
        for index, entry in enumerate(own):
            if entry.figure not in found:
                self.error(key + (index, "figure"), f"own figure “{entry.figure}” does not occur in the text it "
                                                    "belongs to; copy it exactly as printed, or remove it")


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


def warn_promotional_wording(files: list[EvidenceFile], settings: ProjectSettings, problems: Problems) -> None:
    """A warning at each piece of the curator's own text that uses a word of praise (promotional_words)."""
    for file in files:
        for piece in curated_text(file.table):
            words = promotional_words_in(piece.text, settings)
            if words:
                where = ".".join(map(str, piece.key))
                problems.warn(file.path, *file.positions.of(piece.key), f"{where}: {promotional_warning(words)}")


def verify_excerpt(excerpt: Excerpt, article: Article, text: ArticleText) -> str | None:
    """None when the excerpt occurs verbatim (whitespace aside), else a message naming the closest passage."""
    needle = normalise_whitespace(excerpt.text)
    if needle in text.text:
        return None
    alignment = fuzz.partial_ratio_alignment(needle, text.text)
    passage = text.text[alignment.dest_start:alignment.dest_end]
    return (
        f"excerpt '{excerpt.id}' is not in article '{article.id}' word for word; the closest passage "
        f"({article.path}:{text.line_at(alignment.dest_start)}, {alignment.score:.0f}% similar) reads: “{passage}” "
        "— copy the quotation exactly"
    )


def verify_evidence(files: list[EvidenceFile], articles: dict[str, Article], problems: Problems,
                    unreadable: set[str] = frozenset()) -> Verification:
    """Check every evidence file against the articles; returns what was verified.

    ``unreadable``: ids of article files that could not be read (their own problem says why): an
    excerpt citing one is not reported again as citing an unknown article.
    """
    texts = {article_id: ArticleText.of(article) for article_id, article in articles.items()}
    bibliography_texts = article_texts(articles)
    verification = Verification()
    row_ids: dict[str, str] = {}
    excerpt_ids: dict[str, str] = {}
    for file in files:
        check = TableCheck(file, problems, verification)
        rows = keyed_rows(file.table)
        table_quoted: list[Quoted] = []
        for row, row_key in rows:
            here = f"{problems.relative(file.path)}:{file.positions.of(row_key + ('id',))[0]}"
            if row.id in row_ids:
                problems.error(file.path, *file.positions.of(row_key + ("id",)),
                               f"duplicate id '{row.id}' (also used at {row_ids[row.id]}); give each row its own id")
            row_ids.setdefault(row.id, here)
            own = _verify_excerpts(check, row, row_key, articles, texts, excerpt_ids, unreadable)
            for part, key in walk_models(row, row_key):
                if isinstance(part, Backed):
                    check.check_part(part, key, own)
            if isinstance(row, Study):
                check.check_phase(row, row_key)
            check_bibliography(file, row, row_key, bibliography_texts, problems)
            row_quoted = [Quoted.of(excerpt) for excerpt in own.values()]
            table_quoted += row_quoted
            found = check.check_prose(row_prose(row, row_key), row_quoted, row.own_figures, row_key + ("own_figures",),
                                      "this row's excerpts")
            check.check_own_used(row.own_figures, found, row_key + ("own_figures",))
        overview = file.table.overview
        found = check.check_prose(overview_prose(overview), table_quoted, overview.own_figures, ("overview", "own_figures"),
                                  "any excerpt of this table")
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
