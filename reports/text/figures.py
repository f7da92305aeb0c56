"""Reading figures in text: every number of a passage, with the kind of figure it states.

A figure of an evidence table is backed only by a number of the same kind in its excerpts: a
percentage by ``44%``, a count of patients by ``18例`` / ``18 名患者`` / ``n=18`` / ``17/18``, a
duration by ``19个月`` (the unit too), a grade by ``1级`` / ``grade 1``. Digits inside identifiers
(CD19, HER2, IL-15, NCT06010472, 4-1BB, CT-0508), dates (2025年2月17日), ordinals (第0天) and
scores (HER2 3+) back nothing else. The verification room uses this for the figures of a row
(``content.verify.figures``) and for the numbers in the curator's prose (``content.verify.prose``).

Written by hand: no library reads the kind of a number in Chinese and English clinical prose
(quantulum3 and similar parse English units only, and read "CD19" as the number 19).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reports.text.normal import INVISIBLE_RANGES, INVISIBLE_RE, without_invisible

# Kinds of figure. The first three never back a figure: they are not quantities.
IDENTIFIER, DATE, ORDINAL = "identifier", "date", "ordinal"
PERCENT, COUNT, TRIALS, ITEMS, AGE, GRADE, SCORE, DOSE, PLAIN = (
    "percent", "count", "trials", "items", "age", "grade", "score", "dose", "plain")
YEARS, MONTHS, WEEKS, DAYS, HOURS = ("duration:years", "duration:months", "duration:weeks", "duration:days",
                                     "duration:hours")
QUANTITIES = frozenset({PERCENT, COUNT, TRIALS, ITEMS, AGE, GRADE, SCORE, DOSE, PLAIN,
                        YEARS, MONTHS, WEEKS, DAYS, HOURS})

KIND_NAMES = {
    IDENTIFIER: "inside an identifier", DATE: "as part of a date", ORDINAL: "as an ordinal (第…)",
    PERCENT: "as a percentage", COUNT: "as a count of people", TRIALS: "as a count of trials or records",
    ITEMS: "as a count of things (个, 次, 组…)", AGE: "as an age", GRADE: "as a grade", SCORE: "as a score (3+)",
    DOSE: "as a dose or quantity", PLAIN: "as a bare number", YEARS: "as a duration in years",
    MONTHS: "as a duration in months", WEEKS: "as a duration in weeks", DAYS: "as a duration in days",
    HOURS: "as a duration in hours",
}

# What may follow a number, tried in order (the first match decides). Spaces may come between.
UNIT_AFTER: list[tuple[re.Pattern, str]] = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in [
    (r"[%％]|percent\b|per cent\b", PERCENT),
    (r"个月|個月|months?\b|mo\b", MONTHS),
    (r"岁|歲|-?years?[- ]old\b", AGE),
    (r"年(?![龄齡级級])|years?\b|yrs?\b", YEARS),
    (r"周|週|星期|weeks?\b|wks?\b", WEEKS),
    (r"天|日(?!期)|days?\b", DAYS),
    (r"小时|小時|hours?\b|h\b", HOURS),
    (r"例|名|人|位|患者|患儿|患兒|patients?\b|participants?\b|children\b|subjects?\b|cases?\b|women\b|men\b"
     r"|people\b|persons?\b|individuals?\b", COUNT),
    (r"项|項|条|條|trials?\b|studies\b|records?\b", TRIALS),
    (r"级|級", GRADE),
    (r"\+", SCORE),
    (r"mg\b|μg\b|µg\b|g\b|kg\b|ml\b|l\b|mmol\b|iu\b|×|x\s*10|cells?\b|个细胞|個細胞", DOSE),
    (r"个|個|次|种|種|组|組|家|篇|支|型|代|款|国|國", ITEMS),
    # An English count with its percentage: "17 (94%) were female".
    (r"[(（]\s*\d+(?:[.·]\d+)?\s*[%％]", COUNT),
]]
RANGE_AFTER = re.compile(r"\s*(?:[-–—~～〜至到]|to\b)\s*[-−]?\s*(\d+(?:[.·]\d+)?|[零一二两兩三四五六七八九十百]+)")
NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:[.·]\d+)?")
CHINESE_NUMERAL_RE = re.compile(r"(?<![零一二两兩三四五六七八九十百千第])(?:百分之)?[零一二两兩三四五六七八九十百千]+")
ENGLISH_NUMERALS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
ENGLISH_NUMERAL_RE = re.compile(r"\b(" + "|".join(ENGLISH_NUMERALS) + r")\b", re.IGNORECASE)
# "this patient" is a count of one: 这名患者, 該例, this patient.
DEMONSTRATIVE_ONE_RE = re.compile(r"(?:这|這|该|該|此)(?=[名位例]\s*(?:患|病|儿|兒|女|男|孩|受试|受試))|\bthis patient\b",
                                  re.IGNORECASE)
MONTH_NAMES = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
COMPACTED_RE = re.compile(f"[\\s{INVISIBLE_RANGES}]+")
SENTENCE_END = re.compile(r"(?<=[。！？；;!?\n])|(?<=[.])\s+(?=[A-Z])")

# Phrases that state an absence and so back a figure of 0 (a bare 无 would also match 无论, 无需 ...: NONE_OCCURRED).
ABSENCE_CUES = ("未观察到", "未觀察到", "未见", "未見", "没有", "沒有", "未发现", "未發現", "未出现", "未出現",
                "未发生", "未發生", "未有出现", "未有出現", "未有发生", "未有發生", "无一例", "無一例", "not observed", "were not", "was not", "there were no",
                "there was no", "none of", "no patient")
# ... but "no evidence that X" is a statement about a cause, not a count of zero.
NOT_ABSENCE = re.compile(r"(?:没有|沒有|无|無)\s*(?:证据|證據)|no evidence", re.IGNORECASE)
# A bare 无 only before what could have occurred (无 3 级及以上 CRS, 无患者死亡, 无一例): never 无进展生存,
# 无复发, 无论, 无需, which are no absences.
NONE_OCCURRED = re.compile(r"(?:无|無)\s*(?:[1-5]\s*(?:级|級)|患者|病人|病患|病例|任何|死亡|治疗相关|治療相關|"
                           r"剂量限制性|劑量限制性|严重|嚴重)|(?:未有|未錄得|未录得)\s*(?:发现|發現|出现|出現|发生|發生|病例)?")


@dataclass(frozen=True)
class Figure:
    """A number as it stands in a text: its value, its kind, where it is, and its sentence."""

    value: Decimal
    kind: str
    start: int
    end: int
    sentence: int

    def shown(self, text: str) -> str:
        """The number as written with what makes its kind, for messages: 'CD19', '19%', '2019年'."""
        left, right = self.start, self.end
        while left > 0 and left > self.start - 8 and re.match(r"[A-Za-z0-9\-]", text[left - 1]):
            left -= 1
        if self.kind == IDENTIFIER:
            while right < len(text) and right < self.end + 8 and re.match(r"[A-Za-z0-9+]", text[right]):
                right += 1
        else:
            after = text[right:right + 8]
            for pattern, _ in UNIT_AFTER:
                unit = pattern.match(after.lstrip(" "))
                if unit:
                    right += len(after) - len(after.lstrip(" ")) + unit.end()
                    break
        return text[left:right]


def chinese_numeral_value(text: str) -> int | None:
    """一 → 1, 十八 → 18, 两百零五 → 205; None for what is not a plain numeral."""
    digits = {"零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
    units = {"十": 10, "百": 100, "千": 1000}
    total, current = 0, None
    for char in text:
        if char in digits:
            if current is not None and current != 0:
                return None  # 二三: not a numeral
            current = digits[char]
        elif char in units:
            total += (current if current is not None else 1) * units[char]
            current = None
        else:
            return None
    return total + (current or 0)


def decimal_of(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("·", "."))


def unit_length(text: str, end: int) -> int:
    """How many characters of ``text`` after ``end`` are the number's unit (例, 个月, %), spaces included."""
    after = text[end:end + 16]
    stripped = after.lstrip(" \u00a0\u2009")
    for pattern, _ in UNIT_AFTER:
        unit = pattern.match(stripped)
        if unit:
            return len(after) - len(stripped) + unit.end()
    return 0


