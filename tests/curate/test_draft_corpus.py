"""The draft corpus (tests/curate/draft_corpus/): fictional news articles, each with the study row a
curator writes from it, the expected answer of `reports draft`. These tests are the proof that the
expected rows are right: each row, with its article, passes the project's own `reports check`.

Each article gets a project of its own in tmp_path: the shipped seeds, the article in
seeds/articles/, the index entry a curator adds for it (classes.yaml) appended to
seeds/articles.yaml, and the expected row appended under ``studies:`` of its class's evidence table.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from helpers.cli import reports

from reports.content.load import load_content
from reports.content.project import Project

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "draft_corpus"
CLASSES: dict[str, dict] = yaml.safe_load((CORPUS / "classes.yaml").read_text(encoding="utf-8"))
LONG = CORPUS / "long-report.md"


def expected_row(name: str) -> dict:
    return yaml.safe_load((CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8"))


def as_list_item(mapping_text: str) -> str:
    """A YAML mapping (the row file, its comments left out) as an item of ``studies:``."""
    lines = [line for line in mapping_text.splitlines() if not line.startswith("#")]
    return "".join(("  - " if index == 0 else "    ") + line + "\n" if line else "\n"
                   for index, line in enumerate(lines))


def corpus_project(folder: Path, name: str) -> Path:
    """The shipped seeds with one corpus article, its index entry and its expected row added."""
    info = CLASSES[name]
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    seeds = folder / "seeds"
    shutil.copy(CORPUS / f"{name}.md", seeds / "articles" / f"{name}.md")
    entry = yaml.safe_dump([{"file": f"{name}.md", **info["index"]}], allow_unicode=True, sort_keys=False)
    index = seeds / "articles.yaml"
    index.write_text(index.read_text(encoding="utf-8") + "\n"
                     + "".join(f"  {line}\n" for line in entry.splitlines()), encoding="utf-8")
    table = seeds / "evidence" / f"{info['class']}.yaml"
    text = table.read_text(encoding="utf-8")
    row = as_list_item((CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    after_studies = re.search(r"^landscape:", text, re.MULTILINE)  # car-t.yaml: studies, then the landscape
    if after_studies:
        text = text[:after_studies.start()] + row + "\n" + text[after_studies.start():]
    else:
        text = text.rstrip("\n") + "\n" + row
    table.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_expected_row_passes_the_check(tmp_path: Path, name: str):
    project = corpus_project(tmp_path / "project", name)
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 3 therapy classes, 5 studies, "), result.stdout
    # The only warnings: abbreviations of the new row that the shipped glossary does not list
    # (a curator would add them to seeds/glossary.yaml; the rows do not depend on it).
    others = [line for line in result.stderr.splitlines() if "is not in seeds/glossary.yaml" not in line]
    assert others == []

    content = load_content(Project.at(project))
    table = next(file.table for file in content.tables if file.table.therapy_class.id == CLASSES[name]["class"])
    study = next(study for study in table.studies if study.id == expected_row(name)["id"])
    assert {excerpt.article for excerpt in study.excerpts} == {name}
    article = content.articles[name]
    assert article.lang == CLASSES[name]["script"]
    for registry_id in study.registry_ids:
        assert registry_id in (CORPUS / f"{name}.md").read_text(encoding="utf-8")


def test_the_corpus_is_the_mix_it_promises():
    assert sorted(path.stem for path in CORPUS.glob("*.md") if path != LONG and path.name != "README.md") \
        == sorted(CLASSES)
    assert sorted(path.name.removesuffix(".expected.yaml") for path in CORPUS.glob("*.expected.yaml")) \
        == sorted(CLASSES)
    scripts = [info["script"] for info in CLASSES.values()]
    assert scripts.count("zh-Hans") == 2 and scripts.count("zh-Hant") == 2
    assert {info["class"] for info in CLASSES.values()} >= {"car-t", "car-nk", "car-m"}
    phases = {expected_row(name)["phase"] for name in CLASSES}
    assert {"phase-1-phase-2", "phase-2"} <= phases
    fences = {"yaml": "---\n", "toml": "+++\n", "none": "# "}
    for name, info in CLASSES.items():
        text = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
        assert text.startswith(fences[info["front_matter"].split()[0]]), name
        body = text.split("+++\n" if text.startswith("+++") else "---\n", 2)[-1] if text[0] in "+-" else text
        assert 1500 <= len(body) <= 4000, (name, len(body))
        for registry_id in expected_row(name)["registry_ids"]:
            # invented numbers, beyond the ranges the registries had issued (README.md)
            assert re.fullmatch(r"NCT09\d{6}|ChiCTR2599\d{6}", registry_id), registry_id
    assert 9000 <= len(LONG.read_text(encoding="utf-8")) <= 11000


def test_the_corpus_files_are_utf8_nfc_with_lf():
    for path in CORPUS.iterdir():
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        assert not raw.startswith(b"\xef\xbb\xbf") and "\r" not in text and text.endswith("\n"), path.name
        assert unicodedata.normalize("NFC", text) == text, path.name
