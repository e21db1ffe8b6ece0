"""The counts that `check-bank --stats` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.quiz.bank.model import Bank


@dataclass(frozen=True)
class BankSummary:
    """Counts that `check-bank` prints."""

    total: int
    ready: int
    drafts: int
    by_kind: dict[str, int]
    by_tag: dict[str, int]
    by_topic: dict[str, int]
    by_difficulty: dict[int, int]


def summarize(bank: Bank) -> BankSummary:
    """Count the ready questions by kind, tag, topic and difficulty; count the drafts."""
    ready = bank.ready()
    return BankSummary(
        total=len(bank),
        ready=len(ready),
        drafts=len(bank) - len(ready),
        by_kind=dict(Counter(q.kind.value for q in ready).most_common()),
        by_tag=dict(Counter(tag for q in ready for tag in q.tags).most_common()),
        by_topic=dict(Counter(q.topic for q in ready).most_common()),
        by_difficulty=dict(sorted(Counter(q.difficulty for q in ready).items())),
    )
