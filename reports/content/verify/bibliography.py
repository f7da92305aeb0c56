"""Bibliography and registries: what a row says about its paper is in the row's articles, or declared.

A row prints its paper's journal, title, DOI, publication date and first author, and its trials'
registry ids, in tables, references and QR codes, exactly like quoted facts. So each of them must
occur somewhere in the text of an article the row quotes (whitespace and case aside; a journal may
be written by its Chinese name, a date as 2025年11月12日 or 2025-11-12: the patterns are
``reports.content.citations``'s), or be declared under ``source.supplied`` with the record it was
checked in and the day: a fact from memory never reads as a fact from the articles.
``evidence.verify_evidence`` runs ``check_bibliography`` on every row; a declared fact prints with ‡
and its record (``reports.render.context``); a QR code is drawn only for an id that is found or
declared (``checked_links``). Rule 10 of docs/rules.md.

The article index's title and date are checked against the file by ``reports.content.articles``
while it reads it (``citations.check_index_entry``): only the reader has the front matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from reports.content.citations import compact, fact_pattern, journal_of_chinese_name, known_journal, same_value, spaced
from reports.content.model import Source, Study, Supplied

if TYPE_CHECKING:
    from reports.content.articles import Article
    from reports.content.evidence import EvidenceFile
    from reports.content.model import Landscape
    from reports.content.sources import PathKey
    from reports.errors import Problems

SUPPLIED_MARK = "‡"
FIELD_NAMES = {"journal": "journal", "title": "title", "doi": "DOI", "published": "publication date",
               "first_author": "first author", "registry_ids": "registry id"}


# ---------------------------------------------------------------------------------------------
# A row's facts and where each comes from.


@dataclass(frozen=True)
class Fact:
    """One fact a row prints about its paper or trial, and whether it is checked."""

    field: str  # journal, title, doi, published, first_author, registry_ids
    value: str  # as the row gives it (a date in ISO form)
    key: PathKey  # where it stands, inside the row: ("source", "doi"), ("registry_ids", 0)
    found_in: str | None  # the id of the row's article it occurs in
    supplied: Supplied | None  # its declaration under source.supplied

    @property
    def checked(self) -> bool:
        return self.found_in is not None or self.supplied is not None


def article_texts(articles: Mapping[str, Article]) -> dict[str, str]:
    """Each article's visible text (what excerpts are checked against), made ``spaced`` once."""
    return {article_id: spaced(" ".join(block.text for block in article.blocks))
            for article_id, article in articles.items()}


def row_articles(row: Study | Landscape) -> list[str]:
    return list(dict.fromkeys(excerpt.article for excerpt in row.excerpts))


def stated_facts(row: Study | Landscape) -> list[tuple[str, str, PathKey]]:
    """(field, value, key) for each fact of the row's source and each registry id, in print order."""
    facts: list[tuple[str, str, PathKey]] = []
    source = row.source
    if source is not None:
        for name in ("journal", "title", "doi", "published", "first_author"):
            value = getattr(source, name)
            if value is not None:
                facts.append((name, value.iso() if name == "published" else str(value), ("source", name)))
    for index, registry_id in enumerate(getattr(row, "registry_ids", [])):
        facts.append(("registry_ids", registry_id, ("registry_ids", index)))
    return facts


def declaration(source: Source | None, field: str, value: str) -> Supplied | None:
    """The source's declaration that this fact was supplied from another record, if any."""
    if source is None:
        return None
    return next((entry for entry in source.supplied if entry.field == field and same_value(field, entry.value, value)),
                None)


def row_facts(row: Study | Landscape, texts: Mapping[str, str]) -> list[Fact]:
    """The row's facts, each with the article it occurs in (of those the row quotes) and its declaration."""
    facts = []
    for field, value, key in stated_facts(row):
        pattern = fact_pattern(field, value, row.source)
        found = next((article_id for article_id in row_articles(row)
                      if article_id in texts and pattern.search(texts[article_id])), None)
        facts.append(Fact(field, value, key, found, declaration(row.source, field, value)))
    return facts


def checked_links(row: Study | Landscape, texts: Mapping[str, str]) -> tuple[str | None, list[str]]:
    """The row's DOI and registry ids that may be printed as QR codes: only those found in its
    articles or declared as supplied (a QR code sends a reader to a record as if it were the source's)."""
    facts = row_facts(row, texts)
    doi = next((fact.value for fact in facts if fact.field == "doi" and fact.checked), None)
    return doi, [fact.value for fact in facts if fact.field == "registry_ids" and fact.checked]


# What a ‡ stands for, by field: a paper's (source.supplied) and a report's own (articles.yaml supplied).
SUPPLIED_LABELS = {"journal": "期刊", "title": "论文题名", "doi": "DOI", "published": "论文发表日期",
                   "first_author": "第一作者", "registry_ids": "注册号"}
ARTICLE_SUPPLIED_LABELS = {"title": "报道题名", "published": "报道发布日期"}


