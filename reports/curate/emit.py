"""Write a drafted row as YAML a curator reads and edits: the schema's order, comments kept.

PyYAML writes no comments, and the comments are the point here (what each undecided ``TODO`` may
be, where a value came from), so the block structure is written by hand; every scalar still goes
through PyYAML's own emitter, so quoting is PyYAML's and the text reads back as the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

INDENT = "  "


@dataclass
class Todo:
    """A value the draft could not decide: written as TODO, with the candidates in comments above."""

    hint: str
    candidates: list[str] = field(default_factory=list)


@dataclass
class Noted:
    """A value with a comment after it (where it came from, what to check)."""

    value: Any
    note: str


def scalar(value: Any) -> str:
    """One value as a YAML scalar, quoted where YAML needs it (PyYAML decides)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    text = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def todo_lines(todo: Todo, indent: str) -> list[str]:
    lines = [f"{indent}# TODO: {todo.hint}"]
    if todo.candidates:
        lines.append(f"{indent}# candidates from the article:")
        lines += [f"{indent}#   {candidate}" for candidate in todo.candidates]
    return lines


def mapping_lines(mapping: dict[str, Any], indent: str) -> list[str]:
    lines: list[str] = []
    for key, value in mapping.items():
        lines += entry_lines(key, value, indent)
    return lines


def entry_lines(key: str, value: Any, indent: str) -> list[str]:
    note = ""
    if isinstance(value, Noted):
        value, note = value.value, f"  # {value.note}"
    if isinstance(value, Todo):
        return todo_lines(value, indent) + [f"{indent}{key}: TODO"]
    if isinstance(value, dict):
        if all(not isinstance(v, (dict, list, Todo, Noted)) for v in value.values()) and len(value) <= 3 \
                and key in ("grading", "iqr", "ci"):
            inner = ", ".join(f"{k}: {scalar(v)}" for k, v in value.items())
            return [f"{indent}{key}: {{{inner}}}{note}"]
        return [f"{indent}{key}:{note}"] + mapping_lines(value, indent + INDENT)
    if isinstance(value, list):
        if not value:
            return [f"{indent}{key}: []{note}"]
        if all(not isinstance(v, (dict, list, Todo, Noted)) for v in value):
            return [f"{indent}{key}: {flow_list(value)}{note}"]
        lines = [f"{indent}{key}:{note}"]
        for item in value:
            lines += item_lines(item, indent + INDENT)
        return lines
    if key == "text" and isinstance(value, str):
        return [f"{indent}{key}: >-", f"{indent}{INDENT}{value}"] if _folds_safely(value) else \
            [f"{indent}{key}: {scalar(value)}"]
    return [f"{indent}{key}: {scalar(value)}{note}"]


def _folds_safely(text: str) -> bool:
    """A one-line folded block reads back as the same text unless it starts with a space or a '#'."""
    return text == text.strip() and "\n" not in text and not text.startswith("#")


def item_lines(item: Any, indent: str) -> list[str]:
    if isinstance(item, dict):
        lines = mapping_lines(item, indent + INDENT)
        first = next(index for index, line in enumerate(lines) if not line.lstrip().startswith("#"))
        lines[first] = f"{indent}- " + lines[first][len(indent) + len(INDENT):]
        return lines
    return [f"{indent}- {scalar(item)}"]


def row_yaml(row: dict[str, Any], header: list[str] | None = None, indent: str = INDENT) -> str:
    """The row as an item of a table's ``studies:`` list, at the shipped tables' indentation."""
    lines = [f"{indent}# {line}" if line else "" for line in header or []]
    lines += item_lines(row, indent)
    return "\n".join(lines) + "\n"
