"""The words news articles use, read as a curator reads them: what the draft corpora showed `reports
check` refused although the source said it plainly. Each story changes the demo article's wording
and the row that quotes it; the check must pass, and fail again when the row says what the words
do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import reports
from helpers.projects import ARTICLE, EVIDENCE, write_project

SAFETY = "在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。"


def project_saying(folder: Path, sentence: str, row_changes: dict[str, str]) -> Path:
    """The demo project with its safety sentence reworded, and the row changed to match (without the
    event's denominator, when the sentence no longer states one)."""
    evidence = EVIDENCE.replace(SAFETY, sentence)
    if "名患者中" not in sentence and "名接受治疗的患者中" not in sentence and "病人中" not in sentence:
        evidence = evidence.replace("        patients: 0\n        of: 12\n", "        patients: 0\n")
    for old, new in row_changes.items():
        assert old in evidence, old
        evidence = evidence.replace(old, new)
    return write_project(folder, {"seeds/articles/demo.md": ARTICLE.replace(SAFETY, sentence),
                                  "seeds/evidence/car-x.yaml": evidence})


def check(project: Path):
    return reports("--project", str(project), "check")


@pytest.mark.parametrize("sentence, changes, wrong", [
    # 收案 (Taiwan) says the patients were enrolled.
    ("共收案 12 名病人，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。",
     {"      treated: 12\n": "      enrolled: 12\n"}, ("      enrolled: 12\n", "      evaluable: 12\n")),
    # 回输 (the usual word for a CAR-T infusion) says they were treated.
    ("12 名患者完成回输，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。",
     {}, ("      treated: 12\n", "      enrolled: 12\n")),
    # 随机分配 (a randomised trial) and 收錄 (Hong Kong) say they were enrolled.
    ("12 名患者按 1:1 随机分配，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。",
     {"      treated: 12\n": "      enrolled: 12\n"}, ("      enrolled: 12\n", "      treated: 12\n")),
    ("共有 12 名病人獲收錄，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。",
     {"      treated: 12\n": "      enrolled: 12\n"}, ("      enrolled: 12\n", "      evaluable: 12\n")),
    # 纳入疗效分析 says they were evaluable.
    ("12 名患者纳入疗效分析，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。",
     {"      treated: 12\n": "      evaluable: 12\n"}, ("      evaluable: 12\n", "      treated: 12\n")),
])
def test_the_words_news_uses_for_who_was_enrolled_treated_and_assessed(tmp_path, sentence, changes, wrong):
    project = project_saying(tmp_path / "right", sentence, changes)
    result = check(project)
    assert result.returncode == 0, result.stderr
    # The same count under a role the sentence does not state is still refused.
    table = project / "seeds/evidence/car-x.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace(*wrong), encoding="utf-8")
    refused = check(project)
    assert refused.returncode == 1 and "does not say the patients were" in refused.stderr


def test_a_grading_written_v5_0_states_version_5_0_and_no_other(tmp_path):
    sentence = ("在 12 名接受治疗的患者中，按 CTCAE v5.0 评估，未观察到剂量限制性毒性（DLT）。"
                "5 名患者（42%）达到部分缓解。")
    project = project_saying(tmp_path, sentence, {
        "        grading: {system: not-reported}\n": "        grading: {system: CTCAE, version: \"5.0\"}\n"})
    assert check(project).returncode == 0
    table = project / "seeds/evidence/car-x.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace('version: "5.0"', 'version: "4.0"'), encoding="utf-8")
    refused = check(project)
    assert refused.returncode == 1 and "grading CTCAE 4.0 is not stated in its excerpts" in refused.stderr


@pytest.mark.parametrize("phase_words", ["1b 期", "Ib 期", "phase 1b "])
def test_a_phase_1b_is_a_phase_1_trial(tmp_path, phase_words):
    project = write_project(tmp_path, {
        "seeds/articles/demo.md": ARTICLE.replace("I 期[临床试验]", f"{phase_words}[临床试验]"),
        "seeds/evidence/car-x.yaml": EVIDENCE.replace("text: 发表了一项 I 期临床试验结果。",
                                                      f"text: 发表了一项 {phase_words}临床试验结果。")})
    assert (project / "seeds/articles/demo.md").read_text(encoding="utf-8").count(phase_words) == 1
    assert check(project).returncode == 0
    wrong = project / "seeds/evidence/car-x.yaml"
    wrong.write_text(wrong.read_text(encoding="utf-8").replace("phase: phase-1", "phase: phase-2"), encoding="utf-8")
    assert check(project).returncode == 1


def test_a_simplified_table_names_what_a_traditional_article_says(tmp_path):
    """The tables are written in simplified Chinese; an article may be traditional. Names and
    subgroups are matched in either script, as clinical words already were."""
    sentence = "在 12 名接受治療的病人中，未觀察到劑量限制性毒性（DLT）。在可評估的病人中，5 名病人（42%）達到部分緩解。"
    project = project_saying(tmp_path, sentence, {
        "        excerpts: [demo-safety]\n    adverse_events:":
            "        population: 可评估的病人\n        excerpts: [demo-safety]\n    adverse_events:",
    })
    result = check(project)
    assert result.returncode == 0, result.stderr
    table = project / "seeds/evidence/car-x.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace("population: 可评估的病人", "population: 全部患者"),
                     encoding="utf-8")
    refused = check(project)
    assert refused.returncode == 1 and "is of a subgroup" in refused.stderr
