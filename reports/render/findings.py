"""What a clinician looks for first: each class's bottom line and its summary of findings.

Both are composed from the verified fields of the rows only (the outcomes' and adverse events'
figures, n/N, time points and subgroups, the design, the enrolment, the computed certainty), never
from free prose: what they say has passed ``reports check`` with the rows. No figure is computed
here except a zero read from a stated maximum grade (no grade 3 or higher when the highest grade
seen is 1 or 2); no percentage is derived from n/N.

- ``bottom_line``: four points per class (who was studied and how many; the main efficacy result
  with n/N and time point; the main harms with n/N; the certainty and why), each naming its study
  when the class has more than one.
- ``summary_of_findings``: the GRADE summary-of-findings table (结果总结表): one group of rows per
  outcome across the studies (response, disease control, survival, relapse; then CRS and ICANS of
  any grade and of grade 3 or higher, dose-limiting toxicity, deaths, secondary malignancies, other
  harms), a row per study, with "未报道" where a study does not report a harm.
- ``main_harm``: the one harm the at-a-glance table shows beside the main result.

Outcomes are grouped by their names (``OUTCOME_KINDS``): the curators name them the way the
sources do (完全缓解（CR）, 存活 8 年以上, 疾病稳定（SD）), and an outcome that names none of these
(a mechanism, a biomarker, patients lost to follow-up) is left to the evidence table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reports.content.model import AdverseEvent, Measurement, Study
from reports.render.labels import DOMAIN_LABELS, GRADE_LABELS, figure_text, format_enrollment, number

NOT_REPORTED = "未报道"

# Outcome groups of the table, in its order, with the words of an outcome's name that put it there
# (the first group whose pattern matches). 无病 and 无癌 before 复发: disease-free survival is survival.
OUTCOME_KINDS: list[tuple[str, str, re.Pattern]] = [
    ("death", "死亡", re.compile(r"死亡|病死")),
    ("survival", "生存", re.compile(r"存活|生存|无病|无癌|无进展|\bOS\b|\bPFS\b|\bEFS\b|\bDFS\b")),
    ("relapse", "复发或进展", re.compile(r"复发|进展")),
    ("disease-control", "疾病稳定或控制（非客观缓解）", re.compile(r"疾病稳定|疾病控制|\bSD\b|\bDCR\b")),
    ("response", "缓解或疗效", re.compile(r"缓解|疗效|应答|\bORR\b|\bCRR?\b|\bPR\b|DORIS|LLDAS")),
]
EFFICACY_ORDER = ["response", "disease-control", "survival", "relapse"]
HARM_ROWS = [  # (label, the adverse event kinds it counts, grade 3 or higher only)
    ("细胞因子释放综合征（CRS）", ("crs",), False),
    ("CRS", ("crs",), True),
    ("神经毒性", ("icans", "neurotoxicity"), False),
    ("神经毒性", ("icans", "neurotoxicity"), True),
    ("剂量限制性毒性（DLT）", ("dlt",), False),
]
GRADES = {False: "任何级别", True: "≥3 级"}
OTHER_HARM_ROWS = [("继发性恶性肿瘤", ("secondary-malignancy",)), ("感染", ("infection",)), ("其他不良事件", ("other",))]
# The order in which a harm is the main one when several are reported.
KIND_WEIGHT = {"crs": 0, "icans": 1, "neurotoxicity": 2, "dlt": 3, "secondary-malignancy": 4, "infection": 5, "other": 6}


def outcome_kind(outcome: Measurement) -> str | None:
    for kind, _, pattern in OUTCOME_KINDS:
        if pattern.search(outcome.name):
            return kind
    return None


def short_title(study: Study) -> str:
    """A study as a point names it: its title up to the first colon or bracket (HEROS 2.0)."""
    return re.split(r"[：（(]", study.title, maxsplit=1)[0].strip() or study.title


def short_term(event: AdverseEvent) -> str:
    """An event by its abbreviation when its term gives one (细胞因子释放综合征（CRS） -> CRS)."""
    found = re.search(r"（([A-Za-z][A-Za-z0-9-]*)）$", event.term)
    return found.group(1) if found else event.term


def figure_of(outcome: Measurement) -> str:
    """An outcome's figures, compact: 67%（6/9）, 7/19, 19 个月, 超过 13 年（5 例）."""
    value = figure_text(outcome.value, outcome.unit, outcome.bound).strip() if outcome.value is not None else ""
    counts = f"{outcome.n}/{outcome.of}" if outcome.n is not None and outcome.of is not None else ""
    if value and counts:
        return f"{value}（{counts}）"
    if value and outcome.n is not None and outcome.measure not in ("proportion", "count"):
        return f"{value}（{outcome.n} 例）"
    return value or counts or (f"{outcome.n} 例" if outcome.n is not None else "")


def result_of(outcome: Measurement) -> str:
    """The figure with the statement that goes with it (再治疗后获第二次缓解): nothing cut short."""
    figure = figure_of(outcome)
    if figure and outcome.result:
        return f"{figure}；{outcome.result}"
    return figure or outcome.result or NOT_REPORTED


