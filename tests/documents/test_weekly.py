"""Weekly briefings: a week's new articles and rows, the changes since the previous briefing,
an empty week, idempotent re-runs, and failures that leave the previous week's files alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from helpers.cli import reports as run_reports
from helpers.layout import layout_violations, weekly_margins
from helpers.pdf import pdftotext, run_tool, table_cell
from helpers.projects import ARTICLE, EVIDENCE, ROOT, write_project

from reports.content.load import load_content
from reports.content.project import Project
from reports.documents.weekly import IsoWeek, WeeklyOptions, build_weekly, select_week
from reports.errors import ReportError

BUILD_DATE = dt.date(2026, 12, 1)  # after every week of the tests: the date printed, and the clock


def weekly(project: Path, week: str, **options) -> object:
    options.setdefault("build_date", BUILD_DATE)
    return build_weekly(project, WeeklyOptions(week=IsoWeek.parse(week), **options))


def flat(pdf: Path) -> str:
    """The PDF's text without whitespace: Chinese lines break anywhere."""
    return re.sub(r"\s+", "", pdftotext(pdf))


def reports(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``reports --project PROJECT ARGS`` in this process (tests/helpers/cli.py)."""
    return run_reports("--project", str(project), *args)


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """A copy of the shipped seeds, so that building weeks does not touch the repository's build/."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


# ---------------------------------------------------------------------------------------------
# Weeks


def test_iso_weeks_parse_and_span_monday_to_sunday():
    week = IsoWeek.parse("2025-W46")
    assert (week.start, week.end) == (dt.date(2025, 11, 10), dt.date(2025, 11, 16))
    assert str(week) == "2025-W46" and week.previous() == IsoWeek.parse("2025-W45")
    assert IsoWeek.parse("2026-W01").start == dt.date(2025, 12, 29)  # ISO years start on a Monday
    for bad in ("2025-46", "2025-W100", "2025-W54"):
        with pytest.raises(ReportError):
            IsoWeek.parse(bad)


@pytest.mark.parametrize("week", ["9999-W52", "9999-W01", "0000-W01", "0001-W01", "1899-W52"])
def test_a_week_out_of_the_calendars_range_is_a_located_error_not_a_traceback(project: Path, week: str):
    """9999-W52 parsed, then its following Monday overflowed Python's calendar (year 10000)."""
    result = run_reports("--project", str(project), "weekly", "--week", week)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Invalid value for '--week': '{week}'" in result.stderr
    assert not (project / "build" / "weekly").exists()


def test_the_last_complete_week_depends_on_the_time_zone():
    # Monday 01:00 in Shanghai is still Sunday in UTC: the week has ended in one zone only.
    now = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)
    assert str(IsoWeek.last_complete(now, "Asia/Shanghai")) == "2026-W47"
    assert str(IsoWeek.last_complete(now, "UTC")) == "2026-W46"


def test_a_week_that_has_not_ended_is_refused(project: Path):
    with pytest.raises(ReportError, match=r"2026-W48 has not ended by the issue date 2026-11-29 \(it ends on Sunday "
                                          r"2026-11-29 in Asia/Shanghai\)"):
        weekly(project, "2026-W48", build_date=dt.date(2026, 11, 29))
    assert not (project / "build").exists() or not any((project / "build").rglob("*.pdf"))


NOV_24 = "1795478400"  # SOURCE_DATE_EPOCH of 2026-11-24 00:00 UTC, a Tuesday


@pytest.mark.render
def test_the_week_and_the_date_printed_come_from_one_clock(project: Path):
    """The date printed (--date, else SOURCE_DATE_EPOCH, else today) is the day the week is reckoned from:
    without --week, the last week that had ended by it; a week asked for must have ended before it."""
    early = run_reports("--project", str(project), "weekly", "--week", "2026-W48", env={"SOURCE_DATE_EPOCH": NOV_24})
    assert early.returncode == 1 and "Traceback" not in early.stderr
    assert early.stderr.splitlines()[0] == (
        "reports: 2026-W48 has not ended by the date 2026-11-24 from SOURCE_DATE_EPOCH (it ends on Sunday "
        "2026-11-29 in Asia/Shanghai); a weekly briefing covers a complete week, so it is dated from the Monday "
        "after, 2026-11-30")
    assert not (project / "build/weekly/2026-W48").exists()

    by_epoch = run_reports("--project", str(project), "weekly", env={"SOURCE_DATE_EPOCH": NOV_24})
    assert by_epoch.stdout.startswith("2026-W47: wrote"), by_epoch.stdout + by_epoch.stderr
    assert "发布日期：2026年11月24日" in flat(project / "build/weekly/2026-W47/briefing.pdf")
    by_date = reports(project, "weekly", "--date", "2026-11-30")
    assert by_date.stdout.startswith("2026-W48: wrote"), by_date.stdout + by_date.stderr
    assert "发布日期：2026年11月30日" in flat(project / "build/weekly/2026-W48/briefing.pdf")


