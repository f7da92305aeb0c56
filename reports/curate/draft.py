"""Propose a study row from an article: the figures a curator would type, each with its sentence.

Rules, not a model: the article is read sentence by sentence with the checker's own figure reader
(``reports.text.figures``: every number with its kind), and each number is placed by the words
around it, the way ``reports check`` will later verify it. A count with 入组 is enrolment; a
percentage or a count is an outcome, a baseline figure or an adverse event by the nearest name of
one (``TERMS``); 中位随访 is the follow-up; the phase, the design words (the checker's lexicon),
the registry ids, the journal and its date come from the sentences that state them. Every figure
placed keeps its sentence, which becomes one of the row's excerpts, quoted word for word.

What the rules cannot decide is left as a ``Todo`` with the candidates the article offers; a row
that still holds a ``TODO`` fails ``reports check`` ("draft: decide …"), so a draft is never
published unread. Deterministic and offline: the same article gives the same draft.

Written by hand: no library extracts trial results from Chinese clinical news (the extraction tools
we know read English abstracts with a language model, which would be neither deterministic nor
checkable here).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from reports.content.articles import Article, read_articles
from reports.content.citations import compact
from reports.content.evidence import evidence_paths
from reports.content.model import ProjectSettings
from reports.content.project import Project
from reports.content.settings import read_settings
from reports.content.sources import SizeLimit, load_yaml
from reports.content.verify.arms import SEPARATOR as ARM_SEPARATOR
from reports.content.verify.arms import compact as compact_arm
from reports.content.verify.arms import stated_arm, top_level
from reports.content.verify.claims import fold, lexicon_for, simplified
from reports.content.verify.gradings import GRADING_NAMES
from reports.content.verify.phases import phases_stated
from reports.content.verify.quoted import clause_around
from reports.curate.emit import Noted, Todo, row_yaml
from reports.curate.reading import (
    BASELINE,
    DOI,
    EFFICACY_WORDS,
    EVENT,
    GRADES_3_UP,
    LABEL_LEAD,
    TERM_INFO,
    OUTCOME,
    Sentence,
    Term,
    article_sentences,
    balanced,
    bare,
    clause_start,
    count_before,
    count_value,
    denominators_of_pairs,
    event_segment_end,
    in_range,
    is_threshold,
    journal_in,
    label_of,
    list_clause,
    nearest_in_checkers_clause,
    nearest_term,
    not_a_result,
    original_form,
    pairs_in,
    plain_summary,
    population_of,
    rate_agrees,
    simplified_in_place,
    stated_as_denominator,
    terms_in,
    timepoint_in,
)
from reports.errors import Problems, ReportError
from reports.text.figures import (
    COUNT,
    DAYS,
    GRADE,
    MONTHS,
    PERCENT,
    WEEKS,
    YEARS,
    Figure,
    bound_of,
    is_denominator,
    sentences_of,
    states_absence,
    subgroup_of,
    unit_length,
    term_forms,
)

DURATIONS = {DAYS: "days", WEEKS: "weeks", MONTHS: "months", YEARS: "years"}
# After a count: the patients it counts are those the next figures are of (21 名接受输注的患者中位年龄 …).
POPULATION_SIZE = re.compile(r"\s*(?:例|名|位|人)\s*(?:接受[^，,。；;]{0,8}的|可评估[^，,。；;]{0,6}的|入组的|纳入的|"
                             r"[^，,。；;\d]{0,6}(?:患者|病人)的)(?:患者|病人)?")
# What a count says of the patients (the checker's ROLE_WORDS, narrowed to the sentence's verbs).
ENROLLED = re.compile(r"入组|入組|纳入|納入|招募|入选|入選|收案|enrolled|recruited")
TREATED = re.compile(r"回输|回輸|输注|輸注|接受了?[^，,。；;]{0,12}(?:治疗|治療|细胞|細胞|注射)|给药|給藥|infused|treated")
EVALUABLE = re.compile(r"可评估|可評估|可评价|可評價|纳入疗效分析|納入療效分析|疗效分析集|evaluable")
# A sentence about what the study lacks or what is still needed: its design words are not this study's
# (该研究为单臂设计，缺乏对照组…仍需在随机对照试验中验证).
CRITIQUE = re.compile(r"仍需|尚需|有待|需要在|需在|未来|局限|缺乏|不足之处|下一步|计划")
LIMITS = re.compile(r"缺乏|局限|样本量小|样本量较小|样本量有限|无对照|没有对照|单臂设计|随访时间(?:较短|有限|仍短)")
ONE_OF_A_KIND = ("crs", "icans", "neurotoxicity", "dlt")  # one event of each kind per study, whatever its name
CI_AFTER = re.compile(r"\s*[（(]\s*(\d+)\s*[%％]\s*(?:CI|置信区间|可信区间|信赖区间|信賴區間)\s*[：:，,]?\s*"
                      r"(\d+(?:\.\d+)?)\s*(?:[～~–—-]|至|到)\s*(\d+(?:\.\d+)?)")
# 由基线的 26 分降至 12 个月时的 11 分: the words before each of the two values.
CHANGE_FROM = re.compile(r"(?:由|从)\s*(?:基线|治疗前|输注前|入组时)?\s*(?:时)?\s*的?\s*(?:中位数?|平均)?\s*$")
CHANGE_TO = re.compile(r"(?:降至|降到|下降至|下降到|减至|减少至|减少到|升至|升到|上升至|上升到|增至|增加至|增加到|提高至|"
                       r"提高到|改善至|回升至|恢复至)\s*(?:(?P<when>(?:输注后|治疗后|第)?\s*\d+(?:\.\d+)?\s*"
                       r"(?:个月|周|天|年|月))\s*时?\s*的?)?\s*(?:中位数?|平均)?\s*$")
HAZARD_RATIO = re.compile(r"(?:风险比|危险比|(?<![A-Za-z])HR)\s*(?:[（(]\s*HR\s*[）)])?\s*(?:为|是|=|＝|：|:|达)?\s*$")
MEDIAN = re.compile(r"中位|median", re.IGNORECASE)
FOLLOW_UP = re.compile(r"随访|隨訪|追蹤|追踪|follow-up", re.IGNORECASE)
LONGEST = re.compile(r"最长|最長|最久")
# Grade 3 or higher, in simplified script (matched on the folded text): ≥3 级, 3 级及以上, 3–4 级, 3 级 (exactly), 严重.
SEVERE = GRADES_3_UP + r"|三级及以上|三级以上|严重|重度"
SEVERE_RANGE = re.compile(SEVERE)  # a range of grades from 3 up
NONE_FROM_3 = re.compile(r"≥\s*3\s*级|3\s*级\s*(?:及|或)?\s*以上|3\s*(?:[–~～-]|至|到)\s*[45]\s*级|三级及以上|三级以上|严重|重度")
GRADE_3_PLUS = re.compile(SEVERE + r"|(?<![\d–~\-至到])(?<![\d–~\-至到]\s)[3-5]\s*级")  # or one grade of 3 to 5
AGE_RANGE = re.compile(r"\d+\s*[-–—~～至到]\s*\d+\s*岁")
REGISTRY = re.compile(r"\b(NCT\d{8}|ChiCTR-?[A-Za-z]*\d{6,}|\d{4}-\d{6}-\d{2}(?:-\d{2})?)\b")
PUBLISHED_NEAR = re.compile(r"发表|刊登|刊发|在线发表|published|发布")
DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
TARGETS = ["CD19", "CD20", "CD22", "CD7", "CD5", "CD30", "CD33", "CD38", "CD70", "CD123", "BCMA", "GPRC5D",
           "HER2", "GD2", "GPC3", "Claudin18.2", "CLDN18.2", "MSLN", "EGFR", "EGFRvIII", "B7-H3", "IL13Rα2",
           "PSMA", "MUC1", "CEA", "NKG2D", "ROR1", "CLL1", "FLT3", "DLL3", "TROP2", "ALPP"]
PRODUCT = re.compile(r"(?<![A-Za-z0-9-])([A-Z][A-Za-z]{0,5}-?\d{1,5}[A-Za-z]?\d?)(?![A-Za-z0-9])")
DISEASE = re.compile(r"((?:复发(?:或|/|和)?难治性?|难治(?:或|/)?复发性?|晚期|转移性|初治)?(?:[\u4e00-\u9fffA-Za-z]| (?=[A-Za-z])|(?<=[A-Za-z]) ){0,12}?"
                     r"(?:淋巴瘤|白血病|骨髓瘤|红斑狼疮|狼疮|实体瘤|胶质瘤|神经母细胞瘤|肉瘤|肝癌|胃癌|乳腺癌|肺癌|"
                     r"胰腺癌|卵巢癌|结直肠癌|肌炎|硬化症|重症肌无力|胃食管癌|癌)(?:（[A-Za-z/-]{2,12}）)?)")
CELL_SOURCE = {"autologous": re.compile(r"自体|自體|autologous"),
               "allogeneic": re.compile(r"异基因|異基因|同种异体|同種異體|异体|異體|通用型|allogeneic")}
GRADING = {system: re.compile(names, re.IGNORECASE) for system, names in GRADING_NAMES.items()}  # as check names them


@dataclass
class Part:
    """An outcome, a baseline figure or an adverse event as found: its name and figures, its sentences."""

    section: str
    name: str  # as the article writes it, with the abbreviation beside it when there is one
    kind: str | None  # the adverse event's kind
    sentences: list[Sentence]
    fields: dict[str, Any] = field(default_factory=dict)
    clause: str = ""  # the text an event's one-line summary is taken from
    summary_found: bool = False  # the clause gives the event's figures (not only its name)


@dataclass
class Draft:
    """What the article gives, found by the rules; ``row()`` lays it out in the schema's order."""

    article: Article
    class_id: str
    added: dt.date
    taken_ids: set[str]
    sentences: list[Sentence] = field(default_factory=list)
    enrollment: dict[str, tuple[int, Sentence]] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    follow_up: dict[str, Any] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)  # id(sentence) -> excerpt id
    event_figures: set[int] = field(default_factory=set)  # the sentence's figures its adverse events took
    arms: list[str] = field(default_factory=list)  # a randomised trial's arms, in the order the article names them
    cell_source_sentences: list[Sentence] = field(default_factory=list)

    def run(self) -> "Draft":
        self.sentences = article_sentences(self.article)
        self.arms = arms_of(self.sentences)
        for sentence in self.sentences:
            self.read_sentence(sentence)
        return self

    # -- reading ------------------------------------------------------------------------------

    def read_sentence(self, sentence: Sentence) -> None:
        if sentence.heading or sentence.background:
            return
        terms = terms_in(sentence)
        pairs = pairs_in(sentence)
        denominators = [f for f in sentence.figures if count_value(f) and stated_as_denominator(sentence, f)]
        in_pairs = set(denominators_of_pairs(sentence))
        self.read_follow_up(sentence)
        self.read_events(sentence, terms, pairs, denominators)
        self.grades_for_all(sentence, [t for t in terms if t.section == EVENT])
        used: set[int] = set(self.event_figures) | self.read_changes(sentence) | self.read_randomised(sentence)
        for figure in sentence.figures:
            if figure.start in used or (not_a_result(sentence, figure) and self.arm_of(sentence, figure) is None):
                continue  # (the second of 分别为 A 和 B is a result when the sentence names the arms before)
            if re.search(r"(?:无|無|没有|沒有|未有)\s*$", sentence.folded[max(0, figure.start - 3):figure.start]):
                continue  # 无一例需要…: none, not one
            clause = sentence.text[slice(*clause_around(sentence.text, figure.start, 0, len(sentence.text)))]
            if HAZARD_RATIO.search(sentence.folded[max(0, figure.start - 14):figure.start]):
                self.add_hazard_ratio(sentence, figure)
                continue
            if count_value(figure) and figure.start not in pairs and figure.start not in in_pairs:
                following = re.match(r"[，,]([^，,；;。\d]{2,12})(?=[，,；;。]|$)",
                                     sentence.text[clause_around(sentence.text, figure.start, 0, len(sentence.text))[1]:])
                role = self.enrolment_role(own_phrase(sentence, figure) + (following.group() if following else ""),
                                           figure, sentence, terms)
                if role:
                    roles = [role]
                    then = re.match(r"[，,][^，,；;。\d]{0,24}", sentence.text[clause_around(
                        sentence.text, figure.start, 0, len(sentence.text))[1]:])
                    if role == "treated" and EVALUABLE.search(own_phrase(sentence, figure) + (then.group() if then else "")):
                        roles.append("evaluable")  # 21 名完成输注，均纳入安全性分析并可评估疗效: both
                    for role in roles:
                        if role not in self.enrollment:
                            self.enrollment[role] = (count_value(figure), sentence)
                            sentence.topics.append("enrolment")
                    if role == "treated":
                        used |= self.arm_treated(sentence, figure)
                    continue
            if figure.kind == PERCENT and re.match(r"\s*[%％]?\s*(?:CI|置信区间|可信区间|信赖区间)", sentence.folded[figure.end:]):
                continue  # the level of a confidence interval, read with its figure
            if figure.kind == PERCENT and is_threshold(sentence, figure):
                continue
            if figure.kind == PERCENT and re.search(r"[≥≤><]\s*$", sentence.folded[:figure.start]):
                continue  # 骨髓原始细胞≥50%者 79 例, CLDN18.2 阳性（≥40% 的肿瘤细胞…）: a threshold, not a result
            if figure.kind == PERCENT and re.search(r"风险(?:降低|下降|减少)了?\s*$", sentence.folded[:figure.start]):
                continue  # 风险降低 64%: the hazard ratio's complement, not a figure of its own
            if figure.kind in (PERCENT, COUNT) and in_range(sentence, figure):
                continue  # 10%～15%: a range is the disease's, not a trial's result
            if count_value(figure) and POPULATION_SIZE.match(sentence.folded, figure.end):
                continue  # 21 名接受输注的患者: who the figures after it are of, not a figure of its own
            if figure.kind == PERCENT or (count_value(figure) and figure.start not in in_pairs):
                if figure.kind == COUNT and figure in denominators:
                    continue
                if figure.start in pairs and re.search(r"[%％]\s*[（(]\s*$", sentence.folded[:figure.start]):
                    continue  # 61.1%（11/18）: the pair is read with its percentage
                arm = self.arm_of(sentence, figure)
                first = self.first_respective(sentence, figure) if arm is not None else figure
                term = self.label_for(sentence, first, terms, denominators)  # 分别为 65.7% 和 21.5%: one name
                if term is not None and term.section == OUTCOME and "enrolment" in sentence.topics and \
                        fold(term.name) not in TERM_INFO and not EFFICACY_WORDS.search(sentence.folded):
                    term = replace(term, section=BASELINE)  # 最终 16 例入组，其中 AChR 抗体阳性 13 例: who they were
                if term is not None:
                    self.add_measure(sentence, figure, term, pairs, denominators, arm)
            elif figure.kind in DURATIONS and not FOLLOW_UP.search(clause) and (
                    MEDIAN.search(clause) or self.continued_median(sentence, figure)):
                term = nearest_term(sentence, figure, terms, {OUTCOME, BASELINE})
                if term is None and re.search(r"中位[^，,。；;\d]{0,16}(?:为|是|达|只有|仅为|仅|约为|约)\s*$",
                                              sentence.folded[clause_start(sentence, figure):figure.start]):
                    term = label_of(sentence, figure, terms, denominators)  # 中位无白血病生存期为 11.2 个月
                term = term or median_time_label(sentence, figure)  # B 细胞在输注后中位 98 天重新出现
                if term is not None:
                    subject = None if MEDIAN.search(clause) else self.continued_median(sentence, figure)
                    self.add_duration(sentence, figure, term, self.arm_of(sentence, figure) or subject)
            elif figure.kind == "age" and MEDIAN.search(clause) and not in_range(sentence, figure):
                term = nearest_term(sentence, figure, terms, {BASELINE})
                if term is not None:
                    self.add_duration(sentence, figure, term)
            elif figure.kind in ("plain", "items") and re.search(r"中位[^，,。；;\d]{0,10}$",
                                                                 sentence.folded[clause_start(sentence, figure):figure.start]):
                term = label_of(sentence, figure, terms, denominators)  # 中位既往治疗线数为 3 线
                if term is not None:
                    self.add_duration(sentence, figure, term)

    def enrolment_role(self, clause: str, figure: Figure, sentence: Sentence, terms: list[Term]) -> str | None:
        if any(term.start <= figure.start <= term.end + 12 and term.section == EVENT for term in terms):
            return None
        folded = simplified_in_place(clause)
        if re.search(r"既往|曾|退出|未能|未接受|未输注|未回输|撤回|脱落|排除|失访|计划|预计|拟|(?:收案|入组|纳入|筛选)时", folded):
            return None  # 9 例既往接受过 CD19 CAR-T 治疗, 3 例因输注前病情恶化退出, 原计划入组 150 例: not the study's
        if re.search(r"安全性分析|安全性人群|安全性评估", folded):
            return "treated"  # 纳入安全性分析的 16 例: everyone who received the product
        for role, words in (("evaluable", EVALUABLE), ("enrolled", ENROLLED), ("treated", TREATED)):
            if words.search(clause):
                near = nearest_term(sentence, figure, terms, {OUTCOME, BASELINE, EVENT})
                if near is not None and clause_around(sentence.text, near.start, 0, len(sentence.text)) == \
                        clause_around(sentence.text, figure.start, 0, len(sentence.text)) and role != "evaluable":
                    return None  # 30 例达到完全缓解 after 入组: the clause names an outcome
                return role
        return None

    def part_for(self, section: str, name: str, kind: str | None, sentence: Sentence, population: str | None,
                 timepoint: str | None) -> Part:
        for part in self.parts:
            same = (part.section, part.fields.get("population"), part.fields.get("timepoint")) == (
                section, population, timepoint)
            one_of_a_kind = kind in ONE_OF_A_KIND and part.kind == kind and arm_named(part.name) == arm_named(name)
            if same and section == EVENT and (bare(part.name) == bare(name) or one_of_a_kind):
                if sentence not in part.sentences:
                    part.sentences.append(sentence)
                    sentence.topics.append("safety")
                return part  # one event, named again in another sentence
            if same and part.name == name and sentence in part.sentences:
                return part
        part = Part(section, name, kind, [sentence])
        if population:
            part.fields["population"] = population
        if timepoint:
            part.fields["timepoint"] = timepoint
        self.parts.append(part)
        sentence.topics.append({OUTCOME: "efficacy", BASELINE: "baseline", EVENT: "safety"}[section])
        return part

    def label_for(self, sentence: Sentence, figure: Figure, terms: list[Term], denominators: list[Figure]) -> Term | None:
        """The name a percentage or a count is drafted under."""
        count = count_before(sentence, figure)  # 8 名患者（80%）: the count's own rate
        term = label_of(sentence, count or figure, terms, denominators)
        arm = self.arm_of(sentence, figure)
        if arm is not None and (term is None or term.name.endswith(arm) or term.start < clause_start(sentence, figure)):
            term = listed_label(sentence, figure) or nearest_term(sentence, figure, terms, {OUTCOME})
        return term

    def first_respective(self, sentence: Sentence, figure: Figure) -> Figure:
        """The first of the values after 分别为 that the figure is one of (itself when it is not)."""
        respectively = re.search(r"分别为|分别是|分别有", sentence.folded[:figure.start])
        if respectively is None:
            return figure
        values = [f for f in sentence.figures if f.kind == figure.kind and respectively.end() <= f.start <= figure.start
                  and not re.search(r"[，,；;。]", sentence.folded[respectively.end():f.start])]
        return values[0] if values else figure

    def arm_of(self, sentence: Sentence, figure: Figure) -> str | None:
        """The arm a figure is of: as the checker reads it (verify.arms.stated_arm: 标准治疗组为 66.8%; its place
        in CAR-T 组和标准治疗组分别为 A 和 B), else by its place in 两组…分别为 A 和 B or in a 分别为 that lists
        nothing else, the arms in the order the article introduced them."""
        if not self.arms:
            return None
        compacted = {compact_arm(arm): arm for arm in self.arms}
        stated = stated_arm(sentence.text, sentence.figures, figure, (0, len(sentence.text)), tuple(compacted))
        if stated:
            return compacted.get(stated)
        start, _ = clause_around(sentence.text, figure.start, 0, len(sentence.text))
        respectively = None
        for respectively in re.finditer(r"分别为|分别是|分别有", sentence.folded[:figure.start]):
            pass
        if respectively is None or re.search(r"[，,；;。]", sentence.folded[respectively.end():figure.start]):
            return None
        listed = re.search(r"[和与及、/]", sentence.folded[start:respectively.start()])
        if re.search(r"两组|二组|2 组", sentence.folded[:respectively.start()]) or not listed:
            # 24 个月总生存率分别为 61.2% 和 48.9%: in a trial of two arms, theirs
            place = len(ARM_SEPARATOR.findall(top_level(sentence.folded[respectively.end():figure.start])))
            return self.arms[place] if place < len(self.arms) else None
        return None

    def add_measure(self, sentence: Sentence, figure: Figure, term: Term, pairs: dict[int, tuple[int, int]],
                    denominators: list[Figure], arm: str | None = None) -> None:
        anchor = count_before(sentence, figure) or figure  # 9 例缓解（81.8%）: whose the count is
        population = arm_in(arm, population_of(sentence, anchor) or group_counted_in(sentence, anchor))
        timepoint = timepoint_in(sentence, figure, term)
        part = self.part_for(term.section, term.name, None, sentence, population, timepoint)
        fields = part.fields
        if figure.kind == PERCENT:
            if "value" in fields:
                return
            fields.update(value=figure.value, unit="%", measure="proportion")
            # 65.7%（136/207） or 136/207（65.7%）: the pair right after it, else the one just before
            pair = next((pairs[start] for start in sorted(pairs, key=lambda start: abs(start - figure.end))
                         if abs(start - figure.end) <= 6 or 0 <= figure.start - start <= 12), None)
            if pair and rate_agrees(figure.value, *pair):
                fields.update(n=pair[0], of=pair[1])
        else:
            if "n" in fields:
                return
            n = count_value(figure)
            if figure.start in pairs:
                n, of = pairs[figure.start]
                fields.update(n=n, of=of)
            else:
                fields["n"] = n
                of = next((count_value(d) for d in reversed(denominators) if d.start < figure.start), None)
                if of is not None and of >= n:
                    fields["of"] = of
            fields.setdefault("measure", "count")
        interval = CI_AFTER.match(sentence.text, figure.end + unit_length(sentence.text, figure.end))
        if interval and figure.kind != PERCENT:
            fields["ci"] = {"lower": Decimal(interval.group(2)), "upper": Decimal(interval.group(3)),
                            "level": Decimal(interval.group(1))}
        if "value" in fields and "n" in fields and "of" in fields and not rate_agrees(fields["value"], fields["n"],
                                                                                        fields["of"]):
            fields.pop("of")
        bound = bound_of(sentence.text, figure)
        if figure.kind == PERCENT and bound != "exact":
            fields["bound"] = bound

    def add_hazard_ratio(self, sentence: Sentence, figure: Figure) -> None:
        """疾病进展或死亡的风险比（HR）为 0.36（95% CI 0.26~0.50）: named by its clause, up to HR."""
        start = clause_start(sentence, figure)
        ratio = HAZARD_RATIO.search(sentence.folded, max(start, figure.start - 14), figure.start)
        name = LABEL_LEAD.sub("", sentence.text[start:ratio.end()])
        name = re.sub(r"^(?:该亚组|该组|两组|二组)", "", re.sub(r"\s*(?:为|是|=|＝|：|:|达)\s*$", "", name)).strip()
        reduced = re.match(r"(.*?风险)(?:降低|下降|减少)了?\s*\d+(?:\.\d+)?\s*%\s*[（(]\s*HR\s*$", name)
        if reduced:  # 疾病进展或死亡风险降低 64%（HR=0.36…）: the ratio, named by what it is of
            name = reduced.group(1) + "比（HR）"
        for arm in self.arms:
            name = name.removeprefix(arm).strip()
        part = self.part_for(OUTCOME, name or "风险比（HR）", None, sentence, population_of(sentence, figure), None)
        if "value" in part.fields:
            return
        part.fields.update(measure="time-to-event", value=figure.value)
        interval = CI_AFTER.match(sentence.text, figure.end)
        if interval:
            part.fields["ci"] = {"lower": Decimal(interval.group(2)), "upper": Decimal(interval.group(3)),
                                 "level": Decimal(interval.group(1))}

    def arm_treated(self, sentence: Sentence, figure: Figure) -> set[int]:
        """CAR-T 组 91 例中有 84 例（92.3%）接受了 HX-1903 回输: an arm's patients treated, a baseline count named
        CAR-T 组：接受了 HX-1903 回输 (quoted as the sentence says it), out of the arm's patients. The starts of
        the figures read besides the count (its rate)."""
        arm = self.arm_of(sentence, figure)
        start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
        verb = re.search(r"接受了?[^，,；;。（(]{0,14}?(?:回输|输注|治疗|注射)", sentence.text[figure.end:end])
        if arm is None or verb is None:
            return set()
        part = self.part_for(BASELINE, f"{arm}：{verb.group()}", None, sentence, None, None)
        if "n" in part.fields:
            return set()
        part.fields.update(measure="count", n=count_value(figure), quoted_as=[verb.group()])
        of = re.search(r"(\d+)\s*(?:例|名|位|人)[^，,；;。\d]{0,4}中有?\s*$", sentence.text[start:figure.start])
        if of and int(of.group(1)) >= count_value(figure):
            part.fields["of"] = int(of.group(1))  # CAR-T 组 91 例中有 84 例
        rate = next((f for f in sentence.figures if f.kind == PERCENT and 0 < f.start - figure.end <= 4), None)
        if rate is not None and "of" in part.fields and rate_agrees(rate.value, part.fields["n"], part.fields["of"]):
            part.fields.update(measure="proportion", value=rate.value, unit="%")
            return {rate.start}  # read here, with its count
        return set()

    def read_randomised(self, sentence: Sentence) -> set[int]:
        """按 1:1 随机分配至 CAR-T 组（91 例）和对照组（91 例）: each arm's patients, a baseline count named
        CAR-T 组：随机分配 (quoted as the sentence's word: the schema has no arm of its own). The starts read."""
        word = re.search(r"随机分配|随机分组|隨機分配|隨機分組", sentence.text)
        if len(self.arms) < 2 or word is None:
            return set()
        used = set()
        for arm in self.arms:
            count = re.search(rf"{re.escape(arm)}\s*[（(，,]?\s*(?:共)?\s*(\d+)\s*(?:例|名|位|人)", sentence.text)
            figure = next((f for f in sentence.figures if count and f.start == count.start(1)), None)
            if figure is None or not count_value(figure):
                continue
            part = self.part_for(BASELINE, f"{arm}：{word.group()}", None, sentence, None, None)
            part.fields.update(measure="count", n=count_value(figure), quoted_as=[word.group()])
            used.add(figure.start)
        return used

    def read_changes(self, sentence: Sentence) -> set[int]:
        """mRSS 中位数由基线的 26 分降至 12 个月时的 11 分: the baseline value and the value at the time
        point, under the clause's own name. The starts of the figures read."""
        used: set[int] = set()
        for later in sentence.figures:
            start = clause_start(sentence, later)
            change = CHANGE_TO.search(sentence.folded, start, later.start)
            after = sentence.folded[later.end:later.end + unit_length(sentence.text, later.end) + 2]
            if not change or re.match(r"[^，,；;。\d]*时", after):
                continue  # 降至 12 个月时的 11 分: the time point, not the value
            earlier = [f for f in sentence.figures if start <= f.start < change.start()
                       and CHANGE_FROM.search(sentence.folded, start, f.start)]
            if not earlier:
                continue
            origin = CHANGE_FROM.search(sentence.folded, start, earlier[-1].start)
            label = sentence.text[start:origin.start()]
            said = sentence.text[start:later.start]  # IgG4-RD RI 由基线的中位 14 分降至中位 1 分: said after the name
            measure = "median" if MEDIAN.search(said) else "mean" if re.search(r"平均|均值", said) else None
            # The name as the clause words it, 中位数 included: in brackets, （中位数） would be a name of its own to
            # the checker, nearest to every median of the article.
            name = re.sub(r"\s*(?:也|均|则|則|仍|又)?\s*$", "", label)
            name = re.sub(r"(?<=[）)])\s*的?\s*(?:中位数|中位數|中位值|平均值|均值)$", "", name)  # …（eGFR）中位数
            name = re.sub(r"^(?:整体|整體|总体|總體|患者的?|病人的?)", "", LABEL_LEAD.sub("", name)).strip()
            if measure is None or len(re.sub(r"中位数?|中位數|平均值?|均值|的|\s", "", name)) < 2:
                continue  # a group's value is a median or a mean; one patient's is not a row's figure
            if re.search(r"[“「\"]", label) or any(bound_of(sentence.text, f) != "exact" for f in (earlier[-1], later)):
                continue  # “从 2 个月左右提高到 4 个半月”: someone's words about it, not the trial's measure
            when = change.group("when")
            for section, figure, timepoint in ((BASELINE, earlier[-1], None), (OUTCOME, later, when)):
                stem = bare(re.sub(r"\s*的?\s*(?:中位数|中位數|中位值|平均值|均值)$", "", name))
                read = [p for p in self.parts if p.section == BASELINE and p.fields.get("value") == figure.value
                        and stem in bare(p.name)]
                if section == BASELINE and read:
                    if all(name in s.text for s in read[0].sentences):
                        read[0].name = name  # 基线 mRSS 中位数为 26 分, read before: one name for the two values
                    continue
                part = self.part_for(section, name, None, sentence, None, timepoint and timepoint.strip())
                if "value" not in part.fields:
                    part.fields.update(measure=measure, value=figure.value, unit=score_unit(sentence.text, figure))
            used |= {f.start for f in sentence.figures if start <= f.start <= later.start}
        return used

    def continued_median(self, sentence: Sentence, figure: Figure) -> str | None:
        """The median of the clause before, of another arm or group (HX-B207 组的中位 PFS 尚未达到，标准治疗组为
        11.8 个月; 全组中位 PFS 为 4.1 个月，DL3 组为 7.4 个月) or counted from another day (中位 OS 为
        18.6 个月，从首次输注起算则为 11.2 个月): who or what it is of, as the clause says."""
        start = clause_start(sentence, figure)
        subject = re.fullmatch(r"\s*([^，,；;。]{2,16}?)\s*(?:则|則)?\s*(?:为|為|是|达|達)\s*",
                               sentence.folded[start:figure.start])
        before = sentence.folded[:start]
        if subject is None or not MEDIAN.search(before) or FOLLOW_UP.search(before) or any(
                start <= f.start < figure.start and f.kind != "identifier" for f in sentence.figures):
            return None  # (DL3 组: a group's name may hold a digit, not a figure)
        if not self.arm_of(sentence, figure) and not any(f.kind in DURATIONS for f in sentence.figures
                                                         if f.start < start):
            return None
        return sentence.text[start + subject.start(1):start + subject.end(1)].strip()

    def add_duration(self, sentence: Sentence, figure: Figure, term: Term, arm: str | None = None) -> None:
        name = term.name
        if MEDIAN.search(sentence.text[max(0, term.start - 3):term.start]) and not name.startswith("中位"):
            name = sentence.text[max(0, term.start - 2):term.start] + name if sentence.text[
                max(0, term.start - 2):term.start] in ("中位", "median") else name
        population = arm_in(arm, subgroup_with_interval(sentence, figure))
        part = self.part_for(term.section, name, None, sentence, population, None)
        if "value" in part.fields:
            return
        unit = sentence.text[figure.end:figure.end + unit_length(sentence.text, figure.end)].strip()
        part.fields.update(measure="median", value=figure.value, unit=unit)
        if term.quoted:
            part.fields["quoted_as"] = [term.quoted]  # the name is the curator's; the sentence says 外周血 B 细胞
        interval = CI_AFTER.match(sentence.text, figure.end + unit_length(sentence.text, figure.end))
        if interval:
            part.fields["ci"] = {"lower": Decimal(interval.group(2)), "upper": Decimal(interval.group(3)),
                                 "level": Decimal(interval.group(1))}
        bound = bound_of(sentence.text, figure)
        if bound != "exact":
            part.fields["bound"] = bound

    def read_events(self, sentence: Sentence, terms: list[Term], pairs: dict[int, tuple[int, int]],
                    denominators: list[Figure]) -> None:
        """Each adverse event named in the sentence: from its name to the next one's, the percentage,
        the count, the grade ≥3 count, the highest grade, or an absence."""
        self.event_figures = set()
        events = [term for term in terms if term.section == EVENT]
        text = sentence.text
        for index, term in enumerate(events):
            # An event's figures: from its clause's start (or its name, when another event stands
            # before it in the clause) to the next event's clause (or name, in the same clause).
            list_start, list_end = list_clause(text, term.start)
            shares_before = index > 0 and events[index - 1].end > list_start
            segment_start = term.start if shares_before else list_start
            if shares_before and re.search(r"[：:]", text[events[index - 1].end:term.start]):
                # 最常见的为血细胞减少：9 例（64.3%）出现 3～4 级中性粒细胞减少: the colon opens this one's clause
                segment_start = max(m.end() for m in re.finditer(r"[：:]", text[:term.start]))
            end = len(text)
            if index + 1 < len(events):
                following = events[index + 1]
                end = following.start if following.start < list_end else list_clause(text, following.start)[0]
                colon = re.search(r"[：:]", text[term.end:following.start])
                if colon and following.start < list_end:
                    end = term.end + colon.start()
            end = self.other_arms_clauses(sentence, terms, event_segment_end(sentence, term, end), end)
            figures = [f for f in sentence.figures if segment_start <= f.start < end]
            folded = sentence.folded
            if SEVERE_RANGE.search(folded[list_start:term.start]) and not term.graded and term.kind in ("other", "infection"):
                # 3 至 4 级不良事件包括嗜中性白血球低下 20 人（62.5%）: named with its grades, as one graded event
                grades = list(SEVERE_RANGE.finditer(folded, list_start, term.start))[-1]
                term = replace(term, name=text[grades.start():grades.end()] + term.name, graded=True, quoted=term.name)
            groups = self.figures_by_arm(sentence, figures)
            absent_in = next((arm for arm in self.arms[1:] if re.match(rf"\s*(?:而|但)?\s*{re.escape(arm)}",
                                                                      text[list_start:term.start])), None)
            if absent_in and not any(count_value(f) or f.kind == PERCENT for f in figures) and \
                    states_absence(text[list_start:term.end]):
                groups = [(absent_in, figures)]  # 对照组没有发生治疗相关死亡: the control arm's absence
            for arm, arm_figures in groups:
                named = term if arm is None else replace(term, name=f"{arm}：{term.name}", quoted=term.quoted or term.name)
                self.read_event(sentence, named, arm_figures, events, (list_start, list_end, segment_start, end),
                                pairs, denominators)

    def other_arms_clauses(self, sentence: Sentence, terms: list[Term], end: int, limit: int) -> int:
        """An event's figures go on through the clauses that begin with an arm and name nothing else
        (74 例发生 3 级及以上不良事件，标准治疗组 90 例中为 65 例: the other arm's)."""
        while self.arms and end < limit:
            start, following_end = list_clause(sentence.folded, end + 1)
            clause = sentence.text[start:following_end]
            if not any(re.match(rf"\s*(?:而|但)?\s*{re.escape(arm)}", clause) for arm in self.arms) or \
                    any(start <= t.start < following_end for t in terms):
                break
            end = following_end
        return min(end, limit)

    def figures_by_arm(self, sentence: Sentence, figures: list[Figure]) -> list[tuple[str | None, list[Figure]]]:
        """An event's figures, arm by arm when the sentence gives an arm's (3～4 级不良事件在 CAR-T 组和标准治疗组
        的发生率分别为 92.7% 和 88.6%: one event per arm, named 标准治疗组：…, as the schema has no arm); the
        figures of no arm stay the event's own, and its grades go with each."""
        arms = {f.start: self.arm_of(sentence, f) for f in figures if f.kind == PERCENT or count_value(f)}
        named = [arm for arm in self.arms if arm in arms.values()]
        unarmed = None in arms.values()
        if not named or (named == self.arms[:1] and not unarmed):
            return [(None, figures)]  # HX-B207 组共有 5 例治疗相关死亡: the trial's own arm, as the row's events are
        # The figures of no arm, beside another arm's, are the trial's own arm's (3 级及以上感染发生率为 15.8%，标准治疗组为 10.9%)
        own, current = {}, None
        for start in sorted(arms):  # 对照组腹泻 9 例（18.0%），其中≥3 级 1 例: the 1 is the arm's the clause before named
            current = arms[start] or current
            own[start] = current or self.arms[0]
        return [(arm, [f for f in figures if f.start not in own or own[f.start] == arm])
                for arm in self.arms if arm in own.values()]

    def read_event(self, sentence: Sentence, term: Term, figures: list[Figure], events: list[Term],
                   span: tuple[int, int, int, int], pairs: dict[int, tuple[int, int]],
                   denominators: list[Figure]) -> None:
        """One event's figures (span: its list clause's start and end, where its figures start and end)."""
        text, folded = sentence.text, sentence.folded
        list_start, list_end, segment_start, end = span
        severe_context = not term.graded and bool(SEVERE_RANGE.search(folded[list_start:term.start]))
        had = {id(p): len(p.sentences) for p in self.parts}
        part = self.part_for(EVENT, term.name, term.kind, sentence, None, None)
        fields = part.fields
        if term.quoted and term.name not in sentence.text:  # 3 级及以上不良事件为血细胞减少
            fields.setdefault("quoted_as", [term.quoted])
        before_fields = dict(fields)
        if term.graded:  # 3 级及以上中性粒细胞减少 44 例（91.7%）: the event is the grade ≥3 one
            for figure in figures:
                if figure.start in pairs and "patients" not in fields:  # 3 级及以上感染发生率为 15.8%（31/196）
                    fields["patients"] = fields["grade_3_plus"] = pairs[figure.start][0]
                    fields["of"] = pairs[figure.start][1]
                    self.event_figures.add(figure.start)
                elif count_value(figure) and figure.start not in pairs and figure not in denominators \
                        and "patients" not in fields:
                    fields["patients"] = fields["grade_3_plus"] = count_value(figure)
                    self.event_figures.add(figure.start)
                elif figure.kind == PERCENT and "percent" not in fields and \
                        nearest_in_checkers_clause(sentence, figure, term, events):
                    fields["percent"] = figure.value
                if figure not in denominators:
                    self.event_figures.add(figure.start)  # the event's, taken or not: never an outcome's
            figures = []
        pair_ends = set(denominators_of_pairs(sentence))
        for figure in figures:
            if figure.start in pair_ends:
                continue  # the N of 27/38, read with its n
            # the words beside it in its own clause (2 级 1 例，未出现 3 级及以上: not a grade ≥3 count)
            before = re.split(r"[，,；;。]", folded[max(segment_start, figure.start - 12):figure.start])[-1]
            after = re.split(r"[，,；;。、]", folded[figure.end:figure.end + 10])[0]
            if figure.kind == PERCENT:
                self.event_figures.add(figure.start)
                if not nearest_in_checkers_clause(sentence, figure, term, events):
                    continue  # 腹痛（7 例，43.8%）和发热: the checker reads 43.8% as 发热's; left to the curator
                if not severe_context and "percent" not in fields:
                    fields["percent"] = figure.value  # of every grade; a grade ≥3 rate has no field
            elif figure.kind == GRADE:
                self.event_figures.add(figure.start)
                if states_absence(text[list_clause(text, figure.start)[0]:figure.end + 2]):  # 无 5 级 CRS
                    if figure.value == 3 and re.match(r"\s*级?\s*(?:及|或)?\s*以上", folded[figure.end:figure.end + 8]):
                        fields.setdefault("grade_3_plus", 0)  # 没有 3 级以上的个案
                    continue  # 未出现 4 级或 5 级 CRS: grades not seen
                if re.match(r"\s*级?\s*(?:及|或)?\s*以上", folded[figure.end:figure.end + 8]) or \
                        re.search(r"≥\s*$", before):
                    continue
                grade = int(figure.value)
                if 1 <= grade <= 5 and not severe_context:
                    fields["max_grade"] = max(fields.get("max_grade", 0), grade)
            elif count_value(figure) and figure.start not in pairs and figure not in denominators:
                self.event_figures.add(figure.start)
                exact = re.search(r"(?<![\d–~\-至到\s])\s*([3-5])\s*级(?!\s*(?:及|或)?\s*以上)",
                                  folded[figure.end:term.start]) if figure.end <= term.start else None
                if exact and not severe_context:  # 1 例发生…3 级腹腔感染: one patient, grade 3
                    fields.setdefault("patients", count_value(figure))
                    fields.setdefault("grade_3_plus", count_value(figure))
                    fields["max_grade"] = max(fields.get("max_grade", 0), int(exact.group(1)))
                elif severe_context or GRADE_3_PLUS.search(before) or GRADE_3_PLUS.search(after):
                    fields.setdefault("grade_3_plus", count_value(figure))
                else:
                    fields.setdefault("patients", count_value(figure))
            elif figure.start in pairs:
                self.event_figures.add(figure.start)
                n, of = pairs[figure.start]
                fields.setdefault("grade_3_plus" if severe_context else "patients", n)
                fields.setdefault("of", of)
        if states_absence(text[list_start:term.end]):
            severe = NONE_FROM_3.search(folded[list_start:term.start])  # not 无 5 级 CRS: grade 3 may have occurred
            if severe:
                fields.setdefault("grade_3_plus", 0)  # 未见 3 级及以上 CRS
            elif not fields.get("patients") and not re.search(r"[1-5]\s*级", folded[list_start:term.start]):
                fields.setdefault("patients", 0)  # (无 5 级 CRS says nothing of the others)
        if fields != before_fields and not part.summary_found:  # the first clause that gives its figures
            part.clause = text[list_start:max(list_end, min(end, len(text)))].strip(" ，,；;。")
            part.summary_found = True
        elif not part.clause:
            part.clause = text[list_start:list_end].strip(" ，,；;。")
        if fields == before_fields:  # a sentence that only names the event (主要终点为剂量限制性毒性…)
            if id(part) not in had:
                self.parts.remove(part)
                return
            if len(part.sentences) > had[id(part)]:
                part.sentences.remove(sentence)
        # not the other arm's, after it or in its clauses
        stated_before = [d for d in denominators if d.start < end and (d in figures or not segment_start <= d.start)]
        if "of" not in fields and stated_before and ("patients" in fields or "grade_3_plus" in fields):
            fields["of"] = count_value(stated_before[-1])
        for name in ("patients", "grade_3_plus"):
            if name in fields and "of" in fields and fields[name] > fields["of"]:
                fields.pop("of")
        if "percent" in fields and "patients" in fields and "of" in fields and not rate_agrees(
                fields["percent"], fields["patients"], fields["of"]):
            fields.pop("of")

    def grades_for_all(self, sentence: Sentence, events: list[Term]) -> None:
        """均为 1～2 级 after 腹痛（7 例）和发热（6 例）: the highest grade of each event listed; after 指甲改变 35 例，
        皮肤反应 27 例，味觉障碍 24 例，均为 1～2 级 too, each in its own clause."""
        listed_apart = re.search(r"[，,]\s*均为?\s*(?:\d\s*[～~–\-至到]\s*)?([1-5])\s*级", sentence.folded)
        if listed_apart:
            before = [t for t in events if t.start < listed_apart.start()]
            clauses = {list_clause(sentence.text, t.start) for t in before}
            if len(before) >= 2 and len(clauses) == len(before) and not re.search(r"[；;]", sentence.folded[
                    min(t.start for t in before):listed_apart.start()]):
                for term in before:
                    part = next((p for p in self.parts if p.section == EVENT and sentence in p.sentences
                                 and bare(p.name) == bare(term.name) and "patients" in p.fields), None)
                    if part is not None:
                        part.fields.setdefault("max_grade", int(listed_apart.group(1)))
        for start, end in {list_clause(sentence.text, t.start) for t in events}:
            listed = [t for t in events if start <= t.start < end]
            if len(listed) < 2:
                continue
            after = list_clause(sentence.folded, end + 1) if end < len(sentence.text) else None
            if after is None:
                continue
            grade = re.match(r"\s*均为?\s*(?:\d\s*[～~–\-至到]\s*)?([1-5])\s*级", sentence.folded[after[0]:after[1]])
            for term in listed if grade else ():
                part = self.part_for(EVENT, term.name, term.kind, sentence, None, None)
                part.fields.setdefault("max_grade", int(grade.group(1)))

    def read_follow_up(self, sentence: Sentence) -> None:
        for figure in sentence.figures:
            if figure.kind not in DURATIONS:
                continue
            before = sentence.folded[max(0, figure.start - 14):figure.start]
            if not FOLLOW_UP.search(before):
                continue
            field_name = "longest" if LONGEST.search(before) else "median" if MEDIAN.search(before) else None
            if field_name is None or field_name in self.follow_up:
                continue
            unit = DURATIONS[figure.kind]
            if self.follow_up.get("unit", unit) != unit:
                continue
            self.follow_up.update({field_name: figure.value, "unit": unit})
            spread = re.match(r"\s*(?:个月|月|年|周|天)?\s*[（(]\s*(?:范围|range)?\s*[：:]?\s*\d+(?:\.\d+)?\s*[-–—~～至到]\s*"
                              r"(\d+(?:\.\d+)?)\s*(?:个月|月|年|周|天)", sentence.folded[figure.end:])
            if spread and field_name == "median" and "longest" not in self.follow_up:
                self.follow_up["longest"] = Decimal(spread.group(1))  # 中位随访 13.5 个月（范围 6.2～18.9 个月）
            if bound_of(sentence.text, figure) != "exact":
                self.follow_up["bound_note"] = bound_of(sentence.text, figure)
            clause = sentence.text[slice(*clause_around(sentence.text, figure.start, 0, len(sentence.text)))]
            self.follow_up.setdefault("summary", []).append(clause.strip(" ，,；;。"))
            self.follow_up.setdefault("sentences", []).append(sentence)
            sentence.topics.append("follow-up")

    # -- what the article says of the study ---------------------------------------------------

    def with_topic(self, topic: str, pattern: re.Pattern) -> list[Sentence]:
        found = [s for s in self.sentences if pattern.search(s.text) or pattern.search(s.folded)]
        for sentence in found:
            sentence.topics.append(topic)
        return found

    def phase(self) -> tuple[Any, list[Sentence]]:
        stated: dict[str, list[Sentence]] = {}
        for sentence in self.sentences:
            if sentence.background:
                continue
            for phase in phases_stated(sentence.text):
                stated.setdefault(phase, []).append(sentence)
        if len(stated) == 1:
            phase, sentences = next(iter(stated.items()))
            for sentence in sentences[:1]:
                sentence.topics.append("design")
            return phase, sentences[:1]
        if not stated:
            return Noted("not-reported", "the article names no trial phase (I 期, phase 2 …)"), []
        return Todo("the article names several phases: which is this study's?",
                    [f"{phase}: “{sentences[0].text[:60]}”" for phase, sentences in sorted(stated.items())]), []

    def design(self) -> tuple[dict[str, Any], list[Sentence]]:
        lexicon = lexicon_for()
        words: dict[str, str] = {}
        sentences: list[Sentence] = []
        design_groups = {"single-arm", "multi-centre", "single-centre", "prospective", "retrospective",
                         "first-in-human", "case-series", "case-report", "open-label", "single-blind",
                         "double-blind", "randomised", "non-randomised", "controlled", "parallel", "crossover",
                         "sequential", "observational"}
        # The article's own words first: 单臂 from its text before single-arm from a quoted English title.
        for chinese in (True, False):
            for sentence in (s for s in self.sentences if not s.background and not CRITIQUE.search(s.folded)):
                found = [(group, word) for group, word in lexicon.found(fold(sentence.text))
                         if group in design_groups and group not in words
                         and bool(re.search(r"[\u4e00-\u9fff]", word)) == chinese]
                if not found or len(sentences) >= 3:
                    continue
                sentences.append(sentence)
                sentence.topics.append("design")
                for group, word in found:
                    words.setdefault(group, original_form(sentence, word))
        trial = re.compile(r"临床试验|试验|注册号|clinicaltrials|\btrial\b", re.IGNORECASE)
        if not any(trial.search(s.folded) for s in sentences):
            stated = next((s for s in self.sentences if not s.background and trial.search(s.folded)), None)
            if stated is not None:
                sentences.append(stated)
                stated.topics.append("design")
        groups = set(words)
        randomised = "randomised" in groups and "non-randomised" not in groups
        trial_stated = any(trial.search(s.folded) for s in sentences)
        design: dict[str, Any] = {
            "study_type": "observational" if "observational" in groups else "case-report" if "case-report" in groups
            else "interventional" if trial_stated else Todo("interventional, observational, case-report or "
                                                            "registry-analysis: no sentence says 试验 or trial"),
            "allocation": "randomized" if randomised else "non-randomized" if "non-randomised" in groups
            else "na" if "single-arm" in groups else "not-reported",
            "intervention_model": "single-group" if "single-arm" in groups else "parallel" if "parallel" in groups
            else "crossover" if "crossover" in groups else "sequential" if "sequential" in groups else "not-reported",
            "masking": "none" if "open-label" in groups else "double" if "double-blind" in groups
            else "single" if "single-blind" in groups else "not-reported",
        }
        summary = "、".join(words.values())
        design["summary"] = summary if summary else Todo("the design in words (单臂、开放标签 …): the article "
                                                         "names none the lexicon knows")
        return design, sentences

    def registry_ids(self) -> list[str]:
        found: list[str] = []
        for sentence in self.with_topic("registry", REGISTRY):
            found += [m.group(1) for m in REGISTRY.finditer(sentence.text) if m.group(1) not in found]
        return found

    def source(self) -> tuple[dict[str, Any], list[Sentence]]:
        source: dict[str, Any] = {}
        sentences = []
        for sentence in self.sentences:
            if not PUBLISHED_NEAR.search(sentence.folded):
                continue
            journal = journal_in(sentence.text)
            if journal is None:
                continue
            sentences.append(sentence)
            sentence.topics.append("source")
            source.update(journal)
            date = DATE_ZH.search(sentence.text)
            if date:
                year, month, day = date.groups()
                source["published"] = f"{int(year):04d}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
            break
        for sentence in self.sentences:
            doi = DOI.search(sentence.text)
            if doi:  # checked against the article itself: its sentence need not be an excerpt
                source["doi"] = balanced(doi.group().rstrip(".,;"))
                break
        if "journal" not in source:
            source["journal"] = Todo("the journal that published the results (the article names none in 《》 "
                                     "beside 发表); for a congress abstract, the congress")
        return source, sentences

    def product_and_targets(self) -> tuple[Any, list[str] | Todo]:
        text = " ".join(s.text for s in self.sentences)
        targets = [t for t in TARGETS if re.search(rf"(?<![A-Za-z0-9]){re.escape(t)}(?![0-9A-Za-z])", text)]
        registry = set(REGISTRY.findall(text))
        counts: dict[str, int] = {}
        for match in PRODUCT.finditer(text):
            code = match.group(1)
            if code in targets or code in registry or re.fullmatch(r"(?:CD|IL|HER)\d+|[A-Z]\d|NCT\d+", code):
                continue
            counts[code] = counts.get(code, 0) + 1
        ranked = sorted(counts, key=lambda code: (-counts[code], text.find(code)))
        if ranked and counts[ranked[0]] >= 2:
            product: Any = Noted(ranked[0], "the code the article names most often"
                                 + (f"; also: {', '.join(ranked[1:4])}" if len(ranked) > 1 else ""))
        else:
            product = Todo("the product's name (the article names no code twice)", ranked[:5])
        return product, (targets or Todo("the antigen(s) the CAR targets", []))

    def disease(self) -> Any:
        counts: dict[str, int] = {}
        for sentence in self.sentences:
            for match in DISEASE.finditer(sentence.folded):
                start, end = match.span(1)
                treats = list(re.finditer(r"治疗|疗法|用于|针对", sentence.folded[start:end]))
                if treats:
                    start += treats[-1].end()  # CAR-T 治疗难治性全身型重症肌无力: the disease after 治疗
                lead = re.match(r"(?:在|对|于|一种|其中|的|和|与|及|名|例|位|患有|罹患)+",
                                sentence.folded[start:end])
                phrase = sentence.text[start + (lead.end() if lead else 0):end].strip()
                if len(phrase) >= 3:
                    counts[phrase] = counts.get(phrase, 0) + 1
        if not counts:
            return Todo("the indication (the disease and its stage, as the article says it)")
        staged = re.compile(r"^(?:复发|復發|难治|難治|晚期|转移|轉移|初治)")
        ranked = sorted(counts, key=lambda p: (-counts[p], not staged.match(p), -len(p)))
        return Todo("the indication, in the article's words", ranked[:4]) if len(ranked) > 1 and \
            counts[ranked[0]] == counts[ranked[1]] else Noted(ranked[0], "the disease the article names most often")

    def cell_source(self) -> Any:
        """Autologous or allogeneic, as a candidate only: a news article may name another product's
        cell source (通用型 CAR-T in development), and check does not verify this field."""
        found = [(source, sentence) for sentence in self.sentences for source, pattern in CELL_SOURCE.items()
                 if pattern.search(sentence.text)]
        if not found:
            return Noted("not-reported", "the article says neither 自体 nor 异基因/同种异体")
        for _, sentence in found[:2]:
            sentence.topics.append("product")
        self.cell_source_sentences = [sentence for _, sentence in found[:2]]
        sources = {source for source, _ in found}
        if len(sources) == 1:
            return Noted(sources.pop(), f"the only cell source the article names (“{found[0][1].text[:40]}…”); "
                                        "check it is this product's")
        return Todo("autologous, allogeneic or not-reported: the article says",
                    [f"{source}: “{sentence.text[:70]}”" for source, sentence in found[:4]])

    # -- the row ------------------------------------------------------------------------------

    def excerpt_id(self, sentence: Sentence, prefix: str) -> str:
        if id(sentence) in self.ids:
            return self.ids[id(sentence)]
        topic = sentence.topics[0] if sentence.topics else "text"
        base = f"{prefix}-{topic}"
        candidate, number = base, 2
        while candidate in self.taken_ids:
            candidate, number = f"{base}-{number}", number + 1
        self.taken_ids.add(candidate)
        self.ids[id(sentence)] = candidate
        return candidate

    def row(self) -> dict[str, Any]:
        """The proposed row, in the order of the shipped tables' rows."""
        self.finish_events()
        self.fill_denominators()
        self.drop_clashing_quotes()
        phase, phase_sentences = self.phase()
        design, design_sentences = self.design()
        registry_ids = self.registry_ids()
        source, source_sentences = self.source()
        product, targets = self.product_and_targets()
        prefix = study_prefix(product, self.article.id)

        def ids(sentences: list[Sentence]) -> list[str]:
            return list(dict.fromkeys(self.excerpt_id(s, prefix) for s in sentences))

        row: dict[str, Any] = {"id": Todo("the row's id (lower-case letters, digits and -), unique in the table",
                                          [f"{prefix}-{self.class_id.removeprefix('car-')}"])}
        row["title"] = Todo("a short name for the row, e.g. “<product> II 期试验”", [])
        row["product"] = product
        row["targets"] = targets
        row["cell_source"] = self.cell_source()
        row["indication"] = self.disease()
        # The sentences a curator words these from are quoted too, so that their figures are backed.
        eligibility = sorted((s for s in self.sentences if not s.background and not s.heading
                              and (AGE_RANGE.search(s.folded) or re.search(
                                  r"既往|至少[^，,。]{0,4}(?:线|种)|入组标准|纳入标准|收案|入选|年满|不适合|不耐受", s.folded))),
                             key=lambda s: not AGE_RANGE.search(s.folded))[:3]
        for sentence in eligibility:
            sentence.topics.append("population")
        row["population"] = Todo("who was treated (age, prior therapy), in the words of the population excerpt",
                                 [s.text[:90] for s in eligibility])
        row["design"] = design
        row["phase"] = phase
        row["registry_ids"] = registry_ids
        dosing = [s for s in self.sentences if not s.background and not s.heading
                  and re.search(r"剂量|×\s*10|清淋|淋巴细胞清除|环磷酰胺|氟达拉滨|输注|回输", s.folded)
                  and re.search(r"×\s*10|mg|清除|清淋|预处理", s.folded)][:3]
        for sentence in dosing:
            sentence.topics.append("dosing")
        row["intervention"] = Todo("the product, dose and conditioning, in one line, in the words of the dosing "
                                   "excerpt", [s.text[:90] for s in dosing])
        if self.enrollment:
            enrollment: dict[str, Any] = {role: self.enrollment[role][0]
                                          for role in ("enrolled", "treated", "evaluable") if role in self.enrollment}
            enrollment["excerpts"] = ids([self.enrollment[r][1] for r in ("enrolled", "treated", "evaluable")
                                          if r in self.enrollment])
            row["enrollment"] = enrollment
        else:
            row["enrollment"] = Todo("how many were enrolled, treated, evaluable (the article gives no count "
                                     "with 入组, 输注 or 可评估)")
        baseline = [self.measurement(p, ids) for p in self.parts if p.section == BASELINE and p.fields]
        if baseline:
            row["baseline"] = baseline
        outcomes = [self.measurement(p, ids) for p in self.parts if p.section == OUTCOME and has_figure(p)]
        rates = [o for o in outcomes if o.get("unit") == "%" and not self.is_subgroup(o.get("population"))]
        main = next((o for o in rates if re.search(r"ORR|客观缓解|客觀緩解|总缓解|總緩解|缓解率|緩解率", o["name"])),
                    rates[0] if rates else None)
        if main is not None:
            main["headline"] = Noted(True, "the main efficacy outcome (handouts chart it); move if another is")
        row["outcomes"] = outcomes or Todo("the efficacy outcomes: the article states no figure beside a name "
                                           "the draft knows")
        events = [self.event(p, ids) for p in self.parts if p.section == EVENT
                  and any(key in p.fields for key in ("patients", "percent", "max_grade", "grade_3_plus"))]
        if events:
            row["adverse_events"] = events
        else:
            row["safety_not_reported"] = Todo("why there are no adverse events (the draft found none)")
        if self.follow_up.get("median") is not None or self.follow_up.get("longest") is not None:
            follow = {key: self.follow_up[key] for key in ("median", "longest") if key in self.follow_up}
            follow["unit"] = self.follow_up["unit"]
            follow["summary"] = "；".join(dict.fromkeys(self.follow_up["summary"]))
            follow["excerpts"] = ids(self.follow_up["sentences"])
            row["follow_up"] = follow
        row["source"] = source
        row["added"] = self.added.isoformat()
        # What the article says the study lacks is quoted: the reasons for rating down are worded from it.
        limits = [s for s in self.sentences if not s.heading and LIMITS.search(s.folded)][:2]
        for sentence in limits:
            sentence.topics.append("limitations")
        row["certainty"] = {"rated_down": Todo(
            "the GRADE domains that lower the certainty, as a list (the rating itself is computed from the design)",
            certainty_candidates(design, self.enrollment) + [f"(the article: “{s.text[:70]}”)" for s in limits])}
        used = [s for s in self.sentences if id(s) in self.ids]
        extra = [s for s in phase_sentences + design_sentences + source_sentences + eligibility + dosing + self.cell_source_sentences + limits
                 + [s for s in self.sentences if "registry" in s.topics] if id(s) not in self.ids]
        for sentence in extra:
            self.excerpt_id(sentence, prefix)
        used = [s for s in self.sentences if id(s) in self.ids]
        row["excerpts"] = [{"id": self.ids[id(s)], "article": self.article.id, "text": s.text} for s in used]
        return row

    def is_subgroup(self, population: str | None) -> bool:
        """A population narrower than the evaluable or treated patients (可评估患者 is everyone assessed)."""
        return bool(population) and not re.fullmatch(r"(?:可评估|可評估|可评价|可評價|接受[^，,]{0,6}的|全部|所有)患者",
                                                     population)

    def drop_clashing_quotes(self) -> None:
        """An event quoted by words that hold another event's name (标准治疗组：3 级及以上感染, quoted_as
        3 级及以上感染, beside 感染) is refused by the check: left out, for the curator to add by hand."""
        events = [p for p in self.parts if p.section == EVENT]
        for part in events:
            plain = [p for p in events if "：" not in p.name and any(simplified(compact(q)) in names_in(p.name)
                                                                   for q in part.fields.get("quoted_as", []))]
            if self.arms and part.name.startswith(f"{self.arms[0]}：") and plain:
                # CAR-T 组：CRS beside the CRS of the trial's sentences elsewhere: one event, the trial arm's
                for key, value in part.fields.items():
                    if key != "quoted_as" and not plain[0].fields.get(key):  # (a 0 from an absence gives way)
                        plain[0].fields[key] = value
                plain[0].sentences += [s for s in part.sentences if s not in plain[0].sentences]
                self.parts.remove(part)
                continue
            quoted = part.fields.get("quoted_as", [])
            if any(other is not part and "：" not in other.name and bare(other.name) != bare(part.name)
                   and any(word in simplified(compact(form)) for word in names_in(other.name)) for other in self.parts for form in quoted):
                self.parts.remove(part)  # (an outcome's name too: 死亡 in 治疗相关死亡)

    def fill_denominators(self) -> None:
        """The N of a rate given as n and a percentage (男性 41 例（56.9%）, 味觉障碍（29 例，40.3%）): the
        group the article counts (in the sentence, its paragraph, or the enrolment) whose size the rate
        implies, as the checker accepts it (a stated rate implies its denominator)."""
        for part in self.parts:
            fields = part.fields
            rate, n = (fields.get("percent"), fields.get("patients")) if part.section == EVENT else (
                fields.get("value") if fields.get("unit") == "%" else None, fields.get("n"))
            if rate is None or n is None or "of" in fields:
                continue
            first = part.sentences[0]
            nearby = [(count_value(f), first) for f in first.figures if count_value(f)]
            paragraph = [(count_value(f), s) for s in self.sentences if s.block == first.block and not s.background
                         for f in s.figures if count_value(f)]
            enrolled = list(self.enrollment.values())
            fitting = next(((size, sentence) for size, sentence in nearby + paragraph + enrolled
                            if size > n and rate_agrees(rate, n, size)), None)
            if fitting is not None:
                fields["of"] = fitting[0]
                if fitting[1] not in part.sentences:  # the checker finds the N in the part's excerpts
                    part.sentences.append(fitting[1])

    def paragraph_denominator(self, part: Part) -> tuple[int, Sentence] | None:
        """The denominator stated last before (or in) an event's sentence, in its paragraph (CRS 发生率
        为 71.1%（27/38）…研究期间未发生治疗相关死亡: 38)."""
        first = part.sentences[0]
        words = (part.fields.get("quoted_as") or [part.name])[0]
        named_at = first.text.find(words) if words in first.text else len(first.text)
        found = None
        for sentence in self.sentences:
            if sentence.block != first.block or sentence.background:
                continue
            until = named_at if sentence is first else len(sentence.text)  # not the other arm's 22/201 after it
            for start, (_, of) in pairs_in(sentence).items():
                if start < until:
                    found = (of, sentence)
            for figure in sentence.figures:
                if count_value(figure) and is_denominator(sentence.text, figure) and figure.start < until:
                    found = (count_value(figure), sentence)
            if sentence is first:
                break
        return found

    def finish_events(self) -> None:
        """Each event under its fullest name in the article (细胞因子释放综合征（CRS） for CRS), with the
        sentence that grades it when one names it (check needs the grading where the event is named)."""
        for part in (p for p in self.parts if p.section == OUTCOME and re.fullmatch(r"[A-Za-z/]+(?:\s*率)?", p.name)):
            abbreviation = re.match(r"[A-Za-z/]+", part.name).group()
            fuller = [t.name for s in self.sentences for t in terms_in(s)
                      if t.section == OUTCOME and re.search(rf"[（(]{re.escape(abbreviation)}[）)]", t.name)]
            if fuller:
                part.name = min(fuller, key=len)  # PR -> 部分缓解（PR）, as the article defines it
        for part in (p for p in self.parts if p.section == EVENT):
            fields = part.fields
            counted = [fields[k] for k in ("patients", "grade_3_plus") if k in fields]
            stated = self.paragraph_denominator(part) if counted and "of" not in fields else None
            if stated and stated[0] >= max(counted) and (
                    "percent" not in fields or "patients" not in fields
                    or rate_agrees(fields["percent"], fields["patients"], stated[0])):
                fields["of"] = stated[0]
                if stated[1] not in part.sentences:
                    part.sentences.append(stated[1])
            if re.fullmatch(r"[A-Za-z-]+", part.name):
                fuller = [t.name for s in self.sentences for t in terms_in(s)
                          if t.kind == part.kind and part.name in t.name and t.name != part.name]
                if fuller:
                    part.name = max(fuller, key=len)
            abbreviation = ABBREVIATIONS.get(part.kind)
            if abbreviation and abbreviation not in part.name and any(
                    bare(part.name) not in bare(s.text) for s in part.sentences):
                part.name = f"{part.name}（{abbreviation}）"  # 13 例发生 CRS: the check finds it by either name
            if re.fullmatch(r"[A-Za-z-]+", part.name) and part.kind == "other":
                # 最常见的副作用是 TIAN: named in full where the article defines it, 肿瘤发炎相关神经毒性（TIAN）
                defined = [m.group() for s in self.sentences for m in re.finditer(
                    rf"[\u4e00-\u9fff]{{2,16}}[（(]{re.escape(part.name)}[）)]", s.text)]
                if defined:
                    part.name = LABEL_LEAD.sub("", defined[0])
            for sentence in self.sentences:
                named = (part.kind == "other" and part.name in sentence.text) or any(
                    bare(t.name) == bare(part.name) or (t.kind == part.kind and part.kind in ONE_OF_A_KIND)
                    for t in terms_in(sentence))
                if sentence.background or not named:
                    continue
                grading = grading_in(sentence, part)
                if grading is not None:
                    part.fields["grading"] = grading
                    if sentence not in part.sentences:
                        part.sentences.append(sentence)
                        sentence.topics.append("safety")
                    break

    def measurement(self, part: Part, ids) -> dict[str, Any]:
        fields = part.fields
        name = part.name
        population = fields.get("population") or ""
        if re.search(r"\d", re.sub(r"[A-Za-z][A-Za-z0-9.+/-]*", "", name)) and population and \
                not (self.arms and any(population.startswith(arm) for arm in self.arms)):
            # a threshold in a subgroup's name: the checker wants both (never an arm's name in brackets: it
            # would name every figure of that arm; nor a product code's digits)
            name += f"（{population}）"
        item: dict[str, Any] = {"name": name}
        item["measure"] = fields.get("measure", "count" if "n" in fields else "status")
        for key in ("value", "unit", "n", "of", "ci", "bound", "timepoint", "population", "quoted_as"):
            if key in fields:
                item[key] = fields[key]
        item["excerpts"] = ids(part.sentences)
        return item

    def event(self, part: Part, ids) -> dict[str, Any]:
        fields = part.fields
        item: dict[str, Any] = {"term": part.name, "kind": part.kind or "other"}
        item["grading"] = fields.get("grading") or self.no_grading()
        for key in ("patients", "of", "percent", "max_grade", "grade_3_plus", "quoted_as"):
            if key in fields:
                item[key] = fields[key]
        item["summary"] = plain_summary(part.clause)
        item["excerpts"] = ids(part.sentences)
        return item

    def no_grading(self) -> Any:
        systems = [s for s in self.sentences for pattern in GRADING.values() if pattern.search(s.text)]
        if systems:
            return Noted({"system": "not-reported"}, f"“{systems[0].text[:30]}…” grades, but does not name this "
                                                     "event; the check needs the grading where the event is named")
        return {"system": "not-reported"}


