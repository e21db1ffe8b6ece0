"""`/forget`: what is kept about the user, and a button that deletes it everywhere."""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.discord_adapter.context import guarded, locale_language, runtime, send
from bot.discord_adapter.identity import interaction_person
from bot.discord_adapter.texts import text

Button = discord.ui.Button[discord.ui.View]


class ForgetButton(discord.ui.DynamicItem[Button], template=r"quiz:forget:(?P<user>[0-9]{1,20})$"):
    """Deletes the data of the user named in its custom id, and only when they press it."""

    def __init__(self, user_id: int, label: str = "Delete") -> None:
        self.user_id = user_id
        button: Button = discord.ui.Button(
            label=label, style=discord.ButtonStyle.danger, custom_id=f"quiz:forget:{user_id}"
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
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await forget_now(interaction, self.user_id)


@guarded
async def forget_prompt(interaction: discord.Interaction[Any]) -> None:
    """Counts of what is kept, ephemerally, with the delete button."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    language = locale_language(interaction)
    kept = await runtime(interaction).service.stored_about(interaction_person(interaction))
    if not any(kept.values()):
        await send(interaction, text(language, "forget_nothing"))
        return
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(interaction.user.id, text(language, "forget_button_yes")))
    view.stop()  # dispatched by its custom id, never kept per message
    await send(interaction, text(language, "forget_prompt", **kept), view=view)


@guarded
async def forget_now(interaction: discord.Interaction[Any], user_id: int) -> None:
    """Delete everything kept about the presser; someone else's button deletes nothing."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    language = locale_language(interaction)
    if interaction.user.id != user_id:
        await send(interaction, text(language, "not_here"))
        return
    deleted = await runtime(interaction).service.forget(interaction_person(interaction))
    await send(interaction, text(language, "forget_done", total=sum(deleted.values()), **deleted))
