"""Building the template context: the verified content, prepared for presentation.

Templates only lay out what they receive: every label, number and sentence is formatted here,
citation numbers and footnote marks are assigned here (in reading order), so the HTML and the PDF
say the same thing whichever template set is used.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from markupsafe import Markup, escape

from reports import __version__
from reports.content.verify import bibliography
from reports.content.articles import Article, Link
from reports.content.load import Content
from reports.content.model import (
    AdverseEvent,
    Excerpt,
    Landscape,
    LandscapeItem,
    LandscapeSeries,
    Measurement,
    OwnFigure,
    PartialDate,
    Source,
    Study,
    own_figure_spans,
)
from reports.content.passages import Passage, passages_by_article

from reports.render.findings import (
    BottomLine,
    FindingGroup,
    bottom_line,
    headline_outcome,
    main_harm,
    main_result,
    summary_of_findings,
)
from reports.render.labels import (
    CELL_SOURCE_LABELS,
    DOMAIN_LABELS,
    GRADE_LABELS,
    PHASE_LABELS,
    STUDY_TYPE_LABELS,
    figure_text,
    format_enrollment,
    number,
)

if TYPE_CHECKING:
    from reports.content.evidence import EvidenceFile
    from reports.text.scripts import ScriptConverter

FOOTNOTE_MARKS = "abcdefghijklmnopqrstuvwxyz"
MM = 72 / 25.4  # points per millimetre
# A landscape series is 48% of the briefing's 170 mm text width (styles/briefing.css .series).
SERIES_CHART_WIDTH = 0.48 * 170 * MM
SERIES_CHART_FONT = 8.5  # pt, as the briefing's tables


def chinese_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def format_measurement(item: Measurement) -> str:
    parts = []
    if item.value is not None:
        parts.append(figure_text(item.value, item.unit, item.bound))
    if item.n is not None and item.of is not None:
        parts.append(f"{item.n}/{item.of}")
    elif item.of is not None:
        parts.append(f"n = {item.of}")
    figure = "，".join(parts)
    if item.iqr:
        figure += f"（IQR {number(item.iqr.lower)}–{number(item.iqr.upper)}）"
    if item.ci:
        level = number(item.ci.level) if item.ci.level else "95"
        figure += f"（{level}% CI {number(item.ci.lower)}–{number(item.ci.upper)}）"
    context = "，".join(x for x in (item.population, item.timepoint) if x)
    text = f"{item.name}：{figure}" if figure else item.name
    # Whom and when go right after the figure they qualify; after a closing bracket they become a
    # clause of their own, so that no text doubles its brackets ("…失访）（…）", "…））": issue 16).
    if context and figure:
        text = qualified(text, context)
    if item.result:
        text += ("；" if figure else "：") + item.result
    if context and not figure:
        text = qualified(text, context)
    return text


def qualified(text: str, qualifier: str) -> str:
    """The text with a qualifier in brackets, or after a semicolon when it ends with a bracket."""
    return f"{text}；{qualifier}" if text.endswith(("）", ")")) else f"{text}（{qualifier}）"


OWN_MARK = "†"


def marked_text(text: str, own: list[OwnFigure]) -> Markup:
    """The text, escaped, with a † after each figure the curator declared as their own (own_figures):
    a reader sees which numbers no quoted source states, and ``own_notes`` says where they come from."""
    parts, position = [], 0
    for start, end in own_figure_spans(text, own):
        if start < position:
            continue
        parts += [escape(text[position:end]), Markup(f'<sup class="own-mark">{OWN_MARK}</sup>')]
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def own_notes(own: list[OwnFigure], derived: list[str] = ()) -> list[str]:
    """What each † stands for: the curator's own figures and derived table figures, with their reasons."""
    return [f"{entry.figure}：{entry.reason}" for entry in own] + list(derived)


def format_grading(event: AdverseEvent) -> str:
    grading = event.grading
    if grading.system == "ASTCT":
        return f"ASTCT {grading.version} 共识分级"
    if grading.system == "CTCAE":
        return f"CTCAE v{grading.version}"
    return "分级标准未报道"


