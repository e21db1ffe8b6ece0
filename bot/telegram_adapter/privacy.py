"""`/forget`: show a user what the bot keeps about them and delete it on confirmation."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.telegram_adapter.context import Context
from bot.telegram_adapter.handlers import deep_link, reply, reply_language
from bot.telegram_adapter.identity import person_of
from bot.telegram_adapter.texts import text

CONFIRM = "f:yes"
CANCEL = "f:no"
START_PAYLOAD = "forget"
PROMPT_SECONDS = 600
"""A delete button older than this shows the counts again instead of deleting."""


def _keyboard(language: str, now: datetime) -> InlineKeyboardMarkup:
    confirm = f"{CONFIRM}:{int(now.timestamp())}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(text(language, "forget_button_yes"), callback_data=confirm),
                InlineKeyboardButton(text(language, "forget_button_no"), callback_data=CANCEL),
            ]
        ]
    )


async def forget(update: Update, context: Context) -> None:
    """/forget (or /start forget): in private list what is kept with a delete button."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    language = await reply_language(update, context)
    if chat.type != "private":
        link = deep_link(context, START_PAYLOAD)
        await reply(update, text(language, "forget_private_only", link=link))
        return
    kept = await context.bot_data.service.stored_about(person_of(user))
    if not any(kept.values()):
        await reply(update, text(language, "forget_nothing"))
        return
    now = context.bot_data.service.clock.now()
    await reply(update, text(language, "forget_prompt", **kept), _keyboard(language, now))


async def forget_button(update: Update, context: Context) -> None:
    """The prompt's buttons: delete the presser's own data everywhere, or cancel."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = await reply_language(update, context)
    await query.answer()
    if not query.data.startswith(CONFIRM):
        await query.edit_message_text(text(language, "forget_cancelled"))
        return
    service = context.bot_data.service
    now = service.clock.now()
    stamp = query.data.removeprefix(CONFIRM).lstrip(":")
    if not stamp.isdigit() or now.timestamp() - int(stamp) > PROMPT_SECONDS:
        kept = await service.stored_about(person_of(query.from_user))
        body = text(language, "forget_stale") + "\n\n" + text(language, "forget_prompt", **kept)
        await query.edit_message_text(body, reply_markup=_keyboard(language, now))
        return
    deleted = await context.bot_data.service.forget(person_of(query.from_user))
    body = text(language, "forget_done", total=sum(deleted.values()), **deleted)
    await query.edit_message_text(body)
