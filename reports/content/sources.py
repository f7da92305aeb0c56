"""Reading source files (UTF-8 text and YAML) while keeping line and column numbers.

PyYAML's composer gives every node a start mark; ``load_yaml`` turns the node tree into plain
Python data and a ``Positions`` map from each value's path (``("studies", 0, "phase")``) to
where it stands in the file, so that validation errors can point at the exact line and column.

Seed files are untrusted, so the order of ``read_text`` matters: where the file really is (a
symbolic link out of the project is refused before anything is opened), then its size (from
``stat``, before reading), then its bytes (UTF-8, no control characters), and only then parsing,
which refuses YAML anchors and aliases before anything is expanded. No message quotes a file's
content beyond a short value: the same problems reach the HTTP service's JSON.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Callable, Iterator, TypeVar, Union, get_args, get_origin

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML without libyaml: the Python parser alone
    CParser = None
from pydantic import BaseModel, ValidationError

from reports.errors import FieldError, Problems

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


def real_path(path: Path) -> Path | None:
    """Where ``path`` really is, symbolic links followed; None for a link that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a loop (Python 3.11)
        return None


def outside_link(path: Path, root: Path) -> Path | None:
    """The symbolic link through which ``path`` leads out of ``root`` (or loops), or None when it stays inside.

    Each step of the path is tried from ``root`` down, so a linked folder is named, not each file in it.
    """
    real_root = root.resolve()

    def leaves(step: Path) -> bool:
        real = real_path(step)
        return real is None or not real.is_relative_to(real_root)

    written = Path(os.path.abspath(path))
    for folder in (Path(os.path.abspath(root)), real_root):
        if written.is_relative_to(folder):
            step = folder
            for part in written.relative_to(folder).parts:
                step = step / part
                if step.is_symlink() and leaves(step):
                    return step
            break
    return path if leaves(path) else None

M = TypeVar("M", bound=BaseModel)


@dataclass
class Positions:
    """Where each value (and each mapping key) of a YAML document starts, 1-based."""

    path: Path
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def of(self, key: PathKey) -> tuple[int, int]:
        """Position of the value at ``key``, or of its nearest parent that exists."""
        key = tuple(key)
        while key:
            if key in self.values:
                return self.values[key]
            key = key[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, key: PathKey) -> tuple[int, int]:
        """Position of the mapping key itself (where an unknown key is reported)."""
        return self.keys.get(tuple(key)) or self.of(key)


def shorten(value: Any, limit: int = 40) -> str:
    """A value as it may appear in a message: at most ``limit`` characters of it."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_outside_link(link: Path, problems: Problems) -> None:
    """A link out of the project is refused at the link, without reading (or naming) what it points to."""
    why = "(only the project's own files are read)"
    if real_path(link) is None:
        problems.error(link, 1, 1, "this symbolic link goes round in a loop; put the file itself in its place")
    elif link.is_dir():
        problems.error(link, 0, 0, "this symbolic link points to a folder outside the project; "
                                   f"copy the folder into the project in its place {why}")
    else:
        problems.error(link, 1, 1, "this symbolic link points outside the project; "
                                   f"copy the file into the project in its place {why}")


def refuse_outside_links(folder: Path, problems: Problems) -> None:
    """Report every symbolic link in ``folder`` (itself included) whose real path is outside the project.

    The readers refuse such a file when they come to it; this also covers what no reader opens
    (templates, styles) and reports a linked folder once, before anything is read.
    """
    root = problems.project_dir.resolve()
    link = outside_link(folder, problems.project_dir)
    if link is not None:
        report_outside_link(link, problems)
        return
    seen: set[Path] = set()

    def walk(directory: Path) -> None:
        real = real_path(directory)
        if real is None or real in seen:  # a link back up the tree
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink() and outside_link(path, root) is not None:
                report_outside_link(path, problems)
            elif entry.is_dir():
                walk(path)

    if folder.is_dir():
        walk(folder)


def by_extension(folder: Path, suffixes: set[str]) -> tuple[list[Path], list[Path]]:
    """The entries of ``folder`` whose extension, in any case, is one of ``suffixes`` (car-m.YAML
    is car-m.yaml), and the other entries, each by name.

    Hidden entries (.DS_Store, an editor's .car-m.yaml.swp, macOS's ._car-m.yaml) are in neither:
    they are not the curator's files. The others are for a warning that names them: a table
    saved as car-m.json or car-m.yaml.bak would otherwise vanish from the briefing unsaid.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if not entry.name.startswith("."))
    except OSError:
        return [], []
    matching, others = [], []
    for name in names:
        path = folder / name
        (matching if path.suffix.lower() in suffixes else others).append(path)
    return matching, others