def grading_in(sentence: Sentence, part: Part) -> dict[str, str] | None:
    """The grading system and version a sentence gives an event: the first system named after the
    event (CRS 和 ICANS 均按 ASTCT 2019 …，其他不良事件按 CTCAE 5.0), else the last one before it."""
    names = [(t.start, t.end) for t in terms_in(sentence) if bare(t.name) == bare(part.name)
             or (t.kind == part.kind and part.kind in ONE_OF_A_KIND)]
    if not names and part.kind == "other" and part.name in sentence.text:  # an event the vocabulary does not know
        at = sentence.text.index(part.name)
        names = [(at, at + len(part.name))]
    if not names:
        return None
    at = names[0][1]
    # The checker reads a sentence as cut at ；too: the grading must stand in that part.
    start, end = next((a, b) for a, b in sentences_of(sentence.text) if a <= names[0][0] < b)
    found = []
    for system, pattern in GRADING.items():
        for match in pattern.finditer(sentence.folded, start, end):
            version = re.match(r"[^，,。；;\d]{0,8}?(?:v|V|第)?\s*(\d{4}|\d+\.\d+)", sentence.text[match.end():])
            if version:
                found.append((match.start(), system, version.group(1)))
    after = sorted(f for f in found if f[0] >= at)
    before = sorted(f for f in found if f[0] < at)
    chosen = after[0] if after else before[-1] if before else None
    return None if chosen is None else {"system": chosen[1], "version": chosen[2]}


