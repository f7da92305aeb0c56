"""The second blind corpus (tests/curate/draft_blind_2/): each expected row passes `reports check`.

Each article goes into a copy of the shipped seeds with its index entry (classes.yaml, index:) and
its expected row appended under studies: of its class's evidence table; the check must report no
error (warnings, such as abbreviations missing from the glossary, are allowed)."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from helpers.cli import reports

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "draft_blind_2"
CLASSES = yaml.safe_load((CORPUS / "classes.yaml").read_text(encoding="utf-8"))
FRONT = {"yaml": "---\n", "toml": "+++\n", "none": "# "}


def add_row(table: Path, expected: Path) -> None:
    """The expected row (a mapping at the top level of its file) as the last item of studies:."""
    lines = expected.read_text(encoding="utf-8").rstrip("\n").split("\n")
    row = "".join(("  - " if number == 0 else "    ") + line + "\n" if line else "\n"
                  for number, line in enumerate(lines))
    text = table.read_text(encoding="utf-8")
    if "\nlandscape:" in text:  # the landscape follows the studies
        text = text.replace("\nlandscape:", "\n" + row + "\nlandscape:", 1)
    else:
        text = text.rstrip("\n") + "\n" + row
    table.write_text(text, encoding="utf-8")


def project_with(tmp_path: Path, name: str) -> Path:
    meta = CLASSES[name]
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    shutil.copy(CORPUS / f"{name}.md", project / "seeds" / "articles" / f"{name}.md")
    index = project / "seeds" / "articles.yaml"
    entry = yaml.safe_dump([{"file": f"{name}.md", **meta["index"]}], allow_unicode=True, sort_keys=False)
    index.write_text(index.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
                     + "".join(f"  {line}\n" for line in entry.splitlines()), encoding="utf-8")
    add_row(project / "seeds" / "evidence" / f"{meta['class']}.yaml", CORPUS / f"{name}.expected.yaml")
    return project


def test_the_corpus_is_complete_and_as_described():
    articles = sorted(path.stem for path in CORPUS.glob("*.md") if path.name != "README.md")
    assert articles == sorted(CLASSES)
    assert {meta["script"] for meta in CLASSES.values()} == {"zh-Hans", "zh-Hant"}
    assert {meta["front_matter"] for meta in CLASSES.values()} == {"yaml", "toml", "none"}
    for name, meta in CLASSES.items():
        text = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
        assert text == unicodedata.normalize("NFC", text) and "\r" not in text, name
        assert text.startswith(FRONT[meta["front_matter"]]), name
        assert meta["index"]["outlet"], name
        row = yaml.safe_load((CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
        assert {excerpt["article"] for excerpt in row["excerpts"]} == {name}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_expected_row_passes_the_check(tmp_path: Path, name: str):
    project = project_with(tmp_path, name)
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 3 therapy classes, 5 studies, "), result.stdout
    errors = [line for line in result.stderr.splitlines() if "warning:" not in line]
    assert not errors, "\n".join(errors)
