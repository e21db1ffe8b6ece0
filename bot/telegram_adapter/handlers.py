"""Handlers: parse the update, call the service, render the result. No grading here."""

from __future__ import annotations

import asyncio
import html
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReactionTypeEmoji,
    Update,
)
from telegram import User as TelegramUser
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.quiz.bank import BankError, load_bank, summarize
from bot.quiz.records import Post
from bot.quiz.schedule import ScheduleError
from bot.quiz.service import (
    AttemptResult,
    FocusTarget,
    NoQuestion,
    PollTarget,
    Refusal,
    ReplyTarget,
)
from bot.telegram_adapter.context import Context
from bot.telegram_adapter.identity import (
    PLATFORM,
    address,
    message_ref,
    person_of,
    place_of,
    private_place,
)
from bot.telegram_adapter.links import FOCUS, REVEAL, Link, parse, sign
from bot.telegram_adapter.render import (
    answer_texts,
    focus_text,
    leaderboard_text,
    practice_text,
    score_text,
    settings_text,
    verdict_text,
)
from bot.telegram_adapter.texts import language_of, text

log = logging.getLogger(__name__)
ANONYMOUS_ADMIN_ID = 1087968824
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
PERIODS = ("week", "month", "all")
SETTINGS_KEYS = ("time", "zone", "days", "topics", "reveal", "lang")


async def reply_language(update: Update, context: Context) -> str:
    chat = update.effective_chat
    stored = await context.bot_data.service.chat_language(address(chat.id)) if chat else None
    user = update.effective_user
    return language_of(
        stored,
        user.language_code if user else None,
        context.bot_data.settings.quiz.default_language,
    )


