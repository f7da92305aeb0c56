"""A clinician opens a class and finds the bottom line first, then the outcomes across its studies.

Each class's first page starts with 要点: who was studied and how many, the main result with n/N, its
subgroup and time point, the main harms with n/N (deaths first), the certainty and why. Then the
结果总结表 (a GRADE summary of findings): one group of rows per outcome, "未报道" where a study does
not report a harm. The at-a-glance table on page 3 gives each study's main harm beside its main
result, and names a subgroup's result as one. All of it is composed from verified fields
(reports/render/findings.py), so nothing in it is a number the rows do not hold.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.pdf import pdftotext
from helpers.projects import ROOT

from reports.content.load import load_content
from reports.content.project import Project
from reports.render.context import certainty_text, row_figures
from reports.render.findings import (
    NOT_REPORTED,
    bottom_line,
    event_counts,
    main_harm,
    main_result,
    summary_of_findings,
)
from reports.text.figures import figures_in


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def seed_tables():
    return {file.table.therapy_class.id: file.table for file in load_content(Project.at(ROOT)).tables}


def pages(pdf: Path) -> list[str]:
    return [squeezed(page) for page in pdftotext(pdf).split("\f")]


def first_page_of(pdf: Path, heading: str) -> str:
    """The page on which a class starts: its name as the page's heading, then 要点."""
    return next(page for page in pages(pdf) if re.search(rf"{re.escape(heading)}(.{{0,40}})要点", page))


@pytest.mark.render
@pytest.mark.parametrize("name, musts", [
    ("CAR-T细胞疗法", ["研究与人群（2项研究", "入组19例", "存活8年以上：7/19", "死亡：12/19",
                      "再治疗后获第二次缓解", "GRADE评级极低", "偏倚风险（降2级）"]),
    ("CAR-NK细胞疗法", ["入组18例", "67%（6/9）（亚组：随访超过12个月的患者", "1/18（6%）：仅1例，为1级",
                       "DLT0/18", "不精确性（降2级）"]),
    ("CAR-M细胞疗法", ["治疗14例", "疾病稳定（SD）：44%；原文未给出例数（亚组：HER2 3+患者，治疗后8周）".replace(" ", ""),
                      "DLT0/14", "为1–2级", "间接性（降1级）"]),
])
def test_each_class_first_page_gives_whom_the_benefit_the_harm_with_n_of_n_and_the_certainty(seed_briefing, name,
                                                                                               musts):
    page = first_page_of(seed_briefing, name)
    assert page.index("要点") < page.index("研究与人群") < page.index("主要疗效") < page.index("主要危害") \
        < page.index("证据确定性")
    assert [must for must in musts if must not in page] == []
    assert page.index("要点") < page.find("作用机制") or "作用机制" not in page  # the bottom line before the textbook


@pytest.mark.render
def test_the_at_a_glance_table_gives_each_studys_main_harm_and_names_subgroups(seed_briefing):
    glance = next(page for page in pages(seed_briefing) if page.startswith("CAR细胞疗法临床证据简报要点速览"))
    # Table cells wrap, and poppler reads a table line by line across its cells: short pieces only.
    assert "主要危害（n/N）" in glance
    assert "死亡：12/19" in glance  # the GD2 deaths, no longer only deep in the evidence table
    assert "CRS）1/18" in glance and "6/9" in glance
    assert glance.count("（亚组：") == 2 and "HER23+" in glance


@pytest.mark.render
def test_each_class_has_a_summary_of_findings_with_every_harm_row_and_unreported_ones_said(seed_briefing):
    text = squeezed(pdftotext(seed_briefing))
    assert text.count("结果总结表") >= 3
    for piece in ("任何级别", "≥3级"):  # CRS and neurotoxicity, in each class's table (a cell's short piece)
        assert text.count(piece) >= 6, piece
    assert "各研究均未报道" in text  # CRS in the CAR-T studies: said once, not hidden


# -----------------------------------------------------------------------------------------------
# Composed from verified fields: nothing the rows do not hold.


def test_every_number_of_a_bottom_line_and_a_findings_row_is_a_number_of_its_studies():
    for class_id, table in seed_tables().items():
        stated = set()
        for study in table.studies:
            texts = [*row_figures(study).values(), study.population, study.design.summary, certainty_text(study),
                     *(f"{step.levels}" for step in study.certainty.rated_down + study.certainty.rated_up),
                     *(event.summary for event in study.adverse_events), study.safety_not_reported or ""]
            stated |= {figure.value for text in texts for figure in figures_in(text)}
        stated |= {len(table.studies), sum(s.enrollment.treated or s.enrollment.enrolled or 0 for s in table.studies)}
        stated.add(0)  # none of grade 3 or higher, read from a highest grade of 1 or 2
        composed = [entry for _, entries in bottom_line(table.studies).points for entry in entries]
        composed += [f"{row.participants} {row.result}" for group in summary_of_findings(table.studies)
                     for row in group.rows]
        unstated = {(class_id, figure.value) for text in composed for figure in figures_in(text)
                    if figure.value not in stated}
        assert unstated == set()


def test_a_severe_count_is_read_from_the_highest_grade_or_an_absence_never_guessed():
    study = seed_tables()["car-nk"].studies[0]
    crs = next(event for event in study.adverse_events if event.kind == "crs")  # 1/18, highest grade 1
    assert event_counts(crs, grade_3_plus=True) == "0/18"
    assert event_counts(crs.model_copy(update={"max_grade": None}), grade_3_plus=True) is None
    assert event_counts(crs.model_copy(update={"max_grade": 3}), grade_3_plus=True) is None
    assert event_counts(crs.model_copy(update={"grade_3_plus": 1, "max_grade": 3}), grade_3_plus=True) == "1/18"
    absent = next(event for event in study.adverse_events if event.kind == "neurotoxicity")  # 0/18
    assert event_counts(absent, grade_3_plus=True) == "0/18"


def test_a_study_without_harms_reported_says_so_in_every_harm_row():
    heros = seed_tables()["car-t"].studies[0]
    assert heros.adverse_events == [] and heros.safety_not_reported
    assert main_harm(heros) == f"{NOT_REPORTED}：{heros.safety_not_reported}"
    groups = summary_of_findings([heros])
    harms = [group for group in groups if group.section == "危害"]
    assert {(group.outcome, group.grades) for group in harms} >= {("CRS", "≥3 级"), ("剂量限制性毒性（DLT）", ""),
                                                                   ("死亡", "")}
    assert all(row.result == NOT_REPORTED and not row.reported for group in harms for row in group.rows)


def test_deaths_lead_the_harms_and_a_subgroup_result_is_named_as_one():
    gd2 = seed_tables()["car-t"].studies[1]
    assert main_harm(gd2).startswith("死亡：12/19")
    nk = seed_tables()["car-nk"].studies[0]
    assert main_result(nk) == "DORIS 缓解及狼疮低疾病活动状态（LLDAS）：67%（6/9）（亚组：随访超过 12 个月的患者）"


def test_a_harm_one_study_reports_keeps_every_studys_row():
    car_t = seed_tables()["car-t"].studies
    deaths = next(group for group in summary_of_findings(car_t) if group.outcome == "死亡")
    assert [(row.study, row.reported) for row in deaths.rows] == [
        ("HEROS 2.0", False), ("第一代 GD2 CAR-T 治疗神经母细胞瘤 I 期试验", True)]