def timed(outcome: Measurement) -> str:
    """A rate or a count is read at a time; a duration carries its own. Said when the source does not."""
    if outcome.timepoint:
        return f"评估时间：{outcome.timepoint}"
    return "评估时间未报道" if outcome.measure in ("proportion", "count") and figure_of(outcome) else ""


def subgroup_note(outcome: Measurement) -> str:
    return f"亚组：{outcome.population}" if outcome.population else ""


def outcome_point(outcome: Measurement) -> str:
    """One outcome for a point: name, figures, subgroup and time point, in one line."""
    qualifiers = "，".join(x for x in (subgroup_note(outcome), outcome.timepoint) if x)
    text = f"{outcome.name}：{result_of(outcome)}"
    return f"{text}（{qualifiers}）" if qualifiers else text


def event_counts(event: AdverseEvent, grade_3_plus: bool = False) -> str | None:
    """n/N of an event (of any grade, or of grade 3 or higher), with the stated percentage; None when
    the source gives no count."""
    if grade_3_plus:
        if event.grade_3_plus is not None:
            count = event.grade_3_plus
        elif event.patients == 0 or event.max_grade is not None and event.max_grade < 3 and event.patients is not None:
            count = 0  # no event at all, or the highest grade seen is 1 or 2: none of grade 3 or higher
        else:
            return None
        return f"{count}/{event.of}" if event.of else f"{count} 例"
    if event.patients is None:
        return None
    counts = f"{event.patients}/{event.of}" if event.of else f"{event.patients} 例"
    return f"{counts}（{number(event.percent)}%）" if event.percent is not None else counts


def event_point(event: AdverseEvent, grade_3_plus: bool = False) -> str:
    """An event with its n/N and highest grade, then its summary (the count once: 神经性耳聋 1 例（…）)."""
    counts = event_counts(event, grade_3_plus)
    stated = event.max_grade and f"{event.max_grade} 级" in event.summary  # 为 1 级: said once
    grade = f"，最高 {event.max_grade} 级" if event.max_grade and not grade_3_plus and not stated else ""
    figures = f"{counts}{grade}" if counts else f"例数未报道{grade}"
    if counts and not grade and event.summary.startswith(counts):
        figures, summary = "", event.summary
    else:
        summary = f"：{event.summary}"
    name = short_term(event)
    return f"{name} {figures}{summary}" if figures else f"{name}{summary}"


def deaths(study: Study) -> list[Measurement]:
    return [outcome for outcome in study.outcomes if outcome_kind(outcome) == "death"]


def harm_rank(event: AdverseEvent) -> tuple:
    """Severe first, then frequent, then graded, then stated absences."""
    severe = (event.grade_3_plus or 0) > 0 or (event.max_grade or 0) >= 3
    return (not severe, -(event.patients or 0), event.patients is None and event.max_grade is None,
            KIND_WEIGHT[event.kind])


def harm_points(study: Study, most: int = 3) -> list[str]:
    """The main harms of a study: deaths first, then its adverse events by ``harm_rank``."""
    points = [outcome_point(outcome) for outcome in deaths(study)]
    points += [event_point(event) for event in sorted(study.adverse_events, key=harm_rank)]
    if not points and study.safety_not_reported:
        points = [f"{NOT_REPORTED}：{study.safety_not_reported}"]
    return points[:most] or [NOT_REPORTED]


def main_harm(study: Study) -> str:
    """The harm the at-a-glance table shows: the first of ``harm_points``."""
    return harm_points(study, 1)[0]


def main_result(study: Study) -> str:
    """The at-a-glance result: the main outcome, its subgroup named as one."""
    return outcome_point(headline_outcome(study))


def headline_outcome(study: Study) -> Measurement:
    """The outcome a handout leads with: the one marked headline, else the first with a rate, else the first."""
    marked = [outcome for outcome in study.outcomes if outcome.headline]
    rated = [outcome for outcome in study.outcomes if rate_of(outcome) is not None]
    return (marked or rated or study.outcomes)[0]


def rate_of(outcome: Measurement) -> float | None:
    """The outcome as a percentage of patients, when the source gives one (or its n/of).

    Only proportions and counts: a median or mean in % (a tumour shrinking by 30%) is not a rate.
    """
    if outcome.measure not in ("proportion", "count"):
        return None
    if outcome.value is not None and outcome.unit == "%":
        return float(outcome.value)
    if outcome.n is not None and outcome.of:
        return 100 * outcome.n / outcome.of
    return None


def certainty_point(study: Study) -> str:
    label, symbols = GRADE_LABELS[study.grade]
    steps = [f"{DOMAIN_LABELS[step.domain]}（降 {step.levels} 级）" for step in study.certainty.rated_down]
    steps += [f"{DOMAIN_LABELS[step.domain]}（升 {step.levels} 级）" for step in study.certainty.rated_up]
    why = f"：{'、'.join(steps)}" if steps else ""
    return f"GRADE 评级{label} {symbols}（OCEBM {study.cebm_level} 级）{why}"


