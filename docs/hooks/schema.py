"""MkDocs hook: two markers in a page become generated Markdown, so that these parts cannot rot.

``<!-- schema: EvidenceTable -->`` (on a line of its own) becomes a table of the model's fields:
the YAML key, its type, whether it is required or its default, and its description (the
``Field(description=...)``, else the first sentence of the nested model's docstring, else empty:
nothing is made up here). Every nested model follows as a section of its own, once per page, with
the YAML paths it is found at. The models are the ones the seed files are validated with, imported
from the ``reports`` package of this checkout.

``<!-- include: contrib/systemd/reports-weekly.service -->`` becomes the file, in a code block.

An unknown model or a missing file stops the build (``mkdocs build --strict`` in tests/test_docs.py).
Registered in mkdocs.yml under ``hooks:``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
import sys
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, Union, get_args, get_origin

from mkdocs.exceptions import PluginError

# The repository: documented from this checkout's package, never from another one installed.
ROOT = Path(__file__).resolve().parents[2]

SCHEMA = re.compile(r"^<!-- schema: (\w+) -->[ \t]*$", re.M)
INCLUDE = re.compile(r"^<!-- include: (\S+) -->[ \t]*$", re.M)
LANGUAGES = {".service": "ini", ".timer": "ini", ".ini": "ini", ".yaml": "yaml", ".yml": "yaml",
             ".sh": "sh", ".toml": "toml", ".py": "python"}
# How the value types of the model modules read in the table (by the alias's name in reports).
NAMED_TYPES = {
    "Id": "id (lower-case letters, digits, -; at most 64)",
    "RegistryId": "registry id (NCT…, ChiCTR…, EU CT number)",
    "Doi": "DOI (10.xxxx/…)",
    "IsoDate": "date (YYYY-MM-DD, YYYY-MM or YYYY)",
    "Day": "day (YYYY-MM-DD)",
    "TimeZoneName": "IANA time zone",
    "Crontab": "crontab line",
    "BrokerUrl": "Redis URL (redis://HOST:PORT/N)",
}
PLAIN_TYPES = {str: "text", int: "integer", bool: "true or false", float: "number", Decimal: "number",
               dt.date: "day (YYYY-MM-DD)"}


def import_first(*names: str) -> types.ModuleType:
    """The first of these modules that exists in this checkout. (An editable install of another
    checkout may still offer it: documenting that one would describe other code.)"""
    # Here, not when the hook is loaded: MkDocs restores sys.path after loading a hook.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if ROOT in Path(module.__file__).resolve().parents:
            return module
    raise PluginError(f"none of {', '.join(names)} is in {ROOT}")


def model_modules() -> list[types.ModuleType]:
    """The modules that hold the seed files' models: after the move to subpackages, or before it."""
    return [import_first("reports.content.model", "reports.model"),
            import_first("reports.content.settings", "reports.settings")]


def find_model(name: str, modules: list[types.ModuleType]) -> type:
    from pydantic import BaseModel

    for module in modules:
        found = getattr(module, name, None)
        if inspect.isclass(found) and issubclass(found, BaseModel):
            return found
    searched = ", ".join(module.__name__ for module in modules)
    raise PluginError(f"<!-- schema: {name} -->: no pydantic model {name} in {searched}")


def aliases_by_validator(modules: list[types.ModuleType]) -> dict[object, str]:
    """The named value types (``Id = Annotated[str, AfterValidator(_check_id)]``), by their validator:
    pydantic strips the alias and keeps only the validator in a field's metadata."""
    names = {}
    for module in modules:
        for name, value in vars(module).items():
            if get_origin(value) is Annotated:
                for extra in get_args(value)[1:]:
                    func = getattr(extra, "func", None)
                    if func is not None:
                        names.setdefault(func, name)
    return names


def flat_metadata(metadata: typing.Iterable[object]) -> list[object]:
    """Constraints, with those of a ``Field(ge=1)`` inside an ``Annotated`` alias taken out of it."""
    flat = []
    for item in metadata:
        inner = getattr(item, "metadata", None)
        if isinstance(inner, list):
            flat.extend(inner)
        else:
            flat.append(item)
    return flat


def constraints(base: object, metadata: list[object]) -> list[str]:
    said = []
    for item in metadata:
        kind = type(item).__name__
        if kind in ("Ge", "Gt", "Le", "Lt"):
            sign = {"Ge": "≥", "Gt": ">", "Le": "≤", "Lt": "<"}[kind]
            said.append(f"{sign} {getattr(item, kind.lower())}")
        elif kind in ("MinLen", "MaxLen"):
            count = item.min_length if kind == "MinLen" else item.max_length
            unit = ("character" if base is str else "item") + ("" if count == 1 else "s")
            said.append(f"{'at least' if kind == 'MinLen' else 'at most'} {count} {unit}")
    return said


