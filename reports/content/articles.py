"""Reading articles: seeds/articles.yaml (the index) + seeds/articles/* -> ``Article``.

An article file has YAML front matter between ``---`` lines, TOML front matter between ``+++``
lines, or none; it is UTF-8 with or without BOM, with LF or CRLF line ends. Its body is
Markdown, turned into HTML by markdown-it-py with raw HTML disabled (so ``<script>`` stays text),
then sanitised by nh3 as a second line of defence. Links keep their text; their URLs go to the
references. Images are never fetched: a note says a figure was left out.

Order: an article is put in the normal form (``reports.text``: NFC, invisible characters left
out) as soon as it is read, after the invisible characters inside or beside a number are reported
at their line and column, and before it is parsed: its blocks (what excerpts are checked against)
and its HTML (what prints in full) are both parsed from the normal text, by the same Markdown
rules. Those rules keep what a paste means as characters: backslashes, and asterisks and
underscores between digits (3*4*5cm, 2×10**9), are text, never emphasis or escapes; an ordered
list item's number is text as the source writes it (10. stays 10., never renumbered); emphasis
markers Markdown cannot pair are the paste's and left out of both.

An article reprinted in full (``reports build --full-text``) is cleaned for reading
(``printable_body``): what seeds/articles.yaml declares, and what its site adds around it by the
rules of ``boilerplate.yaml`` (a site's signature, a journal's impact factor, a WeChat notice).
The blocks excerpts are checked against are parsed before and without that cleaning.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from reports.content.citations import check_index_entry
from reports.content.model import (
    ArticleEntry,
    ArticleIndex,
    PartialDate,
    ProjectSettings,
    SuppliedArticleFact,
    without_superscripts,
)
from reports.content.settings import promotional_warning, promotional_words_in
from reports.content.sources import SizeLimit, by_extension, parse_yaml, read_text, validate_model
from reports.errors import Location, Problems
from reports.text.normal import hidden_by_numbers, line_and_column, normal_characters, normal_form
from reports.text.scripts import script_from_lang
from reports.text.typeset import full_width_punctuation

ARTICLE_SUFFIXES = {".md", ".markdown", ".txt"}
FIGURE_OMITTED = "〔原文配图从略〕"
SANITISER_TAGS = {"p", "br", "em", "strong", "blockquote", "ul", "ol", "li", "code", "pre", "hr", "span"}
SANITISER_ATTRIBUTES = {"p": {"class"}, "span": {"class"}}
CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
INDEX_SHAPE = "the article index must be a mapping with articles: (a list of entries, each with file: and outlet:)"


@dataclass(frozen=True)
class Block:
    """A paragraph-like run of an article's visible text, and the file line it starts on."""

    text: str
    line: int
    heading: bool = False  # a heading of the article (## 安全性), not a sentence of its text


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass
class Article:
    id: str
    path: str  # relative to the project
    title: str
    title_supplied: bool
    published: PartialDate | None
    undated_reason: str | None
    accessed: dt.date | None  # the curator's own reading date; never the build date
    outlet: str
    author: str | None
    url: str | None
    lang: str  # zh-Hans or zh-Hant
    original_outlet: str | None
    original_title: str | None
    original_author: str | None
    html: str  # sanitised body, as printed (cleaned: see printable_body)
    blocks: list[Block] = field(default_factory=list)  # the text as pasted and parsed: what excerpts are checked against
    links: list[Link] = field(default_factory=list)
    figures_omitted: int = 0
    superscripts: list[str] = field(default_factory=list)  # as they should read (articles.yaml)
    artefacts: list[str] = field(default_factory=list)  # the paste's stray text (articles.yaml)
    supplied: list[SuppliedArticleFact] = field(default_factory=list)  # title or date from another record (‡)
    published_at: Location | None = None  # where the date is written: the index entry, else the front matter

    def printed(self, text: str) -> str:
        """A quotation of this article as printed: the paste's artefacts left out, its lost
        superscripts restored, Chinese punctuation in full width; nothing else changes (the
        text is the verified one, in the normal form). Checked as pasted, printed as read."""
        return full_width_punctuation(as_read(text, self.artefacts, self.superscripts))

    def quotation(self, excerpt: str) -> str:
        """An excerpt of this article as printed: the text that was verified (its normal form), as read."""
        return self.printed(normal_form(excerpt))


