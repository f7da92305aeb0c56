"""Checks across files: ids are unique, references resolve, excerpts are verbatim, figures are quoted.

Runs after every file has been read and schema-validated (``reports.evidence``,
``reports.articles``), and reports every problem at the line and column of the YAML value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from pydantic import BaseModel
from rapidfuzz import fuzz

from reports.articles import Article
from reports.errors import Problems
from reports.evidence import EvidenceFile
from reports.model import Backed, Excerpt, Landscape, Study
from reports.sources import PathKey, walk_models

CHINESE_NUMERALS = {
    1: ("一",), 2: ("二", "两", "兩"), 3: ("三",), 4: ("四",), 5: ("五",), 6: ("六",), 7: ("七",), 8: ("八",),
    9: ("九",), 10: ("十",), 11: ("十一",), 12: ("十二",), 13: ("十三",), 14: ("十四",), 15: ("十五",),
    16: ("十六",), 17: ("十七",), 18: ("十八",), 19: ("十九",), 20: ("二十",),
}
# A Chinese numeral counts only as a count of something: followed by a classifier or unit (一例, 两级).
CLASSIFIERS = "例名人位个個项項次级級年月周週天岁歲种種"
ENGLISH_NUMERALS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
    10: "ten", 11: "eleven", 12: "twelve",
}
# Phrases that state an absence, backing a figure of 0 (a bare 无 would also match 无论, 无需 ...).
ABSENCE_CUES = ("未观察到", "未觀察到", "未见", "未見", "没有", "沒有", "未发现", "未發現", "未出现", "未出現",
                "无证据", "無證據", "not observed", "were not", "there were no", "no evidence")


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


@dataclass
class ArticleText:
    """An article's visible text with whitespace collapsed, and where each block starts in it."""

    text: str
    starts: list[tuple[int, int]]  # (offset in text, file line)

    @classmethod
    def of(cls, article: Article) -> "ArticleText":
        parts, starts, offset = [], [], 0
        for block in article.blocks:
            normal = normalise_whitespace(block.text)
            starts.append((offset, block.line))
            parts.append(normal)
            offset += len(normal) + 1
        return cls(" ".join(parts), starts)

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1] if self.starts else 1
        for start, block_line in self.starts:
            if start > offset:
                break
            line = block_line
        return line