# ---------------------------------------------------------------------------------------------
# What a week contains, from the dates in the seeds


def test_the_week_of_an_articles_publication_includes_it():
    content = load_content(Project.at(ROOT))
    # The CAR-NK lupus article was published on Sunday 2025-11-16: the last day of 2025-W46.
    assert [a.id for a in select_week(content, IsoWeek.parse("2025-W46")).new_articles] == ["car-nk-cd19-lupus"]
    assert select_week(content, IsoWeek.parse("2025-W47")).new_articles == []
    # Known only to the month (2025-02): in no week, rather than in a guessed one.
    for week in ("2025-W05", "2025-W06", "2025-W07", "2025-W08", "2025-W09"):
        assert "car-t-gd2-neuroblastoma-18y" not in [a.id for a in select_week(content, IsoWeek.parse(week)).new_articles]
    # Every seed row was added on 2026-11-21.
    assert len(select_week(content, IsoWeek.parse("2026-W47")).new_rows) == 5
    assert select_week(content, IsoWeek.parse("2026-W46")).new_rows == []


def test_a_reposted_article_names_its_outlet_original_author_and_title(seed_weeks, seed_project: Path):
    result = seed_weeks("2025-W07")  # 2025-02-13: the CT-0508 news
    text = flat(result.pdf)
    # A new article's highlight names its outlet and date, and what it reports: never its headline.
    assert "新文章：生物谷（bioon.com），2025-02-13" in text
    assert "本表尚无证据条目引用此文" in text  # the rows citing it were added in 2026
    assert "生物谷（bioon.com）" in text
    result = weekly(seed_project, "2020-W44")  # 2020-10-29: reposted from Medical Xpress
    text = flat(result.pdf)
    assert "转载来源：MedicalXpress，《ImmunotherapywithCARTcellsresultsinexceptionalpatientrecovery》" in text
    # Rows added later (2026-11-21) are not in a 2020 briefing: it shows the tables as they stood.
    assert "证据表中还没有任何条目" in text


def test_a_week_with_new_rows_lists_them_in_highlights_and_sections(seed_weeks):
    result = seed_weeks("2026-W47")
    assert result.outcome == "built"
    text = flat(result.pdf)
    assert "截至2026年11月22日的一周" in text
    # Added this week, none published in it: each says when it was published (CT-0508's paper: only
    # its report's date is known; the landscape: not dated).
    for n, (when, title) in enumerate([("2020年发表", "HEROS2.0"), ("2025年发表", "第一代GD2CAR-T"),
                                       ("2025年发表", "异基因CD19CAR-NK"), ("2025年报道", "CT-0508首次人体"),
                                       ("发表日期未标注", "全球1580项CAR-T")], 1):
        assert f"{n}.新收录·{when}：{title}" in text
    assert "仅供医疗卫生专业人士参考，非推广材料" in text
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    # The edition's version is the PDF's metadata, not a hash for readers; so is the tool's version.
    subject = pypdf.PdfReader(result.pdf).metadata.subject
    assert "证据截至 2025-11-16，发布日期 " in subject and subject.endswith(f"；版本 {manifest['version']}")
    assert manifest["version"] not in text and "reports0.1" not in text and "Asia/Shanghai" not in text
    assert len(manifest["rows"]) == 5 and manifest["rows"]["car-m/ct-0508-phase-1"]["added"] == "2026-11-21"
    assert manifest["pdf"]["sha256"] == hashlib.sha256(result.pdf.read_bytes()).hexdigest()
    assert manifest["pdf"]["pages"] == result.pages
    # A computed figure keeps its † in a highlight, and the weekly says what † means and why.
    assert "519项（32.8%）†原文未单列" in text and "<sup" not in text
    assert "†编者计算或推算的数字，原文未直接给出；依据见“证据概览”。" in text
    assert "519项（32.8%）：编者计算，1580−891−170=519" in text


