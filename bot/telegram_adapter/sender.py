"""The broadcast Sender on Telegram: questions as messages or quiz polls, reveals as replies."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputPollOption,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode, PollType
from telegram.ext import ExtBot

from bot.quiz.model import Kind
from bot.quiz.records import MessageRef
from bot.quiz.service import DuePost, DueReveal, Refusal
from bot.telegram_adapter.delivery import Deliverer
from bot.telegram_adapter.identity import ref_of
from bot.telegram_adapter.links import FOCUS, sign
from bot.telegram_adapter.render import answer_texts, question_text, summary_text
from bot.telegram_adapter.texts import language_of, text


def post_keyboard(
    post_id: int, is_group: bool, username: str, language: str, key: bytes
) -> InlineKeyboardMarkup:
    """'Answer privately' (a signed deep link, in groups) and 'Show answer' (a callback)."""
    rows = []
    if is_group:
        url = f"https://t.me/{username}?start={sign(key, FOCUS, post_id)}"
        rows.append([InlineKeyboardButton(text(language, "button_private"), url=url)])
    rows.append(
        [InlineKeyboardButton(text(language, "button_answer"), callback_data=f"a:{post_id}")]
    )
    return InlineKeyboardMarkup(rows)


class TelegramSender:
    """Implements the broadcast's Sender port with PTB's bot."""

    def __init__(
        self, bot: ExtBot[Any], deliverer: Deliverer, default_language: str, key: bytes
    ) -> None:
        self.bot = bot
        self.key = key
        self.deliverer = deliverer
        self.default_language = default_language

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        """The question as a message with buttons, or a choice question as a quiz poll."""
        language = language_of(due.chat.language, None, self.default_language)
        question = due.question
        keyboard = post_keyboard(
            due.post.id, due.chat.is_group, self.bot.username, language, self.key
        )

        async def send(chat_id: int) -> Message:
            if question.kind is Kind.CHOICE:
                # The HTML parse mode of Defaults applies to the poll's texts too; the options
                # say so themselves, or PTB would copy each one to insert the default.
                return await self.bot.send_poll(
                    chat_id,
                    escape(question.question),
                    [
                        InputPollOption(escape(choice), text_parse_mode=ParseMode.HTML)
                        for choice in question.choices
                    ],
                    is_anonymous=False,
                    type=PollType.QUIZ,
                    correct_option_ids=[question.correct or 0],  # type: ignore[list-item]
                    explanation=escape(question.explanation) if question.explanation else None,
                    reply_markup=keyboard,
                )
            return await self.bot.send_message(
                chat_id, question_text(question, language), reply_markup=keyboard
            )

        sent = await self.deliverer.send(int(due.address.external_id), send)
        return sent if isinstance(sent, Refusal) else ref_of(sent)

    async def send_reveal(self, due: DueReveal) -> MessageRef | Refusal:
        """The reference answer (split to fit) and the summary, replying to the question."""
        language = language_of(due.chat.language, None, self.default_language)
        chunks = answer_texts(
            due.question, "reveal", language, "\n\n" + summary_text(due.summary, language)
        )
        reply_to = int(due.question_ref.message) if due.question_ref else 0
        first: MessageRef | None = None
        for chunk in chunks:
            reply = ReplyParameters(reply_to, allow_sending_without_reply=True)

            async def send(
                chat_id: int, body: str = chunk, reply: ReplyParameters = reply
            ) -> Message:
                return await self.bot.send_message(chat_id, body, reply_parameters=reply)

            sent = await self.deliverer.send(int(due.address.external_id), send)
            if isinstance(sent, Refusal):
                return first or sent
            first = first or ref_of(sent)
        assert first is not None
        return first