def listed_label(sentence: Sentence, figure: Figure) -> Term | None:
    """What 分别有 29 例和 38 例患者死亡 counts: the words after the list's last figure (死亡)."""
    start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    last = max((f for f in sentence.figures if f.kind == figure.kind and start <= f.start < end), key=lambda f: f.start)
    after = last.end + unit_length(sentence.text, last.end)
    words = re.match(r"\s*(?:患者|病人)?\s*([\u4e00-\u9fff]{2,12})", sentence.folded[after:end])
    if words is None:
        return None
    return Term(after + words.start(1), after + words.end(1), sentence.text[after + words.start(1):after + words.end(1)],
                OUTCOME, None)


ARM = re.compile(r"([A-Za-z][A-Za-z0-9-]{1,11}|[\u4e00-\u9fff]{2,6})\s*组")


def arms_of(sentences: list[Sentence]) -> list[str]:
    """A randomised trial's arms (HX-B207 组, 标准治疗组), as the sentence that randomises names them."""
    for sentence in sentences:
        if re.search(r"随机", sentence.folded) and not sentence.background:
            found = []
            for match in ARM.finditer(sentence.text):
                alias = re.match(r"\s*[（(]\s*([\u4e00-\u9fffA-Za-z0-9-]{1,8}组)", sentence.text[match.end():])
                name = alias.group(1) if alias else match.group()  # 研究者选择的治疗组（对照组，52 例）: 对照组
                if not re.search(r"亚|患者|入组|分组|各组|两组|每组", name):  # not 例患者入组, 随机分组
                    found.append(name)
            arms = list(dict.fromkeys(re.sub(r"^(?:进入|纳入|分配至|分为|分至|至|到|为|入|和|与|及|或)", "", arm).strip() for arm in found))
            if len(arms) >= 2:
                return arms[:2]
    return []


