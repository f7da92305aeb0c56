"""The words the documents print for the model's codes (phases, designs, GRADE ratings, bounds), and
how a figure is written: shared by the briefing's context, its bottom lines and summary-of-findings
tables (findings.py), the handouts and the weeklies."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.content.model import Study

PHASE_LABELS = {
    "n-a": "不适用", "not-reported": "分期未报道", "early-phase-1": "早期 I 期", "phase-1": "I 期", "phase-1-phase-2": "I/II 期",
    "phase-2": "II 期", "phase-2-phase-3": "II/III 期", "phase-3": "III 期", "phase-4": "IV 期",
}
STUDY_TYPE_LABELS = {
    "interventional": "干预性研究", "observational": "观察性研究", "case-report": "病例报告",
    "registry-analysis": "注册数据分析",
}
CELL_SOURCE_LABELS = {"autologous": "自体", "allogeneic": "同种异体", "not-reported": "细胞来源未报道"}
GRADE_LABELS = {
    "high": ("高", "⊕⊕⊕⊕"), "moderate": ("中", "⊕⊕⊕◯"), "low": ("低", "⊕⊕◯◯"), "very-low": ("极低", "⊕◯◯◯"),
}
DOMAIN_LABELS = {
    "risk-of-bias": "偏倚风险", "inconsistency": "不一致性", "indirectness": "间接性",
    "imprecision": "不精确性", "publication-bias": "发表偏倚",
    # GRADE's reasons to rate up
    "large-effect": "效应量大", "dose-response": "剂量-效应关系", "plausible-confounding": "可能的混杂会低估所见效应",
}
BOUND_PREFIX = {"exact": "", "more-than": "超过 ", "at-least": "至少 ", "up-to": "最长 ", "about": "约 "}
FOLLOW_UP_UNITS = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}


def number(value: Decimal | int) -> str:
    """A figure as the source wrote it: 44, 18.2, 9.60, 1580 (no thousands separator in Chinese)."""
    return str(value) if isinstance(value, int) else format(value, "f")


def figure_text(value: Decimal | int, unit: str | None, bound: str = "exact") -> str:
    """A figure with its qualifier and unit: 44%, 超过 13 年, 300 mg/m² (a space before a Latin unit only)."""
    unit = unit or ""
    spacer = "" if unit in ("%", "") or not unit[0].isascii() else " "
    return f"{BOUND_PREFIX[bound]}{number(value)}{spacer}{unit}"


def format_enrollment(study: Study) -> str:
    """入组 19 例；治疗 18 例: the counts the row gives, in that order."""
    e = study.enrollment
    return "；".join(f"{word} {count} 例" for word, count in (
        ("入组", e.enrolled), ("治疗", e.treated), ("可评估", e.evaluable)) if count is not None)