def format_adverse_event(event: AdverseEvent) -> str:
    counts = ""
    if event.patients is not None and event.of is not None:
        counts = f"{event.patients}/{event.of}"
        if event.percent is not None:
            counts += f"（{number(event.percent)}%）"
        counts += "；"
    return f"{event.term}：{counts}{event.summary}〔{format_grading(event)}〕"


def author_as_cited(name: str) -> str:
    """A Western-order name as GB/T 7714 cites it: family name, then initials (Meenakshi Hegde -> Hegde M)."""
    parts = name.replace(".", " ").split()
    if len(parts) < 2:
        return name
    return f"{parts[-1]} {''.join(part[0].upper() for part in parts[:-1])}"


SUPPLIED_MARK = Markup(f'<sup class="supplied-mark">{bibliography.SUPPLIED_MARK}</sup>')


def fact(source: Source | None, field: str, printed: str, value: str | None = None) -> Markup:
    """A bibliographic fact as printed, escaped, with ‡ when the editors supplied it from another record
    (source.supplied): the reader tells it from what the source article states."""
    supplied = bibliography.declaration(source, field, printed if value is None else value)
    return escape(printed) + (SUPPLIED_MARK if supplied else Markup(""))


def supplied_notes(source: Source | None) -> list[str]:
    """What each ‡ of a row stands for: the value, the record it was checked in and the day."""
    return bibliography.supplied_notes(source.supplied) if source else []


def paper_citation(source: Source) -> Markup:
    """A journal paper as GB/T 7714 cites it, from what the row knows: [author, et al.] [title][J].
    journal, year. DOI. Nothing the row does not know is filled in (no volume or pages)."""
    text = fact(source, "title", source.title) + "[J]. " if source.title else Markup("")
    text += fact(source, "journal", source.journal)
    if source.published:
        text += ", " + fact(source, "published", str(source.published.year), source.published.iso())
    text += "."
    if source.first_author:
        text = fact(source, "first_author", author_as_cited(source.first_author), source.first_author) + ", et al. " + text
    if source.doi:
        text += " DOI: " + fact(source, "doi", source.doi) + "."
    return text


def format_source(source: Source | None) -> Markup:
    if source is None:
        return Markup("")
    parts = [fact(source, "journal", source.journal)]
    if source.published:
        parts.append(fact(source, "published", source.published.iso()))
    if source.doi:
        parts.append("doi:" + fact(source, "doi", source.doi))
    return Markup("，").join(parts)


def registry_ids_marked(study: Study) -> list[Markup]:
    return [fact(study.source, "registry_ids", registry_id) for registry_id in study.registry_ids]


@dataclass
class Quote:
    id: str
    text: str
    lang: str
    note: str | None
    reference: int
    row_title: str  # the study it is quoted for
    source: str  # outlet and date: never the article's headline


@dataclass
class Footnote:
    mark: str
    text: str


@dataclass
class StudyView:
    id: str
    title: str
    product: str
    developer: str | None
    targets: str
    cell_source: str
    indication: str
    population: str
    phase: str
    design: str
    study_type: str
    registry_ids: list[Markup]  # ‡ after an id the editors supplied
    intervention: str
    enrollment: str
    baseline: list[str]
    outcomes: list[str]
    headline: str  # the main outcome: the one marked headline, else the first with a rate, else the first
    glance_result: str  # the main outcome as the at-a-glance table gives it: its subgroup named as one
    glance_harm: str  # the main harm, with n/N (findings.main_harm)
    safety: list[str]
    follow_up: str
    source: Markup  # journal, date, DOI; ‡ after a supplied one
    source_title: Markup | None
    cebm_level: int
    grade_label: str
    grade_symbols: str
    grade_marks: list[str]
    references: list[int]


@dataclass
class Chart:
    image: str  # data: URL of the SVG
    alt: str  # the chart in words, numbers included
    caption: str