def superscript_pattern(written: str) -> re.Pattern:
    """Where a paste has the figure without its superscripts: not inside a longer number."""
    return re.compile(rf"(?<![0-9]){re.escape(without_superscripts(written))}(?![0-9])")


def as_read(text: str, artefacts: list[str], superscripts: list[str]) -> str:
    """Pasted text as its author wrote it: the declared artefacts out, the lost superscripts back."""
    for artefact in artefacts:
        text = text.replace(artefact, "")
    for written in superscripts:
        text = superscript_pattern(written).sub(written, text)
    return text


@dataclass
class FrontMatter:
    data: dict[str, Any]
    body: str
    body_first_line: int  # file line number of the body's first line
    lines: dict[str, int] = field(default_factory=dict)  # the file line of each top-level key

    def at(self, key: str) -> tuple[int, int]:
        """Where a problem with the value of ``key`` is reported: its line, else the file's first."""
        return (self.lines[key], 1) if key in self.lines else (1, 1)


def split_front_matter(text: str, path: Path, problems: Problems) -> FrontMatter | None:
    """Separate YAML (---) or TOML (+++) front matter from the body.

    Written by hand rather than with python-frontmatter: we need the body's first line number
    (to point at excerpts and errors in the file) and TOML errors located in the file.
    """
    lines = text.split("\n")
    fence = lines[0].strip() if lines else ""
    if fence not in ("---", "+++"):
        return FrontMatter({}, text, 1)
    closing = ("---", "...") if fence == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].strip() in closing:
            break
    else:
        problems.error(path, 1, 1, f"front matter opened with {fence} is never closed; add a line with {fence} after it")
        return None
    header = "\n".join(lines[1:index])
    body = "\n".join(lines[index + 1:])
    if fence == "---":
        parsed = parse_yaml(header, path, problems, first_line=2)
        if parsed is None:
            return None
        data, positions = parsed
        keys = {str(key[0]): at[0] for key, at in positions.keys.items() if len(key) == 1}
    else:
        try:
            data = tomllib.loads(header)
        except tomllib.TOMLDecodeError as error:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
            line, column = (int(match[1]) + 1, int(match[2])) if match else (index, 1)  # else: at end
            message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(error))
            problems.error(path, line, column, f"malformed TOML front matter: {message}; check quotes and '=' signs")
            return None
        # tomllib gives no positions; a top-level key starts its line (before any [table]).
        keys = {}
        for number, line_text in enumerate(lines[1:index], start=2):
            if line_text.lstrip().startswith("["):
                break
            found = re.match(r"\s*([A-Za-z0-9_-]+)\s*=", line_text)
            if found:
                keys.setdefault(found[1], number)
    if not isinstance(data, dict):
        problems.error(path, 2, 1, "front matter must be a mapping of keys to values (title: ..., date: ...)")
        return None
    return FrontMatter(data, body, index + 2, keys)


ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _digit_before(src: str, position: int) -> bool:
    """A digit stands before ``position``, spaces aside."""
    while position > 0 and src[position - 1] in " \t":
        position -= 1
    return position > 0 and src[position - 1].isdigit()


def _digit_after(src: str, position: int, end: int) -> bool:
    """A digit stands at ``position``, spaces aside."""
    while position < end and src[position] in " \t":
        position += 1
    return position < end and src[position].isdigit()


def literal_marks(state: StateInline, silent: bool) -> bool:
    """A markdown-it inline rule: a backslash, or a run of * or _ between digits, is a character.

    An article is a paste, not a Markdown author's text: 约3*4*5cm and 2×10**9 are figures (as
    emphasis they would print 345cm and 2×109), and \\* is a backslash and an asterisk. Both the
    excerpt check and the print read them as the source has them; **bold** and *italics* between
    words stay emphasis. A token of its own (``literal``), so that no later step changes it.
    """
    src, start, end = state.src, state.pos, state.pos + 1
    mark = src[start]
    if mark == "\\":
        if end < state.posMax and src[end] in ASCII_PUNCTUATION:
            end += 1  # the mark after it is a character too, as Markdown would have it: \* is no emphasis
    elif mark in "*_":
        while end < state.posMax and src[end] == mark:
            end += 1
        if not (_digit_before(src, start) and _digit_after(src, end, state.posMax)):
            return False
    else:
        return False
    if not silent:
        state.push("literal", "", 0).content = src[start:end]
    state.pos = end
    return True