@dataclass(frozen=True)
class SizeLimit:
    """How large a seed file may be, what it is called in messages, and the setting that raises it."""

    max_bytes: int
    what: str  # "an article"
    setting: str | None = None  # the key in seeds/project.yaml; None for a fixed bound

    def message(self, size: int) -> str:
        how = (f"split or shorten it, or raise {self.setting} in seeds/project.yaml" if self.setting
               else "shorten it")
        return f"the file is {size:,} bytes, more than the {self.max_bytes:,} bytes allowed for {self.what}; {how}"


# Any C0 or C1 control character but tab and line ends (CR is gone by now), DEL, and the two
# noncharacters U+FFFE and U+FFFF (valid UTF-8, but never text). PyYAML refuses some of them
# too, but not in articles, and it quotes the line.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def refuse_control_characters(text: str, path: Path, problems: Problems) -> bool:
    """Report the first control character at its line and column, by code point only; True if there was one."""
    found = CONTROL_RE.search(text)
    if found is None:
        return False
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    problems.error(path, line, column,
                   f"control character U+{ord(found.group()):04X} is not allowed in a seed file; delete it "
                   "(it is invisible in most editors; it comes with text copied from a PDF or a binary file)")
    return True


def decode_utf8(raw: bytes, path: Path, problems: Problems) -> str | None:
    """Decode UTF-8 (with or without BOM), normalise CRLF/CR to LF; report bad bytes by line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        # Columns count characters, as an editor shows them, not bytes.
        line_start = before[before.rfind(b"\n") + 1:].removeprefix(b"\xef\xbb\xbf")
        column = len(line_start.decode("utf-8", errors="replace")) + 1
        problems.error(
            path, line, column,
            f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); re-save the file as UTF-8 "
            "(for example: iconv -f GB18030 -t UTF-8 FILE > FILE.utf8)",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, problems: Problems, limit: SizeLimit | None = None) -> str | None:
    """A seed file's text, or None with the problem reported: see the module's docstring for the order."""
    link = outside_link(path, problems.project_dir)
    if link is not None:
        report_outside_link(link, problems)
        return None
    return read_file_text(path, problems, limit)


def read_file_text(path: Path, problems: Problems, limit: SizeLimit | None = None) -> str | None:
    """A file's text wherever it is (``read_text`` without the project's bounds: for a file the user
    names, like the article reports add-article copies in), or None with the problem reported:
    its real path a regular file, its size, then its bytes UTF-8 without control characters."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            # A pipe or a device would block or never end; a folder cannot be read as text.
            problems.error(path, 0, 0,
                           "not a regular file (a folder, pipe or device); replace it with an ordinary file")
            return None
        if limit is not None and status.st_size > limit.max_bytes:
            problems.error(path, 1, 1, limit.message(status.st_size))
            return None
        with path.open("rb") as stream:
            # Never more than the limit, even if the file grew since stat.
            raw = stream.read(limit.max_bytes + 1 if limit is not None else -1)
    except OSError as error:
        problems.error(path, 0, 0, f"cannot read the file: {error.strerror}")
        return None
    if limit is not None and len(raw) > limit.max_bytes:
        problems.error(path, 1, 1, limit.message(len(raw)))
        return None
    text = decode_utf8(raw, path, problems)
    if text is None or refuse_control_characters(text, path, problems):
        return None
    return text


ANCHORS_REFUSED = ("YAML anchors and aliases (&name, *name) are not allowed in seed files; "
                   "write the value out in full")
MERGE_REFUSED = "YAML merge keys (<<:) are not allowed in seed files; write the keys out in full"
MAX_DEPTH = 40  # the evidence tables nest 6 levels deep


class RefusedYAML(Exception):
    """Raised by ``SeedLoader`` at a construct seed files must not use; carries where it starts."""

    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


class RefusingComposer(Composer):
    """PyYAML's composer, refusing anchors, aliases and deep nesting while it composes.

    Refused here, before anything is expanded: nine lines of aliases to aliases stand for a
    billion values (minutes and gigabytes to walk), and the composer recurses once per level.
    An anchor comes before its first alias, so the first anchor is what is reported.
    """

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise RefusedYAML(event.start_mark, ANCHORS_REFUSED)
        if self.depth >= MAX_DEPTH:
            raise RefusedYAML(event.start_mark, f"nested more than {MAX_DEPTH} levels deep; seed files need "
                                                "far fewer: check the brackets and the indentation")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class SeedLoader(RefusingComposer, yaml.SafeLoader):
    """PyYAML's safe loader, all in Python, with the refusing composer: its syntax errors name what it found."""


