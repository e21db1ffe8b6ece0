"""Telegram's chats, users and messages in the service's platform-neutral terms."""

from __future__ import annotations

from telegram import Chat, Message
from telegram import User as TelegramUser

from bot.quiz.records import Address, ChatKind, MessageRef, Person, Place

PLATFORM = "telegram"


def address(chat_id: int) -> Address:
    """A Telegram chat (or user) id as an address."""
    return Address(PLATFORM, str(chat_id))


def place_of(chat: Chat) -> Place:
    """The chat as a place: private, or a group (groups, supergroups and channels)."""
    kind = ChatKind.PRIVATE if chat.type == Chat.PRIVATE else ChatKind.GROUP
    return Place(address(chat.id), kind, chat.title or "", chat.type)


def person_of(user: TelegramUser) -> Person:
    """The user as a person; leaderboards show the full name."""
    name = user.full_name or user.username or str(user.id)
    return Person(address(user.id), name[:255], user.language_code)


def private_place(user: TelegramUser) -> Place:
    """The user's private chat with the bot, whose id on Telegram is the user's."""
    return Place(address(user.id), ChatKind.PRIVATE, "", Chat.PRIVATE)


def message_ref(chat_id: int, message_id: int, poll_id: str | None = None) -> MessageRef:
    """A sent message as an opaque reference."""
    return MessageRef(PLATFORM, str(chat_id), str(message_id), poll_id)


def ref_of(message: Message) -> MessageRef:
    """A message as an opaque reference (with its poll, if it is one)."""
    return message_ref(
        message.chat.id, message.message_id, message.poll.id if message.poll else None
    )
