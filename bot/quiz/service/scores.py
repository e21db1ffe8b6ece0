"""Scores, leaderboards, the data kept about a person, and the bot's own numbers."""

from __future__ import annotations

from bot.quiz.records import Person, Place
from bot.quiz.schedule import parse_zone, period_start
from bot.quiz.scoring import rank, streak
from bot.quiz.service.answers import STREAK_LOOKBACK
from bot.quiz.service.base import ServiceBase
from bot.quiz.service.results import Leaderboard, ScoreCard

LEADERBOARD_SIZE = 10
PERIODS = ("week", "month", "all")
KEPT = ("attempts", "peeks", "cards", "users")
"""The kinds of rows kept about a person, as /forget counts them."""


class ScoreUseCases(ServiceBase):
    """Read-only use cases over answers, and `/forget`."""

    async def score_card(self, place: Place, person: Person) -> ScoreCard:
        """The person's points, answers, mean coverage and streak in the chat."""
        async with self.db.read() as tx:
            chat = await tx.chats.find(place.address)
            user = await tx.users.find(person.address)
            if chat is None or user is None:
                return ScoreCard(0, 0, 0.0, 0)
            totals = await tx.answers.totals(chat.id, user.id)
            history = await tx.answers.history(chat.id, user.id, STREAK_LOOKBACK)
        return ScoreCard(
            totals.points,
            totals.answered,
            totals.average_coverage,
            streak(history.answered, latest_open=history.latest_open),
        )

    async def leaderboard(self, place: Place, period: str) -> Leaderboard:
        """The chat's best for this week, month or all time, in the chat's time zone."""
        if period not in PERIODS:
            raise ValueError(period)
        async with self.db.read() as tx:
            chat = await tx.chats.find(place.address)
            if chat is None:
                return Leaderboard(period, ())
            since = period_start(period, self.clock.now(), parse_zone(chat.zone))
            rows = await tx.answers.leaderboard(chat.id, since, LEADERBOARD_SIZE)
        return Leaderboard(period, tuple(rank(rows)))

    async def stored_about(self, person: Person) -> dict[str, int]:
        """`/forget`: how many rows are kept about the person, by kind (attempts, peeks, ...)."""
        async with self.db.read() as tx:
            user = await tx.users.find(person.address)
            return await tx.users.data(user.id) if user else dict.fromkeys(KEPT, 0)

    async def forget(self, person: Person) -> dict[str, int]:
        """Delete the person's answers, peeks, cards and user row everywhere; rows by kind."""
        async with self.db.transaction() as tx:
            user = await tx.users.find(person.address)
            return await tx.users.forget(user.id) if user else dict.fromkeys(KEPT, 0)

    async def counts(self) -> dict[str, int]:
        """Row counts for /stats."""
        async with self.db.read() as tx:
            return await tx.counts()

    async def ping(self) -> None:
        """Raise unless the database can run a transaction now."""
        await self.db.ping()
