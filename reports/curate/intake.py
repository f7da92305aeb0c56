"""Taking an article into the project (reports add-article): its file copied into seeds/articles/
in the form the readers expect, and its entry appended to seeds/articles.yaml.

The order matters, so that nothing is ever half added:

1. everything is read and decided first: the settings (their size limit), the user's file (read
   from wherever it is, as a seed file is read: a regular file, not too large, UTF-8, no control
   character, no invisible character beside a number), the index, the articles already there (a
   file with the same text, or the same id, is refused), and the entry (what the front matter
   does not say, from the options, a ``# `` heading and the text's script);
2. both files are written to hidden temporary files beside their targets (no reader lists hidden
   files), then renamed into place: the article first, since an entry without its file breaks
   the index;
3. the articles are read again as reports check reads them; when the new one does not load (a
   --published date the text does not print, say), both renames are undone (the article removed,
   the index's own bytes put back) and the problems reported at the user's file.

The index is appended to as text, never loaded and dumped again: its comments, order and quoting
are the curator's. The appended text is read back and must give the index one entry more, the
new one, before anything is written.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reports.content.articles import (
    ARTICLE_SUFFIXES,
    INDEX_SHAPE,
    article_files,
    read_articles,
    report_hidden_characters,
    split_front_matter,
)
from reports.content.citations import compact, dates_agree
from reports.content.model import URL_RE, ArticleEntry, ArticleIndex, PartialDate, ProjectSettings
from reports.content.project import Project
from reports.content.settings import read_settings
from reports.content.sources import (
    Positions,
    SizeLimit,
    by_extension,
    decode_utf8,
    parse_yaml,
    read_file_text,
    read_text,
    validate_data,
    validate_model,
)
from reports.errors import Location, Problem, Problems, ReportError
from reports.files import staged_file, write_atomically
from reports.names import ID_MAX, Script, is_id
from reports.text.normal import normal_form
from reports.text.scripts import script_from_lang, script_of_text

INDEX_FILE = "articles.yaml"
INDEX_HEADER = """\
# The article index: what the article files in seeds/articles/ do not say themselves.
# One entry per file. Values given here win over the file's own front matter.
articles:
"""
MODELINE = "# yaml-language-server: $schema=schemas/articles.schema.json\n"
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class NewArticle:
    """What reports add-article is given: the user's file, and what its front matter may lack."""

    source: Path
    id: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    title: str | None = None
    script: Script | None = None


@dataclass
class AddedArticle:
    """What was written, and where each fact of the entry came from (for the command to say)."""

    id: str
    article: str  # seeds/articles/<id>.md, relative to the project
    index: str  # seeds/articles.yaml
    entry_line: int  # the line of the new entry's file: key
    written: list[str] = field(default_factory=list)  # the entry's keys, with where a value came from
    from_front_matter: list[str] = field(default_factory=list)  # what the entry leaves to it: title, date, author
    front_matter: str = "YAML"  # or TOML
    converted: list[str] = field(default_factory=list)  # "the BOM removed", "CRLF line ends made LF", ...


def id_from_name(name: str) -> str:
    """An id made from a file name: lower case, every run of other characters a hyphen, at most
    ID_MAX characters (CAR-T_News 2025.md -> car-t-news-2025); empty when nothing is left."""
    made = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", name).lower()).strip("-")
    return made[:ID_MAX].rstrip("-")


def first_heading(body: str) -> str | None:
    """The text of the first ``# `` heading (a Markdown title), without closing hashes or a wrapping **."""
    for line in body.split("\n"):
        found = re.match(r"#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", line)
        if found:
            title = found.group(1).strip()
            wrapped = re.fullmatch(r"\*\*(.+)\*\*", title)
            return (wrapped.group(1) if wrapped else title).strip() or None
    return None


