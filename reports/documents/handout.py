"""Handouts: one therapy class on at most two printed pages, each figure traceable to its source.

The same read-and-verify phase as the briefing (``load_content``), then this module's own
context, ``handout.html`` and ``handout.css``. A handout that does not fit on two pages is laid
out again in smaller type (never under 8 pt), the content unchanged, so that every paper says the
same; one that still does not fit is an error. Every requested handout is laid out before the first is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from reports import __version__
from reports.content.verify.bibliography import article_texts, checked_links, declaration
from reports.content.evidence import EvidenceFile
from reports.content.load import Content, load_content
from reports.content.model import Measurement, Study
from reports.content.project import Project
from reports.documents.base import (
    BuildResult,
    Rendered,
    build_warnings,
    document_html,
    inline_css,
)
from reports.documents.dating import IssueDate, check_issue_date
from reports.errors import Location, Problem, ReportError
from reports.files import write_atomically, write_folder
from reports import names
from reports.render.context import (
    GRADE_LABELS,
    MM,
    PHASE_LABELS,
    STUDY_TYPE_LABELS,
    SUPPLIED_MARK,
    Chart,
    References,
    chinese_date,
    dating,
    fact,
    format_enrollment,
    format_measurement,
    marked_text,
    number,
    precision_note,
    registry_ids_marked,
    safety_lines,
    source_label,
    svg_data_url,
)
from reports.render.findings import headline_outcome, rate_of
from reports.render.labels import figure_text
from reports.render.graphics import Bar, Panel, bar_chart_svg, qr_svg
from reports.render.html import read_stylesheets

STYLESHEET = "handout.css"
TEMPLATE = "handout.html"
MAX_PAGES = 2


@dataclass(frozen=True)
class Paper:
    id: names.Paper
    name: str
    width: float  # mm
    height: float  # mm
    margin: float  # mm; office printers leave 4-6 mm unprinted at the edges, so these keep well clear

    @property
    def narrow(self) -> bool:
        """Too narrow for a five-column table at 8-9 pt."""
        return self.width < 180

    @property
    def content_width(self) -> float:
        """The text block's width in pt."""
        return (self.width - 2 * self.margin) * MM


# One size for each of the papers reports.names declares, in its order.
PAPERS: dict[names.Paper, Paper] = {paper.id: paper for paper in (
    Paper("a4", "A4", 210, 297, 15),
    Paper("a5", "A5", 148, 210, 12),
    Paper("letter", "US Letter", 215.9, 279.4, 15),
)}
assert tuple(PAPERS) == names.PAPERS, "a paper in reports.names without its size here, or the other way round"
# WeasyPrint draws crop marks in the outer half of the CSS bleed and gives the PDF a BleedBox of
# at most 10 pt (3.5 mm): with 10 mm the marks sit 5-10 mm from the trim, outside the bleed.
BLEED_MM = 10


@dataclass(frozen=True)
class Density:
    name: str  # the CSS class of the handout's <div>
    chart_font: float  # pt, as the stylesheet's tables at this density


# Tried in order until the handout fits on two pages. Only the type changes, never the content:
# a handout says the same on every paper.
DENSITIES = [Density("roomy", 8.5), Density("compact", 8), Density("dense", 8)]
KEY_QUOTES = 3


@dataclass
class HandoutOptions:
    paper: names.Paper = "a4"
    marks: bool = False  # crop marks and a bleed, for a print shop
    output: Path | None = None  # one class: the PDF; several: the folder. Default: build/handouts/
    # The date printed on it, given by the caller (the command line: --date, else SOURCE_DATE_EPOCH, else today),
    # and where it came from ("--date", "SOURCE_DATE_EPOCH", "today"), to name it if it is refused.
    build_date: dt.date = field(kw_only=True)
    date_from: str | None = field(default=None, kw_only=True)


@dataclass
class HandoutRow:
    title: str
    product: str
    design: str
    population: str
    size: str
    efficacy: str
    more_outcomes: int
    follow_up: str
    grade_label: str  # 极低: the computed rating (study.grade), never a typed one
    grade_symbols: str
    cebm_level: int
    registry_ids: list[Markup]  # ‡ after an id the editors supplied
    references: list[int]
    safety: list[str]


