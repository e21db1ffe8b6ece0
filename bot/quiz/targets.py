"""How an answer names its post: the targets adapters build from replies, votes and buttons."""

from __future__ import annotations

from dataclasses import dataclass

from bot.quiz.records import MessageRef, Place


@dataclass(frozen=True)
class ReplyTarget:
    """A reply to one of the bot's messages."""

    ref: MessageRef


@dataclass(frozen=True)
class PollTarget:
    """A vote in one of the bot's polls."""

    platform: str
    poll: str


@dataclass(frozen=True)
class PostTarget:
    """A post named by a button or modal, pressed in `place`; the id is untrusted."""

    post_id: int
    place: Place


@dataclass(frozen=True)
class FocusTarget:
    """The question the person is on in private."""


Target = ReplyTarget | PollTarget | PostTarget | FocusTarget
"""How an answer names its post."""
