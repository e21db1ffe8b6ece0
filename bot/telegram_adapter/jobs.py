"""The one repeating tick: reveal what is due, then post what is due, through the deliverer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import PollType

from bot.quiz.model import Kind
from bot.quiz.service import DuePost, DueReveal
from bot.telegram_adapter.context import Context
from bot.telegram_adapter.render import answer_texts, question_text, summary_text
from bot.telegram_adapter.texts import language_of, text

log = logging.getLogger(__name__)
BATCH = 500
CLAIM_BATCH = 100
CONCURRENCY = 64


async def bounded(jobs: Iterable[Awaitable[Any]], limit: int = CONCURRENCY) -> None:
    """Run the jobs with at most `limit` at a time; one failure never stops the others."""
    semaphore = asyncio.Semaphore(limit)

    async def run(job: Awaitable[Any]) -> None:
        async with semaphore:
            try:
                await job
            except Exception:
                log.exception("a send failed")

    await asyncio.gather(*(run(job) for job in jobs))


def post_keyboard(
    post_id: int, is_group: bool, username: str, language: str
) -> InlineKeyboardMarkup:
    """'Answer privately' (a deep link, in groups) and 'Show answer' (a callback)."""
    rows = []
    if is_group:
        url = f"https://t.me/{username}?start=p{post_id}"
        rows.append([InlineKeyboardButton(text(language, "button_private"), url=url)])
    rows.append(
        [InlineKeyboardButton(text(language, "button_answer"), callback_data=f"a:{post_id}")]
    )
    return InlineKeyboardMarkup(rows)


async def send_post(context: Context, due: DuePost, recording: asyncio.Lock) -> None:
    """Send one claimed question and record its message (one sender records at a time)."""
    data = context.bot_data
    language = language_of(due.chat.language, None, data.settings.quiz.default_language)
    question = due.question
    keyboard = post_keyboard(due.post.id, due.chat.is_group, context.bot.username, language)

    async def send(chat_id: int) -> Message:
        if question.kind is Kind.CHOICE:
            # The HTML parse mode of Defaults applies to the poll's texts too.
            return await context.bot.send_poll(
                chat_id,
                escape(question.question),
                [escape(choice) for choice in question.choices],
                is_anonymous=False,
                type=PollType.QUIZ,
                correct_option_ids=[question.correct or 0],  # type: ignore[list-item]
                explanation=escape(question.explanation) if question.explanation else None,
                reply_markup=keyboard,
            )
        return await context.bot.send_message(
            chat_id, question_text(question, language), reply_markup=keyboard
        )

    sent = await data.deliverer.send(due.chat.id, send)
    if sent is None:
        return
    _, message = sent
    # SQLite has one writer: senders queueing here beat senders polling for its lock.
    async with recording:
        await data.service.record_sent(
            due.post, message.message_id, message.poll.id if message.poll else None
        )


async def send_reveal(context: Context, due: DueReveal) -> None:
    """Post the reference answer (split to fit) and the summary, replying to the question."""
    data = context.bot_data
    language = language_of(due.chat.language, None, data.settings.quiz.default_language)
    chunks = answer_texts(
        due.question, "reveal", language, "\n\n" + summary_text(due.summary, language)
    )
    first_id: int | None = None
    for chunk in chunks:
        reply = ReplyParameters(due.post.message_id or 0, allow_sending_without_reply=True)

        async def send(
            chat_id: int, body: str = chunk, reply_to: ReplyParameters = reply
        ) -> Message:
            return await context.bot.send_message(chat_id, body, reply_parameters=reply_to)

        sent = await data.deliverer.send(due.chat.id, send)
        if sent is None:
            return
        if first_id is None:
            first_id = sent[1].message_id
            await data.service.record_reveal_message(due.post, first_id)


async def tick(context: Context) -> None:
    """Reveal due answers, then send due questions, in batches until none is left."""
    service = context.bot_data.service
    while True:
        reveals = await service.due_reveals(BATCH)
        await bounded(send_reveal(context, due) for due in reveals)
        if len(reveals) < BATCH:
            break
    await send_due_posts(context)


async def send_due_posts(context: Context) -> None:
    """Claim due posts a batch ahead of CONCURRENCY senders, so sending never waits on a claim."""
    service = context.bot_data.service
    # At most BATCH + CLAIM_BATCH posts are claimed and unsent: queued or being claimed.
    queue: asyncio.Queue[DuePost | None] = asyncio.Queue(maxsize=BATCH)

    async def claim() -> None:
        try:
            # A stopping bot claims no more: what it claimed it still sends before it exits.
            while context.application.running:
                posts = await service.due_posts(CLAIM_BATCH)
                for due in posts:
                    await queue.put(due)
                if len(posts) < CLAIM_BATCH:
                    return
        finally:
            for _ in range(CONCURRENCY):
                await queue.put(None)

    recording = asyncio.Lock()

    async def send() -> None:
        while (due := await queue.get()) is not None:
            try:
                await send_post(context, due, recording)
            except Exception:
                log.exception("a send failed")

    claimed, *_ = await asyncio.gather(
        claim(), *(send() for _ in range(CONCURRENCY)), return_exceptions=True
    )
    if isinstance(claimed, BaseException):
        raise claimed
