"""Script conversion: a briefing built with --script zh-Hant reads as traditional Chinese written for
Taiwan readers (the editors' text in Taiwan words, quotations in the source's words), one built with
--script zh-Hans as simplified, whatever script each article came in."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from reports.text.scripts import (
    PROFILES,
    SCRIPTS,
    ScriptConverter,
    ambiguous_uses,
    load_ambiguous_characters,
    load_corrections,
    load_vocabulary,
)
from reports.text.typeset import typeset_html

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "articles"
OTHER = {"zh-Hans": "zh-Hant", "zh-Hant": "zh-Hans"}


@pytest.fixture(scope="module")
def to() -> dict[str, ScriptConverter]:
    """One converter per target script, as a build makes one per document."""
    return {script: ScriptConverter(script) for script in SCRIPTS}


@pytest.fixture(scope="module")
def plain_opencc() -> dict[str, opencc.OpenCC]:
    """OpenCC itself, without our corrections, by target script."""
    return {script: opencc.OpenCC(PROFILES[script]) for script in SCRIPTS}


def seed_paragraph(name: str, start: str) -> str:
    """The paragraph of a seed article that begins with ``start``."""
    for line in (SEEDS / name).read_text(encoding="utf-8").splitlines():
        if line.startswith(start):
            return line
    raise AssertionError(f"no paragraph starting {start!r} in {name}")


def test_the_official_opencc_is_installed_not_the_reimplementation():
    assert hasattr(opencc, "opencc_clib"), f"{opencc.__file__} is opencc-python-reimplemented"
    assert Path(opencc.opencc_clib.__file__).suffix in (".so", ".pyd")


@pytest.mark.parametrize("correction", load_corrections(), ids=lambda c: f"{c.target}-{c.wrong}")
def test_each_correction_fixes_a_slip_opencc_still_makes(correction, to, plain_opencc):
    plain = plain_opencc[correction.target].convert(correction.example)
    assert correction.wrong in plain, (
        f"OpenCC {opencc.__version__} no longer writes {correction.wrong!r} here (it gives {plain!r}): "
        "the correction is obsolete, remove it from reports/text/script_corrections.yaml"
    )
    source = OTHER[correction.target]
    # A slip is fixed in quotations too: script only, no Taiwan words (verbatim).
    assert to[correction.target].convert(correction.example, source, verbatim=True) == correction.expected


@pytest.mark.parametrize("term", load_vocabulary(), ids=lambda term: term.mainland)
def test_each_taiwan_word_replaces_the_mainland_one_in_its_example(term, to, plain_opencc):
    plain = plain_opencc["zh-Hant"].convert(term.example)
    assert term.mainland in plain, (
        f"OpenCC writes {plain!r}: the example of {term.mainland!r} in reports/text/taiwan_vocabulary.yaml "
        "does not use the word"
    )
    converted = to["zh-Hant"].convert(term.example, "zh-Hans")
    assert converted == term.expected
    assert term.taiwan in converted
    assert to["zh-Hant"].convert(term.example, "zh-Hans", verbatim=True) != term.expected  # quotations keep theirs


@pytest.mark.parametrize(
    "simplified, traditional",
    [("发布会", "發布會"), ("运行情况", "運行情況"), ("在体内存活时间", "在體內存活時間"), ("通过重编程巨噬细胞", "透過重編程巨噬細胞"),
     ("激活", "活化"), ("发布日期", "發布日期"), ("持久性", "持久性"), ("病理类型", "病理類型"), ("人工审核", "人工審核")],
)
def test_opencc_s_own_taiwan_phrases_are_not_used(to, simplified, traditional):
    # s2twp, measured on the shipped documents, gives 釋出會, 執行情況, 在體記憶體活時間 (内存, RAM),
    # 重程式設計, 啟用, 釋出日期, 永續性, 型別 and 稽核: wrong in medical text. The reviewed
    # vocabulary gives the Taiwan word where one is due (透過, 活化), and the rest is converted in script only.
    assert to["zh-Hant"].convert(simplified, "zh-CN") == traditional


def test_the_editors_text_is_written_in_taiwan_words(to):
    text = "细胞因子释放综合征（CRS）为 1 级；最长随访 18 年；数据来源：注册信息；主要为乳腺癌；治疗后 8 周。"
    assert to["zh-Hant"].convert(text, "zh-Hans") == (
        "細胞激素釋放症候群（CRS）為 1 級；最長追蹤 18 年；資料來源：註冊資訊；主要為乳癌；治療後 8 週。")


def test_a_quotation_keeps_the_sources_words_in_traditional_characters(to):
    # The source wrote 随访 and 数据: a quotation says so, in traditional characters, its slips fixed.
    text = "“随访数据显示，CAR-T 细胞识别并吞噬肿瘤细胞，8 周后”"
    assert to["zh-Hant"].convert(text, "zh-Hans", verbatim=True) == "「隨訪數據顯示，CAR-T 細胞識別並吞噬腫瘤細胞，8 週後」"


@pytest.mark.parametrize(
    "simplified, traditional",
    [("治疗后 8 周", "治療後 8 週"), ("治疗后 8\u00a0周", "治療後 8\u00a0週"), ("第12周", "第12週"),
     ("本周", "本週"), ("周围淋巴结", "周圍淋巴結"), ("周医生", "周醫生")],
)
def test_a_week_after_a_figure_is_written_週_and_周_elsewhere_is_left(to, simplified, traditional):
    assert to["zh-Hant"].convert(simplified, "zh-Hans") == traditional


def test_taiwan_words_are_only_for_traditional_text(to):
    # Into simplified, a traditional text is converted in script only: 追蹤 stays 追踪, not 随访.
    assert to["zh-Hans"].convert("追蹤資料", "zh-Hant") == "追踪资料"


def test_every_phrase_written_otherwise_than_opencc_is_listed_with_its_context(to):
    text, swaps = to["zh-Hant"].convert_listing("随访数据显示抗原并发挥作用", "zh-Hans")
    assert text == "追蹤資料顯示抗原並發揮作用"
    assert [(s.kind, s.wrong, s.right, s.context) for s in swaps] == [
        ("correction", "併發揮", "並發揮", "資料顯示抗原【並發揮】作用"),  # six characters either side
        ("vocabulary", "隨訪", "追蹤", "【追蹤】資料顯示抗原"),
        ("vocabulary", "數據", "資料", "追蹤【資料】顯示抗原並發"),
    ]


def test_the_typesetting_converts_the_sources_words_in_script_only(to):
    html = ('<div lang="zh-Hans"><p>随访数据</p><blockquote>随访数据</blockquote>'
            '<p class="passage-text">随访<strong class="quoted">数据</strong></p><div class="article-body"><p>随访</p></div>'
            '<p>来源：<span class="verbatim">随访数据</span>，随访</p></div>')
    converted = typeset_html(html, to["zh-Hant"].convert, "zh-Hant").replace("\u2060", "")  # ties aside
    assert converted == ('<div lang="zh-Hant"><p>追蹤資料</p><blockquote>隨訪數據</blockquote>'
                         '<p class="passage-text">隨訪<strong class="quoted">數據</strong></p><div class="article-body"><p>隨訪</p></div>'
                         '<p>來源：<span class="verbatim">隨訪數據</span>，追蹤</p></div>')


def test_a_rare_form_of_a_one_to_many_character_is_shown_outside_its_words():
    assert ambiguous_uses("直接識別腫瘤細胞表面抗原併發揮殺傷作用") == ["細胞表面抗原【併】發揮殺傷作用"]
    assert ambiguous_uses("時長鬚帶相同單位") == ["時長【鬚】帶相同單位"]
    assert ambiguous_uses("合併併發症，一併保留；頭髮、脫髮；幹細胞") == []


def test_each_rare_form_is_another_form_of_its_simplified_character(plain_opencc):
    for entry in load_ambiguous_characters():
        assert entry.character != entry.usual and entry.simplified, entry
        for word in entry.words:
            assert entry.character in word, (entry.character, word)


@pytest.mark.parametrize(
    "simplified, traditional",
    [("治疗后复发率高达 30%", "治療後復發率高達 30%"), ("如托珠单抗", "如托珠單抗"), ("学术机构挑大梁", "學術機構挑大梁")],
    ids=["relapse-rate", "tocilizumab", "idiom"],
)
def test_seed_terms_that_opencc_before_1_4_2_got_wrong(to, simplified, traditional):
    # Up to 1.4.0: 複發率 (repeated onset, not relapse) and 託珠單抗; 1.4.1: 挑大樑. Hence opencc>=1.4.2.
    assert to["zh-Hant"].convert(simplified, "zh-Hans") == traditional


def test_simplified_quotes_become_corner_brackets_nested_ones_double(to):
    text = "他说：“这还是一个‘疯狂的想法’。”"
    assert to["zh-Hant"].convert(text, "zh-Hans") == "他說：「這還是一個『瘋狂的想法』。」"


def test_corner_brackets_become_curly_quotes_in_simplified(to):
    text = "他說：「這還是一個『瘋狂的想法』。」"
    assert to["zh-Hans"].convert(text, "zh-Hant") == "他说：“这还是一个‘疯狂的想法’。”"


def test_quotes_follow_the_target_even_when_the_characters_already_do(to):
    # Characters in the target script are left alone: 臨牀 (not Taiwan's 臨床) stays.
    assert to["zh-Hant"].convert("“臨牀試驗”", "zh-Hant") == "「臨牀試驗」"
    assert to["zh-Hans"].convert("「临床试验」", "zh-Hans") == "“临床试验”"
    assert to["zh-Hant"].convert("“臨牀試驗”", "zh") == "「臨牀試驗」"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("克罗恩病（Crohn’s disease）", "克羅恩病（Crohn’s disease）"),
        ("‘Crohn’s disease’", "『Crohn’s disease』"),
        ("patients’ outcomes", "patients’ outcomes"),
        ("只有一个‘引号", "只有一個‘引號"),
    ],
    ids=["apostrophe", "apostrophe-inside-quotes", "lone-closing-mark", "lone-opening-mark"],
)
def test_single_quotes_are_converted_only_as_pairs(to, text, expected):
    assert to["zh-Hant"].convert(text, "zh-Hans") == expected


@pytest.mark.parametrize("target", SCRIPTS)
def test_english_text_is_returned_unchanged(to, target):
    text = "“Tumor response” in a child’s ‘rhabdomyosarcoma’ 「x」"
    assert to[target].convert(text, "en") == text


@pytest.mark.parametrize(
    "lang, into_hant, into_hans",
    [
        ("zh-Hans", True, False), ("zh-hans", True, False), ("zh-CN", True, False),
        ("zh-Hant", False, True), ("zh-TW", False, True), ("zh-HK", False, True),
        ("zh", False, False), ("en", False, False),
    ],
)
def test_converts_says_which_languages_get_their_characters_converted(to, lang, into_hant, into_hans):
    assert to["zh-Hant"].converts(lang) is into_hant
    assert to["zh-Hans"].converts(lang) is into_hans


@pytest.mark.parametrize(
    "article, start",
    [("car-t-her2-rhabdomyosarcoma.md", "Hegde说，“尽管"), ("car-t-landscape-1580-trials.md", "多靶点趋势")],
)
def test_a_seed_paragraph_survives_the_round_trip(to, article, start):
    simplified = seed_paragraph(article, start)  # an article's words: converted in script only
    traditional = to["zh-Hant"].convert(simplified, "zh-Hans", verbatim=True)
    assert traditional != simplified
    assert to["zh-Hans"].convert(traditional, "zh-Hant", verbatim=True) == simplified


def test_an_unknown_target_script_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"unknown script 'zh-TW': use zh-Hans or zh-Hant"):
        ScriptConverter("zh-TW")


def test_the_script_of_a_text_is_the_one_opencc_changes_fewer_of_its_characters_into():
    """reports add-article's guess, for an article whose front matter has no lang: the shipped articles'
    scripts as the index gives them (the traditional one quotes a simplified by-line)."""
    from reports.content.articles import read_articles
    from reports.errors import Problems
    from reports.text.scripts import script_of_text

    articles = read_articles(SEEDS.parent, Problems(SEEDS.parents[1]))
    assert sorted({article.lang for article in articles.values()}) == ["zh-Hans", "zh-Hant"]
    for article in articles.values():
        text = (SEEDS / f"{article.id}.md").read_text(encoding="utf-8")
        assert script_of_text(text) == article.lang, article.id
    assert script_of_text("CAR-T 2025") is None and script_of_text("中文") is None  # nothing tells them apart
