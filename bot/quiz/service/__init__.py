"""The use cases every adapter calls, one module per group; results are plain objects."""

from __future__ import annotations

from bot.quiz.service.answers import AnswerUseCases
from bot.quiz.service.base import Clock, NoQuestion, Rules, SystemClock
from bot.quiz.service.chats import ChatUseCases, Refusal, RefusalKind
from bot.quiz.service.daily import DailyUseCases
from bot.quiz.service.practice import PracticeUseCases
from bot.quiz.service.results import (
    AttemptResult,
    DuePost,
    DueReveal,
    Leaderboard,
    PracticeQuestion,
    RevealResult,
    ScoreCard,
)
from bot.quiz.service.scores import PERIODS, ScoreUseCases
from bot.quiz.targets import FocusTarget, PollTarget, PostTarget, ReplyTarget, Target


class QuizService(ChatUseCases, DailyUseCases, AnswerUseCases, PracticeUseCases, ScoreUseCases):
    """Subscriptions, posting, grading, reveals, scores and practice over a Database."""


__all__ = [
    "PERIODS",
    "AttemptResult",
    "Clock",
    "DuePost",
    "DueReveal",
    "FocusTarget",
    "Leaderboard",
    "NoQuestion",
    "PollTarget",
    "PostTarget",
    "PracticeQuestion",
    "QuizService",
    "Refusal",
    "RefusalKind",
    "ReplyTarget",
    "RevealResult",
    "Rules",
    "ScoreCard",
    "SystemClock",
    "Target",
]
