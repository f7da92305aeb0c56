"""Handouts: one therapy class on at most two printed pages, each figure traceable to its source.

The same read-and-verify phase as the briefing (``load_content``), then this module's own
context, ``handout.html`` and ``handout.css``. A handout that does not fit on two pages is laid
out again in smaller type (never under 8 pt), the content unchanged, so that every paper says the
same; one that still does not fit is an error. Every requested handout is laid out before the first is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from reports import __version__
from reports.content.verify.bibliography import article_texts, checked_links, declaration
from reports.content.evidence import EvidenceFile
from reports.content.load import Content, load_content
from reports.content.model import FollowUp, Measurement, Study
from reports.content.project import Project
from reports.documents.base import (
    BuildResult,
    Rendered,
    build_warnings,
    document_html,
    inline_css,
)
from reports.errors import Location, Problem, ReportError
from reports.files import write_atomically
from reports import names
from reports.render.context import (
    BOUND_PREFIX,
    GRADE_LABELS,
    MM,
    PHASE_LABELS,
    STUDY_TYPE_LABELS,
    SUPPLIED_MARK,
    Chart,
    References,
    certainty_text,
    chinese_date,
    dating,
    fact,
    format_enrollment,
    format_measurement,
    marked_text,
    number,
    registry_ids_marked,
    safety_lines,
    source_label,
    svg_data_url,
)
from reports.render.findings import headline_outcome, rate_of
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
    # The date printed on it, given by the caller (the command line: --date, else SOURCE_DATE_EPOCH, else today).
    build_date: dt.date = field(kw_only=True)


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
    certainty: str
    grade_symbols: str
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


def rate_text(outcome: Measurement) -> str:
    """The rate as the source reports it (67%（6/9）, 7/19, 44%): no percentage is computed for print."""
    parts = []
    if outcome.value is not None and outcome.unit == "%":
        parts.append(f"{BOUND_PREFIX[outcome.bound]}{number(outcome.value)}%")
    if outcome.n is not None and outcome.of:
        parts.append(f"{outcome.n}/{outcome.of}")
    return f"{parts[0]}（{parts[1]}）" if len(parts) == 2 else "".join(parts)


def patients_of(study: Study) -> tuple[int | None, str]:
    enrollment = study.enrollment
    for count, word in ((enrollment.enrolled, "入组"), (enrollment.treated, "治疗"), (enrollment.evaluable, "可评估")):
        if count is not None:
            return count, f"{word} {count} 例"
    return None, "未报道"


MONTHS_PER_UNIT = {"days": 12 / 365.25, "weeks": 12 / 52.18, "months": 1, "years": 12}


UNIT_WORDS = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}


def follow_up_figure(follow_up: FollowUp | None) -> tuple[float | None, str]:
    """The follow-up in months, for the bar, and its label as the source states it: 18 years is drawn
    as 216 months but labelled "最长 18 年" (issue 22: 216 个月 is no figure of the source; the panel is
    "随访", the caption says the bars are drawn in months). Without a figure, not "未报道" when the table
    says more (发表时距末次治疗 19 个月): that it has no length, and to see the table."""
    if follow_up is None:
        return None, "未报道"
    for figure, word in ((follow_up.longest, "最长"), (follow_up.median, "中位")):
        if figure is not None:
            months = float(figure) * MONTHS_PER_UNIT[follow_up.unit]
            return months, f"{word} {number(figure)} {UNIT_WORDS[follow_up.unit]}"
    return None, "总时长未报道"


def efficacy_figure(outcome: Measurement) -> tuple[float | None, str]:
    """The headline outcome on the percent axis, and its text.

    A rate is drawn as a percentage; a count (7/19) is drawn at its proportion and printed as the
    count (the caption says so). The text names the subgroup a figure is of, and its size or that
    it is not reported: 44% beside "治疗 14 例" must not read as 44% of the 14 (issue 16). Any
    other outcome (a duration, a status) has no bar, only its figure as the table gives it (19
    个月); the caption names it, so that a row of the chart stays one line on A5.
    """
    rate = rate_of(outcome)
    if rate is None:
        if outcome.value is None:
            return None, "无数值，见上表"
        unit = outcome.unit or ""
        spacer = "" if unit in ("%", "") or not unit[0].isascii() else " "
        return None, f"{BOUND_PREFIX[outcome.bound]}{number(outcome.value)}{spacer}{unit}（非率）"
    text = rate_text(outcome)
    if outcome.population:  # the caption names the subgroup
        percent = f"{BOUND_PREFIX[outcome.bound]}{number(outcome.value)}%" if outcome.value is not None else ""
        count = f"{outcome.n}/{outcome.of}" if outcome.n is not None and outcome.of else ""
        size = count if outcome.of is not None else "例数未报道"
        text = f"{percent or count}（亚组，{size}）" if percent else f"{count}（亚组）"
    return rate, text


def study_chart(table_name: str, studies: list[Study], width: float, font_size: float, lang: str) -> Chart:
    """The studies side by side: patients, the headline rate and the follow-up, from the table."""
    sizes, rates, follow_ups, described, measures, counted = [], [], [], [], [], []
    unrated = False
    for study in studies:
        count, count_text = patients_of(study)
        outcome = headline_outcome(study)
        rate, efficacy_text = efficacy_figure(outcome)
        months, follow_text = follow_up_figure(study.follow_up)
        sizes.append(Bar(count, count_text))
        rates.append(Bar(rate, efficacy_text))
        follow_ups.append(Bar(months, follow_text))
        measures.append(f"{study.product}为{outcome.name}" + (f"，亚组为{outcome.population}" if outcome.population else ""))
        if rate is None:
            unrated = True
        elif not (outcome.value is not None and outcome.unit == "%"):
            counted.append(efficacy_text.split("（")[0])
        efficacy = f"{outcome.name} {efficacy_text}"
        described.append(f"{study.product}：{count_text}；{efficacy}；随访 {follow_text}")
    panels = [Panel("样本量（例）", sizes), Panel("主要疗效（%）", rates, maximum=100), Panel("随访", follow_ups)]
    caption = (f"{table_name}各研究的样本量、主要疗效与随访。" + (f"主要疗效指标：{'；'.join(measures)}。" if measures else "")
               + (f"只报告例数的疗效（{'、'.join(counted)}）按其比例作条，标注原文例数。" if counted else "")
               + ("非率的疗效不作条。" if unrated else "") + "数值取自上表，随访按原文单位标注、按月作条。")
    alt = f"条形图：{table_name}各研究对比。" + "。".join(described) + "。"
    svg = bar_chart_svg([study.product for study in studies], panels, width, title=f"{table_name}研究对比",
                        description=alt, lang=lang, font_size=font_size)
    return Chart(svg_data_url(svg), alt, caption)


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
        certainty=certainty_text(study),
        grade_symbols=GRADE_LABELS[study.grade][1],
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
    """What changes with the layout: the density's class, the chart drawn in its type size, and
    whether the quotations start a second page (``two_pages``: see lay_out)."""
    chart = None
    if table.table.studies:
        try:
            chart = study_chart(table.table.therapy_class.name, table.table.studies, paper.content_width,
                                density.chart_font, "zh-Hans")
        except ValueError as error:  # texts too long for the paper's width, which only the rows can change
            raise ReportError(Problem(Location(table.path.relative_to(content.project.root).as_posix()),
                                      f"the studies' chart does not fit on {paper.name}: {error}")) from None
    return {"density": density.name, "chart": chart, "two_pages": two_pages}


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
    results = []
    for table, document in zip(laid_out.tables, laid_out.documents):
        path = handout_path(laid_out.project, table.table.therapy_class.id, options, several)
        try:
            write_atomically(path, document.write_pdf())
        except OSError as error:
            raise ReportError(f"{error.filename or path}: cannot write the handout: {error.strerror}; "
                              "choose another place with -o") from None
        results.append(BuildResult(path, None, len(document.pages), []))
    return HandoutsResult(results, laid_out.warnings)
