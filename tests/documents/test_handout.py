"""Handouts, read back from the real PDFs: paper sizes, at most two pages, no text under 8 pt,
ink inside the printable area, chart labels as text, QR codes that scan back to their URLs."""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import numpy
import pypdf
import pytest
from click.testing import CliRunner
from helpers.layout import handout_margins, layout_violations
from helpers.pdf import pdf_lines, pdftotext
from helpers.projects import ARTICLE, EVIDENCE, FIXED_DATE, ROOT, write_project
from PIL import Image

from reports.cli import cli
from reports.documents.handout import PAPERS, HandoutOptions, build_handouts
from reports.errors import ReportError

MM = 72 / 25.4
PAPER_POINTS = {"a4": (595.28, 841.89), "a5": (419.53, 595.28), "letter": (612.0, 792.0)}
SEED_CLASSES = ["car-t", "car-nk", "car-m"]
# What each seed handout links to: the cited articles that have an address, the papers' DOIs,
# the trial registrations.
SEED_LINKS = {
    "car-t": {"https://news.bioon.com/article/6759036.html", "https://doi.org/10.1038/s41467-020-17175-8",
              "https://doi.org/10.1038/s41591-025-03513-0", "https://clinicaltrials.gov/study/NCT00085930"},
    "car-nk": {"https://doi.org/10.1016/S0140-6736(25)01671-X", "https://clinicaltrials.gov/study/NCT06010472"},
    "car-m": {"http://news.bioon.com/article/7f4886284e59.html", "https://clinicaltrials.gov/study/NCT04660929"},
}


def every_handout(seed_handouts):
    return [(paper, name, pdf) for paper, by_class in seed_handouts.items() for name, pdf in by_class.items()]


def text_sizes(pdf: Path) -> list[tuple[float, str]]:
    """Every piece of text in the PDF with its printed size in pt (font size times the scale of
    the text and graphics matrices, so text in the charts' form XObjects counts too)."""
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes.append((size * math.sqrt(abs(a * d - b * c)), text.strip()))

    for page in pypdf.PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def ink_box(pdf: Path, page: int, dpi: int = 50) -> tuple[float, float, float, float]:
    """The bounding box of everything printed on a page, in mm from the top-left corner."""
    with tempfile.TemporaryDirectory() as folder:  # not beside the PDF: other tests read it at the same time
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page), str(pdf),
                        f"{folder}/ink"], check=True)  # PGM: no compression to pay for
        image = next(Path(folder).glob("ink-*.pgm"))
        pixels = numpy.asarray(Image.open(image).convert("L"))
    rows, columns = numpy.nonzero(pixels < 200)
    per_mm = dpi / 25.4
    return columns.min() / per_mm, rows.min() / per_mm, (columns.max() + 1) / per_mm, (rows.max() + 1) / per_mm


def decoded_qr_codes(pdf: Path) -> set[str]:
    assert shutil.which("zbarimg"), "zbarimg missing: the test command installs zbar-tools"
    codes = set()
    with tempfile.TemporaryDirectory() as folder:  # not beside the PDF: other tests read it at the same time
        subprocess.run(["pdftoppm", "-r", "200", "-gray", str(pdf), f"{folder}/scan"], check=True)  # PGM
        for image in sorted(Path(folder).glob("scan-*.pgm")):
            scan = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(image)],
                                  capture_output=True, text=True)
            codes.update(line for line in scan.stdout.splitlines() if line)
    return codes


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_paper_gets_its_exact_size_and_one_or_two_pages(seed_handouts):
    for paper, name, pdf in every_handout(seed_handouts):
        reader = pypdf.PdfReader(pdf)
        assert 1 <= len(reader.pages) <= 2, f"{name} on {paper}: {len(reader.pages)} pages"
        for page in reader.pages:
            width, height = PAPER_POINTS[paper]
            assert float(page.mediabox.width) == pytest.approx(width, abs=0.01), (paper, name)
            assert float(page.mediabox.height) == pytest.approx(height, abs=0.01), (paper, name)