def test_a_row_added_this_week_says_when_it_was_published_and_when_it_entered_the_tables(seed_weeks):
    """2026-W47 added five rows, none published that week (one is a 2020 case report): no item is
    headed as new evidence; each names its paper and the reports with their dates, and its day added."""
    text = flat(seed_weeks("2026-W47").pdf)
    assert "新增证据" not in text
    assert "本周发表或报道的证据" not in text  # nothing was published in the week
    assert "本周收录、此前已发表或报道的证据1.新收录·2020年发表：HEROS2.0" in text
    assert ("论文：NatureCommunications，2020-07-15｜报道：生物谷（bioon.com），2020-10-29｜收入证据表：2026-11-21"
            "CAR-T细胞疗法｜至发表时未再治疗且无癌症：19个月；此前停止输注6个月后复发，再治疗后获第二次缓解") in text
    # An article dated to the month only; a paper whose date its report does not give.
    assert "报道：觀察者網·風聞（轉載），2025-02｜收入证据表：2026-11-21" in text
    assert "4.新收录·2025年报道：CT-0508首次人体I期试验论文：NatureMedicine，日期未报道｜报道：生物谷（bioon.com），2025-02-13" in text
    # No paper and no date: said so, in a group of its own.
    assert ("本周收录、发表日期未标注的证据5.新收录·发表日期未标注：全球1580项CAR-T临床试验全景分析"
            "来源文章：生物制品圈（微信公众号，经网易新闻转载），日期未标注｜收入证据表：2026-11-21") in text
    # The rows' own section: the same heading in each row's tag, then the paper, the reports, the day added.
    assert ("新收录·2020年发表HEROS2.0：HER2CAR-T治疗儿童转移性横纹肌肉瘤（病例报告）类别CAR-T细胞疗法"
            "论文NatureCommunications，2020-07-15，doi:10.1038/s41467-020-17175-8报道生物谷（bioon.com），"
            "2020-10-29[1]收录2026-11-21收入证据表") in text


PUBLISHED_IN_THE_WEEK = """\
  - id: demo-news
    title: 示例新闻速报
    product: DEMO-1
    targets: [CD19]
    cell_source: autologous
    indication: 淋巴瘤
    population: 接受治疗的患者
    design:
      study_type: interventional
      allocation: not-reported
      intervention_model: not-reported
      masking: not-reported
      summary: I 期临床试验
    phase: phase-1
    registry_ids: []
    intervention: 单次静脉输注
    enrollment:
      treated: 12
      excerpts: [news-safety]
    outcomes:
      - name: 部分缓解（PR）
        measure: proportion
        unit: "%"
        value: 42
        n: 5
        of: 12
        excerpts: [news-safety]
    adverse_events: []
    safety_not_reported: 报道未提及其他不良事件
    source:
      journal: Example Journal
    certainty:
      cebm_level: 4
      grade: very-low
      rated_down:
        - domain: imprecision
          levels: 2
          reason: 样本量小
    excerpts:
      - id: news-design
        article: demo
        text: 发表了一项 I 期临床试验结果。
      - id: news-safety
        article: demo
        text: 在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。
        key: true
    added: 2026-11-21
"""


@pytest.mark.render
def test_a_row_published_in_its_week_is_kept_apart_from_one_published_earlier(tmp_path: Path):
    # The demo article is published on Wednesday of 2026-W47; one row reports it and a paper whose date
    # it does not give (reported that day: the paper may be older), the other a paper of 2025. Both
    # entered the tables that week.
    project = write_project(tmp_path / "p", {
        "seeds/articles/demo.md": ARTICLE.replace('date: "2025-03-01"', 'date: "2026-11-18"'),
        "seeds/evidence/car-x.yaml": EVIDENCE + PUBLISHED_IN_THE_WEEK,
    })
    assert reports(project, "check").returncode == 0, reports(project, "check").stderr
    text = flat(weekly(project, "2026-W47").pdf)
    assert ("本周发表或报道的证据1.新收录·本周报道：示例新闻速报论文：ExampleJournal，日期未报道｜报道：示例新闻网，"
            "2026-11-18｜收入证据表：2026-11-21") in text
    assert ("本周收录、此前已发表或报道的证据2.新收录·2025年发表：示例I期试验论文：ExampleJournal，2025-02-28‡｜报道：示例新闻网，"
            "2026-11-18｜收入证据表：2026-11-21") in text
    assert "本周发布的来源文章3.新文章：示例新闻网，2026-11-18" in text
    # The rows' section in the same order, each tagged.
    assert text.index("新收录·本周报道示例新闻速报") < text.index("新收录·2025年发表示例I期试验")


