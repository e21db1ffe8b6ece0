"""What the fake Discord holds: users, guilds, channels, messages, commands and interactions."""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
EPHEMERAL = 1 << 6
TIMESTAMP = "2026-11-27T00:30:00.000000+00:00"

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
EVERYONE = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
ALL_PERMISSIONS = (1 << 50) - 1

# Interaction and callback types.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9


class Snowflakes:
    """Ids that grow, like Discord's."""

    def __init__(self) -> None:
        self._next = itertools.count(1_300_000_000_000_000_000)

    def __call__(self) -> str:
        return str(next(self._next))


def user_json(user_id: str, name: str, *, bot: bool = False) -> JSON:
    """A user object."""
    return {
        "id": user_id,
        "username": name.lower().replace(" ", "")[:32] or "user",
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


@dataclass
class Guild:
    """A server with its roles (the @everyone role's id is the guild's), channels and members."""

    id: str
    name: str
    owner_id: str
    roles: dict[str, JSON] = field(default_factory=dict)
    channels: dict[str, JSON] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # user id -> role ids

    def permissions(self, user_id: str) -> int:
        """What the member may do (no channel overwrites in this fake)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        value = int(self.roles[self.id]["permissions"])
        for role in self.members.get(user_id, []):
            value |= int(self.roles[role]["permissions"])
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value


@dataclass
class Interaction:
    """One interaction the fake sent to the bot, and every way the bot answered it."""

    id: str
    token: str
    type: int
    user_id: str
    channel_id: str
    payload: JSON
    callback: JSON | None = None
    original: JSON | None = None
    followups: list[JSON] = field(default_factory=list)
    edits: list[JSON] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def callback_type(self) -> int | None:
        """The type of the bot's first answer (4 message, 5 deferred, 9 modal, ...)."""
        return self.callback["type"] if self.callback else None

    @property
    def complete(self) -> bool:
        """Answered, and a deferred answer followed up."""
        if self.callback_type in (DEFERRED_MESSAGE, DEFERRED_UPDATE):
            return bool(self.followups or self.edits)
        return self.callback is not None

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened, if it answered with one."""
        return self.callback["data"] if self.callback_type == MODAL and self.callback else None

    @property
    def ephemeral(self) -> bool:
        """Whether the answer is shown to the user alone."""
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags", 0)) & EPHEMERAL)

    def replies(self) -> list[JSON]:
        """The messages the user got in answer: the original response, then follow-ups."""
        shown = [self.original] if self.original and not self.original.get("_loading") else []
        return shown + self.followups

    def texts(self) -> list[str]:
        """Each reply as text: content, then embed titles, descriptions and fields."""
        return [message_text(message) for message in self.replies()]

    def text(self) -> str:
        """All replies as one text."""
        return "\n".join(self.texts())


def message_text(message: JSON) -> str:
    """A message's content and embeds as one text, for assertions on what a user reads."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for item in embed.get("fields") or []:
            parts += [item.get("name", ""), item.get("value", "")]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def buttons(message: JSON) -> list[JSON]:
    """Every button on a message, row by row."""
    found = []
    for row in message.get("components") or []:
        found += [c for c in row.get("components", []) if c.get("type") == 2]
    return found


@dataclass
class Fault:
    """An error answer for the next `times` requests matching a method and path."""

    method: str
    path: re.Pattern[str]
    status: int
    body: JSON
    times: int = 1
    hits: int = 0


@dataclass
class Request:
    """A REST request as the fake saw it, and its answer's status."""

    method: str
    path: str
    body: Any
    status: int = 0
    problems: list[str] = field(default_factory=list)