def test_no_text_is_smaller_than_8_pt_on_any_paper(seed_handouts):
    for paper, name, pdf in every_handout(seed_handouts):
        sizes = text_sizes(pdf)
        assert len(sizes) > 50
        small = [(round(size, 2), text) for size, text in sizes if size < 7.99]
        assert not small, f"{name} on {paper}: text under 8 pt: {small[:5]}"


def test_chart_texts_are_measured_too(trials_handouts):
    """The size check above reaches into the charts: their labels and scales are counted at their
    printed size, on the smallest paper."""
    pdf = trials_handouts["a5"]
    sizes = text_sizes(pdf)
    chart_labels = [size for size, text in sizes if text in ("患者比例（%）", "中位随访（年）", "80", "3.5 年")]
    assert len(chart_labels) == 4
    assert all(size >= 7.99 for size in chart_labels)  # 8 pt, to the rounding of the matrices
    assert [str(v) for v in layout_violations(pdf, handout_margins("a5"))] == []


def test_everything_printed_stays_inside_the_margins_office_printers_keep(seed_handouts):
    """Nothing overflows the text block sideways, and no ink comes within 8 mm of an edge."""
    for paper, name, pdf in every_handout(seed_handouts):
        spec = PAPERS[paper]
        for page in range(1, len(pypdf.PdfReader(pdf).pages) + 1):
            left, top, right, bottom = ink_box(pdf, page)
            assert left >= spec.margin - 1 and right <= spec.width - spec.margin + 1, (paper, name, page, left, right)
            assert top >= spec.margin - 1 and bottom <= spec.height - 8, (paper, name, page, top, bottom)


def test_every_handout_passes_a_typesetters_eye(seed_handouts):
    """The layout check (tests/helpers/layout.py) on every handout: every word inside the text block, no
    near-empty page, no heading last on a page, no line that is one Han character alone."""
    found = {(paper, name): [str(v) for v in layout_violations(pdf, handout_margins(paper))]
             for paper, name, pdf in every_handout(seed_handouts)}
    assert {key: violations for key, violations in found.items() if violations} == {}


def test_a_handout_that_fits_one_a4_page_fits_one_letter_page(seed_handouts):
    """Letter is 18 mm shorter than A4: rather than a second page holding only the disclaimer,
    the handout is set in denser type on one page."""
    for name in SEED_CLASSES:
        a4, letter = (len(pypdf.PdfReader(seed_handouts[paper][name]).pages) for paper in ("a4", "letter"))
        assert letter == 1 if a4 == 1 else letter <= 2, (name, a4, letter)


def test_a_handout_says_what_a_reader_needs(seed_handouts):
    text = squeeze(pdftotext(seed_handouts["a5"]["car-nk"]))
    for expected in (
        "CAR-NK细胞疗法", "核心信息", "异基因CD19CAR-NK治疗复发或难治性系统性红斑狼疮（SLE）的首次人体病例系列",  # the key message, SLE expanded
        "证据一览", "异基因CD19CAR-NK治疗复发或难治性SLE首次人体病例系列", "入组18例",  # the condensed table
        "安全性要点", "细胞因子释放综合征（CRS）：1/18（6%）",  # the main safety figures
        "关键原文摘录", "来源（扫码打开原文）", "NCT06010472",
        "发布日期：2026年12月1日", "非推广材料",
    ):
        assert squeeze(expected) in text, expected


def abbreviated(text: str, glossary) -> str:
    """The text with each abbreviation's expansion taken out: expanded where first used, an
    abbreviation reads differently on each paper (the first use moves)."""
    for entry in glossary.abbreviations:
        for expanded in (f"{entry.zh}（{entry.abbr}）", f"{entry.abbr}（{entry.zh}）"):
            text = text.replace(squeeze(expanded), entry.abbr)
    return text