@dataclass
class SeriesView:
    id: str
    title: str
    denominator: Markup
    rows: list[tuple[str, str]]
    chart: Chart | None = None


@dataclass
class LandscapeView:
    id: str
    title: str
    summary: Markup
    data_source: str
    data_cutoff: str
    trials: str
    series: list[SeriesView]
    limitations: list[Markup]
    source: Markup
    references: list[int]
    own_notes: list[str]  # what each † stands for
    population: str = ""  # the trials analysed, as one statement: 纳入分析的 CAR-T 临床试验 1580 项（ClinicalTrials.gov 注册信息）


@dataclass
class ClassView:
    id: str
    name: str
    name_en: str
    mechanism: Markup
    status: Markup
    own_notes: list[str]  # what each † of the overview stands for
    studies: list[StudyView]
    landscape: LandscapeView | None
    quotes: list[Quote]
    footnotes: list[Footnote]
    bottom_line: BottomLine | None = None  # first on the class's first page
    findings: list[FindingGroup] = field(default_factory=list)  # the summary-of-findings table


@dataclass
class ReferenceView:
    number: int
    article_id: str
    lang: str
    title: str
    title_supplied: bool
    outlet: str
    author: str | None
    date: str | None  # ISO, as GB/T 7714 writes it
    undated_reason: str | None
    accessed: str | None  # ISO: when the curator read it (articles.yaml accessed); never the build date
    url: str | None
    original: str | None
    papers: list[Markup]  # the journal papers the article reports, cited first (GB/T 7714 [J])
    registry_ids: list[Markup]
    links: list[Link]
    supplied_notes: list[str] = field(default_factory=list)  # what each ‡ of the entry stands for
    marked: tuple[str, ...] = ()  # the article's own fields from another record (title, published): ‡


@dataclass
class AppendixArticle:
    number: int
    id: str
    lang: str
    rows: list[str]  # the evidence rows that cite it: its heading (never the article's own headline)
    byline: str
    passages: list[Passage]  # each quotation in its paragraph (reports/content/passages.py)
    html: str | None  # the full text, cleaned; only with reports build --full-text
    figures_omitted: int


@dataclass
class References:
    """Numbers articles in the order they are first cited."""

    articles: dict[str, Article]
    order: list[str] = field(default_factory=list)

    def number(self, article_id: str) -> int:
        if article_id not in self.order:
            self.order.append(article_id)
        return self.order.index(article_id) + 1

    def of_excerpts(self, excerpts: list[Excerpt]) -> list[int]:
        return sorted({self.number(e.article) for e in excerpts})


def source_label(article: Article) -> str:
    """A source named outside the reference list: its outlet and date, never its headline (which may
    promote: the reference entry alone prints it, as GB/T 7714 requires)."""
    date = article.published.iso() if article.published else "日期未标注"
    return f"{article.outlet}，{date}"


def citing_rows(content: Content, article_id: str) -> list[str]:
    """The titles of the evidence rows that quote an article, in briefing order."""
    return [row.title for file in content.tables for row in file.table.rows
            if any(excerpt.article == article_id for excerpt in row.excerpts)]


def _quotes(row: Study | Landscape, references: References) -> list[Quote]:
    quotes = []
    for excerpt in row.excerpts:
        if not excerpt.key:
            continue
        article = references.articles[excerpt.article]
        quotes.append(Quote(excerpt.id, article.quotation(excerpt.text), article.lang, excerpt.note,
                            references.number(excerpt.article), row.title, source_label(article)))
    return quotes


def safety_lines(study: Study) -> list[str]:
    """The adverse events, one line each; or why the sources report none."""
    lines = [format_adverse_event(event) for event in study.adverse_events]
    if not lines and study.safety_not_reported:
        lines = [f"未报道：{study.safety_not_reported}"]
    return lines


