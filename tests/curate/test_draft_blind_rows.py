"""The blind corpus's expected rows (tests/curate/draft_blind/) pass `reports check`: each article is put
in a copy of the shipped seeds, with its index entry (classes.yaml) and its expected row appended
under studies: of its class's evidence table, and the check must find no problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from helpers.cli import reports

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "draft_blind"
CLASSES = yaml.safe_load((CORPUS / "classes.yaml").read_text(encoding="utf-8"))


def project_with(tmp_path: Path, name: str) -> Path:
    """The shipped seeds, with the article ``name``, its index entry and its expected row added."""
    meta = CLASSES[name]
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    shutil.copy(CORPUS / f"{name}.md", project / "seeds" / "articles" / f"{name}.md")

    index = project / "seeds" / "articles.yaml"
    entry = yaml.safe_dump([{"file": f"{name}.md", **meta["index"]}], allow_unicode=True, sort_keys=False)
    entry = "".join(f"  {line}\n" for line in entry.splitlines())
    index.write_text(index.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + entry, encoding="utf-8")

    lines = (CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8").rstrip("\n").split("\n")
    row = "".join(("  - " if number == 0 else "    ") + line + "\n" if line else "\n"
                  for number, line in enumerate(lines))
    table = project / "seeds" / "evidence" / f"{meta['class']}.yaml"
    text = table.read_text(encoding="utf-8")
    if "\nlandscape:" in text:  # studies: comes first; the row goes at its end
        text = text.replace("\nlandscape:", "\n" + row + "\nlandscape:", 1)
    else:
        text = text.rstrip("\n") + "\n" + row
    table.write_text(text, encoding="utf-8")
    return project


def test_the_corpus_is_complete():
    articles = sorted(path.stem for path in CORPUS.glob("*.md") if path.name != "README.md")
    assert articles == sorted(CLASSES)
    for name in CLASSES:
        assert (CORPUS / f"{name}.expected.yaml").is_file()
        assert CLASSES[name]["index"]["outlet"]


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_expected_row_passes_the_check(tmp_path: Path, name: str):
    row = yaml.safe_load((CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    assert {excerpt["article"] for excerpt in row["excerpts"]} == {name}
    project = project_with(tmp_path, name)
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 3 therapy classes, 5 studies, "), result.stdout
    errors = [line for line in result.stderr.splitlines() if "warning:" not in line]
    assert not errors, "\n".join(errors)
