"""The data model: the article index, the evidence tables and what the readers make of them.

The schema is declarative (pydantic v2): each field's type, default, constraints and a one-line
description live here and nowhere else. Pydantic was chosen over dataclasses because it validates
the whole document in one pass and reports *every* error with its path (``studies.0.phase``),
which ``reports.evidence`` maps back to YAML line and column; dataclasses would need all of that
written by hand.

Vocabularies follow the field's own where they exist, so rows can later be filled from
registries: phases as in FHIR ResearchStudy.phase / ClinicalTrials.gov, design terms as in
ClinicalTrials.gov (allocation, intervention model, masking), adverse-event grading with its
system and version (ASTCT 2019 consensus for CRS/ICANS, CTCAE v5.0 for others), evidence levels
as Oxford CEBM 2011 and certainty as GRADE.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from reports.errors import FieldError
from reports.names import ID_MAX, ID_PATTERN, Script, is_id

# ---------------------------------------------------------------------------------------------
# Small value types with their own messages (the message says how to fix it).

NCT_RE = re.compile(r"^NCT\d{8}$")
CHICTR_RE = re.compile(r"^ChiCTR-?[A-Z]{0,3}-?\d{6,12}$")
EUCT_RE = re.compile(r"^\d{4}-\d{6}-\d{2}(-\d{2})?$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:")
URL_RE = re.compile(r"^https?://\S+$")


def _check_id(value: str) -> str:
    if not is_id(value):
        raise ValueError(
            f"'{value}' is not a valid id; use at most {ID_MAX} lower-case letters, digits and hyphens "
            "(like ct-0508-phase-1)"
        )
    return value


def _check_registry_id(value: str) -> str:
    if NCT_RE.match(value) or CHICTR_RE.match(value) or EUCT_RE.match(value):
        return value
    raise ValueError(
        f"'{value}' is not a registry id; write ClinicalTrials.gov ids as NCT followed by 8 digits "
        "(NCT06010472), or a ChiCTR / EU CT number"
    )


def _check_doi(value: str) -> str:
    value = value.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    if not DOI_RE.match(value):
        raise ValueError(f"'{value}' is not a DOI; a DOI looks like 10.1038/s41467-020-17175-8")
    return value


def _any_case(text: str) -> str:
    """A JSON Schema pattern (ECMA 262, which has no flags) for ``text`` in any case: doi: -> [Dd][Oo][Ii]:."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in text)


# What the validators below accept, as patterns for the JSON Schemas of the seed files (reports
# schema): an editor underlines a malformed id as it is typed. The validators stay the judges, with
# their own messages; the patterns only repeat them (tests/content/test_schema.py tries both).
ID_JSON = {"type": "string", "pattern": f"^{ID_PATTERN}$",
           "description": f"an id: at most {ID_MAX} lower-case letters, digits and hyphens"}
REGISTRY_ID_JSON = {"type": "string",
                    "pattern": r"^(?:NCT\d{8}|ChiCTR-?[A-Z]{0,3}-?\d{6,12}|\d{4}-\d{6}-\d{2}(?:-\d{2})?)$",
                    "description": "a registry id: NCT and 8 digits, a ChiCTR number or an EU CT number"}
DOI_JSON = {"type": "string",
            # the prefixes are taken off in their order, each at most once
            "pattern": rf"^\s*{''.join(f'(?:{_any_case(prefix)})?' for prefix in DOI_PREFIXES)}10\.\d{{4,9}}/\S+\s*$",
            "description": "a DOI, like 10.1038/s41467-020-17175-8 (https://doi.org/ or doi: before it is taken off)"}
URL_JSON = {"type": "string", "pattern": URL_RE.pattern, "description": "a web address: https://..."}

Id = Annotated[str, AfterValidator(_check_id), WithJsonSchema(ID_JSON)]
RegistryId = Annotated[str, AfterValidator(_check_registry_id), WithJsonSchema(REGISTRY_ID_JSON)]
Doi = Annotated[str, AfterValidator(_check_doi), WithJsonSchema(DOI_JSON)]
WebAddress = Annotated[str, WithJsonSchema(URL_JSON)]
Count = Annotated[int, Field(ge=1, description="a number of people or trials, at least 1")]
Count0 = Annotated[int, Field(ge=0)]
# Figures are Decimals, so that they print as the source wrote them (9.60%, not 9.6%).
Figure = Decimal
Percent = Annotated[Decimal, Field(ge=0, le=100, description="a percentage, 0 to 100")]


SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")


def without_superscripts(text: str) -> str:
    """The text as a paste that lost its superscripts has it: 10⁹ -> 109, m² -> m2."""
    return text.translate(SUPERSCRIPT_DIGITS)


