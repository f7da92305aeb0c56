"""The shipped documents in traditional script, as Taiwan readers get them: every phrase written
otherwise than OpenCC writes it (a slip corrected, a Taiwan word put in) is on a reviewed list, no
character of the 併/鬚 class stands outside the words it is right in, and quotations keep the
source's words.

The documents' HTML is rendered from the shipped seeds and converted as ``reports build --script
zh-Hant`` converts it (``document_html`` with the converter), through a converter that also notes
what it did: the briefing of every class with the articles reprinted (``--full-text``), the
handout of every class and the weekly of 2026-W47. The handouts and the weekly have no --script
option yet; their texts are converted here all the same, so that their wording is reviewed before
they get one. No PDF is made (the PDF of the briefing is read in test_script_option.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from dataclasses import dataclass

import pytest
from helpers.projects import ROOT

from reports.content.load import load_content
from reports.content.project import Project
from reports.documents import handout, weekly
from reports.documents.base import document_html
from reports.documents.briefing import BriefingOptions, briefing_html, prepare_briefing
from reports.documents.dating import IssueDate
from reports.text.scripts import ScriptConverter, Swap, ambiguous_uses, converter_for

DATE = dt.date(2026, 12, 1)  # not before the seeds' latest date, facts checked on 2026-12-01 (documents/dating.py)
WEEK = "2026-W47"


@dataclass
class Converted:
    """One text node of a document, as written and as converted."""

    document: str
    verbatim: bool
    text: str
    converted: str
    swaps: list[Swap]


class NotingConverter:
    """The real converter into zh-Hant, noting each text node it converts and what it did to it."""

    def __init__(self, converter: ScriptConverter):
        self.converter, self.target = converter, converter.target
        self.document = ""
        self.texts: list[Converted] = []

    def converts(self, lang: str) -> bool:
        return self.converter.converts(lang)

    def convert(self, text: str, lang: str, verbatim: bool = False) -> str:
        converted, swaps = self.converter.convert_listing(text, lang, verbatim)
        if self.converter.converts(lang):
            self.texts.append(Converted(self.document, verbatim, text, converted, swaps))
        return converted


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> list[Converted]:
    """Every converted text node of the shipped documents (the seeds copied: a weekly reads and
    writes the project's build/)."""
    root = tmp_path_factory.mktemp("seeds")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    project = Project.at(root)
    noting = NotingConverter(converter_for("zh-Hant"))

    noting.document = "briefing"
    options = BriefingOptions(build_date=DATE, script="zh-Hant", full_text=True)
    _, context = prepare_briefing(project, options, noting)  # the charts' texts too
    briefing_html(project, context, converter=noting)

    content = load_content(project)
    paper = handout.PAPERS["a4"]
    for table in content.tables:
        noting.document = f"handout {table.table.therapy_class.id}"
        context = {**handout.handout_context(content, table, paper, False, DATE),
                   **handout.density_context(content, table, paper, handout.DENSITIES[0])}
        document_html(project, context, handout.TEMPLATE, converter=noting)

    noting.document = f"weekly {WEEK}"
    week, timezone = weekly.resolve_week(project, weekly.IsoWeek.parse(WEEK), None, IssueDate(DATE))
    plan = weekly.plan_week(project, week, timezone)
    changes = weekly.compare(plan.previous, plan.manifest["rows"], plan.manifest["articles"])
    context = weekly.weekly_context(plan.selected, changes, plan.manifest["version"], plan.timezone, DATE)
    document_html(project, context, weekly.TEMPLATE, converter=noting)
    return noting.texts


def test_every_swap_in_the_shipped_documents_is_reviewed(shipped, data_regression):
    """Each phrase written otherwise than OpenCC's s2tw, with the converted text around it: a new
    one (a new seed, a new entry of taiwan_vocabulary.yaml or script_corrections.yaml) shows in
    the diff of tests/documents/test_traditional_wording/, to be read before --force-regen."""
    listed: dict[str, dict[str, set[str]]] = {"corrections": defaultdict(set), "vocabulary": defaultdict(set)}
    kinds = {"correction": "corrections", "vocabulary": "vocabulary"}
    for text in shipped:
        for swap in text.swaps:
            listed[kinds[swap.kind]][f"{swap.wrong} → {swap.right}"].add(swap.context)
    data_regression.check({kind: {rule: sorted(contexts) for rule, contexts in sorted(rules.items())}
                           for kind, rules in listed.items()})


def test_no_character_of_the_bing_and_xu_class_stands_outside_its_words(shipped):
    # 并 is 並 or 併, 须 is 須 or 鬚 ...: a rare form outside the words of ambiguous_characters.yaml
    # is a slip of OpenCC's segmentation (抗原併發揮, 時長鬚帶). Fix it with a phrase rule in
    # script_corrections.yaml, or add the word if the form is right.
    slips = sorted({f"{text.document}: {place}" for text in shipped for place in ambiguous_uses(text.converted)})
    assert slips == []


def test_quotations_keep_the_sources_words(shipped):
    quoted = [text for text in shipped if text.verbatim]
    assert {text.document for text in quoted} >= {"briefing", "handout car-t"}
    assert not [swap for text in quoted for swap in text.swaps if swap.kind == "vocabulary"]
    assert any("隨訪" in text.converted for text in quoted)  # the source's word, in traditional characters
    assert any("隨訪" in text.text or "随访" in text.text for text in shipped if not text.verbatim)
    assert not any("隨訪" in text.converted for text in shipped if not text.verbatim)  # the editors write 追蹤


def test_the_editors_text_has_no_mainland_word_left(shipped):
    """What a reviewer found in the first traditional briefing, and words of the same kind."""
    mainland = ["信息", "數據", "隨訪", "綜合徵", "細胞因子", "乳腺癌", "報道", "視頻", "軟件", "網絡", "服務器",
                "默認", "干預", "患兒", "入組", "靶點", "循證", "偏倚", "樣本量", "二維碼", "併發揮", "併吞噬", "鬚"]
    left = sorted({f"{word}: {text.converted.strip()[:40]}" for text in shipped if not text.verbatim
                   for word in mainland if word in text.converted})
    assert left == []


def test_the_charts_words_are_converted_too():
    """A chart is an SVG image with its alt text: no text node of the HTML, converted by the context."""
    import base64

    _, context = prepare_briefing(Project.at(ROOT), BriefingOptions(build_date=DATE, script="zh-Hant"),
                                  converter_for("zh-Hant"))
    charts = [series.chart for c in context["classes"] if c.landscape for series in c.landscape.series if series.chart]
    svgs = [base64.b64decode(chart.image.split(",", 1)[1]).decode("utf-8") for chart in charts]
    assert [chart.alt[:4] for chart in charts] == ["條形圖："] * len(charts)
    assert any("佔比（%）" in svg for svg in svgs) and not any("占比" in svg for svg in svgs)
