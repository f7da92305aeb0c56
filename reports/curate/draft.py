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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import yaml

from reports.content.articles import Article, read_articles
from reports.content.citations import JOURNALS, journal_of_chinese_name, known_journal
from reports.content.project import Project
from reports.content.settings import read_settings
from reports.content.verify.claims import fold, lexicon_for, simplified
from reports.content.verify.phases import PHASE_EN, PHASE_ZH, phases_stated
from reports.content.verify.quoted import clause_around
from reports.curate.emit import Noted, Todo, row_yaml
from reports.text.figures import (
    COUNT,
    DAYS,
    GRADE,
    HOURS,
    MONTHS,
    PERCENT,
    WEEKS,
    YEARS,
    Figure,
    bound_of,
    figures_in,
    is_denominator,
    sentences_of,
    states_absence,
    subgroup_of,
    unit_length,
)
from reports.errors import Problems, ReportError
from reports.text.normal import normal_form

DURATIONS = {DAYS: "days", WEEKS: "weeks", MONTHS: "months", YEARS: "years"}


# ---------------------------------------------------------------------------------------------
# What the proposal is made of: plain data in the schema's order, with the two marks the YAML
# writer turns into comments (``emit.Todo``, ``emit.Noted``).


@dataclass
class Sentence:
    """A sentence of the article, as the checker reads excerpts: in the normal form, with its figures."""

    text: str
    figures: tuple[Figure, ...]
    folded: str  # simplified script, same length as text where the conversion keeps it (see ``_simplified``)
    topics: list[str] = field(default_factory=list)  # what the row takes from it: enrolment, efficacy ...
    heading: bool = False
    background: bool = False  # about the disease or another study, not this one (see BACKGROUND)
    block: int = 0  # the paragraph it stands in


# ---------------------------------------------------------------------------------------------
# Names of what is measured. Simplified script; traditional text is matched through OpenCC (t2s).
# (term, abbreviation a source puts beside it, section, adverse event kind)

OUTCOME, BASELINE, EVENT = "outcome", "baseline", "event"