class PartialDate(BaseModel):
    """A publication date known to the day, the month or only the year (ISO 8601: 2025, 2025-02, 2025-02-17)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> "PartialDate":
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(year=value.year, month=value.month, day=value.day)
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[ T]\d{2}:\d{2}(?::\d{2})?)?", text)
        if not match:
            raise ValueError(f"'{text}' is not an ISO date; write it as YYYY-MM-DD (or YYYY-MM, YYYY when the day is unknown)")
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError:
            raise ValueError(f"'{text}' is not a real date") from None
        return cls(year=year, month=month, day=day)

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def chinese(self) -> str:
        text = f"{self.year}年"
        if self.month:
            text += f"{self.month}月"
        if self.day:
            text += f"{self.day}日"
        return text


def _to_partial_date(value: object) -> PartialDate:
    return PartialDate.parse(value)


# In the schema, as written in YAML: a text (an unquoted 2025-02-17 is a date to PyYAML, a text to
# an editor's YAML 1.2), or a year alone, which YAML reads as a number.
ISO_DATE_JSON = {"anyOf": [{"type": "string", "pattern": r"^\s*\d{4}(?:-\d{2}(?:-\d{2})?)?(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\s*$"},
                           {"type": "integer", "minimum": 1000, "maximum": 9999}],
                 "description": "a date: YYYY-MM-DD, or YYYY-MM or YYYY when the day is unknown"}
IsoDate = Annotated[PartialDate, BeforeValidator(_to_partial_date), WithJsonSchema(ISO_DATE_JSON)]


def _to_day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a day; write it as YYYY-MM-DD, like 2026-11-16") from None


Day = Annotated[dt.date, BeforeValidator(_to_day)]


class YamlModel(BaseModel):
    """Base for every YAML-backed model: an unknown key is an error (``reports.sources`` says which
    known key was meant), never silently dropped with the figure it held."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def agrees_as_written(computed: Decimal, written: Decimal | int) -> bool:
    """True when ``computed`` rounds to ``written`` at the precision it is written with (94.4 is 94, not 95)."""
    written = Decimal(written)
    exponent = written.as_tuple().exponent
    half = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else Decimal("0.5")
    return abs(computed - written) <= half


def check_rate(percent: Figure | None, n: int | None, of: int | None, field: str = "value") -> None:
    """A percentage given with its n/of must agree with them within the source's rounding (17/18 is 94%);
    reported at the percentage (``field``)."""
    if percent is None or n is None or not of:
        return
    computed = Decimal(n) * 100 / Decimal(of)
    if not agrees_as_written(computed, percent):
        raise FieldError(
            (field,), f"{percent}% does not agree with {n}/{of} = {computed:.1f}%; correct the percentage or the counts, "
            "as the source gives them"
        )


def check_denominator(n: int | None, of: int | None, name: str = "n") -> None:
    """A count is not above its denominator; reported at the count (the field ``name``)."""
    if n is not None and of is not None and n > of:
        raise FieldError(
            (name,), f"{name} ({n}) is larger than its denominator of ({of}); {name} counts the patients with the event or "
            "outcome and of those assessed: swap them or correct one"
        )


def percentage_in_range(value: Figure | None, info: ValidationInfo) -> Figure | None:
    """With ``unit: "%"`` (declared before ``value``), the value must be 0-100."""
    if value is not None and info.data.get("unit") == "%" and not 0 <= value <= 100:
        raise ValueError(f"a percentage must be between 0 and 100, got {value}; check it against the excerpt")
    return value


# ---------------------------------------------------------------------------------------------
# Facts the editors supplied from records other than the articles (issue 22): declared, never silent.


def _as_text(value: object) -> object:
    """A YAML date (2025-02-17, unquoted) as the text the curator wrote, so that it compares as one."""
    if isinstance(value, (dt.date, dt.datetime)):
        return PartialDate.parse(value).iso()
    return value


class Supplied(YamlModel):
    """A bibliographic fact the row's articles do not state, supplied by the editors from another
    record: bound to the value that was checked, so that a later edit of the field is noticed, and
    printed with ‡ and its record (reports/content/verify/bibliography.py checks it)."""

    field: Literal["journal", "title", "doi", "published", "first_author", "registry_ids"] = Field(
        description="which fact of the row: a field of source:, or registry_ids")
    value: Annotated[str, BeforeValidator(_as_text)] = Field(
        min_length=1, description="the value as checked in the record, exactly as the field gives it (for "
                                  "registry_ids: which id)")
    record: str = Field(min_length=6, description="where it was checked: the registry page, the PubMed record "
                                                  "(PMID), the journal's page (its address or number)")
    checked: Day = Field(description="the day it was checked in that record (YYYY-MM-DD)")
    by: str | None = Field(None, description="who checked it, when it is to be printed")


class SuppliedArticleFact(Supplied):
    """An article's title or date that its file does not state (articles.yaml supplied:)."""

    field: Literal["title", "published"] = Field(description="title or published")


# ---------------------------------------------------------------------------------------------
# The article index (seeds/articles.yaml): what the article files themselves lack.


