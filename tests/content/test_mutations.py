"""A careless curator's slips, made on purpose: every figure, grading and phase of the shipped tables,
changed in a copy of its file, must make `reports check` fail.

Each mutant changes one value where it stands in the YAML text (line and column from the parser),
then the mutated file is read, validated and verified against the shipped articles, as `reports
check` does. A mutant that passes is a figure the check cannot vouch for.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.mutants import ROOT, TABLES, check_text, shipped_articles, written

from reports.content.evidence import EvidenceFile
from reports.content.model import Backed, EvidenceTable
from reports.content.sources import parse_yaml, validate_data, walk_models
from reports.content.verify.curated import curated_text
from reports.content.verify.evidence import verify_evidence
from reports.content.verify.figures import claims_of
from reports.errors import Problems
from reports.text.figures import IDENTIFIER, figures_in

pytestmark = pytest.mark.mutation
SCALAR = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|[^\s,}\]#]+')


@dataclass(frozen=True)
class Mutant:
    path: Path
    line: int
    column: int
    original: str
    replacement: str
    what: str

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        line = lines[self.line - 1]
        start = self.column - 1
        match = SCALAR.match(line, start)
        assert match and match.group().strip("\"'") == self.original, (self, line)
        lines[self.line - 1] = line[:start] + self.replacement + line[match.end():]
        return "\n".join(lines)


@pytest.fixture(scope="module")
def articles():
    return shipped_articles()


def load(path: Path):
    problems = Problems(ROOT)
    data, positions = parse_yaml(path.read_text(encoding="utf-8"), path, problems)
    return EvidenceTable.model_validate(data), positions


def identifier_numbers(table: EvidenceTable) -> list[Decimal]:
    """Numbers that occur in the table's excerpts only inside identifiers (CD19, HER2, IL-15, NCT...)."""
    inside, elsewhere = set(), set()
    for row in table.rows:
        for excerpt in row.excerpts:
            for figure in figures_in(" ".join(excerpt.text.split())):
                (inside if figure.kind == IDENTIFIER else elsewhere).add(figure.value)
    return sorted(inside - elsewhere)


def figure_mutants() -> list[Mutant]:
    """For every figure: one more, and a number the same file has only inside an identifier."""
    mutants = []
    for path in TABLES:
        table, positions = load(path)
        decoys = identifier_numbers(table)
        for part, key in walk_models(table):
            if not isinstance(part, Backed):
                continue
            for claim in claims_of(part):
                field_key = key + tuple(claim.name.split("."))
                line, column = positions.values[field_key]
                original = written(claim.value)
                where = f"{path.name}:{line} {'.'.join(map(str, field_key))} = {original}"
                mutants.append(Mutant(path, line, column, original, written(claim.value + 1), f"{where} -> +1"))
                for decoy in decoys:
                    if decoy != claim.value:
                        mutants.append(Mutant(path, line, column, original, written(decoy),
                                              f"{where} -> {decoy} (only in an identifier)"))
    return mutants


def claim_mutants() -> list[Mutant]:
    """Every phase changed to another, and every stated grading system to the other one."""
    mutants = []
    other_phase = {"phase-1": ["phase-2", "phase-1-phase-2", "early-phase-1", "n-a"], "n-a": ["phase-1"],
                   "not-reported": ["phase-1"]}
    for path in TABLES:
        table, positions = load(path)
        for index, study in enumerate(table.studies):
            line, column = positions.values[("studies", index, "phase")]
            for phase in other_phase.get(study.phase, ["not-a-phase"]):
                mutants.append(Mutant(path, line, column, study.phase, phase, f"{path.name}:{line} phase {study.phase} -> {phase}"))
            for number, event in enumerate(study.adverse_events):
                if event.grading.system == "not-reported":
                    continue
                line, column = positions.values[("studies", index, "adverse_events", number, "grading", "system")]
                other = "ASTCT" if event.grading.system == "CTCAE" else "CTCAE"
                mutants.append(Mutant(path, line, column, event.grading.system, other,
                                      f"{path.name}:{line} grading {event.grading.system} -> {other}"))
                line, column = positions.values[("studies", index, "adverse_events", number, "grading", "version")]
                mutants.append(Mutant(path, line, column, event.grading.version, '"4.03"',
                                      f"{path.name}:{line} grading version {event.grading.version} -> 4.03"))
    return mutants


