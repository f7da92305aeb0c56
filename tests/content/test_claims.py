"""Claims bound to their words: what a careless or hostile curator writes beside the figures, refused.

Each test takes a shipped evidence table, makes the slip an outside audit made, and runs the
check as `reports check` does (in process, against the shipped articles): the slip must be
reported at its line, with what the source says instead. The shipped table itself passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.content.articles import read_articles
from reports.content.evidence import EvidenceFile
from reports.content.model import EvidenceTable
from reports.content.sources import parse_yaml, validate_data
from reports.content.verify.claims import Scope, fold, lexicon_for, phase_tokens, unbacked_words
from reports.content.verify.denominators import count_pairs
from reports.content.verify.evidence import verify_evidence
from reports.errors import Problems

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def articles():
    problems = Problems(ROOT)
    loaded = read_articles(SEEDS, problems)
    assert not problems.errors
    return loaded


def check(table: str, articles, *edits: tuple[str, str]) -> list[str]:
    """`reports check` on a shipped table with each (old, new) edit made once: its error lines."""
    path = SEEDS / "evidence" / f"{table}.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    problems = Problems(ROOT)
    parsed = parse_yaml(text, path, problems)
    assert parsed is not None
    data, positions = parsed
    model = validate_data(EvidenceTable, data, positions, problems)
    if model is not None:
        verify_evidence([EvidenceFile(path, model, positions)], articles, problems)
    return [str(problem) for problem in problems.errors]


@pytest.mark.parametrize("table", ["car-t", "car-nk", "car-m"])
def test_the_shipped_tables_pass(table, articles):
    assert check(table, articles) == []


# --- Numbers bound to what they count -----------------------------------------------------------

def test_two_targets_swapped_in_the_landscape_are_caught_by_the_name_nearest_to_each_figure(articles):
    errors = check("car-t", articles, ("value: 9.60", "value: SWAP"), ("value: 4.89", "value: 9.60"),
                   ("value: SWAP", "value: 4.89"))
    assert any("“4.89%” in ls-haematological-other belongs to “CD7”, the name nearest to it" in e for e in errors)
    assert any("“9.60%” in ls-haematological-other belongs to “CD22”" in e for e in errors)


def test_the_world_and_china_publication_rates_swapped_are_caught(articles):
    errors = check("car-t", articles, ("label: 全球", "label: SWAP"), ("label: 中国", "label: 全球"),
                   ("label: SWAP", "label: 中国"))
    assert any("“18.23%” in ls-publication belongs to “全球”" in e for e in errors)
    assert any("“14.23%” in ls-publication belongs to “中国”" in e for e in errors)


def test_a_denominator_must_be_stated_as_one(articles):
    # 7/19 -> 7/7: 7 stands in the excerpts, but never as what the deaths or survivors are out of
    errors = check("car-t", articles, ("        n: 7\n        of: 19", "        n: 7\n        of: 7"))
    assert any("outcomes.0.of = 7" in e for e in errors)
    # 1/18 -> 1/14 (14 is a count of the same article, not this event's denominator)
    errors = check("car-nk", articles, ("        of: 18\n        summary: 未发生", "        of: 14\n        summary: 未发生"))
    assert any("adverse_events.2.of = 14 is not stated" in e for e in errors), errors


def test_a_subgroups_figure_shown_as_the_whole_cohorts_is_refused(articles):
    errors = check("car-m", articles, ("        population: HER2 3+ 患者\n", ""))
    assert any("outcomes.0.value = 44" in e and "is of a subgroup (在HER2 3+ 肿瘤中)" in e for e in errors)
    errors = check("car-nk", articles, ("随访超过 12 个月的 9 例中 6 例", "全部 9 例中 6 例"))
    assert any("overview.key_message: “6 例” is of a subgroup in nk-efficacy" in e for e in errors)


def test_a_qualifier_travels_with_its_number_into_prose(articles):
    errors = check("car-t", articles, ("中 7 例存活 8 年以上", "中 7 例存活 8 年"))
    assert any("overview.key_message: “8 年” is stated without a qualifier, but gd2-headline states “8年” qualified "
               "as more than" in e for e in errors)


def test_the_patients_a_count_is_of_must_be_said(articles):
    errors = check("car-nk", articles, ("    enrollment:\n", "    enrollment:\n      treated: 18\n"))
    assert any("enrollment.treated = 18" in e and "does not say the patients were treated" in e for e in errors)


# --- Clinical words are claims ------------------------------------------------------------------

@pytest.mark.parametrize("table, old, new, word", [
    ("car-nk", "indication: 复发或难治性系统性红斑狼疮", "indication: 初治系统性红斑狼疮", "初治"),
    ("car-t", "1 例对标准化疗无反应的高危转移性横纹肌肉瘤患儿", "1 例对标准化疗无反应的高危转移性横纹肌肉瘤成人", "成人"),
    ("car-t", "indication: 转移性横纹肌肉瘤", "indication: 局部横纹肌肉瘤", "局部"),
    ("car-m", "indication: HER2 过表达晚期实体瘤", "indication: HER2 低表达早期实体瘤", "低表达"),
    ("car-nk", "summary: 开放标签、单臂", "summary: 双盲、随机对照", "双盲"),
    ("car-m", "首次人体 I 期试验（14 例）", "首次人体 II 期试验（14 例）", "II 期"),
    ("car-nk", "证据确定性极低。", "证据确定性极低。疗效显著优于标准治疗。", "优于"),
    ("car-nk", "证据确定性极低。", "证据确定性极低。已获批上市。", "获批"),
    ("car-t", "以上证据的确定性均为极低。", "以上证据的确定性均为极低。多数试验已进入 III 期。", "III 期"),
])
def test_a_clinical_word_the_source_does_not_state_is_refused(table, old, new, word, articles):
    errors = check(table, articles, (old, new))
    assert any(f"“{word.replace(' ', ' ')}" in e or word in e for e in errors), errors


def test_the_overview_may_say_approved_only_where_an_excerpt_says_it_of_the_same_thing(articles):
    # gd2-approvals: 自2017年首個CAR-T療法獲批以來 ... ; the overview's sentence names 2017 too
    assert check("car-t", articles) == []
    errors = check("car-t", articles, ("第一代 GD2 CAR-T 治疗神经母细胞瘤 I 期试验", "第一代 GD2 CAR-T 已获批上市 I 期试验"))
    assert any("“获批” (approval) is stated in this row's excerpts only about something else" in e for e in errors)


def test_a_cure_word_in_the_curators_text_is_an_error(articles):
    errors = check("car-t", articles, ("目前仍完全缓解", "已治愈"))
    assert any("“治愈” is a cure word" in e for e in errors)


def test_a_certainty_in_words_must_be_the_rating(articles):
    errors = check("car-nk", articles, ("证据确定性极低。", "证据确定性高。"))
    assert any("the text says the certainty is 高 (high), but the rating here is 极低" in e for e in errors)


def test_design_fields_are_stated_or_not_reported(articles):
    errors = check("car-m", articles, ("      masking: none", "      masking: double"))
    assert any("design.masking: double is not stated in this row's excerpts (no 双盲)" in e for e in errors)
    errors = check("car-m", articles, ("      allocation: not-reported", "      allocation: randomized"))
    assert any("design.allocation: randomized is not stated" in e for e in errors)
    errors = check("car-t", articles, ("      masking: not-reported", "      masking: na"))
    assert any("design.masking: na (not applicable) is for studies without arms" in e for e in errors)


def test_words_are_compared_in_either_script_and_a_negation_is_not_its_opposite():
    lexicon = lexicon_for()
    traditional = Scope(["入組時,這19名患兒已經處於Ⅳ期。為此,他們招募了19名復發/難治性神經母細胞瘤患者。"], lexicon)
    assert unbacked_words("复发/难治性神经母细胞瘤患儿（IV 期）", traditional) == []
    non_randomised = Scope(["一项非随机、开放标签的试验。"], lexicon)
    assert unbacked_words("随机对照试验", non_randomised) == [
        "“随机对照” (allocation) is not stated in {scope}; quote where the source says it, or write what the source says"]
    assert unbacked_words("非随机、开放标签", non_randomised) == []


def test_saying_what_the_source_does_not_report_claims_nothing():
    scope = Scope(["44% 的患者在治疗后 8 周达到疾病稳定。"], lexicon_for())
    assert unbacked_words("原文未报告客观缓解或生存结局", scope) == []
    assert unbacked_words("客观缓解率 44%", scope) != []


def test_a_project_adds_its_own_claim_words():
    scope = Scope(["本研究为单臂试验。"], lexicon_for({"bridging": ["桥接治疗"]}))
    assert unbacked_words("允许桥接治疗", scope)[0].startswith("“桥接治疗” (bridging) is not stated")


def test_phases_are_read_in_every_way_they_are_written():
    assert phase_tokens("一项 I 期临床试验") == {"I"}
    assert phase_tokens("一期临床试验") == {"I"}
    assert phase_tokens("处于 I 期或早期 I 期") == {"I", "早期I"}
    assert phase_tokens("I/II 期") == {"I/II"}
    assert phase_tokens("入组时均为Ⅳ期") == {"IV"}
    assert phase_tokens("a phase 1/2 trial") == {"I/II"}
    assert phase_tokens("同一期") == set()


# --- What the words around a figure say -----------------------------------------------------------

def test_an_absence_the_source_states_only_as_severe_keeps_its_qualifier(articles):
    # 未观察到…严重细胞因子释放综合征（CRS）: CRS of grade 1-2 did occur
    errors = check("car-m", articles, ("未见剂量限制性毒性、严重 CRS", "未见剂量限制性毒性、CRS"))
    assert any("overview.key_message: “CRS” is said not to occur, but the source says only that no severe CRS" in e
               for e in errors), errors
    errors = check("car-nk", articles, ("term: 其他 CAR-NK 治疗相关严重不良事件", "term: 其他 CAR-NK 治疗相关不良事件"))
    assert any("adverse_events.3.term: “其他 CAR-NK 治疗相关不良事件” with 0 patients says none occurred" in e
               for e in errors), errors


def test_an_absence_the_source_states_for_a_subgroup_names_the_subgroup(articles):
    errors = check("car-m", articles, ("44% 疾病稳定，HER2 2+ 亚组未见显著疗效", "44% 疾病稳定，未见显著疗效"))
    assert any("overview.key_message: the source states this absence only for a subgroup (在HER2 2+中)" in e
               for e in errors), errors


def test_a_count_with_its_denominator_is_the_sources_pair(articles):
    # 9 and 18 are both counts of the article, but 6 of 18 is not what it says
    errors = check("car-nk", articles, ("随访超过 12 个月的 9 例中 6 例", "随访超过 12 个月的 18 例中 6 例"))
    assert any("overview.key_message: “6 of 18” is not stated as such" in e for e in errors), errors


def test_a_pair_is_read_from_every_count_not_only_after_the_last_pair():
    # 1 例…其中 1 例 reads first; the 1 of 2 after it is the source's pair too
    stated = count_pairs("感染方面，1例发生带状疱疹，2例发生肺部感染，其中1例为3级。")
    assert (2, 1) in stated
    assert (3, 1) not in stated and (2, 2) not in stated


def test_a_count_in_prose_stands_in_the_words_of_its_excerpt(articles):
    # 1 例 is a count of the article (1 例出现 CRS), but not of the patients treated
    errors = check("car-nk", articles, ("病例系列中，18 例复发或难治性", "病例系列中，1 例复发或难治性"))
    assert any("overview.status: “1 例” stands in other words here than in" in e for e in errors), errors


def test_two_outcomes_names_swapped_with_their_figures_kept_are_caught(articles):
    errors = check("car-t", articles, ("name: 存活 8 年以上", "name: SWAP"), ("name: 持续随访患者的生存", "name: 存活 8 年以上"),
                   ("name: SWAP", "name: 持续随访患者的生存"))
    assert any("outcomes.2.name: “8 年” in the name is not stated in this item's excerpts (gd2-13-years)" in e
               for e in errors), errors


def test_a_quoted_as_form_cannot_be_another_items_name(articles):
    errors = check("car-t", articles, ("        - label: CD22\n", "        - label: CD22\n          quoted_as: [CD20]\n"))
    assert any("quoted_as “CD20” is the name of another item, “CD20”" in e for e in errors), errors
    errors = check("car-t", articles, ("name: 死亡", "name: 失访"))
    assert any("quoted_as “離世” does not name what “失访” names" in e for e in errors), errors


def test_an_adverse_event_is_named_in_its_excerpts(articles):
    errors = check("car-t", articles, ("      - term: 继发性恶性肿瘤", "      - term: 心脏毒性"),
                   ("        quoted_as: [導致腫瘤]\n", ""))
    assert any("adverse_events.0.term: “心脏毒性” is not named in its excerpts (gd2-no-malignancy)" in e
               for e in errors), errors


def test_cell_source_words_stand_beside_the_product_the_source_names():
    scope = Scope(["可能解决当前自体CAR - t细胞疗法的局限性", "异基因CD19 CAR - NK细胞治疗"], lexicon_for())
    assert unbacked_words("异基因 CD19 CAR-NK 有望缓解自体 CAR-T 的局限", scope) == []
    assert unbacked_words("自体 CD19 CAR-NK", scope)[0].startswith("“自体” (cell source) is stated in {scope} only of "
                                                                  "something else, never beside “cd19c”")


@pytest.mark.parametrize("words, group, not_group", [
    ("该研究没有对照组", "uncontrolled", "controlled"),  # 没有对照组 holds 对照组, and says the opposite
    ("研究缺乏对照组，样本量有限", "uncontrolled", "controlled"),
    ("本研究为單一中心試驗", "single-centre", "multi-centre"),
    ("設有對照組", "controlled", "uncontrolled"),
])
def test_the_words_the_blind_writers_used_for_a_design_are_read_as_it(words, group, not_group):
    stated = lexicon_for().stated(fold(words))
    assert group in stated and not_group not in stated
