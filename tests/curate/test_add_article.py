"""`reports add-article`: an article copied into seeds/articles/ as the readers want it (UTF-8, NFC,
LF, no BOM) and its entry appended to seeds/articles.yaml in the index's own style, comments and
all, so that `reports check` passes; a duplicate, a taken or invalid id, a file that is not UTF-8,
too large, or without an outlet, and an entry the article does not bear out, are refused at their
place with nothing written."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from helpers.cli import reports
from helpers.projects import ARTICLE, INDEX, ROOT, write_project

# The tiny project's index, with the comments a curator writes.
COMMENTED = """\
# yaml-language-server: $schema=schemas/articles.schema.json
# The article index.
articles:
  - file: demo.md   # the demo article
    outlet: 示例新闻网
    url: https://example.org/news/1

# articles added later go below
"""

TRADITIONAL = """\
---
title: "示例：CAR-Y 細胞療法二期試驗結果發佈"
date: 2025-06-02
author: 記者甲
---

研究團隊在《示例醫學》上發表了二期臨床試驗的結果。

在 20 名接受治療的患者中，12 名患者（60%）達到完全緩解，未觀察到劑量限制性毒性。
"""

TOML = """\
+++
title = "示例：CAR-Z 细胞疗法长期随访结果"
date = "2025-07"
lang = "zh-CN"
+++

研究团队报告了 CAR-Z 细胞疗法的长期随访结果：8 名患者中 5 名仍然存活。
"""

# No front matter: the title is the first heading, the date is in the text; a BOM, CRLF line ends,
# and a decomposed é (e and U+0301) that is composed on the way in.
PLAIN = ("\ufeff# 示例：CAR-W 细胞疗法病例报告\r\n\r\n"
         "2025年8月12日，研究团队报道了一例接受 CAR-W 细胞治疗的患者（Cafe\u0301 研究中心）。\r\n\r\n"
         "该患者治疗后 6 个月仍无疾病进展。\r\n")


def project_with(tmp_path: Path, index: str = COMMENTED) -> Path:
    return write_project(tmp_path / "project", {"seeds/articles.yaml": index})


def given(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """The user's file, outside the project (as a download would be)."""
    path = tmp_path / "inbox" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def add(project: Path, *args: str):
    return reports("--project", str(project), "add-article", *args)


def seeds_of(project: Path) -> dict[str, bytes]:
    """Every file of the project's seeds/, hidden ones too: what a refusal must leave as it was."""
    return {path.relative_to(project).as_posix(): path.read_bytes()
            for path in sorted((project / "seeds").rglob("*")) if path.is_file()}


def check_passes(project: Path) -> None:
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stderr
    assert "against 2 articles" in result.stdout


def test_a_traditional_article_with_yaml_front_matter_is_added_after_the_last_entry_comments_kept(tmp_path: Path):
    project = project_with(tmp_path)
    source = given(tmp_path, "CAR-Y Phase 2 (News).md", TRADITIONAL)
    result = add(project, str(source), "--outlet", "示例新聞網", "--url", "https://example.org/news/2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"wrote seeds/articles/car-y-phase-2-news.md from {source}",
        "added its entry to seeds/articles.yaml, line 9: outlet, url, script zh-Hant (detected from the text); "
        "title, date and author from its YAML front matter",
        "next: reports draft seeds/articles/car-y-phase-2-news.md --class CLASS (a study row to decide and paste "
        "into seeds/evidence/CLASS.yaml), then reports check",
    ]
    # The index is the curator's file with the entry appended, in its style (as the first entry is: no
    # blank line before it): nothing above it changed.
    assert (project / "seeds/articles.yaml").read_text(encoding="utf-8") == COMMENTED + (
        "  - file: car-y-phase-2-news.md\n"
        "    # title and date come from the YAML front matter\n"
        "    outlet: 示例新聞網\n"
        "    url: https://example.org/news/2\n"
        "    script: zh-Hant\n")
    assert (project / "seeds/articles/car-y-phase-2-news.md").read_text(encoding="utf-8") == TRADITIONAL
    check_passes(project)


def test_a_toml_article_takes_its_script_from_its_lang(tmp_path: Path):
    project = project_with(tmp_path, INDEX)  # no blank line between entries, no comments: appended the same way
    source = given(tmp_path, "longterm.md", TOML)
    result = add(project, str(source), "--id", "car-z-follow-up", "--outlet", "示例新闻网")
    assert result.returncode == 0, result.stderr
    assert "script zh-Hans (its front matter's lang); title and date from its TOML front matter" in result.stdout
    assert (project / "seeds/articles.yaml").read_text(encoding="utf-8") == INDEX + (
        "  - file: car-z-follow-up.md\n"
        "    # title and date come from the TOML front matter\n"
        "    outlet: 示例新闻网\n"
        "    script: zh-Hans\n")
    check_passes(project)


