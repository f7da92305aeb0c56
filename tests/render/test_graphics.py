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
    boxes = words(print_pdf(tmp_path, [chart(panels=[*PANELS[:2], Panel("随访时间", PANELS[2].bars, maximum=218)])]))
    # The last panel's longest text is on its longest bar, which ends its scale: it ends at the right edge, to a hair.
    assert max(box[3] for box in boxes) == pytest.approx(WIDTH, abs=0.3)
    title_lefts = [next(box[1] for box in boxes if box[0] == flat(panel.title)) for panel in PANELS]
    rows_end = max(box[4] for box in boxes if box[0] == "第一代")  # under it: the scales, whose 0 straddles the axis
    for left, next_left in itertools.pairwise(title_lefts):
        in_panel = [box for box in boxes if left <= box[1] < next_left and box[2] < rows_end]
        assert len(in_panel) >= 3 and all(box[3] < next_left - 2 for box in in_panel), in_panel


@pytest.mark.render
def test_no_text_is_printed_under_8_pt(tmp_path: Path):
    svg = chart(font_size=6)
    root = ET.fromstring(svg)
    assert root.get("width") == f"{WIDTH:g}pt" and root.get("height").endswith("pt")
    assert [float(number) for number in root.get("viewBox").split()] == [0, 0, WIDTH, float(root.get("height")[:-2])]
    sizes = [float(re.search(r"font-size: ([\d.]+)px", text.get("style")).group(1)) for text in root.iter(SVG + "text")]
    ticks = [text.text for text in root.iter(SVG + "text") if re.fullmatch(r"[\d.]+", text.text)]
    assert len(ticks) >= 3 * 2  # each panel's scale, from 0 to its end
    assert len(sizes) == 2 + 3 + 6 + len(ticks) and min(sizes) >= 8  # user units are pt, as the viewBox says
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
    svg = chart([hostile], [Panel(hostile, [Bar(1, hostile)], scale=False)], 300)
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


def ticks(svg: str) -> list[str]:
    """The figures of a chart's scales, in drawing order (no bar or label of these charts is a bare number)."""
    return [text.text for text in ET.fromstring(svg).iter(SVG + "text") if re.fullmatch(r"[\d.]+", text.text)]


def test_every_panel_has_a_scale_in_steps_of_1_2_or_5_and_one_precision():
    """Issue 24: a chart has a scale, not only figures on its bars. A percentage runs from 0 to 100;
    another measure to the first step past its largest value (18 years: 0-20 in fives, never in
    months); the figures of a scale share one precision (0.0 0.1 ... 0.4, not 0 0.1 ... 0.4)."""
    percent = chart(["血液系统恶性肿瘤", "自身免疫性疾病"], [Panel("占比（%）", [Bar(71.6, "71.6%"), Bar(2.75, "2.75%")],
                                                          maximum=100)])
    assert ticks(percent) == ["0", "20", "40", "60", "80", "100"]
    years = chart(["A", "B"], [Panel("最长随访（年）", [Bar(18, "18 年"), Bar(3.5, "3.5 年")])])
    assert ticks(years) == ["0", "5", "10", "15", "20"]
    shares = chart(["A", "B"], [Panel("比例", [Bar(0.37, "0.37（甲）"), Bar(0.05, "0.05（乙）")])])
    assert ticks(shares) == ["0.0", "0.1", "0.2", "0.3", "0.4"]
    # A narrow panel keeps fewer figures rather than let them touch.
    assert ticks(chart(["A", "B"], [Panel("占比（%）", [Bar(71.6, "71.6%"), Bar(2.75, "2.75%")], maximum=100)],
                       width=120)) == ["0", "50", "100"]
    assert ticks(chart(["A", "B"], [Panel("占比（%）", [Bar(50, "50%"), Bar(2, "2%")], maximum=100, scale=False)])) == []


@pytest.mark.render
def test_the_scale_prints_under_the_bars_as_text_its_figures_apart(tmp_path: Path):
    panels = [Panel("占比（%）", [Bar(71.6, "71.6%"), Bar(24.6, "24.6%")], maximum=100),
              Panel("最长随访（年）", [Bar(18, "18 年"), Bar(3.5, "3.5 年")])]
    boxes = words(print_pdf(tmp_path, [chart(["血液瘤", "实体瘤"], panels, width=300)]))
    lowest = max(box[2] for box in boxes)
    figures = [box for box in boxes if box[2] == lowest]
    assert [box[0] for box in figures] == ["0", "50", "100", "0", "5", "10", "15", "20"]  # on one line, under everything else...
    assert lowest > max(box[4] for box in boxes if box not in figures)
    for left, right in itertools.pairwise(figures):  # ... and never touching
        assert left[3] + 2 < right[1], (left, right)