def studied_point(study: Study) -> str:
    counts = format_enrollment(study)
    return f"{study.population}；{study.design.summary}" + (f"；{counts}" if counts else "")


@dataclass
class BottomLine:
    """A class's bottom line: (lead-in, one entry per study) for each point."""

    points: list[tuple[str, list[str]]] = field(default_factory=list)


def bottom_line(studies: list[Study]) -> BottomLine | None:
    if not studies:
        return None
    named = len(studies) > 1

    def entries(compose) -> list[str]:
        return [f"{short_title(study)}：{compose(study)}" if named else compose(study) for study in studies]

    total = sum(study.enrollment.treated or study.enrollment.enrolled or 0 for study in studies)
    studied = f"{len(studies)} 项研究" + (f"，共约 {total} 例患者" if named and total else "")
    return BottomLine([
        (f"研究与人群（{studied}）" if named else "研究与人群", entries(studied_point)),
        ("主要疗效", entries(lambda study: main_result(study))),
        ("主要危害", entries(lambda study: "；".join(harm_points(study)))),
        ("证据确定性", entries(certainty_point)),
    ])


@dataclass
class FindingRow:
    study: str
    study_id: str
    participants: str
    result: str  # with its time point
    grade_label: str
    grade_symbols: str
    reported: bool = True


@dataclass
class FindingGroup:
    section: str  # 疗效 or 危害
    outcome: str
    rows: list[FindingRow]
    grades: str = ""  # of a harm graded by severity: 任何级别 or ≥3 级


def _row(study: Study, participants: str, result: str, reported: bool = True) -> FindingRow:
    label, symbols = GRADE_LABELS[study.grade]
    return FindingRow(short_title(study), study.id, participants, result, label, symbols, reported)


def study_size(study: Study) -> str:
    enrolment = study.enrollment
    for word, count in (("治疗", enrolment.treated), ("入组", enrolment.enrolled), ("可评估", enrolment.evaluable)):
        if count is not None:
            return f"{word} {count} 例"
    return "例数未报道"


def participants_of(study: Study, of: int | None, population: str | None) -> str:
    if population:
        return f"亚组 {of} 例：{population}" if of is not None else f"亚组：{population}（本结局例数未报道）"
    return f"{of} 例" if of is not None else f"全研究{study_size(study)}（本结局例数未报道）"


def outcome_rows(study: Study, kind: str) -> list[FindingRow]:
    return [_row(study, participants_of(study, outcome.of, outcome.population),
                 "，".join(x for x in (f"{outcome.name}：{result_of(outcome)}", timed(outcome)) if x))
            for outcome in study.outcomes if outcome_kind(outcome) == kind]


def harm_row(study: Study, kinds: tuple[str, ...], grade_3_plus: bool) -> FindingRow:
    """A study's events of these kinds (of any grade, or of grade 3 or higher); 未报道 when it gives none,
    or gives no count of the severe ones."""
    events = [event for event in study.adverse_events if event.kind in kinds]
    if grade_3_plus:
        events = [event for event in events if event_counts(event, True) is not None]
    if not events:
        return _row(study, study_size(study), NOT_REPORTED, reported=False)
    assessed = next((event.of for event in events if event.of), None)
    results = [event_point(event, grade_3_plus=grade_3_plus) for event in events]
    return _row(study, f"{assessed} 例" if assessed else study_size(study), "；".join(results))


def reported_or_one(studies: list[Study], rows: list[FindingRow]) -> list[FindingRow]:
    """A harm no study reports is one row (各研究均未报道), not one 未报道 per study."""
    if len(rows) < 2 or any(row.reported for row in rows):
        return rows
    grades = {(row.grade_label, row.grade_symbols) for row in rows}
    label, symbols = grades.pop() if len(grades) == 1 else ("见各研究", "")
    return [FindingRow(f"全部 {len(studies)} 项研究", "", "、".join(row.participants for row in rows),
                       f"各研究均{NOT_REPORTED}", label, symbols, reported=False)]


def summary_of_findings(studies: list[Study]) -> list[FindingGroup]:
    groups = []
    labels = {kind: label for kind, label, _ in OUTCOME_KINDS}
    for kind in EFFICACY_ORDER:
        rows = [row for study in studies for row in outcome_rows(study, kind)]
        if rows:
            groups.append(FindingGroup("疗效", labels[kind], rows))
    for label, kinds, severe in HARM_ROWS:
        rows = reported_or_one(studies, [harm_row(study, kinds, severe) for study in studies])
        groups.append(FindingGroup("危害", label, rows, GRADES[severe] if kinds != ("dlt",) else ""))
    groups.append(FindingGroup("危害", "死亡", reported_or_one(studies, [
        row for study in studies
        for row in (outcome_rows(study, "death") or [_row(study, study_size(study), NOT_REPORTED, reported=False)])])))
    for label, kinds in OTHER_HARM_ROWS:
        rows = [harm_row(study, kinds, False) for study in studies if any(e.kind in kinds for e in study.adverse_events)]
        if rows:
            groups.append(FindingGroup("危害", label, rows))
    return groups
