"""Bibliographic facts in an article's text: how a journal, a title, a DOI, a date, a name or a
registry id is found in it, and the article index's own title and date checked against the file.

A row's paper and an article's index entry are printed like quoted facts, so each must occur in the
text of an article (``reports.content.verify.bibliography`` checks a row's; ``check_index_entry``
here checks an index entry's, called by ``reports.content.articles`` while it still has the front
matter). Both search with the same patterns: whitespace and case aside, a journal by its English or
Chinese names (``JOURNALS``), a date as 2025年11月12日 or 2025-11-12 or Nov 12, 2025. This module
sits below the readers and the verification room so that both can use it.

Occurrence is all that is checked: a journal the article names for another reason (《自然》 in a
report on a Nature Medicine paper) would back a row that gave it, and an English journal name that
is a common word (Cell, Blood) is found wherever the word stands alone. The matching is written by
hand (a few regular expressions over the text with its whitespace folded): what counts as one
identifier or one date is ours to decide, and no library decides it for Chinese news text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from reports.content.model import ArticleEntry, PartialDate, Source

if TYPE_CHECKING:
    from reports.content.sources import PathKey
    from reports.errors import Problems

# Journals by the names Chinese medical news gives them. Written by the editors from how these
# journals are commonly named in Chinese (not looked up in a record); the forms marked "seen" occur
# in the seed articles. A journal not listed here may give its Chinese name as source.journal_zh.
# Each entry: the English names (the first is the usual one), then the Chinese names (both scripts).
JOURNALS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("The Lancet", "Lancet"), ("柳叶刀", "柳葉刀")),  # seen: car-nk-cd19-lupus (《柳叶刀》)
    (("The New England Journal of Medicine", "New England Journal of Medicine", "NEJM", "N Engl J Med"),
     ("新英格兰医学杂志", "新英格蘭醫學雜誌", "新英格蘭醫學雜志")),
    (("Nature",), ("自然",)),  # seen: car-t-gd2-neuroblastoma-18y (《自然》)
    (("Nature Medicine", "Nat Med"), ("自然·医学", "自然·醫學", "自然医学", "自然醫學")),  # seen: 《自然·醫學》
    (("Nature Communications", "Nat Commun"), ("自然·通讯", "自然·通訊", "自然通讯", "自然通訊")),
    (("Nature Biotechnology", "Nat Biotechnol"), ("自然·生物技术", "自然·生物技術", "自然生物技术")),
    (("Science",), ("科学", "科學")),
    (("Science Translational Medicine", "Sci Transl Med"), ("科学·转化医学", "科學·轉化醫學", "科学转化医学")),
    (("Cell",), ("细胞", "細胞")),
    (("Cancer Cell",), ("癌细胞", "癌細胞")),
    (("JAMA", "Journal of the American Medical Association"), ("美国医学会杂志", "美國醫學會雜誌")),
    (("BMJ", "British Medical Journal"), ("英国医学杂志", "英國醫學雜誌")),
    (("The Lancet Oncology", "Lancet Oncology", "Lancet Oncol"), ("柳叶刀·肿瘤学", "柳葉刀·腫瘤學", "柳叶刀肿瘤学")),
    (("Journal of Clinical Oncology", "J Clin Oncol", "JCO"), ("临床肿瘤学杂志", "臨床腫瘤學雜誌")),
    (("Blood",), ("血液",)),
)
# A middle dot between the parts of a Chinese journal name, as pastes write it.
DOTS = re.compile(r"[·•・‧･⋅∙\-－–—]")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


def compact(text: str) -> str:
    """Text as facts are compared: compatibility forms folded (full-width ：２０), case folded,
    whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _plain_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", re.sub(r"^the\s+", "", name.strip().casefold()))


