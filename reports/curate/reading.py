"""How `reports draft` reads an article: its sentences, the names of what is measured, and what
stands around a figure (its label, its subgroup, its time point, the group a rate is of).

Each reading is the checker's where the checker has one (the figure reader, its clauses, its
subgroups, its denominators), narrowed where a curator reads more finely (a range is not a result;
a count before 的患者 is the group the next figures are of). ``draft`` places what is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reports.content.articles import Article
from reports.content.citations import JOURNALS, journal_of_chinese_name, known_journal
from reports.content.model import agrees_as_written
from reports.content.verify.claims import fold, lexicon_for, simplified
from reports.content.verify.names import label_distance
from reports.content.verify.quoted import clause_around
from reports.curate.emit import Noted, Todo
from reports.text.figures import (
    COUNT,
    PERCENT,
    Figure,
    figures_in,
    is_denominator,
    sentences_of,
    states_absence,
    subgroup_of,
    unit_length,
)
from reports.text.normal import normal_form


@dataclass
class Sentence:
    """A sentence of the article, as the checker reads excerpts: in the normal form, with its figures."""

    text: str
    figures: tuple[Figure, ...]
    folded: str  # simplified script, same length as text where the conversion keeps it (see ``simplified_in_place``)
    topics: list[str] = field(default_factory=list)  # what the row takes from it: enrolment, efficacy ...
    heading: bool = False
    background: bool = False  # about the disease or another study, not this one (see BACKGROUND)
    block: int = 0  # the paragraph it stands in
    baseline: bool = False  # says who the patients were (中位年龄…), or goes on from a sentence that does


OUTCOME, BASELINE, EVENT = "outcome", "baseline", "event"
# Grade 3 and up, as news writes it (folded text): ≥3 级, 3 级及以上, 3～4 级, 3 至 4 级.
GRADES_3_UP = r"≥\s*3\s*级|[3-5]\s*级\s*(?:及|或)?\s*以上|[3-5]\s*(?:[–~～-]|至|到)\s*[45]\s*级"


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
    ("严重不良事件", "", EVENT, "other"), ("治疗相关不良事件", "", EVENT, "other"), ("输注相关反应", "", EVENT, "other"),
    ("肝酶升高", "", EVENT, "other"), ("肝指数上升", "", EVENT, "other"), ("肝指数升高", "", EVENT, "other"), ("细胞因子风暴", "", EVENT, "crs"),
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
    ("神经毒性症候群", "", EVENT, "icans"), ("神经系统事件", "", EVENT, "neurotoxicity"),
    # GPRC5D's on-target events
    ("味觉障碍", "", EVENT, "other"), ("味觉改变", "", EVENT, "other"), ("指甲改变", "", EVENT, "other"),
    ("指甲异常", "", EVENT, "other"), ("皮肤脱屑", "", EVENT, "other"), ("口干", "", EVENT, "other"),
    ("神经系统不良事件", "", EVENT, "neurotoxicity"), ("不良事件", "", EVENT, "other"),
    # Hong Kong's 综合症 for 综合征, and its names for neutropenia
    ("细胞因子释放综合症", "CRS", EVENT, "crs"), ("细胞激素释放综合症", "CRS", EVENT, "crs"),
    ("免疫效应细胞相关神经毒性综合症", "ICANS", EVENT, "icans"), ("嗜中性白血球减少", "", EVENT, "other"),
    ("发烧性嗜中性白血球减少", "", EVENT, "other"), ("发热性嗜中性白血球减少", "", EVENT, "other"),
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
# Where an event is (肺部感染, 腹腔感染): kept in its name.
EVENT_SITES = {"肺部", "腹腔", "泌尿", "尿路", "呼吸", "皮肤", "血流", "病毒", "细菌", "真菌", "严重", "重度", "上呼", "下呼"}
DIED_OF_TREATMENT = re.compile(r"死于(?:与)?治疗(?:相关|有关)的?[\u4e00-\u9fff]{2,10}")
NO_DEATH = re.compile(r"(?:未发生|未出现|未见|未观察到|无|没有|未有)\s*(?:任何)?\s*(?:患者|病例)?\s*(死亡)")
SAFETY_CONTEXT = re.compile(r"不良事件|安全性|毒性|副作用|不良反应")
LISTED_EVENT = re.compile(r"([\u4e00-\u9fffA-Za-z/]{2,14}?(?:[（(][A-Za-z/]{2,10}[）)][\u4e00-\u9fff]{0,4})?)\s*"
                          r"[（(]\s*\d+\s*(?:例|名|位|人)")
# 恶心 45 例（70.3%）、胃黏膜损伤/胃炎 18 例，其中≥3 级胃肠道出血 2 例: an event listed with its count after it.
LISTED_COUNT = re.compile(rf"(?:[：:、，,；;]|和|及|其中)\s*((?:{GRADES_3_UP})?[\u4e00-\u9fff/]{{2,12}}?)"
                          r"\s*\d+\s*(?:例|名|位|人)(?![\u4e00-\u9fff]{0,4}中)")
# 另有 2 例出现小脑毒性，表现为…: an event the vocabulary does not know, after its count.
COUNT_THEN_EVENT = re.compile(r"\d+\s*(?:例|名|位|人)(?:患者|病人|病患)?\s*(?:出现|发生)了?\s*([\u4e00-\u9fff]{2,8}?)(?=[，,；;。（(]|$)")
NOT_AN_EVENT = re.compile(r"(?:其余|其他|另有|另|共有?|合计|总计|分别|各有?|仅有?|全部|所有|全体|患者|病人|病患|受试者|均|"
                          r"其中|包括|发生|出现|有)(?:[\u4e00-\u9fff]{0,2})$|.*(?:患者|病人|病患|受试者|组)$"
                          r"|.*(?:收案|入组|纳入|筛|招募|输注|接受|完成|评估|退出|死亡|缓解|治疗|随访)")
MOST_COMMON = re.compile(r"最常见的(?:治疗相关)?(?:副作用|不良事件|不良反应)(?:是|为)\s*([A-Za-z][A-Za-z0-9-]{1,10}|[\u4e00-\u9fff]{2,10})(?=[，,。；;（(])")
EVENT_LEAD = re.compile(r"^(?:[^，,；;。、]*?(?:主要包括|包括|主要为|主要是|最常见的是|最常见的为|为|是|如|有))?(?:和|及|以及|、)?")
LIST_BREAK = re.compile(r"[，,；;。]")
# A sentence about the disease, standard care or another study: its figures are not this study's.
BACKGROUND = re.compile(r"此前|先前的?研究|先前报道|国外一项|国外的一项|国外另一项|例如国外|另一项研究|可治愈|"
                        r"既往[^，,。；;]{0,8}研究|另一项[^，,。；;]{0,16}试验|\d{4}\s*年(?:公布|发表|报道)的|团队先前|既往研究|国外同类|同类产品|作为参照|据估算|据统计|每年|"
                        r"传统|挽救化疗|救援化疗|历史数据|历史对照|前导研究|前期研究|发病率|盛行率|患病率|新发病例|新诊断的|"
                        r"筹备|计划开展|拟开展|将开展|即将开展|下一步|未来将")
IN_SUBGROUP = re.compile(r"在[^，,；;。]{2,40}?中")
DOI = re.compile(r"\b10\.\d{4,9}/[^\s，。；、“”\"']+")
JOURNAL_ZH = re.compile(r"《([^》]{2,40})》")
TIMEPOINT = re.compile(r"(?:(?:治疗|输注|回输|给药)后\s*)?(?:第\s*)?(?<![\d.])(\d+)\s*(?:天|日|周|个月|月)(?:时|后)?")


def simplified_in_place(text: str) -> str:
    """Text in simplified script for matching names, kept the same length so offsets stay valid."""
    converted = simplified(text)
    return converted if len(converted) == len(text) else text


def article_sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article as printed, block by block, each cut after 。！？ (not at ；:
    a sentence keeps its clauses together, as an excerpt should)."""
    sentences: list[tuple[str, bool, int]] = []
    for number, block in enumerate(article.blocks):
        text = normal_form(block.text)
        # A short line without a sentence's end is a heading, however the paste marked it (**…**, a line of its own).
        heading = block.heading or (len(text) < 40 and not re.search(r"[。！？!?；;]", text))
        start = 0
        for match in re.finditer(r"(?<=[。！？!?])\s*|(?<=[.;])\s+(?=[A-Z])", text):
            if match.start() > start:
                sentences.append((text[start:match.start()], heading, number))
            start = match.end()
        if start < len(text):
            sentences.append((text[start:], heading, number))
    found = []
    for raw, heading, number in sentences:
        text = raw.strip()
        if len(text) >= 4:
            folded = simplified_in_place(text)
            found.append(Sentence(text, figures_in(text), folded, heading=heading,
                                  background=bool(BACKGROUND.search(folded)), block=number))
    for before, sentence in zip([None, *found], found):
        # 中位年龄为 61 岁…。BCLC C 期者 25 人（78.1%）…: the sentences after it in its paragraph, until an efficacy one
        goes_on = before is not None and before.baseline and before.block == sentence.block \
            and not AFTER_TREATMENT.search(sentence.folded)
        sentence.baseline = not EFFICACY_WORDS.search(sentence.folded) and bool(
            BASELINE_SENTENCE.search(sentence.folded) or goes_on)
    return found