def check_data(path: Path, data, positions, articles) -> list[str]:
    problems = Problems(ROOT)
    table = validate_data(EvidenceTable, data, positions, problems)
    if table is not None:
        verify_evidence([EvidenceFile(path, table, positions)], articles, problems)
    return [str(problem) for problem in problems.errors]


def test_every_number_in_curated_prose_changed_to_an_unquoted_one_fails_check(articles, capsys):
    """Overview, landscape summary, limitations and denominators, a study's text fields, editor's notes:
    each number, changed to the next number that no excerpt of the table states, must fail."""
    mutants, survivors = 0, []
    for path in TABLES:
        problems = Problems(ROOT)
        data, positions = parse_yaml(path.read_text(encoding="utf-8"), path, problems)
        table = EvidenceTable.model_validate(data)
        stated = {figure.value for row in table.rows for excerpt in row.excerpts
                  for figure in figures_in(" ".join(excerpt.text.split()))}
        for key in (piece.key for piece in curated_text(table)):
            holder = data
            for part in key[:-1]:
                holder = holder[part]
            text = holder[key[-1]]
            for figure in figures_in(text):
                if figure.kind == IDENTIFIER:
                    continue
                replacement = figure.value + 1
                while replacement in stated:
                    replacement += 1
                mutants += 1
                mutated = copy.deepcopy(data)
                target = mutated
                for part in key[:-1]:
                    target = target[part]
                target[key[-1]] = text[:figure.start] + written(replacement) + text[figure.end:]
                if not check_data(path, mutated, positions, articles):
                    survivors.append(f"{path.name} {'.'.join(map(str, key))}: {text[figure.start:figure.end]}")
    with capsys.disabled():
        print(f"\nprose mutation test: {mutants - len(survivors)} of {mutants} numbers changed to unquoted ones "
              "were caught")
    assert mutants > 100
    assert survivors == []


def test_every_changed_qualifier_of_a_figure_fails_check(articles, capsys):
    """超过 13 年 is not 13 年, and 44% is not 约 44%: each outcome's bound, changed, must fail."""
    mutants, survivors = 0, []
    for path in TABLES:
        problems = Problems(ROOT)
        data, positions = parse_yaml(path.read_text(encoding="utf-8"), path, problems)
        table = EvidenceTable.model_validate(data)
        for index, study in enumerate(table.studies):
            for group in ("baseline", "outcomes"):
                for number, measurement in enumerate(getattr(study, group)):
                    if measurement.value is None:
                        continue
                    for bound in ("exact", "more-than", "up-to", "about"):
                        if bound == measurement.bound:
                            continue
                        mutants += 1
                        mutated = copy.deepcopy(data)
                        mutated["studies"][index][group][number]["bound"] = bound
                        if not check_data(path, mutated, positions, articles):
                            survivors.append(f"{path.name} {study.id} {measurement.name}: {measurement.bound} -> {bound}")
    with capsys.disabled():
        print(f"\nqualifier mutation test: {mutants - len(survivors)} of {mutants} changed bounds were caught")
    assert mutants > 30
    assert survivors == []


def test_the_shipped_tables_pass_unmutated(articles):
    for path in TABLES:
        assert check_text(path, path.read_text(encoding="utf-8"), articles) == []


def test_every_mutated_figure_grading_and_phase_fails_check(articles, capsys):
    mutants = figure_mutants() + claim_mutants()
    texts = {path: path.read_text(encoding="utf-8") for path in TABLES}
    survivors = [m.what for m in mutants if not check_text(m.path, m.apply(texts[m.path]), articles)]
    figures = sum(1 for m in mutants if "phase" not in m.what and "grading" not in m.what)
    with capsys.disabled():
        print(f"\nmutation test: {len(mutants) - len(survivors)} of {len(mutants)} mutants killed "
              f"({figures} figure mutants, {len(mutants) - figures} phase and grading mutants)")
    assert len(mutants) > 150
    assert survivors == []
