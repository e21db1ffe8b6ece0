"""Discord's errors become the service's refusals in one place (bot.discord_adapter.sender)."""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest

from bot.discord_adapter.sender import refusal
from bot.quiz.service import RefusalKind


def _error(kind: type[discord.HTTPException], status: int, code: int) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="", headers={})
    return kind(response, {"code": code, "message": "why"})


@pytest.mark.parametrize(
    ("kind", "status", "code", "expected"),
    [
        (discord.Forbidden, 403, 50001, RefusalKind.BLOCKED),  # Missing Access
        (discord.Forbidden, 403, 50013, RefusalKind.BLOCKED),  # Missing Permissions
        (discord.NotFound, 404, 10003, RefusalKind.GONE),  # Unknown Channel
        (discord.NotFound, 404, 10004, RefusalKind.GONE),  # Unknown Guild
        (discord.NotFound, 404, 10008, RefusalKind.FAILED),  # Unknown Message
        (discord.DiscordServerError, 503, 0, RefusalKind.RETRY_LATER),
        (discord.HTTPException, 400, 50035, RefusalKind.FAILED),  # Invalid Form Body
    ],
)
def test_discord_errors_map_to_refusals(
    kind: type[discord.HTTPException], status: int, code: int, expected: RefusalKind
) -> None:
    found = refusal(_error(kind, status, code))
    assert found.kind is expected
    assert str(code) in found.reason or expected is RefusalKind.RETRY_LATER