@dataclass
class Term:
    start: int
    end: int
    name: str
    section: str
    kind: str | None
    graded: bool = False  # named with its grades (3 级及以上中性粒细胞减少): every patient counted is grade ≥3
    quoted: str | None = None  # the article's own words for it, when its name adds the grades said elsewhere


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
            if re.search(r"(?:表现为|表现是|症状为|症状是|症状包括)[^，,；;。]*$", folded[:start]):
                continue  # TIAN…，表现为头痛、呕吐: what the event looked like, not events of their own
            if GRADE_OF_THE_EVENT_BEFORE.search(folded[:start]):
                continue  # CRS…，都是 1 级发热: the fever is the CRS's, graded with it
            if match.group() == "不良事件" and re.match(r"\s*中", folded[end:]):
                continue  # 与 GPRC5D 靶点相关的不良事件中: the events are named after it
            if match.group() == "不良事件" and (re.search(r"(?:最常见|常见|主要)的?\s*(?:[3-5]\s*级\s*(?:及|或)?以上|≥\s*3\s*级)?"
                                                       r"\s*(?:治疗相关)?$", folded[:start])
                                             or re.match(r"\s*(?:为|是|包括|主要|有|依|按|根据)", folded[end:])):
                continue  # 最常见的不良事件为…: the events are named after it
            if re.search(r"(?:未回输|未输注|未能输注|未能回输|未接受|退出|脱落|死亡)[^。；;（(]{0,4}[（(][^）)]*$", folded[:start]):
                continue  # 4 例未回输（3 例疾病进展、1 例感染死亡）, 4 例治疗相关死亡（感染 3 例…）: why, not an event
            if folded[max(0, start - 1):start] == "抗":
                continue  # 抗感染治疗: a treatment, not an event
            if (re.search(r"因[^，,。；;]{0,12}$", folded[:start]) and re.match(
                    r"[^，,。；;]{0,8}(?:而|未能|未|退出|撤回|脱落|中止|停止)", folded[end:])) or re.match(
                    r"\s*而(?:退出|未能|未|中止|停止)", folded[end:]):
                continue  # 因疾病进展或感染而未能输注: why a patient was not treated, not an adverse event
            modifier = re.search(r"(?<![\u4e00-\u9fff])?([\u4e00-\u9fff]{2})$", folded[max(0, start - 2):start])
            if modifier and modifier.group(1) in EVENT_SITES:
                start -= 2
            graded = re.search(rf"(?:{GRADES_3_UP})\s*$", folded[:start])
            if graded and kind in ("other", "infection") and not states_absence(folded[max(0, graded.start() - 6):graded.start()]):
                name = text[graded.start():end].strip()
                taken.append((graded.start(), end))
                found.append(Term(graded.start(), end, name, section, kind, graded=True))
                continue
        name = text[start:end].strip()
        taken.append((start, end))
        found.append(Term(start, end, name, section, kind))
    for match in DIED_OF_TREATMENT.finditer(folded):  # 1 例患者死于与治疗相关的消化道出血
        start, end = match.span()
        if not any(a < end and start < b for a, b in taken):
            taken.append((start, end))
            found.append(Term(start, end, sentence.text[start:end], EVENT, "other"))
    for match in NO_DEATH.finditer(folded):  # 研究期间未发生死亡: deaths, as an absence (not 死亡的风险比)
        start, end = match.span(1)
        if not any(a < end and start < b for a, b in taken):
            taken.append((start, end))
            found.append(Term(start, end, sentence.text[start:end], EVENT, "other"))
    if SAFETY_CONTEXT.search(folded) or MOST_COMMON.search(folded):
        # An event the vocabulary does not know, named the way safety results list them: 味觉障碍（29 例，40.3%）,
        # 最常见的副作用是 TIAN
        for match in [*LISTED_EVENT.finditer(folded), *MOST_COMMON.finditer(folded), *LISTED_COUNT.finditer(folded),
                      *COUNT_THEN_EVENT.finditer(folded)]:
            start, end = match.span(1)
            lead = EVENT_LEAD.match(folded[start:end])
            start += lead.end() if lead else 0
            if end - start < 2 or any(a < end and start < b for a, b in taken) or NOT_AN_EVENT.match(folded[start:end]):
                continue
            taken.append((start, end))
            graded = bool(re.match(GRADES_3_UP, folded[start:end]))
            found.append(Term(start, end, sentence.text[start:end].strip(), EVENT, "other", graded=graded))
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


