"""The held-out corpus (tests/curate/draft_heldout/): each expected row passes the real `reports check`.

Each article is added to a copy of the shipped seeds, with the index entry classes.yaml gives it, and
its expected row is appended under ``studies:`` of its class's evidence table; ``reports check`` on
that project must pass (warnings allowed: the shipped glossary does not list every abbreviation of
the new rows). The corpus measures `reports draft` on text its author has not seen, so an expected
row is only a fair answer if a curator could ship it: verified like any other row.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from helpers.cli import reports

from reports.content.model import Study

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "draft_heldout"
CLASSES = yaml.safe_load((CORPUS / "classes.yaml").read_text(encoding="utf-8"))
NAMES = sorted(CLASSES)


def shipped_studies() -> int:
    tables = (ROOT / "seeds" / "evidence").glob("*.yaml")
    return sum(len(yaml.safe_load(path.read_text(encoding="utf-8")).get("studies") or []) for path in tables)


def as_list_item(row: str) -> str:
    """The expected file (one study, at the top level) as an item of ``studies:``, indented as the seeds are."""
    lines = [line for line in row.splitlines() if not line.startswith("#")]
    while lines and not lines[0].strip():
        lines.pop(0)
    return "".join(("  - " if index == 0 else "    " if line else "") + line + "\n" for index, line in enumerate(lines))


def with_study(table: str, item: str) -> str:
    """The evidence table with ``item`` appended to its studies (before a landscape: that follows them)."""
    lines = table.splitlines(keepends=True)
    start = next(index for index, line in enumerate(lines) if line.startswith("studies:"))
    end = next((index for index in range(start + 1, len(lines)) if re.match(r"[^\s#]", lines[index])), len(lines))
    if end and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join([*lines[:end], item, *lines[end:]])


def project_with(name: str, folder: Path) -> Path:
    """The shipped seeds, plus the held-out article ``name``, its index entry and its expected row."""
    meta = CLASSES[name]
    seeds = folder / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    shutil.copy(CORPUS / f"{name}.md", seeds / "articles" / f"{name}.md")
    entry = yaml.safe_dump([{"file": f"{name}.md", **meta["index"]}], allow_unicode=True, sort_keys=False)
    index = seeds / "articles.yaml"
    index.write_text(index.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
                     + "".join(f"  {line}\n" for line in entry.splitlines()), encoding="utf-8")
    table = seeds / "evidence" / f"{meta['class']}.yaml"
    row = (CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8")
    table.write_text(with_study(table.read_text(encoding="utf-8"), as_list_item(row)), encoding="utf-8")
    return folder


def test_the_corpus_is_three_articles_each_with_its_row():
    articles = sorted(path.stem for path in CORPUS.glob("*.md") if path.name != "README.md")
    rows = sorted(path.name.removesuffix(".expected.yaml") for path in CORPUS.glob("*.expected.yaml"))
    assert articles == rows == NAMES
    assert sorted(CLASSES[name]["script"] for name in NAMES) == ["zh-Hans", "zh-Hans", "zh-Hant"]
    assert sorted(CLASSES[name]["front_matter"] for name in NAMES) == ["none", "toml", "yaml"]


@pytest.mark.parametrize("name", NAMES)
def test_the_article_is_plain_text_of_a_news_length(name: str):
    raw = (CORPUS / f"{name}.md").read_bytes()
    text = raw.decode("utf-8")
    assert b"\r" not in raw and unicodedata.is_normalized("NFC", text)
    assert 1500 <= len(text) <= 3500
    opening = {"yaml": "---\n", "toml": "+++\n", "none": "# "}[CLASSES[name]["front_matter"]]
    assert text.startswith(opening)


@pytest.mark.parametrize("name", NAMES)
def test_the_expected_row_is_one_study_quoting_its_article(name: str):
    row = yaml.safe_load((CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    assert set(row) <= set(Study.model_fields)
    Study.model_validate(row)
    assert {excerpt["article"] for excerpt in row["excerpts"]} == {name}


@pytest.mark.parametrize("name", NAMES)
def test_the_expected_row_passes_reports_check(name: str, tmp_path: Path):
    project = project_with(name, tmp_path / name)
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"ok: 3 therapy classes, {shipped_studies() + 1} studies, ")
    # warnings only (abbreviations the shipped glossary does not list), never an error
    assert all(": warning: " in line for line in result.stderr.splitlines()), result.stderr
