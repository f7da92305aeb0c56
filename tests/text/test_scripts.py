"""Script conversion: a briefing built with --script zh-Hant reads as Taiwan-standard traditional
Chinese, one built with --script zh-Hans as simplified, whatever script each article came in."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from reports.text.scripts import PROFILES, SCRIPTS, ScriptConverter, load_corrections

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
    assert to[correction.target].convert(correction.example, source) == correction.expected


@pytest.mark.parametrize("simplified, traditional", [("发布会", "發布會"), ("运行情况", "運行情況")])
def test_words_are_converted_in_script_only_never_swapped_for_regional_vocabulary(to, simplified, traditional):
    # s2twp would give 釋出會 and 執行情況, wrong in medical news. (s2tw gives 發佈會: see the corrections.)
    assert to["zh-Hant"].convert(simplified, "zh-CN") == traditional
    assert to["zh-Hans"].convert(traditional, "zh-TW") == simplified


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
    simplified = seed_paragraph(article, start)
    traditional = to["zh-Hant"].convert(simplified, "zh-Hans")
    assert traditional != simplified
    assert to["zh-Hans"].convert(traditional, "zh-Hant") == simplified


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
