"""The message catalogue holds no markup, and every adapter's rendering of it is balanced."""

from __future__ import annotations

import re

import pytest

from bot.quiz.messages import EMPHASIS, TEXTS, render
from bot.telegram_adapter.texts import text


def test_both_languages_have_the_same_keys() -> None:
    assert TEXTS["zh"].keys() == TEXTS["en"].keys()


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_the_catalogue_has_no_markup_and_balanced_tokens(language: str) -> None:
    for key, template in TEXTS[language].items():
        assert not re.search(r"</?[a-z]+>|&[a-z]+;", template), key
        opened: list[str] = []
        for closing, style in EMPHASIS.findall(template):
            if closing:
                assert opened and opened.pop() == style, key
            else:
                opened.append(style)
        assert not opened, key


def test_each_adapter_renders_the_tokens_in_its_markup_and_escapes_its_own_words() -> None:
    markdown = render(
        "en", "answer_private", lambda w: w, {"b": ("**", "**"), "i": ("_", "_")}, {"answer": "x"}
    )
    assert markdown.startswith("💡 **Reference answer**")
    assert text("en", "answer_private", answer="a &lt; b") == (
        "💡 <b>Reference answer</b>\n\na &lt; b"
    )