TERMS: list[tuple[str, str, str, str | None]] = [
    # efficacy
    ("客观缓解率", "ORR", OUTCOME, None), ("总缓解率", "ORR", OUTCOME, None), ("总体缓解率", "ORR", OUTCOME, None),
    ("最佳总缓解率", "BOR", OUTCOME, None), ("客观缓解", "ORR", OUTCOME, None), ("客观应答率", "ORR", OUTCOME, None),
    ("严格意义的完全缓解", "sCR", OUTCOME, None), ("完全缓解率", "CR", OUTCOME, None),
    ("完全缓解", "CR", OUTCOME, None), ("完全应答", "CR", OUTCOME, None),
    ("非常好的部分缓解", "VGPR", OUTCOME, None), ("部分缓解", "PR", OUTCOME, None),
    ("疾病控制率", "DCR", OUTCOME, None), ("疾病稳定", "SD", OUTCOME, None), ("疾病进展", "PD", OUTCOME, None),
    ("微小残留病阴性", "MRD", OUTCOME, None), ("微小残留病灶阴性", "MRD", OUTCOME, None), ("MRD阴性", "", OUTCOME, None),
    ("无进展生存期", "PFS", OUTCOME, None), ("无进展生存率", "PFS", OUTCOME, None), ("无进展生存", "PFS", OUTCOME, None),
    ("总生存期", "OS", OUTCOME, None), ("总生存率", "OS", OUTCOME, None), ("总生存", "OS", OUTCOME, None),
    ("缓解持续时间", "DOR", OUTCOME, None), ("持续缓解时间", "DOR", OUTCOME, None),
    ("无事件生存", "EFS", OUTCOME, None), ("无复发生存", "RFS", OUTCOME, None), ("无病生存", "DFS", OUTCOME, None),
    ("无药物缓解", "", OUTCOME, None), ("停用免疫抑制剂", "", OUTCOME, None), ("停药缓解", "", OUTCOME, None),
    ("DORIS缓解", "", OUTCOME, None), ("狼疮低疾病活动状态", "LLDAS", OUTCOME, None),
    ("临床缓解", "", OUTCOME, None), ("缓解率", "", OUTCOME, None), ("应答率", "", OUTCOME, None),
    ("B细胞清除", "", OUTCOME, None), ("B细胞耗竭", "", OUTCOME, None), ("B细胞重建", "", OUTCOME, None),
    ("肿瘤缩小", "", OUTCOME, None), ("无疾病证据", "NED", OUTCOME, None), ("存活", "", OUTCOME, None),
    # baseline
    ("中位年龄", "", BASELINE, None), ("年龄中位数", "", BASELINE, None), ("女性", "", BASELINE, None),
    ("男性", "", BASELINE, None), ("既往治疗线数", "", BASELINE, None), ("既往中位治疗线数", "", BASELINE, None),
    ("既往接受过自体造血干细胞移植", "", BASELINE, None), ("既往造血干细胞移植", "", BASELINE, None),
    ("髓外病变", "", BASELINE, None), ("病程", "", BASELINE, None), ("高危细胞遗传学", "", BASELINE, None),
    ("ECOG", "", BASELINE, None), ("既往使用生物制剂", "", BASELINE, None),
    # adverse events
    ("细胞因子释放综合征", "CRS", EVENT, "crs"), ("细胞因子释放症候群", "CRS", EVENT, "crs"),
    ("细胞激素释放症候群", "CRS", EVENT, "crs"), ("CRS", "", EVENT, "crs"),
    ("免疫效应细胞相关神经毒性综合征", "ICANS", EVENT, "icans"), ("免疫效应细胞相关神经毒性症候群", "ICANS", EVENT, "icans"),
    ("ICANS", "", EVENT, "icans"), ("神经毒性", "", EVENT, "neurotoxicity"),
    ("剂量限制性毒性", "DLT", EVENT, "dlt"), ("DLT", "", EVENT, "dlt"),
    ("第二原发恶性肿瘤", "", EVENT, "secondary-malignancy"), ("继发恶性肿瘤", "", EVENT, "secondary-malignancy"),
    ("继发性恶性肿瘤", "", EVENT, "secondary-malignancy"), ("T细胞恶性肿瘤", "", EVENT, "secondary-malignancy"),
    ("感染", "", EVENT, "infection"),
    ("中性粒细胞减少", "", EVENT, "other"), ("血小板减少", "", EVENT, "other"), ("贫血", "", EVENT, "other"),
    ("血细胞减少", "", EVENT, "other"), ("低丙种球蛋白血症", "", EVENT, "other"), ("发热", "", EVENT, "other"),
    ("噬血细胞性淋巴组织细胞增生症", "HLH", EVENT, "other"), ("噬血细胞综合征", "", EVENT, "other"),
    ("免疫效应细胞相关噬血细胞性淋巴组织细胞增生症样综合征", "IEC-HS", EVENT, "other"),
    ("肿瘤溶解综合征", "TLS", EVENT, "other"), ("治疗相关死亡", "", EVENT, "other"),
    ("严重不良事件", "", EVENT, "other"),
    ("嗜中性白血球低下", "", EVENT, "other"), ("发烧性嗜中性白血球低下", "", EVENT, "other"),
    ("发热性中性粒细胞减少", "", EVENT, "other"), ("粒细胞缺乏", "", EVENT, "other"),
    ("血球低下", "", EVENT, "other"), ("白血球低下", "", EVENT, "other"), ("血小板低下", "", EVENT, "other"),
    ("白细胞减少", "", EVENT, "other"), ("淋巴细胞减少", "", EVENT, "other"),
    ("移植物抗宿主病", "GVHD", EVENT, "other"), ("GVHD", "", EVENT, "other"),
    ("带状疱疹", "", EVENT, "infection"), ("肺炎", "", EVENT, "infection"), ("败血症", "", EVENT, "infection"),
    ("脓毒症", "", EVENT, "infection"), ("巨细胞病毒再激活", "", EVENT, "infection"),
    ("发烧", "", EVENT, "other"), ("腹痛", "", EVENT, "other"), ("腹泻", "", EVENT, "other"),
    ("恶心", "", EVENT, "other"), ("呕吐", "", EVENT, "other"), ("乏力", "", EVENT, "other"),
    ("疲劳", "", EVENT, "other"), ("皮疹", "", EVENT, "other"), ("头痛", "", EVENT, "other"),
    ("低血压", "", EVENT, "other"), ("缺氧", "", EVENT, "other"), ("肝功能异常", "", EVENT, "other"),
    ("转氨酶升高", "", EVENT, "other"), ("输注反应", "", EVENT, "other"), ("凝血功能异常", "", EVENT, "other"),
    ("巨噬细胞活化综合征", "MAS", EVENT, "other"), ("低丙种球蛋白", "", EVENT, "other"),
    ("神经毒性症候群", "", EVENT, "icans"),
    # abbreviations standing alone (ORR 为 75.0%, CR 率为 50.0%)
    ("ORR", "", OUTCOME, None), ("CR/CRi", "", OUTCOME, None), ("CRi", "", OUTCOME, None), ("sCR", "", OUTCOME, None),
    ("VGPR", "", OUTCOME, None), ("CR", "", OUTCOME, None), ("PR", "", OUTCOME, None), ("DCR", "", OUTCOME, None),
    ("PFS", "", OUTCOME, None), ("OS", "", OUTCOME, None), ("DOR", "", OUTCOME, None), ("EFS", "", OUTCOME, None),
    ("缓解状态", "", OUTCOME, None), ("持续缓解", "", OUTCOME, None), ("复合完全缓解", "", OUTCOME, None),
    ("MRD", "", OUTCOME, None), ("微量残存疾病", "MRD", OUTCOME, None), ("微小残留病", "MRD", OUTCOME, None),
    ("整体存活期", "OS", OUTCOME, None), ("无恶化存活期", "PFS", OUTCOME, None), ("反应率", "", OUTCOME, None),
    ("客观反应率", "ORR", OUTCOME, None), ("整体反应率", "ORR", OUTCOME, None), ("完全反应", "CR", OUTCOME, None),
    ("部分反应", "PR", OUTCOME, None), ("疾病稳定", "SD", OUTCOME, None), ("无事件存活", "EFS", OUTCOME, None),
]
TERM_PATTERN = re.compile("|".join(re.escape(fold(term)) for term, *_ in sorted(TERMS, key=lambda t: -len(t[0]))))
TERM_INFO = {fold(term): (abbreviation, section, kind) for term, abbreviation, section, kind in TERMS}

# What a count says of the patients (the checker's ROLE_WORDS, narrowed to the sentence's verbs).
ENROLLED = re.compile(r"入组|入組|纳入|納入|招募|入选|入選|enrolled|recruited")
TREATED = re.compile(r"回输|回輸|输注|輸注|接受了?[^，,。；;]{0,12}(?:治疗|治療|细胞|細胞)|给药|給藥|infused|treated")
EVALUABLE = re.compile(r"可评估|可評估|可评价|可評價|纳入疗效分析|納入療效分析|疗效分析集|evaluable")
# Where an event is (肺部感染, 腹腔感染): kept in its name.
EVENT_SITES = {"肺部", "腹腔", "泌尿", "尿路", "呼吸", "皮肤", "血流", "病毒", "细菌", "真菌", "严重", "重度", "上呼", "下呼"}
# A sentence about what the study lacks or what is still needed: its design words are not this study's
# (该研究为单臂设计，缺乏对照组…仍需在随机对照试验中验证).
CRITIQUE = re.compile(r"仍需|尚需|有待|需要在|需在|未来|局限|缺乏|不足之处|下一步|计划")
LIMITS = re.compile(r"缺乏|局限|样本量小|样本量较小|样本量有限|无对照|没有对照|单臂设计|随访时间(?:较短|有限|仍短)")
ONE_OF_A_KIND = ("crs", "icans", "neurotoxicity", "dlt")  # one event of each kind per study, whatever its name
SAFETY_CONTEXT = re.compile(r"不良事件|安全性|毒性|副作用|不良反应")
LISTED_EVENT = re.compile(r"([\u4e00-\u9fffA-Za-z/]{2,14}?(?:[（(][A-Za-z/]{2,10}[）)][\u4e00-\u9fff]{0,4})?)\s*"
                          r"[（(]\s*\d+\s*(?:例|名|位|人)")
