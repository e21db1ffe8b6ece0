"""Both platforms render the same results the same way, each in its own markup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.discord_adapter import render as discord_render
from bot.quiz.model import Kind, Question, Verdict
from bot.quiz.records import Chat, Post
from bot.quiz.service import AttemptResult
from bot.telegram_adapter import render as telegram_render

NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)
QUESTION = Question(
    id="tf-scale",
    kind=Kind.OPEN,
    question="Why scale by sqrt(d_k)?",
    answer="Dot products grow with d_k.",
    note="The factor is sqrt(d_k), not 8 or 16.",
)


def _discord_reference(question: Question) -> str:
    embeds = discord_render.answer_embeds(question, "en", "answer_title")
    return "\n".join(e.description or "" for e in embeds)


def _telegram_reference(question: Question) -> str:
    return "\n".join(telegram_render.answer_texts(question, "answer_private", "en"))


REFERENCES: list[Callable[[Question], str]] = [_telegram_reference, _discord_reference]
VERDICTS = [telegram_render.verdict_text, discord_render.verdict_text]
SETTINGS = [telegram_render.settings_text, discord_render.settings_text]


@pytest.mark.parametrize("reference", REFERENCES, ids=["telegram", "discord"])
def test_the_editors_note_is_shown_with_the_reference_answer(
    reference: Callable[[Question], str],
) -> None:
    shown = reference(QUESTION)
    assert "Dot products grow" in shown
    assert "8 or 16" in shown
    assert "8 or 16" not in reference(Question(**{**QUESTION.__dict__, "note": None}))


@pytest.mark.parametrize("verdict_text", VERDICTS, ids=["telegram", "discord"])
def test_a_contradicted_point_is_named_as_contradicted_not_as_missed(
    verdict_text: Callable[..., str],
) -> None:
    verdict = Verdict(
        QUESTION.id,
        0.5,
        5,
        False,
        hit=("variance",),
        missed=("softmax saturates", "not 8"),
        contradicted=("softmax saturates",),
    )
    post = Post(1, 1, QUESTION.id, NOW, "daily", NOW)
    result = AttemptResult(QUESTION, post, verdict, True, 5, False, False, False, 0)
    lines = verdict_text(result, "en").splitlines()
    contradicted = [line for line in lines if "softmax saturates" in line]
    assert len(contradicted) == 1
    assert "not 8" not in contradicted[0]
    assert any("not 8" in line for line in lines)


@pytest.mark.parametrize("settings_text", SETTINGS, ids=["telegram", "discord"])
def test_settings_say_why_posting_stopped(settings_text: Callable[[Chat, str], str]) -> None:
    stopped = Chat(1, subscribed=False, disabled_reason="bot was removed")
    assert "bot was removed" in settings_text(stopped, "en")
    assert "Stopped" not in settings_text(Chat(1, subscribed=True), "en")


def test_names_are_escaped_in_each_platforms_markup() -> None:
    telegram = telegram_render.settings_text(Chat(1, zone="<b>x</b>"), "en")
    discord = discord_render.settings_text(Chat(1, zone="**x**"), "en")
    assert "&lt;b&gt;x&lt;/b&gt;" in telegram
    assert "\\*\\*x\\*\\*" in discord
