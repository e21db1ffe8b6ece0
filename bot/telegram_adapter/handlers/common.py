"""What every Telegram handler shares: replying, the reply language, who may do what."""

from __future__ import annotations

import logging

from telegram import Chat, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.telegram_adapter.context import Context
from bot.telegram_adapter.identity import address
from bot.telegram_adapter.texts import language_of, text

log = logging.getLogger(__name__)
ANONYMOUS_ADMIN_ID = 1087968824
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def reply_language(update: Update, context: Context) -> str:
    chat = update.effective_chat
    stored = await context.bot_data.service.chat_language(address(chat.id)) if chat else None
    user = update.effective_user
    return language_of(
        stored,
        user.language_code if user else None,
        context.bot_data.settings.quiz.default_language,
    )


async def reply(update: Update, body: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(body, reply_markup=markup)


async def is_admin(update: Update, context: Context) -> bool:
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or chat.type == "private":
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # the anonymous group admin
    if user is None or user.id == ANONYMOUS_ADMIN_ID:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


def is_owner(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.bot_data.settings.telegram.owners


def deep_link(context: Context, payload: str) -> str:
    return f"https://t.me/{context.bot.username}?start={payload}"


async def admin_command(update: Update, context: Context) -> tuple[Chat, str] | None:
    """The chat and reply language when the sender may change the chat; else refuse, None."""
    chat = update.effective_chat
    if chat is None:
        return None
    language = await reply_language(update, context)
    if not await is_admin(update, context):
        await reply(update, text(language, "admins_only"))
        return None
    return chat, language


async def on_error(update: object, context: Context) -> None:
    """Log with the update's context, then apologise to the user without details."""
    log.error("error while handling %r", update, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        language = language_of(
            None,
            update.effective_user.language_code if update.effective_user else None,
            context.bot_data.settings.quiz.default_language,
        )
        try:
            await context.bot.send_message(update.effective_chat.id, text(language, "error"))
        except TelegramError:
            log.warning("could not send the apology")