def group_counted_in(sentence: Sentence, figure: Figure) -> str | None:
    """AITL 患者 11 例中有 9 例缓解: the group a count is of, named before its denominator in the clause."""
    start = clause_start(sentence, figure)
    group = re.search(r"([^，,；;。\d]{2,14}?(?:患者|病人|病患))\s*\d+\s*(?:例|名|位|人)中[^，,；;。\d]{0,4}$",
                      sentence.text[start:figure.start])
    return LABEL_LEAD.sub("", group.group(1)).strip() or None if group else None


ABBREVIATIONS = {"crs": "CRS", "icans": "ICANS", "dlt": "DLT"}


def names_in(name: str) -> set[str]:
    """The forms the checker knows an item by (text.figures.term_forms: 细胞因子释放综合征（CRS） is also CRS),
    simplified."""
    return {simplified(form) for form in term_forms(name, [])}


def arm_named(name: str) -> str:
    """The arm an event's name begins with (标准治疗组：神经毒性), or ''."""
    return name.split("：", 1)[0] if "：" in name else ""


def subgroup_with_interval(sentence: Sentence, figure: Figure) -> str | None:
    """The subgroup (在…中) the checker reads for a figure, or for the level of its confidence interval."""
    span = (0, len(sentence.text))
    interval = CI_AFTER.match(sentence.text, figure.end + unit_length(sentence.text, figure.end))
    levels = [f for f in sentence.figures if interval and interval.start() <= f.start < interval.end() and f.kind == PERCENT]
    return subgroup_of(sentence.text, figure, span) or next(
        (found for found in (subgroup_of(sentence.text, f, span) for f in levels) if found), None)


