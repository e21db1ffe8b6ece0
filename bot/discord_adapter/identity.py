"""Discord's channels, users and messages in the service's platform-neutral terms.

A guild channel is a GROUP place; a DM channel a PRIVATE one. On Discord a DM channel's id is not
the user's id: the place's external id is the DM channel's, the person's is the user's.
"""

from __future__ import annotations

import discord

from bot.quiz.records import Address, ChatKind, MessageRef, Person, Place

PLATFORM = "discord"
NAME_CHARS = 255


def address(snowflake: int) -> Address:
    """A channel (or user) id as an address."""
    return Address(PLATFORM, str(snowflake))


def person_of(user: discord.User | discord.Member, locale: str | None = None) -> Person:
    """The user as a person; leaderboards show their display name (escaped when rendered)."""
    return Person(address(user.id), user.display_name[:NAME_CHARS], locale)


def dm_place(channel_id: int) -> Place:
    """A user's DM channel with the bot."""
    return Place(address(channel_id), ChatKind.PRIVATE, "", "dm")


def guild_place(channel_id: int, title: str = "") -> Place:
    """A channel in a server: a shared place."""
    return Place(address(channel_id), ChatKind.GROUP, title[:NAME_CHARS], "guild_text")


def place_of(interaction: discord.Interaction) -> Place:
    """Where an interaction happened: a server's channel, or the user's DM channel."""
    channel_id = interaction.channel_id or 0
    if interaction.guild_id is None:
        return dm_place(channel_id)
    guild = interaction.guild
    name = getattr(interaction.channel, "name", "") or ""
    title = f"{guild.name} #{name}" if guild is not None else name
    return guild_place(channel_id, title)


def interaction_person(interaction: discord.Interaction) -> Person:
    """Who acted, with their Discord locale (zh-CN, en-US, ...)."""
    return person_of(interaction.user, str(interaction.locale))


def message_ref(channel_id: int, message_id: int) -> MessageRef:
    """A sent message as an opaque reference."""
    return MessageRef(PLATFORM, str(channel_id), str(message_id))
