"""Certainty computed, not typed: the GRADE rating from the design and the declared steps, the
OCEBM 2011 level from the design. A typed rating is checked against them at its line, and every
document prints the computed one."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from helpers.projects import EVIDENCE, write_project
from test_check import line_of, reports

from reports.content.model import Certainty, Design, grade_of, ocebm_level

ROOT = Path(__file__).resolve().parents[2]

# The conftest study: single-arm, rated down 2 levels for imprecision; typed very-low and 4.
TYPED = "      cebm_level: 4\n      grade: very-low\n"
RATED_UP = ("      rated_up:\n        - domain: large-effect\n          levels: 2\n"
            "          reason: 缓解率远高于历史对照\n")


def shipped(tmp_path: Path, relative: str, old: str, new: str) -> tuple[Path, str]:
    """The shipped seeds in a new project with the first ``old`` replaced by ``new``; the changed file's text."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return project, text


def test_a_single_arm_study_typed_high_is_an_error_at_its_grade(tmp_path: Path):
    """The issue's mutant: 极低 → 高 printed ⊕⊕⊕⊕ for an uncontrolled series of 18 patients."""
    project, text = shipped(tmp_path, "seeds/evidence/car-nk.yaml", "      grade: very-low\n", "      grade: high\n")
    result = reports(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"seeds/evidence/car-nk.yaml:{line_of(text, 'grade: high')}:14: studies.0.certainty.grade: typed 'high' but "
        "the design (non-randomised, without a concurrent control) and rated_down (risk-of-bias −1, imprecision −2) "
        "give 'very-low'; remove grade: or correct rated_down/rated_up",
        "1 problem found; nothing was written.",
    ]


def test_a_case_report_typed_ocebm_level_1_is_an_error_at_its_level(tmp_path: Path):
    # The first study of car-t.yaml is the HEROS 2.0 case report.
    project, text = shipped(tmp_path, "seeds/evidence/car-t.yaml", "      cebm_level: 4\n", "      cebm_level: 1\n")
    result = reports(project, "check")
    assert result.returncode == 1
    assert (f"seeds/evidence/car-t.yaml:{line_of(text, 'cebm_level: 1')}:19: studies.0.certainty.cebm_level: typed 1 "
            "but the design (non-randomised, without a concurrent control) gives OCEBM 2011 level 4; remove "
            "cebm_level: or correct the design") in result.stderr.splitlines()


def test_a_lower_typed_grade_without_its_reasons_is_refused(tmp_path: Path):
    """What 'a grade below high needs rated_down reasons' became: a rating below the design's start
    exists only through rated_down steps, each with its reason."""
    text = EVIDENCE.replace("      rated_down:\n        - domain: imprecision\n          levels: 2\n"
                            "          reason: 样本量小\n", "")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    assert result.returncode == 1
    assert (f"seeds/evidence/car-x.yaml:{line_of(text, 'grade: very-low')}:14: studies.0.certainty.grade: typed "
            "'very-low' but the design (non-randomised, without a concurrent control) and no rated_down give 'low'; "
            "remove grade: or correct rated_down/rated_up") in result.stderr
    # Without the typed grade, the same study is simply low: its design's start.
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text.replace("      grade: very-low\n", "")})
    assert reports(project, "check").returncode == 0


def test_rated_up_raises_the_rating_and_the_documents_print_the_computed_one(tmp_path: Path):
    from reports.content.project import Project
    from reports.documents.briefing import BriefingOptions, briefing_html, prepare_briefing

    text = EVIDENCE.replace(TYPED, "").replace("    excerpts:\n      - id: demo-design", RATED_UP
                                               + "    excerpts:\n      - id: demo-design")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    assert reports(project, "check").returncode == 0
    _, context = prepare_briefing(Project.at(project), BriefingOptions(build_date=dt.date(2026, 12, 1)))
    view = context["classes"][0].studies[0]
    # low (single arm), −2 imprecision, +2 very large effect: low; OCEBM 4
    assert (view.grade_label, view.grade_symbols, view.cebm_level) == ("低", "⊕⊕◯◯", 4)
    html = briefing_html(Project.at(project), context).replace("\u2060", "").replace("\xa0", " ")
    cell = re.search(r'<td class="certainty">(.*?)</td>', html, re.DOTALL).group(1)
    assert re.sub(r"<[^>]+>|\s", "", cell) == "OCEBM4级⊕⊕◯◯低ab"  # the cell as printed (footnotes a, b)
    assert "示例 I 期试验｜效应量大（升 2 级）：缓解率远高于历史对照" in html
    # Typed as before (very-low), the rating is refused at the typed grade, naming both steps.
    typed = text.replace("    certainty:\n", "    certainty:\n      grade: very-low\n")
    write_project(project, {"seeds/evidence/car-x.yaml": typed})
    result = reports(project, "check")
    assert (f"seeds/evidence/car-x.yaml:{line_of(typed, 'grade: very-low')}:14: studies.0.certainty.grade: typed "
            "'very-low' but the design (non-randomised, without a concurrent control) and rated_down (imprecision −2) "
            "and rated_up (large-effect +2) give 'low'; remove grade: or correct rated_down/rated_up") in result.stderr


def test_only_a_very_large_effect_rates_up_by_two_levels(tmp_path: Path):
    text = EVIDENCE.replace("    excerpts:\n      - id: demo-design", RATED_UP.replace("large-effect", "dose-response")
                            + "    excerpts:\n      - id: demo-design")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    assert result.returncode == 1
    assert (f"seeds/evidence/car-x.yaml:{line_of(text, 'levels: 2', 2)}:19: studies.0.certainty.rated_up.0.levels: "
            "dose-response rates up by 1 level; only a very large effect (large-effect) rates up by 2"
            ) in result.stderr


@pytest.mark.parametrize("design, level, start", [
    ({"study_type": "interventional", "allocation": "randomized", "intervention_model": "parallel"}, 2, "high"),
    ({"study_type": "interventional", "allocation": "non-randomized", "intervention_model": "parallel"}, 3, "low"),
    ({"study_type": "interventional", "allocation": "non-randomized", "intervention_model": "crossover"}, 3, "low"),
    ({"study_type": "interventional", "intervention_model": "single-group"}, 4, "low"),
    ({"study_type": "interventional", "intervention_model": "sequential"}, 4, "low"),  # dose cohorts, no control
    ({"study_type": "observational"}, 4, "low"),
    ({"study_type": "case-report"}, 4, "low"),  # a case series of one; 5 is mechanism-based reasoning
], ids=["randomised", "controlled", "crossover", "single-arm", "sequential", "observational", "case-report"])
def test_the_design_gives_the_level_and_the_starting_certainty(design: dict, level: int, start: str):
    design = Design.model_validate({**design, "summary": "示例"})
    assert ocebm_level(design) == level
    assert grade_of(design, Certainty()) == start
    # Steps move the rating within very-low..high, never beyond.
    down = Certainty.model_validate({"rated_down": [{"domain": "risk-of-bias", "levels": 2, "reason": "示例理由"},
                                                    {"domain": "imprecision", "levels": 2, "reason": "示例理由"}]})
    up = Certainty.model_validate({"rated_up": [{"domain": "large-effect", "levels": 2, "reason": "示例理由"},
                                                {"domain": "dose-response", "reason": "示例理由"}]})
    assert grade_of(design, down) == "very-low"
    assert grade_of(design, up) == "high"
