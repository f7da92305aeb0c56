"""Charts and QR codes: drawn by reportlab as SVG, printed by WeasyPrint, read back with poppler and zbar."""

from __future__ import annotations

import base64
import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.pdf import XHTML, pdftotext, run_tool

from reports.render.graphics import Bar, Panel, bar_chart_svg, break_units, qr_svg
from reports.render.pdf import ProjectURLFetcher, render_pdf

SVG = "{http://www.w3.org/2000/svg}"
URLS = [
    "https://doi.org/10.1038/s41467-020-17175-8",
    "https://clinicaltrials.gov/study/NCT06010472",
    "https://mp.weixin.qq.com/s?__biz=MzA3NzU1NjA4MQ==&mid=2651234567&idx=1&sn=abc",
]
CATEGORIES = ["HER2 CAR-T 细胞", "第一代 GD2 CAR-T 细胞"]
PANELS = [
    Panel("样本量（例）", [Bar(1, "1 例"), Bar(19, "19 例")]),
    Panel("客观缓解率", [Bar(None, "未报道"), Bar(36.8, "37%（7/19）")], maximum=100),
    Panel("随访时间", [Bar(19, "19 个月"), Bar(218, "最长 18 年")]),
]
WIDTH = 481.89  # 170 mm, the briefing's measure


def chart(categories=CATEGORIES, panels=PANELS, width=WIDTH, **options) -> str:
    return bar_chart_svg(categories, panels, width, title="三项研究的样本量、缓解率与随访",
                         description="横向条形图，每行一项研究", **options)


def print_pdf(folder: Path, images: list[str], before: str = "") -> Path:
    """The images printed as the briefing prints them: data: URLs through the project's fetcher."""
    tags = "".join(f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}" alt="">'
                   for svg in images)
    html = (f'<html lang="zh-Hans"><style>@page {{ size: A4; margin: 0 }} body {{ margin: 0 }} '
            f'img {{ display: block; margin-bottom: 20pt }}</style><body>{before}{tags}</body></html>')
    fetcher = ProjectURLFetcher([folder])
    out = folder / "graphics.pdf"
    render_pdf(html, folder, [], fetcher).write_pdf(out)
    assert fetcher.refused == []
    return out


def flat(text: str) -> str:
    """pdftotext breaks lines and spaces words as it likes; compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word of the PDF with its box (x min, y min, x max, y max) in pt."""
    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout)
    return [(word.text, *(float(word.get(key)) for key in ("xMin", "yMin", "xMax", "yMax")))
            for word in root.iter(XHTML + "word")]


def font_families(pdf: Path) -> list[str]:
    return [line.split()[0] for line in run_tool("pdffonts", pdf).splitlines()[2:]]


@pytest.mark.render
def test_each_qr_code_prints_as_vectors_and_scans_back_to_its_url(tmp_path: Path):
    assert shutil.which("zbarimg"), "zbarimg missing: the test command installs zbar-tools"
    pdf = print_pdf(tmp_path, [qr_svg(url, 64) for url in URLS])  # about 2.3 cm
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=False).stdout.splitlines()
    assert sorted(scanned) == sorted(URLS)
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert images.splitlines()[2:] == []  # the header only: no raster image


@pytest.mark.render
def test_a_chart_prints_its_labels_titles_and_values_as_text_in_noto_sans_cjk_sc(tmp_path: Path):
    pdf = print_pdf(tmp_path, [chart()])
    text = flat(pdftotext(pdf))
    for expected in CATEGORIES + [panel.title for panel in PANELS] + [bar.text for panel in PANELS for bar in panel.bars]:
        assert flat(expected) in text
    fonts = font_families(pdf)
    assert any(re.match(r"[A-Z]{6}\+Noto-Sans-CJK-SC$", name) for name in fonts), fonts
    assert not any("CJK-TC" in name or "CJK-JP" in name for name in fonts), fonts


@pytest.mark.render
def test_a_traditional_chinese_chart_is_set_in_the_tc_faces(tmp_path: Path):
    panels = [Panel("樣本量（例）", [Bar(19, "19 例")]), Panel("存活", [Bar(7, "7 人存活超過 8 年")])]
    pdf = print_pdf(tmp_path, [chart(["第一代 GD2 CAR-T 細胞"], panels, lang="zh-Hant")])
    assert "第一代GD2CAR-T細胞" in flat(pdftotext(pdf))
    fonts = font_families(pdf)
    assert any(name.endswith("Noto-Sans-CJK-TC") for name in fonts), fonts
    assert not any("CJK-SC" in name for name in fonts), fonts