def _number_pattern(value: Decimal | int) -> str:
    """Digits of ``value`` as they may be written: 1580 / 1,580; 9.6 / 9.60; 32 / 32.0; 0.75 / 0·75."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    whole_pattern = "[,，]?".join(groups)
    fraction_pattern = rf"[.·]{fraction}0*" if fraction else r"(?:[.·]0+)?"
    return rf"(?<![\d.·]){whole_pattern}{fraction_pattern}(?![\d])(?![.·]\d)"


def number_in_text(value: Decimal | int, text: str) -> bool:
    if re.search(_number_pattern(value), text):
        return True
    if value == int(value):
        whole = int(value)
        if whole == 0:
            lowered = text.lower()
            return any(cue in lowered for cue in ABSENCE_CUES)
        for numeral in CHINESE_NUMERALS.get(whole, ()):
            if re.search(rf"(?<![一二三四五六七八九十两兩]){numeral}(?=[{CLASSIFIERS}])", text):
                return True
        word = ENGLISH_NUMERALS.get(whole)
        if word and re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return True
    return False


def _numbers(model: BaseModel) -> Iterator[tuple[str, Decimal | int]]:
    """The numeric fields of a model, one level deep into intervals (ci, iqr)."""
    for name in model.__class__.model_fields:
        value = getattr(model, name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, Decimal)):
            yield name, value
        elif isinstance(value, BaseModel) and not isinstance(value, Backed):
            for inner_name, inner in _numbers(value):
                yield f"{name}.{inner_name}", inner


def _closest_passage(excerpt: str, text: ArticleText) -> tuple[str, int, float]:
    alignment = fuzz.partial_ratio_alignment(excerpt, text.text)
    start, end = alignment.dest_start, alignment.dest_end
    return text.text[start:end], text.line_at(start), alignment.score


def verify_excerpt(excerpt: Excerpt, article: Article, text: ArticleText) -> str | None:
    """None when the excerpt occurs verbatim (whitespace aside), else a message naming the closest passage."""
    needle = normalise_whitespace(excerpt.text)
    if needle in text.text:
        return None
    passage, line, score = _closest_passage(needle, text)
    return (
        f"excerpt '{excerpt.id}' is not in article '{article.id}' word for word; the closest passage "
        f"({article.path}:{line}, {score:.0f}% similar) reads: “{passage}” — copy the quotation exactly"
    )


def verify_evidence(files: list[EvidenceFile], articles: dict[str, Article], problems: Problems) -> int:
    """Check every evidence file against the articles; returns the number of excerpts verified."""
    texts = {article_id: ArticleText.of(article) for article_id, article in articles.items()}
    row_ids: dict[str, str] = {}
    excerpt_ids: dict[str, str] = {}
    verified = 0
    for file in files:
        rows: list[tuple[Study | Landscape, PathKey]] = [
            (study, ("studies", index)) for index, study in enumerate(file.table.studies)
        ]
        if file.table.landscape is not None:
            rows.append((file.table.landscape, ("landscape",)))
        for row, row_key in rows:
            here = f"{problems.relative(file.path)}:{file.positions.of(row_key + ('id',))[0]}"
            if row.id in row_ids:
                problems.error(file.path, *file.positions.of(row_key + ("id",)),
                               f"duplicate id '{row.id}' (also used at {row_ids[row.id]}); give each row its own id")
            row_ids.setdefault(row.id, here)
            verified += _verify_row(file, row, row_key, articles, texts, excerpt_ids, problems)
    return verified


def _verify_row(file: EvidenceFile, row: Study | Landscape, row_key: PathKey, articles: dict[str, Article],
                texts: dict[str, ArticleText], excerpt_ids: dict[str, str], problems: Problems) -> int:
    positions = file.positions
    own: dict[str, Excerpt] = {}
    verified = 0
    for index, excerpt in enumerate(row.excerpts):
        key = row_key + ("excerpts", index)
        line, column = positions.of(key + ("id",))
        if excerpt.id in excerpt_ids:
            problems.error(file.path, line, column,
                           f"duplicate excerpt id '{excerpt.id}' (also used at {excerpt_ids[excerpt.id]}); rename one")
        excerpt_ids.setdefault(excerpt.id, f"{problems.relative(file.path)}:{line}")
        own[excerpt.id] = excerpt
        article = articles.get(excerpt.article)
        if article is None:
            known = ", ".join(sorted(articles)) or "none"
            problems.error(file.path, *positions.of(key + ("article",)),
                           f"unknown article '{excerpt.article}'; the articles are: {known}")
            continue
        message = verify_excerpt(excerpt, article, texts[article.id])
        if message:
            problems.error(file.path, *positions.of(key + ("text",)), message)
        else:
            verified += 1

    used: set[str] = set()
    for part, key in walk_models(row, row_key):
        if not isinstance(part, Backed):
            continue
        quoted = []
        for number, excerpt_id in enumerate(part.excerpts):
            if excerpt_id not in own:
                problems.error(file.path, *positions.of(key + ("excerpts", number)),
                               f"unknown excerpt '{excerpt_id}'; this row's excerpts are: {', '.join(own) or 'none'}")
            else:
                used.add(excerpt_id)
                quoted.append(normalise_whitespace(own[excerpt_id].text))
        if not quoted:
            continue
        for name, value in _numbers(part):
            if not any(number_in_text(value, text) for text in quoted):
                field_key = key + tuple(name.split("."))
                where = ".".join(str(k) for k in field_key)
                problems.error(file.path, *positions.of(field_key),
                               f"{where} = {value} is not stated in its excerpts ({', '.join(part.excerpts)}); "
                               "quote the sentence that gives this figure, or correct it")
    for index, excerpt in enumerate(row.excerpts):
        if excerpt.id not in used and not excerpt.key:
            problems.warn(file.path, *positions.of(row_key + ("excerpts", index, "id")),
                          f"excerpt '{excerpt.id}' backs no figure and is not a key excerpt")
    return verified