EVENT_LEAD = re.compile(r"^(?:[^，,；;。、]*?(?:主要包括|包括|主要为|主要是|最常见的是|最常见的为|为|是|如|有))?(?:和|及|以及|、)?")
LIST_BREAK = re.compile(r"[，,；;。]")
# A sentence about the disease, standard care or another study: its figures are not this study's.
BACKGROUND = re.compile(r"此前|先前的?研究|先前报道|团队先前|既往研究|国外同类|同类产品|作为参照|据估算|据统计|每年|"
                        r"传统|挽救化疗|救援化疗|历史数据|历史对照|前导研究|前期研究|发病率|盛行率|患病率|新发病例|新诊断的|"
                        r"筹备|计划开展|拟开展|将开展|即将开展|下一步|未来将")
CI_AFTER = re.compile(r"\s*[（(]\s*(\d+)\s*[%％]\s*(?:CI|置信区间|可信区间|信赖区间|信賴區間)\s*[：:，,]?\s*"
                      r"(\d+(?:\.\d+)?)\s*(?:[～~–—-]|至|到)\s*(\d+(?:\.\d+)?)")
IN_SUBGROUP = re.compile(r"在[^，,；;。]{2,40}?中")
MEDIAN = re.compile(r"中位|median", re.IGNORECASE)
FOLLOW_UP = re.compile(r"随访|隨訪|追蹤|追踪|follow-up", re.IGNORECASE)
LONGEST = re.compile(r"最长|最長|最久")
# Grade 3 or higher, in simplified script (matched on the folded text): ≥3 级, 3 级及以上, 3–4 级, 3 级 (exactly), 严重.
SEVERE_RANGE = re.compile(r"≥\s*3\s*级|[3-5]\s*级\s*(?:及|或)?\s*以上|[3-5]\s*[–~-]\s*[45]\s*级|三级及以上|三级以上|严重|重度")
GRADE_3_PLUS = re.compile(r"≥\s*3\s*级|[3-5]\s*级\s*(?:及|或)?\s*以上|[3-5]\s*[–~-]\s*[45]\s*级|"
                          r"(?<![\d–~\-至到])(?<![\d–~\-至到]\s)[3-5]\s*级|三级及以上|三级以上|严重|重度")
AGE_RANGE = re.compile(r"\d+\s*[-–—~～至到]\s*\d+\s*岁")
REGISTRY = re.compile(r"\b(NCT\d{8}|ChiCTR-?[A-Za-z]*\d{6,}|\d{4}-\d{6}-\d{2}(?:-\d{2})?)\b")
DOI = re.compile(r"\b10\.\d{4,9}/[^\s，。；、“”\"']+")
JOURNAL_ZH = re.compile(r"《([^》]{2,40})》")
PUBLISHED_NEAR = re.compile(r"发表|刊登|刊发|在线发表|published|发布")
DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
TIMEPOINT = re.compile(r"(?:(?:治疗|输注|回输|给药)后\s*)?(?:第\s*)?(\d+)\s*(?:天|日|周|个月|月)(?:时|后)?")
TARGETS = ["CD19", "CD20", "CD22", "CD7", "CD5", "CD30", "CD33", "CD38", "CD70", "CD123", "BCMA", "GPRC5D",
           "HER2", "GD2", "GPC3", "Claudin18.2", "CLDN18.2", "MSLN", "EGFR", "EGFRvIII", "B7-H3", "IL13Rα2",
           "PSMA", "MUC1", "CEA", "NKG2D", "ROR1", "CLL1", "FLT3", "DLL3", "TROP2", "ALPP"]
PRODUCT = re.compile(r"(?<![A-Za-z0-9-])([A-Z][A-Za-z]{0,5}-?\d{1,5}[A-Za-z]?\d?)(?![A-Za-z0-9])")
DISEASE = re.compile(r"((?:复发(?:或|/|和)?难治性?|难治(?:或|/)?复发性?|晚期|转移性|初治)?(?:[\u4e00-\u9fffA-Za-z]| (?=[A-Za-z])|(?<=[A-Za-z]) ){0,12}?"
                     r"(?:淋巴瘤|白血病|骨髓瘤|红斑狼疮|狼疮|实体瘤|胶质瘤|神经母细胞瘤|肉瘤|肝癌|胃癌|乳腺癌|肺癌|"
                     r"胰腺癌|卵巢癌|结直肠癌|肌炎|硬化症|重症肌无力|胃食管癌|癌)(?:（[A-Za-z/-]{2,12}）)?)")
CELL_SOURCE = {"autologous": re.compile(r"自体|自體|autologous"),
               "allogeneic": re.compile(r"异基因|異基因|同种异体|同種異體|异体|異體|通用型|allogeneic")}
GRADING = {"ASTCT": re.compile(r"ASTCT|美国移植和细胞治疗学会|美國移植和細胞治療學會"),
           "CTCAE": re.compile(r"CTCAE|不良事件通用术语标准|不良事件通用術語標準")}


def _simplified(text: str) -> str:
    """Text in simplified script for matching names, kept the same length so offsets stay valid."""
    converted = simplified(text)
    return converted if len(converted) == len(text) else text


