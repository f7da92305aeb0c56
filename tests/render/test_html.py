"""The rendered HTML of the seed briefing for a fixed date, as a golden file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reports.content.project import Project
from reports.documents.briefing import BriefingOptions, briefing_html, prepare_briefing

ROOT = Path(__file__).resolve().parents[2]


def seed_html() -> str:
    project = Project.at(ROOT)
    _, context = prepare_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    return briefing_html(project, context)


def test_the_seed_briefing_html_is_stable(file_regression):
    file_regression.check(seed_html(), extension=".html", encoding="utf-8")


def test_every_text_carries_its_script():
    html = seed_html()
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-Hans\">")
    assert '<article class="source-article" id="article-car-t-gd2-neuroblastoma-18y" lang="zh-Hant">' in html
    assert '<blockquote lang="zh-Hant">' in html  # the traditional-script quotations
    assert '<blockquote lang="zh-Hans">' in html


def test_untrusted_article_text_is_escaped(project: Path):
    from helpers.projects import write_project

    write_project(project, {"seeds/articles/demo.md": (project / "seeds/articles/demo.md").read_text()
                            + '\n<script>alert("x")</script> <img src=x onerror=alert(1)>\n'})
    proj = Project.at(project)
    _, context = prepare_briefing(proj, BriefingOptions(build_date=dt.date(2026, 12, 1), full_text=True))
    html = briefing_html(proj, context)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_a_project_overrides_one_template_and_keeps_the_rest(project: Path):
    from helpers.projects import write_project

    write_project(project, {"templates/partials/cover.html": '<section class="cover"><h1>本院内部简报</h1></section>\n'})
    proj = Project.at(project)
    _, context = prepare_briefing(proj, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    html = briefing_html(proj, context)
    assert "<h1>本院内部简报</h1>" in html
    assert '<section class="references" id="references">' in html  # the built-in partials still apply


def test_a_missing_template_names_every_folder_searched(project: Path):
    from reports.errors import ReportError
    from reports.render.html import render_html

    proj = Project.at(project)
    try:
        render_html(proj.template_dirs, "nope.html", {})
    except ReportError as error:
        assert "template 'nope.html' not found; searched: " in str(error)
        assert str(proj.template_dirs[-1]) in str(error)
    else:
        raise AssertionError("no error")


@pytest.mark.render
def test_a_broken_partial_of_the_project_is_a_located_error_not_a_traceback(project: Path):
    """A project's own partial, included by a built-in template, with a syntax error: the error
    names the file and line, the command exits 1, and no PDF is written."""
    from helpers.cli import reports
    from helpers.projects import write_project

    write_project(project, {"templates/partials/method.html": "<section>\n{% if %}\n</section>\n"})
    result = reports("--project", str(project), "build")  # in this process (tests/helpers/cli.py)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "templates/partials/method.html:2: template syntax error: " in result.stderr
    assert not (project / "build" / "briefing.pdf").exists()
