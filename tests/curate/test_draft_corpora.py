"""The draft's corpora are right before they measure anything: every expected row passes `reports
check` in a copy of the shipped seeds with its article and index entry added, and fails when one of
its figures is changed; every article quotes only itself, in UTF-8, NFC, LF.

One module for every corpus (tests/curate/draft_*/): the rows are the answers the draft is measured
against (tests/curate/test_draft.py), so a wrong answer would make a wrong measure.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from helpers.cli import reports
from helpers.corpora import (
    ARTICLES,
    expected_row,
    names_in,
    project_with,
    read_yaml,
    with_rows,
)

CORPUS_FOLDERS = sorted(path for path in Path(__file__).parent.glob("draft_*") if path.is_dir())

pytestmark = pytest.mark.corpus


def test_every_corpus_is_measured_by_the_draft_test():
    assert {folder for _, entry in ARTICLES.items() for folder in [entry["folder"]]} == set(CORPUS_FOLDERS)


@pytest.mark.parametrize("folder", CORPUS_FOLDERS, ids=lambda folder: folder.name)
def test_a_corpus_has_an_expected_row_and_an_index_entry_per_article(folder: Path):
    listed = read_yaml((folder / "classes.yaml").read_text(encoding="utf-8"))
    rows = sorted(path.name.removesuffix(".expected.yaml") for path in folder.glob("*.expected.yaml"))
    assert rows == sorted(listed)
    for name, entry in listed.items():
        assert (folder / f"{name}.md").is_file() and entry["index"]["outlet"] and entry["class"]
        for path in (folder / f"{name}.md", folder / f"{name}.expected.yaml"):
            raw = path.read_bytes()
            text = raw.decode("utf-8")
            assert not raw.startswith(b"\xef\xbb\xbf") and "\r" not in text and text.endswith("\n"), path.name
            assert unicodedata.normalize("NFC", text) == text, path.name


@pytest.mark.parametrize("folder", CORPUS_FOLDERS, ids=lambda folder: folder.name)
def test_the_expected_rows_pass_the_check_and_a_changed_figure_does_not(tmp_path: Path, folder: Path):
    names = names_in(folder)
    rows = [(ARTICLES[name]["class"], expected_row(name)) for name in names]
    for name, (_, row) in zip(names, rows):
        assert {excerpt["article"] for excerpt in row["excerpts"]} == {name}
    project = project_with(tmp_path / "right", *names)  # a corpus at once: one check, not one per article
    with_rows(project, rows)
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: 3 therapy classes, {4 + len(rows)} studies, "), result.stdout

    changed = []
    for class_id, row in rows:
        field = next(key for key in ("enrolled", "treated", "evaluable") if row["enrollment"].get(key))
        row["enrollment"][field] += 1
        changed.append((class_id, field))
    wrong = project_with(tmp_path / "wrong", *names)
    places = with_rows(wrong, rows)
    refused = reports("--project", str(wrong), "check")
    assert refused.returncode == 1
    for (class_id, field), (_, row) in zip(changed, rows):
        assert re.search(rf"^seeds/evidence/{class_id}\.yaml:\d+:\d+: studies\.{places[row['id']]}\.enrollment\.{field} = ",
                         refused.stderr, re.MULTILINE), (row["id"], refused.stderr)
