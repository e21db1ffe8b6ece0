"""Slash commands, in English and Chinese (zh-CN) through Discord's localizations. Each parses its
options, calls the service and renders; admins' commands check permissions again here because a
server can override `default_member_permissions`."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.discord_adapter.context import (
    guarded,
    language,
    locale_language,
    may_manage,
    private_place,
    report_error,
    runtime,
    send,
)
from bot.discord_adapter.forget import forget_prompt
from bot.discord_adapter.identity import address, interaction_person, place_of
from bot.discord_adapter.render import (
    answer_embeds,
    escape,
    leaderboard_text,
    question_embed,
    score_text,
    settings_text,
)
from bot.discord_adapter.texts import COMMANDS, OPTIONS, text
from bot.discord_adapter.views import post_view
from bot.quiz.schedule import ScheduleError
from bot.quiz.service import PERIODS, NoQuestion

Interaction = discord.Interaction[Any]
CHOICES = 25


def _name(key: str) -> locale_str:
    return locale_str(key, zh=COMMANDS[key][0])


def _description(key: str) -> locale_str:
    return locale_str(COMMANDS[key][1], zh=COMMANDS[key][2])


def _option(key: str) -> locale_str:
    return locale_str(key, zh=OPTIONS[key][0])


def _option_description(key: str) -> locale_str:
    return locale_str(OPTIONS[key][1], zh=OPTIONS[key][2])


class Localizer(app_commands.Translator):
    """zh-CN names and descriptions come from each string's `zh` extra."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is discord.Locale.chinese:
            return string.extras.get("zh")
        return None


Callback = Callable[..., Coroutine[Any, Any, None]]


def command(key: str, **options: str) -> Callable[[Callback], app_commands.Command[Any, ..., None]]:
    """`app_commands.command` with the localized name, description and option names."""

    def wrap(callback: Callback) -> app_commands.Command[Any, ..., None]:
        named = app_commands.rename(**{o: _option(o) for o in options})(callback)
        described = app_commands.describe(**{o: _option_description(o) for o in options})(named)
        return app_commands.command(name=_name(key), description=_description(key))(described)

    return wrap


@command("help")
async def help_command(interaction: Interaction) -> None:
    """What the bot does."""
    await send(interaction, text(locale_language(interaction), "help"))


@command("quiz")
async def quiz(interaction: Interaction) -> None:
    """Private practice: in a DM, or ephemerally in a server; due reviews first."""
    in_guild = interaction.guild_id is not None
    await interaction.response.defer(ephemeral=in_guild, thinking=True)
    lang = locale_language(interaction)
    try:
        practice = await runtime(interaction).service.practice(
            await private_place(interaction), interaction_person(interaction)
        )
    except NoQuestion:
        await send(interaction, text(lang, "no_open_question"))
        return
    key = "title_review" if practice.review else "title_new"
    embed = question_embed(practice.question, lang, key)
    view = post_view(practice.post.id, practice.question, lang)
    await send(interaction, embeds=[embed], view=view, ephemeral=in_guild)


@command("answer")
async def answer(interaction: Interaction) -> None:
    """The answer of the question you are on (a channel's latest post, or your practice)."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    lang = await language(interaction)
    service = runtime(interaction).service
    person = interaction_person(interaction)
    post = await service.open_post(place_of(interaction), person)
    if post is None and interaction.guild_id is not None:
        post = await service.open_post(await private_place(interaction), person)
    if post is None:
        await send(interaction, text(lang, "no_open_question"))
        return
    try:
        result = await service.reveal_post(person, post.id)
    except NoQuestion:
        await send(interaction, text(lang, "question_gone"))
        return
    note = text(lang, "answer_forfeit_note").strip() if result.forfeited else ""
    await send(interaction, embeds=answer_embeds(result.question, lang, "answer_title", note))


@command("score")
async def score(interaction: Interaction) -> None:
    """Your points, answers, coverage and streak here."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    lang = await language(interaction)
    person = interaction_person(interaction)
    card = await runtime(interaction).service.score_card(place_of(interaction), person)
    await send(interaction, score_text(card, person.name, lang))