def median_time_label(sentence: Sentence, figure: Figure) -> Term | None:
    """外周血 B 细胞在输注后中位 98 天（61~152 天）重新出现: the time until what the clause says happened,
    named by its subject and its verb (外周血 B 细胞重新出现时间)."""
    start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    before = sentence.text[start:figure.start]
    median = re.search(r"中位\s*$", before)
    if median is None:
        return None
    subject = re.sub(r"(?:在|于|於)?\s*(?:输注|輸注|治疗|治療|回输|回輸)?\s*(?:后|後)?\s*$", "", before[:median.start()])
    subject = LABEL_LEAD.sub("", subject.strip(" ，,"))
    after = sentence.text[figure.end + unit_length(sentence.text, figure.end):end]
    after = re.sub(r"^\s*[（(][^）)]*[）)]", "", after)
    verb = re.match(r"\s*(?:后|後|时|時|已|即|便|就)?\s*([\u4e00-\u9fff]{2,8})", after)
    if len(re.findall(r"[\u4e00-\u9fffA-Za-z]", subject)) < 2 or verb is None:
        return None
    return Term(start, end, f"{subject}{verb.group(1)}时间", OUTCOME, None, quoted=subject)


def arm_in(arm: str | None, subgroup: str | None) -> str | None:
    """An arm in the subgroup the sentence is about (在意向治疗（ITT）人群中，…标准治疗组为 11.8 个月):
    标准治疗组（意向治疗（ITT）人群）; the one or the other when only one is given."""
    if arm and subgroup and arm not in subgroup:
        return f"{arm}（{subgroup.strip()}）"
    return arm or subgroup