def unit_kind(after: str) -> str | None:
    """The kind a number has from what follows it, or None when nothing typed follows."""
    after = after.lstrip(" \u00a0\u2009\u2060\t")
    for pattern, kind in UNIT_AFTER:
        if pattern.match(after):
            return kind
    return None


def _is_identifier(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 2):start], text[end:end + 3]
    if re.search(r"[A-Za-z]$", before) or re.search(r"[A-Za-z][-‐‑]$", before):
        return True
    if re.match(r"[A-Za-z]", after) and unit_kind(after) is None:
        return True
    if re.match(r"[-‐‑]\d+[A-Za-z]", after):  # 4-1BB
        return True
    return False


def _date_kind(text: str, start: int, end: int, value: Decimal, previous: Figure | None) -> bool:
    before, after = text[max(0, start - 12):start], text[end:end + 4]
    written = text[start:end]
    if re.match(r"\s*[:：]\d", after) or re.search(r"\d[:：]$", before):
        return True  # a time of day
    if previous is not None and previous.kind == DATE and re.fullmatch(r"\s*[-/.]\s*|\s*[年月]\s*",
                                                                       text[previous.end:start]):
        return True  # the rest of 2025-02-17, 2025/11/16, 2025年2月17日
    if re.fullmatch(r"\d{4}", written) and 1800 <= value <= 2100:
        kind = unit_kind(after)
        return kind in (None, YEARS) or bool(re.match(r"\s*[-/.]\s*\d", after))
    if re.match(r"\s*月", after):
        return True  # 4 月: a month of the year (a duration is 4 个月)
    if re.match(r"\s*[日号號]", after) and re.search(r"月\s*$", before):
        return True
    if re.search(rf"\b{MONTH_NAMES}\s*$", before, re.IGNORECASE):
        return True  # Aug 21
    return False