def test_a_certainty_is_short_and_grade_is_spelled_out_once_outside_the_table(seed_handouts):
    """Issue 24: the first row's cell spelled out 推荐分级的评估、制定与评价（GRADE）over four lines and
    split 极低 across two. A certainty now reads ⊕◯◯◯ 极低 and OCEBM 4 级, each whole on one printed
    line; GRADE's name is spelled out once, in the disclaimer (the cells are not expanded)."""
    for paper, name, pdf in every_handout(seed_handouts):
        lines = [squeeze(text) for _, text in pdf_lines(pdf)]
        ratings = [line for line in lines if "⊕" in line or "◯" in line]
        assert ratings and all(re.search("[⊕◯]{4}(高|中|低|极低)", line) for line in ratings), (paper, name, ratings)
        assert all(re.search(r"OCEBM\d级", line) for line in lines if "OCEBM" in line), (paper, name)
        text = squeeze(pdftotext(pdf))
        assert text.count("推荐分级的评估、制定与评价（GRADE）") == 1, (paper, name)
        assert "以及推荐分级的评估、制定与评价（GRADE）降级理由与方法，见完整简报" in text, (paper, name)


def test_every_paper_carries_the_same_content(seed_handouts):
    """Smaller paper means smaller type (never under 8 pt), not less: every statement on the A4
    handout is on the A5 and the Letter ones too."""
    from reports.content.load import load_content
    from reports.content.project import Project
    from reports.documents.handout import handout_context

    content = load_content(Project.at(ROOT))
    for table in content.tables:
        context = handout_context(content, table, PAPERS["a4"], False, dt.date(2026, 12, 1))
        statements = [context["key_message"], *(quote.text for quote in context["quotes"]),
                      *(link.url for link in context["links"])]
        for row in context["rows"]:
            statements += [row.title, row.size, row.efficacy, row.follow_up, f"{row.grade_symbols} {row.grade_label}",
                           f"OCEBM {row.cebm_level} 级", *row.safety]
        assert len(context["quotes"]) >= 2
        for paper in PAPERS:
            # -raw: in drawing order, so a table cell's lines come together, not interleaved with its row's.
            text = squeeze(pdftotext(seed_handouts[paper][table.table.therapy_class.id], "-raw"))
            text = abbreviated(text, content.glossary)
            missing = [statement for statement in statements if abbreviated(squeeze(statement), content.glossary) not in text]
            assert not missing, (paper, table.table.therapy_class.id, missing)


# (name, treated, responders, percent, follow-up as (kind, value, unit, the article's sentence) or None)
TRIALS = [
    ("alpha", 12, 5, 42, ("median", "2", "years", "中位随访 2 年。")),
    ("beta", 20, 13, 65, ("median", "3.5", "years", "中位随访 3.5 年。")),
    ("gamma", 9, 6, 67, ("median", "5", "years", "中位随访 5 年。")),
]


def trials_project(folder: Path, trials: list[tuple]) -> Path:
    """A class of one study per trial, each the demo study with its own figures and its own article."""
    study = EVIDENCE[EVIDENCE.index("  - id: demo-phase-1"):]
    sentence = "在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。"
    files: dict[str, str | None] = {"seeds/articles/demo.md": None}
    index, rows = "articles:\n", []
    for name, treated, responders, percent, follow_up in trials:
        said = f"在 {treated} 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。{responders} 名患者（{percent}%）达到部分缓解。"
        files[f"seeds/articles/{name}.md"] = ARTICLE.replace(sentence, said + (follow_up[3] if follow_up else ""))
        index += f"  - file: {name}.md\n    outlet: 示例新闻网\n    url: https://example.org/news/{name}\n"
        row = (study.replace("demo-", f"{name}-").replace("article: demo", f"article: {name}")
               .replace("product: DEMO-1", f"product: {name.upper()}").replace("示例 I 期试验", f"示例 I 期试验 {name}")
               .replace("treated: 12", f"treated: {treated}").replace("value: 42", f"value: {percent}")
               .replace("n: 5", f"n: {responders}").replace("of: 12", f"of: {treated}").replace(sentence, said)
               .replace("10.1234/example.5678", f"10.1234/{name}"))
        if follow_up:
            kind, value, unit, text = follow_up
            row = row.replace("    source:\n", f"    follow_up:\n      {kind}: {value}\n      unit: {unit}\n"
                                                f"      summary: {text}\n      excerpts: [{name}-follow-up]\n    source:\n")
            row = row.replace("        key: true\n", f"        key: true\n      - id: {name}-follow-up\n"
                                                      f"        article: {name}\n        text: {text}\n")
        rows.append(row)
    files["seeds/articles.yaml"] = index
    files["seeds/evidence/car-x.yaml"] = EVIDENCE[:EVIDENCE.index("  - id: demo-phase-1")] + "".join(rows)
    return write_project(folder, files)


