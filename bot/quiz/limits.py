"""What each platform can send, as data: the bank checker and the README take their limits here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PlatformLimits:
    """Sizes a platform accepts for what the bot sends."""

    name: str
    message_chars: int
    choice_question_chars: int
    options_min: int
    options_max: int
    option_chars: int
    explanation_chars: int
    explanation_line_feeds: int


TELEGRAM = PlatformLimits(
    name="telegram",
    message_chars=4096,
    # A choice question is a quiz poll (Bot API sendPoll): question 1-300, options 1-100
    # characters, explanation 0-200 characters with at most 2 line feeds. The Bot API allows
    # up to 12 options; quizbot letters them A-J, so 10.
    choice_question_chars=300,
    options_min=2,
    options_max=10,
    option_chars=100,
    explanation_chars=200,
    explanation_line_feeds=2,
)

DISCORD = PlatformLimits(
    name="discord",
    # Message content holds 2,000 characters and an embed description 4,096; questions go out
    # as embeds. A choice question is one button per option (labels up to 80 characters),
    # beside 'Show answer', in 5 rows of 5 buttons.
    message_chars=4096,
    choice_question_chars=4096,
    options_min=2,
    options_max=24,
    option_chars=80,
    explanation_chars=1024,
    explanation_line_feeds=20,
)

PLATFORMS = {limits.name: limits for limits in (TELEGRAM, DISCORD)}


def strictest(platforms: Iterable[PlatformLimits]) -> PlatformLimits:
    """The limits every one of the platforms accepts."""
    chosen = list(platforms)
    values: dict[str, object] = {"name": "+".join(p.name for p in chosen)}
    for field in fields(PlatformLimits):
        if field.name == "name":
            continue
        numbers = [getattr(p, field.name) for p in chosen]
        values[field.name] = max(numbers) if field.name == "options_min" else min(numbers)
    return PlatformLimits(**values)  # type: ignore[arg-type]


ALL = strictest(PLATFORMS.values())
"""What the bank is checked against by default: every platform quizbot can post to."""


def limits_table() -> str:
    """The README's statement of the limits, a Markdown table made from these numbers."""
    rows = [
        "| limit | "
        + " | ".join(p.name for p in PLATFORMS.values())
        + " | the bank is checked against |",
        "| --- | " + " | ".join("---" for _ in PLATFORMS) + " | --- |",
    ]
    labels = {
        "message_chars": "message, characters",
        "choice_question_chars": "choice question, characters",
        "options_max": "options of a choice question, at most",
        "option_chars": "option, characters",
        "explanation_chars": "explanation, characters",
        "explanation_line_feeds": "explanation, line breaks",
    }
    for key, label in labels.items():
        values = [str(getattr(p, key)) for p in (*PLATFORMS.values(), ALL)]
        rows.append(f"| {label} | " + " | ".join(values) + " |")
    return "\n".join(rows)