def test_the_overview_gives_a_studys_main_result_whole_as_the_briefing_does(seed_weekly: Path):
    """The evidence overview printed a study's first two outcomes: HEROS stopped at the relapse and
    left out the second remission. It gives the headline outcome, the briefing summary's, whole."""
    result = table_cell(seed_weekly, "HEROS2.0：HER2", "主要结果")
    assert result == ("至发表时未再治疗且无癌症：19个月；此前停止输注6个月后复发，再治疗后获第二次缓解"
                      "（另有4项结果，见完整简报）")
    assert table_cell(seed_weekly, "第一代GD2CAR-T治疗", "安全性").endswith("（另有1项，见完整简报）")


def test_every_word_of_the_weekly_is_inside_the_text_block(seed_weekly: Path):
    """The layout check (tests/helpers/layout.py): the evidence overview's tables fit the text block."""
    assert [str(v) for v in layout_violations(seed_weekly, weekly_margins()) if v.rule == "outside"] == []


def test_the_masthead_keeps_each_item_on_one_line(seed_weekly: Path):
    lines = [line.strip() for line in pdftotext(seed_weekly, "-f", "1", "-l", "1", "-layout").splitlines()]
    assert any(line.startswith("发布日期：2026 年 12 月 1 日") for line in lines), lines[:12]


def test_the_weekly_passes_a_typesetters_eye(seed_weekly: Path):
    """The layout check (tests/helpers/layout.py): no near-empty last page (the version line alone), no
    heading last on a page, no line that is one Han character alone."""
    assert [str(v) for v in layout_violations(seed_weekly, weekly_margins())] == []


def test_highlights_link_to_the_row_and_its_source(seed_weeks):
    from pypdf import PdfReader

    result = seed_weeks("2026-W47")
    reader = PdfReader(result.pdf)
    names = set(reader.named_destinations)
    assert {"study-ct-0508-phase-1", "car-t-landscape-1580-trials", "ref-1", "highlights", "changes"} <= names
    targets = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            destination = annotation.get_object().get("/Dest") or action.get("/D")
            if destination is not None:
                targets.add(str(destination))
    assert {"study-ct-0508-phase-1", "ref-5"} <= targets, targets


@pytest.mark.render
def test_an_empty_week_gives_a_short_briefing_that_says_so(project: Path):
    result = weekly(project, "2026-W10")
    assert result.outcome == "built" and result.pages == 1
    text = flat(result.pdf)
    assert "本周没有新发表的来源文章，证据表也没有新增或更新的条目。" in text
    assert "截至本周末，证据表中还没有任何条目" in text  # the demo row is added on 2026-11-21
    assert "这是第一期周报" in text


# ---------------------------------------------------------------------------------------------
# Changes since the previous briefing


CHANGED_ARTICLE = ARTICLE.replace("5 名患者（42%）", "6 名患者（50%）")
SECOND_ROW = (
    EVIDENCE.split("studies:\n")[1]
    .replace("demo-phase-1", "demo-phase-1b").replace("示例 I 期试验", "示例 Ib 期扩展队列")
    .replace("demo-safety", "demo-safety-b").replace("demo-design", "demo-design-b").replace("added: 2026-11-21", "added: 2026-11-24")
    .replace("NCT01234567", "NCT01234568")
)


def change_the_figures(project: Path) -> None:
    """In week 2026-W48: the PR figure is corrected (with a revision) and a second row is added."""
    evidence = (EVIDENCE.replace("value: 42\n        n: 5", "value: 50\n        n: 6")
                .replace("5 名患者（42%）", "6 名患者（50%）")
                .replace("    added: 2026-11-21\n", "    added: 2026-11-21\n    revisions:\n"
                         "      - date: 2026-11-25\n        note: 部分缓解更新为 6/12（50%）\n", 1))
    second = SECOND_ROW.replace("5 名患者（42%）", "6 名患者（50%）").replace("value: 42\n        n: 5", "value: 50\n        n: 6")
    write_project(project, {"seeds/articles/demo.md": CHANGED_ARTICLE,
                            "seeds/evidence/car-x.yaml": evidence + second})


