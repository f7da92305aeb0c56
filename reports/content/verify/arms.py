"""A figure of one arm of a trial is that arm's: in 两组的中位 EFS 分别为 13.6 个月和 3.9 个月, the 3.9 is not
the CAR-T arm's, however near its name it stands.

A row's arms are the groups its parts are given to: an outcome's ``population`` that names a group
(CAR-T 组, 标准治疗组（ITT）), an outcome or adverse event named 标准治疗组：… (the schema has no arm for
events). With two arms or more, a figure claimed for one arm must not be stated, in its excerpt, as
another's: the arm named last before it in its clause (标准治疗组为 11.8 个月), or its place among the
values of 分别为 after the arms named in that order (CAR-T 组和标准治疗组分别有 29 例和 38 例). Where
the sentence does not say whose a figure is, nothing is decided here. Rule 8 of docs/rules.md.
"""

from __future__ import annotations

import re

from reports.content.model import AdverseEvent, Backed
from reports.content.verify.claims import simplified
from reports.content.verify.quoted import clause_around
from reports.text.figures import Figure

# The group a population or an event's name begins with: CAR-T 组, 标准治疗组（ITT）, 对照组：感染.
ARM_AT_START = re.compile(r"^\s*([^，,；;。：:（()）]{1,14}?[组組])(?=$|[\s（(：:，,])")
LISTING = re.compile(r"分别为|分别是|分别有|分别达|分别|[（(](?=[^）)]*(?:vs|VS|对比|比))")
SEPARATOR = re.compile(r"和|与|及|、|vs|VS|对比|对|比")
CLAUSE_BREAK = re.compile(r"[，,；;。]")


def compact(name: str) -> str:
    return simplified(re.sub(r"\s+", "", name))


def arm_of(part: Backed) -> str | None:
    """The arm a part is given to, compacted (CAR-T组), or None."""
    name = part.term if isinstance(part, AdverseEvent) else getattr(part, "name", None) or ""
    named = re.match(r"^\s*([^：:]{1,16}?)\s*[：:]", name)  # 标准治疗组：中位 EFS
    text = getattr(part, "population", None) or (named.group(1) if named else "")
    found = ARM_AT_START.match(text)
    return compact(found.group(1)) if found else None


def row_arms(parts: list[Backed]) -> tuple[str, ...]:
    """The arms of a row, when its parts give figures to two or more; else none."""
    arms = tuple(dict.fromkeys(arm for arm in map(arm_of, parts) if arm))
    return arms if len(arms) >= 2 else ()


def stated_arm(text: str, figures: tuple[Figure, ...], figure: Figure, span: tuple[int, int],
               arms: tuple[str, ...]) -> str | None:
    """The arm an excerpt (its text and figures) gives a figure to, compacted; None when it does not say."""
    if not arms:
        return None
    folded = simplified(text)
    if len(folded) != len(text):
        folded = text  # (OpenCC kept every position so far; never compare shifted offsets)
    start, end = span
    named = sorted((start + match.start(), arm) for arm in arms
                   for match in re.finditer(r"\s*".join(map(re.escape, arm)), folded[start:end]))
    listing = None  # where a list of the arms' values begins: 分别为 A 和 B, （14 例 vs 9 例）
    for match in LISTING.finditer(folded, start, end):  # (its lookahead reads past the figure: 14 例 vs 9 例)
        if match.start() < figure.start:
            listing = match
    if listing is not None and not CLAUSE_BREAK.search(folded, listing.end(), figure.start):
        order = list(dict.fromkeys(arm for at, arm in named if at < listing.start()))
        if len(order) >= 2:
            place = len(SEPARATOR.findall(top_level(folded[listing.end():figure.start])))
            return order[place] if place < len(order) else None
    clause_start, _ = clause_around(text, figure.start, start, end)
    before = {arm for at, arm in named if clause_start <= at < figure.start}
    return before.pop() if len(before) == 1 else None  # 标准治疗组为 11.8 个月; not 多于标准治疗组（14 例…）


def top_level(text: str) -> str:
    """The text without what stands in brackets: 85.6%（178/208）和 67.2% is 85.6%和 67.2%."""
    return re.sub(r"[（(][^）)]*[）)]", "", text)