@command("top", period="period")
async def top(interaction: Interaction, period: str = "week") -> None:
    """This channel's leaderboard; names are escaped and nobody is pinged."""
    if period not in PERIODS:
        await send(interaction, text(locale_language(interaction), "usage_top"))
        return
    await interaction.response.defer(thinking=True)
    lang = await language(interaction)
    board = await runtime(interaction).service.leaderboard(place_of(interaction), period)
    await send(interaction, leaderboard_text(board, lang), ephemeral=False)


@top.autocomplete("period")
async def _periods(interaction: Interaction, typed: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=p, value=p) for p in PERIODS if p.startswith(typed.lower())]


@command("subscribe", time="time", zone="zone")
@app_commands.default_permissions(manage_guild=True)
async def subscribe(
    interaction: Interaction, time: str | None = None, zone: str | None = None
) -> None:
    """One question a day in this channel (Manage Server or Manage Channels)."""
    if not may_manage(interaction):
        await send(interaction, text(locale_language(interaction), "admins_only"))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    lang = await language(interaction)
    try:
        chat = await runtime(interaction).service.subscribe(place_of(interaction), time, zone)
    except ScheduleError as error:
        await send(interaction, text(lang, "usage_subscribe", error=escape(str(error))))
        return
    next_post = ""
    if chat.next_post_at is not None:
        local = chat.next_post_at.astimezone(zoneinfo.ZoneInfo(chat.zone))
        next_post = local.strftime("%Y-%m-%d %H:%M")
    await send(
        interaction, text(lang, "subscribed", time=chat.post_time, zone=chat.zone, next=next_post)
    )


@subscribe.autocomplete("zone")
async def _zones(interaction: Interaction, typed: str) -> list[app_commands.Choice[str]]:
    wanted = typed.lower()
    found = [z for z in _all_zones() if wanted in z.lower()][:CHOICES]
    return [app_commands.Choice(name=z, value=z) for z in found]


@functools.cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


@command("unsubscribe")
@app_commands.default_permissions(manage_guild=True)
async def unsubscribe(interaction: Interaction) -> None:
    """Stop the daily question here."""
    if not may_manage(interaction):
        await send(interaction, text(locale_language(interaction), "admins_only"))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    lang = await language(interaction)
    stopped = await runtime(interaction).service.unsubscribe(address(interaction.channel_id or 0))
    await send(interaction, text(lang, "unsubscribed" if stopped else "not_subscribed"))


@command(
    "settings", time="time", zone="zone", days="days", topics="topics", reveal="reveal", lang="lang"
)
@app_commands.default_permissions(manage_guild=True)
async def settings(
    interaction: Interaction,
    time: str | None = None,
    zone: str | None = None,
    days: str | None = None,
    topics: str | None = None,
    reveal: app_commands.Range[int, 0, 72] | None = None,
    lang: str | None = None,
) -> None:
    """Show this channel's settings (and why it stopped), or change them."""
    changes = (time, zone, days, topics, reveal, lang)
    if any(v is not None for v in changes) and not may_manage(interaction):
        await send(interaction, text(locale_language(interaction), "admins_only"))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    service = runtime(interaction).service
    place = place_of(interaction)
    try:
        chat = await service.configure(
            place,
            at=time,
            zone=zone,
            weekdays=[d for d in days.split(",") if d] if days is not None else None,
            topics=(
                None
                if topics is None
                else []
                if topics == "all"
                else [t for t in topics.split(",") if t]
            ),
            reveal_after_hours=reveal,
            language=lang,
        )
    except ScheduleError as error:
        language_now = await language(interaction)
        await send(interaction, text(language_now, "usage_settings", error=escape(str(error))))
        return
    await send(interaction, settings_text(chat, await language(interaction)))


@command("forget")
async def forget(interaction: Interaction) -> None:
    """What is kept about you, with a button that deletes it."""
    await forget_prompt(interaction)


ALL = (help_command, quiz, answer, score, top, subscribe, unsubscribe, settings, forget)


def build_tree(client: discord.Client) -> app_commands.CommandTree[Any]:
    """The command tree with every command; failures are logged and answered politely."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    for item in ALL:
        tree.add_command(item)

    @tree.error
    async def on_error(interaction: Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)

    return tree


__all__ = ["ALL", "Localizer", "build_tree", "guarded"]