def supplied_notes(entries: list[Supplied], labels: Mapping[str, str] = SUPPLIED_LABELS) -> list[str]:
    """What the ‡ marks stand for, one line per record: the facts (a registry id by its number), the
    record and the day it was checked (论文题名、DOI、注册号 NCT00085930；记录：PubMed PMID …（2026-12-01 核对））."""
    grouped: dict[tuple[str, str, str | None], list[str]] = {}
    for entry in entries:
        label = labels[entry.field] + (f" {entry.value}" if entry.field == "registry_ids" else "")
        grouped.setdefault((entry.record, entry.checked.isoformat(), entry.by), []).append(label)
    return [f"{'、'.join(facts)}；记录：{record}（{checked} 核对{f'，{by}' if by else ''}）"
            for (record, checked, by), facts in grouped.items()]


# ---------------------------------------------------------------------------------------------
# reports check: the rows of an evidence file.


def check_bibliography(file: EvidenceFile, row: Study | Landscape, row_key: PathKey, texts: Mapping[str, str],
                       problems: Problems) -> int:
    """Errors for a row's facts that are neither in its articles nor declared, and for declarations
    that match no fact; a warning for a declaration of a fact the articles state. Returns how many
    facts were checked."""
    def at(key: PathKey) -> tuple[int, int]:
        return file.positions.of(row_key + key)

    where = ".".join(map(str, row_key))
    quoted = [article_id for article_id in row_articles(row) if article_id in texts]
    if not quoted:
        return 0  # its excerpts cite no readable article: reported with the excerpts
    names = ", ".join(quoted)
    facts = row_facts(row, texts)
    for fact in facts:
        if fact.checked:
            continue
        path = f"{where}.{'.'.join(map(str, fact.key))}"
        shown = f"{fact.value} ({journal_forms_shown(row.source)})" if fact.field == "journal" else fact.value
        problems.error(file.path, *at(fact.key),
                       f"{path}: {shown} does not occur in the row's article{'s' if len(quoted) > 1 else ''} "
                       f"({names}); correct it to what the article says, or declare it under source.supplied as "
                       f"{{field: {fact.field}, value: \"{fact.value}\", record: <where it was checked>, "
                       "checked: YYYY-MM-DD}")
    if row.source is not None:
        check_journal_zh(file, row.source, row_key + ("source",), problems)
        check_declarations(file, row.source.supplied, facts, row_key + ("source", "supplied"), names, problems)
    return sum(fact.checked for fact in facts)


def journal_forms_shown(source: Source | None) -> str:
    entry = known_journal(source.journal) if source else None
    names = [*(entry[0] if entry else (source.journal,)), *(f"《{zh}》" for zh in (entry[1] if entry else ()))]
    if source is not None and source.journal_zh:
        names.append(source.journal_zh)
    return "looked for as " + " or ".join(dict.fromkeys(names))


def check_journal_zh(file: EvidenceFile, source: Source, key: PathKey, problems: Problems) -> None:
    """A journal_zh may not stand for another journal: 《柳叶刀》 backs The Lancet only."""
    if not source.journal_zh:
        return
    meant = journal_of_chinese_name(source.journal_zh)
    entry = known_journal(source.journal)
    if meant is not None and (entry is None or meant != entry[0][0]):
        where = ".".join(map(str, key + ("journal_zh",)))
        problems.error(file.path, *file.positions.of(key + ("journal_zh",)),
                       f"{where}: {source.journal_zh} is the Chinese name of {meant}, not of {source.journal}; "
                       "give the name the article uses for this journal, or correct the journal")


def check_declarations(file: EvidenceFile, declared: list[Supplied], facts: list[Fact], key: PathKey,
                       articles: str, problems: Problems) -> None:
    """Each declaration names a fact the row gives, once; a declared fact the articles state needs none."""
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(declared):
        here = key + (index,)
        where = ".".join(map(str, here))
        same = [fact for fact in facts if fact.field == entry.field]
        match = next((fact for fact in same if same_value(entry.field, fact.value, entry.value)), None)
        if match is None:
            given = " or ".join(fact.value for fact in same)
            fix = (f"the row gives {given}: check the new value in a record and update value, record and checked, "
                   "or remove the declaration" if given else f"the row gives no {FIELD_NAMES[entry.field]}: remove it")
            problems.error(file.path, *file.positions.of(here + ("value",)),
                           f"{where}: declares {FIELD_NAMES[entry.field]} {entry.value} as supplied, but {fix}")
            continue
        identity = (entry.field, compact(match.value))
        if identity in seen:
            problems.error(file.path, *file.positions.of(here), f"{where}: {match.value} is declared twice; keep one")
        seen.add(identity)
        if match.found_in is not None:
            problems.warn(file.path, *file.positions.of(here),
                          f"{where}: {match.value} occurs in the row's article ({match.found_in}); the declaration is "
                          "not needed (it would print ‡ on a fact the article states): remove it")
