"""Owner commands: /reload and /stats."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

from telegram import Update

from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.problems import BankError
from bot.quiz.bank.summary import summarize
from bot.telegram_adapter.context import Context
from bot.telegram_adapter.handlers.common import is_owner, reply, reply_language
from bot.telegram_adapter.texts import text


async def reload(update: Update, context: Context) -> None:
    """/reload (owners): load the bank again; an invalid bank is refused, the old one stays."""
    language = await reply_language(update, context)
    if not is_owner(update, context):
        await reply(update, text(language, "owners_only"))
        return
    path = Path(context.bot_data.settings.bank.path)
    try:
        bank = await asyncio.to_thread(load_bank, path)
    except BankError as exc:
        problems = "\n".join(html.escape(str(p)) for p in exc.problems[:20])
        await reply(update, text(language, "reload_failed", problems=problems))
        return
    await context.bot_data.service.publish_bank(bank)
    summary = summarize(bank)
    await reply(update, text(language, "reloaded", ready=summary.ready, drafts=summary.drafts))


async def stats(update: Update, context: Context) -> None:
    """/stats (owners): how many chats, users, posts and answers."""
    language = await reply_language(update, context)
    if not is_owner(update, context):
        await reply(update, text(language, "owners_only"))
        return
    service = context.bot_data.service
    counts = await service.counts()
    await reply(update, text(language, "stats", ready=len(service.bank.ready()), **counts))
