"""A randomised trial's figures stay with their arm: a curator who swaps the two arms' medians, or
gives the control arm's rate to the CAR-T arm, is stopped by `reports check`, however near the
swapped figure stands to its outcome's name."""

from __future__ import annotations

import copy

import pytest
from helpers.cli import reports
from helpers.corpora import expected_row, project_with, with_row

from reports.content.verify.arms import stated_arm
from reports.text.figures import figures_in
from reports.text.normal import normal_form

ARMS = ("CAR-T组", "标准治疗组")


def arm_of(sentence: str, value: str) -> str | None:
    text = normal_form(sentence)
    figures = figures_in(text)
    figure = next(f for f in figures if str(f.value) == value)
    return stated_arm(text, figures, figure, (0, len(text)), ARMS)


@pytest.mark.parametrize("sentence, value, arm", [
    ("CAR-T组和标准治疗组的中位EFS分别为13.6个月和3.9个月。", "13.6", "CAR-T组"),
    ("CAR-T组和标准治疗组的中位EFS分别为13.6个月和3.9个月。", "3.9", "标准治疗组"),
    ("两组ORR分别为85.6%（178/208）和67.2%（137/204），CAR-T组和标准治疗组。", "67.2", None),  # named after
    ("CAR-T组和标准治疗组的ORR分别为85.6%（178/208）和67.2%（137/204）。", "208", "CAR-T组"),
    ("CAR-T组和标准治疗组的ORR分别为85.6%（178/208）和67.2%（137/204）。", "137", "标准治疗组"),
    ("CAR-T组的中位PFS尚未达到，标准治疗组为11.8个月。", "11.8", "标准治疗组"),
    ("CAR-T组的死亡人数多于标准治疗组（14例 vs 9例）。", "14", "CAR-T组"),
    ("CAR-T组的死亡人数多于标准治疗组（14例 vs 9例）。", "9", "标准治疗组"),
    ("与标准治疗组相比，CAR-T组风险降低59%。", "59", "CAR-T组"),
    ("CAR-T组较标准治疗组风险降低59%。", "59", None),  # both arms in its clause, no order: not said
])
def test_the_arm_a_sentence_gives_a_figure_to(sentence, value, arm):
    assert arm_of(sentence, value) == arm


RCT = "cd19-cd20-cart-lbcl-phase3"  # tests/curate/draft_blind_4: a curator's row, proved by the check


def swapped(row: dict, section: str, fields: str, name_a: str, name_b: str) -> dict:
    row = copy.deepcopy(row)
    items = {item.get("name") or item.get("term"): item for item in row[section]}
    for field in fields.split():
        items[name_a][field], items[name_b][field] = items[name_b][field], items[name_a][field]
    return row


def check_with(tmp_path, row: dict):
    project = project_with(tmp_path, RCT)
    with_row(project, "car-t", row)
    return reports("--project", str(project), "check")


def test_the_two_arms_medians_swapped_fail_check(tmp_path):
    # CAR-T组和标准治疗组的中位 EFS 分别为 13.6 个月和 3.9 个月 (in the article's words)
    result = check_with(tmp_path, swapped(expected_row(RCT), "outcomes", "value",
                                          "CAR-T 组：中位 EFS", "标准治疗组：中位 EFS"))
    assert result.returncode == 1
    assert "outcomes.1.value = 3.9" in result.stderr and "outcomes.2.value = 13.6" in result.stderr, result.stderr
    assert "in t302-efs is the 标准治疗组 arm's, not the CAR-T组 arm's" in result.stderr, result.stderr


def test_the_control_arms_rate_given_to_the_car_t_arm_fails_check(tmp_path):
    # CAR-T组的 ORR 为 84.0%（136/162），标准治疗组为 50.6%（82/162）: the rate and its count, as a pair
    result = check_with(tmp_path, swapped(expected_row(RCT), "outcomes", "value n",
                                          "CAR-T 组：客观缓解率（ORR）", "标准治疗组：客观缓解率（ORR）"))
    assert result.returncode == 1
    assert "is the 标准治疗组 arm's, not the CAR-T组 arm's" in result.stderr, result.stderr


def test_the_arms_events_swapped_fail_check(tmp_path):
    # CAR-T组和标准治疗组 3 级及以上中性粒细胞减少症的发生率分别为 78.5% 和 62.3%
    result = check_with(tmp_path, swapped(expected_row(RCT), "adverse_events", "percent",
                                          "CAR-T 组：3 级及以上中性粒细胞减少症", "标准治疗组：3 级及以上中性粒细胞减少症"))
    assert result.returncode == 1
    assert "is the 标准治疗组 arm's, not the CAR-T组 arm's" in result.stderr, result.stderr


def test_the_row_as_the_curator_wrote_it_passes(tmp_path):
    result = check_with(tmp_path, expected_row(RCT))
    assert result.returncode == 0, result.stderr
