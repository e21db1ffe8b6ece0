"""/score and /top."""

from __future__ import annotations

from telegram import Update

from bot.telegram_adapter.context import Context
from bot.telegram_adapter.handlers.common import reply, reply_language
from bot.telegram_adapter.identity import person_of, place_of
from bot.telegram_adapter.render import leaderboard_text, score_text
from bot.telegram_adapter.texts import text

PERIODS = ("week", "month", "all")


async def score(update: Update, context: Context) -> None:
    """/score: your points, answers, coverage and streak in this chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    card = await context.bot_data.service.score_card(place_of(chat), person_of(user))
    await reply(update, score_text(card, user.full_name, await reply_language(update, context)))


async def top(update: Update, context: Context) -> None:
    """/top [week|month|all]: this chat's leaderboard."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await reply_language(update, context)
    period = (context.args or ["week"])[0].lower()
    if period not in PERIODS or len(context.args or []) > 1:
        await reply(update, text(language, "usage_top"))
        return
    board = await context.bot_data.service.leaderboard(place_of(chat), period)
    await reply(update, leaderboard_text(board, language))