class ArticleEntry(YamlModel):
    """One article file and what it does not say itself; a value given here wins over its front matter."""

    file: str = Field(description="the article's file name in seeds/articles/")
    title: str | None = Field(None, description="title; defaults to the front matter's title")
    title_supplied: bool = Field(False, description="true when the source has no title and the curator wrote one")
    published: IsoDate | None = Field(None, description="publication date; defaults to the front matter's date")
    undated_reason: str | None = Field(None, description="why there is no publication date, when there is none")
    accessed: Day | None = Field(
        None, description="the day the curator last read the article at its address (GB/T 7714 引用日期); "
                          "without it no access date is printed"
    )
    outlet: str = Field(description="the outlet that published this text (site, account, journal)")
    author: str | None = Field(None, description="the byline, when given")
    url: WebAddress | None = Field(None, description="the article's web address, when known")
    script: Script | None = Field(None, description="zh-Hans or zh-Hant; defaults to the front matter's lang")
    paragraphs: Literal["markdown", "lines"] = Field(
        "markdown", description="'lines' when every line of a plain-text paste is a paragraph"
    )
    omit_lines: list[str] = Field(default_factory=list, description="publisher boilerplate lines left out when the article is printed")
    # What the paste lost or mangled, set right in the printed full text (reports build --full-text);
    # the excerpts are still checked against the text as pasted.
    headings: list[str] = Field(
        default_factory=list,
        description="headings the paste ran into the text after them (exact text): printed as headings of their own",
    )
    absent_captions: list[str] = Field(
        default_factory=list,
        description="captions of figures or tables the paste did not keep (exact lines): left out of the printed text",
    )
    artefacts: list[str] = Field(
        default_factory=list,
        description="text the paste put in that is not the author's (a stray word of the scraper, e.g. bails): "
                    "left out where the article is printed, never a number",
    )
    superscripts: list[str] = Field(
        default_factory=list,
        description="figures whose superscripts the paste lost, written as they should read (0.75×10⁹, mg/m²): "
                    "the pasted form (0.75×109, mg/m2) prints as written here, in quotations too",
    )

    @field_validator("artefacts")
    @classmethod
    def _artefacts_hold_no_figure(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.strip():
                raise ValueError("an empty artefact; write the stray text exactly as the paste has it")
            if re.search(r"\d", item):
                raise ValueError(f"'{item}' has a digit; a figure is never an artefact")
        return value

    @field_validator("superscripts")
    @classmethod
    def _superscripts_written(cls, value: list[str]) -> list[str]:
        for item in value:
            if item == without_superscripts(item):
                raise ValueError(f"'{item}' has no superscript; write it as it should read, e.g. 0.75×10⁹ or mg/m²")
            if not re.search(r"[^\d.,·\s⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]", item):
                # "10⁹" alone would print every other 109 of the article as 10⁹ too
                raise ValueError(f"'{item}' is a number alone; write it with what stands beside it in the text "
                                 "(×10⁹, 0.75×10⁹, mg/m²), so that no other number of the article changes")
        return value
    supplied: list[SuppliedArticleFact] = Field(
        default_factory=list, description="the title or published date when the article's file does not state "
                                          "it, each with the record it was checked in (printed with ‡)")
    original_outlet: str | None = Field(None, description="for reposted news: the original outlet")
    original_title: str | None = Field(None, description="for reposted news: the original title")
    original_author: str | None = Field(None, description="for reposted news: the original author")

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not URL_RE.match(value):
            raise ValueError(f"'{value}' is not a web address; write it as https://...")
        return value


class ArticleIndex(YamlModel):
    """seeds/articles.yaml: one entry per article file of seeds/articles/."""

    articles: list[ArticleEntry]


# ---------------------------------------------------------------------------------------------
# The evidence tables (seeds/evidence/<class>.yaml).


class Excerpt(YamlModel):
    """A verbatim quotation from a source article; checked against the article at build time."""

    id: Id = Field(description="unique across the project; fields of the row refer to it")
    article: str = Field(description="the article's id (its file name without extension)")
    text: str = Field(min_length=4, description="the exact words of the article (whitespace may differ)")
    key: bool = Field(False, description="true to quote it in the briefing's key excerpts")
    note: str | None = Field(None, description="an editor's note shown with the quotation (typos in the source, context)")


class Backed(YamlModel):
    """A part of a row that states figures: each of its numbers must appear in one of its excerpts."""

    excerpts: list[str] = Field(min_length=1, description="ids of the row's excerpts that state these figures")


class OwnFigure(YamlModel):
    """A number in the curator's prose that no excerpt states, declared with the reason it is there."""

    figure: str = Field(min_length=1, description="the figure exactly as printed in the text, e.g. 2017 年")
    reason: str = Field(min_length=2, description="where it comes from; printed with the mark in the briefing")


def own_figure_spans(text: str, own: list[OwnFigure]) -> list[tuple[int, int]]:
    """Where the curator's own figures stand in a text, (start, end) in order: what check exempts
    and what the briefing marks with †."""
    spans = []
    for entry in own:
        start = text.find(entry.figure)
        while start >= 0:
            spans.append((start, start + len(entry.figure)))
            start = text.find(entry.figure, start + 1)
    return sorted(spans)


class Interval(YamlModel):
    lower: Figure
    upper: Figure
    level: Percent | None = Field(None, description="confidence level, e.g. 95 (for a CI)")

    @model_validator(mode="after")
    def _ordered(self) -> "Interval":
        if self.lower > self.upper:
            raise FieldError(("lower",), f"lower bound {self.lower} is above upper bound {self.upper}; swap them")
        return self


class Measurement(Backed):
    """One reported figure: an efficacy outcome or a baseline characteristic."""

    name: str = Field(description="what was measured, e.g. 疾病稳定（SD）")
    measure: Literal["proportion", "count", "median", "mean", "duration", "time-to-event", "status"] = Field(
        description="the kind of figure"
    )
    unit: str | None = Field(None, description="'%' for percentages, otherwise 月 / 年 / 例 / 岁 ...")
    value: Figure | None = Field(None, description="the figure; a percentage is 0-100")
    n: Count0 | None = Field(None, description="patients with the outcome (numerator)")
    of: Count | None = Field(None, description="patients assessed (denominator)")
    ci: Interval | None = Field(None, description="confidence interval, when given")
    iqr: Interval | None = Field(None, description="interquartile range, when given")
    bound: Literal["exact", "more-than", "at-least", "up-to", "about"] = Field(
        "exact", description="how the source qualifies the figure (超过 / 至少 / 长达 / 约)"
    )
    timepoint: str | None = Field(None, description="when it was assessed, e.g. 治疗后 8 周")
    population: str | None = Field(None, description="the subgroup, when not everyone")
    result: str | None = Field(None, description="a statement, for outcomes without a single figure")
    quoted_as: list[str] = Field(default_factory=list, description="how the excerpts name this outcome, when not by its name")
    headline: bool = Field(False, description="true on the study's main efficacy outcome: the one handouts chart")

    _percent_range = field_validator("value")(percentage_in_range)

    @model_validator(mode="after")
    def _has_content(self) -> "Measurement":
        if self.value is None and self.n is None and not self.result:
            raise ValueError("give a value, n/of, or a result statement")
        check_denominator(self.n, self.of)
        if self.unit == "%":
            check_rate(self.value, self.n, self.of)
        return self


class Grading(YamlModel):
    system: Literal["ASTCT", "CTCAE", "not-reported"] = Field(description="ASTCT consensus or NCI CTCAE")
    version: str | None = Field(None, description="2019 for ASTCT, 5.0 for CTCAE")

    @model_validator(mode="after")
    def _version_given(self) -> "Grading":
        if self.system != "not-reported" and not self.version:
            raise FieldError(("system",), f"give the {self.system} version (ASTCT: 2019; CTCAE: 5.0)")
        return self


class AdverseEvent(Backed):
    term: str = Field(description="the event, e.g. 细胞因子释放综合征（CRS）")
    kind: Literal["crs", "icans", "neurotoxicity", "dlt", "secondary-malignancy", "infection", "other"]
    grading: Grading
    patients: Count0 | None = Field(None, description="patients with the event, any grade")
    of: Count | None = Field(None, description="patients assessed")
    percent: Percent | None = None
    max_grade: Annotated[int, Field(ge=1, le=5)] | None = Field(None, description="highest grade seen")
    grade_3_plus: Count0 | None = Field(None, description="patients with grade 3 or higher")
    summary: str = Field(description="one line for the table, e.g. 1–2 级，无 3 级及以上")
    quoted_as: list[str] = Field(default_factory=list, description="how the excerpts name this event, when not by its term")

    @model_validator(mode="after")
    def _counts_agree(self) -> "AdverseEvent":
        check_denominator(self.patients, self.of, "patients")
        check_denominator(self.grade_3_plus, self.of, "grade_3_plus")
        if self.grade_3_plus is not None and self.patients is not None and self.grade_3_plus > self.patients:
            raise FieldError(("grade_3_plus",), f"grade_3_plus ({self.grade_3_plus}) is larger than patients ({self.patients}); "
                             "patients counts every grade")
        check_rate(self.percent, self.patients, self.of, "percent")
        return self


class Enrollment(Backed):
    enrolled: Count | None = Field(None, description="participants enrolled")
    treated: Count | None = Field(None, description="participants who received the product")
    evaluable: Count | None = Field(None, description="participants evaluable for the efficacy outcomes")

    @model_validator(mode="after")
    def _one_given(self) -> "Enrollment":
        if self.enrolled is None and self.treated is None and self.evaluable is None:
            raise ValueError("give at least one of enrolled, treated, evaluable")
        return self


class FollowUp(Backed):
    median: Figure | None = Field(None, ge=0)
    longest: Figure | None = Field(None, ge=0)
    unit: Literal["days", "weeks", "months", "years"]
    summary: str = Field(description="one line for the table")


class Source(YamlModel):
    """The journal paper a row's articles report: each fact occurs in one of the row's articles, or
    is declared under supplied (reports check, reports/content/verify/bibliography.py)."""

    journal: str = Field(description="the journal, as the paper gives it (The Lancet, Nature Medicine)")
    journal_zh: str | None = Field(
        None, description="the journal's name as the Chinese article writes it (《柳叶刀》), when it is not in "
                          "reports/content/citations.py's list; must occur in the row's article")
    title: str | None = Field(None, description="the paper's title")
    doi: Doi | None = None
    published: IsoDate | None = Field(None, description="the paper's publication date")
    first_author: str | None = None
    supplied: list[Supplied] = Field(
        default_factory=list, description="facts of this source (and the row's registry_ids) that the row's "
                                          "articles do not state, each with the record it was checked in")


class Design(YamlModel):
    study_type: Literal["interventional", "observational", "case-report", "registry-analysis"]
    allocation: Literal["randomized", "non-randomized", "na", "not-reported"] = "na"
    intervention_model: Literal["single-group", "parallel", "crossover", "sequential", "factorial", "na", "not-reported"] = "na"
    masking: Literal["none", "single", "double", "triple", "quadruple", "na", "not-reported"] = "na"
    summary: str = Field(description="the design in words, for the table")


Domain = Literal["risk-of-bias", "inconsistency", "indirectness", "imprecision", "publication-bias"]
UpDomain = Literal["large-effect", "dose-response", "plausible-confounding"]
Grade = Literal["high", "moderate", "low", "very-low"]
GRADES: tuple[Grade, ...] = ("very-low", "low", "moderate", "high")  # lowest first: a rating is an index


class RatedDown(YamlModel):
    """A GRADE reason to rate the certainty down: one of the five domains, by one or two levels."""

    domain: Domain
    levels: Literal[1, 2] = 1
    reason: str = Field(min_length=2, description="why, for this study; printed as a footnote")


class RatedUp(YamlModel):
    """A GRADE reason to rate the certainty up (GRADE's three upgrade domains, mostly for
    non-randomised evidence): a large effect by one level, a very large one by two."""

    domain: UpDomain
    levels: Literal[1, 2] = 1
    reason: str = Field(min_length=2, description="why, for this study; printed as a footnote")

    @model_validator(mode="after")
    def _two_only_for_a_very_large_effect(self) -> "RatedUp":
        if self.levels == 2 and self.domain != "large-effect":
            raise FieldError(("levels",), f"{self.domain} rates up by 1 level; only a very large effect "
                                          "(large-effect) rates up by 2")
        return self


class Certainty(YamlModel):
    """How sure the evidence is. The rating is computed (``Study.grade``, ``Study.cebm_level``) from
    the design and the steps declared here; a typed ``grade`` or ``cebm_level`` is only checked
    against it (reports check), so that no curator's word can print a rating the design does not give."""

    cebm_level: Annotated[int, Field(ge=1, le=5)] | None = Field(
        None, description="optional: the Oxford CEBM 2011 level the design gives (computed; checked when typed)")
    grade: Grade | None = Field(
        None, description="optional: the GRADE certainty the design and the steps give (computed; checked when typed)")
    rated_down: list[RatedDown] = Field(
        default_factory=list, description="GRADE domains that lower the certainty, each with its reason")
    rated_up: list[RatedUp] = Field(
        default_factory=list, description="GRADE reasons to raise it (large effect, dose-response, plausible confounding)")


# ---------------------------------------------------------------------------------------------
# The rating computed from the design: the only place that says which design rates how.

DesignKind = Literal["randomised", "controlled", "uncontrolled"]

DESIGN_RATINGS: dict[DesignKind, tuple[int, Grade, str]] = {
    "randomised": (2, "high", "randomised"),
    "controlled": (3, "low", "non-randomised, with a concurrent control"),
    "uncontrolled": (4, "low", "non-randomised, without a concurrent control"),
}
"""What each kind of design is worth: (OCEBM level, GRADE start, the design in words for messages).

OCEBM: the Oxford 2011 Levels of Evidence (OCEBM Levels of Evidence Working Group, Oxford Centre
for Evidence-Based Medicine, 2011), its rows for the treatment questions (does this intervention
help? what are its common and rare harms?): 1 a systematic review of randomised trials; 2 a
randomised trial; 3 a non-randomised controlled cohort/follow-up study; 4 case series,
case-control or historically controlled studies; 5 mechanism-based reasoning. Level 1 needs a
systematic review, which no row is. A single case report is not in the table: it is level 4 here,
a case series of one (it reports patients treated, as a series does, only fewer), not 5, which is
reasoning from mechanism without patients. An observational study is 4: the design fields record
no control group for it, and without one it is a case series.

GRADE: evidence from randomised trials starts high, any other starts low; five domains rate it down
and three rate it up, by one or two levels each (Balshem et al., GRADE guidelines 3, J Clin
Epidemiol 2011;64:401-6; Guyatt et al., GRADE guidelines 9, J Clin Epidemiol 2011;64:1311-6).
"""
CONTROLLED_MODELS = ("parallel", "crossover", "factorial")  # ClinicalTrials.gov models with concurrent arms


def design_kind(design: Design) -> DesignKind:
    """Randomised; a non-randomised interventional study with concurrent arms; or anything else
    (single-group or sequential trials, observational studies, case series and reports)."""
    if design.allocation == "randomized":
        return "randomised"
    if design.study_type == "interventional" and design.intervention_model in CONTROLLED_MODELS:
        return "controlled"
    return "uncontrolled"


def ocebm_level(design: Design) -> int:
    """The OCEBM 2011 level the design gives (see ``DESIGN_RATINGS``)."""
    return DESIGN_RATINGS[design_kind(design)][0]


def grade_of(design: Design, certainty: Certainty) -> Grade:
    """GRADE: the design's start, minus the levels rated down, plus those rated up, within very-low..high."""
    start = GRADES.index(DESIGN_RATINGS[design_kind(design)][1])
    steps = sum(step.levels for step in certainty.rated_up) - sum(step.levels for step in certainty.rated_down)
    return GRADES[max(0, min(len(GRADES) - 1, start + steps))]


class Revision(YamlModel):
    """A dated change to a row: weekly briefings list the row as changed in the week of this date."""

    date: Day = Field(description="the day the row was changed (YYYY-MM-DD)")
    note: str = Field(min_length=2, description="what changed, in one line, e.g. 随访更新至 24 个月")


class Dated(YamlModel):
    """A row's history: when it entered its evidence table and when it changed since."""

    added: Day = Field(description="the day the row entered the table (YYYY-MM-DD)")
    revisions: list[Revision] = Field(default_factory=list, description="dated changes since, oldest first")

    @model_validator(mode="after")
    def _history_in_order(self) -> "Dated":
        previous = self.added
        for index, revision in enumerate(self.revisions):
            if revision.date < previous:
                raise FieldError(
                    ("revisions", index, "date"), f"revision dated {revision.date} comes before {previous}; revisions are listed oldest first "
                    "and none is older than the row's added date"
                )
            previous = revision.date
        return self


Phase = Literal[
    "n-a", "not-reported", "early-phase-1", "phase-1", "phase-1-phase-2", "phase-2", "phase-2-phase-3", "phase-3", "phase-4"
]


class Study(Dated):
    """One row of an evidence table: a trial, case series or case report."""

    id: Id
    title: str = Field(description="short name for the row, e.g. CT-0508 首次人体 I 期试验")
    product: str
    developer: str | None = None
    targets: list[str] = Field(min_length=1)
    cell_source: Literal["autologous", "allogeneic", "not-reported"]
    indication: str
    population: str
    design: Design
    phase: Phase = Field(description="FHIR ResearchStudy / ClinicalTrials.gov phase code; not-reported when the "
                                     "sources do not state it; n-a for studies without phases (case reports ...)")
    registry_ids: list[RegistryId] = Field(
        default_factory=list, description="the trial's registrations; each in the row's articles or declared "
                                          "under source.supplied")
    intervention: str
    enrollment: Enrollment
    baseline: list[Measurement] = Field(default_factory=list)
    outcomes: list[Measurement] = Field(min_length=1)
    adverse_events: list[AdverseEvent] = Field(default_factory=list)
    safety_not_reported: str | None = Field(None, description="why there are no adverse events, when there are none")
    follow_up: FollowUp | None = None
    source: Source
    certainty: Certainty
    own_figures: list[OwnFigure] = Field(default_factory=list, description="numbers of the row's text that no excerpt states")
    excerpts: list[Excerpt] = Field(min_length=1)

    @property
    def grade(self) -> Grade:
        """The GRADE certainty computed from the design and the rated steps: the one printed."""
        return grade_of(self.design, self.certainty)

    @property
    def cebm_level(self) -> int:
        """The OCEBM 2011 level computed from the design: the one printed."""
        return ocebm_level(self.design)

    @model_validator(mode="after")
    def _phase_applies(self) -> "Study":
        if self.phase == "n-a" and self.design.study_type == "interventional":
            raise FieldError(
                ("phase",), "phase n-a (not applicable) is for studies without phases (case reports, observational studies, "
                "registry analyses); an interventional study has one: write it, or phase: not-reported when the "
                "sources do not state it"
            )
        return self

    @model_validator(mode="after")
    def _safety_stated(self) -> "Study":
        if not self.adverse_events and not self.safety_not_reported:
            raise ValueError("list adverse_events, or say in safety_not_reported why the sources give none")
        return self

    @model_validator(mode="after")
    def _one_headline(self) -> "Study":
        marked = [index for index, outcome in enumerate(self.outcomes) if outcome.headline]
        if len(marked) > 1:
            names = ", ".join(self.outcomes[index].name for index in marked)
            raise FieldError(("outcomes", marked[1], "headline"),
                             f"outcomes {names} are all marked headline: true; mark only the main one")
        return self


class LandscapeItem(Backed):
    label: str
    value: Figure | None = None
    unit: str | None = None
    n: Count0 | None = None
    of: Count | None = None
    quoted_as: list[str] = Field(default_factory=list, description="how the excerpts name this item, when not by its label")
    derived: dict[Literal["value", "n", "of"], str] = Field(
        default_factory=dict,
        description="figures the curator computed, as field: arithmetic on quoted numbers and n, of "
                    "(n: 1580 - 891 - 170; value: n / of * 100); recomputed by reports check, printed with †",
    )

    _percent_range = field_validator("value")(percentage_in_range)

    @model_validator(mode="after")
    def _counts_agree(self) -> "LandscapeItem":
        check_denominator(self.n, self.of)
        if self.unit == "%":
            check_rate(self.value, self.n, self.of)
        return self


class LandscapeSeries(YamlModel):
    id: Id
    title: str
    denominator: str = Field(description="what the percentages are of")
    items: list[LandscapeItem] = Field(min_length=1)
    chart: bool = Field(False, description="true to draw the series as a bar chart beside its table")

    @model_validator(mode="after")
    def _chartable(self) -> "LandscapeSeries":
        missing = [index for index, item in enumerate(self.items) if item.value is None]
        if self.chart and missing:
            labels = ", ".join(self.items[index].label for index in missing)
            raise FieldError(("items", missing[0]), f"chart: true needs a value for every item; {labels} has none")
        return self


class Landscape(Dated):
    """A registry-wide analysis (e.g. all registered CAR-T trials): shown as its own section."""

    id: Id
    title: str
    summary: str
    data_source: str
    data_cutoff: IsoDate
    trials: LandscapeItem
    series: list[LandscapeSeries] = Field(min_length=1)
    limitations: list[str] = Field(default_factory=list)
    source: Source | None = None
    own_figures: list[OwnFigure] = Field(default_factory=list, description="numbers of the landscape's text that no excerpt states")
    excerpts: list[Excerpt] = Field(min_length=1)


class GlossaryEntry(YamlModel):
    """An abbreviation the texts use, with what it stands for: expanded at first use and listed."""

    abbr: str = Field(min_length=2, description="the abbreviation as printed, e.g. CRS")
    zh: str = Field(min_length=1, description="the Chinese expansion, e.g. 细胞因子释放综合征")
    en: str | None = Field(None, description="the English expansion, e.g. cytokine release syndrome")
    expand: bool = Field(True, description="false for a name (a trial's) that is listed but not expanded in the text")


class Glossary(YamlModel):
    """seeds/glossary.yaml: the project's abbreviations."""

    # Each abbreviation once: checked by reports.glossary, where the second entry's line is known.
    abbreviations: list[GlossaryEntry] = Field(default_factory=list)

    def get(self, abbr: str) -> GlossaryEntry | None:
        return next((entry for entry in self.abbreviations if entry.abbr == abbr), None)


class Overview(YamlModel):
    mechanism: str = Field(description="how this class of therapy works, in two or three sentences")
    status: str = Field(description="where the field stands, in two or three sentences")
    key_message: str | None = Field(
        None, description="the one or two sentences a reader must take away: opens the class's handout"
    )
    own_figures: list[OwnFigure] = Field(
        default_factory=list, description="numbers of the overview that no excerpt of the table states, with why"
    )


class TherapyClassInfo(YamlModel):
    id: Id = Field(description="the class id; must match the file name (car-t for car-t.yaml)")
    name: str = Field(description="name in Chinese, e.g. CAR-T 细胞疗法")
    name_en: str = Field(description="name in English, e.g. CAR T-cell therapy")
    order: int = Field(100, description="position in the briefing, smaller first")


class EvidenceTable(YamlModel):
    """One therapy class: its overview, its studies and an optional landscape analysis."""

    therapy_class: TherapyClassInfo = Field(alias="class")
    overview: Overview
    studies: list[Study] = Field(default_factory=list)
    landscape: Landscape | None = None

    model_config = ConfigDict(populate_by_name=True, extra="forbid", str_strip_whitespace=True)

    @property
    def rows(self) -> list[Study | Landscape]:
        """The studies, then the landscape: every row that states figures, in briefing order."""
        return [*self.studies, *([self.landscape] if self.landscape else [])]

    @model_validator(mode="after")
    def _has_content(self) -> "EvidenceTable":
        if not self.studies and self.landscape is None:
            raise ValueError("an evidence table needs at least one study or a landscape")
        return self


# ---------------------------------------------------------------------------------------------
# Project settings (seeds/project.yaml): optional; every field has a default.


def check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file, a folder of zones
        shown = value if len(value) <= 60 else f"{value[:57]}..."
        raise ValueError(f"'{shown}' is not an IANA time zone; write it like Asia/Shanghai or Europe/Berlin") from None
    return value


def _check_crontab(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"'{value}' has {len(fields)} fields; a schedule is a crontab line of 5: minute hour day month weekday, "
            "like '0 8 * * mon' (Mondays at 08:00)"
        )
    if re.search(r"(?<![/\d])\d", fields[4]):
        # APScheduler counts weekdays from Monday = 0, cron from Sunday = 0: a number would
        # silently run on another day than the crontab line says.
        raise ValueError(
            f"'{value}': write the weekday as a name (mon, tue, wed, thu, fri, sat, sun, or a range like mon-fri), "
            "not a number: numbers mean different days in cron and in the scheduler"
        )
    try:
        CronTrigger.from_crontab(value)
    except ValueError as error:
        raise ValueError(f"'{value}' is not a valid crontab line ({error}); e.g. '0 8 * * mon'") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
Crontab = Annotated[str, AfterValidator(_check_crontab)]


# Words of praise a medical-affairs publication does not use for a therapy (simplified and traditional).
PROMOTIONAL_WORDS = (
    "治愈", "治癒", "根治", "痊愈", "痊癒", "完全康复", "完全康復", "突破", "神药", "神藥", "特效", "安全有效",
    "奇迹", "奇蹟", "革命性", "颠覆", "顛覆", "里程碑", "划时代", "劃時代", "重磅", "攻克", "福音", "希望之光",
)


class Contributor(YamlModel):
    """Someone who made the briefing, and what they did."""

    name: str = Field(min_length=1, description="a person or a team, as it is to be printed")
    role: str = Field(min_length=1, description="what they did, e.g. 证据整理, 医学审校")
    affiliation: str | None = Field(None, description="where they work, when it is to be printed")


class ProjectSettings(YamlModel):
    """What a project says about itself: titles, publisher and the people behind the briefing, its
    statements (interests, funding, how sources were chosen), time zone, schedule, file size limits."""

    title: str = Field("CAR 细胞疗法临床证据简报", description="the full briefing's title")
    subtitle: str = Field("CAR-T · CAR-NK · CAR-M", description="the line under the title")
    weekly_title: str = Field("CAR 细胞疗法证据周报", description="the weekly briefing's title")
    organisation: str = Field("CAR 细胞疗法证据简报编辑组", min_length=1,
                              description="who publishes the briefings: printed on every document, the PDF's author")
    # The apparatus a medical publication prints (issue 17); reports check warns when one is missing.
    editors: list[Contributor] = Field(
        default_factory=list, description="who compiled and checked the evidence: name and role")
    reviewers: list[Contributor] = Field(
        default_factory=list,
        description="who reviewed the briefing medically (name, role, affiliation); none: it says it was not reviewed")
    conflicts_of_interest: str | None = Field(
        None, description="the editors' and reviewers' interests in the products discussed, or that they have none")
    funding: str | None = Field(None, description="who paid for the briefing, or that no company did")
    source_selection: str | None = Field(
        None, description="how the sources were found and chosen (a search, a curator's collection ...) and what that leaves out")
    contact: str | None = Field(None, description="where readers send corrections and questions (an e-mail address, a department)")
    timezone: TimeZoneName = Field("Asia/Shanghai", description="IANA time zone of the weeks and the schedule")
    schedule: Crontab = Field("0 8 * * mon", description="when reports schedule builds the weekly briefing (crontab)")
    evidence_cutoff: Day | None = Field(
        None, description="the day the evidence was last searched; default: the publication date of the newest cited source"
    )
    claim_words: dict[str, list[str]] = Field(
        default_factory=dict,
        description="clinical words that are claims, added to the shipped lexicon (reports/content/verify/lexicon.yaml): a group "
                    "id (relapsed-refractory, randomised ... or a new one) and its words; reports check requires "
                    "each in the curator's text to be stated in an excerpt",
    )
    promotional_words: list[str] = Field(
        default_factory=lambda: list(PROMOTIONAL_WORDS),
        description="words reports check refuses (an error) in the curator's own text (key messages, overviews, "
                    "supplied titles, notes): a non-promotional briefing states results, not their value",
    )
    # At most 100 MB: larger seed files are not read even to hash them (reports/content/project.py, HASHED_BYTES).
    max_article_bytes: int = Field(
        1_000_000, ge=1, le=100_000_000,
        description="the largest article file read, in bytes; a larger one is refused unread",
    )
    max_yaml_bytes: int = Field(
        2_000_000, ge=1, le=100_000_000,
        description="the largest evidence table or seeds/articles.yaml read, in bytes; a larger one is refused unread",
    )
