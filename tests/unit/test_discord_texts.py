"""Every text the Discord adapter asks for exists in both languages, and renders as Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.discord_adapter.texts import OWN, text
from bot.quiz.messages import TEXTS

BOT = Path(__file__).resolve().parents[2] / "bot"
SOURCES = [*(BOT / "discord_adapter").glob("*.py"), BOT / "presenting.py"]
KEY = re.compile(r"""\btext\(\s*\w+,\s*"(\w+)"|"(title_\w+)"|"(answer_title)\"""")


def _keys() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        for match in KEY.finditer(path.read_text(encoding="utf-8")):
            found.update(g for g in match.groups() if g)
    return found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_key_the_adapter_uses_exists(language: str) -> None:
    keys = _keys()
    assert {"verdict", "not_here", "button_write", "title_daily"} <= keys
    missing = [k for k in keys if k not in OWN[language] and k not in TEXTS[language]]
    assert missing == []


def test_catalogue_emphasis_becomes_markdown_and_its_words_are_escaped() -> None:
    assert text("en", "score", name="A", points=1, answered=1, average="1%", streak=0).startswith(
        "📈 **A**"
    )
    assert text("en", "help").startswith("**Daily question:**")
