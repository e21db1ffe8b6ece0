"""Pick the next question for a chat: no repeats within a cycle, topic and difficulty filters."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.quiz.model import Question


@dataclass(frozen=True)
class Pick:
    """The chosen question, and whether it starts a new cycle through the filtered bank."""

    question: Question
    new_cycle: bool


def eligible(
    questions: Sequence[Question],
    topics: Collection[str] = (),
    difficulties: Collection[int] = (),
) -> list[Question]:
    """Ready questions having one of the topics (any, if none) and one of the difficulties."""
    return [
        q
        for q in questions
        if q.is_ready
        and (not topics or q.topic in topics or any(tag in topics for tag in q.tags))
        and (not difficulties or q.difficulty in difficulties)
    ]


class _Pools:
    """The sorted pools of the latest bank (its questions tuple), by filter: the broadcast picks
    for thousands of chats with a handful of filters, and the bank does not change under it."""

    def __init__(self) -> None:
        self.questions: tuple[Question, ...] = ()
        self.pools: dict[tuple[frozenset[str], frozenset[int]], tuple[Question, ...]] = {}

    def get(
        self, questions: Sequence[Question], topics: Collection[str], difficulties: Collection[int]
    ) -> tuple[Question, ...]:
        """The filtered pool (every ready question when the filters match nothing), by id."""
        if not isinstance(questions, tuple):  # a list may change between calls: no memo
            return _sorted_pool(questions, topics, difficulties)
        if questions is not self.questions:
            self.questions, self.pools = questions, {}
        key = (frozenset(topics), frozenset(difficulties))
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = _sorted_pool(questions, topics, difficulties)
        return pool


def _sorted_pool(
    questions: Sequence[Question], topics: Collection[str], difficulties: Collection[int]
) -> tuple[Question, ...]:
    pool = eligible(questions, topics, difficulties) or eligible(questions)
    return tuple(sorted(pool, key=lambda q: q.id))


_pools = _Pools()
DRAWS = 4


def pick_next(
    questions: Sequence[Question],
    asked: Collection[str],
    rng: random.Random,
    topics: Collection[str] = (),
    difficulties: Collection[int] = (),
) -> Pick | None:
    """A question not asked in this cycle; a new cycle when the filtered bank is used up.

    Ids in `asked` that the bank no longer has are ignored; questions added since the cycle
    began are eligible at once. When the filters match nothing, the whole ready bank is used,
    so a subscribed chat never goes silent. None only when the bank has no ready question.
    """
    pool = _pools.get(questions, topics, difficulties)
    if not pool:
        return None
    # Early in a cycle most of the pool is fresh: a few draws from it find a fresh question
    # (uniformly, like a draw from the fresh ones) without listing them for every chat.
    for _ in range(DRAWS):
        question = rng.choice(pool)
        if question.id not in asked:
            return Pick(question, False)
    fresh = [q for q in pool if q.id not in asked]
    new_cycle = not fresh
    return Pick(rng.choice(pool if new_cycle else fresh), new_cycle)