def _context_kind(text: str, start: int, end: int) -> str | None:
    """Kinds given by what stands before a number (n=, grade, 第, 百分之) or by an n/N pair."""
    before = text[max(0, start - 10):start]
    if re.search(r"第\s*[-−–]?\s*$|\bday\s*[-−–]?\s*$", before, re.IGNORECASE):
        return ORDINAL
    if re.search(r"百分之$", before):
        return PERCENT
    if re.search(r"\bgrade\s*$|\bG$", before, re.IGNORECASE):
        return GRADE
    if re.search(r"\bn\s*[=＝]\s*$", before, re.IGNORECASE):
        return COUNT
    if re.search(r"\baged\s*$", before, re.IGNORECASE):
        return AGE
    if re.match(r"\s*/\s*\d", text[end:end + 4]) or re.search(r"\d\s*/\s*$", before):
        return COUNT  # an n/N pair: 17/18, (288/1580)
    return None


def _range_partner_kind(text: str, end: int) -> str | None:
    """In 18-65岁, 1–2 级, 32.0 ~ 39.8: the first number takes the unit written after the second."""
    match = RANGE_AFTER.match(text, end)
    if not match:
        return None
    return unit_kind(text[match.end():])


def _kind_of(text: str, start: int, end: int, value: Decimal, previous: Figure | None) -> str:
    if _is_identifier(text, start, end):
        return IDENTIFIER
    if _date_kind(text, start, end, value, previous):
        return DATE
    after = text[end:end + 16]
    context = _context_kind(text, start, end)
    if context == ORDINAL:
        return ORDINAL
    own = unit_kind(after)
    if own is not None:
        return own
    return context or _range_partner_kind(text, end) or PLAIN