def known_journal(journal: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The shipped entry for a journal, by any of its English names (The Lancet = Lancet)."""
    key = _plain_key(journal)
    return next((entry for entry in JOURNALS if key in {_plain_key(name) for name in entry[0]}), None)


def journal_of_chinese_name(name: str) -> str | None:
    """The journal a Chinese name stands for in the shipped list (柳叶刀 -> The Lancet)."""
    key = DOTS.sub("", compact(name.strip("《》〈〉")))
    return next((entry[0][0] for entry in JOURNALS if key in {DOTS.sub("", compact(zh)) for zh in entry[1]}), None)


# ---------------------------------------------------------------------------------------------
# Occurrence: one pattern per kind of fact, over ``spaced`` text. Whitespace is allowed anywhere in
# a fact (``loose``) but still separates it from what follows: 01671-X then a new line is not 01671-XS.


def spaced(text: str) -> str:
    """Text as facts are searched in: compatibility forms folded, case folded, whitespace runs one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def loose(value: str) -> str:
    """A regular expression for the value with any whitespace (or none) between its characters."""
    return r"\s*".join(re.escape(char) for char in compact(value))


def bounded(value: str) -> str:
    """The value, not inside a longer Latin word or number at either end where it is Latin (Jie Gao, not
    Jie Gaon); Chinese has no such boundary."""
    key = compact(value)
    before = r"(?<![a-z0-9])" if key[:1].isascii() and key[:1].isalnum() else ""
    after = r"(?![a-z0-9])" if key[-1:].isascii() and key[-1:].isalnum() else ""
    return before + loose(value) + after


def journal_pattern(source: Source) -> re.Pattern:
    """How an article may name the source's journal: any of its English names, not followed by another
    word (Nature is not Nature Medicine), or a Chinese name in 《》 or before 杂志/期刊 (自然 alone is in
    自然杀伤细胞)."""
    entry = known_journal(source.journal)
    english = {source.journal, re.sub(r"^the\s+", "", source.journal, flags=re.IGNORECASE), *(entry[0] if entry else ())}
    chinese = set(entry[1] if entry else ())
    if source.journal_zh:
        chinese.add(source.journal_zh.strip("《》"))
    forms = [rf"(?<![a-z0-9]){loose(name)}(?!\s?[a-z0-9])" for name in sorted(english)]
    for name in sorted(chinese):
        dotted = r"\s*(?:[·•・‧･⋅∙\-－–—]\s*)?".join(loose(part) for part in DOTS.split(compact(name)) if part)
        forms.append(rf"《\s*{dotted}\s*》|{dotted}\s*(?:杂志|雜誌|雜志|期刊)")
    return re.compile("|".join(forms))


def date_pattern(date: PartialDate) -> re.Pattern:
    """A date as Chinese and English texts write it: 2025年2月17日, 2025-02-17, 2025/2/17, 17 February
    2025, Feb 17, 2025; a month or a year alone when that is all the date gives."""
    y, m, d = date.year, date.month, date.day
    if m is None:
        return re.compile(rf"(?<!\d){y}(?!\d)")
    month = rf"(?:{MONTHS[m - 1]}|{MONTHS[m - 1][:3]})\.?"
    sep = r"\s*[-/.]\s*"
    if d is None:
        forms = [rf"{y}\s*年\s*0?{m}\s*月", rf"{y}{sep}0?{m}(?!\d)",
                 rf"(?<![a-z]){month}\s*(?:\d{{1,2}}(?:st|nd|rd|th)?)?\s*,?\s*{y}(?!\d)"]
    else:
        day = rf"0?{d}"
        forms = [rf"{y}\s*年\s*0?{m}\s*月\s*{day}(?!\d)", rf"{y}{sep}0?{m}{sep}{day}(?!\d)",
                 rf"{day}(?:st|nd|rd|th)?\s*{month}\s*,?\s*{y}(?!\d)",
                 rf"(?<![a-z]){month}\s*{day}(?:st|nd|rd|th)?\s*,?\s*{y}(?!\d)"]
    return re.compile(rf"(?<!\d)(?:{'|'.join(forms)})")


def doi_pattern(doi: str) -> re.Pattern:
    """A DOI, not the start of a longer one (…01671 is not …01671-X)."""
    return re.compile(rf"(?<![a-z0-9.]){loose(doi)}(?![a-z0-9]|[-._/;:()][a-z0-9])")


def name_pattern(name: str) -> re.Pattern:
    """A title, a person's name or a registry id, whitespace and case aside."""
    return re.compile(bounded(name))


def fact_pattern(field: str, value: str, source: Source | None) -> re.Pattern:
    if field == "journal" and source is not None:
        return journal_pattern(source)
    if field == "published":
        return date_pattern(PartialDate.parse(value))
    if field == "doi":
        return doi_pattern(value)
    return name_pattern(value)


def same_value(field: str, a: str, b: str) -> bool:
    if field == "published":
        try:
            return PartialDate.parse(a) == PartialDate.parse(b)
        except ValueError:
            return False
    return compact(a) == compact(b)


# ---------------------------------------------------------------------------------------------
# reports check: an article's index entry against its file.


def check_index_entry(entry: ArticleEntry, meta: Mapping, body: str, file_name: str,
                      at: Callable[[PathKey], tuple[int, int]], problems: Problems, index_path: Path) -> None:
    """An index entry's title and published date agree with the file's front matter when both give
    one; given only in the index, they occur in the file's text (its whole body, boilerplate lines
    included) or are declared under supplied. ``at(key)`` is where the entry's value at key stands."""
    text = spaced(body)
    front_title = str(meta["title"]).strip() if meta.get("title") else None
    try:
        front_date = PartialDate.parse(meta["date"]) if meta.get("date") is not None else None
    except ValueError:
        front_date = None  # reported by reports.articles
    declared = {entry_.field: entry_ for entry_ in entry.supplied}

    def error(name: str, message: str) -> None:
        problems.error(index_path, *at((name,)), f"{entry.file}: {message}")

    if entry.title and not entry.title_supplied:
        if front_title is not None and compact(front_title) != compact(entry.title):
            error("title", f"title “{entry.title}” does not agree with the front matter's title “{front_title}”; "
                           "remove title: to use the front matter's, or correct the one that is wrong")
        elif front_title is None and "title" not in declared and not name_pattern(entry.title).search(text):
            error("title", f"title “{entry.title}” does not occur in {file_name}; copy it as the article prints "
                           "it, write title_supplied: true when the editors composed it, or declare it under supplied: "
                           "with the record it comes from")
    if entry.published is not None:
        if front_date is not None and not dates_agree(entry.published, front_date):
            error("published", f"published {entry.published.iso()} does not agree with the front matter's date "
                               f"{front_date.iso()}; remove published: to use the front matter's, or correct it")
        elif front_date is None and "published" not in declared and not date_pattern(entry.published).search(text):
            error("published", f"published {entry.published.iso()} does not occur in {file_name} (as "
                               f"{entry.published.chinese()} or {entry.published.iso()}); correct it, or declare it "
                               "under supplied: with the record it comes from")
    for index, item in enumerate(entry.supplied):
        value = getattr(entry, item.field)
        given = value.iso() if isinstance(value, PartialDate) else value
        if given is None or not same_value(item.field, item.value, given):
            problems.error(index_path, *at(("supplied", index, "value")),
                           f"{entry.file}: supplied {item.field} {item.value} is not the entry's {item.field} "
                           f"({given or 'none'}); update the declaration with the record, or remove it")
        elif fact_pattern(item.field, given, None).search(text):
            problems.warn(index_path, *at(("supplied", index)),
                          f"{entry.file}: {item.field} {given} occurs in {file_name}; the declaration is not needed")


def dates_agree(a: PartialDate, b: PartialDate) -> bool:
    """Two dates agree where both are precise: 2025-02 agrees with 2025-02-17, not with 2025-03-01."""
    if a.year != b.year:
        return False
    if a.month and b.month and a.month != b.month:
        return False
    return not (a.day and b.day and a.day != b.day)