@dataclass
class HandoutQuote:
    text: str
    lang: str
    note: str | None
    reference: int
    row_title: str


@dataclass
class SourceLink:
    kind: str  # 文章 / 论文 / 注册
    label: Markup | str  # ‡ after a DOI or registry id the editors supplied
    url: str
    qr: str  # data: URL of the QR code's SVG
    lang: str = "zh-Hans"
    number: int | None = None  # the reference number quotations cite, for articles


@dataclass
class HandoutLandscape:
    title: str
    summary: Markup
    meta: str
    references: list[int]
    own_notes: list[str]  # what each † of the summary stands for


# A measure is charted when at least this many studies report it. One figure is a number, and two
# are a comparison the evidence table's two rows make exactly (two bars also invite reading a
# difference between two unlike studies); from three on, bars show at a glance what the rows make
# a reader piece together. Below it the table alone carries the figures: a class with a single
# study gets no chart (issue 24).
FEWEST_CHARTED = 3
UNIT_WORDS = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}  # after a figure: 18 个月
AXIS_UNITS = {"days": "天", "weeks": "周", "months": "月", "years": "年"}  # in an axis title: 随访（月）
FOLLOW_UP_KINDS = {"median": "中位", "longest": "最长"}


def rate_label(outcome: Measurement) -> str:
    """A rate as the source reports it, with its n/N and the subgroup it is of: 67%（6/9，亚组：随访超过
    12 个月的患者）, 44%（例数未报道，亚组：HER2 3+ 患者）, 7/19. No percentage is computed for print:
    a subgroup's rate never stands beside the whole cohort's size (issue 24)."""
    percent = figure_text(outcome.value, "%", outcome.bound) if outcome.value is not None and outcome.unit == "%" else None
    count = f"{outcome.n}/{outcome.of}" if outcome.n is not None and outcome.of else None
    qualifiers = [count or "例数未报道"] if percent else []
    if outcome.population:
        qualifiers.append(f"亚组：{outcome.population}")
    return (percent or count or "") + (f"（{'，'.join(qualifiers)}）" if qualifiers else "")


def category_names(studies: list[Study]) -> list[str]:
    """A chart's row labels: the products, or the studies' titles where two share a product."""
    products = [study.product for study in studies]
    return [study.product if products.count(study.product) == 1 else study.title for study in studies]


@dataclass
class Measure:
    """One measure the studies report, as one panel: its studies, its bars and what the caption and
    the text alternative say of it."""
    name: str  # what is measured, in which unit, as the caption's title says it
    studies: list[Study]
    panel: Panel
    caption: str  # what is drawn, of whom, how: the figure's caption
    alt: str  # every figure in words


def rate_measure(studies: list[Study]) -> Measure | None:
    """The studies' headline rates on a 0-100% scale, each with its n/N and subgroup; only
    proportions of patients (a duration or a status is no rate: it stays in the table)."""
    charted = [study for study in studies if rate_of(headline_outcome(study)) is not None]
    if len(charted) < FEWEST_CHARTED:
        return None
    outcomes = [headline_outcome(study) for study in charted]
    names = category_names(charted)
    labels = [rate_label(outcome) for outcome in outcomes]
    measures = [outcome.name + (f"（{outcome.timepoint}）" if outcome.timepoint else "") for outcome in outcomes]
    if len(set(measures)) == 1:
        which = f"主要疗效均为{measures[0]}；研究间并列，非头对头比较"
    else:
        which = "各研究主要疗效的指标不同，不宜相互比较：" + "；".join(
            f"{name}为{measure}" for name, measure in zip(names, measures))
    counted = [label for outcome, label in zip(outcomes, labels) if outcome.value is None or outcome.unit != "%"]
    left_out = category_names([study for study in studies if study not in charted])
    caption = (f"{which}。"
               + (f"{'、'.join(counted)} 按例数之比作条（编者计算，原文未给百分比）。" if counted else "")
               + precision_note([o.value for o in outcomes if o.value is not None and o.unit == "%"], "百分比")
               + (f"{'、'.join(left_out)}的主要疗效不是患者比例，未作条，见上表。" if left_out else ""))
    alt = "患者比例，刻度 0–100%：" + "；".join(
        f"{name} {outcome.name} {label}" for name, outcome, label in zip(names, outcomes, labels))
    bars = [Bar(rate_of(outcome), label) for outcome, label in zip(outcomes, labels)]
    return Measure("主要疗效的患者比例（%）", charted, Panel("患者比例（%）", bars, maximum=100), caption, alt)


