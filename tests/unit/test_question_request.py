"""The broadcast's question requests, built without PTB's objects, are what PTB would send."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputPollOption,
    Message,
)
from telegram.constants import ParseMode, PollType
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

from bot.quiz.model import Kind, Question
from bot.quiz.records import DAILY, Address, Chat, ChatKind, MessageRef, Post
from bot.quiz.service import DuePost, Refusal, RefusalKind
from bot.telegram_adapter.app import DEFAULTS
from bot.telegram_adapter.delivery import Deliverer
from bot.telegram_adapter.identity import ref_of
from bot.telegram_adapter.links import FOCUS, sign
from bot.telegram_adapter.render import question_text
from bot.telegram_adapter.sender import TelegramSender
from bot.telegram_adapter.texts import text
from tests.fake_bot_api import BotApiSpec

KEY = b"k" * 32
USERNAME = "quiz_bot"
OPEN = Question("q-open", Kind.OPEN, "Why is <b> & \"this\" 'bold'?", "because", tags=("html&co",))
CHOICE = Question(
    "q-choice",
    Kind.CHOICE,
    "Which <one>?",
    "b",
    choices=("a < b", "b & c", "d"),
    correct=1,
    explanation="b & c, <since>",
)
BARE_CHOICE = Question("q-bare", Kind.CHOICE, "Pick", "x", choices=("x", "y"), correct=None)


class Recording(BaseRequest):
    """Records each request's parameters and answers with a message in the asked chat."""

    def __init__(self, status: int = 200, error: str = "") -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []
        self.status = status
        self.error = error

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(  # type: ignore[override]  # the timeouts are not looked at
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[1]
        fields = request_data.json_parameters if request_data else {}
        if endpoint == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Quiz", "username": USERNAME}
            return 200, json.dumps({"ok": True, "result": me}).encode()
        self.sent.append((endpoint, fields))
        if self.status != 200:
            body = {"ok": False, "error_code": self.status, "description": self.error}
            return self.status, json.dumps(body).encode()
        chat_id = int(fields["chat_id"])
        result: dict[str, Any] = {
            "message_id": 41,
            "date": 0,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
        }
        if endpoint == "sendPoll":
            options = [
                {"persistent_id": str(i), "text": o["text"], "voter_count": 0}
                for i, o in enumerate(json.loads(fields["options"]))
            ]
            result["poll"] = {
                "id": "poll-9",
                "question": fields["question"],
                "options": options,
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": False,
                "type": "quiz",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        else:
            result["text"] = fields["text"]
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def _bot(request: Recording) -> ExtBot[Any]:
    bot: ExtBot[Any] = ExtBot("1:token", request=request, defaults=DEFAULTS)
    await bot.initialize()
    return bot


def _due(question: Question, chat_id: int, language: str | None) -> DuePost:
    kind = ChatKind.GROUP if chat_id < 0 else ChatKind.PRIVATE
    chat = Chat(3, kind, language=language)
    slot = datetime(2026, 1, 1, 9, tzinfo=UTC)
    post = Post(77, 3, question.id, slot, DAILY, slot)
    return DuePost(chat, Address("telegram", str(chat_id)), post, question)


async def _as_ptb_sends(bot: ExtBot[Any], due: DuePost, language: str) -> Message:
    """The question sent the way the sender did with PTB's methods and objects."""
    post_id = due.post.id
    rows = []
    if due.chat.is_group:
        url = f"https://t.me/{USERNAME}?start={sign(KEY, FOCUS, post_id)}"
        rows.append([InlineKeyboardButton(text(language, "button_private"), url=url)])
    rows.append(
        [InlineKeyboardButton(text(language, "button_answer"), callback_data=f"a:{post_id}")]
    )
    keyboard = InlineKeyboardMarkup(rows)
    question = due.question
    chat_id = int(due.address.external_id)
    if question.kind is Kind.CHOICE:
        return await bot.send_poll(
            chat_id,
            escape(question.question),
            [InputPollOption(escape(c), text_parse_mode=ParseMode.HTML) for c in question.choices],
            is_anonymous=False,
            type=PollType.QUIZ,
            correct_option_ids=[question.correct or 0],  # type: ignore[list-item]
            explanation=escape(question.explanation) if question.explanation else None,
            reply_markup=keyboard,
        )
    return await bot.send_message(chat_id, question_text(question, language), reply_markup=keyboard)


def _decoded(fields: dict[str, str]) -> dict[str, Any]:
    """Each parameter as the Bot API reads it: JSON where it is JSON, else the string."""
    decoded: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            decoded[name] = json.loads(value)
        except ValueError:
            decoded[name] = value
    return decoded


@pytest.mark.parametrize("question", [OPEN, CHOICE, BARE_CHOICE], ids=lambda q: q.id)
@pytest.mark.parametrize(("chat_id", "language"), [(5, None), (-100, "zh"), (-7, None)])
async def test_a_question_goes_out_as_ptb_would_send_it(
    question: Question, chat_id: int, language: str | None
) -> None:
    request = Recording()
    bot = await _bot(request)
    sender = TelegramSender(bot, Deliverer(), "en", KEY)
    due = _due(question, chat_id, language)

    ref = await sender.send_question(due)
    expected_message = await _as_ptb_sends(bot, due, language or "en")

    [(ours_endpoint, ours), (ptb_endpoint, ptb)] = request.sent
    assert (
        ours_endpoint
        == ptb_endpoint
        == ("sendPoll" if question.kind is Kind.CHOICE else "sendMessage")
    )
    allowed = set(BotApiSpec.load().methods[ours_endpoint].fields)
    assert set(ours) <= allowed, set(ours) - allowed
    # PTB adds `parse_mode` to sendPoll, a parameter sendPoll does not have; the rest is equal.
    assert _decoded(ours) == {k: v for k, v in _decoded(ptb).items() if k in allowed}
    assert ref == ref_of(expected_message)
    assert isinstance(ref, MessageRef)
    assert (ref.poll is not None) is (question.kind is Kind.CHOICE)


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (403, "Forbidden: bot was blocked by the user", RefusalKind.BLOCKED),
        (400, "Bad Request: chat not found", RefusalKind.GONE),
        (400, "Bad Request: message is too long", RefusalKind.FAILED),
    ],
)
async def test_a_refused_question_is_mapped_as_ptb_errors_are(
    status: int, error: str, kind: RefusalKind
) -> None:
    bot = await _bot(Recording(status, error))
    sender = TelegramSender(bot, Deliverer(), "en", KEY)
    refused = await sender.send_question(_due(OPEN, 5, None))
    assert isinstance(refused, Refusal)
    assert refused.kind is kind
    with pytest.raises(Forbidden if status == 403 else BadRequest):
        await bot.send_message(5, "x")


async def test_each_post_has_its_keyboard_and_a_reloaded_question_its_text() -> None:
    request = Recording()
    sender = TelegramSender(await _bot(request), Deliverer(), "en", KEY)
    first = _due(OPEN, 5, None)
    await sender.send_question(first)
    await sender.send_question(replace(first, post=replace(first.post, id=78)))
    edited = replace(OPEN, question="Edited?")
    await sender.send_question(replace(first, question=edited))
    keyboards = [json.loads(fields["reply_markup"]) for _, fields in request.sent]
    callbacks = [k["inline_keyboard"][-1][0]["callback_data"] for k in keyboards]
    assert callbacks == ["a:77", "a:78", "a:77"]
    texts = [fields["text"] for _, fields in request.sent]
    assert texts[0] == texts[1] == question_text(OPEN, "en")
    assert texts[2] == question_text(edited, "en") != texts[0]
