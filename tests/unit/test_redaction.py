"""Secrets never reach a printed line or a log line, wherever they come from."""

from __future__ import annotations

import io
import logging

from bot.redaction import RedactingFormatter, redact, register

TOKEN = "4242424:short-Token"


def test_registered_secrets_token_shapes_and_url_passwords_are_masked() -> None:
    register(TOKEN, "whsec-abc123")
    text = redact(
        f"GET https://api.telegram.org/bot{TOKEN}/getMe and bot4242424%3Ashort-Token, "
        "secret whsec-abc123, another token 5555555:AAbbCCddEEffGGhhIIjjKKll, "
        "postgresql+asyncpg://quiz:pa55word@db.example/quiz"
    )
    for secret in (TOKEN, "4242424%3Ashort-Token", "whsec-abc123", "AAbbCCdd", "pa55word"):
        assert secret not in text
    assert "postgresql+asyncpg://quiz:[redacted]@db.example/quiz" in text


def test_log_lines_and_tracebacks_are_redacted() -> None:
    register(TOKEN)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s", f"https://api.telegram.org/bot{TOKEN}/getUpdates")
        try:
            raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
        except ValueError:
            logger.exception("start failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "Traceback" in output and "rejected by the server" in output
    assert TOKEN not in output and "short-Token" not in output