def follow_up_measures(studies: list[Study]) -> list[Measure]:
    """The follow-up, one measure per kind (median, longest) and unit that enough studies report: on
    an axis in the unit the source states (18 years stay 18 years, never 216 months: issue 24)."""
    groups: dict[tuple[str, str], list[tuple[Study, Decimal | int]]] = {}
    for study in studies:
        for kind in FOLLOW_UP_KINDS:
            figure = getattr(study.follow_up, kind) if study.follow_up else None
            if figure is not None:
                groups.setdefault((kind, study.follow_up.unit), []).append((study, figure))
    measures = []
    for (kind, unit), pairs in groups.items():
        if len(pairs) < FEWEST_CHARTED:
            continue
        charted = [study for study, _ in pairs]
        what = f"{FOLLOW_UP_KINDS[kind]}随访（{AXIS_UNITS[unit]}）"
        labels = [f"{number(figure)} {UNIT_WORDS[unit]}" for _, figure in pairs]
        left_out = category_names([study for study in studies if study not in charted])
        caption = (precision_note([figure for _, figure in pairs], "随访时长")
                   + (f"{'、'.join(left_out)}未以{AXIS_UNITS[unit]}报告{FOLLOW_UP_KINDS[kind]}随访，见上表。"
                      if left_out else ""))
        alt = f"{what}：" + "；".join(f"{name} {label}" for name, label in zip(category_names(charted), labels))
        bars = [Bar(float(figure), label) for (_, figure), label in zip(pairs, labels)]
        measures.append(Measure(what, charted, Panel(what, bars), caption, alt))
    return measures


def study_charts(table_name: str, studies: list[Study], width: float, font_size: float, lang: str) -> list[Chart]:
    """The handout's figures: the headline rates, then the follow-up, each measure on its own axis.
    Measures of the very same studies share a figure as panels side by side (each with its scale,
    so that a figure costs a row's height, not two: a handout has two pages); any other stands in
    its own. The sizes are not charted: the table gives them, and each rate carries its own n/N."""
    rates = rate_measure(studies)
    measures = ([rates] if rates else []) + follow_up_measures(studies)
    figures: list[list[Measure]] = []
    for measure in measures:
        if figures and figures[-1][0].studies == measure.studies:
            figures[-1].append(measure)
        else:
            figures.append([measure])
    charts = []
    for figure in figures:
        names = category_names(figure[0].studies)
        title = f"{table_name}各研究" + "与".join(measure.name for measure in figure)
        alt = f"条形图：{title}。" + "。".join(measure.alt for measure in figure) + "。"
        caption = f"{title}。" + "".join(measure.caption for measure in figure) + "数值取自上表。"
        svg = bar_chart_svg(names, [measure.panel for measure in figure], width, title=title, description=alt,
                            lang=lang, font_size=font_size)
        charts.append(Chart(svg_data_url(svg), alt, caption))
    return charts


def handout_row(study: Study, references: References) -> HandoutRow:
    return HandoutRow(
        title=study.title,
        product=study.product,
        design=f"分期：{PHASE_LABELS[study.phase].removeprefix('分期')}；{STUDY_TYPE_LABELS[study.design.study_type]}",
        population=study.indication,
        size=format_enrollment(study),
        efficacy=format_measurement(headline_outcome(study)),
        more_outcomes=len(study.outcomes) - 1,
        follow_up=study.follow_up.summary if study.follow_up else "未报道",
        grade_label=GRADE_LABELS[study.grade][0],
        grade_symbols=GRADE_LABELS[study.grade][1],
        cebm_level=study.cebm_level,
        registry_ids=registry_ids_marked(study),
        references=references.of_excerpts(study.excerpts),
        safety=safety_lines(study),
    )


