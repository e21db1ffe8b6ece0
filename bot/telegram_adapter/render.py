"""Service results as Telegram HTML: every user or bank text is escaped here."""

from __future__ import annotations

from html import escape

from telegram.constants import MessageLimit

from bot.presenting import LETTERS, Presenter, reference_body
from bot.quiz.model import Kind, Question
from bot.telegram_adapter.texts import text

HEADROOM = 64


def split_html(body: str, limit: int = MessageLimit.MAX_TEXT_LENGTH - HEADROOM) -> list[str]:
    """Escaped text split below `limit` on paragraph, then line, then character boundaries."""
    chunks: list[str] = []
    current = ""
    for paragraph in body.split("\n"):
        piece = escape(paragraph)
        while len(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            cut = piece.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            while (
                "&" in piece[max(0, cut - 6) : cut]
                and ";" not in piece[piece.rfind("&", 0, cut) : cut]
            ):
                cut -= 1
            chunks.append(piece[:cut])
            piece = piece[cut:]
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > limit:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def question_text(question: Question, language: str) -> str:
    """The question for a group or daily post."""
    return text(language, "ask", topic=escape(question.topic), question=escape(question.question))


def _with_options(question: Question) -> str:
    body = escape(question.question)
    if question.kind is Kind.CHOICE:
        options = "\n".join(f"{LETTERS[i]}. {escape(o)}" for i, o in enumerate(question.choices))
        body = f"{body}\n{options}"
    return body


def practice_text(question: Question, language: str, review: bool) -> str:
    """The question for private practice; a choice question lists its lettered options."""
    label = text(language, "practice_review" if review else "practice_new")
    return text(
        language,
        "ask_practice",
        label=label,
        topic=escape(question.topic),
        question=_with_options(question),
    )


def focus_text(question: Question, language: str) -> str:
    """A group's question sent to a member who chose to answer privately."""
    return text(language, "ask_private_focus", question=_with_options(question))


def answer_texts(question: Question, key: str, language: str, suffix: str = "") -> list[str]:
    """The reference answer (and explanation, and editor's note), split to fit Telegram messages."""
    chunks = split_html(reference_body(question, language, text))
    chunks[0] = text(language, key, answer=chunks[0])
    if len(chunks[0]) > MessageLimit.MAX_TEXT_LENGTH:
        chunks[0:1] = split_html(chunks[0])
    if suffix:
        if len(chunks[-1]) + len(suffix) <= MessageLimit.MAX_TEXT_LENGTH:
            chunks[-1] += suffix
        else:
            chunks.append(suffix.strip())
    return chunks


_present = Presenter(text, escape)
verdict_text = _present.verdict
summary_text = _present.summary
score_text = _present.score
leaderboard_text = _present.leaderboard
settings_text = _present.settings