def type_text(annotation: object, metadata: list[object], aliases: dict[object, str], nested: list[type]) -> str:
    """A field's type in words; models it refers to are appended to ``nested`` and linked."""
    from pydantic import BaseModel

    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return type_text(base, [*extra, *metadata], aliases, nested)
    if origin in (Union, types.UnionType):
        arms = [arm for arm in get_args(annotation) if arm is not type(None)]
        if len(arms) == 1:
            return type_text(arms[0], metadata, aliases, nested)
        return " or ".join(type_text(arm, [], aliases, nested) for arm in arms)
    if origin is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation)
        text = "list of " + type_text(item, [], aliases, nested)
        limits = constraints(list, flat_metadata(metadata))
        return text + (f" ({', '.join(limits)})" if limits else "")
    if origin is dict:
        key, value = get_args(annotation)
        return f"mapping of {type_text(key, [], aliases, nested)} to {type_text(value, [], aliases, nested)}"
    metadata = flat_metadata(metadata)
    for item in metadata:  # a named type first: IsoDate is read from a string into a PartialDate model
        name = aliases.get(getattr(item, "func", None))
        if name:
            return NAMED_TYPES.get(name, f"`{name}`")
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        nested.append(annotation)
        return f"[{annotation.__name__}](#{anchor(annotation)})"
    text = PLAIN_TYPES.get(annotation, getattr(annotation, "__name__", str(annotation)))
    limits = constraints(annotation, metadata)
    return text + (f", {', '.join(limits)}" if limits else "")


def default_text(field: object) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
    else:
        value = field.default
    if value is None:
        return "optional"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, tuple)):
        if not value:
            return "`[]`"
        shown = ", ".join(str(item) for item in value[:8])
        return shown + (f", … ({len(value)} in all)" if len(value) > 8 else "")
    if isinstance(value, dict):
        return "`{}`" if not value else ", ".join(f"{key}: {item}" for key, item in value.items())
    return f"`{value}`"


def first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text, maxsplit=1)[0]


def docstring(model: type) -> str:
    """The model's own docstring (never its base class's), as one Markdown paragraph per paragraph."""
    own = model.__dict__.get("__doc__")
    if not own:
        return ""
    paragraphs = inspect.cleandoc(own).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs).replace("``", "`")


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def anchor(model: type) -> str:
    return "schema-" + model.__name__.lower()


def field_rows(model: type, aliases: dict[object, str], nested: list[type]) -> list[str]:
    rows = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        found: list[type] = []
        kind = type_text(field.annotation, list(field.metadata), aliases, found)
        nested.extend(found)
        description = field.description or ""
        if not description and len(found) == 1:
            description = first_sentence(docstring(found[0])).replace("`", "")
        rows.append(f"| `{field.alias or name}` | {cell(kind)} | {cell(default_text(field))} | {cell(description)} |")
    return rows


def paths_of(top: type, aliases: dict[object, str]) -> dict[type, list[str]]:
    """Every model under ``top``, in the order first met (breadth first), with every YAML path it is at."""
    paths: dict[type, list[str]] = {}
    queue: list[tuple[type, str, tuple[type, ...]]] = [(top, "", (top,))]
    while queue:
        model, prefix, ancestors = queue.pop(0)
        for name, field in model.model_fields.items():
            found: list[type] = []
            type_text(field.annotation, list(field.metadata), aliases, found)
            listed = get_origin(field.annotation) is list or any(
                get_origin(arm) is list for arm in get_args(field.annotation))
            path = prefix + (field.alias or name) + ("[]" if listed else "")
            for child in found:
                paths.setdefault(child, [])
                if path not in paths[child]:
                    paths[child].append(path)
                if child not in ancestors:
                    queue.append((child, path + ".", (*ancestors, child)))
    return paths


def schema_markdown(top: type, aliases: dict[object, str], seen: set[type]) -> str:
    """The top model's docstring and table, then a section per nested model not yet on the page."""
    parts = [docstring(top), "\n".join(field_rows(top, aliases, []))]
    for model, paths in paths_of(top, aliases).items():
        if model in seen:
            continue
        seen.add(model)
        at = ", ".join(f"`{path}`" for path in paths)
        section = [f"### {model.__name__} {{#{anchor(model)}}}", f"At {at}.", docstring(model),
                   "\n".join(field_rows(model, aliases, []))]
        parts.append("\n\n".join(part for part in section if part))
    return "\n\n".join(part for part in parts if part)


def include_markdown(relative: str) -> str:
    path = (ROOT / relative).resolve()
    if ROOT not in path.parents or not path.is_file():
        raise PluginError(f"<!-- include: {relative} -->: no such file in the repository")
    text = path.read_text(encoding="utf-8")
    language = LANGUAGES.get(path.suffix, "text")
    return f"`{relative}`:\n\n```{language}\n{text.rstrip()}\n```"


def expand(markdown: str) -> str:
    """The page with its markers replaced (the hook's work, callable without MkDocs for the tests)."""
    if INCLUDE.search(markdown):
        markdown = INCLUDE.sub(lambda match: include_markdown(match.group(1)), markdown)
    if SCHEMA.search(markdown):
        modules = model_modules()
        aliases = aliases_by_validator(modules)
        seen: set[type] = set()
        markdown = SCHEMA.sub(lambda match: schema_markdown(find_model(match.group(1), modules), aliases, seen),
                              markdown)
    return markdown


def on_page_markdown(markdown: str, page: object, **kwargs: object) -> str:
    try:
        return expand(markdown)
    except PluginError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
