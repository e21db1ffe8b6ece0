"""Answers: replies in groups, text in private, poll votes, /answer and the Show answer button."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReactionTypeEmoji, Update
from telegram import User as TelegramUser
from telegram.error import TelegramError

from bot.quiz.records import Post
from bot.quiz.service import (
    AttemptResult,
    FocusTarget,
    NoQuestion,
    PollTarget,
    Refusal,
    ReplyTarget,
)
from bot.telegram_adapter.context import Context
from bot.telegram_adapter.handlers.common import deep_link, reply, reply_language
from bot.telegram_adapter.identity import PLATFORM, address, message_ref, person_of, place_of
from bot.telegram_adapter.links import REVEAL, sign
from bot.telegram_adapter.render import answer_texts, verdict_text
from bot.telegram_adapter.texts import language_of, text

log = logging.getLogger(__name__)


async def send_answer_here(update: Update, context: Context, post_id: int, language: str) -> None:
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
            await send_answer_here(update, context, post.id, language)
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
        await send_answer_here(update, context, post.id, language)
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
    target = ReplyTarget(message_ref(message.chat.id, message.reply_to_message.message_id))
    service, broadcaster = context.bot_data.service, context.bot_data.broadcaster
    try:
        result = await service.answer(person_of(user), target, message.text or "")
        if result is None and broadcaster is not None and await broadcaster.flush_records():
            # The post was sent but not yet recorded when the reply came; now it is.
            result = await service.answer(person_of(user), target, message.text or "")
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
    service, broadcaster = context.bot_data.service, context.bot_data.broadcaster
    target, options = PollTarget(PLATFORM, vote.poll_id), list(vote.option_ids)
    try:
        result = await service.vote(person_of(vote.user), target, options)
        if result is None and options and broadcaster and await broadcaster.flush_records():
            # The poll was sent but not yet recorded when the vote came; now it is.
            await service.vote(person_of(vote.user), target, options)
    except NoQuestion:
        return