def yaml_scalar(value: str) -> str:
    """A text as a YAML value on one line: plain when YAML reads it back as the same text, else
    double-quoted (JSON's escapes are YAML's)."""
    try:
        plain = yaml.safe_load(f"key: {value}\n") == {"key": value}
    except yaml.YAMLError:
        plain = False
    if plain and value == value.strip() and "\n" not in value and " #" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def entry_text(fields: dict[str, str], indent: int, comment: str | None) -> str:
    """The index entry as block YAML, in the index's indentation: ``- file: ...`` then a key a line."""
    dash, keys = " " * indent, " " * (indent + 2)
    lines = [f"{dash}- file: {yaml_scalar(fields['file'])}"]
    if comment:
        lines.append(f"{keys}# {comment}")
    for key, value in fields.items():
        if key != "file":
            # a date is written as the index writes dates (published: 2025-11-16), plain
            lines.append(f"{keys}{key}: {value if key == 'published' else yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


@dataclass
class Index:
    """seeds/articles.yaml as it is: its bytes (appended to, and put back if the article does not
    load), its text as read, its entries and where they stand."""

    path: Path
    original: bytes | None  # None: there is no index yet
    text: str
    entries: list[ArticleEntry]
    positions: Positions | None


def read_index(seeds: Path, problems: Problems, settings: ProjectSettings) -> Index:
    path = seeds / INDEX_FILE
    if not path.exists() and not path.is_symlink():
        modeline = MODELINE if (seeds / "schemas" / "articles.schema.json").is_file() else ""
        return Index(path, None, modeline + INDEX_HEADER, [], None)
    limit = SizeLimit(settings.max_yaml_bytes, "the article index", "max_yaml_bytes")
    loaded = validate_model(ArticleIndex, path, problems, limit, INDEX_SHAPE)
    if loaded is None:
        problems.error(path, 0, 0, "the article index has problems (above); fix them before adding an article")
        problems.raise_if_any()
    index, positions = loaded
    original = path.read_bytes()
    return Index(path, original, decode_utf8(original, path, problems) or "", index.articles, positions)


def appended(index: Index, fields: dict[str, str], comment: str | None) -> tuple[bytes, int]:
    """The index's bytes with the entry appended in its own style, and the line of the entry's file:.

    Nothing before the entry changes, not even its line ends (CRLF stays CRLF). The style is the
    last entry's: its indentation, and a blank line before it or not.
    """
    indent, blank = 2, bool(index.entries)
    if index.entries and index.positions is not None:
        line, column = index.positions.keys.get(("articles", len(index.entries) - 1, "file"), (0, 0))
        lines = index.text.split("\n")
        if line and lines[line - 1][:column - 1].endswith("- "):
            indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
            blank = line >= 2 and not lines[line - 2].strip()
    original = index.original if index.original is not None else index.text.encode("utf-8")
    newline = "\r\n" if b"\r\n" in original else "\n"
    ended = not original or original.endswith(b"\n")
    addition = ("" if ended else newline) + (newline if blank else "") + entry_text(fields, indent, comment)
    lines_before = index.text.count("\n") + (0 if ended else 1)
    return original + addition.replace("\n", newline).encode("utf-8"), lines_before + blank + 1


def entry_is_appended(index: Index, data: bytes, fields: dict[str, str]) -> bool:
    """The new bytes read as the old index with this one entry more, at its end."""
    scratch = Problems(index.path.parent)
    text = decode_utf8(data, index.path, scratch)
    parsed = parse_yaml(text, index.path, scratch) if text is not None else None
    if parsed is None:
        return False
    model = validate_data(ArticleIndex, *parsed, scratch)
    return (model is not None and len(model.articles) == len(index.entries) + 1
            and model.articles[:-1] == index.entries and model.articles[-1] == ArticleEntry.model_validate(fields))


def same_text_as(body: str, seeds: Path, project_dir: Path, limit: SizeLimit) -> Path | None:
    """The article file already in seeds/articles/ whose text (front matter aside) is ``body``'s, in the normal form."""
    wanted = normal_form(body)
    for path in article_files(seeds):
        scratch = Problems(project_dir)
        text = read_text(path, scratch, limit)
        front = split_front_matter(text, path, scratch) if text is not None else None
        if front is not None and normal_form(front.body) == wanted:
            return path
    return None


def add_article(project: Project, new: NewArticle) -> AddedArticle:
    """Copy ``new.source`` into seeds/articles/<id>.md and append its entry to seeds/articles.yaml:
    all or nothing (see the module's docstring for the order). Raises ``ReportError`` with every
    problem, located, when it cannot."""
    seeds = project.seeds
    problems = Problems(project.root)
    settings = read_settings(seeds, problems)
    problems.raise_if_any()
    source = new.source

    # 1. The user's file, read as a seed file is read, then put in the form the readers expect.
    limit = SizeLimit(settings.max_article_bytes, "an article", "max_article_bytes")
    text = read_file_text(source, problems, limit)
    problems.raise_if_any()
    raw = source.read_bytes()[:limit.max_bytes + 1]
    converted = [note for note, done in (("the BOM removed", raw.startswith(BOM)),
                                         ("CRLF line ends made LF", b"\r" in raw)) if done]
    composed = unicodedata.normalize("NFC", text)
    if composed != text:
        converted.append("composed (NFC)")
    text = composed if composed.endswith("\n") or not composed else composed + "\n"
    report_hidden_characters(text, source, problems)
    front = split_front_matter(text, source, problems)
    problems.raise_if_any()
    if not front.body.strip():
        problems.error(source, 1, 1, "the file has no text (after its front matter); nothing to add")
    meta = front.data
    kind = "TOML" if text.startswith("+++") else "YAML"

    # 2. Its id, free and valid; its text, not in the project already.
    if new.id is not None:
        article_id = new.id
        if not is_id(article_id):
            problems.error(source, 0, 0, f"--id '{article_id}' is not a valid id; use at most {ID_MAX} lower-case "
                                         "letters, digits and hyphens (like car-t-cd19-lupus)")
    else:
        article_id = id_from_name(source.stem)
        if not is_id(article_id):
            problems.error(source, 0, 0, f"no id can be made from the file name '{source.name}'; give one with --id "
                                         "(lower-case letters, digits and hyphens, like car-t-cd19-lupus)")
    problems.raise_if_any()
    articles_dir = seeds / "articles"
    target = articles_dir / f"{article_id}.md"
    index = read_index(seeds, problems, settings)
    taken = [path for path in by_extension(articles_dir, ARTICLE_SUFFIXES)[0] if path.stem == article_id]
    if target.exists() or target.is_symlink():
        taken.append(target)
    for path in dict.fromkeys(taken):
        problems.error(path, 0, 0, f"the id '{article_id}' is this article's; give {source.name} another with --id")
    for number, entry in enumerate(index.entries):
        if Path(entry.file).stem == article_id and not taken:
            problems.error(index.path, *index.positions.of(("articles", number, "file")),
                           f"the id '{article_id}' is this entry's ({entry.file}); give {source.name} another with --id")
    twin = same_text_as(front.body, seeds, project.root, limit) if front.body.strip() else None
    if twin is not None:
        problems.error(source, 1, 1, f"the same text is already in the project: {problems.relative(twin)} "
                                     "(front matter and whitespace aside); nothing to add")
    problems.raise_if_any()

    # 3. The entry: what the front matter does not say.
    fields: dict[str, str] = {"file": target.name}
    notes: dict[str, str] = {}  # how the command names a key it wrote, when it says where the value came from
    from_front: list[str] = []
    front_title = str(meta["title"]).strip() if meta.get("title") else None
    if front_title:
        from_front.append("title")
        if new.title and compact(new.title) != compact(front_title):
            problems.error(source, *front.at("title"), f"--title “{new.title}” does not agree with the front "
                                                       f"matter's title “{front_title}”; leave --title out")
    else:
        heading = None if new.title else first_heading(front.body)
        if new.title or heading:
            fields["title"] = new.title or heading
            notes["title"] = "title (its first '# ' heading)" if heading else "title"
        else:
            problems.error(source, 1, 1, "no title: the file has no front matter title and no '# ' heading; give "
                                         "the title as the article prints it with --title")
    front_date = given_date = None
    if meta.get("date") is not None:
        try:
            front_date = PartialDate.parse(meta["date"])
            from_front.append("date")
        except ValueError as error:
            problems.error(source, *front.at("date"), f"front matter date: {error}")
    if new.published:
        try:
            given_date = PartialDate.parse(new.published)
        except ValueError as error:
            problems.error(source, 0, 0, f"--published: {error}")
    if front_date is not None and given_date is not None and not dates_agree(front_date, given_date):
        problems.error(source, *front.at("date"), f"--published {given_date.iso()} does not agree with the front "
                                                  f"matter's date {front_date.iso()}; leave --published out")
    elif front_date is None and given_date is not None:
        fields["published"] = given_date.iso()
    elif meta.get("date") is None and not new.published:
        problems.error(source, 1, 1, "no publication date: the file has no front matter date; give --published "
                                     "YYYY-MM-DD (or YYYY-MM, YYYY) as the article prints it")
    outlet = new.outlet or (str(meta["outlet"]).strip() if meta.get("outlet") else None)
    if outlet:
        fields["outlet"] = outlet
        if not new.outlet:
            notes["outlet"] = "outlet (its front matter's)"
    else:
        problems.error(source, 1, 1, "no outlet: give --outlet with the site, account or journal that published "
                                     "the article (e.g. --outlet 生物谷（bioon.com）)")
    if new.author:
        fields["author"] = new.author
    elif meta.get("author"):
        from_front.append("author")
    if new.url:
        if URL_RE.match(new.url):
            fields["url"] = new.url
        else:
            problems.error(source, 0, 0, f"--url '{new.url}' is not a web address; write it as https://...")
    if new.script:
        script, script_from = new.script, ""
    elif script_from_lang(meta.get("lang")):
        script, script_from = script_from_lang(meta.get("lang")), " (its front matter's lang)"
    else:
        script, script_from = script_of_text(front.body), " (detected from the text)"
        if script is None:
            problems.error(source, 1, 1, "cannot tell from the text whether it is in simplified or traditional "
                                         "script; give --script zh-Hans or --script zh-Hant")
    problems.raise_if_any()
    fields["script"] = script
    notes["script"] = f"script {script}{script_from}"

    # 4. The index's new bytes, read back before anything is written.
    said = [name for name in ("title", "date") if name in from_front]
    comment = f"{' and '.join(said)} {'come' if len(said) > 1 else 'comes'} from the {kind} front matter" if said else None
    new_index, entry_line = appended(index, fields, comment)
    if not entry_is_appended(index, new_index, fields):
        problems.error(index.path, 0, 0, "the entry cannot be appended to this file as text (its articles: list "
                                         "is not a block list at its end); add it there by hand:\n"
                       + entry_text(fields, 2, comment).rstrip("\n"))
    problems.raise_if_any()

    # 5. Written: both staged, then renamed, the article first.
    article_tmp = staged_file(target, text.encode("utf-8"))
    try:
        index_tmp = staged_file(index.path, new_index)
        try:
            if target.exists() or target.is_symlink():  # taken since it was checked: never overwrite an article
                problems.error(target, 0, 0, f"the id '{article_id}' was taken meanwhile; nothing was added")
                problems.raise_if_any()
            os.replace(article_tmp, target)
            try:
                os.replace(index_tmp, index.path)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
        finally:
            index_tmp.unlink(missing_ok=True)
    finally:
        article_tmp.unlink(missing_ok=True)

    # 6. Read as reports check reads it; undone when the article does not load.
    verified = Problems(project.root)
    loaded = read_articles(seeds, verified, settings)
    article_name, index_name = problems.relative(target), problems.relative(index.path)
    ours = [problem for problem in verified.errors if problem.location.path == article_name
            or (problem.location.path == index_name and problem.location.line >= entry_line)]
    if ours or article_id not in loaded:
        target.unlink(missing_ok=True)
        if index.original is None:
            index.path.unlink(missing_ok=True)
        else:
            write_atomically(index.path, index.original)
        raise ReportError([at_source(problem, problems.relative(source), article_name) for problem in ours]
                          or [Problem(Location(problems.relative(source)), "the article does not load; nothing was added")])
    written = [notes.get(key, key) for key in fields if key != "file"]
    return AddedArticle(article_id, article_name, index_name, entry_line, written, from_front, kind, converted)


def at_source(problem: Problem, source: str, article: str) -> Problem:
    """A problem of the article or entry that were undone, told at the user's file: the article's
    at the same line and column (the copy has the same lines), the entry's as the entry's."""
    if problem.location.path == article:
        return Problem(Location(source, problem.location.line, problem.location.column), problem.message)
    return Problem(Location(source), f"the entry it would have in {INDEX_FILE}: {problem.message}")