def key_quotes(table: EvidenceFile, content: Content, references: References, limit: int) -> list[HandoutQuote]:
    """Up to ``limit`` key excerpts, taking each row's first before any row's second."""
    queues = [[(row, e) for e in row.excerpts if e.key] for row in table.table.rows]
    picked = []
    while len(picked) < limit and any(queues):
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    quotes = []
    for row, excerpt in picked:
        article = content.articles[excerpt.article]
        quotes.append(HandoutQuote(article.quotation(excerpt.text), article.lang, excerpt.note,
                                   references.number(excerpt.article), row.title))
    return quotes


def registry_url(registry_id: str) -> str | None:
    """The registry's public page for an id; ChiCTR pages are addressed by an internal number, not the id."""
    if registry_id.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{registry_id}"
    if registry_id[:4].isdigit():  # EU CT number
        return f"https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={registry_id}"
    return None


def source_links(table: EvidenceFile, content: Content, references: References, qr_size: float
                 ) -> tuple[list[SourceLink], list[str]]:
    """Every source a reader can open, each with a QR code; and the ones with no address.

    A paper's DOI or a registry id gets a code only when it is checked: it occurs in the row's
    articles, or is declared as supplied by the editors (then its label carries ‡). A code sends a
    reader to a record as if the source had named it.
    """
    links: list[SourceLink] = []
    unlinked: list[str] = []
    seen: set[str] = set()
    texts = article_texts(content.articles)

    def add(kind: str, label: Markup | str, url: str, lang: str = "zh-Hans", number_: int | None = None) -> None:
        if url not in seen:
            seen.add(url)
            links.append(SourceLink(kind, label, url, svg_data_url(qr_svg(url, qr_size)), lang, number_))

    for article_id in references.order:
        article = content.articles[article_id]
        label = source_label(article)  # outlet and date: the headline is the briefing's reference list's
        if article.url:
            add("文章", label, article.url, article.lang, references.order.index(article_id) + 1)
        else:
            unlinked.append(f"[{references.order.index(article_id) + 1}] {label}（网址未提供）")
    for row in table.table.rows:
        doi, registry_ids = checked_links(row, texts)
        if doi:
            year = f", {row.source.published.year}" if row.source.published else ""
            # The address under it is the DOI's (https://doi.org/...): the label does not repeat it.
            mark = SUPPLIED_MARK if declaration(row.source, "doi", doi) else Markup("")
            add("论文", escape(f"{row.source.journal}{year}") + mark, "https://doi.org/" + quote(doi, safe="/:;()._-<>"))
        for registry_id in registry_ids:
            url = registry_url(registry_id)
            label = "试验注册 " + fact(row.source, "registry_ids", registry_id)
            if url:
                add("注册", label, url)
            else:
                unlinked.append(label + "（中国临床试验注册中心 chictr.org.cn 检索）")
    return links, unlinked


