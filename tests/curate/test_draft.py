"""A curator drafts a study row from an article the tool has never seen.

The corpus (tests/curate/draft_corpus/, its README says how it was written) holds fictional
articles in the style of Chinese medical news, each with the row a careful curator wrote from it
and checked with `reports check`. `reports draft` is measured against those rows: the share of
their figures it drafts with the right kind and label (recall: 90% on the development set; see
CORPORA for the measures on fresh text), no figure the article does not state, and a draft whose
TODOs are decided passes `reports check` as drafted.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import reports
from helpers.corpora import (
    ADDED,
    ARTICLES,
    CORPORA,
    TARGETS,
    expected_row,
    names_in,
    project_with,
    read_yaml,
    with_rows,
)

from reports.content.verify.claims import lexicon_for
from reports.text.figures import figures_in
from reports.text.normal import normal_form

pytestmark = pytest.mark.corpus


DRAFTS: dict[str, str] = {}


def drafted(project: Path, name: str) -> str:
    """`reports draft` of a corpus article, run once per test process: every project these tests make is
    the shipped seeds with that one article added, so its draft is the same in each."""
    if name not in DRAFTS:
        result = reports("--project", str(project), "draft", f"seeds/articles/{name}.md",
                         "--class", ARTICLES[name]["class"], "--date", ADDED)
        assert result.returncode == 0, result.stderr
        DRAFTS[name] = result.stdout
    return DRAFTS[name]


def todo_paths(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in todo_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in todo_paths(item, (*path, index))]
    return [path] if value == "TODO" else []


def at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def decided(draft: str, expected: dict[str, Any]) -> dict[str, Any]:
    """The drafted row with each TODO decided as the curator's row has it; every other value as drafted.
    A decided text may give figures (the intervention's doses), so the curator's excerpts that the draft
    does not quote are added, as a curator quotes the sentence behind what they write."""
    row = read_yaml(draft)[0]
    for path in todo_paths(row):
        parent = at(row, path[:-1])
        try:
            parent[path[-1]] = copy.deepcopy(at(expected, path))
        except (KeyError, IndexError):
            del parent[path[-1]]  # the curator's row has no such field (safety_not_reported, say)
    quoted = {excerpt["text"] for excerpt in row["excerpts"]}
    ids = {excerpt["id"] for excerpt in row["excerpts"]}
    row["excerpts"] += [excerpt for excerpt in expected["excerpts"]
                        if excerpt["text"] not in quoted and excerpt["id"] not in ids]
    return row


# The figures of a row, by where they stand: what recall counts.
ENROLMENT = ("enrolled", "treated", "evaluable")
MEASURE_FIGURES = ("value", "n", "of")
EVENT_FIGURES = ("patients", "of", "percent", "max_grade", "grade_3_plus")
FOLLOW_UP_FIGURES = ("median", "longest")


# ---------------------------------------------------------------------------------------------
# Recall: the curator's figures, drafted with their kind and label.


def figures_of(row: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(section, label, field, value) of every figure of a row."""
    found = []
    row = {key: value for key, value in row.items() if value != "TODO"}  # a draft's undecided sections
    for field in ENROLMENT:
        if (row.get("enrollment") or {}).get(field) is not None:
            found.append(("enrollment", field, field, row["enrollment"][field]))
    for section in ("baseline", "outcomes"):
        for item in row.get(section) or []:
            for field in MEASURE_FIGURES:
                if item.get(field) is not None:
                    found.append((section, item["name"], field, item[field]))
    for event in row.get("adverse_events") or []:
        for field in EVENT_FIGURES:
            if event.get(field) is not None:
                found.append(("adverse_events", event["term"], field, event[field]))
    for field in FOLLOW_UP_FIGURES:
        if (row.get("follow_up") or {}).get(field) is not None:
            found.append(("follow_up", field, field, row["follow_up"][field]))
    return found


def same_label(section: str, drafted_label: str, expected_label: str) -> bool:
    if section in ("enrollment", "follow_up"):
        return drafted_label == expected_label
    lexicon = lexicon_for()
    return lexicon.same_thing(drafted_label, expected_label) or lexicon.same_thing(expected_label, drafted_label)


def recall(draft: dict[str, Any], expected: dict[str, Any]) -> tuple[int, list[str]]:
    """How many of the curator's figures the draft has (same section, field and value, a label naming
    the same thing), and the ones it missed."""
    mine = figures_of(draft)
    missed = []
    for section, label, field, value in figures_of(expected):
        if not any(s == section and f == field and Decimal(str(v)) == Decimal(str(value))
                   and same_label(section, lab, label) for s, lab, f, v in mine):
            missed.append(f"{section} “{label}” {field}={value}")
    return len(figures_of(expected)) - len(missed), missed


@pytest.mark.parametrize("corpus", list(CORPORA))
def test_the_drafts_hold_the_curators_figures_with_their_kind_and_label(tmp_path, capsys, corpus):
    total = found = 0
    report = []
    names = [name for name, entry in ARTICLES.items() if entry["folder"] in CORPORA[corpus]]
    for name in names:
        project = project_with(tmp_path / name, name)
        draft = read_yaml(drafted(project, name))[0]
        expected = expected_row(name)
        hits, missed = recall(draft, expected)
        figures = len(figures_of(expected))
        total, found = total + figures, found + hits
        report.append(f"{name}: {hits}/{figures}" + "".join(f"\n    missed: {m}" for m in missed))
    with capsys.disabled():
        print(f"\ndraft recall, {corpus} corpus: {found}/{total} = {found / total:.0%}\n  " + "\n  ".join(report))
    assert len(names) >= 3
    assert found / total >= TARGETS[corpus], "\n".join(report)


# ---------------------------------------------------------------------------------------------
# Nothing the article does not state; a decided draft is a checked row.


@pytest.mark.parametrize("name", list(ARTICLES))
def test_every_drafted_figure_is_a_number_of_the_article(tmp_path, name):
    project = project_with(tmp_path, name)
    draft = read_yaml(drafted(project, name))[0]
    article = ARTICLES[name]["folder"] / f"{name}.md"
    stated = {figure.value for figure in figures_in(normal_form(article.read_text(encoding="utf-8")))}
    # A 0 is read from an absence (未发生, 未观察到), which `reports check` verifies below.
    unstated = [(section, label, field, value) for section, label, field, value in figures_of(draft)
                if Decimal(str(value)) not in stated and value != 0]
    assert unstated == []


@pytest.mark.parametrize("folder", [folder for folders in CORPORA.values() for folder in folders],
                         ids=lambda folder: folder.name)
def test_drafts_are_refused_until_their_todos_are_decided_then_pass_check_as_drafted(tmp_path, folder):
    names = names_in(folder)  # a corpus's drafts checked at once: one check, not one per article
    drafts = {name: drafted(project_with(tmp_path / "drafted" / name, name), name) for name in names}
    undecided = {name: len(re.findall(r": TODO$", draft, re.MULTILINE)) for name, draft in drafts.items()}
    assert min(undecided.values()) >= 1  # the row's id and title are the curator's, always

    project = project_with(tmp_path / "undecided", *names)
    with_rows(project, [(ARTICLES[name]["class"], read_yaml(draft)[0]) for name, draft in drafts.items()])
    refused = reports("--project", str(project), "check")
    assert refused.returncode == 1
    todo_errors = [line for line in refused.stderr.splitlines() if ": draft: decide " in line]
    assert len(todo_errors) == sum(undecided.values()), refused.stderr
    assert all(re.match(r"seeds/evidence/car-(t|nk|m)\.yaml:", line) for line in todo_errors)

    project = project_with(tmp_path / "decided", *names)
    with_rows(project, [(ARTICLES[name]["class"], decided(draft, expected_row(name))) for name, draft in drafts.items()])
    passed = reports("--project", str(project), "check")
    assert passed.returncode == 0, passed.stderr
