"""A bank file composed into YAML nodes: the reference reading, and the lines of problems."""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from bot.quiz.bank.data import STR_TAG, Data, Scalar

MAX_DEPTH = 64  # far beyond any bank; converting deeper nodes recursively would overflow


def nodes_to_data(root: yaml.MappingNode) -> tuple[dict[str, Data], dict[int, int]]:
    """The data of composed nodes, and each mapping's start line by id()."""
    lines: dict[int, int] = {}
    made: dict[int, Data] = {}

    def convert(node: yaml.Node) -> Data:
        if id(node) in made:
            return made[id(node)]
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Data] = {}
            made[id(node)] = mapping
            lines[id(mapping)] = line_of(node)
            for key, value in pairs(node):
                mapping[key] = convert(value)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence: list[Data] = []
            made[id(node)] = sequence
            sequence.extend(convert(item) for item in node.value)
            return sequence
        text = str(node.value)
        return text if node.tag == STR_TAG else Scalar(text, str(node.tag))

    data = convert(root)
    assert isinstance(data, dict)
    return data, lines


def too_deep(root: yaml.Node | None) -> yaml.Node | None:
    """The first node nested deeper than MAX_DEPTH (found without recursion), or None."""
    stack, seen = [(root, 0)], set()
    while stack:
        node, depth = stack.pop()
        if node is None or id(node) in seen or isinstance(node, yaml.ScalarNode):
            continue
        if depth > MAX_DEPTH:
            return node
        seen.add(id(node))
        for child in node.value:  # a sequence's items, or a mapping's (key, value) pairs
            for item in child if isinstance(child, tuple) else (child,):
                stack.append((item, depth + 1))
    return None


def line_of(node: yaml.Node) -> int:
    """The node's first line, counted from 1."""
    return node.start_mark.line + 1


def pairs(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node]]:
    """The mapping's keys (as written) and value nodes."""
    for key_node, value_node in node.value:
        yield str(key_node.value), value_node