def test_an_article_without_front_matter_is_written_as_utf8_nfc_with_lf_and_no_bom(tmp_path: Path):
    project = project_with(tmp_path)
    source = given(tmp_path, "case.txt", PLAIN.encode("utf-8"))
    result = add(project, str(source), "--outlet", "示例新闻网: 病例", "--published", "2025-08-12",
                 "--author", "记者乙")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (f"wrote seeds/articles/case.md from {source} "
                                             "(the BOM removed, CRLF line ends made LF, composed (NFC))")
    written = (project / "seeds/articles/case.md").read_bytes()
    assert not written.startswith(b"\xef\xbb\xbf") and b"\r" not in written
    text = written.decode("utf-8")
    assert text == unicodedata.normalize("NFC", PLAIN.lstrip("\ufeff").replace("\r\n", "\n")) and "Café" in text
    # Title from the heading, date from --published (the text prints it), a value with ': ' quoted.
    assert (project / "seeds/articles.yaml").read_text(encoding="utf-8").endswith(
        "\n"
        "  - file: case.md\n"
        "    title: 示例：CAR-W 细胞疗法病例报告\n"
        "    published: 2025-08-12\n"
        '    outlet: "示例新闻网: 病例"\n'
        "    author: 记者乙\n"
        "    script: zh-Hans\n")
    check_passes(project)


def test_an_index_with_crlf_line_ends_keeps_them(tmp_path: Path):
    index = COMMENTED.replace("\n", "\r\n").encode("utf-8")
    project = write_project(tmp_path / "project", {"seeds/articles.yaml": index})
    result = add(project, str(given(tmp_path, "toml.md", TOML)), "--outlet", "示例新闻网")
    assert result.returncode == 0, result.stderr
    data = (project / "seeds/articles.yaml").read_bytes()
    assert data.startswith(index) and data.count(b"\n") == data.count(b"\r\n")
    check_passes(project)


def refused(project: Path, *args: str) -> list[str]:
    """add-article's problems, after checking that it failed and wrote nothing."""
    before = seeds_of(project)
    result = add(project, *args)
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert seeds_of(project) == before, "a refusal wrote something"
    lines = result.stderr.splitlines()
    assert lines[-1].endswith("found; nothing was written.")
    return lines[:-1]


def test_a_text_already_in_the_project_is_refused_and_the_file_named(tmp_path: Path):
    project = project_with(tmp_path)
    # The demo article again, with other front matter and other line breaks: the same text.
    again = ARTICLE.replace('date: "2025-03-01"', 'date: "2025-03-01"\noutlet: 另一网站').replace("\n\n在 12", "\n\n\n在 12")
    source = given(tmp_path, "again.md", again)
    assert refused(project, str(source)) == [
        f"{source}:1:1: the same text is already in the project: seeds/articles/demo.md (front matter and "
        "whitespace aside); nothing to add"]


def test_an_invalid_or_taken_id_is_refused(tmp_path: Path):
    project = project_with(tmp_path)
    source = given(tmp_path, "toml.md", TOML)
    assert refused(project, str(source), "--id", "CAR_Z", "--outlet", "示例新闻网") == [
        f"{source}: --id 'CAR_Z' is not a valid id; use at most 64 lower-case letters, digits and hyphens "
        "(like car-t-cd19-lupus)"]
    assert refused(project, str(source), "--id", "demo", "--outlet", "示例新闻网") == [
        "seeds/articles/demo.md: the id 'demo' is this article's; give toml.md another with --id"]
    chinese = given(tmp_path, "新闻.md", TOML)
    assert refused(project, str(chinese), "--outlet", "示例新闻网") == [
        f"{chinese}: no id can be made from the file name '新闻.md'; give one with --id (lower-case letters, "
        "digits and hyphens, like car-t-cd19-lupus)"]


def test_a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte(tmp_path: Path):
    project = project_with(tmp_path)
    source = given(tmp_path, "gbk.md", "# 标题\n\n正文第二行：测试\n".encode("gb18030"))
    assert refused(project, str(source), "--outlet", "示例新闻网") == [
        f"{source}:1:3: not valid UTF-8 (byte 0xb1); re-save the file as UTF-8 (for example: iconv -f GB18030 "
        "-t UTF-8 FILE > FILE.utf8)"]


def test_an_article_without_an_outlet_is_refused_unless_its_front_matter_has_one(tmp_path: Path):
    project = project_with(tmp_path)
    source = given(tmp_path, "toml.md", TOML)
    assert refused(project, str(source)) == [
        f"{source}:1:1: no outlet: give --outlet with the site, account or journal that published the article "
        "(e.g. --outlet 生物谷（bioon.com）)"]
    with_outlet = given(tmp_path, "with-outlet.md", TOML.replace('lang = "zh-CN"', 'lang = "zh-CN"\noutlet = "示例新闻网"'))
    result = add(project, str(with_outlet))
    assert result.returncode == 0, result.stderr
    assert "outlet (its front matter's)" in result.stdout
    assert "    outlet: 示例新闻网\n    script: zh-Hans\n" in (project / "seeds/articles.yaml").read_text(encoding="utf-8")
    check_passes(project)