def sentences_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after 。！？； and at English full stops."""
    bounds, start = [], 0
    for match in SENTENCE_END.finditer(text):
        if match.start() > start:
            bounds.append((start, match.start()))
        start = match.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds or [(0, 0)]


@lru_cache(maxsize=4096)
def figures_in(text: str) -> tuple[Figure, ...]:
    """Every number of ``text`` (digits, Chinese and English numerals, 'this patient'), with its kind.

    Numbers are read as a reader sees them: an invisible character (4⟨U+200B⟩4%) splits nothing,
    since it prints as nothing (``reports.text``). Offsets are in ``text`` as given.
    """
    if not INVISIBLE_RE.search(text):
        return _figures_in(text)
    seen, index = without_invisible(text)
    return tuple(Figure(figure.value, figure.kind, index[figure.start], index[figure.end - 1] + 1, figure.sentence)
                 for figure in _figures_in(seen))


def _figures_in(text: str) -> tuple[Figure, ...]:
    sentences = sentences_of(text)

    def sentence_at(offset: int) -> int:
        for index, (_, end) in enumerate(sentences):
            if offset < end:
                return index
        return len(sentences) - 1

    found: list[Figure] = []
    previous: Figure | None = None
    for match in NUMBER_RE.finditer(text):
        start, end = match.span()
        if text[end:end + 1] in SUPERSCRIPT_DIGITS and match.group() == "10":
            continue  # ×10⁹: a power of ten is part of a unit, not a figure
        value = decimal_of(match.group())
        figure = Figure(value, _kind_of(text, start, end, value, previous), start, end, sentence_at(start))
        found.append(figure)
        previous = figure
    for match in CHINESE_NUMERAL_RE.finditer(text):
        written = match.group()
        percent = written.startswith("百分之")
        value = chinese_numeral_value(written.removeprefix("百分之"))
        if value is None:
            continue
        kind = PERCENT if percent else unit_kind(text[match.end():match.end() + 8])
        if kind is None or kind == PLAIN:
            continue  # a numeral counts only with its classifier or unit: 一例, 两级 (not 一期, 十分)
        found.append(Figure(Decimal(value), kind, match.start(), match.end(), sentence_at(match.start())))
    for match in ENGLISH_NUMERAL_RE.finditer(text):
        kind = unit_kind(text[match.end():match.end() + 16]) or COUNT
        found.append(Figure(Decimal(ENGLISH_NUMERALS[match.group(1).lower()]), kind, match.start(), match.end(),
                            sentence_at(match.start())))
    for match in DEMONSTRATIVE_ONE_RE.finditer(text):
        found.append(Figure(Decimal(1), COUNT, match.start(), match.end(), sentence_at(match.start())))
    return tuple(sorted(found, key=lambda figure: figure.start))


# How a source qualifies a figure (Measurement.bound), next to the number: 超过 13 年, 长达 18.2 年, 约 75%.
BOUND_BEFORE = {
    "more-than": r"超过|超過|大于|大於|多于|多於|逾|more than|over|>",
    "at-least": r"至少|不少于|不少於|at least|≥",
    "up-to": r"长达|長達|最长|最長|最久|最长\S{0,3}达|最長\S{0,3}達|up to|as long as",
    "about": r"约|約|大约|大約|近|approximately|about|around|≈",  # not ~: 32.0 ~ 39.8 is a range
}
BOUND_AFTER = {"more-than": r"以上|多|余|餘|\+", "at-least": r"以上", "up-to": r"", "about": r"左右"}


def bound_of(text: str, figure: Figure) -> str:
    """How the text qualifies a number: more-than, at-least, up-to, about, or exact."""
    return _bound_between(text[max(0, figure.start - 6):figure.start], text[figure.end:figure.end + 6])


# By the six characters either side, which are all a bound is read from: `reports check` asks for the
# bound of one excerpt's figure once for every number of the curator's prose of the same value.
@lru_cache(maxsize=8192)
def _bound_between(before: str, after: str) -> str:
    return next((bound for bound in BOUND_BEFORE if _qualified_between(before, after, bound)), "exact")


def _qualified_between(before: str, rest: str, bound: str) -> bool:
    """True when the number stands with the words of its bound: 超过13年 (more-than), 大约75% (about)."""
    if re.search(rf"(?:{BOUND_BEFORE[bound]})\s*$", before, re.IGNORECASE):
        return True
    after = BOUND_AFTER[bound]
    if not after:
        return False
    unit = next((p.match(rest.lstrip(" ")) for p, _ in UNIT_AFTER if p.match(rest.lstrip(" "))), None)
    rest = rest.lstrip(" ")[unit.end():] if unit else rest
    return re.match(rf"\s*(?:{after})", rest) is not None


@lru_cache(maxsize=8192)
def states_absence(sentence: str) -> bool:
    """True when the sentence says something did not occur (backing a figure of 0)."""
    lowered = NOT_ABSENCE.sub(" ", sentence.lower())
    return any(cue in lowered for cue in ABSENCE_CUES) or bool(NONE_OCCURRED.search(lowered))


def kinds_for_unit(unit: str | None) -> frozenset[str]:
    """The kinds of number that can back a value written with ``unit`` (None: any quantity)."""
    if unit is None or not unit.strip():
        return QUANTITIES
    kind = unit_kind(unit.strip())
    if kind is None:
        return frozenset({DOSE, ITEMS, PLAIN})
    return frozenset({kind})


def compact(text: str) -> str:
    """Text without whitespace and invisible characters, lower-cased: how terms are looked for in a sentence."""
    return COMPACTED_RE.sub("", text).lower()


def term_forms(term: str, quoted_as: list[str]) -> list[str]:
    """The forms a thing may be quoted as: its name, the parts of it outside and inside brackets, and
    the curator's ``quoted_as`` forms (all whitespace-free)."""
    forms = [term, *re.split(r"[（）()]", term), *quoted_as]
    return [form for form in dict.fromkeys(compact(form) for form in forms) if len(form) >= 2]