def score_unit(text: str, figure: Figure) -> str:
    """The unit written after a figure, a score's 分 (26 分) and 个百分点 included."""
    unit = text[figure.end:figure.end + unit_length(text, figure.end)].strip()
    score = re.match(r"\s*(分|个百分点|個百分點)", text[figure.end:])
    return unit or (score.group(1) if score else "")


def own_phrase(sentence: Sentence, figure: Figure) -> str:
    """The words of a count's own phrase: its clause, from the count before it to the count after it
    (20 例可评估患者中 17 例达到…: 可评估 is the 20's, not the 17's)."""
    start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    counts = [f for f in sentence.figures if count_value(f) and start <= f.start < end]
    before = [f.end for f in counts if f.end <= figure.start]
    after = [f.start for f in counts if f.start > figure.start]
    return sentence.text[max(before, default=start):min(after, default=end)]


def has_figure(part: Part) -> bool:
    return any(key in part.fields for key in ("value", "n"))


def study_prefix(product: Any, article_id: str) -> str:
    """The excerpt ids' prefix: the product's code (xh19b), else the article id's distinctive part."""
    code = product.value if isinstance(product, Noted) else None
    if code:
        return re.sub(r"[^a-z0-9]", "", code.lower())[:12] or article_id[:12]
    return re.sub(r"^car-(?:t|nk|m)-", "", article_id)[:16].strip("-")


