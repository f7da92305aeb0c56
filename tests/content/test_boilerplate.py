"""What source sites add around an article (reports/content/boilerplate.yaml) is left out of the
full-text reprint, and only there: quotations are still checked against the article as pasted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.cli import reports
from helpers.projects import ARTICLE, EVIDENCE, ROOT, write_project

from reports.content.articles import (
    boilerplate_rules,
    read_articles,
    without_boilerplate,
)
from reports.errors import Problems

RULES = boilerplate_rules()


@pytest.fixture(scope="module")
def seed_articles():
    return read_articles(ROOT / "seeds", Problems(ROOT))


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_rule_removes_its_example_and_keeps_what_an_article_says(rule):
    assert rule.reason and re.search(r"\(\S+\.md\)$", rule.reason), "say why, and which source shows it"
    removed = rule.apply(rule.example)
    assert removed.strip() != rule.example.strip()
    if rule.line is not None:
        assert removed == ""  # the whole line goes (its number stays, empty)
    if rule.kept is not None:
        assert without_boilerplate(rule.kept) == rule.kept


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_rules_example_is_a_line_of_the_seed_article_it_names(rule):
    """An example is real: the line the rule was written for, in the seed article its reason names."""
    article = re.search(r"\((\S+\.md)\)$", rule.reason).group(1)
    lines = [line.strip() for line in (ROOT / "seeds/articles" / article).read_text(encoding="utf-8").splitlines()]
    assert any(rule.example in line for line in lines)


@pytest.mark.parametrize("article, boilerplate, kept", [
    ("car-nk-cd19-lupus", ["期刊信息", "IF:202.731", "创刊于1823年", "投稿链接"],
     "DOI: 10.1016/S0140-6736(25)01671-X"),
    ("car-m-ct0508-phase1", [">bioon<", "bioon"], "研究团队，尽管初步结果令人鼓舞"),
    ("car-t-her2-rhabdomyosarcoma", ["生物谷 Bioon.com", "Bioon", "news.bioon.com/article"], "无法治愈的恶性肿瘤。”</p>"),
])
def test_the_seed_articles_are_reprinted_without_their_sites_boilerplate(seed_articles, article, boilerplate, kept):
    html = seed_articles[article].html
    assert [text for text in boilerplate if text in html] == []
    assert kept in html


def test_the_text_quotations_are_checked_against_keeps_the_boilerplate(seed_articles):
    """The rules clean the reprint only: the blocks an excerpt is found in are the article as pasted."""
    text = "\n".join(block.text for block in seed_articles["car-nk-cd19-lupus"].blocks)
    assert "IF:202.731" in text and "期刊信息" in text
    text = "\n".join(block.text for block in seed_articles["car-t-her2-rhabdomyosarcoma"].blocks)
    assert "（生物谷 Bioon.com）" in text


def test_a_quotation_that_runs_into_a_sites_signature_still_verifies(tmp_path: Path):
    signed = ARTICLE.rstrip() + "\n\n随访 12 个月时，5 名患者仍然缓解。（生物谷 Bioon.com）\n"
    quote = ("      - id: demo-signed\n        article: demo\n"
             "        text: 随访 12 个月时，5 名患者仍然缓解。（生物谷 Bioon.com）\n    added:")
    project = write_project(tmp_path / "p", {"seeds/articles/demo.md": signed,
                                             "seeds/evidence/car-x.yaml": EVIDENCE.replace("    added:", quote, 1)})
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stdout + result.stderr
