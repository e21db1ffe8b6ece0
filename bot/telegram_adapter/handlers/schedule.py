"""/subscribe, /unsubscribe and /settings (admins only in groups)."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.quiz.schedule import ScheduleError
from bot.telegram_adapter.context import Context
from bot.telegram_adapter.handlers.common import admin_command, is_admin, reply, reply_language
from bot.telegram_adapter.identity import address, place_of
from bot.telegram_adapter.render import settings_text
from bot.telegram_adapter.texts import text

SETTINGS_KEYS = ("time", "zone", "days", "topics", "reveal", "lang")


def _split_schedule_args(args: list[str]) -> tuple[str | None, str | None]:
    at = next((a for a in args if any(c.isdigit() for c in a) and "/" not in a), None)
    zone = next((a for a in args if a is not at), None)
    if len(args) > 2 or (len(args) == 2 and (at is None or zone is None)):
        raise ScheduleError("expected at most a time and a zone")
    return at, zone


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [HH:MM] [Area/City]: the daily question (admins only in groups)."""
    allowed = await admin_command(update, context)
    if allowed is None:
        return
    chat, language = allowed
    try:
        at, zone = _split_schedule_args(list(context.args or []))
        subscribed = await context.bot_data.service.subscribe(place_of(chat), at, zone)
    except ScheduleError as exc:
        await reply(update, text(language, "usage_subscribe", error=html.escape(str(exc))))
        return
    assert subscribed.next_post_at is not None
    local = subscribed.next_post_at.astimezone(ZoneInfo(subscribed.zone))
    await reply(
        update,
        text(
            language,
            "subscribed",
            time=subscribed.post_time,
            zone=html.escape(subscribed.zone),
            next=local.strftime("%Y-%m-%d %H:%M"),
        ),
    )


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop the daily question (admins only in groups)."""
    allowed = await admin_command(update, context)
    if allowed is None:
        return
    chat, language = allowed
    done = await context.bot_data.service.unsubscribe(address(chat.id))
    await reply(update, text(language, "unsubscribed" if done else "not_subscribed"))


def _settings_keyboard(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("中文", callback_data="s:lang:zh"),
                InlineKeyboardButton("English", callback_data="s:lang:en"),
            ],
            [
                InlineKeyboardButton(
                    text(language, "settings_reveal_hours", hours=12), callback_data="s:reveal:12"
                ),
                InlineKeyboardButton(
                    text(language, "settings_reveal_next"), callback_data="s:reveal:0"
                ),
            ],
        ]
    )


async def _apply_setting(context: Context, chat: Chat, key: str, value: str) -> None:
    service = context.bot_data.service
    place = place_of(chat)
    if key == "time":
        await service.configure(place, at=value)
    elif key == "zone":
        await service.configure(place, zone=value)
    elif key == "days":
        await service.configure(place, weekdays=[d for d in value.split(",") if d])
    elif key == "topics":
        topics = [] if value == "all" else [t for t in value.split(",") if t]
        await service.configure(place, topics=topics)
    elif key == "reveal":
        if not value.isdigit():
            raise ScheduleError("reveal takes a number of hours")
        await service.configure(place, reveal_after_hours=int(value))
    elif key == "lang":
        await service.configure(place, language=value)
    else:
        raise ScheduleError(f"unknown setting {key!r}")


async def settings_command(update: Update, context: Context) -> None:
    """/settings [key value]: show or change time, zone, days, topics, reveal and language."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await reply_language(update, context)
    args = list(context.args or [])
    service = context.bot_data.service
    if not args:
        current = await service.chat(place_of(chat))
        await reply(update, settings_text(current, language), _settings_keyboard(language))
        return
    if not await is_admin(update, context):
        await reply(update, text(language, "admins_only"))
        return
    if len(args) != 2:
        await reply(update, text(language, "usage_settings", error=""))
        return
    try:
        await _apply_setting(context, chat, args[0].lower(), args[1])
    except ScheduleError as exc:
        await reply(update, text(language, "usage_settings", error=html.escape(str(exc))))
        return
    current = await service.chat(place_of(chat))
    await reply(update, settings_text(current, await reply_language(update, context)))


async def settings_button(update: Update, context: Context) -> None:
    """Settings keyboard buttons (admins only in groups)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    language = await reply_language(update, context)
    if not await is_admin(update, context):
        await query.answer(text(language, "admins_only"), show_alert=True)
        return
    parts = query.data.split(":")
    try:
        await _apply_setting(context, query.message.chat, parts[1], parts[2])
    except (ScheduleError, IndexError):
        await query.answer()
        return
    await query.answer(text(language, "saved"))
    current = await context.bot_data.service.chat(place_of(query.message.chat))
    await query.edit_message_text(
        settings_text(current, await reply_language(update, context)),
        reply_markup=_settings_keyboard(language),
    )
