"""The expected rows of the unseen corpus (tests/curate/draft_unseen/) pass `reports check`.

Each article of the corpus comes with the study row a careful curator would write from it. Here
each row is proved the way a curator proves one: in a copy of the shipped seeds, the article is
added to seeds/articles/ with its index entry (classes.yaml), the row is appended under studies:
in its class's evidence table, and `reports check` must pass with no problem.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers.cli import reports

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "draft_unseen"
CLASSES = yaml.safe_load((CORPUS / "classes.yaml").read_text(encoding="utf-8"))


def project_with(name: str, target: Path) -> Path:
    """A copy of the shipped seeds at ``target`` with the article ``name`` and its expected row added."""
    info = CLASSES[name]
    seeds = target / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    shutil.copy(CORPUS / f"{name}.md", seeds / "articles" / f"{name}.md")
    entry = yaml.safe_dump([{"file": f"{name}.md", **info["index"]}], allow_unicode=True, sort_keys=False)
    index = seeds / "articles.yaml"
    index.write_text(index.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
                     + "".join(f"  {line}\n" for line in entry.splitlines()), encoding="utf-8")
    row = (CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8")
    lines = [line for line in row.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    item = "".join(f"  {'- ' if number == 0 else '  '}{line}\n" for number, line in enumerate(lines))
    table = seeds / "evidence" / f"{info['class']}.yaml"
    text = table.read_text(encoding="utf-8")
    assert text.count("\nstudies:\n") == 1, table
    table.write_text(text.replace("\nstudies:\n", "\nstudies:\n" + item, 1), encoding="utf-8")
    return target


def test_the_corpus_is_complete():
    articles = sorted(path.stem for path in CORPUS.glob("*.md") if path.name != "README.md")
    assert articles == sorted(CLASSES)
    for name in articles:
        assert (CORPUS / f"{name}.expected.yaml").is_file(), name
        info = CLASSES[name]
        assert info["class"] in {"car-t", "car-nk", "car-m"}
        assert info["script"] in {"zh-Hans", "zh-Hant"}
        assert info["front_matter"] in {"yaml", "toml", "none"}
        assert info["index"]["outlet"]
    assert {CLASSES[name]["front_matter"] for name in articles} == {"yaml", "toml", "none"}
    assert {CLASSES[name]["script"] for name in articles} == {"zh-Hans", "zh-Hant"}


# The rows use abbreviations the shipped glossary does not list (MRD, ORR, CRISS ...): reports check
# warns of each, which is all it may say besides ok.
GLOSSARY_WARNING = re.compile(r"^seeds/evidence/[\w-]+\.yaml:\d+:\d+: warning: [\w.]+: abbreviation \S+ is not in "
                              r"seeds/glossary\.yaml; ")


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_expected_row_passes_reports_check(name: str, tmp_path: Path):
    project = project_with(name, tmp_path / "project")
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 3 therapy classes, 5 studies, "), result.stdout
    others = [line for line in result.stderr.splitlines() if not GLOSSARY_WARNING.match(line)]
    assert others == [], result.stderr


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_row_is_really_checked(name: str, tmp_path: Path):
    """The same project with the row's enrolled count off by one fails: the row is read and verified,
    not skipped."""
    project = project_with(name, tmp_path / "project")
    table = project / "seeds" / "evidence" / f"{CLASSES[name]['class']}.yaml"
    text = table.read_text(encoding="utf-8")
    enrolled = re.search(r"\n      enrolled: (\d+)\n", text)
    assert enrolled, "the row states its enrolment"
    wrong = int(enrolled.group(1)) + 1
    table.write_text(text.replace(enrolled.group(0), f"\n      enrolled: {wrong}\n", 1), encoding="utf-8")
    result = reports("--project", str(project), "check")
    assert result.returncode == 1
    assert f"studies.0.enrollment.enrolled = {wrong} is not stated" in result.stdout + result.stderr


if __name__ == "__main__":  # a scratch project to look at: python tests/curate/test_draft_unseen_rows.py NAME DIR
    import sys

    print(project_with(sys.argv[1], Path(sys.argv[2])))
