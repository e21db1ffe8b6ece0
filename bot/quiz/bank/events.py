"""A bank file read into plain data straight from libyaml's events, without composing nodes.

Several times faster than composing; anything unusual (tags, anchors, complex keys, several
documents) raises Unsupported and is left to the composer (nodes.py).
"""

from __future__ import annotations

from typing import cast

import yaml

from bot.quiz.bank.data import PARSER, SCALARS, Data, Unsupported, plain_scalar, written

# The first characters ("" for an empty scalar) of the plain scalars that an implicit
# resolver may turn into something else than a string: `3`, `yes`, `~`.
_RESOLVED_STARTS = frozenset(SCALARS.yaml_implicit_resolvers)
_STR_TYPE = frozenset({str})


def read_events(text: str) -> tuple[dict[str, Data], dict[int, int]]:
    """The file's data built from the parser's events, and each mapping's start line by id()."""
    parser = PARSER(text)
    try:
        next_event = parser.get_event
        lines: dict[int, int] = {}
        # Items of the open collections, innermost last; a mapping's are keys and values in turn.
        items: list[Data] = []
        stack: list[tuple[list[Data], int]] = []
        next_event()
        if type(next_event()) is not yaml.DocumentStartEvent:
            raise Unsupported
        scalar, resolved_starts = yaml.ScalarEvent, _RESOLVED_STARTS
        mapping_start, mapping_end = yaml.MappingStartEvent, yaml.MappingEndEvent
        sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
        while True:
            event = next_event()
            kind = type(event)
            if kind is scalar:
                if event.tag is not None or event.anchor is not None:
                    raise Unsupported
                text = event.value
                if event.implicit[0] and text[:1] in resolved_starts:
                    items.append(plain_scalar(text))
                else:
                    items.append(text)
            elif kind is mapping_end:
                keys = items[0::2]
                if not set(map(type, keys)) <= _STR_TYPE:
                    keys = [_key(key) for key in keys]
                mapping = dict(zip(cast(list[str], keys), items[1::2], strict=True))
                items, line = stack.pop()
                lines[id(mapping)] = line
                items.append(mapping)
            elif kind is sequence_end:
                sequence = items
                items, _ = stack.pop()
                items.append(sequence)
            elif kind is mapping_start or kind is sequence_start:
                if event.tag is not None or event.anchor is not None:
                    raise Unsupported
                stack.append((items, event.start_mark.line + 1))
                items = []
            elif kind is yaml.DocumentEndEvent:
                break
            else:
                raise Unsupported
        if type(next_event()) is not yaml.StreamEndEvent or not isinstance(items[0], dict):
            raise Unsupported
        return items[0], lines
    finally:
        parser.dispose()


def _key(item: Data) -> str:
    """A mapping key as the node walk names it: the scalar's text as written."""
    text = written(item)
    if text is None:
        raise Unsupported
    return text
