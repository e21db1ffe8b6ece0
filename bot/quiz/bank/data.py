"""A bank file's content as plain data, and its scalars' values as SafeLoader builds them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias

import yaml

# libyaml when PyYAML was built with it: the same events, nodes and marks, many times faster.
PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCALARS = yaml.SafeLoader("")
STR_TAG = "tag:yaml.org,2002:str"


class Scalar(NamedTuple):
    """A scalar that SafeLoader does not load as a string: its text as written and its tag."""

    text: str
    tag: str


# A file's content as plain data: a string is a scalar that SafeLoader loads as that string;
# int, float and bool are numbers and booleans as fast_read.py hands them over.
Data: TypeAlias = "str | int | float | Scalar | list[Data] | dict[str, Data]"
# A place in a file's data: the keys and indexes that lead to it from the top.
Where: TypeAlias = tuple[str | int, ...]


NULL = Scalar("", "tag:yaml.org,2002:null")  # an empty value, where None means an absent field


class Unsupported(Exception):
    """The file uses YAML that only the composer handles: tags, anchors, complex keys, ..."""


@lru_cache(maxsize=4096)
def plain_scalar(text: str) -> str | Scalar:
    """A plain (unquoted) scalar as SafeLoader resolves it: a string or a `Scalar`."""
    tag = SCALARS.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return text if tag == STR_TAG else Scalar(text, tag)


@lru_cache(maxsize=4096)
def _construct(tag: str, text: str) -> Any:
    """The value SafeLoader builds for a scalar with this tag and text."""
    build = SCALARS.yaml_constructors.get(tag, yaml.SafeLoader.construct_scalar)
    return build(SCALARS, yaml.ScalarNode(tag, text))


def value_of(item: Data | None) -> Any:
    """A scalar's value as SafeLoader builds it; None for a list or a mapping."""
    if isinstance(item, str):
        return item
    if isinstance(item, Scalar):
        return _construct(item.tag, item.text)
    if isinstance(item, list | dict):
        return None
    return item


def written(item: Data) -> str | None:
    """A scalar's text as written in the file; None for a list, a mapping or a number."""
    if isinstance(item, str):
        return item
    if isinstance(item, Scalar):
        return item.text
    return None
