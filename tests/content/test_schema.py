"""The JSON Schemas of the seed files (`reports schema`): the shipped ones are the command's output,
every shipped seed file names its own on its first line and validates against it, and what the
schema refuses (an unknown phase, a missing key, a misspelt one, a malformed id or date) the
loader refuses too, while what the loader reads (a year alone, a DOI with its https://doi.org/)
the schema allows."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any, get_args

import pytest
from helpers.cli import reports
from jsonschema import Draft7Validator

from reports.content.model import Phase
from reports.content.schema import SCHEMA_FOLDER, SCHEMAS, json_schemas
from reports.content.sources import parse_yaml
from reports.errors import Problems
from reports.names import SCRIPTS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SHIPPED = SEEDS / SCHEMA_FOLDER
MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def schema_of(path: Path) -> str:
    """Which schema a seed file is described by: evidence, articles, glossary, project."""
    return "evidence" if path.parent.name == "evidence" else path.stem


SEED_FILES = [SEEDS / "articles.yaml", SEEDS / "glossary.yaml", SEEDS / "project.yaml",
              *sorted((SEEDS / "evidence").glob("*.yaml"))]


def as_an_editor_reads(value: Any) -> Any:
    """Parsed YAML as a YAML 1.2 editor has it: an unquoted date is text there, not a date."""
    if isinstance(value, dict):
        return {key: as_an_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_an_editor_reads(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def schema_errors(name: str, text: str) -> list[str]:
    parsed = parse_yaml(text, Path("seed.yaml"), Problems(ROOT))
    assert parsed is not None
    validator = Draft7Validator(json_schemas()[name])
    return [f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(as_an_editor_reads(parsed[0]))]


def test_the_shipped_schemas_are_what_reports_schema_writes(tmp_path: Path):
    """So that they cannot fall behind the models: `make regen` (or reports schema -o seeds/schemas) rewrites them."""
    result = reports("schema", "-o", str(tmp_path / "schemas"))
    assert result.returncode == 0, result.stderr
    names = [seed.file_name for seed in SCHEMAS]
    assert result.stdout.splitlines() == [f"wrote {tmp_path / 'schemas' / name}" for name in names]
    assert sorted(path.name for path in SHIPPED.iterdir()) == sorted(names)
    for name in names:
        assert (SHIPPED / name).read_bytes() == (tmp_path / "schemas" / name).read_bytes(), (
            f"seeds/schemas/{name} is out of date: run reports schema -o seeds/schemas (or make regen)")


def test_without_a_folder_it_prints_the_four_as_one_json_object():
    result = reports("schema")
    assert result.returncode == 0 and result.stderr == ""
    printed = json.loads(result.stdout)
    assert list(printed) == ["evidence", "articles", "glossary", "project"]
    for seed in SCHEMAS:
        assert printed[seed.name] == json.loads((SHIPPED / seed.file_name).read_text(encoding="utf-8"))


def test_each_schema_is_draft_07_with_a_title_a_description_and_every_fields_description():
    for name, schema in json_schemas().items():
        Draft7Validator.check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert schema["title"] and schema["description"], name
        # draft-07 ignores every keyword beside a $ref: none stands there
        refs = re.findall(r'\{"\$ref": "[^"]+"([^}]*)\}', json.dumps(schema))
        assert refs and not any(rest for rest in refs), name
    article = json_schemas()["articles"]["definitions"]["ArticleEntry"]["properties"]
    assert article["outlet"]["description"] == "the outlet that published this text (site, account, journal)"


def test_a_literal_is_an_enum_so_that_an_editor_offers_its_values():
    evidence = json_schemas()["evidence"]["definitions"]
    assert evidence["Study"]["properties"]["phase"]["enum"] == list(get_args(Phase))
    assert evidence["Design"]["properties"]["allocation"]["enum"] == ["randomized", "non-randomized", "na",
                                                                      "not-reported"]
    script = json_schemas()["articles"]["definitions"]["ArticleEntry"]["properties"]["script"]["anyOf"]
    assert {"enum": list(SCRIPTS), "type": "string"} in script


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_shipped_seed_file_names_its_schema_on_its_first_line_and_validates_against_it(path: Path):
    text = path.read_text(encoding="utf-8")
    modeline = MODELINE.match(text)
    assert modeline, f"{path.name}: the first line is not # yaml-language-server: $schema=..."
    named = (path.parent / modeline.group(1)).resolve()
    assert named == (SHIPPED / f"{schema_of(path)}.schema.json").resolve()
    assert schema_errors(schema_of(path), text) == []


def test_figures_are_numbers_and_dates_are_text_or_a_year_as_the_loader_reads_them():
    evidence = json_schemas()["evidence"]["definitions"]
    number, text, none = evidence["Measurement"]["properties"]["value"]["anyOf"]
    assert number == {"type": "number"} and none == {"type": "null"}  # a YAML number, read as a Decimal
    assert re.fullmatch(text["pattern"], "9.60") and not re.search(text["pattern"], "about 9")  # or a text that is one
    published = evidence["Source"]["properties"]["published"]["anyOf"][0]
    assert [arm["type"] for arm in published["anyOf"]] == ["string", "integer"]


def copy_of_seeds(tmp_path: Path, relative: str, old: str, new: str) -> tuple[Path, str]:
    project = tmp_path / "project"
    shutil.copytree(SEEDS, project / "seeds")
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return project, text


# Each: the seed file, a change, the schema's complaint (its path: part of its message) and the loader's.
REFUSED = {
    "unknown-phase": ("seeds/evidence/car-m.yaml", "    phase: phase-1\n", "    phase: phase-9\n",
                      "studies.0.phase: 'phase-9' is not one of", "studies.0.phase: 'phase-9' is not allowed for 'phase'"),
    "unknown-script": ("seeds/articles.yaml", "    script: zh-Hant\n", "    script: zh-TW\n",
                       "articles.2.script: 'zh-TW' is not valid", "articles.2.script: 'zh-TW' is not allowed for 'script'"),
    "missing-outlet": ("seeds/articles.yaml", "    outlet: 科学网·小柯机器人\n", "",
                       "articles.3: 'outlet' is a required property", "articles.3: required field 'outlet' is missing"),
    "misspelt-key": ("seeds/evidence/car-nk.yaml", "    phase: not-reported\n", "    phase: not-reported\n    phaze: x\n",
                     "studies.0: Additional properties are not allowed ('phaze' was unexpected)",
                     "studies.0: unknown key 'phaze'; did you mean 'phase'?"),
    "misspelt-setting": ("seeds/project.yaml", "timezone: Asia/Shanghai", "time_zone: Asia/Shanghai",
                         "Additional properties are not allowed ('time_zone' was unexpected)",
                         "unknown key 'time_zone'; did you mean 'timezone'?"),
    "glossary-entry-without-zh": ("seeds/glossary.yaml", "{abbr: CI, zh: 置信区间, en: confidence interval}",
                                  "{abbr: CI, en: confidence interval}",
                                  "abbreviations.3: 'zh' is a required property",
                                  "abbreviations.3: required field 'zh' is missing"),
    "id-with-capitals": ("seeds/evidence/car-m.yaml", "  id: car-m\n", "  id: CAR-M\n",
                         "class.id: 'CAR-M' does not match", "class.id: 'CAR-M' is not a valid id"),
    "malformed-registry-id": ("seeds/evidence/car-m.yaml", "registry_ids: [NCT04660929]", "registry_ids: [NCT0466092]",
                              "studies.0.registry_ids.0: 'NCT0466092' does not match", "'NCT0466092' is not a registry id"),
    "date-with-slashes": ("seeds/articles.yaml", "    published: 2025-11-16\n", "    published: 2025/11/16\n",
                          "articles.3.published: '2025/11/16' is not valid", "'2025/11/16' is not an ISO date"),
    "a-figure-in-words": ("seeds/evidence/car-nk.yaml", "        value: 94\n", "        value: 九十四\n",
                          "studies.0.baseline.0.value: '九十四' is not valid",
                          "studies.0.baseline.0.value: 'value': input should be a valid decimal"),
    "web-address-without-scheme": ("seeds/articles.yaml", "    url: http://news.bioon.com/article/7f4886284e59.html\n",
                                   "    url: news.bioon.com/article/7f4886284e59.html\n",
                                   "articles.0.url: 'news.bioon.com/article/7f4886284e59.html' is not valid",
                                   "is not a web address"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_schema_refuses_the_loader_refuses(tmp_path: Path, case: str):
    relative, old, new, by_schema, by_loader = REFUSED[case]
    project, text = copy_of_seeds(tmp_path, relative, old, new)
    errors = schema_errors(schema_of(project / relative), text)
    assert any(by_schema in error for error in errors), errors
    result = reports("--project", str(project), "check")
    assert result.returncode == 1
    assert any(line.startswith(relative) and by_loader in line for line in result.stderr.splitlines()), result.stderr


ACCEPTED = {
    "a-year-alone": ("seeds/articles.yaml", "    published: 2025-11-16\n", "    published: 2025\n"),
    "a-month": ("seeds/articles.yaml", "    published: 2025-11-16\n", '    published: "2025-11"\n'),
    "a-doi-as-a-link": ("seeds/evidence/car-nk.yaml", "doi: 10.1016/S0140-6736(25)01671-X",
                        "doi: https://doi.org/10.1016/S0140-6736(25)01671-X"),
    "a-figure-in-quotes": ("seeds/evidence/car-nk.yaml", "        value: 94\n", '        value: "94"\n'),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_what_the_loader_reads_the_schema_allows(tmp_path: Path, case: str):
    relative, old, new = ACCEPTED[case]
    project, text = copy_of_seeds(tmp_path, relative, old, new)
    assert schema_errors(schema_of(project / relative), text) == []
    result = reports("--project", str(project), "check")
    assert result.returncode == 0, result.stderr
