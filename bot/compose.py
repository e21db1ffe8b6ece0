"""The composition root: settings -> bank, database, service, for `run`, `try` and benchmarks."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.config import Settings
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.model import Bank
from bot.quiz.schedule import WEEKDAY_NAMES
from bot.quiz.service import Clock, QuizService, Rules


def rules_from(settings: Settings) -> Rules:
    """The service's rules from the [quiz] settings."""
    quiz = settings.quiz
    return Rules(
        pass_mark=quiz.pass_mark,
        default_time=quiz.default_time,
        default_zone=quiz.default_zone,
        default_weekdays=tuple(WEEKDAY_NAMES.index(d) for d in quiz.weekdays),
        reveal_after_hours=quiz.reveal_after_hours,
        grace=timedelta(minutes=quiz.grace_minutes),
        lease=timedelta(seconds=quiz.lease_seconds),
    )


async def open_service(
    settings: Settings,
    bank: Bank,
    *,
    url: str | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> QuizService:
    """The service on the configured database (or `url`), migrated, with the [quiz] rules."""
    from bot.storage.database import SqlDatabase

    db = await SqlDatabase.open(url or settings.database.url)
    service = QuizService(
        db,
        bank,
        clock=clock,
        rng=rng,
        rules=rules_from(settings),
        bank_loader=lambda: load_bank(settings.bank.path),
    )
    await service.publish_bank(bank)
    return service