# Words a label does not begin or end with: verbs and connectives around a figure.
LABEL_LEAD = re.compile(r"^(?:[其中另有共仅僅且而均都为為是达達到至约約近的患者名例位人与與和较較，,、\s]|获得|獲得|出现|出現|发生|發生|"
                        r"实现|實現|达到|達到|接受了?|仍然?|可见|可見|表现为|表現為|呈)+")
LABEL_TAIL = re.compile(r"(?:[的为為是达達约約共有和与與及占\s]|率为|率為|中位数?为|中位數為|较基线|較基線)+$")


def in_range(sentence: Sentence, figure: Figure) -> bool:
    """An end of a range (18–65 岁, 范围 23～63 岁): not a figure of its own."""
    text = sentence.text
    return bool(re.match(r"\s*[%％]?\s*[-–—~～至到]\s*\d", text[figure.end:]) or
                re.search(r"\d\s*[%％]?\s*[-–—~～至到]\s*$", text[max(0, figure.start - 5):figure.start]))


def not_a_result(sentence: Sentence, figure: Figure) -> bool:
    """A number of a trial's name or a paper's title (phase 1/2, “…phase 2 trial”, 「First-in-human …」),
    or the second of 分别为 A 和 B (the other arm's, whose name the sentence gave before)."""
    text = sentence.text
    respectively = re.search(r"分别为|分别是", sentence.folded[:figure.start])
    conjunction = respectively and re.search(r"[）)%\s](?:和|与|及|、)", sentence.folded[respectively.end():figure.start])
    if conjunction and not re.search(r"[，,；;。]", sentence.folded[respectively.end():figure.start]) \
            and not re.search(r"两组|二组", sentence.folded[:respectively.start()]):
        return True  # (两组的…分别为 A 和 B is read arm by arm: draft.Draft.arm_of)
    if re.search(r"phase\s*$", text[max(0, figure.start - 7):figure.start], re.IGNORECASE):
        return True
    if re.match(r"\s*/\s*\d+\s*期", text[figure.end:]):
        return True
    for quoted in re.finditer(r"[「“『\"]([^」”』\"]{8,})[」”』\"]", text):
        if quoted.start() < figure.start < quoted.end() and \
                len(re.findall(r"[A-Za-z]", quoted.group(1))) > len(quoted.group(1)) / 2:
            return True  # inside an English title
    return False


