"""Handouts, read back from the real PDFs: paper sizes, at most two pages, no text under 8 pt,
ink inside the printable area, chart labels as text, QR codes that scan back to their URLs."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy
import pypdf
import pytest
from click.testing import CliRunner
from helpers.layout import handout_margins, layout_violations
from helpers.pdf import pdftotext
from helpers.projects import EVIDENCE, FIXED_DATE, ROOT, write_project
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


def test_chart_texts_are_measured_too(seed_handouts):
    """The size check above reaches into the charts: their labels are counted at their printed size."""
    sizes = text_sizes(seed_handouts["a4"]["car-nk"])
    chart_labels = [size for size, text in sizes if text in ("样本量（例）", "主要疗效（%）", "随访")]
    assert len(chart_labels) == 3
    assert all(size >= 8 for size in chart_labels)


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


def test_a_handout_says_what_a_reader_needs_and_the_charts_labels_are_text(seed_handouts):
    text = squeeze(pdftotext(seed_handouts["a5"]["car-nk"]))
    for expected in (
        "CAR-NK细胞疗法", "核心信息", "异基因CD19CAR-NK治疗复发或难治性系统性红斑狼疮（SLE）的首次人体病例系列",  # the key message, SLE expanded
        "证据一览", "异基因CD19CAR-NK治疗复发或难治性SLE首次人体病例系列", "入组18例",  # the condensed table
        "样本量（例）", "主要疗效（%）", "随访", "67%（亚组，6/9）",  # the chart's labels and figures, the subgroup's named
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
            statements += [row.title, row.size, row.efficacy, row.follow_up, row.certainty, *row.safety]
        assert len(context["quotes"]) >= 2
        for paper in PAPERS:
            # -raw: in drawing order, so a table cell's lines come together, not interleaved with its row's.
            text = squeeze(pdftotext(seed_handouts[paper][table.table.therapy_class.id], "-raw"))
            text = abbreviated(text, content.glossary)
            missing = [statement for statement in statements if abbreviated(squeeze(statement), content.glossary) not in text]
            assert not missing, (paper, table.table.therapy_class.id, missing)


def test_the_chart_has_a_caption_and_a_text_alternative_with_its_numbers(tmp_path):
    html = build_html(ROOT, "car-t")
    assert 'alt="条形图：CAR-T 细胞疗法各研究对比。' in html
    assert "第一代 GD2 CAR-T 细胞：入组 19 例；存活 8 年以上 7/19；随访 最长 18 年" in html
    assert "<figcaption><strong>图 1</strong>" in html


def test_the_chart_says_whom_a_figure_is_of_and_keeps_one_unit_per_axis():
    """Issue 16: CT-0508's 44% is of the HER2 3+ subgroup, whose size is not reported, never of the
    14 treated; HEROS's headline is 19 months (no rate: no bar), as in the table; 18 years of
    follow-up are labelled as the source states them (no 216 months the source never gives), drawn in
    months; 7/19 is drawn at its proportion, the caption says so."""
    car_m, car_t = build_html(ROOT, "car-m"), build_html(ROOT, "car-t")
    assert "44%（亚组，例数未报道）" in car_m and "亚组为HER2 3+ 患者" in car_m
    assert "HER2 CAR-T 细胞：治疗 1 例；至发表时未再治疗且无癌症 19个月（非率）；随访 总时长未报道" in car_t
    assert "随访 最长 18 年" in car_t and "216" not in car_t.split("<figure")[1].split("</figure>")[0]
    assert "随访按原文单位标注、按月作条" in car_t
    assert "只报告例数的疗效（7/19）按其比例作条，标注原文例数" in car_t


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
    for expected in ("CAR-X细胞疗法", "示例现状。", "DEMO-1", "治疗12例", "42%（5/12）", "样本量（例）"):
        assert squeeze(expected) in text, expected
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
