"""`/forget`: what is kept about the user, and a button that deletes it everywhere."""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.discord_adapter.context import guarded, locale_language, runtime, send
from bot.discord_adapter.identity import interaction_person
from bot.discord_adapter.texts import text

Button = discord.ui.Button[discord.ui.View]
PROMPT_SECONDS = 600
"""A delete button older than this shows the counts again instead of deleting."""


class ForgetButton(
    discord.ui.DynamicItem[Button],
    template=r"quiz:forget:(?P<user>[0-9]{1,20})(?::(?P<stamp>[0-9]{1,12}))?$",
):
    """Deletes the data of the user named in its custom id, only when they press it in time."""

    def __init__(self, user_id: int, stamp: int = 0, label: str = "Delete") -> None:
        self.user_id, self.stamp = user_id, stamp
        button: Button = discord.ui.Button(
            label=label,
            style=discord.ButtonStyle.danger,
            custom_id=f"quiz:forget:{user_id}:{stamp}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(int(match["user"]), int(match["stamp"] or 0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await forget_now(interaction, self.user_id, self.stamp)


@guarded
async def forget_prompt(interaction: discord.Interaction[Any]) -> None:
    """Counts of what is kept, ephemerally, with the delete button."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    await _prompt(interaction, "")


async def _prompt(interaction: discord.Interaction[Any], lead: str) -> None:
    language = locale_language(interaction)
    service = runtime(interaction).service
    kept = await service.stored_about(interaction_person(interaction))
    if not any(kept.values()):
        await send(interaction, text(language, "forget_nothing"))
        return
    stamp = int(service.clock.now().timestamp())
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(interaction.user.id, stamp, text(language, "forget_button_yes")))
    view.stop()  # dispatched by its custom id, never kept per message
    await send(interaction, lead + text(language, "forget_prompt", **kept), view=view)


@guarded
async def forget_now(interaction: discord.Interaction[Any], user_id: int, stamp: int) -> None:
    """Delete everything kept about the presser; someone else's or a stale button deletes
    nothing (a stale one shows the counts again, with a fresh button)."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    language = locale_language(interaction)
    if interaction.user.id != user_id:
        await send(interaction, text(language, "not_here"))
        return
    service = runtime(interaction).service
    if service.clock.now().timestamp() - stamp > PROMPT_SECONDS:
        await _prompt(interaction, text(language, "forget_stale") + "\n\n")
        return
    deleted = await service.forget(interaction_person(interaction))
    await send(interaction, text(language, "forget_done", total=sum(deleted.values()), **deleted))
