"""A figure of a part is stated in its excerpts, as what it is, beside what it is about.

Each figure of a backed part (``claims_of``: an outcome's value, n and of, an interval's bounds, an
event's counts and grade, a follow-up, a landscape item's value) must be a number of one of the
part's excerpts, of the right kind, in a sentence naming the part, nearest to the part's own name,
with the source's qualifier, as a denominator where it is an ``of``, with the role word of an
enrolled/treated/evaluable count, and of no subgroup the part does not give (``find_backing``,
which says what the excerpts have instead). Rules 2 to 5 and 8 of docs/rules.md.

Order in ``check_part``: a part's ``quoted_as`` forms, then an event's naming, then the numbers in
its name, then its figures (a ``derived`` one recomputed instead), then its grading. Problems are
sorted by place when they are raised, and two at one place keep this order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from reports.content.model import AdverseEvent, Backed, Enrollment, Excerpt, FollowUp, LandscapeItem, Measurement
from reports.content.sources import PathKey
from reports.content.verify.absences import SEVERE_WORD, only_severe_absence
from reports.content.verify.arms import arm_of, stated_arm
from reports.content.verify.claims import simplified
from reports.content.verify.denominators import ROLE_NAMES, ROLE_WORDS, rate_implies
from reports.content.verify.derived import check_derived
from reports.content.verify.gradings import grading_stated
from reports.content.verify.names import Labels, holds_term, other_name_in, part_terms, printed_name, term_shown
from reports.content.verify.prose import prose_matches
from reports.content.verify.quoted import BOUND_WORDS, Quoted, population_covers, same_number
from reports.content.verify.table import TableCheck, dotted
from reports.text.figures import (
    COUNT,
    GRADE,
    IDENTIFIER,
    KIND_NAMES,
    PERCENT,
    PLAIN,
    QUANTITIES,
    TRIALS,
    bound_of,
    compact,
    figures_in,
    is_denominator,
    kinds_for_unit,
    states_absence,
    subgroup_of,
    term_forms,
)

FOLLOW_UP_KINDS = {"days": "duration:days", "weeks": "duration:weeks", "months": "duration:months",
                   "years": "duration:years"}


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


@dataclass
class Binding:
    """What a part's figures must stand with in an excerpt, beyond their value and kind: the part's own name
    nearest to them (among the names of the row's other parts), and its subgroup."""

    labels: "Labels | None" = None
    me: int = 0
    population: str | None = None
    n: int | None = None  # the part's numerator, for a denominator a stated rate implies
    arm: str | None = None  # the trial arm the part is given to (arms.arm_of), and the row's arms
    arms: tuple[str, ...] = ()


def find_backing(claim: Claim, quoted: list[Quoted], terms: list[str], binding: Binding | None = None) -> str | None:
    """None when an excerpt states the claim; otherwise what the excerpts have instead, for the message."""
    binding = binding or Binding()
    term_needed = claim.needs_term and bool(terms)
    near_misses: list[str] = []
    for excerpt in quoted:
        for figure in excerpt.figures:
            if not same_number(figure.value, claim.value):
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
            elif binding.arm and (other := stated_arm(excerpt.text, excerpt.figures, figure,
                                                      excerpt.spans[figure.sentence], binding.arms)) \
                    and other != binding.arm and not (claim.role == "of" and rate_implies(quoted, binding.n, claim.value)):
                # (标准治疗组为 54 例（58.7%）implies its 92 however the other arm's 92 例 stands)
                near_misses.append(f"“{shown}” in {excerpt.id} is the {other} arm's, not the {binding.arm} arm's")
            else:
                return None
        if same_number(claim.value, 0) and (COUNT in claim.kinds or PERCENT in claim.kinds):
            for index, sentence in enumerate(excerpt.sentences):
                if states_absence(sentence):
                    if not term_needed or excerpt.names(index, terms):
                        return None
                    near_misses.append(f"{excerpt.id} states an absence, but not in a sentence that names what "
                                       "the figure is about")
    if near_misses:
        return "; ".join(dict.fromkeys(near_misses))
    return f"no {claim.value} in them"


def describe_kinds(kinds: frozenset[str]) -> str:
    if kinds == QUANTITIES or len(kinds) > 3:
        return "as a quantity"
    return " or ".join(sorted(KIND_NAMES[kind] for kind in kinds))


def check_part(check: TableCheck, part: Backed, key: PathKey, own: dict[str, Excerpt],
               labels: "Labels | None" = None, arms: tuple[str, ...] = ()) -> None:
    quoted = []
    for number, excerpt_id in enumerate(part.excerpts):
        if excerpt_id not in own:
            check.error(key + ("excerpts", number),
                        f"unknown excerpt '{excerpt_id}'; this row's excerpts are: {', '.join(own) or 'none'}")
        else:
            check.used.add(excerpt_id)
            quoted.append(Quoted.of(own[excerpt_id]))
    if not quoted:
        return
    terms = part_terms(part)
    check_quoted_as(check, part, key, quoted, labels)
    if isinstance(part, AdverseEvent):
        check_event_named(check, part, key, quoted)
    check_name_figures(check, part, key, quoted)
    derived = dict(getattr(part, "derived", {}))
    for claim in claims_of(part):
        field_key = key + tuple(claim.name.split("."))
        where = ".".join(str(k) for k in field_key)
        if claim.name in derived:
            check_derived(check, part, claim, derived.pop(claim.name), quoted, field_key, where)
            continue
        binding = Binding(labels, id(part), getattr(part, "population", None),
                          getattr(part, "n", None) if not isinstance(part, AdverseEvent) else part.patients,
                          arm_of(part) if arms else None, arms)
        missing = find_backing(claim, quoted, terms, binding)
        if missing is None:
            check.verification.figures += 1
            if claim.needs_term and terms:
                check.verification.claims += 1
            continue
        about = f" in a sentence naming {term_shown(part)}" if claim.needs_term and terms else ""
        fix = ("quote the clause that gives this figure, add the excerpt's wording of the term to quoted_as, "
               "or correct the figure") if about else "quote the sentence that gives this figure, or correct it"
        check.error(field_key, f"{where} = {claim.value} is not stated {describe_kinds(claim.kinds)}{about} in its "
                               f"excerpts ({', '.join(part.excerpts)}): {missing}; {fix}")
    for name in derived:
        check.error(key + ("derived", name), f"derived: '{name}' is not given in this item; give {name} too, "
                                             "or remove its expression")
    if isinstance(part, AdverseEvent) and part.grading.system != "not-reported":
        if grading_stated(part, quoted, terms):
            check.verification.claims += 1
        else:
            grading = f"{part.grading.system} {part.grading.version}"
            check.error(key + ("grading", "system"),
                        f"grading {grading} is not stated in its excerpts ({', '.join(part.excerpts)}) in a sentence "
                        f"naming {term_shown(part)}; quote where the source says how this event was graded, "
                        "or write grading: {system: not-reported}")


def check_name_figures(check: TableCheck, part: Backed, key: PathKey, quoted: list[Quoted]) -> None:
    """A number in an item's printed name (存活 8 年以上) is stated in the item's own excerpts: the name is
    what its figures are about."""
    name = printed_name(part)
    field_name = "name" if hasattr(part, "name") else "term" if hasattr(part, "term") else "label"
    for figure in figures_in(name):
        if figure.kind != IDENTIFIER and not any(prose_matches(figure, excerpt.figures) for excerpt in quoted):
            check.error(key + (field_name,), f"{dotted(key + (field_name,))}: “{figure.shown(name)}” in the name is "
                                             f"not stated in this item's excerpts ({', '.join(part.excerpts)}); "
                                             "name the item by what its own excerpts say")


def check_event_named(check: TableCheck, event: AdverseEvent, key: PathKey, quoted: list[Quoted]) -> None:
    """An adverse event is named in its excerpts (its term, a part of it, or a quoted_as form), even with no
    figure: a term that no excerpt names is a harm the source does not report."""
    texts = [simplified(compact(excerpt.text)) for excerpt in quoted]
    forms = [simplified(form) for form in part_terms(event)]
    if event.patients == 0 and not SEVERE_WORD.search(event.term):
        alone = Labels()
        alone.add(event)
        if only_severe_absence(quoted, alone, frozenset({id(event)})):
            check.error(key + ("term",), f"{dotted(key + ('term',))}: “{event.term}” with 0 patients says none "
                                         "occurred, but the source says only that none was severe (严重); keep its "
                                         "qualifier in the term")
    if not any(holds_term(text, form) for text in texts for form in forms):
        check.error(key + ("term",), f"{dotted(key + ('term',))}: {term_shown(event)} is not named in its excerpts "
                                     f"({', '.join(event.excerpts)}); cite the excerpt that reports this event, or "
                                     "add the excerpt's wording of it to quoted_as")


def check_quoted_as(check: TableCheck, part: Backed, key: PathKey, quoted: list[Quoted],
                    labels: "Labels | None" = None) -> None:
    """A quoted_as form must be how a cited excerpt names the thing: it occurs in one of them, names what the
    printed name names, and is not another item's name."""
    texts = [compact(excerpt.text) for excerpt in quoted]
    own_forms = {simplified(form) for form in term_forms(printed_name(part), [])}
    for index, form in enumerate(getattr(part, "quoted_as", [])):
        if len(compact(form)) < 2:
            check.error(key + ("quoted_as", index), f"quoted_as “{form}” is too short to name anything; quote "
                                                    "at least two characters of the excerpt's wording")
        elif not any(compact(form) in text for text in texts):
            check.error(key + ("quoted_as", index), f"quoted_as “{form}” does not occur in the cited excerpts "
                                                    f"({', '.join(part.excerpts)}); copy the excerpt's own words")
        elif check.lexicon is not None and not check.lexicon.same_thing(form, printed_name(part)):
            check.error(key + ("quoted_as", index), f"quoted_as “{form}” does not name what “{printed_name(part)}” "
                                                    "names (they share no word); print the source's name for it, "
                                                    "or quote where the source names this")
        elif labels is not None and (other := other_name_in(simplified(compact(form)), part, labels, own_forms)):
            check.error(key + ("quoted_as", index), f"quoted_as “{form}” is the name of another item, {other}; "
                                                    f"name “{printed_name(part)}” by the source's own words for it")