@pytest.mark.render
def test_the_diff_lists_an_added_row_and_a_changed_figure(project: Path):
    first = weekly(project, "2026-W47")
    change_the_figures(project)
    second = weekly(project, "2026-W48")
    text = flat(second.pdf)
    assert "上期：2026-W47。比较的是上期周报实际收录的内容" in text and first.version not in text
    assert "新增条目示例Ib期扩展队列（CAR-X细胞疗法）" in text
    # The figure as the previous briefing printed it, from its manifest, not from today's seeds.
    assert "数据变更示例I期试验（CAR-X细胞疗法）" in text
    assert "结果｜部分缓解（PR）：42%，5/12→50%，6/12" in text
    assert "1.新收录·2025年发表：示例Ib期扩展队列" in text
    assert ("2.证据更新：示例I期试验论文：ExampleJournal，2025-02-28‡｜报道：示例新闻网，2025-03-01｜收入证据表："
            "2026-11-21｜更新：2026-11-25CAR-X细胞疗法｜部分缓解更新为6/12（50%）") in text
    manifest = json.loads(second.manifest.read_text(encoding="utf-8"))
    assert manifest["previous"] == {"week": "2026-W47", "version": first.version}
    assert manifest["rows"]["car-x/demo-phase-1"]["revised"] == "2026-11-25"


@pytest.mark.render
def test_the_diff_is_against_what_the_previous_briefing_contained(project: Path):
    weekly(project, "2026-W47")
    manifest_path = project / "build/weekly/2026-W47/manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    # Suppose last week's briefing had printed another figure: this week's diff reports that one.
    figures = manifest["rows"]["car-x/demo-phase-1"]["figures"]
    figures["结果｜部分缓解（PR）"] = "40%，5/12"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    text = flat(weekly(project, "2026-W48").pdf)
    assert "结果｜部分缓解（PR）：40%，5/12→42%，5/12" in text


@pytest.mark.render
def test_a_damaged_previous_manifest_is_a_clear_error(project: Path):
    weekly(project, "2026-W40")
    (project / "build/weekly/2026-W40/manifest.json").write_text("{not json", encoding="utf-8")
    result = reports(project, "weekly", "--week", "2026-W41")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("build/weekly/2026-W40/manifest.json: not a readable weekly manifest")
    assert "--force" in result.stderr
    assert not (project / "build/weekly/2026-W41/briefing.pdf").exists()


@pytest.mark.render
def test_the_first_weekly_briefing_says_there_is_nothing_to_compare_with(project: Path):
    text = flat(weekly(project, "2026-W47").pdf)
    assert "这是第一期周报" in text


# ---------------------------------------------------------------------------------------------
# Idempotence and failures


@pytest.mark.render
def test_a_second_run_with_unchanged_inputs_renders_nothing(project: Path):
    first = reports(project, "weekly", "--week", "2026-W40", "--date", "2026-12-01")
    assert first.returncode == 0, first.stderr
    pdf = project / "build/weekly/2026-W40/briefing.pdf"
    manifest = pdf.with_name("manifest.json")
    before = (pdf.read_bytes(), pdf.stat().st_mtime_ns, manifest.stat().st_mtime_ns)

    again = reports(project, "weekly", "--week", "2026-W40", "--date", "2026-12-02")
    assert again.returncode == 0, again.stderr
    assert "2026-W40: up to date" in again.stdout and "nothing re-rendered" in again.stdout
    assert (pdf.read_bytes(), pdf.stat().st_mtime_ns, manifest.stat().st_mtime_ns) == before

    forced = reports(project, "weekly", "--week", "2026-W40", "--date", "2026-12-02", "--force")
    assert forced.returncode == 0 and "wrote" in forced.stdout
    assert pdf.stat().st_mtime_ns != before[1]
    assert "2026年12月2日" in flat(pdf)