def seeds_in_one_class(folder: Path) -> Path:
    """The shipped seeds with the CAR-NK and CAR-M studies moved into the CAR-T table: four studies
    whose headlines are a duration (HEROS 2.0: 19 个月), a count (7/19), a subgroup's rate with its
    n/N (6/9) and one without (CT-0508: 44% of the HER2 3+ patients), each verified as shipped."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    evidence = folder / "seeds" / "evidence"
    car_t, landscape = (evidence / "car-t.yaml").read_text(encoding="utf-8").split("\nlandscape:", 1)
    moved = [(evidence / name).read_text(encoding="utf-8").split("\nstudies:\n", 1)[1] for name in ("car-nk.yaml", "car-m.yaml")]
    (evidence / "car-t.yaml").write_text(car_t.rstrip("\n") + "\n" + "".join(moved) + "\nlandscape:" + landscape,
                                         encoding="utf-8")
    (evidence / "car-nk.yaml").unlink()
    (evidence / "car-m.yaml").unlink()
    return folder


def figures(html: str) -> list[tuple[str, list[str], str]]:
    """Each figure of a handout's HTML: its alt text, the texts drawn in its SVG, its caption."""
    found = []
    for data, alt, caption in re.findall(r'<figure class="chart">\s*<img src="data:image/svg\+xml;base64,([^"]+)" '
                                         r'alt="([^"]*)">\s*<figcaption>(.*?)</figcaption>', html, re.DOTALL):
        svg = ET.fromstring(base64.b64decode(data))
        found.append((unescape(alt), [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")], caption))
    return found


def scale_figures(texts: list[str]) -> list[str]:
    return [text for text in texts if re.fullmatch(r"[\d.]+", text)]


def test_a_class_of_fewer_than_three_studies_gets_no_chart_its_table_says_it(seed_handouts):
    """Issue 24: a chart of one study's figures (CAR-NK, CAR-M) adds nothing its row does not say,
    nor one of CAR-T's two (a duration beside a count, a follow-up beside none)."""
    for paper, name, pdf in every_handout(seed_handouts):
        text = squeeze(pdftotext(pdf))
        assert "图1" not in text and "样本量（例）" not in text and "患者比例" not in text, (paper, name)
    for name in SEED_CLASSES:
        assert "<figure" not in build_html(ROOT, name), name


def test_a_rate_chart_holds_only_rates_each_with_its_own_n_of_n_and_subgroup(tmp_path):
    """Issue 24: the percent axis holds rates only (HEROS 2.0's 19 months is no rate: no row, the
    caption says so); a subgroup's rate names the subgroup and gives its n/N, or that its size is
    not reported, never beside the whole cohort's 18 or 14; 7/19 is drawn at its proportion, and
    the caption says that proportion is the editors'."""
    html = build_html(seeds_in_one_class(tmp_path / "project"), "car-t")
    [(alt, texts, caption)] = figures(html)
    assert texts[:4] == ["患者比例（%）", "第一代 GD2 CAR-T 细胞", "异基因 CD19 CAR-NK 细胞", "CT-0508（HER2 CAR-巨噬细胞）"]
    drawn = "".join(texts)
    for label in ("7/19", "67%（6/9，亚组：随访超过 12 个月的患者）", "44%（例数未报道，亚组：HER2 3+ 患者）"):
        assert squeeze(label) in squeeze(drawn), label
    for stranger in ("HER2 CAR-T 细胞", "19 个月", "非率", "入组", "治疗 14 例", "18 例", "样本量"):
        assert stranger not in drawn, stranger
    assert scale_figures(texts) == ["0", "20", "40", "60", "80", "100"]
    assert "各研究主要疗效的指标不同，不宜相互比较：第一代 GD2 CAR-T 细胞为存活 8 年以上" in caption
    assert "7/19 按例数之比作条（编者计算，原文未给百分比）" in caption
    assert "HER2 CAR-T 细胞的主要疗效不是患者比例，未作条，见上表" in caption
    assert "67%（6/9，亚组：随访超过 12 个月的患者）" in alt and "刻度 0–100%" in alt


def test_follow_up_is_drawn_in_the_unit_the_source_states_on_its_own_axis(tmp_path):
    """Issue 24: years stay years (no 216 months); a follow-up in months beside two in years makes
    no chart of either (too few in one unit), and the rates keep theirs."""
    [(alt, texts, caption)] = figures(build_html(trials_project(tmp_path / "years", TRIALS), "car-x"))
    assert "中位随访（年）" in texts and "3.5 年" in texts and not any("月" in text for text in texts)
    assert scale_figures(texts) == ["0", "20", "40", "60", "80", "100", "0", "1", "2", "3", "4", "5"]
    assert "中位随访（年）" in caption and "ALPHA 2 年；BETA 3.5 年；GAMMA 5 年" in alt

    mixed = [TRIALS[0][:4] + (("median", "24", "months", "中位随访 24 个月。"),), *TRIALS[1:]]
    [(alt, texts, caption)] = figures(build_html(trials_project(tmp_path / "mixed", mixed), "car-x"))
    assert "患者比例（%）" in texts and not any("随访" in text for text in texts)


def test_one_precision_per_chart_or_the_reason_in_its_caption(tmp_path):
    """Issue 24: 2, 3.5 and 5 years are printed as the sources give them, and the caption says why
    they differ; whole percentages need no word; the scales' figures are whole numbers."""
    [(_, texts, caption)] = figures(build_html(trials_project(tmp_path / "project", TRIALS), "car-x"))
    assert "随访时长照录原文，小数位数不一" in caption
    assert "百分比照录原文" not in caption
    assert scale_figures(texts) and all(text.isdigit() for text in scale_figures(texts))


@pytest.fixture(scope="module")
def trials_handouts(tmp_path_factory) -> dict[str, Path]:
    """The handout of a class of three studies with rates (TRIALS), on every paper: {paper: pdf}."""
    folder = tmp_path_factory.mktemp("trials")
    project = trials_project(folder / "project", TRIALS)
    return {paper: build_handouts(project, ["car-x"], HandoutOptions(
        paper=paper, output=folder / f"{paper}.pdf", build_date=dt.date.fromisoformat(FIXED_DATE))).handouts[0].pdf
        for paper in PAPERS}


def test_three_studies_rates_print_on_a_scale_from_0_to_100_on_every_paper(trials_handouts):
    for paper, pdf in trials_handouts.items():
        assert len(pypdf.PdfReader(pdf).pages) <= 2, paper
        lines = [line.split() for line in pdftotext(pdf, "-layout").splitlines()]
        assert any(line[:6] == ["0", "20", "40", "60", "80", "100"] for line in lines), paper
        text = squeeze(pdftotext(pdf))
        assert "图1" in text and "42%（5/12）" in text and "67%（6/9）" in text, paper


def build_html(root: Path, class_id: str) -> str:
    from reports.content.load import load_content
    from reports.content.project import Project
    from reports.documents.handout import DENSITIES, TEMPLATE, density_context, handout_context
    from reports.render.html import render_html
    from reports.run.dates import build_date_from_environment

    project = Project.at(root)
    content = load_content(project, [class_id])
    table = content.tables[0]
    context = handout_context(content, table, PAPERS["a4"], False, build_date_from_environment())
    return render_html(project.template_dirs, TEMPLATE,
                       {**context, **density_context(content, table, PAPERS["a4"], DENSITIES[0]), "inline_css": None})


def test_every_qr_code_scans_back_to_its_exact_url(seed_handouts):
    for name, pdf in seed_handouts["a4"].items():
        assert decoded_qr_codes(pdf) == SEED_LINKS[name], name
    # The smallest paper keeps the codes readable.
    assert decoded_qr_codes(seed_handouts["a5"]["car-nk"]) == SEED_LINKS["car-nk"]


def test_qr_codes_are_vector_graphics(seed_handouts):
    listing = subprocess.run(["pdfimages", "-list", str(seed_handouts["a4"]["car-nk"])],
                             capture_output=True, text=True, check=True).stdout
    assert len(listing.strip().splitlines()) == 2, listing  # the header only: no raster image at all


@pytest.mark.render
def test_crop_marks_and_bleed_keep_the_trim_at_the_paper_size(tmp_path):
    results = build_handouts(ROOT, ["car-m"], HandoutOptions(paper="a5", marks=True, output=tmp_path / "m.pdf",
                                                             build_date=dt.date.fromisoformat(FIXED_DATE))).handouts
    page = pypdf.PdfReader(results[0].pdf).pages[0]
    width, height = PAPER_POINTS["a5"]
    assert float(page.trimbox.width) == pytest.approx(width, abs=0.01)
    assert float(page.trimbox.height) == pytest.approx(height, abs=0.01)
    assert float(page.mediabox.width) == pytest.approx(width + 20 * MM, abs=0.01)
    assert float(page.bleedbox.width) > width
    # The crop marks are printed in the corners, outside the trim.
    left, top, right, bottom = ink_box(results[0].pdf, 1, dpi=100)
    assert left < 10 and top < 10
    # Inside the trim, the page passes the layout check as the unmarked one does.
    assert [str(v) for v in layout_violations(results[0].pdf, handout_margins("a5"))] == []


@pytest.mark.render
def test_a_class_added_only_in_a_temporary_project_gets_its_handout(project, tmp_path):
    result = CliRunner().invoke(cli, ["--project", str(project), "handout", "car-x", "--paper", "letter",
                                      "--date", FIXED_DATE])
    assert result.exit_code == 0, result.output
    pdf = project / "build" / "handouts" / "car-x-letter.pdf"
    assert f"wrote {pdf} (1 page, letter)" in result.output
    text = squeeze(pdftotext(pdf))
    for expected in ("CAR-X细胞疗法", "示例现状。", "DEMO-1", "治疗12例", "42%，5/12"):
        assert squeeze(expected) in text, expected
    assert "图1" not in text  # one study: its row says it
    assert decoded_qr_codes(pdf) == {"https://example.org/news/1", "https://doi.org/10.1234/example.5678",
                                     "https://clinicaltrials.gov/study/NCT01234567"}


@pytest.mark.render
def test_all_writes_one_handout_per_class(tmp_path):
    second = EVIDENCE.replace("id: car-x", "id: car-y").replace("CAR-X", "CAR-Y").replace("demo-", "other-")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-y.yaml": second})
    result = CliRunner().invoke(cli, ["--project", str(project), "handout", "--all", "--paper", "a5",
                                      "-o", str(tmp_path / "out"), "--date", FIXED_DATE])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (tmp_path / "out").glob("*.pdf")) == ["car-x-a5.pdf", "car-y-a5.pdf"]
    assert "CAR-Y细胞疗法" in squeeze(pdftotext(tmp_path / "out" / "car-y-a5.pdf"))


def test_a_class_or_all_must_be_named(project):
    for arguments in (["handout"], ["handout", "car-x", "--all"]):
        result = CliRunner().invoke(cli, ["--project", str(project), *arguments])
        assert result.exit_code == 2
        assert "name one therapy class (e.g. reports handout car-t) or give --all" in result.output


def test_an_unknown_class_is_named_with_the_choices(project):
    result = CliRunner().invoke(cli, ["--project", str(project), "handout", "car-q"])
    assert result.exit_code == 1
    assert "no therapy class 'car-q' (no car-q.yaml); the classes are: car-x" in result.output


@pytest.mark.render
def test_a_class_too_long_for_two_pages_is_refused_and_nothing_is_written(tmp_path):
    study = EVIDENCE[EVIDENCE.index("  - id: demo-phase-1"):]
    many = EVIDENCE + "".join(study.replace("demo-", f"demo{i}-") for i in range(24))
    # car-a fits and is laid out first: it is not written either, since --all writes only when all fit.
    fits = EVIDENCE.replace("id: car-x", "id: car-a").replace("CAR-X", "CAR-A").replace("demo-", "other-")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": many,
                                                   "seeds/evidence/car-a.yaml": fits})
    for arguments in (["car-x"], ["--all"]):
        result = CliRunner().invoke(cli, ["--project", str(project), "handout", *arguments, "--paper", "a5"])
        assert result.exit_code == 1
        assert result.output.startswith("seeds/evidence/car-x.yaml: the handout for CAR-X 细胞疗法 needs")
        assert "a handout has at most 2: use a larger paper (--paper a4) or shorten" in result.output
        assert not (project / "build").exists()