def certainty_candidates(design: dict[str, Any], enrollment: dict[str, tuple[int, Sentence]]) -> list[str]:
    """Lines the curator may keep, uncommented: the usual reasons for a single-arm early trial, worded
    with the article's own clause for the sample (the checker matches a count by its words)."""
    lines = []
    if design.get("allocation") != "randomized":
        summary = design.get("summary")
        words = summary if isinstance(summary, str) else "无对照组"
        lines.append(f"- {{domain: risk-of-bias, levels: 1, reason: {words}，无对照组}}")
    role = next((r for r in ("evaluable", "treated", "enrolled") if r in enrollment), None)
    if role is not None and enrollment[role][0] < 100:
        count, sentence = enrollment[role]
        at = next(f for f in sentence.figures if count_value(f) == count)
        clause = sentence.text[slice(*clause_around(sentence.text, at.start, 0, len(sentence.text)))].strip()
        clause = re.sub(r"^(?:其中|另有|共有|共|而|且)\s*", "", clause)
        lines.append(f"- {{domain: imprecision, levels: 1, reason: 样本量小：{clause}}}")
    return lines


def draft_row(article: Article, class_id: str, added: dt.date, taken_ids: set[str]) -> dict[str, Any]:
    """The proposed row for an indexed article, as plain data with ``Todo`` and ``Noted`` marks."""
    return Draft(article, class_id, added, set(taken_ids)).run().row()


