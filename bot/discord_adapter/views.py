"""The buttons and the answer form. Custom ids name a post and are untrusted: the service checks
that the post belongs to the channel the button was pressed in. Buttons are `DynamicItem`s, so a
post from yesterday (or from before a restart) still answers."""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.discord_adapter.context import (
    button_place,
    guarded,
    locale_language,
    runtime,
    send,
)
from bot.discord_adapter.identity import interaction_person
from bot.discord_adapter.render import answer_embeds, verdict_text
from bot.discord_adapter.texts import text
from bot.presenting import LETTERS
from bot.quiz.model import Kind, Question
from bot.quiz.service import NoQuestion, PostTarget

ANSWER_CHARS = 4000
MODAL_SECONDS = 900  # an interaction token lives 15 minutes
OPTION_LABEL = 80
Button = discord.ui.Button[discord.ui.View]


class AnswerButton(discord.ui.DynamicItem[Button], template=r"quiz:answer:(?P<post>[0-9]{1,19})$"):
    """Opens the answer form for an open or short question."""

    def __init__(self, post_id: int, label: str = "Answer", disabled: bool = False) -> None:
        self.post_id = post_id
        button: Button = discord.ui.Button(
            label=label,
            style=discord.ButtonStyle.primary,
            custom_id=f"quiz:answer:{post_id}",
            disabled=disabled,
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
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """The form must be the first answer: it opens before any database read."""
        modal = AnswerModal(self.post_id, locale_language(interaction), interaction.id)
        await interaction.response.send_modal(modal)


class AnswerModal(discord.ui.Modal):
    """A paragraph for the answer; its custom id is unique so two members never share one."""

    def __init__(self, post_id: int, language: str, nonce: int) -> None:
        super().__init__(
            title=text(language, "modal_title"),
            timeout=MODAL_SECONDS,
            custom_id=f"quiz:modal:{post_id}:{nonce}",
        )
        self.post_id = post_id
        self.answer: discord.ui.TextInput[Self] = discord.ui.TextInput(
            label=text(language, "modal_label"),
            style=discord.TextStyle.paragraph,
            placeholder=text(language, "modal_placeholder"),
            max_length=ANSWER_CHARS,
        )
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await grade(interaction, self.post_id, self.answer.value, None)


class ChoiceButton(
    discord.ui.DynamicItem[Button],
    template=r"quiz:choice:(?P<post>[0-9]{1,19}):(?P<option>[0-9]{1,2})$",
):
    """One option of a choice question."""

    def __init__(self, post_id: int, option: int, label: str = "", disabled: bool = False) -> None:
        self.post_id, self.option = post_id, option
        button: Button = discord.ui.Button(
            label=(label or LETTERS[option % len(LETTERS)])[:OPTION_LABEL],
            style=discord.ButtonStyle.secondary,
            custom_id=f"quiz:choice:{post_id}:{option}",
            disabled=disabled,
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
        return cls(int(match["post"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await grade(interaction, self.post_id, None, self.option)


class ShowButton(discord.ui.DynamicItem[Button], template=r"quiz:show:(?P<post>[0-9]{1,19})$"):
    """The reference answer, to the presser alone; they forfeit the post unless they answered."""

    def __init__(self, post_id: int, label: str = "Show answer", disabled: bool = False) -> None:
        self.post_id = post_id
        button: Button = discord.ui.Button(
            label=label,
            style=discord.ButtonStyle.secondary,
            custom_id=f"quiz:show:{post_id}",
            disabled=disabled,
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
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await show_answer(interaction, self.post_id)


@guarded
async def grade(
    interaction: discord.Interaction[Any], post_id: int, answer: str | None, option: int | None
) -> None:
    """Grade an answer to the post, ephemerally: only the answerer sees the verdict."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    service = runtime(interaction).service
    language = locale_language(interaction)
    try:
        target = PostTarget(post_id, await button_place(interaction))
        result = await service.answer(interaction_person(interaction), target, answer, option)
    except NoQuestion:
        result = None
    if result is None:
        await send(interaction, text(language, "not_here"))
    elif result.verdict.empty:
        await send(interaction, text(language, "empty_answer"))
    else:
        await send(interaction, verdict_text(result, language))


@guarded
async def show_answer(interaction: discord.Interaction[Any], post_id: int) -> None:
    """Show a post's answer to one person (checked to be this channel's post)."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    service = runtime(interaction).service
    language = locale_language(interaction)
    try:
        post, _ = await service.find_post(post_id, await button_place(interaction))
        result = await service.reveal_post(interaction_person(interaction), post.id)
    except NoQuestion:
        await send(interaction, text(language, "not_here"))
        return
    note = text(language, "answer_forfeit_note").strip() if result.forfeited else ""
    await send(interaction, embeds=answer_embeds(result.question, language, "answer_title", note))


def post_view(
    post_id: int, question: Question, language: str, *, disabled: bool = False
) -> discord.ui.View:
    """The buttons under a question: Answer (or one per option), then Show answer."""
    view = discord.ui.View(timeout=None)
    if question.kind is Kind.CHOICE:
        for index, option in enumerate(question.choices):
            label = f"{LETTERS[index]}. {option}"
            view.add_item(ChoiceButton(post_id, index, label, disabled))
    else:
        view.add_item(AnswerButton(post_id, text(language, "button_write"), disabled))
    view.add_item(ShowButton(post_id, text(language, "button_answer"), disabled))
    return inert(view)


def inert(view: discord.ui.View) -> discord.ui.View:
    """A view discord.py will not keep per message: its items are dynamic and dispatch by
    custom id, so a kept view would run each callback twice and hold memory for every post."""
    view.stop()
    return view


DYNAMIC_ITEMS = (AnswerButton, ChoiceButton, ShowButton)