@pytest.mark.render
def test_a_changed_input_renders_the_week_again(project: Path):
    first = weekly(project, "2026-W47")
    write_project(project, {"styles/briefing.css": "h1 { color: black; }\n"})
    second = weekly(project, "2026-W47")
    assert second.outcome == "built" and second.version != first.version


@pytest.mark.render
def test_a_week_whose_pdf_was_altered_is_rendered_again(project: Path):
    first = weekly(project, "2026-W47")
    first.pdf.write_bytes(first.pdf.read_bytes() + b"\n% edited\n")
    assert weekly(project, "2026-W47").outcome == "built"


@pytest.mark.render
def test_a_failed_run_leaves_the_previous_good_files_untouched(project: Path):
    weekly(project, "2026-W40")
    folder = project / "build/weekly/2026-W40"
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    result = reports(project, "weekly", "--week", "2026-W40", "--force")
    assert result.returncode == 1
    assert re.search(r"seeds/evidence/car-x\.yaml:\d+:\d+: .*phase-9", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


@pytest.mark.render
def test_the_scheduler_mode_leaves_a_produced_week_alone(project: Path):
    first = weekly(project, "2026-W47")
    write_project(project, {"styles/briefing.css": "h1 { color: black; }\n"})
    mtime = first.pdf.stat().st_mtime_ns
    again = weekly(project, "2026-W47", only_if_missing=True)
    assert again.outcome == "already-produced" and again.version == first.version
    assert first.pdf.stat().st_mtime_ns == mtime


# ---------------------------------------------------------------------------------------------
# Settings and row dates are validated like the seeds


@pytest.mark.render
@pytest.mark.parametrize("settings, message", [
    ("timezone: Asia/Shanghia\n", r"seeds/project\.yaml:1:11: timezone: 'Asia/Shanghia' is not an IANA time zone"),
    ("schedule: '0 25 * * mon'\n", r"seeds/project\.yaml:1:11: schedule: '0 25 \* \* mon' is not a valid crontab line"),
    ("schedule: '0 8 * mon'\n", r"seeds/project\.yaml:1:11: schedule: '0 8 \* mon' has 4 fields"),
    ("schedule: '0 8 * * 1'\n", r"seeds/project\.yaml:1:11: schedule: '0 8 \* \* 1': write the weekday as a name"),
    ("title: [a, b]\n", r"seeds/project\.yaml:1:8: title: "),
])
def test_bad_project_settings_are_reported_at_their_place(tmp_path: Path, settings: str, message: str):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": settings})
    result = reports(project, "check")
    assert result.returncode == 1 and re.search(message, result.stderr), result.stderr
    result = reports(project, "weekly", "--week", "2026-W40")
    assert result.returncode == 1 and re.search(message, result.stderr), result.stderr
    assert not (project / "build/weekly/2026-W40/briefing.pdf").exists()


@pytest.mark.render
def test_settings_title_and_organisation_are_printed(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": "weekly_title: 细胞治疗周报\norganisation: 示例医学部\n"})
    result = weekly(project, "2026-W47")
    assert "细胞治疗周报" in flat(result.pdf)
    assert re.search(r"^Title: +细胞治疗周报 2026-W47（CAR-X 细胞疗法）$", run_tool("pdfinfo", result.pdf), re.M)
    assert re.search(r"^Author: +示例医学部$", run_tool("pdfinfo", result.pdf), re.M)


@pytest.mark.parametrize("change, message", [
    (("    added: 2026-11-21\n", ""), r"car-x\.yaml:\d+:\d+: studies\.0: required field 'added' is missing"),
    (("added: 2026-11-21", "added: 2026-21-11"), r"car-x\.yaml:\d+:12: studies\.0\.added: '2026-21-11' is not a day"),
    (("    added: 2026-11-21\n", "    added: 2026-11-21\n    revisions:\n      - date: 2026-11-20\n        note: 更正\n"),
     r"car-x\.yaml:\d+:15: studies\.0\.revisions\.0\.date: revision dated 2026-11-20 comes before 2026-11-21"),
])
def test_row_dates_are_checked(tmp_path: Path, change: tuple[str, str], message: str):
    project = write_project(tmp_path / "p", {"seeds/evidence/car-x.yaml": EVIDENCE.replace(*change)})
    result = reports(project, "check")
    assert result.returncode == 1 and re.search(message, result.stderr), result.stderr
