"""Reading articles: three header styles, BOM and CRLF, script, links and images, untrusted HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.content.articles import read_articles, render_body
from reports.errors import Problems

ROOT = Path(__file__).resolve().parents[2]

YAML_HEADER = '---\ntitle: "标题甲"\ndate: "2025-02-13 10:40:24"\nlang:\n  - "zh-CN"\n---\n\n正文第一段。\n'
TOML_HEADER = '+++\ntitle = "標題乙"\ndate = "2020-10-29"\n+++\n\n正文第一段。\n'
NO_HEADER = "正文第一段。\n第二行也是一段。\n"


def read(tmp_path: Path, files: dict[str, bytes], index: str) -> tuple[dict, Problems]:
    seeds = tmp_path / "seeds"
    (seeds / "articles").mkdir(parents=True)
    for name, data in files.items():
        (seeds / "articles" / name).write_bytes(data)
    (seeds / "articles.yaml").write_text(index, encoding="utf-8")
    problems = Problems(tmp_path)
    return read_articles(seeds, problems), problems


INDEX = """\
articles:
  - file: a.md
    outlet: 甲网
  - file: b.md
    outlet: 乙网
    script: zh-Hant
  - file: c.md
    title: 丙
    published: 2025-11-16
    # the text states neither: the index says where they come from
    supplied:
      - {field: title, value: 丙, record: 丙网的文章页面（https://example.org/c）, checked: 2025-11-20}
      - {field: published, value: 2025-11-16, record: 丙网的文章页面（https://example.org/c）, checked: 2025-11-20}
    outlet: 丙网
    script: zh-Hans
    paragraphs: lines
"""


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: text.encode(), id="utf8-lf"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf8-bom"),
    pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="utf8-crlf"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), id="utf8-bom-crlf"),
])
def test_all_three_header_styles_in_every_encoding_variant(tmp_path: Path, encode):
    articles, problems = read(tmp_path, {"a.md": encode(YAML_HEADER), "b.md": encode(TOML_HEADER),
                                         "c.md": encode(NO_HEADER)}, INDEX)
    assert problems.errors == []
    a, b, c = articles["a"], articles["b"], articles["c"]
    assert (a.title, a.published.iso(), a.lang) == ("标题甲", "2025-02-13", "zh-Hans")
    assert (b.title, b.published.iso(), b.lang) == ("標題乙", "2020-10-29", "zh-Hant")
    assert (c.title, c.published.iso(), c.lang) == ("丙", "2025-11-16", "zh-Hans")
    assert a.blocks[0].text == "正文第一段。" and a.blocks[0].line == 8
    assert b.blocks[0].line == 6
    # paragraphs: lines -> each line of a plain-text paste is its own paragraph, at its own line
    assert [(block.text, block.line) for block in c.blocks] == [("正文第一段。", 1), ("第二行也是一段。", 2)]
    assert c.html.count("<p>") == 2


def test_malformed_toml_front_matter_is_located(tmp_path: Path):
    _, problems = read(tmp_path, {"a.md": YAML_HEADER.encode(), "b.md": b'+++\ntitle = "x"\nbad line\n+++\n',
                                  "c.md": NO_HEADER.encode()}, INDEX)
    assert [str(p) for p in problems.errors] == [
        "seeds/articles/b.md:3:5: malformed TOML front matter: Expected '=' after a key in a key/value pair; "
        "check quotes and '=' signs"
    ]


def test_a_front_matter_date_that_is_not_a_date_is_reported_at_its_line(tmp_path: Path):
    _, problems = read(tmp_path, {"a.md": YAML_HEADER.replace("2025-02-13", "2025-13-02").encode(),
                                  "b.md": TOML_HEADER.replace("2020-10-29", "29.10.2020").encode(),
                                  "c.md": NO_HEADER.encode()}, INDEX)
    assert [str(p) for p in problems.errors if "front matter date" in str(p)] == [
        "seeds/articles/a.md:3:1: front matter date: '2025-13-02 10:40:24' is not a real date",
        "seeds/articles/b.md:3:1: front matter date: '29.10.2020' is not an ISO date; write it as YYYY-MM-DD "
        "(or YYYY-MM, YYYY when the day is unknown)",
    ]


def test_unclosed_front_matter_is_located(tmp_path: Path):
    _, problems = read(tmp_path, {"a.md": b"---\ntitle: x\n\nbody\n", "b.md": TOML_HEADER.encode(),
                                  "c.md": NO_HEADER.encode()}, INDEX)
    assert [str(p) for p in problems.errors] == [
        "seeds/articles/a.md:1:1: front matter opened with --- is never closed; add a line with --- after it"
    ]


def test_links_keep_their_text_and_send_their_url_to_the_references():
    html, blocks, links, figures = render_body("见[论文](https://doi.org/10.1/x)与[论文](https://doi.org/10.1/x)。", 1, False)
    assert "论文" in html and "href" not in html and "doi.org" not in html
    assert [(link.text, link.url) for link in links] == [("论文", "https://doi.org/10.1/x")]


def test_images_are_never_fetched_but_their_place_is_noted():
    html, _, _, figures = render_body("![](https://example.org/a.png)\n\n文字![图](https://example.org/b.png)\n", 1, False)
    assert figures == 2
    assert "<img" not in html and "example.org" not in html
    assert html.count("〔原文配图从略〕") == 2
    html, *_ = render_body("![x](file:///etc/passwd)", 1, False)
    assert "<img" not in html


def test_raw_html_and_scripts_come_out_as_harmless_text():
    source = '<script>alert("x")</script>\n\n<img src="http://evil.example/x.png" onerror="alert(1)">\n\n正文<b onclick="x()">粗</b>'
    html, blocks, _, _ = render_body(source, 1, False)
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in html
    assert "onerror" in html  # visible as text, inert
    assert blocks[0].text == '<script>alert("x")</script>'


def test_cjk_line_breaks_inside_a_paragraph_add_no_space():
    html, *_ = render_body("第一行\n第二行 and English\nwords", 1, False)
    assert "第一行第二行 and English words" in html


def test_article_headings_do_not_enter_the_briefing_outline():
    html, *_ = render_body("## 小标题\n\n正文", 1, False)
    assert "<h2" not in html and '<p class="article-heading">小标题</p>' in html


def test_the_shipped_articles_read_cleanly_with_their_scripts():
    problems = Problems(ROOT)
    articles = read_articles(ROOT / "seeds", problems)
    assert problems.errors == [] and problems.warnings == []
    assert {a.id: a.lang for a in articles.values()} == {
        "car-m-ct0508-phase1": "zh-Hans",
        "car-nk-cd19-lupus": "zh-Hans",
        "car-t-gd2-neuroblastoma-18y": "zh-Hant",
        "car-t-her2-rhabdomyosarcoma": "zh-Hans",
        "car-t-landscape-1580-trials": "zh-Hans",
    }
    # the boilerplate lines named in the index are left out of the printed text
    assert "打开网易新闻" not in articles["car-t-landscape-1580-trials"].html
    assert "https://www.nature.com/articles/s41467-020-17175-8" in [l.url for l in articles["car-t-her2-rhabdomyosarcoma"].links]


def test_the_sites_own_navigation_is_not_listed_as_a_link_the_article_cites():
    """Course videos and topic pages of the publisher, search pages of another site: not sources."""
    problems = Problems(ROOT)
    articles = read_articles(ROOT / "seeds", problems)
    assert [link.url for link in articles["car-t-her2-rhabdomyosarcoma"].links] == [
        "https://www.nature.com/articles/s41467-020-17175-8"]  # xy.bioon.com course videos and the like dropped
    assert articles["car-m-ct0508-phase1"].links == []  # medsci.cn topic and search pages, and the page itself
