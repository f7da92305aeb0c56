"""`reports draft` as a curator meets it: where the row goes, what it refuses, and that an undecided
draft can never be published."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers.cli import reports
from helpers.projects import ROOT

ARTICLE = "seeds/articles/car-m-ct0508-phase1.md"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


def draft(project: Path, *args: str):
    return reports("--project", str(project), "draft", *args)


def test_the_same_article_gives_the_same_draft_and_it_says_where_it_goes(project):
    first = draft(project, ARTICLE, "--class", "car-m", "--date", "2026-12-03")
    again = draft(project, ARTICLE, "--class", "car-m", "--date", "2026-12-03")
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout
    assert "Paste it under studies: in seeds/evidence/car-m.yaml" in first.stdout
    assert "added: '2026-12-03'" in first.stdout
    # Excerpt ids never collide with the project's: the shipped row already uses ct0508-safety.
    assert "id: ct0508-safety\n" not in first.stdout and "id: ct0508-safety-2" in first.stdout


def test_an_output_file_is_written_whole_and_the_next_step_is_said(project):
    target = project / "drafts/ct0508.yaml"
    result = draft(project, ARTICLE, "--class", "car-m", "-o", str(target), "--date", "2026-12-03")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == draft(project, ARTICLE, "--class", "car-m",
                                                       "--date", "2026-12-03").stdout
    assert "decide its TODO" in result.stderr
    assert [p.name for p in target.parent.iterdir()] == ["ct0508.yaml"]  # no temporary file left


@pytest.mark.parametrize("given, class_id, message", [
    ("seeds/articles/nothing.md", "car-m", "nothing.md: no such file; give an article of seeds/articles/"),
    ("README.md", "car-m", "README.md: not an article of this project; add it first with `reports add-article"),
    (ARTICLE, "CAR M", "--class 'CAR M' is not a class id"),
])
def test_what_is_not_an_article_of_the_project_is_refused_with_the_way_on(project, given, class_id, message):
    if given == "README.md":
        (project / "README.md").write_text("# 说明\n", encoding="utf-8")
    result = draft(project, given, "--class", class_id)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_an_article_file_not_in_the_index_is_refused_at_its_place(project):
    shutil.copy(project / ARTICLE, project / "seeds/articles/copy.md")
    result = draft(project, "seeds/articles/copy.md", "--class", "car-m")
    assert result.returncode == 1
    assert result.stderr.startswith("seeds/articles/copy.md:1:1: article 'copy' has no outlet; add an entry for it "
                                    "in seeds/articles.yaml")


def test_an_article_that_links_outside_the_project_is_never_read(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("---\ntitle: 机密\ndate: 2025-01-01\nlang: zh-CN\n---\n\n共入组 99 例患者。\n", encoding="utf-8")
    os.symlink(outside, project / "seeds/articles/secret.md")
    index = project / "seeds/articles.yaml"
    index.write_text(index.read_text(encoding="utf-8") + "\n  - file: secret.md\n    outlet: 外部\n", encoding="utf-8")
    result = draft(project, "seeds/articles/secret.md", "--class", "car-m")
    assert result.returncode == 1
    assert "99" not in result.stderr + result.stdout and "机密" not in result.stderr + result.stdout
    assert "seeds/articles/secret.md" in result.stderr


# ---------------------------------------------------------------------------------------------
# An undecided draft is never published: attacks on the TODO rule.


def with_study_value(project: Path, old: str, new: str) -> None:
    table = project / "seeds/evidence/car-nk.yaml"
    text = table.read_text(encoding="utf-8")
    assert old in text
    table.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, where", [
    ("    phase: not-reported\n", "    phase: TODO\n", "studies.0.phase"),
    ("    phase: not-reported\n", "    phase: todo  # decide\n", "studies.0.phase"),
    ("    targets: [CD19]\n", "    targets: [CD19, TODO]\n", "studies.0.targets.1"),
    ("        grading: {system: not-reported}\n", "        grading: {system: 'TODO: decide'}\n",
     "studies.0.adverse_events.0.grading.system"),
    ("    title: 异基因 CD19 CAR-NK", "    title: TODO 异基因 CD19 CAR-NK", "studies.0.title"),
])
def test_a_todo_left_anywhere_in_a_table_fails_check_at_its_place(project, old, new, where):
    with_study_value(project, old, new)
    result = reports("--project", str(project), "check")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": draft: decide " in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("seeds/evidence/car-nk.yaml:") and f": {where}: draft: decide this value" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_word_that_only_contains_todo_is_not_a_draft_mark(project):
    with_study_value(project, "    product: 异基因 CD19 CAR-NK 细胞\n", "    product: TODOKA-7 异基因 CD19 CAR-NK 细胞\n")
    result = reports("--project", str(project), "check")
    assert ": draft: decide " not in result.stderr


def test_a_table_that_does_not_read_does_not_stop_the_draft(project):
    """The draft reads the other tables only for their excerpt ids, with check's reader (its size limit,
    no aliases): a table it refuses is skipped, for check to report at its place; the ids of the
    tables that do read are still avoided."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)
    ) + "studies: *u\n"
    (project / "seeds/evidence/car-x.yaml").write_text(bomb, encoding="utf-8")
    result = draft(project, ARTICLE, "--class", "car-m", "--date", "2026-12-03")
    assert result.returncode == 0, result.stderr
    assert "id: ct0508-safety-2" in result.stdout
