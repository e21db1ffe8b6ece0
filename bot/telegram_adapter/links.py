"""Deep links that cannot be forged: `p<post>` and `a<post>` payloads carry an HMAC.

The key is derived from the bot's token, so nothing new needs configuring or storing, and a
link stays valid as long as the token does. A payload is at most 36 characters of Telegram's
[A-Za-z0-9_-] start-parameter alphabet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

PAYLOAD = re.compile(r"^([pa])([0-9]{1,18})(?:-([A-Za-z0-9_-]{16}))?$")
FOCUS = "p"
REVEAL = "a"


@dataclass(frozen=True)
class Link:
    """A parsed payload: what to do with which post, and whether our signature vouches for it."""

    action: str
    post_id: int
    signed: bool


def link_key(token: str) -> bytes:
    """The signing key of a bot."""
    return hashlib.sha256(b"quizbot deep links\0" + token.encode()).digest()


def _mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode()


def sign(key: bytes, action: str, post_id: int) -> str:
    """The payload for an action on a post."""
    body = f"{action}{post_id}"
    return f"{body}-{_mac(key, body)}"


def parse(key: bytes, payload: str) -> Link | None:
    """The link in a payload, or None when it is none of ours; `signed` only with a valid MAC."""
    match = PAYLOAD.match(payload)
    if match is None:
        return None
    action, number, mac = match.groups()
    signed = mac is not None and hmac.compare_digest(mac, _mac(key, action + number))
    return Link(action, int(number), signed)