def test_no_title_or_date_anywhere_is_refused_with_the_option_that_gives_it(tmp_path: Path):
    project = project_with(tmp_path)
    source = given(tmp_path, "bare.md", "研究团队报告了 8 名患者的结果。\n")
    assert refused(project, str(source), "--outlet", "示例新闻网") == [
        f"{source}:1:1: no title: the file has no front matter title and no '# ' heading; give the title as the "
        "article prints it with --title",
        f"{source}:1:1: no publication date: the file has no front matter date; give --published YYYY-MM-DD "
        "(or YYYY-MM, YYYY) as the article prints it"]


def test_an_entry_the_article_does_not_bear_out_is_undone(tmp_path: Path):
    """The date given is not the one the text prints: the article does not load, so both files are put back."""
    project = project_with(tmp_path)
    source = given(tmp_path, "case.md", PLAIN)
    assert refused(project, str(source), "--outlet", "示例新闻网", "--published", "2025-08-13") == [
        f"{source}: the entry it would have in articles.yaml: case.md: published 2025-08-13 does not occur in "
        "case.md (as 2025年8月13日 or 2025-08-13); correct it, or declare it under supplied: with the record it "
        "comes from"]
    assert not list((project / "seeds").rglob(".*.tmp"))


def test_a_file_larger_than_the_article_limit_is_refused_unread(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/articles.yaml": COMMENTED,
                                                   "seeds/project.yaml": "max_article_bytes: 100\n"})
    source = given(tmp_path, "long.md", TOML * 3)
    size = source.stat().st_size
    assert refused(project, str(source), "--outlet", "示例新闻网") == [
        f"{source}:1:1: the file is {size:,} bytes, more than the 100 bytes allowed for an article; split or "
        "shorten it, or raise max_article_bytes in seeds/project.yaml"]


def test_a_link_is_read_where_it_points_only_when_that_is_a_regular_file(tmp_path: Path):
    project = project_with(tmp_path)
    folder = tmp_path / "inbox" / "folder.md"
    folder.mkdir(parents=True)
    link = tmp_path / "inbox" / "link.md"
    link.symlink_to(folder)
    assert refused(project, str(link), "--outlet", "示例新闻网") == [
        f"{link}: not a regular file (a folder, pipe or device); replace it with an ordinary file"]
    link.unlink()
    link.symlink_to(given(tmp_path, "toml.md", TOML))
    result = add(project, str(link), "--outlet", "示例新闻网")
    assert result.returncode == 0, result.stderr
    assert not (project / "seeds/articles/link.md").is_symlink()  # a copy, never a link
    check_passes(project)


def test_an_index_it_cannot_append_to_as_text_is_left_alone_with_the_entry_to_paste(tmp_path: Path):
    project = project_with(tmp_path, "articles: [{file: demo.md, outlet: 示例新闻网}]\n")
    problems = refused(project, str(given(tmp_path, "toml.md", TOML)), "--outlet", "示例新闻网")
    assert problems[:5] == [
        "seeds/articles.yaml: the entry cannot be appended to this file as text (its articles: list is not a "
        "block list at its end); add it there by hand:",
        "  - file: toml.md",
        "    # title and date come from the TOML front matter",
        "    outlet: 示例新闻网",
        "    script: zh-Hans"]


@pytest.mark.parametrize("name, made", [("CAR-T_News 2025.md", "car-t-news-2025"), ("Ｆｕｌｌ　Ｗｉｄｔｈ.md", "full-width"),
                                        ("--x--.txt", "x")])
def test_an_id_is_made_from_the_file_name(name: str, made: str):
    from reports.curate.intake import id_from_name

    assert id_from_name(Path(name).stem) == made


def test_added_to_the_shipped_seeds_the_entry_follows_their_blank_line_and_check_passes(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    index = (project / "seeds/articles.yaml").read_text(encoding="utf-8")
    result = add(project, str(given(tmp_path, "car-y-phase-2.md", TRADITIONAL)), "--outlet", "示例新聞網")
    assert result.returncode == 0, result.stderr
    assert (project / "seeds/articles.yaml").read_text(encoding="utf-8") == index + (
        "\n"
        "  - file: car-y-phase-2.md\n"
        "    # title and date come from the YAML front matter\n"
        "    outlet: 示例新聞網\n"
        "    script: zh-Hant\n")
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stderr
    assert "verified against 6 articles" in result.stdout