if CParser is not None:
    class FastSeedLoader(RefusingComposer, CParser, SafeConstructor, Resolver):
        """libyaml's scanner and parser (about seven times as fast as PyYAML's Python ones, which were
        most of what `reports check` spent) under the same refusing composer, written in Python."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
else:  # a PyYAML built without libyaml
    FastSeedLoader = None


def _single_node(loader) -> yaml.Node | None:
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document, marks and all; anchors, aliases and deep nesting refused."""
    if FastSeedLoader is not None:
        try:
            return _single_node(FastSeedLoader(text))
        except yaml.YAMLError:
            pass  # read again by PyYAML, whose messages say more ("found character '\\t'"): only a broken file pays
    return _single_node(SeedLoader(text))


def parse_yaml(
    text: str, path: Path, problems: Problems, first_line: int = 1, keep_empty: bool = False
) -> tuple[Any, Positions] | None:
    """Parse YAML text; syntax errors, duplicate keys, anchors and merge keys are reported, not raised.

    ``first_line`` is the file line where ``text`` starts (front matter starts after ``---``).
    An empty document is ``{}``, or ``None`` with ``keep_empty`` (for a message that says so).
    """
    positions = Positions(path)
    try:
        node = compose(text)
    except RefusedYAML as refused:
        problems.error(path, refused.mark.line + first_line, refused.mark.column + 1, refused.message)
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + first_line) if mark else first_line
        column = (mark.column + 1) if mark else 1
        what = error.problem or "malformed YAML"
        if error.context:
            started = error.context_mark
            if started is not None and started.line + first_line != line:
                what = f"{error.context} (started on line {started.line + first_line}), {what}"
            else:
                what = f"{error.context}, {what}"
        problems.error(path, line, column, f"malformed YAML: {what}; check indentation, colons and quotes")
        return None
    if node is None:
        return (None if keep_empty else {}), positions
    constructor = yaml.SafeLoader("")  # only used for its scalar constructors
    refused: list[bool] = []  # a merge key or a value that cannot be read: the document is not used

    def at(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + first_line, node.start_mark.column + 1

    def build(node: yaml.Node, key: PathKey) -> Any:
        positions.values[key] = at(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    problems.error(path, *at(key_node), MERGE_REFUSED)
                    refused.append(True)
                    continue
                name = construct(key_node)
                if not isinstance(name, str):
                    name = str(name)
                if name in result:
                    line, column = at(key_node)
                    first = positions.keys[key + (name,)]
                    problems.error(
                        path, line, column,
                        f"duplicate key '{shorten(name)}' (first given on line {first[0]}); keep one of them",
                    )
                    continue
                positions.keys[key + (name,)] = at(key_node)
                result[name] = build(value_node, key + (name,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, key + (index,)) for index, item in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:float" and re.fullmatch(r"[-+]?\d+\.\d*(?:[eE][-+]?\d+)?", node.value):
            return Decimal(node.value)  # keeps the figure as written: 9.60 stays 9.60, not 9.6
        return construct(node)

    def construct(node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:str" and isinstance(node, yaml.ScalarNode):
            return node.value  # what the safe constructor makes of it, without its bookkeeping (most values)
        if node.tag == "tag:yaml.org,2002:value":
            return node.value  # a bare '=', which the safe constructor cannot make
        try:
            return constructor.construct_object(node, deep=True)
        except ValueError:
            # PyYAML reads 2026-21-11 as a timestamp and fails; keep the text, which validation
            # then reports at its place with what a date should look like.
            return node.value
        except yaml.MarkedYAMLError as error:  # an unknown tag (!foo, !!python/...), an unhashable key
            problems.error(path, *at(node), f"cannot read this value ({shorten(error.problem, 120)}); "
                                            "write it plainly, without a YAML tag")
            refused.append(True)
            return None

    data = build(node, ())
    return None if refused else (data, positions)


def load_yaml(path: Path, problems: Problems, limit: SizeLimit | None = None,
              keep_empty: bool = False) -> tuple[Any, Positions] | None:
    text = read_text(path, problems, limit)
    if text is None:
        return None
    return parse_yaml(text, path, problems, keep_empty=keep_empty)


def _kind(value: Any) -> str:
    """What a YAML value is, in words, without its content."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a single text"
    return "a single value"


def _shown(value: Any) -> str:
    """An input as a message may show it: a short scalar, never a whole list or mapping."""
    if isinstance(value, (dict, list, tuple, set)):
        return _kind(value)
    return f"{type(value).__name__} {shorten(repr(value) if isinstance(value, str) else value)}"


def _shorten_input(message: str, value: Any) -> str:
    """A validator's message with the input it quotes cut short (a hostile value can be megabytes)."""
    if value is not None and not isinstance(value, (dict, list, tuple, set)) and len(str(value)) > 40:
        message = message.replace(str(value), shorten(value))
    return re.sub(r"'([^']{41,})'", lambda quoted: f"'{shorten(quoted[1])}'", message)


def _describe(error: dict) -> str:
    """A pydantic error as a sentence that says what to do; the input is shown short, if at all."""
    kind = error["type"]
    field_name = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "value")
    if kind == "missing":
        return f"required field '{field_name}' is missing; add it"
    if kind in ("value_error", "assertion_error"):
        return _shorten_input(str(error["ctx"]["error"]) if "ctx" in error else error["msg"], error.get("input"))
    if kind == "literal_error":
        return (f"'{shorten(error['input'])}' is not allowed for '{field_name}'; "
                f"{error['msg'][0].lower()}{error['msg'][1:]}")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"'{field_name}' is {shorten(error['input'])}: {error['msg'].lower()}"
    if kind == "too_short" and isinstance(error.get("input"), (list, str)):
        return f"'{field_name}' is empty or too short; {error['msg'].lower()}"
    received = _shown(error["input"]) if "input" in error else "nothing"
    return f"'{field_name}': {error['msg'].lower()} (got {received})"


def walk_models(model: BaseModel, key: PathKey = ()) -> Iterator[tuple[BaseModel, PathKey]]:
    """Every model in a validated tree, with its path in the YAML document (aliases included)."""
    yield model, key
    for name, info in model.__class__.model_fields.items():
        value = getattr(model, name)
        child = key + ((info.alias or name),)
        if isinstance(value, BaseModel):
            yield from walk_models(value, child)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from walk_models(item, child + (index,))


def model_at(model_class: type[BaseModel], path: PathKey) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` of a document of ``model_class``."""
    current: Any = model_class
    for part in path:
        current = _unwrapped(current)
        if isinstance(part, int):
            if get_origin(current) is not list:
                return None
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = next((info for name, info in current.model_fields.items() if part in (name, info.alias)), None)
            if info is None:
                return None
            current = info.annotation
        else:
            return None
    current = _unwrapped(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrapped(annotation: Any) -> Any:
    """``Model | None`` and ``Annotated[Model, ...]`` as ``Model``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            others = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(others) != 1:
                return annotation
            annotation = others[0]
        else:
            return annotation


def unknown_key_message(model_class: type[BaseModel] | None, name: str) -> str:
    """What to say about a key no model field has: the close known key, or every key allowed there."""
    if model_class is None:
        return f"unknown key '{shorten(name)}'; delete it"
    known = sorted(info.alias or field_name for field_name, info in model_class.model_fields.items())
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown key '{shorten(name)}'; did you mean '{close[0]}'?"
    return f"unknown key '{shorten(name)}'; the keys allowed here are: {', '.join(known)}"


def validate_data(model_class: type[M], data: Any, positions: Positions, problems: Problems) -> M | None:
    """Validate parsed YAML against a model; every error is reported at its line and column.

    An unknown key is an error at the key (a misspelt ``timpoint:`` would otherwise drop its
    figure from every document without a word); a model-wide rule raised as ``FieldError`` is
    reported at the field it names.
    """
    try:
        return model_class.model_validate(data)
    except ValidationError as errors:
        for error in errors.errors(include_url=False):
            location = tuple(error["loc"])
            if error["type"] == "extra_forbidden":
                name = str(location[-1])
                line, column = positions.of_key(location)
                message = unknown_key_message(model_at(model_class, location[:-1]), name)
                shown = location[:-1]
            else:
                cause = error.get("ctx", {}).get("error")
                if isinstance(cause, FieldError):
                    location += cause.path
                line, column = positions.of(location)
                message = _describe(error)
                # A missing field is reported at (and named after) the mapping that lacks it.
                shown = location[:-1] if error["type"] == "missing" else location
            where = ".".join(str(part) for part in shown)
            prefix = f"{where}: " if where else ""
            problems.error(positions.path, line, column, prefix + message)
        return None


def validate_model(model_class: type[M], path: Path, problems: Problems, limit: SizeLimit | None = None,
                   shape: str = "the file must be a mapping of keys to values",
                   allow_empty: bool = False,
                   screen: Callable[[Any], list[tuple[PathKey, str]]] | None = None) -> tuple[M, Positions] | None:
    """Read, parse and validate one YAML seed file.

    ``shape`` says what the top level must be: a file that holds something else (a list, a single
    text, nothing) is told so in words, before the model sees it, and without quoting it.
    ``screen`` finds what must be told before the model sees the data (an undecided draft's TODO):
    each (key, message) it returns is an error there, and the model is not tried.
    """
    loaded = load_yaml(path, problems, limit, keep_empty=True)
    if loaded is None:
        return None
    data, positions = loaded
    if data is None and allow_empty:
        data = {}
    if not isinstance(data, dict):
        holds = "this file is empty" if data is None else f"this file holds {_kind(data)}"
        problems.error(path, *positions.of(()), f"{shape}; {holds}")
        return None
    screened = screen(data) if screen else []
    for key, message in screened:
        problems.error(path, *positions.of(key), message)
    if screened:
        return None
    model = validate_data(model_class, data, positions, problems)
    return None if model is None else (model, positions)