def without_stray_emphasis(text: str) -> str:
    """Emphasis markers Markdown could not pair (**撰文 |**) are the paste's, not the author's."""
    return text.replace("**", "")


MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
MARKDOWN.inline.ruler.before("escape", "literal_marks", literal_marks)
MARKDOWN.add_render_rule("literal", lambda self, tokens, index, options, env: escapeHtml(tokens[index].content))


def _visible_text(children: list[Token]) -> str:
    """What a reader sees of an inline run: the text the excerpts are checked against."""
    parts = []
    for child in children:
        if child.type == "text":
            parts.append(without_stray_emphasis(child.content))
        elif child.type in ("literal", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return normal_characters("".join(parts))  # an entity (&#8203;) may have made what the normal form leaves out


def join_soft_break(before: str, after: str) -> str:
    """A line break inside a paragraph: nothing between Chinese characters, a space otherwise."""
    if (before and CJK_RE.match(before[-1])) or (after and CJK_RE.match(after[0])):
        return ""
    return " "


def _rewrite_inline(children: list[Token], links: list[Link]) -> tuple[list[Token], int]:
    """Links become their text (URL kept for the references); images become a short note."""
    result: list[Token] = []
    figures = 0
    for index, child in enumerate(children):
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            text_end = next((i for i in range(index, len(children)) if children[i].type == "link_close"), len(children))
            text = _visible_text(children[index + 1:text_end]).strip()
            if href and all(link.url != href for link in links):
                links.append(Link(text or href, href))
            continue
        if child.type == "link_close":
            continue
        if child.type == "image":
            figures += 1
            note = Token("text", "", 0)
            note.content = FIGURE_OMITTED
            result.append(note)
            continue
        if child.type == "softbreak":
            before = children[index - 1].content if index > 0 else ""
            after = children[index + 1].content if index + 1 < len(children) else ""
            joiner = Token("text", "", 0)
            joiner.content = join_soft_break(before, after)
            result.append(joiner)
            continue
        if child.type == "text":
            child.content = full_width_punctuation(normal_characters(without_stray_emphasis(child.content)))
        result.append(child)
    return result, figures


def render_body(body: str, first_line: int, line_paragraphs: bool) -> tuple[str, list[Block], list[Link], int]:
    """Markdown body -> (sanitised HTML, visible-text blocks with file lines, links, figures omitted)."""
    html, blocks, links, figures = _rendered(body, first_line, line_paragraphs)
    return html, list(blocks), list(links), figures


@lru_cache(maxsize=256)
def _rendered(body: str, first_line: int, line_paragraphs: bool) -> tuple[str, tuple[Block, ...], tuple[Link, ...], int]:
    """render_body's work, once per text: an article is rendered for its blocks and again for its printable
    body (often the same text), and again at each check of a long-running preview or service."""
    source = "\n\n".join(body.split("\n")) if line_paragraphs else body
    tokens = MARKDOWN.parse(source)
    blocks: list[Block] = []
    links: list[Link] = []
    figures = 0
    lists: list[str] = []  # the lists open around a token, innermost last
    heading = False  # inside a heading (## …)
    marker = ""  # the number of the ordered list item whose text comes next: "10. "
    for token in tokens:
        ordered = bool(lists) and lists[-1] == "ordered_list_open"
        if token.type in ("ordered_list_open", "bullet_list_open"):
            lists.append(token.type)
            token.hidden = token.type == "ordered_list_open"
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            lists.pop()
            token.hidden = token.type == "ordered_list_close"
        elif ordered and token.type in ("list_item_open", "list_item_close"):
            # An ordered list prints as the source numbers it, as text the check sees too: as a list
            # it would print 1, 2 ... whatever the source says (10. 5% would print as 1. 5%).
            token.hidden = True
            marker = f"{token.info}{token.markup} " if token.type == "list_item_open" else ""
        elif ordered and token.type in ("paragraph_open", "paragraph_close"):
            token.hidden = False  # each item a paragraph, in a tight list too
        elif token.type == "inline" and token.children is not None:
            if marker:
                number = Token("literal", "", 0)
                number.content, marker = marker, ""
                token.children.insert(0, number)
            source_line = token.map[0] if token.map else 0
            if line_paragraphs:
                source_line //= 2
            text = _visible_text(token.children)
            if text.strip():
                blocks.append(Block(text, source_line + first_line, heading))
            token.children, omitted = _rewrite_inline(token.children, links)
            figures += omitted
        elif token.type in ("heading_open", "heading_close"):
            # Article headings must not enter the briefing's outline (and its PDF bookmarks).
            heading = token.type == "heading_open"
            token.tag = "p"
            if token.type == "heading_open":
                token.attrSet("class", "article-heading")
    html = MARKDOWN.renderer.render(tokens, MARKDOWN.options, {})
    html = nh3.clean(html, tags=SANITISER_TAGS, attributes=SANITISER_ATTRIBUTES, url_schemes=set(), link_rel=None)
    html = re.sub(r"<p>\s*</p>", "", html)
    return html, tuple(blocks), tuple(links), figures


# Paths and queries of a site's own navigation: search, topic and tag pages, course catalogues.
NAVIGATION_RE = re.compile(r"/(?:search|topic|topics|tag|tags|course_video|course_info|guideline/search|category)\b"
                           r"|[?&](?:q|keyword|kw|wd|query)=", re.IGNORECASE)
SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac", "co"}


def site_of(url: str) -> str:
    """The registered domain of a web address: news.bioon.com and xy.bioon.com are both bioon.com."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def is_navigation(link: Link, article_url: str | None) -> bool:
    """A link of the page's own site (menus, related courses) or to a search or topic page: not a source.

    The references list the links a text cites (a paper, a registry), not the publisher's navigation.
    """
    if NAVIGATION_RE.search(link.url):
        return True
    return article_url is not None and site_of(link.url) == site_of(article_url)


def _drop_lines(body: str, omit: list[str]) -> tuple[str, set[str]]:
    """Blank out boilerplate lines (keeping line numbers); return the omit entries that matched."""
    wanted = {line.strip() for line in omit}
    found: set[str] = set()
    kept = []
    for line in body.split("\n"):
        if line.strip() in wanted:
            found.add(line.strip())
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept), found


@dataclass(frozen=True)
class BoilerplateRule:
    """What a source site adds around an article (reports/content/boilerplate.yaml): a whole
    ``line``, or a piece of ``text`` inside a line, that a reprint leaves out, and why."""

    name: str
    reason: str
    example: str
    line: str | None = None
    text: str | None = None
    kept: str | None = None

    def __post_init__(self):
        if (self.line is None) == (self.text is None):  # a slip in our own data file, not a user error
            raise ValueError(f"{BOILERPLATE_FILE}: rule {self.name!r} needs one of line: or text:")

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(self.line or self.text or "")

    def apply(self, line: str) -> str:
        """The line without this rule's boilerplate (a removed line is left empty, keeping line numbers)."""
        if self.line is not None:
            return "" if self.pattern.fullmatch(line.strip()) else line
        return self.pattern.sub("", line)


BOILERPLATE_FILE = "boilerplate.yaml"


@lru_cache(maxsize=1)
def boilerplate_rules() -> tuple[BoilerplateRule, ...]:
    """The rules shipped in ``reports/content/boilerplate.yaml``, in file order."""
    text = resources.files("reports.content").joinpath(BOILERPLATE_FILE).read_text(encoding="utf-8")
    return tuple(BoilerplateRule(**rule) for rule in yaml.safe_load(text))


def without_boilerplate(body: str) -> str:
    """The body without what its site added around it (boilerplate.yaml), line for line: for the
    reprint only, never for the text excerpts are checked against."""
    lines = body.split("\n")
    for rule in boilerplate_rules():
        lines = [rule.apply(line) for line in lines]
    return "\n".join(lines)


def printable_body(body: str, entry: ArticleEntry) -> tuple[str, list[str]]:
    """The body as printed in full (reports build --full-text): the captions of absent figures,
    the paste's artefacts and the site's boilerplate (boilerplate.yaml) left out, run-in headings
    set apart, lost superscripts restored. Returns it and the declarations it did not find (each
    a warning: one that matches nothing is a typo)."""
    body, found = _drop_lines(body, entry.absent_captions)
    body = without_boilerplate(body)
    missing = [f"absent_captions entry {caption[:40]}" for caption in entry.absent_captions if caption.strip() not in found]
    lines = body.split("\n")
    for heading in entry.headings:
        wanted = heading.strip()
        at = next((i for i, line in enumerate(lines) if line.strip().startswith(wanted)), None)
        if at is None:
            missing.append(f"headings entry {wanted[:40]}")
            continue
        rest = lines[at].strip()[len(wanted):].strip()
        lines[at:at + 1] = [f"#### {wanted}", ""] + ([rest] if rest else [])  # the rest may start with a heading too
    body = "\n".join(lines)
    missing += [f"artefacts entry {artefact[:40]}" for artefact in entry.artefacts if artefact not in body]
    missing += [f"superscripts entry {written} (as pasted: {without_superscripts(written)})"
                for written in entry.superscripts if not superscript_pattern(written).search(body)]
    return as_read(body, entry.artefacts, entry.superscripts), missing


def report_hidden_characters(text: str, path: Path, problems: Problems) -> None:
    """An error at each invisible character inside or beside a number of the file (the normal form
    would silently join 4⟨U+200B⟩4% into 44%, a figure the curator never saw split)."""
    for hidden in hidden_by_numbers(text):
        problems.error(path, *line_and_column(text, hidden.offset), hidden.message())


def in_normal_form(entry: ArticleEntry) -> ArticleEntry:
    """The entry's lines and fragments of the article's text in the article's normal form, so that
    they are found in it however either was typed (composed or not, with invisible characters)."""
    fields = ("omit_lines", "headings", "absent_captions", "artefacts", "superscripts")
    return entry.model_copy(update={name: [normal_characters(item) for item in getattr(entry, name)]
                                    for name in fields})


def read_article(path: Path, entry: ArticleEntry | None, entry_at: tuple[int, int] | None, index_path: Path,
                 problems: Problems, limit: SizeLimit | None = None,
                 field_at: Callable[[tuple], tuple[int, int]] | None = None) -> Article | None:
    """Read one article; ``entry`` is its index entry (at ``entry_at`` in the index), None when unlisted;
    ``field_at(key)``: where the entry's value at key stands (default: the entry)."""
    text = read_text(path, problems, limit)
    if text is None:
        return None
    report_hidden_characters(text, path, problems)
    text = normal_characters(text)
    front = split_front_matter(text, path, problems)
    if front is None:
        return None
    if not front.body.strip():
        problems.error(path, 1, 1, f"article '{path.stem}' has no text; put the article's text in the file "
                                   "(after its front matter), or remove the file and its entry in the index")
        return None
    meta = front.data
    listed = entry is not None
    entry = in_normal_form(entry or ArticleEntry(file=path.name, outlet=""))
    # Problems with what the index should say point at the entry, or at the file when it has none.
    where_path, (line, column) = (index_path, entry_at) if listed and entry_at else (path, (1, 1))

    title = entry.title or (str(meta["title"]).strip() if meta.get("title") else None)
    published = entry.published
    published_at = None  # where the date is written, for a message that names it
    if published is not None:
        published_at = Location(problems.relative(index_path), *(field_at(("published",)) if field_at else (line, column)))
    if published is None and meta.get("date") is not None:
        try:
            published = PartialDate.parse(meta["date"])
            published_at = Location(problems.relative(path), *front.at("date"))
        except ValueError as error:
            problems.error(path, *front.at("date"), f"front matter date: {error}")
    script = entry.script or script_from_lang(meta.get("lang"))
    outlet = entry.outlet

    missing = []
    if not title:
        missing.append("title")
    if published is None and not entry.undated_reason:
        missing.append("published (or undated_reason)")
    if not script:
        missing.append("script (zh-Hans or zh-Hant)")
    if not outlet:
        missing.append("outlet")
    if missing:
        index_name = problems.relative(index_path)
        where = f"in its entry in {index_name}" if listed else f"an entry for it in {index_name} (file: {path.name})"
        problems.error(where_path, line, column,
                       f"article '{path.stem}' has no {', '.join(missing)}; add {where} or to its front matter")
        return None

    if listed:
        # While the front matter is at hand: what the index says of the file agrees with it.
        check_index_entry(entry, meta, front.body, path.name, field_at or (lambda key: (line, column)), problems,
                          index_path)
    body, found = _drop_lines(front.body, entry.omit_lines)
    for omitted in entry.omit_lines:
        if omitted.strip() not in found:
            problems.warn(where_path, line, column, f"omit_lines entry not found in {path.name}: {omitted[:40]}")
    _, blocks, links, figures = render_body(body, front.body_first_line, entry.paragraphs == "lines")
    printable, not_found = printable_body(body, entry)
    for declaration in not_found:
        problems.warn(where_path, line, column, f"{declaration} not found in {path.name}")
    html, *_ = render_body(printable, front.body_first_line, entry.paragraphs == "lines")
    return Article(
        id=path.stem,
        path=problems.relative(path),
        title=title,
        title_supplied=entry.title_supplied,
        published=published,
        undated_reason=entry.undated_reason,
        accessed=entry.accessed,
        outlet=outlet,
        author=entry.author or (str(meta["author"]) if meta.get("author") else None),
        url=entry.url,
        lang=script,
        original_outlet=entry.original_outlet,
        original_title=entry.original_title,
        original_author=entry.original_author,
        html=html,
        blocks=blocks,
        links=[link for link in links if not is_navigation(link, entry.url)],
        figures_omitted=figures,
        superscripts=entry.superscripts,
        artefacts=entry.artefacts,
        supplied=entry.supplied,
        published_at=published_at,
    )


def article_files(seeds: Path) -> list[Path]:
    """The article files in seeds/articles/ (.md, .markdown, .txt in any case), by name (an
    article's id is its file name's stem)."""
    return [path for path in by_extension(seeds / "articles", ARTICLE_SUFFIXES)[0] if path.is_file()]


def warn_unread(seeds: Path, problems: Problems) -> None:
    """Name every file of seeds/articles/ that is not read as an article (hidden files aside)."""
    for path in by_extension(seeds / "articles", ARTICLE_SUFFIXES)[1]:
        problems.warn(path, 0, 0, "not read: articles are files ending in .md, .markdown or .txt; rename it "
                                  "if it is one, or move it out of seeds/articles/")


def read_articles(seeds: Path, problems: Problems, settings: ProjectSettings | None = None) -> dict[str, Article]:
    """Read the index and every article file; problems are collected, not raised.

    ``settings`` gives the size limits (default: the default settings').
    """
    settings = settings or ProjectSettings()
    article_limit = SizeLimit(settings.max_article_bytes, "an article", "max_article_bytes")
    index_limit = SizeLimit(settings.max_yaml_bytes, "the article index", "max_yaml_bytes")
    index_path = seeds / "articles.yaml"
    articles_dir = seeds / "articles"
    entries: dict[str, tuple[ArticleEntry, tuple[int, int]]] = {}
    numbers: dict[str, int] = {}  # each entry's place in the index, to locate its fields
    if index_path.exists() or index_path.is_symlink():
        index = validate_model(ArticleIndex, index_path, problems, index_limit, INDEX_SHAPE)
        if index is not None:
            model, positions = index
            listed: dict[str, int] = {}  # file -> the line of its first entry
            for number, entry in enumerate(model.articles):
                at = positions.of(("articles", number))
                if entry.file in listed:
                    problems.error(index_path, *positions.of(("articles", number, "file")),
                                   f"articles.{number}.file: article '{entry.file}' is listed twice (first on line "
                                   f"{listed[entry.file]}); keep one entry")
                    continue
                listed[entry.file] = positions.of(("articles", number, "file"))[0]
                if not (articles_dir / entry.file).is_file():
                    problems.error(index_path, *positions.of(("articles", number, "file")),
                                   f"no article file seeds/articles/{entry.file}; fix the name or add the file")
                    continue
                entries[entry.file] = (entry, at)
                numbers[entry.file] = number
                words = promotional_words_in(entry.title or "", settings) if entry.title_supplied else []
                if words:
                    problems.error(index_path, *positions.of(("articles", number, "title")), promotional_warning(words))
    articles: dict[str, Article] = {}
    if not articles_dir.is_dir():
        problems.error(seeds, 0, 0, "no seeds/articles/ folder; create it and put the source articles there")
        return articles
    warn_unread(seeds, problems)
    for path in article_files(seeds):
        if path.stem in articles:
            problems.error(path, 0, 0, f"two article files are named '{path.stem}'; rename one")
            continue
        entry, at = entries.get(path.name, (None, None))
        field_at = (lambda key, number=numbers[path.name]: positions.of(("articles", number, *key))) \
            if path.name in numbers else None
        article = read_article(path, entry, at, index_path, problems, article_limit, field_at)
        if article is not None:
            articles[article.id] = article
    return articles