@pytest.mark.render
def test_the_chart_is_as_wide_as_asked_and_its_texts_stay_in_their_panels(tmp_path: Path):
    boxes = words(print_pdf(tmp_path, [chart()]))
    # The last panel's longest text is on its longest bar: it ends at the right edge, to a hair.
    assert max(box[3] for box in boxes) == pytest.approx(WIDTH, abs=0.3)
    title_lefts = [next(box[1] for box in boxes if box[0] == flat(panel.title)) for panel in PANELS]
    for left, next_left in itertools.pairwise(title_lefts):
        in_panel = [box for box in boxes if left <= box[1] < next_left]
        assert len(in_panel) >= 3 and all(box[3] < next_left - 2 for box in in_panel), in_panel


@pytest.mark.render
def test_no_text_is_printed_under_8_pt(tmp_path: Path):
    svg = chart(font_size=6)
    root = ET.fromstring(svg)
    assert root.get("width") == f"{WIDTH:g}pt" and root.get("height").endswith("pt")
    assert [float(number) for number in root.get("viewBox").split()] == [0, 0, WIDTH, float(root.get("height")[:-2])]
    sizes = [float(re.search(r"font-size: ([\d.]+)px", text.get("style")).group(1)) for text in root.iter(SVG + "text")]
    assert len(sizes) == 2 + 3 + 6 and min(sizes) >= 8  # user units are pt, as the viewBox says
    # Printed, the chart's text is exactly as tall as 8 pt text of the page in the same face.
    reference = '<p style="font: 8pt \'Noto Sans CJK SC\'; margin: 0">参照</p>'
    boxes = {box[0]: box for box in words(print_pdf(tmp_path, [svg], before=reference))}
    assert boxes["未报道"][4] - boxes["未报道"][2] == pytest.approx(boxes["参照"][4] - boxes["参照"][2], abs=0.01)


def test_a_long_label_wraps_onto_two_lines_between_words_and_is_shortened_only_beyond():
    categories = ["异基因 CD19 CAR-NK 细胞", "Autologous anti-BCMA CAR-T cells for relapsed multiple myeloma"]
    svg = chart(categories, [Panel("样本量（例）", [Bar(10, "10 例"), Bar(120, "120 例")])], 200)
    labels = [text.text for text in ET.fromstring(svg).iter(SVG + "text") if text.get("x") == "0"]
    assert labels[:2] == ["异基因 CD19", "CAR-NK 细胞"]
    assert labels[2] == "Autologous" and labels[3].startswith("anti-BCMA") and labels[3].endswith("…")
    assert len(labels) == 4


@pytest.mark.render
def test_markup_in_user_text_is_escaped_and_the_svg_refers_to_nothing_outside(tmp_path: Path):
    hostile = "<script>&\"' \x01"
    svg = chart([hostile], [Panel(hostile, [Bar(1, hostile)])], 300)
    root = ET.fromstring(svg)
    assert [text.text for text in root.iter(SVG + "text")] == ["<script>&\"'"] * 3
    assert "<script" not in svg and "<!DOCTYPE" not in svg
    assert not [name for element in root.iter() for name in element.attrib if name.endswith("href")]
    assert flat("<script>&\"'") in flat(pdftotext(print_pdf(tmp_path, [svg])))


def test_title_and_description_are_in_the_svg():
    root = ET.fromstring(chart())
    assert root.find(SVG + "title").text == "三项研究的样本量、缓解率与随访"
    assert root.find(SVG + "desc").text == "横向条形图，每行一项研究"


def test_a_panel_with_nothing_reported_prints_its_texts_and_no_bars():
    svg = chart(panels=[Panel("客观缓解率", [Bar(None, "未报道"), Bar(None, "未报道")], maximum=100)])
    root = ET.fromstring(svg)
    assert len(list(root.iter(SVG + "rect"))) == 1  # only the clip path's
    assert [text.text for text in root.iter(SVG + "text")].count("未报道") == 2


def test_the_same_inputs_give_the_same_bytes():
    assert chart() == chart()
    assert qr_svg(URLS[2], 64) == qr_svg(URLS[2], 64)


@pytest.mark.parametrize(("categories", "options", "message"), [
    ([], {}, "at least one category"),
    (CATEGORIES, {"width": 200}, "no room for its bars"),  # three panels' texts alone fill 200 pt
    (CATEGORIES, {"lang": "ja"}, "lang must be one of zh-Hans, zh-Hant"),
])
def test_a_chart_that_cannot_be_drawn_is_a_programming_error(categories, options, message):
    with pytest.raises(ValueError, match=message):
        chart(categories, [panel if categories else Panel(panel.title, []) for panel in PANELS], **options)


def test_a_label_never_ends_with_one_han_character_alone_on_its_line():
    assert break_units("血液系统恶性肿瘤")[-2:] == ["性", "肿瘤"]
    assert break_units("实体瘤。")[-1] == "体瘤。"
    assert break_units("CD19")[-1] == "CD19"