def article_sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article as printed, block by block, each cut after 。！？ (not at ；:
    a sentence keeps its clauses together, as an excerpt should)."""
    sentences: list[tuple[str, bool, int]] = []
    for number, block in enumerate(article.blocks):
        text = normal_form(block.text)
        start = 0
        for match in re.finditer(r"(?<=[。！？!?])\s*|(?<=[.;])\s+(?=[A-Z])", text):
            if match.start() > start:
                sentences.append((text[start:match.start()], block.heading, number))
            start = match.end()
        if start < len(text):
            sentences.append((text[start:], block.heading, number))
    found = []
    for raw, heading, number in sentences:
        text = raw.strip()
        if len(text) >= 4:
            folded = _simplified(text)
            found.append(Sentence(text, figures_in(text), folded, heading=heading,
                                  background=bool(BACKGROUND.search(folded)), block=number))
    return found


# ---------------------------------------------------------------------------------------------
# The parts of the row.


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
class Term:
    start: int
    end: int
    name: str
    section: str
    kind: str | None


def terms_in(sentence: Sentence) -> list[Term]:
    """The names of measured things in a sentence, each with the abbreviation written beside it."""
    found = []
    folded = sentence.folded.lower()
    taken: list[tuple[int, int]] = [m.span() for m in IN_SUBGROUP.finditer(sentence.text)]  # 在…亚组中: who, not what
    for match in TERM_PATTERN.finditer(folded):
        start, end = match.span()
        if any(a <= start < b for a, b in taken):
            continue
        if re.match(r"[a-z]", match.group()) and (re.match(r"[a-z0-9]", folded[end:end + 1])
                                                  or re.search(r"[a-z0-9-]$", folded[:start])):
            continue  # CR inside CRS, OS inside DOSE
        abbreviation, section, kind = TERM_INFO[match.group()]
        text = sentence.text
        beside = re.match(r"\s*[（(]\s*([A-Za-z][A-Za-z0-9/+-]{1,10})\s*[）)]", text[end:])
        if beside and (not abbreviation or beside.group(1).upper().startswith(abbreviation.upper()[:2])):
            end += beside.end()
        elif re.match(r"\s*[率期]", text[end:end + 2]) and section == OUTCOME:
            end += len(re.match(r"\s*[率期]", text[end:end + 2]).group())  # 无进展生存 + 期, CR 率
        if section == EVENT:
            if re.search(r"[（(](?:包括|如|主要为|主要是|以)[^）)]*$", folded[:start]):
                continue  # 感染（包括上呼吸道感染和带状疱疹）: examples of the event before the bracket
            if folded[max(0, start - 1):start] == "抗":
                continue  # 抗感染治疗: a treatment, not an event
            if re.search(r"因[^，,。；;]{0,12}$", folded[:start]) and re.match(r"[^，,。；;]{0,8}(?:而|未能|未)",
                                                                           folded[end:]):
                continue  # 因疾病进展或感染而未能输注: why a patient was not treated, not an adverse event
            modifier = re.search(r"(?<![\u4e00-\u9fff])?([\u4e00-\u9fff]{2})$", folded[max(0, start - 2):start])
            if modifier and modifier.group(1) in EVENT_SITES:
                start -= 2
        name = text[start:end].strip()
        taken.append((start, end))
        found.append(Term(start, end, name, section, kind))
    if SAFETY_CONTEXT.search(folded):
        # An event the vocabulary does not know, named the way safety results list them: 味觉障碍（29 例，40.3%）
        for match in LISTED_EVENT.finditer(folded):
            start, end = match.span(1)
            lead = EVENT_LEAD.match(folded[start:end])
            start += lead.end() if lead else 0
            if end - start < 2 or any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            found.append(Term(start, end, sentence.text[start:end].strip(), EVENT, "other"))
    return sorted(found, key=lambda term: term.start)


def nearest_term(sentence: Sentence, figure: Figure, terms: list[Term], sections: set[str]) -> Term | None:
    """The name nearest a figure in its clause (a name after it counts half a character further), else
    the last name before it in the sentence."""
    start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    figure_end = figure.end + unit_length(sentence.text, figure.end)
    best, best_distance = None, None
    for term in terms:
        if term.section not in sections or term.end <= start or term.start >= end:
            continue
        distance = figure.start - term.end if term.end <= figure.start else (
            term.start - figure_end + 0.5 if term.start >= figure_end else 0)
        if best_distance is None or distance < best_distance:
            best, best_distance = term, distance
    if best is not None:
        return best
    before = [term for term in terms if term.section in sections and term.end <= figure.start]
    return before[-1] if before else None


# After a count: the patients it counts are those the next figures are of (21 名接受输注的患者中位年龄 …).
POPULATION_SIZE = re.compile(r"\s*(?:例|名|位|人)\s*(?:接受[^，,。；;]{0,8}的|可评估[^，,。；;]{0,6}的|入组的|纳入的|"
                             r"[^，,。；;\d]{0,6}(?:患者|病人)的)(?:患者|病人)?")
# Words a label does not begin or end with: verbs and connectives around a figure.
LABEL_LEAD = re.compile(r"^(?:[其中另有共仅僅且而均都为為是达達到至约約近的患者名例位人，,、\s]|获得|獲得|出现|出現|发生|發生|"
                        r"实现|實現|达到|達到|接受了?|仍然?|可见|可見|表现为|表現為|呈)+")
LABEL_TAIL = re.compile(r"(?:[的为為是达達约約共有和与與及\s]|率为|率為|中位数?为|中位數為|较基线|較基線)+$")


def in_range(sentence: Sentence, figure: Figure) -> bool:
    """An end of a range (18–65 岁, 范围 23～63 岁): not a figure of its own."""
    text = sentence.text
    return bool(re.match(r"\s*[%％]?\s*[-–—~～至到]\s*\d", text[figure.end:]) or
                re.search(r"\d\s*[%％]?\s*[-–—~～至到]\s*$", text[max(0, figure.start - 5):figure.start]))


def not_a_result(sentence: Sentence, figure: Figure) -> bool:
    """A number of a trial's name or a paper's title: phase 1/2, “…phase 2 trial”, 「First-in-human …」."""
    text = sentence.text
    if re.search(r"phase\s*$", text[max(0, figure.start - 7):figure.start], re.IGNORECASE):
        return True
    if re.match(r"\s*/\s*\d+\s*期", text[figure.end:]):
        return True
    for quoted in re.finditer(r"[「“『\"]([^」”』\"]{8,})[」”』\"]", text):
        if quoted.start() < figure.start < quoted.end() and \
                len(re.findall(r"[A-Za-z]", quoted.group(1))) > len(quoted.group(1)) / 2:
            return True  # inside an English title
    return False


CONTINUES = re.compile(r"\s*(?:其中|均|为|共|计|有|发生于|分别|以|多为|且|最高|最重)")


def event_segment_end(sentence: Sentence, term: Term, limit: int) -> int:
    """Where an event's figures stop: after its own clause, through the clauses that go on about it
    (其中 3 级及以上 2 例, 为 2 级, 均为 1 级) or hold no figure, up to the next event's name."""
    folded = sentence.folded
    _, end = list_clause(folded, term.start)
    while end < limit:
        following = list_clause(folded, end + 1)
        has_figure = any(following[0] <= f.start < following[1] for f in sentence.figures)
        if has_figure and not CONTINUES.match(folded[following[0]:following[1]]):
            break
        end = following[1]
    return min(end, limit)