CONTINUES = re.compile(r"\s*(?:其中|均|为|共|计|有|发生于|分别|以|多为|多在|多于|多见于|大多|且|最高|最重|全部|全属|全为|都|皆|表现为)"
                       r"|\s*\d+\s*(?:例|名|位|人)[^，,；;。]{0,24}(?:出现|发生)\s*$"  # 11 例中 9 例（81.8%）出现
                       r"|\s*\d+\s*(?:例|名|位|人)\s*为\s*[1-5]\s*级"  # 8 例为 1 级、1 例为 2 级
                       r"|\s*\d+\s*(?:例|名|位|人)[^，,；;。\d]{0,12}中有?\s*\d+\s*(?:例|名|位|人)"  # 最常见的是腹痛，21 名病患中有 12 名
                       r"|\s*(?:≥\s*)?[1-5]\s*级\s*(?:及|或)?\s*(?:以上)?\s*\d+\s*(?:例|名|位|人)"  # 3 级 3 例（4.7%）, ≥3 级 12 例
                       r"|\s*(?:没有|无|未见|未出现)\s*[3-5]\s*级"  # 没有 3 级以上的个案
                       r"|\s*(?:依|按|根据|依据)[^，,；;。]{0,30}分级\s*$")  # 依 ASTCT 2019 年共识标准分级, 均为 1～2 级


