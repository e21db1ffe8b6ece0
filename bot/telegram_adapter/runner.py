"""`quizbot run`: load the bank, then serve Telegram by polling or webhook."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta

from bot.config import Settings
from bot.quiz.bank import BankError, load_bank
from bot.quiz.schedule import WEEKDAY_NAMES
from bot.quiz.service import QuizService, Rules
from bot.storage.sql_store import SqlStore
from bot.telegram_adapter.app import ALLOWED_UPDATES, build_application

log = logging.getLogger(__name__)


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
    )


def run_bot(settings: Settings, *, webhook: bool = False) -> int:
    """Run until stopped; exit 1 on an invalid bank, 2 on a webhook without a secret."""
    try:
        bank = load_bank(settings.bank.path)
    except BankError as exc:
        print(
            f"quizbot will not start: the bank {settings.bank.path} has problems:", file=sys.stderr
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    use_webhook = webhook or settings.telegram.mode == "webhook"
    if use_webhook and not settings.webhook.secret_token:
        print(
            "webhook mode needs a secret token: set QUIZBOT_WEBHOOK_SECRET (or "
            "[webhook] secret_token) so only Telegram can post updates to the bot.",
            file=sys.stderr,
        )
        return 2

    async def open_service() -> QuizService:
        store = await SqlStore.open(settings.database.url)
        return QuizService(store, bank, rules=rules_from(settings))

    application = build_application(settings, open_service)
    log.info("starting quizbot with %d ready questions", len(bank.ready()))
    if use_webhook:
        hook = settings.webhook
        application.run_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path=hook.path,
            webhook_url=f"{hook.url.rstrip('/')}/{hook.path}" if hook.url else None,
            secret_token=hook.secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