@pytest.mark.render
def test_all_handouts_that_run_out_of_disk_midway_leave_the_folder_as_it_was(tmp_path):
    """handout --all writes its folder at once or not at all, as a batch does: a small file system
    (tmpfs) holding an older CAR-X handout has room for one new handout, not two. (Written one by
    one, the new CAR-A handout was left beside the older CAR-X one.)"""
    import os

    from helpers.writes import pages_on_tmpfs, small_disk

    fits = EVIDENCE.replace("id: car-x", "id: car-a").replace("CAR-X", "CAR-A").replace("demo-", "other-")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-a.yaml": fits})
    older = tmp_path / "older"
    assert CliRunner().invoke(cli, ["--project", str(project), "handout", "--all", "-o", str(older)]).exit_code == 0
    largest = max(pages_on_tmpfs(path.stat().st_size) for path in older.iterdir())
    with small_disk(tmp_path / "disk", largest * 2 + 4096) as disk:  # the older handout and one new one
        folder = disk / "handouts"
        folder.mkdir()
        shutil.copy(older / "car-x-a4.pdf", folder)
        result = CliRunner().invoke(cli, ["--project", str(project), "handout", "--all", "-o", str(folder),
                                          "--date", "2026-12-02"])
        assert result.exit_code == 1
        assert result.output.startswith(f"reports: {folder}: cannot write the handouts: No space left on device; "
                                        "nothing there has changed"), result.output
        assert os.listdir(folder) == ["car-x-a4.pdf"]  # no new CAR-A handout beside the older CAR-X one
        assert (folder / "car-x-a4.pdf").read_bytes() == (older / "car-x-a4.pdf").read_bytes()
        assert os.listdir(disk) == ["handouts"]  # and nothing half-written beside it