# 均为 1 级 before an event's name, in a clause that goes on about the event before it (CRS 2 例，都是 1 级发热).
GRADE_OF_THE_EVENT_BEFORE = re.compile(r"[，,]\s*(?:均|都|全部?|全属|皆)\s*(?:为|是|属)?\s*(?:[1-5]\s*[～~至到\-–]\s*)?[1-5]\s*级\s*$")


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
    nearest = min(here, key=lambda t: label_distance(figure, t.start, t.end, sentence.text))
    return nearest.start < term.end and term.start < nearest.end  # the same words (its name may have grown)


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
    return bool(re.match(r"[^，,；;。]{0,24}?中\s*(?:[，,：:]|有|\d|共|仅|只|已|均|的|未|没|无)", after)) or \
        not re.search(r"中", after)


def count_before(sentence: Sentence, figure: Figure) -> Figure | None:
    """The count a bracketed percentage belongs to: 8 名患者（80%）, 13 名（61.9%）."""
    if figure.kind != PERCENT:
        return None
    for other in sentence.figures:
        if other.kind == COUNT and other.end <= figure.start and re.fullmatch(
                r"\s*(?:例|名|位|人)?\s*(?:患者|病人)?\s*(?:[\u4e00-\u9fff]{1,4})?\s*[（(]\s*",  # 9 例缓解（81.8%）
                sentence.folded[other.end:figure.start]):
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
        return Term(words[1], words[2], words[0], BASELINE if sentence.baseline else OUTCOME, None)
    return nearest_term(sentence, figure, own, {OUTCOME, BASELINE})