def plain_summary(clause: str) -> str:
    """An event's clause as its one-line summary, cut before words a curator's text may not use
    (痊愈, 安全可控: the checker's refused and anchored claim words)."""
    lexicon = lexicon_for()
    kept = []
    for piece in re.split(r"(?<=[，,；;])", clause):
        if any(lexicon.groups[group].kind in ("refused", "anchored") for group, _ in lexicon.found(fold(piece))
               if group in lexicon.groups):
            break
        kept.append(piece)
    return "".join(kept).strip(" ，,；;") or clause


def nearest_in_checkers_clause(sentence: Sentence, figure: Figure, term: Term, events: list[Term]) -> bool:
    """The event is the nearest one to the figure in the clause the checker reads (cut at every comma),
    or no event is named there: a figure the checker would give another event is not drafted."""
    start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    here = [t for t in events if start <= t.start < end]
    if not here:
        return True
    nearest = min(here, key=lambda t: abs(t.start - figure.start) + (0.5 if t.start > figure.start else 0))
    return bare(nearest.name) == bare(term.name)


def is_threshold(sentence: Sentence, figure: Figure) -> bool:
    """A percentage that defines what was counted (8 例腹水量减少 50% 以上, 其中 4 名改善幅度超过 10%): a
    count stands before it in its clause and a word of change right before it."""
    start, _ = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    before = sentence.folded[max(start, figure.start - 6):figure.start]
    counted = any(f.kind == COUNT and start <= f.start < figure.start for f in sentence.figures)
    return counted and bool(re.search(r"(?:超过|减少|降低|升高|增加|下降|大于|改善|缩小|>|≥)\s*$", before))


def stated_as_denominator(sentence: Sentence, figure: Figure) -> bool:
    """The checker's reading (X 例中, of X), narrowed to a group closed by 中 before the clause goes on:
    11 例（68.8%）基线伴中至大量腹水 is a count, not a denominator."""
    if not is_denominator(sentence.text, figure):
        return False
    after = sentence.folded[figure.end:figure.end + 30]
    return bool(re.match(r"[^，,；;。]{0,24}?中\s*(?:[，,：:]|有|\d|共|仅|均|的|未|没|无)", after)) or \
        not re.search(r"中", after)


def count_before(sentence: Sentence, figure: Figure) -> Figure | None:
    """The count a bracketed percentage belongs to: 8 名患者（80%）, 13 名（61.9%）."""
    if figure.kind != PERCENT:
        return None
    for other in sentence.figures:
        if other.kind == COUNT and other.end <= figure.start and re.fullmatch(
                r"\s*(?:例|名|位|人)?\s*(?:患者|病人)?\s*[（(]\s*", sentence.folded[other.end:figure.start]):
            return other
    return None


def clause_start(sentence: Sentence, figure: Figure) -> int:
    return clause_around(sentence.text, figure.start, 0, len(sentence.text))[0]


def label_of(sentence: Sentence, figure: Figure, terms: list[Term], denominators: list[Figure]) -> Term | None:
    """What a figure measures: the nearest known name in its clause (not one that describes its
    denominator: 达到 CR 的 8 名患者中有 6 名 MRD 阴性), else the words of its clause (13 名为异体移植后
    复发; 腹水量较基线减少 50% 以上), else the last known name before it in the sentence."""
    start, end = clause_around(sentence.text, figure.start, 0, len(sentence.text))
    describing = [t for t in terms for d in denominators if start <= t.start and t.end <= d.start < figure.start]
    own = [t for t in terms if t not in describing]
    in_clause = [t for t in own if t.section in (OUTCOME, BASELINE) and start <= t.start < end]
    if in_clause:
        return nearest_term(sentence, figure, in_clause, {OUTCOME, BASELINE})
    words = clause_words(sentence, figure, start, end)
    if words:
        baseline = BASELINE_SENTENCE.search(sentence.folded) and not EFFICACY_WORDS.search(sentence.folded)
        return Term(words[1], words[2], words[0], BASELINE if baseline else OUTCOME, None)
    return nearest_term(sentence, figure, own, {OUTCOME, BASELINE})


BASELINE_SENTENCE = re.compile(r"基线|中位年龄|年龄|男性|女性|既往|病程|特征|人口学")
EFFICACY_WORDS = re.compile(r"缓解|改善|生存|应答|有效|疗效|下降|减少|降低|阴性|转阴")