def handout_context(content: Content, table: EvidenceFile, paper: Paper, marks: bool, build_date: dt.date) -> dict:
    """Everything the handout says: the same at every density (see ``density_context``)."""
    info, overview = table.table.therapy_class, table.table.overview
    references = References(content.articles)
    rows = [handout_row(study, references) for study in table.table.studies]
    landscape = None
    if table.table.landscape:
        land = table.table.landscape
        summary = marked_text(land.summary, land.own_figures)
        landscape = HandoutLandscape(land.title, summary, f"数据来源：{land.data_source}；数据截至 {land.data_cutoff.chinese()}",
                                     references.of_excerpts(land.excerpts),
                                     [entry.reason for entry in land.own_figures if entry.figure in land.summary])
    quotes = key_quotes(table, content, references, KEY_QUOTES)
    links, unlinked = source_links(table, content, references, qr_size=20 * MM)
    return {
        "title": f"{info.name}证据速览",
        "scope": info.name,
        "organisation": content.settings.organisation,
        "keywords": ", ".join([info.name_en, info.name, "证据速览", "handout"]),
        "created": f"{build_date.isoformat()}T00:00:00+00:00",
        "version": __version__,
        "build_date_text": chinese_date(build_date),
        "build_date": build_date.isoformat(),
        **dating(content),
        "class_name": info.name,
        "class_name_en": info.name_en,
        "key_message": marked_text(overview.key_message or overview.status.split("。")[0] + "。", overview.own_figures),
        "key_message_notes": [entry.reason for entry in overview.own_figures
                              if entry.figure in (overview.key_message or overview.status)],
        "rows": rows,
        "landscape": landscape,
        "quotes": quotes,
        "links": links,
        "unlinked": unlinked,
        # ‡ stands in the rows or the sources: the handout says what it means
        "supplied": any(row.source and row.source.supplied for row in table.table.rows),
        "paper": paper,
        "marks": marks,
        "bleed": BLEED_MM,
        "glossary": content.glossary,  # abbreviations expanded at their first use, as in the briefing
    }


def density_context(content: Content, table: EvidenceFile, paper: Paper, density: Density,
                    two_pages: bool = False) -> dict:
    """What changes with the layout: the density's class, the charts drawn in its type size, and
    whether the quotations start a second page (``two_pages``: see lay_out)."""
    try:
        charts = study_charts(table.table.therapy_class.name, table.table.studies, paper.content_width,
                              density.chart_font, "zh-Hans")
    except ValueError as error:  # texts too long for the paper's width, which only the rows can change
        raise ReportError(Problem(Location(table.path.relative_to(content.project.root).as_posix()),
                                  f"the studies' chart does not fit on {paper.name}: {error}")) from None
    return {"density": density.name, "charts": charts, "two_pages": two_pages}


def only_the_disclaimer(page, paper: Paper) -> bool:
    """Whether a laid-out page starts with the disclaimer, the handout's last block (kept whole)."""
    position = page.anchors.get("disclaimer")
    return position is not None and position[1] < (paper.margin + 4) * 96 / 25.4  # CSS px from the top


def lay_out(project: Project, content: Content, table: EvidenceFile, options: HandoutOptions, paper: Paper,
            stylesheets: list[tuple[Path, str]], fetcher):
    """The handout (a WeasyPrint document) at the roomiest density that fits on two pages, and its context."""
    from reports.render.pdf import render_pdf

    context = handout_context(content, table, paper, options.marks, options.build_date)

    def render(density: Density, two_pages: bool = False):
        dense_context = {**context, **density_context(content, table, paper, density, two_pages)}
        html = document_html(project, dense_context, TEMPLATE)
        return render_pdf(html, project.template_dirs[0], stylesheets, fetcher), dense_context

    for index, density in enumerate(DENSITIES):
        document, dense_context = render(density)
        if len(document.pages) > MAX_PAGES:
            continue
        if len(document.pages) == 2 and only_the_disclaimer(document.pages[1], paper):
            # A second page with nothing but the disclaimer (Letter is 18 mm shorter than A4) is
            # a sheet wasted: denser type that fits on one page, as on A4, reads better.
            for denser in DENSITIES[index + 1:]:
                one_page = render(denser)
                if len(one_page[0].pages) == 1:
                    return one_page
        if len(document.pages) == 2:
            # Two pages: the quotations start the second, so that it is a section of its own
            # (quotations, sources, disclaimer) rather than the sources' overflow under an empty page.
            balanced = render(density, two_pages=True)
            if len(balanced[0].pages) == 2:
                return balanced
        return document, dense_context
    raise ReportError(Problem(
        Location(table.path.relative_to(project.root).as_posix()),
        f"the handout for {table.table.therapy_class.name} needs {len(document.pages)} pages on {paper.name} "
        f"even in its smallest type; a handout has at most {MAX_PAGES}: use a larger paper (--paper a4) "
        "or shorten the rows' texts (key_message, outcomes' names, adverse events' summaries)",
    ))


