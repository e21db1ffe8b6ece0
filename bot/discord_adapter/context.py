"""What every interaction handler needs: the service and defaults, reached from the client."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import discord

from bot.discord_adapter.identity import address, dm_place, place_of
from bot.discord_adapter.texts import language_of, text
from bot.quiz.records import Place
from bot.quiz.service import QuizService

log = logging.getLogger(__name__)
NO_MENTIONS = discord.AllowedMentions.none()
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Runtime:
    """The shared service and the bot's defaults."""

    service: QuizService
    default_language: str


class HasRuntime(Protocol):
    runtime: Runtime


def runtime(interaction: discord.Interaction[Any]) -> Runtime:
    """The runtime of the client that received the interaction."""
    client: HasRuntime = interaction.client
    return client.runtime


def locale_language(interaction: discord.Interaction[Any]) -> str:
    """The user's language from their Discord locale alone (no database read)."""
    return language_of(None, str(interaction.locale), runtime(interaction).default_language)


async def language(interaction: discord.Interaction[Any]) -> str:
    """The channel's chosen language, else the user's locale, else the default."""
    chosen = await runtime(interaction).service.chat_language(address(interaction.channel_id or 0))
    return language_of(chosen, str(interaction.locale), runtime(interaction).default_language)


def may_manage(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server, or Manage Channels on this channel; anyone in their own DM."""
    if interaction.guild_id is None:
        return True
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.manage_channels or permissions.administrator


async def private_place(interaction: discord.Interaction[Any]) -> Place:
    """The user's DM channel with the bot, opened when needed."""
    if interaction.guild_id is None:
        return place_of(interaction)
    channel = await interaction.user.create_dm()
    return dm_place(channel.id)


async def button_place(interaction: discord.Interaction[Any]) -> Place:
    """Where a pressed button's post lives: an ephemeral message's post is the user's own."""
    message = interaction.message
    if message is not None and message.flags.ephemeral:
        return await private_place(interaction)
    return place_of(interaction)


async def send(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction, or follow up one already deferred; never pings anyone."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS, "ephemeral": ephemeral}
    if embeds:
        kwargs["embeds"] = embeds[:10]
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(content or discord.utils.MISSING, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Log a failure with the interaction's id; the user gets a short apology, no traceback."""
    log.error("interaction %s failed", interaction.id, exc_info=error)
    try:
        await send(interaction, text(locale_language(interaction), "error"))
    except discord.HTTPException:
        log.warning("interaction %s: could not report the failure", interaction.id)


def guarded(
    handler: Callable[Concatenate[discord.Interaction[Any], P], Awaitable[None]],
) -> Callable[Concatenate[discord.Interaction[Any], P], Awaitable[None]]:
    """Run a handler; any failure is logged and answered with an apology."""

    async def run(
        interaction: discord.Interaction[Any], /, *args: P.args, **kwargs: P.kwargs
    ) -> None:
        try:
            await handler(interaction, *args, **kwargs)
        except Exception as error:
            await report_error(interaction, error)

    run.__doc__ = handler.__doc__
    return run