async def reply(update: Update, body: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(body, reply_markup=markup)


async def _is_admin(update: Update, context: Context) -> bool:
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or chat.type == "private":
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # the anonymous group admin
    if user is None or user.id == ANONYMOUS_ADMIN_ID:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


def _is_owner(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.bot_data.settings.telegram.owners


def deep_link(context: Context, payload: str) -> str:
    return f"https://t.me/{context.bot.username}?start={payload}"


async def start(update: Update, context: Context) -> None:
    """Greet; or follow a deep link: p<post> answers privately, a<post> shows an answer."""
    user = update.effective_user
    if user is None or update.effective_chat is None or update.effective_chat.type != "private":
        await help_command(update, context)
        return
    service = context.bot_data.service
    language = await reply_language(update, context)
    payload = context.args[0] if context.args else ""
    link = parse(context.bot_data.link_key, payload)
    if link is not None:
        try:
            if not await _may_follow(context, link, user.id):
                raise NoQuestion("a link this user may not follow")
            if link.action == FOCUS:
                _, question = await service.focus(person_of(user), link.post_id)
                await reply(update, focus_text(question, language))
            else:
                await _send_answer_here(update, context, link.post_id, language)
        except NoQuestion:
            await reply(update, text(language, "question_gone"))
        return
    await service.chat(private_place(user), person_of(user))
    greeting = text(
        language, "start", name=html.escape(user.first_name), help=text(language, "help")
    )
    await reply(update, greeting)


async def _may_follow(context: Context, link: Link, user_id: int) -> bool:
    """A signed link is ours; an unsigned one (older posts' buttons, or forged) only opens a
    group's post for a member of that group."""
    if link.signed:
        return True
    found = await context.bot_data.service.post_chat(link.post_id)
    if found is None or not found[0].is_group:
        return False
    try:
        member = await context.bot.get_chat_member(int(found[1].external_id), user_id)
    except TelegramError:
        return False
    return member.status not in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def help_command(update: Update, context: Context) -> None:
    """What the bot does and its commands."""
    await reply(update, text(await reply_language(update, context), "help"))


async def quiz(update: Update, context: Context) -> None:
    """Private practice: a due review first, else a new question."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    language = await reply_language(update, context)
    if chat.type != "private":
        await reply(update, text(language, "group_only_private", link=deep_link(context, "quiz")))
        return
    try:
        practice = await context.bot_data.service.practice(place_of(chat), person_of(user))
    except NoQuestion:
        await reply(update, text(language, "no_open_question"))
        return
    await reply(update, practice_text(practice.question, language, practice.review))


async def _send_answer_here(update: Update, context: Context, post_id: int, language: str) -> None:
    user = update.effective_user
    assert user is not None
    result = await context.bot_data.service.reveal_post(person_of(user), post_id)
    note = text(language, "answer_forfeit_note") if result.forfeited else ""
    for chunk in answer_texts(result.question, "answer_private", language, note):
        await reply(update, chunk)


async def _answer_privately(
    context: Context, post: Post, user: TelegramUser, language: str
) -> bool:
    """Send a group post's answer to the user's private chat; True when it arrived."""
    service = context.bot_data.service
    preview = await service.reveal_preview(person_of(user), post.id)
    note = text(language, "answer_forfeit_note") if preview.forfeited else ""
    chunks = answer_texts(preview.question, "answer_private", language, note)

    async def send_all(chat_id: int) -> None:
        for chunk in chunks:
            await context.bot.send_message(chat_id, chunk)

    sent = await context.bot_data.deliverer.send(user.id, send_all)
    if isinstance(sent, Refusal):
        await service.refused(address(user.id), sent)
        return False
    await service.reveal_post(person_of(user), post.id)
    return True


async def _group_answer(update: Update, context: Context, post: Post, language: str) -> None:
    user = update.effective_user
    assert user is not None
    name = html.escape(user.full_name)
    if post.revealed_at is not None:
        await reply(update, text(language, "answer_already_here"))
        return
    if await _answer_privately(context, post, user, language):
        await reply(update, text(language, "answer_sent_private", name=name))
    else:
        button = InlineKeyboardButton(
            text(language, "button_open_bot"),
            url=deep_link(context, sign(context.bot_data.link_key, REVEAL, post.id)),
        )
        await reply(
            update, text(language, "answer_need_start", name=name), InlineKeyboardMarkup([[button]])
        )


async def answer(update: Update, context: Context) -> None:
    """/answer: in private reveal (forfeiting if not tried); in a group send it privately."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    language = await reply_language(update, context)
    service = context.bot_data.service
    post = await service.open_post(place_of(chat), person_of(user))
    if post is None:
        await reply(update, text(language, "no_open_question"))
        return
    try:
        if chat.type == "private":
            await _send_answer_here(update, context, post.id, language)
        else:
            await _group_answer(update, context, post, language)
    except NoQuestion:
        await reply(update, text(language, "question_gone"))


async def show_answer_button(update: Update, context: Context) -> None:
    """The 'Show answer' button: like /answer, the answer never fits a callback notice."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = language_of(
        None, query.from_user.language_code, context.bot_data.settings.quiz.default_language
    )
    service = context.bot_data.service
    message = query.message
    try:
        # The id came back from our own button, but a client can send any callback data:
        # the post must belong to the chat the button was pressed in.
        if message is None:
            raise NoQuestion("no message")
        post, _ = await service.find_post(int(query.data.split(":")[1]), place_of(message.chat))
    except NoQuestion:
        await query.answer(text(language, "question_gone"))
        return
    if message.chat.type == "private":
        await query.answer()
        await _send_answer_here(update, context, post.id, language)
        return
    if post.revealed_at is not None:
        await query.answer(text(language, "answer_already_here"))
    elif await _answer_privately(context, post, query.from_user, language):
        await query.answer(text(language, "callback_sent"))
    else:
        await query.answer(url=deep_link(context, sign(context.bot_data.link_key, REVEAL, post.id)))


async def _acknowledge_in_group(message: Message, result: AttemptResult) -> None:
    """A reaction, never a message: 100 answers must not flood the group."""
    if not result.counted:
        emoji = "👀"
    elif result.verdict.coverage >= 1:
        emoji = "🔥"
    elif result.verdict.passed:
        emoji = "👍"
    else:
        emoji = "✍"
    try:
        await message.set_reaction(ReactionTypeEmoji(emoji))
    except TelegramError as exc:
        log.info("reaction not set: %s", exc)


async def group_reply(update: Update, context: Context) -> None:
    """A reply to the bot's question in a group is an answer."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.reply_to_message is None:
        return
    if (
        message.reply_to_message.from_user is None
        or message.reply_to_message.from_user.id != context.bot.id
    ):
        return
    try:
        target = ReplyTarget(message_ref(message.chat.id, message.reply_to_message.message_id))
        result = await context.bot_data.service.answer(person_of(user), target, message.text or "")
    except NoQuestion:
        return
    if result is not None:
        # The answer is committed; its reaction need not hold up the next update.
        await context.bot_data.deliverer.in_background(
            _acknowledge_in_group(message, result),
            lambda job: context.application.create_task(job, update=update),
        )


async def private_text(update: Update, context: Context) -> None:
    """In a private chat any text answers the open question, with the full verdict."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    language = await reply_language(update, context)
    try:
        result = await context.bot_data.service.answer(
            person_of(user), FocusTarget(), message.text or ""
        )
    except NoQuestion:
        result = None
    if result is None:
        await reply(update, text(language, "no_open_question"))
        return
    if result.verdict.empty:
        await reply(update, text(language, "empty_answer"))
        return
    await reply(update, verdict_text(result, language, detailed=True))


async def poll_answer(update: Update, context: Context) -> None:
    """A vote in one of the bot's quiz polls is an answer; Telegram shows right or wrong."""
    vote = update.poll_answer
    if vote is None or vote.user is None:
        return
    try:
        await context.bot_data.service.vote(
            person_of(vote.user), PollTarget(PLATFORM, vote.poll_id), list(vote.option_ids)
        )
    except NoQuestion:
        return


async def score(update: Update, context: Context) -> None:
    """/score: your points, answers, coverage and streak in this chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    card = await context.bot_data.service.score_card(place_of(chat), person_of(user))
    await reply(update, score_text(card, user.full_name, await reply_language(update, context)))


async def top(update: Update, context: Context) -> None:
    """/top [week|month|all]: this chat's leaderboard."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await reply_language(update, context)
    period = (context.args or ["week"])[0].lower()
    if period not in PERIODS or len(context.args or []) > 1:
        await reply(update, text(language, "usage_top"))
        return
    board = await context.bot_data.service.leaderboard(place_of(chat), period)
    await reply(update, leaderboard_text(board, language))


def _split_schedule_args(args: list[str]) -> tuple[str | None, str | None]:
    at = next((a for a in args if any(c.isdigit() for c in a) and "/" not in a), None)
    zone = next((a for a in args if a is not at), None)
    if len(args) > 2 or (len(args) == 2 and (at is None or zone is None)):
        raise ScheduleError("expected at most a time and a zone")
    return at, zone


async def _admin_command(update: Update, context: Context) -> tuple[Chat, str] | None:
    """The chat and reply language when the sender may change the chat; else refuse, None."""
    chat = update.effective_chat
    if chat is None:
        return None
    language = await reply_language(update, context)
    if not await _is_admin(update, context):
        await reply(update, text(language, "admins_only"))
        return None
    return chat, language


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [HH:MM] [Area/City]: the daily question (admins only in groups)."""
    allowed = await _admin_command(update, context)
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
    allowed = await _admin_command(update, context)
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
    if not await _is_admin(update, context):
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
    if not await _is_admin(update, context):
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


async def reload(update: Update, context: Context) -> None:
    """/reload (owners): load the bank again; an invalid bank is refused, the old one stays."""
    language = await reply_language(update, context)
    if not _is_owner(update, context):
        await reply(update, text(language, "owners_only"))
        return
    path = Path(context.bot_data.settings.bank.path)
    try:
        bank = await asyncio.to_thread(load_bank, path)
    except BankError as exc:
        problems = "\n".join(html.escape(str(p)) for p in exc.problems[:20])
        await reply(update, text(language, "reload_failed", problems=problems))
        return
    await context.bot_data.service.publish_bank(bank)
    summary = summarize(bank)
    await reply(update, text(language, "reloaded", ready=summary.ready, drafts=summary.drafts))


async def stats(update: Update, context: Context) -> None:
    """/stats (owners): how many chats, users, posts and answers."""
    language = await reply_language(update, context)
    if not _is_owner(update, context):
        await reply(update, text(language, "owners_only"))
        return
    service = context.bot_data.service
    counts = await service.counts()
    await reply(update, text(language, "stats", ready=len(service.bank.ready()), **counts))


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


async def on_error(update: object, context: Context) -> None:
    """Log with the update's context, then apologise to the user without details."""
    log.error("error while handling %r", update, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        language = language_of(
            None,
            update.effective_user.language_code if update.effective_user else None,
            context.bot_data.settings.quiz.default_language,
        )
        try:
            await context.bot.send_message(update.effective_chat.id, text(language, "error"))
        except TelegramError:
            log.warning("could not send the apology")
