"""Reading source files (UTF-8 text and YAML) while keeping line and column numbers.

PyYAML's composer gives every node a start mark; ``load_yaml`` turns the node tree into plain
Python data and a ``Positions`` map from each value's path (``("studies", 0, "phase")``) to
where it stands in the file, so that validation errors can point at the exact line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from reports.errors import Problems

PathKey = tuple[str | int, ...]
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
        """Position of the mapping key itself (for 'unknown key' messages)."""
        return self.keys.get(tuple(key)) or self.of(key)


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


def read_text(path: Path, problems: Problems) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.error(path, 0, 0, f"cannot read the file: {error.strerror}")
        return None
    return decode_utf8(raw, path, problems)


def parse_yaml(
    text: str, path: Path, problems: Problems, first_line: int = 1
) -> tuple[Any, Positions] | None:
    """Parse YAML text; syntax errors and duplicate keys are reported, not raised.

    ``first_line`` is the file line where ``text`` starts (front matter starts after ``---``).
    """
    positions = Positions(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
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
        return {}, positions
    constructor = yaml.SafeLoader("")  # only used for its scalar constructors

    def at(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + first_line, node.start_mark.column + 1

    def build(node: yaml.Node, key: PathKey) -> Any:
        positions.values[key] = at(node)
        if isinstance(node, yaml.MappingNode):
            constructor.flatten_mapping(node)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                name = constructor.construct_object(key_node, deep=True)
                if not isinstance(name, str):
                    name = str(name)
                if name in result:
                    line, column = at(key_node)
                    first = positions.keys[key + (name,)]
                    problems.error(
                        path, line, column,
                        f"duplicate key '{name}' (first given on line {first[0]}); keep one of them",
                    )
                    continue
                positions.keys[key + (name,)] = at(key_node)
                result[name] = build(value_node, key + (name,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, key + (index,)) for index, item in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:float" and re.fullmatch(r"[-+]?\d+\.\d*(?:[eE][-+]?\d+)?", node.value):
            return Decimal(node.value)  # keeps the figure as written: 9.60 stays 9.60, not 9.6
        try:
            return constructor.construct_object(node, deep=True)
        except ValueError:
            # PyYAML reads 2026-21-11 as a timestamp and fails; keep the text, which validation
            # then reports at its place with what a date should look like.
            return node.value

    return build(node, ()), positions


def load_yaml(path: Path, problems: Problems) -> tuple[Any, Positions] | None:
    text = read_text(path, problems)
    if text is None:
        return None
    return parse_yaml(text, path, problems)


def _describe(error: dict) -> str:
    """A pydantic error as a sentence that says what to do."""
    kind = error["type"]
    field_name = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "value")
    if kind == "missing":
        return f"required field '{field_name}' is missing; add it"
    if kind in ("value_error", "assertion_error"):
        return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    if kind == "literal_error":
        return f"'{error['input']}' is not allowed for '{field_name}'; {error['msg'][0].lower()}{error['msg'][1:]}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"'{field_name}' is {error['input']}: {error['msg'].lower()}"
    if kind == "too_short" and isinstance(error.get("input"), (list, str)):
        return f"'{field_name}' is empty or too short; {error['msg'].lower()}"
    received = type(error["input"]).__name__ if "input" in error else "nothing"
    return f"'{field_name}': {error['msg'].lower()} (got {received} {error.get('input')!r})"


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


def _warn_unknown_keys(model: BaseModel, positions: Positions, problems: Problems) -> None:
    for part, key in walk_models(model):
        known = ", ".join(sorted(info.alias or name for name, info in part.__class__.model_fields.items()))
        for name in part.model_extra or {}:
            problems.warn(positions.path, *positions.of_key(key + (name,)),
                          f"unknown key '{name}' is ignored; known keys here: {known}")


def validate_data(model_class: type[M], data: Any, positions: Positions, problems: Problems) -> M | None:
    """Validate parsed YAML against a model; every error is reported at its line and column."""
    try:
        model = model_class.model_validate(data)
    except ValidationError as errors:
        for error in errors.errors(include_url=False):
            location = tuple(error["loc"])
            line, column = positions.of(location)
            # A missing field is reported at (and named after) the mapping that lacks it.
            shown = location[:-1] if error["type"] == "missing" else location
            where = ".".join(str(part) for part in shown)
            prefix = f"{where}: " if where else ""
            problems.error(positions.path, line, column, prefix + _describe(error))
        return None
    _warn_unknown_keys(model, positions, problems)
    return model


def validate_model(model_class: type[M], path: Path, problems: Problems) -> tuple[M, Positions] | None:
    loaded = load_yaml(path, problems)
    if loaded is None:
        return None
    data, positions = loaded
    model = validate_data(model_class, data, positions, problems)
    return None if model is None else (model, positions)
