"""Keep secrets (bot token, webhook secret, database password) out of every line we print or log.

`register` records the configured secrets; `redact` replaces them, and anything shaped like a bot
token or a URL's password, in a text. `install_logging` routes every log record through `redact`,
so an exception message, a URL logged by a library or a traceback can never show a secret.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from urllib.parse import quote, urlsplit

MASK = "[redacted]"
MIN_SECRET = 4  # shorter values would mask ordinary words; Telegram's secrets are longer
TOKEN_SHAPE = re.compile(r"\b\d{3,}:[A-Za-z0-9_-]{20,}")
URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_secrets: set[str] = set()


def register(*values: str | None) -> None:
    """Remember secrets to mask (and their URL-encoded forms)."""
    for value in values:
        if value and len(value) >= MIN_SECRET:
            _secrets.add(value)
            _secrets.add(quote(value, safe=""))
            _secrets.add(quote(value))


def url_password(url: str) -> str | None:
    """The password in a database URL, if it holds one."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def redact(text: str) -> str:
    """`text` with every registered secret, bot-token-shaped word and URL password masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = TOKEN_SHAPE.sub(MASK, text)
    return URL_PASSWORD.sub(lambda m: m.group("head") + MASK + "@", text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments, traceback) never holds a secret."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, redacted."""
        return redact(super().format(record))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (a test may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Emit to the current sys.stderr."""
        self.stream = sys.stderr
        super().emit(record)


def install_logging(level: int) -> None:
    """Log to stderr through the redacting formatter; uncaught tracebacks are redacted too."""
    root = logging.getLogger()
    handler = _StderrHandler()
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    for old in list(root.handlers):
        if getattr(old, "quizbot", False):
            root.removeHandler(old)
    handler.quizbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    sys.excepthook = _redacted_excepthook


def _redacted_excepthook(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))
