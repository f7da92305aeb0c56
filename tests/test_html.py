"""The rendered HTML of the seed briefing for a fixed date, as a golden file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reports.build import BriefingOptions, briefing_html, prepare_briefing
from reports.project import Project

ROOT = Path(__file__).resolve().parent.parent


def seed_html() -> str:
    project = Project.at(ROOT)
    _, context = prepare_briefing(project, BriefingOptions(build_date=dt.date(2026, 1, 15)))
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
    from conftest import write_project

    write_project(project, {"seeds/articles/demo.md": (project / "seeds/articles/demo.md").read_text()
                            + '\n<script>alert("x")</script> <img src=x onerror=alert(1)>\n'})
    proj = Project.at(project)
    _, context = prepare_briefing(proj, BriefingOptions(build_date=dt.date(2026, 1, 15)))
    html = briefing_html(proj, context)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
