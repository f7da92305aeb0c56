"""An excerpt occurs in its article word for word, whole, in the normal form.

Both texts are compared in the normal form of ``reports.text.normal`` (NFC, invisible characters
left out, whitespace runs one space); the article's text is what its Markdown prints, block by block
(``ArticleText``, read once per article). An excerpt may not begin or end inside a number of the
article (2 名 cut from 12 名 reads as 2); one that is not found is shown with the closest passage
(rapidfuzz). Rule 1 of docs/rules.md. Excerpts are verified first, per row: a part's figures are
looked up only in the excerpts the row has (``verify_row_excerpts`` returns them by id).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from reports.content.articles import Article
from reports.content.model import Excerpt, Landscape, Study
from reports.content.sources import PathKey
from reports.content.verify.table import TableCheck
from reports.text.normal import hidden_by_numbers, inside_number, normal_form, whole_number


@dataclass
class ArticleText:
    """An article's visible text in the normal form, and where each block starts in it."""

    text: str
    starts: list[tuple[int, int]]  # (offset in text, file line)

    @classmethod
    def of(cls, article: Article) -> "ArticleText":
        parts, starts, offset = [], [], 0
        for block in article.blocks:
            normal = normal_form(block.text)
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


def verify_excerpt(excerpt: Excerpt, article: Article, text: ArticleText) -> str | None:
    """None when the excerpt occurs verbatim (in the normal form) and whole, not beginning or ending
    inside a number (2 名患者 cut from 12 名患者 reads as 2); else a message naming the passage."""
    needle = normal_form(excerpt.text)
    cut: tuple[int, str] | None = None  # where the first occurrence cuts a number, and which of its ends does
    start = text.text.find(needle) if needle else -1
    while start >= 0:
        end = start + len(needle)
        if not inside_number(text.text, start) and not inside_number(text.text, end):
            return None
        cut = cut or ((start, "begins") if inside_number(text.text, start) else (end, "ends"))
        start = text.text.find(needle, start + 1)
    if cut is not None:
        at, which = cut
        return (f"excerpt '{excerpt.id}' {which} inside the number “{whole_number(text.text, at)}” of article "
                f"'{article.id}' ({article.path}:{text.line_at(at)}), so it would print a figure the article does "
                "not state; quote the whole number")
    alignment = fuzz.partial_ratio_alignment(needle, text.text)
    passage = text.text[alignment.dest_start:alignment.dest_end]
    return (
        f"excerpt '{excerpt.id}' is not in article '{article.id}' word for word; the closest passage "
        f"({article.path}:{text.line_at(alignment.dest_start)}, {alignment.score:.0f}% similar) reads: “{passage}” "
        "— copy the quotation exactly"
    )


def verify_row_excerpts(check: TableCheck, row: Study | Landscape, row_key: PathKey, articles: dict[str, Article],
                        texts: dict[str, ArticleText], excerpt_ids: dict[str, str],
                        unreadable: set[str]) -> dict[str, Excerpt]:
    """Each excerpt of the row: unique id, known article, verbatim; returns the row's excerpts by id."""
    problems, positions = check.problems, check.positions
    own: dict[str, Excerpt] = {}
    for index, excerpt in enumerate(row.excerpts):
        key = row_key + ("excerpts", index)
        line, column = positions.of(key + ("id",))
        if excerpt.id in excerpt_ids:
            problems.error(check.file.path, line, column,
                           f"duplicate excerpt id '{excerpt.id}' (also used at {excerpt_ids[excerpt.id]}); rename one")
        excerpt_ids.setdefault(excerpt.id, f"{problems.relative(check.file.path)}:{line}")
        own[excerpt.id] = excerpt
        for hidden in hidden_by_numbers(excerpt.text):
            check.error(key + ("text",), f"excerpt '{excerpt.id}': {hidden.message()}")
        article = articles.get(excerpt.article)
        if article is None and excerpt.article in unreadable:
            continue
        if article is None:
            known = ", ".join(sorted(articles)) or "none"
            check.error(key + ("article",), f"unknown article '{excerpt.article}'; the articles are: {known}")
            continue
        message = verify_excerpt(excerpt, article, texts[article.id])
        if message:
            check.error(key + ("text",), message)
        else:
            check.verification.excerpts += 1
    return own