BASELINE_SENTENCE = re.compile(r"(?<![较从与])基线(?!相比)|中位年龄|年龄|男性|女性|既往|病程|特征|人口学")
EFFICACY_WORDS = re.compile(r"缓解|改善|生存|应答|有效|疗效|下降|减少|降低|阴性|转阴|稳定|上升|增加|恢复|停用|反应")
# A time after treatment (第 12 周时, 6 个月时, 输注后): a sentence of results, not of who the patients were.
AFTER_TREATMENT = re.compile(r"第\s*\d+\s*(?:周|天|日|个月)|\d+\s*(?:周|个月|年)时|输注后|治疗后|随访")


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
    opened = max(text.rfind("（", 0, figure.start), text.rfind("(", 0, figure.start))
    if opened >= 0 and inside_brackets(text, figure.start):
        spans.append((list_clause(text, opened)[0], opened))  # 未接受过移植者（27/31，87.1%）: the words before
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
        if cut and (cut.start() >= 4 or (cut.start() >= 2 and folded[a + cut.start()] in "（(")):
            b = a + cut.start()  # 9 例缓解（81.8%）: the words before its rate
        piece = text[a:b].strip(" ，,：:、").lstrip("）)").rstrip("（(")
        # …滤过率（eGFR）中位数: the words after a bracket are a name of their own to the checker; 中位数 names
        # every median
        piece = re.sub(r"(?<=[）)])\s*的?\s*(?:中位数|中位數|中位值|中位|平均值|均值)$", "", piece)
        if re.search(r"[（(）)]", piece) and piece.count("（") + piece.count("(") != piece.count("）") + piece.count(")"):
            continue  # a cut bracket: not a name
        if len(piece) > 30 and re.search(r"[（(]", piece[4:]):
            piece = piece[:4 + re.search(r"[（(]", piece[4:]).start()].strip()  # the explanation in brackets left out
        of_age = re.match(r"\d+\s*(?:岁|歲)\s*(?:及|或)?\s*(?:以上|以下)", piece)  # 65 岁及以上者占 78.7%
        named = re.sub(r"[A-Za-z][A-Za-z0-9.+/-]*", "", piece)  # CLDN18.2 高表达: a name's digits are not figures
        named = re.sub(r"(?:[≥≤><]|超过|大于|以上)\s*\d+(?:\.\d+)?\s*(?:分|%|％)?", "", named)  # MG-ADL 下降≥2 分: a threshold
        if re.match(r"第\s*\d+\s*(?:周|天|日|个月)\s*(?:时|後|后)?\s*(?:已|仍|共)?\s*$", simplified_in_place(piece)):
            continue  # 第 4 周时已有 11 例…: when, not what
        if not of_age and (re.match(r"\d", piece) or (re.search(r"\d", named)
                                                      and len(re.findall(r"[\u4e00-\u9fff]", piece)) < 4)):
            continue
        if (re.search(r"组$", simplified_in_place(piece)) and len(piece) <= 16) or \
                re.match(r"[^，,]{0,12}组\s*(?:为|是|的|和|与|分别)", simplified_in_place(piece)):
            return None  # 标准治疗组为 66.8%: an arm, not what was measured (draft.Draft.arm_of reads arms)
        if re.fullmatch(r"(?:的)?(?:病患|病人|患者|病童|患儿|受试者|个案|人)(?:中|们)?|(?:回输|输注|入组|纳入|治疗|给药)",
                        simplified_in_place(piece)):
            continue  # 32 名病患中, 58 例（93.5%）接受了回输: who, or the enrolment's word, not what was measured
        abbreviation = re.fullmatch(r"[A-Z][A-Za-z0-9-]{1,10}", piece)  # 其中 8 名为 DIPG
        han = len(re.findall(r"[\u4e00-\u9fff]", piece))
        classed = han >= 1 and re.search(r"[A-Za-z]{2,}|[Ⅰ-Ⅻ]", piece)  # 9 例为 MGFA Ⅲ型, 6 例为Ⅳ型
        if (han >= 2 or abbreviation or classed) and len(piece) <= 30:
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
    """A percentage and its n/N agree as the checker holds them: n/N rounds to the percentage at the
    precision it is written with (1/16 is 6.3%, not 6.7%)."""
    return of > 0 and agrees_as_written(Decimal(n) * 100 / Decimal(of), value)


def count_value(figure: Figure) -> int | None:
    return int(figure.value) if figure.kind == COUNT and figure.value == int(figure.value) else None


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
                                [name]), "journal_zh": name}  # not in the shipped list: the article's name for it
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


def timepoint_in(sentence: Sentence, figure: Figure, term: Term | None = None) -> str | None:
    """A time point of the figure: a duration just before its name (12 个月总生存率), or one written
    earlier in its sentence as a time (回输后 3 个月时，24 例…), never the figure itself."""
    text = sentence.text
    if term is not None:
        window = max(0, term.start - 8)
        just_before = re.search(r"(\d+(?:\.\d+)?)\s*(?:个月|個月|年|周|週|天)\s*$", text[window:term.start])
        if just_before and not window + just_before.start() <= figure.start < term.start:
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
    if not re.search(r"(?:患者|患兒|患儿|病人|病例|受试者|受試者|人群|亚组|亞組|组|組)$", subgroup):
        subgroup += "患者"
    return subgroup


def original_form(sentence: Sentence, folded_word: str) -> str:
    """A lexicon word as the sentence writes it (in its own script)."""
    at = sentence.folded.lower().find(folded_word)
    return sentence.text[at:at + len(folded_word)] if at >= 0 else folded_word