def clause_words(sentence: Sentence, figure: Figure, start: int, end: int) -> tuple[str, int, int] | None:
    """The words of a figure's clause that say what it counts: after a count (13 名为…), else before it
    (…较基线减少 50%); at least two Chinese characters, not another figure's."""
    text, folded = sentence.text, sentence.folded
    after = figure.end + unit_length(text, figure.end)
    after += len(re.match(r"\s*(?:患者|病人|受试者|受試者)?", folded[after:end]).group())
    bracket = re.match(r"\s*[（(][^）)]{0,16}[）)]", text[after:end])
    if bracket:
        after += bracket.end()
    spans = []
    if figure.kind == COUNT:
        spans.append((after, end))
    spans.append((start, figure.start))
    if figure.kind != COUNT:
        spans.append((after, end))
    for a, b in spans:
        piece = folded[a:b]
        lead = LABEL_LEAD.match(piece)
        a += lead.end() if lead else 0
        piece = folded[a:b]
        tail = LABEL_TAIL.search(piece)
        b -= len(tail.group()) if tail else 0
        when = re.match(r"在[^，,。；;]{0,14}?(?:内|後|后|时|時)", folded[a:b])
        if when:
            a += when.end()  # 在治疗后 8 周内无需…: the time point is read on its own
        size = re.match(r"\d+\s*(?:例|名|位|人)[^，,；;的]{0,10}的", folded[a:b])
        if size:
            a += size.end()  # 20 例可评估患者的 MG-ADL 评分…: whose, not what
        cut = re.search(r"作为|作為|用于|用於|并且|並且|，|[（(](?=[^）)]*[\d≥≤<>])", folded[a:b])
        if cut and cut.start() >= 4:
            b = a + cut.start()
        piece = text[a:b].strip(" ，,：:、").lstrip("）)").rstrip("（(")
        if re.search(r"[（(）)]", piece) and piece.count("（") + piece.count("(") != piece.count("）") + piece.count(")"):
            continue  # a cut bracket: not a name
        if len(piece) > 30 and re.search(r"[（(]", piece[4:]):
            piece = piece[:4 + re.search(r"[（(]", piece[4:]).start()].strip()  # the explanation in brackets left out
        if re.match(r"\d", piece) or (re.search(r"\d", piece) and len(re.findall(r"[\u4e00-\u9fff]", piece)) < 4):
            continue
        if len(re.findall(r"[\u4e00-\u9fff]", piece)) >= 2 and len(piece) <= 30:
            return piece, a, b
    return None


def denominators_of_pairs(sentence: Sentence) -> list[int]:
    """Where the N of each n/N pair starts: a figure read with its numerator, never alone."""
    return [match.start(2) for match in re.finditer(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])", sentence.text)]


def pairs_in(sentence: Sentence) -> dict[int, tuple[int, int]]:
    """n/N pairs (30/36): the numerator's start -> (n, N)."""
    found = {}
    for match in re.finditer(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])", sentence.text):
        if re.search(r"(?:phase|期|第)\s*$", sentence.text[max(0, match.start() - 7):match.start()], re.IGNORECASE):
            continue  # phase 1/2, I/II 期: a phase, not a count
        found[match.start(1)] = (int(match.group(1)), int(match.group(2)))
    return found


def rate_agrees(value: Decimal, n: int, of: int) -> bool:
    """A percentage and its n/N agree to the precision the percentage is written with (half a unit of
    its last digit, and at least 0.5 points)."""
    if of <= 0:
        return False
    places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
    tolerance = max(Decimal("0.5"), Decimal(5) / (Decimal(10) ** (places + 1)))
    return abs(Decimal(n) * 100 / of - value) <= tolerance


def count_value(figure: Figure) -> int | None:
    return int(figure.value) if figure.kind == COUNT and figure.value == int(figure.value) else None