# A count stated as the denominator: 18例患者中, 在 14 名接受治疗的患者中, 288/1580, of 18.
DENOMINATOR_AFTER = re.compile(r"[^，,；;。：:]{0,24}?中(?![位国國心])")
DENOMINATOR_BEFORE = re.compile(r"(?:\d\s*[/／]\s*|\bof\s+|\bout of\s+)$", re.IGNORECASE)


def is_denominator(text: str, figure: Figure) -> bool:
    """True when the text states the number as what a count is out of (X 例中, n/X, of X)."""
    if DENOMINATOR_BEFORE.search(text[max(0, figure.start - 8):figure.start]):
        return True
    after = text[figure.end:figure.end + 30]
    return bool(re.match(r"\s*(?:例|名|位|人|项|項|个|個|patients?|participants?)", after, re.IGNORECASE)
                and DENOMINATOR_AFTER.match(after))


# 在 HER2 3+ 肿瘤患者中, 在随访超过12个月的9例患者中: a subgroup stated before the figures that are of it.
SUBGROUP_RE = re.compile(r"在([^，,；;。]{2,40}?)(?:患者|患儿|患兒|病例|受试者|受試者|人群|亚组|亞組)?中"
                         r"(?=\s*[，,]|\s*\d|\s*(?:未|没|沒|无|無))")
SUBGROUP_KINDS = frozenset({COUNT, PERCENT, TRIALS})
COUNT_IN_PHRASE = re.compile(r"\d+(?:[.·]\d+)?\s*(?:例|名|位|人|项|項)")
NOT_SUBGROUP = re.compile(r"\d+(?:[.·]\d+)?\s*(?:例|名|位|人|项|項)|接受治疗的|接受治療的|入组的|入組的|所有|全部|"
                          r"参与试验的|參與試驗的|[的之]$|\s+")


def subgroup_of(text: str, figure: Figure, sentence: tuple[int, int]) -> str | None:
    """The subgroup a figure is of, as the text states it before the figure in its sentence (在…中), or None
    when the figure is of everyone (在 14 名接受治疗的患者中, 在这项研究中)."""
    start, end = sentence
    found = None
    if figure.kind not in SUBGROUP_KINDS:
        return None
    # 在随访超过12个月的9例患者中: the 9 is of the subgroup too (the phrase holds it)
    for match in SUBGROUP_RE.finditer(text, start, end):
        if match.start() > figure.start:
            break
        phrase = match.group(1)
        if re.search(r"研究|試驗|试验|方面", phrase):
            continue
        rest = NOT_SUBGROUP.sub("", NOT_SUBGROUP.sub("", phrase))
        found = COUNT_IN_PHRASE.sub("", phrase).strip() if len(rest) >= 2 else None
    return found
