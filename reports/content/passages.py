"""Source passages: every quotation of an article in its paragraph, for the briefing's appendix.

A reader judges a quotation by what stands around it, not by the whole article: the appendix
shows, per article, each quoted paragraph (a long one cut to the sentences around the quotation)
with the quotation marked, where it is in the article, and which rows cite it for what. The full
texts are added only on request (reports build --full-text): reprinting five news articles in
full was half the briefing, noise to a reader and a copyright exposure to the publisher.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from reports.content.articles import Article, join_soft_break
from reports.content.load import Content
from reports.content.model import Excerpt, Landscape, Study
from reports.content.sources import walk_models
from reports.text.normal import inside_number, normal_form, squeezed

LONG_PARAGRAPH = 160  # characters: a longer paragraph is cut to the sentences around its quotations
SENTENCE_RE = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+[”’」』）)]*|$)")
ELLIPSIS = "……"
# What a row cites an excerpt for: the part of the row whose figures it backs.
CITED_FOR = {"enrollment": "样本量", "baseline": "基线特征", "outcomes": "疗效", "adverse_events": "安全性",
             "follow_up": "随访", "trials": "纳入试验", "series": "分布"}


@dataclass
class Part:
    text: str
    quoted: bool


@dataclass
class Passage:
    location: str  # 原文第 3 段
    paragraphs: list[list[Part]]  # one, or more when a quotation runs over a paragraph's end
    citations: list[tuple[str, str]]  # (the row's title, what it cites the passage for: 样本量、疗效)


def printed_paragraph(text: str) -> str:
    """A block's text as one printed paragraph: line breaks joined as the article's HTML joins
    them (nothing between Chinese characters, a space otherwise), runs of spaces made one."""
    def join(match: re.Match) -> str:
        return join_soft_break(match.string[:match.start()], match.string[match.end():])

    return " ".join(re.sub(r"[ \t]*\n[ \t]*", join, text).split())


def cited_for(row: Study | Landscape) -> dict[str, list[str]]:
    """Excerpt id -> what the row cites it for (样本量, 疗效 ...), in the row's order."""
    uses: dict[str, list[str]] = {}
    for part, key in walk_models(row):
        label = CITED_FOR.get(str(key[0])) if key else None
        for excerpt_id in getattr(part, "excerpts", None) or []:
            if label and isinstance(excerpt_id, str) and label not in uses.setdefault(excerpt_id, []):
                uses[excerpt_id].append(label)
    return uses


def citations(content: Content) -> dict[str, list[tuple[str, str]]]:
    """Excerpt id -> (row title, what for) for every row that quotes it."""
    found: dict[str, list[tuple[str, str]]] = {}
    for file in content.tables:
        for row in file.table.rows:
            uses = cited_for(row)
            for excerpt in row.excerpts:
                what = "、".join(uses.get(excerpt.id, [])) or ("关键摘录" if excerpt.key else "背景")
                found.setdefault(excerpt.id, []).append((row.title, what))
    return found


def _cut(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """A long paragraph cut to the sentences that hold its quotations and one either side."""
    if len(text) <= LONG_PARAGRAPH:
        return text, spans, False, False
    bounds = [(m.start(), m.end()) for m in SENTENCE_RE.finditer(text) if m.end() > m.start()]
    first = next(i for i, (_, end) in enumerate(bounds) if end > spans[0][0])
    last = next(i for i, (_, end) in enumerate(bounds) if end >= spans[-1][1])
    first, last = max(first - 1, 0), min(last + 1, len(bounds) - 1)
    start, end = bounds[first][0], bounds[last][1]
    return text[start:end], [(a - start, b - start) for a, b in spans], start > 0, end < len(text)


def _parts(article: Article, text: str, spans: list[tuple[int, int]]) -> list[Part]:
    text, spans, cut_before, cut_after = _cut(text, spans)
    parts, position = [], 0
    if cut_before:
        parts.append(Part(ELLIPSIS, False))
    for start, end in spans:
        start = max(start, position)
        if start > position:
            parts.append(Part(article.printed(text[position:start]), False))
        if end > start:
            parts.append(Part(article.printed(text[start:end]), True))
        position = max(position, end)
    if position < len(text):
        parts.append(Part(article.printed(text[position:]), False))
    if cut_after:
        parts.append(Part(ELLIPSIS, False))
    return parts


def whole_occurrence(text: str, needle: str) -> int:
    """Where the excerpt stands in the text as the check found it: its first occurrence that does
    not begin or end inside a number (2年 in 生存2年, not in 18.2年); else its first; -1 if none."""
    first = position = text.find(needle)
    while position >= 0:
        if not inside_number(text, position) and not inside_number(text, position + len(needle)):
            return position
        position = text.find(needle, position + 1)
    return first


def article_passages(article: Article, excerpts: list[Excerpt], cited: dict[str, list[tuple[str, str]]]) -> list[Passage]:
    """The article's quoted paragraphs in reading order, each with its quotations marked."""
    paragraphs = [printed_paragraph(block.text) for block in article.blocks]
    squeezed_blocks = [squeezed(text) for text in paragraphs]
    whole = "".join(s for s, _ in squeezed_blocks)
    offsets, total = [], 0
    for s, _ in squeezed_blocks:
        offsets.append(total)
        total += len(s)

    def locate(position: int) -> tuple[int, int]:
        block = bisect.bisect_right(offsets, position) - 1
        return block, position - offsets[block]

    # (first block, last block) -> {block: [(start, end) in its printed text]}, and the citations
    found: dict[tuple[int, int], tuple[dict[int, list[tuple[int, int]]], list[tuple[str, str]]]] = {}
    for excerpt in excerpts:
        needle = "".join(normal_form(excerpt.text).split())  # as checked: the blocks are in the normal form
        position = whole_occurrence(whole, needle)
        if not needle or position < 0:  # not verified: reports check says so, the appendix leaves it out
            continue
        (first, start), (last, end) = locate(position), locate(position + len(needle) - 1)
        spans, cites = found.setdefault((first, last), ({}, []))
        for block in range(first, last + 1):
            index = squeezed_blocks[block][1]
            a = index[start] if block == first else 0
            b = index[end] + 1 if block == last else len(paragraphs[block])
            spans.setdefault(block, []).append((a, b))
        for row, what in cited.get(excerpt.id, []):  # one entry a row, its uses merged
            at = next((i for i, (title, _) in enumerate(cites) if title == row), None)
            if at is None:
                cites.append((row, what))
            else:
                uses = cites[at][1].split("、")
                cites[at] = (row, "、".join(uses + [u for u in what.split("、") if u not in uses]))
    passages = []
    for (first, last), (spans, cites) in sorted(found.items()):
        passages.append(Passage(
            location=f"原文第 {first + 1} 段" if first == last else f"原文第 {first + 1}–{last + 1} 段",
            paragraphs=[_parts(article, paragraphs[block], sorted(spans[block])) for block in range(first, last + 1)],
            citations=cites,
        ))
    return passages


def passages_by_article(content: Content) -> dict[str, list[Passage]]:
    """Article id -> its passages, for every article the evidence quotes."""
    cited = citations(content)
    excerpts: dict[str, list[Excerpt]] = {}
    for file in content.tables:
        for row in file.table.rows:
            for excerpt in row.excerpts:
                excerpts.setdefault(excerpt.article, []).append(excerpt)
    return {article_id: article_passages(content.articles[article_id], quoted, cited)
            for article_id, quoted in excerpts.items() if article_id in content.articles}
