"""Verifying the evidence tables against the articles: the order of the checks.

``verify_evidence`` runs after every file has been read and schema-validated (``reports.content.
articles``, ``reports.content.evidence``), and before anything is rendered. Per table, per row: its
id, its excerpts (``excerpts``: found verbatim, first, since every later check reads only the
excerpts the row has), its parts' figures (``figures``), a study's phase and certainty, its
bibliography, then the numbers, pairs, absences and words of its prose; then the overview against
the whole table; last, a warning for each excerpt no check used. Problems are sorted by place when
raised, so this order shows only between problems at one place and in the warnings.
"""

from __future__ import annotations

from reports.content.articles import Article
from reports.content.evidence import EvidenceFile
from reports.content.model import Backed, ProjectSettings, Study
from reports.content.sources import walk_models
from reports.content.verify.absences import check_absent_subgroups, check_severity
from reports.content.verify.arms import row_arms
from reports.content.verify.bibliography import article_texts, check_bibliography
from reports.content.verify.certainty import check_certainty
from reports.content.verify.claims import lexicon_for
from reports.content.verify.curated import label_prose, overview_prose, row_prose
from reports.content.verify.denominators import check_pairs
from reports.content.verify.excerpts import ArticleText, verify_row_excerpts
from reports.content.verify.figures import check_part
from reports.content.verify.names import Labels, rival_labels
from reports.content.verify.phases import check_phase
from reports.content.verify.prose import check_own_used, check_prose
from reports.content.verify.quoted import Quoted
from reports.content.verify.table import TableCheck, Verification, keyed_rows
from reports.content.verify.words import check_design, check_words, row_scope, table_scope
from reports.errors import Problems


def verify_evidence(files: list[EvidenceFile], articles: dict[str, Article], problems: Problems,
                    unreadable: set[str] = frozenset(), settings: ProjectSettings | None = None) -> Verification:
    """Check every evidence file against the articles; returns what was verified.

    ``unreadable``: ids of article files that could not be read (their own problem says why): an
    excerpt citing one is not reported again as citing an unknown article.
    """
    texts = {article_id: ArticleText.of(article) for article_id, article in articles.items()}
    lexicon = lexicon_for((settings or ProjectSettings()).claim_words)
    bibliography_texts = article_texts(articles)
    verification = Verification()
    row_ids: dict[str, str] = {}
    excerpt_ids: dict[str, str] = {}
    for file in files:
        check = TableCheck(file, problems, verification, lexicon=lexicon)
        rows = keyed_rows(file.table)
        table_quoted: list[Quoted] = []
        table_labels: list[Labels] = []
        for row, row_key in rows:
            here = f"{problems.relative(file.path)}:{file.positions.of(row_key + ('id',))[0]}"
            if row.id in row_ids:
                problems.error(file.path, *file.positions.of(row_key + ("id",)),
                               f"duplicate id '{row.id}' (also used at {row_ids[row.id]}); give each row its own id")
            row_ids.setdefault(row.id, here)
            own = verify_row_excerpts(check, row, row_key, articles, texts, excerpt_ids, unreadable)
            parts = [(part, key) for part, key in walk_models(row, row_key) if isinstance(part, Backed)]
            rivals = rival_labels(row, [part for part, _ in parts])
            arms = row_arms([part for part, _ in parts])
            for part, key in parts:
                check_part(check, part, key, own, rivals.get(id(part)), arms)
            if isinstance(row, Study):
                check_phase(check, row, row_key)
                check_certainty(check, row, row_key)
            check_bibliography(file, row, row_key, bibliography_texts, problems)
            row_quoted = [Quoted.of(excerpt) for excerpt in own.values()]
            table_quoted += row_quoted
            groups = list({id(labels): labels for labels in rivals.values()}.values())
            table_labels += groups
            pieces = row_prose(row, row_key)
            found = check_prose(check, pieces, row_quoted, row.own_figures, row_key + ("own_figures",),
                                "this row's excerpts", groups)
            check_pairs(check, pieces, row_quoted, row.own_figures, "this row's excerpts")
            check_severity(check, pieces, row_quoted, groups)
            check_absent_subgroups(check, pieces, row_quoted)
            check_own_used(check, row.own_figures, found, row_key + ("own_figures",))
            scope = row_scope(row, lexicon)
            check_words(check, pieces + label_prose(row, row_key), scope, "this row's excerpts")
            if isinstance(row, Study):
                check_design(check, row, row_key, scope)
        overview = file.table.overview
        pieces = overview_prose(overview)
        check_words(check, pieces, table_scope(file.table, lexicon), "any excerpt of this table")
        found = check_prose(check, pieces, table_quoted, overview.own_figures, ("overview", "own_figures"),
                            "any excerpt of this table", table_labels)
        check_pairs(check, pieces, table_quoted, overview.own_figures, "any excerpt of this table")
        check_severity(check, pieces, table_quoted, table_labels)
        check_absent_subgroups(check, pieces, table_quoted)
        check_own_used(check, overview.own_figures, found, ("overview", "own_figures"))
        for row, row_key in rows:
            for index, excerpt in enumerate(row.excerpts):
                if excerpt.id not in check.used and not excerpt.key:
                    problems.warn(file.path, *file.positions.of(row_key + ("excerpts", index, "id")),
                                  f"excerpt '{excerpt.id}' backs no figure and is not a key excerpt")
    return verification
