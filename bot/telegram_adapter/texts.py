"""The message catalogue (bot/quiz/messages.py) as Telegram HTML."""

from __future__ import annotations

from html import escape

from bot.quiz.messages import TEXTS, language_of, render

HTML_EMPHASIS = {"b": ("<b>", "</b>"), "i": ("<i>", "</i>")}

__all__ = ["TEXTS", "language_of", "text"]


def _literal(words: str) -> str:
    # Braces are format fields; only the catalogue's own words are escaped.
    return escape(words, quote=False)


def text(language: str, key: str, **values: object) -> str:
    """The text for `key` in `language` as HTML, formatted with already-escaped values."""
    return render(language, key, _literal, HTML_EMPHASIS, values)
