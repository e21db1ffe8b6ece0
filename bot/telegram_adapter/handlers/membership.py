"""The bot removed from a chat, and a group that became a supergroup."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.telegram_adapter.context import Context
from bot.telegram_adapter.identity import address


async def membership(update: Update, context: Context) -> None:
    """The bot was removed from a chat (or blocked in private): unsubscribe it."""
    change = update.my_chat_member
    if change is None:
        return
    if change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        await context.bot_data.service.unsubscribe(address(change.chat.id), "removed from the chat")


async def migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: its subscription, posts and scores move along."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id:
        await context.bot_data.service.migrate_chat(
            address(message.chat.id), address(message.migrate_to_chat_id)
        )
