"""The Telegram handlers, one module per feature: parse the update, call the service, render."""

from __future__ import annotations

from bot.telegram_adapter.handlers.answers import (
    answer,
    group_reply,
    poll_answer,
    private_text,
    show_answer_button,
)
from bot.telegram_adapter.handlers.common import deep_link, on_error, reply, reply_language
from bot.telegram_adapter.handlers.membership import membership, migrated
from bot.telegram_adapter.handlers.owner import reload, stats
from bot.telegram_adapter.handlers.schedule import (
    settings_button,
    settings_command,
    subscribe,
    unsubscribe,
)
from bot.telegram_adapter.handlers.scores import score, top
from bot.telegram_adapter.handlers.start import help_command, quiz, start

__all__ = [
    "answer",
    "deep_link",
    "group_reply",
    "help_command",
    "membership",
    "migrated",
    "on_error",
    "poll_answer",
    "private_text",
    "quiz",
    "reload",
    "reply",
    "reply_language",
    "score",
    "settings_button",
    "settings_command",
    "show_answer_button",
    "start",
    "stats",
    "subscribe",
    "top",
    "unsubscribe",
]