def excerpt_ids_taken(seeds: Path, settings: ProjectSettings) -> set[str]:
    """The excerpt ids the project's tables already use (ids are unique across the project), read as
    check reads a table (its size limit; no aliases, no tags). A table that does not read is
    skipped: its problems are check's to report, with their places."""
    limit = SizeLimit(settings.max_yaml_bytes, "an evidence table", "max_yaml_bytes")
    taken: set[str] = set()
    for path in evidence_paths(seeds):
        loaded = load_yaml(path, Problems(seeds.parent), limit)
        data = loaded[0] if loaded else None
        rows = [*(data.get("studies") or []), *(data.get("landscape") or [])] if isinstance(data, dict) else []
        rows = [row for row in rows if isinstance(row, dict)]
        taken |= {str(e.get("id")) for row in rows for e in row.get("excerpts") or [] if isinstance(e, dict)}
    return taken


def article_of(project: Project, given: Path, settings: ProjectSettings) -> Article:
    """The indexed article a path names (seeds/articles/<id>.md, from here or from the project), read
    as `reports check` reads it."""
    folder = project.seeds / "articles"
    tried = [given] if given.is_absolute() else [project.root / given, given, folder / given]
    path = next((p for p in tried if p.is_file()), None)
    if path is None:
        raise ReportError(f"{given}: no such file; give an article of seeds/articles/ (reports draft "
                          "seeds/articles/NAME.md --class CLASS)")
    if path.resolve().parent != folder.resolve():
        raise ReportError(f"{given}: not an article of this project; add it first with "
                          f"`reports add-article {given}`, then draft seeds/articles/{given.stem}.md")
    problems = Problems(project.root)
    articles = read_articles(project.seeds, problems, settings)
    article = next((a for a in articles.values() if Path(a.path).name == path.name), None)
    if article is None:
        raise ReportError(problems.errors or f"{given}: not listed in seeds/articles.yaml; add it with "
                                             "`reports add-article` (or write its index entry), then draft it")
    return article


def draft_article(project: Project, given: Path, class_id: str, added: dt.date) -> str:
    """The YAML of a drafted row for an article of the project, to go under ``studies:`` in
    seeds/evidence/<class>.yaml."""
    settings = read_settings(project.seeds, Problems(project.root))  # its problems are check's to report
    article = article_of(project, given, settings)
    row = draft_row(article, class_id, added, excerpt_ids_taken(project.seeds, settings))
    undecided = sum(1 for value in _walk(row) if isinstance(value, Todo))
    header = [f"Drafted by `reports draft` from {article.path} on {added.isoformat()}: a proposal, not a "
              "checked row.",
              f"Paste it under studies: in seeds/evidence/{class_id}.yaml, decide the {undecided} TODO "
              "(each has its candidates above it), read every figure against its excerpt, then run "
              "reports check."]
    return row_yaml(row, header)


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, Noted):
        yield from _walk(value.value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
