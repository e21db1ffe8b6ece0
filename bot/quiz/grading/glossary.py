"""The shared glossary: groups of synonymous ML terms (zh and en), Chinese wording variants, and
opposite partners (Pre-LN/Post-LN, 过大/过小), and confusable neighbouring concepts (PTQ/QAT)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")


@dataclass(frozen=True)
class Glossary:
    """Synonym groups, the Chinese wordings folded to one spelling before matching, and pairs of
    opposite partners (each side a tuple of spellings)."""

    groups: tuple[tuple[str, ...], ...]
    variants: tuple[tuple[str, str], ...]
    opposites: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    # Neighbouring concepts a reply may mix up: a key point about one is not covered by what the
    # reply says only of the other (see subjects.py).
    confusable: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()


def parse(data: object) -> Glossary:
    """A glossary from its YAML data; ValueError when the shape is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the glossary is a mapping with `groups` and `cjk_variants`")
    groups = data.get("groups") or []
    variants = data.get("cjk_variants") or {}
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and len(g) >= 2 and all(isinstance(t, str) and t.strip() for t in g)
        for g in groups
    ):
        raise ValueError("`groups` is a list of lists of at least two spellings")
    if not isinstance(variants, dict):
        raise ValueError("`cjk_variants` maps a wording to the wordings folded into it")
    pairs: list[tuple[str, str]] = []
    for target, sources in variants.items():
        if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
            raise ValueError(f"cjk_variants: {target!r} needs a list of wordings")
        pairs += [(source, str(target or "")) for source in sources]
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    return Glossary(
        tuple(tuple(t.strip() for t in g) for g in groups),
        tuple(pairs),
        _opposites(data.get("opposites") or [], "opposites"),
        _opposites(data.get("confusable") or [], "confusable"),
    )


def _side(side: object) -> tuple[str, ...]:
    spellings = [side] if isinstance(side, str) else side
    if not isinstance(spellings, list) or not all(
        isinstance(s, str) and s.strip() for s in spellings
    ):
        raise ValueError("each side of an opposite pair is a spelling or a list of spellings")
    return tuple(s.strip() for s in spellings)


def _opposites(data: object, section: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    if not isinstance(data, list) or not all(isinstance(p, list) and len(p) == 2 for p in data):
        raise ValueError(f"`{section}` is a list of pairs [one side, the other side]")
    return tuple((_side(first), _side(second)) for first, second in data)


@cache
def load(path: Path = GLOSSARY_PATH) -> Glossary:
    """The glossary shipped with the grader (read once)."""
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))