def test_the_handout_stylesheet_only_uses_colours_that_read_in_grayscale():
    """Text colours keep a 4.5:1 contrast with white paper (WCAG AA), so none depends on hue."""
    css = (ROOT / "styles" / "handout.css").read_text(encoding="utf-8")
    colours = re.findall(r"(?<![-\w])color:\s*#([0-9a-fA-F]{3,6})", css)
    assert colours
    for colour in colours:
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        assert (1.05) / (luminance + 0.05) >= 4.5, colour


def test_an_unknown_paper_is_refused():
    with pytest.raises(ReportError, match="unknown paper 'a3'; choose one of a4, a5, letter"):
        build_handouts(ROOT, ["car-t"], HandoutOptions(paper="a3", build_date=dt.date.fromisoformat(FIXED_DATE)))


def test_a_handouts_metadata_dates_the_evidence_and_the_issue_apart(seed_handouts):
    """The PDF says, as the page does, when the evidence stops and when the handout was issued."""
    for paper, name, pdf in every_handout(seed_handouts):
        metadata = pypdf.PdfReader(pdf).metadata
        assert metadata.subject.endswith("；证据截至 2025-11-16，发布日期 2026-12-01"), (paper, name, metadata.subject)
        assert metadata.author == "CAR 细胞疗法证据简报编辑组"