# ---------------------------------------------------------------------------------------------
# The draft.


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
    cell_source_sentences: list[Sentence] = field(default_factory=list)

    def run(self) -> "Draft":
        self.sentences = article_sentences(self.article)
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
        used: set[int] = set(self.event_figures)
        for figure in sentence.figures:
            if figure.start in used or not_a_result(sentence, figure):
                continue
            if re.search(r"(?:无|無|没有|沒有|未有)\s*$", sentence.folded[max(0, figure.start - 3):figure.start]):
                continue  # 无一例需要…: none, not one
            clause = sentence.text[slice(*clause_around(sentence.text, figure.start, 0, len(sentence.text)))]
            if count_value(figure) and figure.start not in pairs and figure.start not in in_pairs:
                following = re.match(r"[，,]([^，,；;。\d]{2,12})(?=[，,；;。]|$)",
                                     sentence.text[clause_around(sentence.text, figure.start, 0, len(sentence.text))[1]:])
                role = self.enrolment_role(clause + (following.group() if following else ""), figure, sentence, terms)
                if role:
                    if role not in self.enrollment:
                        self.enrollment[role] = (count_value(figure), sentence)
                        sentence.topics.append("enrolment")
                    continue
            if figure.kind == PERCENT and re.match(r"\s*[%％]?\s*(?:CI|置信区间|可信区间|信赖区间)", sentence.folded[figure.end:]):
                continue  # the level of a confidence interval, read with its figure
            if figure.kind == PERCENT and is_threshold(sentence, figure):
                continue
            if figure.kind in (PERCENT, COUNT) and in_range(sentence, figure):
                continue  # 10%～15%: a range is the disease's, not a trial's result
            if count_value(figure) and POPULATION_SIZE.match(sentence.folded, figure.end):
                continue  # 21 名接受输注的患者: who the figures after it are of, not a figure of its own
            if figure.kind == PERCENT or (count_value(figure) and figure.start not in in_pairs):
                if figure.kind == COUNT and figure in denominators:
                    continue
                count = count_before(sentence, figure)  # 8 名患者（80%）: the count's own rate
                term = label_of(sentence, count or figure, terms, denominators)
                if term is not None:
                    self.add_measure(sentence, figure, term, pairs, denominators)
            elif figure.kind in DURATIONS and MEDIAN.search(clause) and not FOLLOW_UP.search(clause):
                term = nearest_term(sentence, figure, terms, {OUTCOME, BASELINE})
                if term is not None:
                    self.add_duration(sentence, figure, term)
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
        if re.search(r"安全性分析|安全性人群|安全性评估", _simplified(clause)):
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
            one_of_a_kind = kind in ONE_OF_A_KIND and part.kind == kind
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

    def add_measure(self, sentence: Sentence, figure: Figure, term: Term, pairs: dict[int, tuple[int, int]],
                    denominators: list[Figure]) -> None:
        population = population_of(sentence, figure)
        timepoint = timepoint_in(sentence, figure, term)
        part = self.part_for(term.section, term.name, None, sentence, population, timepoint)
        fields = part.fields
        if figure.kind == PERCENT:
            if "value" in fields:
                return
            fields.update(value=figure.value, unit="%", measure="proportion")
            pair = next((pairs[start] for start in pairs if abs(start - figure.end) <= 6 or
                         0 <= figure.start - start <= 12), None)
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

    def add_duration(self, sentence: Sentence, figure: Figure, term: Term) -> None:
        name = term.name
        if MEDIAN.search(sentence.text[max(0, term.start - 3):term.start]) and not name.startswith("中位"):
            name = sentence.text[max(0, term.start - 2):term.start] + name if sentence.text[
                max(0, term.start - 2):term.start] in ("中位", "median") else name
        population = subgroup_of(sentence.text, figure, (0, len(sentence.text)))
        part = self.part_for(term.section, name, None, sentence, population, None)
        if "value" in part.fields:
            return
        unit = sentence.text[figure.end:figure.end + unit_length(sentence.text, figure.end)].strip()
        part.fields.update(measure="median", value=figure.value, unit=unit)
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
            end = len(text)
            if index + 1 < len(events):
                following = events[index + 1]
                end = following.start if following.start < list_end else list_clause(text, following.start)[0]
            end = event_segment_end(sentence, term, end)
            figures = [f for f in sentence.figures if segment_start <= f.start < end]
            had = {id(p): len(p.sentences) for p in self.parts}
            part = self.part_for(EVENT, term.name, term.kind, sentence, None, None)
            fields = part.fields
            before_fields = dict(fields)
            folded = sentence.folded
            severe_context = bool(SEVERE_RANGE.search(folded[list_start:term.start]))  # 3 级以上不良事件为…
            pair_ends = set(denominators_of_pairs(sentence))
            for figure in figures:
                if figure.start in pair_ends:
                    continue  # the N of 27/38, read with its n
                before = folded[max(segment_start, figure.start - 12):figure.start]
                after = folded[figure.end:figure.end + 10]
                if figure.kind == PERCENT:
                    self.event_figures.add(figure.start)
                    if not nearest_in_checkers_clause(sentence, figure, term, events):
                        continue  # 腹痛（7 例，43.8%）和发热: the checker reads 43.8% as 发热's; left to the curator
                    if not severe_context and "percent" not in fields:
                        fields["percent"] = figure.value  # of every grade; a grade ≥3 rate has no field
                elif figure.kind == GRADE:
                    self.event_figures.add(figure.start)
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
                severe = GRADE_3_PLUS.search(folded[list_start:term.start])
                if severe:
                    fields.setdefault("grade_3_plus", 0)  # 未见 3 级及以上 CRS
                elif not fields.get("patients"):
                    fields.setdefault("patients", 0)
            if fields != before_fields and not part.summary_found:  # the first clause that gives its figures
                part.clause = text[list_start:max(list_end, min(end, len(text)))].strip(" ，,；;。")
                part.summary_found = True
            elif not part.clause:
                part.clause = text[list_start:list_end].strip(" ，,；;。")
            if fields == before_fields:  # a sentence that only names the event (主要终点为剂量限制性毒性…)
                if id(part) not in had:
                    self.parts.remove(part)
                    continue
                if len(part.sentences) > had[id(part)]:
                    part.sentences.remove(sentence)
            if "of" not in fields and denominators and ("patients" in fields or "grade_3_plus" in fields):
                fields["of"] = count_value(denominators[-1])
            for name in ("patients", "grade_3_plus"):
                if name in fields and "of" in fields and fields[name] > fields["of"]:
                    fields.pop("of")
            if "percent" in fields and "patients" in fields and "of" in fields and not rate_agrees(
                    fields["percent"], fields["patients"], fields["of"]):
                fields.pop("of")

    def grades_for_all(self, sentence: Sentence, events: list[Term]) -> None:
        """均为 1～2 级 after 腹痛（7 例）和发热（6 例）: the highest grade of each event listed."""
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
                                  r"既往|至少[^，,。]{0,4}(?:线|种)|入组标准|纳入标准|收案|入选标准", s.folded))),
                             key=lambda s: not AGE_RANGE.search(s.folded))[:2]
        for sentence in eligibility:
            sentence.topics.append("population")
        row["population"] = Todo("who was treated (age, prior therapy), in the words of the population excerpt",
                                 [s.text[:90] for s in eligibility])
        row["design"] = design
        row["phase"] = phase
        row["registry_ids"] = registry_ids
        dosing = [s for s in self.sentences if not s.background and not s.heading
                  and re.search(r"剂量|×\s*10|清淋|淋巴细胞清除|环磷酰胺|氟达拉滨|输注|回输", s.folded)
                  and re.search(r"×\s*10|mg|清除|预处理", s.folded)][:2]
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
        found = None
        for sentence in self.sentences:
            if sentence.block != first.block or sentence.background:
                continue
            for start, (_, of) in pairs_in(sentence).items():
                found = (of, sentence)
            for figure in sentence.figures:
                if count_value(figure) and is_denominator(sentence.text, figure):
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
            for sentence in self.sentences:
                if sentence.background or not any(bare(t.name) == bare(part.name) or
                                                   (t.kind == part.kind and part.kind in ONE_OF_A_KIND)
                                                   for t in terms_in(sentence)):
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
        if re.search(r"\d", name) and fields.get("population"):
            name += f"（{fields['population']}）"  # a threshold in a subgroup's name: the checker wants both
        item: dict[str, Any] = {"name": name}
        item["measure"] = fields.get("measure", "count" if "n" in fields else "status")
        for key in ("value", "unit", "n", "of", "ci", "bound", "timepoint", "population"):
            if key in fields:
                item[key] = fields[key]
        item["excerpts"] = ids(part.sentences)
        return item

    def event(self, part: Part, ids) -> dict[str, Any]:
        fields = part.fields
        item: dict[str, Any] = {"term": part.name, "kind": part.kind or "other"}
        item["grading"] = fields.get("grading") or self.no_grading()
        for key in ("patients", "of", "percent", "max_grade", "grade_3_plus"):
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
    names = [t for t in terms_in(sentence) if bare(t.name) == bare(part.name)
             or (t.kind == part.kind and part.kind in ONE_OF_A_KIND)]
    if not names:
        return None
    at = names[0].end
    # The checker reads a sentence as cut at ；too: the grading must stand in that part.
    start, end = next((a, b) for a, b in sentences_of(sentence.text) if a <= names[0].start < b)
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


