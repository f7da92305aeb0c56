"""How a figure is found in its excerpt: as a number of the right kind, never inside an identifier,
a date or an ordinal; as a numeral with its classifier; as an absence for 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.content.model import Excerpt
from reports.content.verify.figures import Binding, Claim, find_backing
from reports.content.verify.phases import phases_stated
from reports.content.verify.quoted import Quoted
from reports.content.verify.names import holds_term
from reports.text.figures import figures_in, states_absence


@pytest.mark.parametrize("text, expected", [
    ("在 14 名接受治疗的患者中", [("14", "count")]),
    ("1,580 项试验", [("1580", "trials")]),
    ("CD22(9.60%,用于 CD19 阴性复发患者)", [("22", "identifier"), ("9.60", "percent"), ("19", "identifier")]),
    ("IQR为32.0 ~ 39.8", [("32.0", "plain"), ("39.8", "plain")]),
    ("0·75×109 CAR NK cells", [("0.75", "dose"), ("109", "plain")]),
    ("無病生存18.2年", [("18.2", "duration:years")]),
    ("CD28、4-1BB", [("28", "identifier"), ("4", "identifier"), ("1", "identifier")]),
    ("IL-15、NCT06010472、CT-0508", [("15", "identifier"), ("6010472", "identifier"), ("508", "identifier")]),
    ("在 HER2 3+ 肿瘤患者中，44% 的患者", [("2", "identifier"), ("3", "score"), ("44", "percent")]),
    ("18例患者(1级)中有1例(6%)", [("18", "count"), ("1", "grade"), ("1", "count"), ("6", "percent")]),
    ("one (6%) of 18 patients", [("1", "count"), ("6", "percent"), ("18", "count")]),
    ("Of the nine patients", [("9", "count")]),
    ("成為了兩個孩子的母親", [("2", "items")]),
    ("分为多次给药组（1组）和单次给药组（2组）", [("1", "items"), ("2", "items")]),
    ("这是首个一期临床试验", []),  # 一期 (phase 1): 一 without a classifier is not a count
    ("在2023年8月21日至2024年6月16日期间", [("2023", "date"), ("8", "date"), ("21", "date"), ("2024", "date"),
                                             ("6", "date"), ("16", "date")]),
    ("发布时间:2025/11/16 14:13:44", [("2025", "date"), ("11", "date"), ("16", "date"), ("14", "date"),
                                     ("13", "date"), ("44", "date")]),
    ("第-5至-3天", [("5", "ordinal"), ("3", "duration:days")]),
    ("成年患者(18-65岁)", [("18", "age"), ("65", "age")]),
    ("1 级和 2 级细胞因子释放综合征", [("1", "grade"), ("2", "grade")]),
    ("治療後2個月到7年間", [("2", "duration:months"), ("7", "duration:years")]),
    ("全球仅18.23%(288/1580)", [("18.23", "percent"), ("288", "count"), ("1580", "count")]),
    ("這名患者得了神經性失聰", [("1", "count")]),
    ("百分之四十四的患者", [("44", "percent")]),
    ("剂量自 0.75×10⁹ 个细胞起", [("0.75", "dose")]),  # ×10⁹ is part of the unit
])
def test_every_number_of_a_text_has_a_kind(text, expected):
    assert [(str(figure.value), figure.kind) for figure in figures_in(text)] == \
        [(str(Decimal(value)), kind) for value, kind in expected]


@pytest.mark.parametrize("sentence, absent", [
    ("未观察到剂量限制性毒性（DLT）", True),
    ("也没有剂量限制性毒性", True),
    ("亦未有出現移植物抗宿主病", True),  # Hong Kong's 未有 (had not)
    ("但研究未有發現任何移植物抗宿主病", True),
    ("期間未錄得治療相關死亡", True),
    ("大多数为1～2级，无3级及以上CRS", True),  # a bare 无 before what could have occurred
    ("研究期间无患者死亡", True),
    ("中位无进展生存期为11.2个月", False),  # 无进展生存, 无复发, 无需: no absence
    ("12个月无复发生存率为80%", False),
    ("无需住院监测", False),
    ("Neurotoxicity and other severe adverse events were not observed", True),
    ("沒有證據表明CAR-T細胞治療會導致腫瘤", False),  # a statement about a cause, not a count of 0
    ("there is no evidence that CAR T cells caused tumours", False),
    ("无论如何，研究均已完成", False),
    ("患者均发生了细胞因子释放综合征", False),
])
def test_a_zero_is_backed_only_by_a_stated_absence(sentence, absent):
    assert states_absence(sentence) is absent


def quoted(text: str, id: str = "e1") -> Quoted:
    return Quoted.of(Excerpt(id=id, article="a", text=text))


COUNT, PERCENT = frozenset({"count"}), frozenset({"percent"})


def test_a_count_is_not_backed_by_the_digits_of_an_identifier():
    claim = Claim("enrolled", 19, COUNT, False)
    excerpt = quoted("纳入了18例复发或难治性SLE患者,接受异基因CD19 CAR-NK细胞治疗。")
    assert find_backing(claim, [excerpt], []) == "19 occurs only inside an identifier (“CD19” in e1)"
    assert find_backing(Claim("enrolled", 18, COUNT, False), [excerpt], []) is None


def test_a_percentage_is_not_backed_by_a_score_nor_a_count_by_a_group_label():
    excerpt = quoted("在 HER2 3+ 肿瘤患者中，44% 的患者在治疗后 8 周达到疾病稳定。分为多次给药组（1组）。")
    assert "only as a score (3+)" in find_backing(Claim("value", 3, PERCENT, True), [excerpt], ["疾病稳定"])
    assert "as a count of things" in find_backing(Claim("n", 1, COUNT, False), [excerpt], [])
    assert find_backing(Claim("value", 44, PERCENT, True), [excerpt], ["疾病稳定"], Binding(population="HER2 3+ 患者")) is None


def test_a_figure_must_stand_in_a_sentence_that_names_what_it_is_about():
    excerpt = quoted("18例患者中有1例(6%)出现细胞因子释放综合征。未观察到神经毒性。")
    neurotoxicity = ["神经毒性"]
    assert "does not name what the figure is about" in find_backing(Claim("patients", 1, COUNT, True), [excerpt],
                                                                    neurotoxicity)
    assert find_backing(Claim("patients", 0, COUNT, True), [excerpt], neurotoxicity) is None
    assert find_backing(Claim("patients", 1, COUNT, True), [excerpt], ["细胞因子释放综合征"]) is None


def test_a_duration_needs_its_unit():
    excerpt = quoted("这名儿童已经19个月没有接受T细胞治疗了。")
    assert find_backing(Claim("value", 19, frozenset({"duration:months"}), False), [excerpt], []) is None
    assert "as a duration in months" in find_backing(Claim("value", 19, frozenset({"duration:years"}), False),
                                                     [excerpt], [])


@pytest.mark.parametrize("text, phases", [
    ("是一項CAR-T療法的I期臨牀試驗。", {"phase-1"}),
    ("这也是一项首次在人体中进行的、多中心的、开放标签的一期临床试验", {"phase-1"}),
    ("a phase 1/2 trial", {"phase-1-phase-2"}),
    ("一项 I/II 期临床研究", {"phase-1-phase-2"}),
    ("入組時,這19名患兒已經處於Ⅳ期", set()),  # a disease stage, not a phase
    ("开放标签、单臂、前瞻性、首次人体病例系列研究", set()),
])
def test_a_phase_is_read_only_where_a_trial_is_named(text, phases):
    assert phases_stated(text) == phases


def test_a_qualified_figure_is_backed_only_where_the_source_qualifies_it_so():
    excerpt = quoted("另外5名持續接受隨訪的患者,存活超過13年,目前均處於CR/NED。")
    years = frozenset({"duration:years"})
    assert find_backing(Claim("value", 13, years, False, "more-than"), [excerpt], []) is None
    assert "qualified as more than (超过, 以上), not bound: exact; write bound: more-than" in \
        find_backing(Claim("value", 13, years, False, "exact"), [excerpt], [])
    assert "stated without a qualifier, not bound: about" in \
        find_backing(Claim("value", 5, COUNT, False, "about"), [excerpt], [])


@pytest.mark.parametrize("text, term, named", [
    ("CAR-T组发生CRS14例（15.6%）", "CRS", True),  # CRS 14 例, its space compacted away
    ("ICANS3例（7.3%）", "ICANS", True),
    ("CD22阳性", "CD2", False),  # a longer name, not this one
    ("CD19CAR-T", "CD1", False),
    ("CRS14天后缓解", "CRS", False),  # 14 天 is a time, not a count of CRS
])
def test_a_latin_name_right_before_its_count_still_names_it(text, term, named):
    assert bool(holds_term(text, term)) is named
