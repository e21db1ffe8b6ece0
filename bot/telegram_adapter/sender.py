"""The broadcast Sender on Telegram: questions as messages or quiz polls, reveals as replies."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from telegram import Message, ReplyParameters
from telegram.constants import PollType
from telegram.ext import Defaults, ExtBot

from bot.quiz.model import Kind, Question
from bot.quiz.records import MessageRef
from bot.quiz.service import DuePost, DueReveal, Refusal
from bot.telegram_adapter.delivery import Deliverer
from bot.telegram_adapter.identity import message_ref, ref_of
from bot.telegram_adapter.links import FOCUS, sign
from bot.telegram_adapter.render import answer_texts, question_text, summary_text
from bot.telegram_adapter.texts import language_of, text

REQUESTS_KEPT = 4096


def keyboard_json(post_id: int, is_group: bool, username: str, language: str, key: bytes) -> str:
    """'Answer privately' (a signed deep link, in groups) and 'Show answer' (a callback), as
    the Bot API's JSON."""
    rows = []
    if is_group:
        url = f"https://t.me/{username}?start={sign(key, FOCUS, post_id)}"
        rows.append([{"text": text(language, "button_private"), "url": url}])
    rows.append([{"text": text(language, "button_answer"), "callback_data": f"a:{post_id}"}])
    return json.dumps({"inline_keyboard": rows})


def question_request(
    question: Question, language: str, defaults: Defaults
) -> tuple[str, dict[str, str]]:
    """The Bot API method and parameters (but the chat and the keyboard) that post a question:
    a message, or a choice question as a quiz poll. They are what PTB's send_message and
    send_poll send with these Defaults (a unit test compares them), minus a `parse_mode` PTB
    adds to sendPoll, which has no such parameter; built without PTB's objects, since the
    broadcast sends one per chat (issue 16)."""
    parse_mode = str(defaults.parse_mode)
    if question.kind is Kind.CHOICE:
        options = [
            {"text": escape(choice), "text_parse_mode": parse_mode} for choice in question.choices
        ]
        fields = {
            "question": escape(question.question),
            "options": json.dumps(options),
            "explanation_parse_mode": parse_mode,
            "is_anonymous": "false",
            "type": PollType.QUIZ.value,
            "correct_option_ids": json.dumps([question.correct or 0]),
            "question_parse_mode": parse_mode,
        }
        if question.explanation:
            fields["explanation"] = escape(question.explanation)
        return "sendPoll", fields
    fields = {"text": question_text(question, language), "parse_mode": parse_mode}
    if defaults.link_preview_options is not None:
        fields["link_preview_options"] = defaults.link_preview_options.to_json()
    return "sendMessage", fields


class TelegramSender:
    """Implements the broadcast's Sender port with PTB's bot."""

    def __init__(
        self, bot: ExtBot[Any], deliverer: Deliverer, default_language: str, key: bytes
    ) -> None:
        self.bot = bot
        self.key = key
        self.deliverer = deliverer
        self.default_language = default_language
        self.defaults = bot.defaults or Defaults()
        # Question requests by question id and language, with the Question they were made
        # from: a reloaded bank's questions are other objects, and made again.
        self._requests: dict[tuple[str, str], tuple[Question, str, dict[str, str]]] = {}

    def _question_request(self, question: Question, language: str) -> tuple[str, dict[str, str]]:
        key = (question.id, language)
        cached = self._requests.get(key)
        if cached is not None and cached[0] is question:
            return cached[1], cached[2]
        if len(self._requests) >= REQUESTS_KEPT:
            self._requests.clear()
        endpoint, fields = question_request(question, language, self.defaults)
        self._requests[key] = (question, endpoint, fields)
        return endpoint, fields

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        """The question as a message with buttons, or a choice question as a quiz poll."""
        language = language_of(due.chat.language, None, self.default_language)
        keyboard = keyboard_json(
            due.post.id, due.chat.is_group, self.bot.username, language, self.key
        )
        endpoint, fields = self._question_request(due.question, language)

        async def send(chat_id: int) -> MessageRef:
            # Bot._do_post is where PTB's methods end (and ExtBot's rate limiter sits): the
            # request goes out and its errors are mapped as for send_message.
            data = {"chat_id": str(chat_id), **fields, "reply_markup": keyboard}
            sent = await self.bot._do_post(endpoint, data)
            assert isinstance(sent, dict)
            poll = sent.get("poll")
            return message_ref(sent["chat"]["id"], sent["message_id"], poll["id"] if poll else None)

        return await self.deliverer.send(int(due.address.external_id), send)

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