ENGLISH_JOURNALS = sorted({name for names, _ in JOURNALS for name in names if len(name) > 4}, key=len, reverse=True)


def journal_in(text: str) -> dict[str, Any] | None:
    """The journal a sentence names: 《柳叶刀·血液学》(The Lancet Haematology), 《柳叶刀》, or a known
    journal's English name; None when it names none."""
    zh = JOURNAL_ZH.search(text)
    if zh:
        name = zh.group(1)
        english = re.match(r"\s*[（(]\s*([A-Z][A-Za-z .&:·-]{2,60}?)\s*[）)]", text[zh.end():])
        if english:
            known = known_journal(english.group(1).strip())  # NEJM -> The New England Journal of Medicine
            return {"journal": known[0][0] if known else english.group(1).strip(), "journal_zh": name}
        if journal_of_chinese_name(name):
            return {"journal": Noted(journal_of_chinese_name(name), f"《{name}》 in the article")}
        return {"journal": Todo(f"the journal's own name for 《{name}》, as the paper gives it (e.g. The Lancet)",
                                [name])}
    for name in ENGLISH_JOURNALS:
        if re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text):
            return {"journal": name}
    return None


def bare(name: str) -> str:
    """A name without its bracketed abbreviation and spaces, in simplified script: how one event named
    twice (细胞因子释放综合征（CRS）, 细胞因子释放综合征) is known as one."""
    return simplified(re.sub(r"[（(][^）)]*[）)]|\s", "", name))


def list_clause(text: str, offset: int) -> tuple[int, int]:
    """The clause around ``offset`` with its lists kept whole (未观察到 DLT、严重 CRS 或 ICANS): cut at
    commas, semicolons and full stops only."""
    breaks = [m for m in LIST_BREAK.finditer(text) if not inside_brackets(text, m.start())]
    start = max((m.end() for m in breaks if m.start() < offset), default=0)
    end = next((m.start() for m in breaks if m.start() >= offset), len(text))
    return start, end


def inside_brackets(text: str, offset: int) -> bool:
    """True inside （…）: 腹痛（7 例，43.8%）is one clause."""
    depth = 0
    for char in text[:offset]:
        depth += char in "（(" and 1 or char in "）)" and -1 or 0
    return depth > 0


def balanced(text: str) -> str:
    """A DOI without the closing bracket of the sentence around it: 10.1016/S0140-6736(25)01671-X)."""
    while text.endswith((")", "）")) and text.count("(") < text.count(")"):
        text = text[:-1]
    return text


def has_figure(part: Part) -> bool:
    return any(key in part.fields for key in ("value", "n"))


def timepoint_in(sentence: Sentence, figure: Figure, term: Term | None = None) -> str | None:
    """A time point of the figure: a duration just before its name (12 个月总生存率), or one written
    earlier in its sentence as a time (回输后 3 个月时，24 例…), never the figure itself."""
    text = sentence.text
    if term is not None:
        just_before = re.search(r"(\d+(?:\.\d+)?)\s*(?:个月|個月|年|周|週|天)\s*$", text[max(0, term.start - 8):term.start])
        if just_before and count_value(figure) is None and figure.start < term.start - 8:
            just_before = None
        if just_before:
            return just_before.group().strip()
    _, end = clause_around(text, figure.start, 0, len(text))
    found = None
    for match in TIMEPOINT.finditer(sentence.folded, 0, end):
        if match.start(1) <= figure.start < match.end() or match.start() > figure.start:
            continue
        if re.search(r"后|时|第", match.group()):
            found = text[match.start():match.end()].strip()
    return found


def population_of(sentence: Sentence, figure: Figure) -> str | None:
    """The subgroup a figure is of, as the checker reads it (在…中), written as a population: 可评估 ->
    可评估患者; None when the figure is of everyone."""
    span = next((a, b) for a, b in sentences_of(sentence.text) if a <= figure.start < b)  # as the checker cuts
    subgroup = subgroup_of(sentence.text, figure, span)
    if not subgroup:
        return None
    subgroup = re.sub(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", "", subgroup).strip()
    if not re.search(r"(?:患者|患兒|患儿|病例|受试者|受試者|人群|亚组|亞組|组|組)$", subgroup):
        subgroup += "患者"
    return subgroup


def original_form(sentence: Sentence, folded_word: str) -> str:
    """A lexicon word as the sentence writes it (in its own script)."""
    at = sentence.folded.lower().find(folded_word)
    return sentence.text[at:at + len(folded_word)] if at >= 0 else folded_word


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


# ---------------------------------------------------------------------------------------------
# The command: an article of the project in, the row's YAML out.


def excerpt_ids_taken(seeds: Path) -> set[str]:
    """The excerpt ids the project's tables already use (ids are unique across the project). A table
    that does not read is skipped: its ids are checked when it does."""
    taken: set[str] = set()
    for path in sorted((seeds / "evidence").glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        rows = [*(data or {}).get("studies", []), *(data or {}).get("landscape", [])] if isinstance(data, dict) else []
        rows = [row for row in rows if isinstance(row, dict)]
        taken |= {str(e.get("id")) for row in rows for e in row.get("excerpts") or [] if isinstance(e, dict)}
    return taken


def article_of(project: Project, given: Path) -> Article:
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
    articles = read_articles(project.seeds, problems, read_settings(project.seeds, problems))
    article = next((a for a in articles.values() if Path(a.path).name == path.name), None)
    if article is None:
        raise ReportError(problems.errors or f"{given}: not listed in seeds/articles.yaml; add it with "
                                             "`reports add-article` (or write its index entry), then draft it")
    return article


def draft_article(project: Project, given: Path, class_id: str, added: dt.date) -> str:
    """The YAML of a drafted row for an article of the project, to go under ``studies:`` in
    seeds/evidence/<class>.yaml."""
    article = article_of(project, given)
    row = draft_row(article, class_id, added, excerpt_ids_taken(project.seeds))
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