def certainty_text(study: Study) -> str:
    """The computed rating (never a typed one: reports check refuses a typed one that differs)."""
    return f"GRADE {GRADE_LABELS[study.grade][0]}，OCEBM {study.cebm_level} 级"


def footnote_mark(index: int) -> str:
    """a, b, ... z, then aa, ab, ...: a table with many rated-down rows never repeats a mark."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, len(FOOTNOTE_MARKS))
        letters = FOOTNOTE_MARKS[rest] + letters
    return letters


def _study_view(study: Study, references: References, footnotes: list[Footnote]) -> StudyView:
    marks = []
    steps = [("降", step) for step in study.certainty.rated_down] + [("升", step) for step in study.certainty.rated_up]
    for direction, step in steps:
        mark = footnote_mark(len(footnotes))
        footnotes.append(Footnote(mark, f"{study.title}｜{DOMAIN_LABELS[step.domain]}（{direction} {step.levels} 级）："
                                        f"{step.reason}"))
        marks.append(mark)
    label, symbols = GRADE_LABELS[study.grade]
    return StudyView(
        id=study.id,
        title=study.title,
        product=study.product,
        developer=study.developer,
        targets=" / ".join(study.targets),
        cell_source=CELL_SOURCE_LABELS[study.cell_source],
        indication=study.indication,
        population=study.population,
        phase=PHASE_LABELS[study.phase],
        design=study.design.summary,
        study_type=STUDY_TYPE_LABELS[study.design.study_type],
        registry_ids=registry_ids_marked(study),
        intervention=study.intervention,
        enrollment=format_enrollment(study),
        baseline=[format_measurement(m) for m in study.baseline],
        outcomes=[format_measurement(m) for m in study.outcomes],
        headline=format_measurement(headline_outcome(study)),
        glance_result=main_result(study),
        glance_harm=main_harm(study),
        safety=safety_lines(study),
        follow_up=study.follow_up.summary if study.follow_up else "未报道",
        source=format_source(study.source),
        source_title=fact(study.source, "title", study.source.title) if study.source.title else None,
        cebm_level=study.cebm_level,
        grade_label=label,
        grade_symbols=symbols,
        grade_marks=marks,
        references=references.of_excerpts(study.excerpts),
    )


def _item_text(item: LandscapeItem) -> str:
    parts = []
    if item.value is not None:
        parts.append(f"{number(item.value)}{item.unit or ''}{OWN_MARK if item.derived else ''}")
    if item.n is not None and item.of is not None:
        parts.append(f"{item.n}/{item.of}")
    elif item.n is not None:
        parts.append(f"{item.n} 项")
    return "（".join(parts) + ("）" if len(parts) > 1 else "")


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def decimals(value: Decimal | int) -> int:
    """How many decimals the source wrote: 71.6 -> 1, 2.75 -> 2, 9.60 -> 2, 1580 -> 0."""
    return max(-value.as_tuple().exponent, 0) if isinstance(value, Decimal) else 0


def precision_note(figures: list[Decimal | int], what: str = "数值") -> str:
    """One precision a chart, or the reason in its caption: the source's figures are printed as it
    wrote them, neither rounded nor padded (2.75 is no 2.8, 71.6 no 71.60: issue 16, issue 24)."""
    if len({decimals(figure) for figure in figures}) > 1:
        return f"{what}照录原文，小数位数不一。"
    return ""


def series_chart(series: LandscapeSeries, convert: Callable[[str], str], lang: str,
                 whom: str = "", denominator: Markup | str | None = None) -> Chart:
    """A landscape series as horizontal bars on a scale, every figure printed on its bar (the chart
    replaces the series' table, so the alt text lists them all too); the caption says what, of whom
    and, when the values carry different decimals, why (``precision_note``)."""
    from reports.render.graphics import Bar, Panel, bar_chart_svg  # reportlab: only when there is a chart

    labels = [convert(item.label) for item in series.items]
    bars = [Bar(float(item.value), _item_text(item)) for item in series.items]
    percent = all(item.unit == "%" for item in series.items)
    title = convert(series.title)
    # The chart's own words too: the SVG and its alt text are not the HTML's text nodes.
    alt = (f"{convert('条形图')}：{title}，{convert(series.denominator)}。"
           + "；".join(f"{label} {bar.text}" for label, bar in zip(labels, bars)) + "。")
    svg = bar_chart_svg(labels, [Panel(convert("占比（%）") if percent else title, bars, maximum=100 if percent else None)],
                        SERIES_CHART_WIDTH, title=title, description=alt, lang=lang, font_size=SERIES_CHART_FONT)
    of = denominator if denominator is not None else escape(series.denominator)
    caption = Markup("<strong>{}</strong>　{}分母：{}。").format(series.title, f"{whom}；" if whom else "", of)
    caption += precision_note([item.value for item in series.items])
    return Chart(svg_data_url(svg), alt, caption)


def derived_sum(item: LandscapeItem, name: str, expression: str) -> str:
    """A derived figure as arithmetic a reader can redo: 519 = 1580 − 891 − 170; 32.8% = 519 / 1580 × 100."""
    for field_name in ("of", "n"):  # "of" first: "n" is not inside it
        if getattr(item, field_name) is not None:
            expression = re.sub(rf"\b{field_name}\b", str(getattr(item, field_name)), expression)
    unit = item.unit if name == "value" and item.unit == "%" else ""
    arithmetic = " ".join(expression.replace("-", " − ").replace("*", " × ").replace("/", " / ").split())
    return f"{number(getattr(item, name))}{unit} = {arithmetic}"


def derived_notes(landscape: Landscape) -> list[str]:
    """Each computed landscape figure with its arithmetic: 原文未归类：n = 1580 − 891 − 170 ..."""
    notes = []
    for series in landscape.series:
        for item in [*series.items]:
            if item.derived:
                notes.append(f"{series.title}｜{item.label}：编者计算，" + "；".join(
                    derived_sum(item, name, expression) for name, expression in item.derived.items()))
    return notes


def _landscape_view(landscape: Landscape, references: References, convert: Callable[[str], str] = str,
                    lang: str = "zh-Hans") -> LandscapeView:
    own = landscape.own_figures
    registry = landscape.data_source.split("（")[0].strip()
    population = f"{landscape.trials.label} {_item_text(landscape.trials)}（{registry}）"
    whom = f"{population}，数据截至 {landscape.data_cutoff.chinese()}"
    return LandscapeView(
        id=landscape.id,
        title=landscape.title,
        summary=marked_text(landscape.summary, own),
        data_source=landscape.data_source,
        data_cutoff=landscape.data_cutoff.chinese(),
        trials=_item_text(landscape.trials),
        series=[
            SeriesView(s.id, s.title, marked_text(s.denominator, own),
                       [(item.label, _item_text(item)) for item in s.items],
                       series_chart(s, convert, lang, whom, marked_text(s.denominator, own)) if s.chart else None)
            for s in landscape.series
        ],
        limitations=[marked_text(item, own) for item in landscape.limitations],
        source=format_source(landscape.source),
        references=references.of_excerpts(landscape.excerpts),
        own_notes=own_notes(own, derived_notes(landscape)),
        population=population,
    )


def reference_view(number_: int, article: Article, content: Content) -> ReferenceView:
    papers: list[Markup] = []
    registry_ids: list[Markup] = []
    notes = bibliography.supplied_notes(article.supplied, bibliography.ARTICLE_SUPPLIED_LABELS)
    for file in content.tables:
        for row in file.table.rows:
            if not any(e.article == article.id for e in row.excerpts):
                continue
            if row.source is not None and (paper := paper_citation(row.source)) not in papers:
                papers.append(paper)
            for registry_id in getattr(row, "registry_ids", []):
                if (marked := fact(row.source, "registry_ids", registry_id)) not in registry_ids:
                    registry_ids.append(marked)
            notes += [note for note in supplied_notes(row.source) if note not in notes]
    original = None
    if article.original_outlet or article.original_title or article.original_author:
        original = "，".join(x for x in (article.original_outlet, article.original_author,
                                        f"《{article.original_title}》" if article.original_title else None) if x)
    return ReferenceView(
        number=number_,
        article_id=article.id,
        lang=article.lang,
        title=article.title,
        title_supplied=article.title_supplied,
        outlet=article.outlet,
        author=article.author,
        date=article.published.iso() if article.published else None,
        undated_reason=article.undated_reason,
        accessed=article.accessed.isoformat() if article.accessed else None,
        url=article.url,
        original=original,
        papers=papers,
        registry_ids=registry_ids,
        links=article.links,
        supplied_notes=notes,
        marked=tuple(entry.field for entry in article.supplied),
    )


def evidence_cutoff(content: Content) -> PartialDate | None:
    """The evidence's cut-off, a date about the literature: the day the project says it last searched
    (evidence_cutoff in project.yaml), else the publication date of the newest source its rows cite.

    Not the build date, nor the day the rows were curated (``curation_date``): a briefing built today
    may rest on articles that stopped weeks before."""
    if content.settings.evidence_cutoff:
        return PartialDate.parse(content.settings.evidence_cutoff)
    newest = newest_cited_article(content)
    return newest.published if newest else None


def newest_cited_article(content: Content) -> Article | None:
    """The cited article published last (a date known to the month counts as its month's last day)."""
    cited = {excerpt.article for file in content.tables for row in file.table.rows for excerpt in row.excerpts}
    dated = [content.articles[a] for a in sorted(cited) if a in content.articles and content.articles[a].published]
    return max(dated, key=lambda a: (a.published.year, a.published.month or 12, a.published.day or 31), default=None)


def evidence_cutoff_basis(content: Content) -> str:
    """What the cut-off date is, in the reader's words."""
    return "编者声明的检索日期" if content.settings.evidence_cutoff else "所引来源中最新一篇的发表日期"


def curation_date(content: Content) -> dt.date | None:
    """The day the evidence tables were last curated: the latest day a row was added or revised."""
    last = last_curated(content)
    return last[0] if last else None


def last_curated(content: Content) -> tuple[dt.date, EvidenceFile, Study | Landscape, int | None] | None:
    """The latest day a row was added or revised, the table and the row, and which revision (None: added)."""
    changes = [(day, file, row, number) for file in content.tables for row in file.table.rows
               for number, day in [(None, row.added), *enumerate(revision.date for revision in row.revisions)]]
    return max(changes, key=lambda change: change[0], default=None)


def dating(content: Content) -> dict:
    """The dates every document prints beside its date of issue: the evidence cut-off and the curation."""
    cutoff, curated = evidence_cutoff(content), curation_date(content)
    return {
        "evidence_cutoff": cutoff.iso() if cutoff else None,
        "evidence_cutoff_text": cutoff.chinese() if cutoff else None,
        "evidence_cutoff_basis": evidence_cutoff_basis(content),
        "curation_date": curated.isoformat() if curated else None,
        "curation_date_text": chinese_date(curated) if curated else None,
    }


def build_context(content: Content, build_date: dt.date, converter: ScriptConverter | None = None,
                  full_text: bool = False) -> dict:
    """The briefing's context. ``converter`` (into zh-Hans or zh-Hant) converts the texts drawn in
    charts, which the HTML-wide conversion cannot reach; the templates get its script as ``script``."""
    references = References(content.articles)
    convert: Callable[[str], str] = str
    script = converter.target if converter else None
    if converter:
        convert = lambda text: converter.convert(text, "zh-Hans")  # noqa: E731 (the tables are written in zh-Hans)
    classes = []
    for file in content.tables:
        table = file.table
        footnotes: list[Footnote] = []
        studies = [_study_view(study, references, footnotes) for study in table.studies]
        landscape = _landscape_view(table.landscape, references, convert, script or "zh-Hans") if table.landscape else None
        quotes = [q for row in table.rows for q in _quotes(row, references)]
        classes.append(ClassView(
            id=table.therapy_class.id,
            name=table.therapy_class.name,
            name_en=table.therapy_class.name_en,
            mechanism=marked_text(table.overview.mechanism, table.overview.own_figures),
            status=marked_text(table.overview.status, table.overview.own_figures),
            own_notes=own_notes(table.overview.own_figures),
            studies=studies,
            landscape=landscape,
            quotes=quotes,
            footnotes=footnotes,
            bottom_line=bottom_line(table.studies),
            findings=summary_of_findings(table.studies) if table.studies else [],
        ))
    cited = [content.articles[article_id] for article_id in references.order]
    reference_views = [reference_view(i + 1, article, content) for i, article in enumerate(cited)]
    passages = passages_by_article(content)
    appendix = [
        AppendixArticle(
            number=i + 1, id=a.id, lang=a.lang, rows=citing_rows(content, a.id),
            byline="，".join(x for x in (a.outlet, a.author, a.published.chinese() if a.published else "日期未标注") if x),
            passages=passages.get(a.id, []), html=a.html if full_text else None, figures_omitted=a.figures_omitted,
        )
        for i, a in enumerate(cited)
    ]
    scope = "、".join(c.name for c in classes)
    return {
        **dating(content),
        "title": content.settings.title,
        "subtitle": content.settings.subtitle,
        "organisation": content.settings.organisation,
        "apparatus": content.settings,  # who made it and what they declare: partials/apparatus.html
        "scope": scope,
        "class_ids": [c.id for c in classes],
        "build_date": build_date.isoformat(),
        "build_date_text": chinese_date(build_date),
        "created": f"{build_date.isoformat()}T00:00:00+00:00",
        "keywords": ", ".join(["CAR-T", "CAR-NK", "CAR-M", "细胞治疗", "证据简报"] + [c.name_en for c in classes]),
        "classes": classes,
        "references": reference_views,
        "appendix": appendix,
        "full_text": full_text,
        "study_count": content.study_count,
        "landscape_count": sum(1 for c in classes if c.landscape),
        "excerpt_count": content.excerpts_verified,
        # Expanded at first use (reports.abbreviations) and listed (partials/abbreviations.html).
        "glossary": content.glossary,
        "abbreviations": sorted(content.glossary.abbreviations, key=lambda entry: entry.abbr.lower())
        if content.glossary else [],
        "article_count": len(cited),
        "version": __version__,
        "script": script,  # the one script everything is printed in; None: each text as written
    }


def row_figures(row: Study | Landscape) -> dict[str, str]:
    """A row's statements as label -> printed text: what a weekly manifest records and diffs.

    Labels name the figure (成人 · 客观缓解率), so next week's diff can say which one changed.
    """
    figures: dict[str, str] = {}

    def put(label: str, text: str, name: str = "") -> None:
        text = text.removeprefix(f"{name}：") if name else text  # the label names it already
        key, n = label, 2
        while key in figures:
            key, n = f"{label}（{n}）", n + 1
        figures[key] = text

    if isinstance(row, Landscape):
        put("纳入试验", _item_text(row.trials))
        for series in row.series:
            for item in series.items:
                put(f"{series.title}｜{item.label}", _item_text(item))
        return figures
    put("分期", PHASE_LABELS[row.phase])
    put("样本量", format_enrollment(row))
    for item in row.baseline:
        put(f"基线｜{item.name}", format_measurement(item), item.name)
    for item in row.outcomes:
        qualifier = "，".join(x for x in (item.population, item.timepoint) if x)
        put(f"结果｜{item.name}" + (f"（{qualifier}）" if qualifier else ""), format_measurement(item), item.name)
    for event in row.adverse_events:
        put(f"安全性｜{event.term}", format_adverse_event(event), event.term)
    if row.follow_up:
        put("随访", row.follow_up.summary)
    put("证据确定性", certainty_text(row))
    return figures
