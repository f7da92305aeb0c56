"""Seed YAML read by libyaml for speed, with PyYAML's places and PyYAML's words when a file is broken."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reports.content import sources
from reports.content.sources import FastSeedLoader, RefusedYAML, SeedLoader, compose

ROOT = Path(__file__).resolve().parents[2]
SEED_YAML = sorted((ROOT / "seeds").rglob("*.yaml"))

pytestmark = pytest.mark.skipif(FastSeedLoader is None, reason="PyYAML built without libyaml")


def nodes(node: yaml.Node) -> list[tuple]:
    """Every node with its kind, tag, value and where it starts and ends, in document order."""
    found = [(type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
              node.end_mark.line, node.end_mark.column, node.value if isinstance(node.value, str) else None)]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found += nodes(key) + nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found += nodes(item)
    return found


def read_with(loader_class, text: str) -> yaml.Node:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@pytest.mark.parametrize("path", SEED_YAML, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_libyaml_reads_every_shipped_seed_to_the_same_nodes_at_the_same_places(path: Path):
    text = path.read_text(encoding="utf-8")
    assert nodes(read_with(FastSeedLoader, text)) == nodes(read_with(SeedLoader, text))


@pytest.mark.parametrize("text", [
    "a: [1, 2\nb: 3\n",  # an unclosed bracket
    "a:\n\tb: 1\n",  # a tab where indentation is
    "title: '未闭合的引号\n",  # an unclosed quotation
    "- 一\n名称: 二\n",  # a list, then a mapping at the same level
])
def test_a_broken_file_gets_pyyamls_own_words_which_name_what_was_found(text: str):
    with pytest.raises(yaml.YAMLError) as pure:
        read_with(SeedLoader, text)
    with pytest.raises(yaml.YAMLError) as fast:
        read_with(FastSeedLoader, text)
    assert str(fast.value) != str(pure.value)  # libyaml says less ...
    with pytest.raises(yaml.YAMLError) as composed:
        compose(text)
    assert str(composed.value) == str(pure.value)  # ... so the file is read again, and PyYAML's message is the one shown


@pytest.mark.parametrize("text, message", [
    ("a: &x 1\nb: *x\n", sources.ANCHORS_REFUSED),
    ("a: " + "[" * 60 + "]" * 60 + "\n", f"nested more than {sources.MAX_DEPTH} levels deep"),
])
def test_anchors_and_depth_are_refused_by_the_fast_reader_at_the_same_place(text: str, message: str):
    places = []
    for loader_class in (FastSeedLoader, SeedLoader):
        with pytest.raises(RefusedYAML) as refused:
            read_with(loader_class, text)
        assert refused.value.message.startswith(message)
        places.append((refused.value.mark.line, refused.value.mark.column))
    assert places[0] == places[1]