def handout_path(project: Project, class_id: str, options: HandoutOptions, several: bool) -> Path:
    name = f"{class_id}-{options.paper}{'-marks' if options.marks else ''}.pdf"
    if options.output is None:
        return (project.build / "handouts" / name).absolute()
    return (options.output / name if several else options.output).absolute()


@dataclass
class HandoutsResult:
    handouts: list[BuildResult]  # one per class, in the briefing's order
    warnings: list[Problem]  # about the seeds and the rendering: the same for every handout


@dataclass
class LaidOut:
    """Every requested handout laid out, nothing written yet."""

    project: Project
    tables: list[EvidenceFile]
    documents: list  # WeasyPrint documents, one per table
    contexts: list[dict]  # the context each was laid out from, at its density
    stylesheets: list[tuple[Path, str]]
    warnings: list[Problem]


def lay_out_handouts(project_dir: Path | str, classes: list[str] | None, options: HandoutOptions) -> LaidOut:
    if options.paper not in PAPERS:
        raise ReportError(f"unknown paper '{options.paper}'; choose one of {', '.join(PAPERS)}")
    paper = PAPERS[options.paper]
    project = Project.at(project_dir)
    content = load_content(project, classes)
    check_issue_date(content, IssueDate(options.build_date, options.date_from))
    # WeasyPrint (about half a second to load) only once the seeds are known to be good.
    from reports.render.pdf import ProjectURLFetcher

    fetcher = ProjectURLFetcher(project.readable_roots)
    stylesheets = read_stylesheets(project.style_dirs, STYLESHEET)
    laid_out = [lay_out(project, content, table, options, paper, stylesheets, fetcher)
                for table in content.tables]
    return LaidOut(project, content.tables, [document for document, _ in laid_out],
                   [context for _, context in laid_out], stylesheets, build_warnings(content, fetcher))


def render_handout(project_dir: Path | str, class_id: str, options: HandoutOptions) -> Rendered:
    """One class's handout rendered in memory; writes nothing."""
    laid_out = lay_out_handouts(project_dir, [class_id], options)
    document = laid_out.documents[0]
    return Rendered(document.write_pdf(), len(document.pages), laid_out.warnings)


def preview_handout(project_dir: Path | str, class_id: str, options: HandoutOptions) -> str:
    """The handout's HTML with its styles inline, at the density its PDF is laid out in."""
    laid_out = lay_out_handouts(project_dir, [class_id], options)
    return document_html(laid_out.project, laid_out.contexts[0], TEMPLATE, inline_css(laid_out.stylesheets))


def build_handouts(project_dir: Path | str, classes: list[str] | None, options: HandoutOptions) -> HandoutsResult:
    """One handout per class (every class when ``classes`` is None): all laid out, then all written."""
    laid_out = lay_out_handouts(project_dir, classes, options)

    several = classes is None or len(classes) > 1
    paths = [handout_path(laid_out.project, table.table.therapy_class.id, options, several) for table in laid_out.tables]
    pdfs = [document.write_pdf() for document in laid_out.documents]
    if not pdfs:
        return HandoutsResult([], laid_out.warnings)
    try:
        if several:  # one folder: all the handouts at once or none, as a batch (reports.files.write_folder)
            write_folder(paths[0].parent, {path.name: pdf for path, pdf in zip(paths, pdfs)})
        else:
            write_atomically(paths[0], pdfs[0])
    except OSError as error:
        where = error.filename or (paths[0].parent if several else paths[0])
        unchanged = "; nothing there has changed" if several else ""
        raise ReportError(f"{where}: cannot write the handout{'s' if several else ''}: {error.strerror}{unchanged}; "
                          "choose another place with -o") from None
    results = [BuildResult(path, None, len(document.pages), []) for path, document in zip(paths, laid_out.documents)]
    return HandoutsResult(results, laid_out.warnings)
