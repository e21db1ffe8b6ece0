"""The fake's REST routes: what discord.py calls for a bot that answers interactions and posts."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fake_discord.state import (
    CHANNEL_MESSAGE,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    EPHEMERAL,
    JSON,
    MODAL,
    TIMESTAMP,
    UPDATE_MESSAGE,
)

if TYPE_CHECKING:
    from tests.fake_discord.server import FakeDiscord

Handler = Callable[["FakeDiscord", re.Match[str], web.Request, Any], Awaitable[web.Response]]


class DiscordError(Exception):
    """An error answer, as Discord gives it: a status, a JSON code and a message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer with Discord's exact content type (discord.py compares it verbatim)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


ROUTES: list[Route] = []


def route(method: str, path: str) -> Callable[[Handler], Handler]:
    """Register a handler; `{name}` in the path matches one segment."""

    def register(handler: Handler) -> Handler:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
        ROUTES.append(Route(method, re.compile(f"^{regex}$"), handler))
        return handler

    return register


@route("GET", "/users/@me")
async def get_me(fake: FakeDiscord, _: re.Match[str], __: web.Request, ___: Any) -> web.Response:
    return reply(fake.bot_user)


@route("GET", "/oauth2/applications/@me")
async def get_application(fake: FakeDiscord, *_: Any) -> web.Response:
    return reply(
        {
            "id": fake.application_id,
            "name": "quizbot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": fake.users[fake.owner_id],
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
        }
    )


@route("GET", "/gateway/bot")
async def get_gateway(fake: FakeDiscord, *_: Any) -> web.Response:
    limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    return reply({"url": fake.gateway_url, "shards": 1, "session_start_limit": limit})


@route("GET", "/applications/{app}/commands")
async def get_commands(fake: FakeDiscord, *_: Any) -> web.Response:
    return reply(list(fake.commands.values()))


@route("PUT", "/applications/{app}/commands")
async def put_commands(
    fake: FakeDiscord, _: re.Match[str], __: web.Request, body: Any
) -> web.Response:
    fake.command_syncs += 1
    previous = {c["name"]: c["id"] for c in fake.commands.values()}
    fake.commands = {}
    for command in body:
        stored = {
            "type": 1,
            "default_member_permissions": None,
            "options": [],
            **command,
            "id": previous.get(command["name"]) or fake.new_id(),
            "application_id": fake.application_id,
            "version": fake.new_id(),
        }
        if stored["default_member_permissions"] is not None:  # Discord answers with a string
            stored["default_member_permissions"] = str(stored["default_member_permissions"])
        fake.commands[stored["name"]] = stored
    return reply(list(fake.commands.values()))


@route("GET", "/channels/{channel}")
async def get_channel(fake: FakeDiscord, match: re.Match[str], *_: Any) -> web.Response:
    return reply(fake.channel(match["channel"]))


@route("POST", "/channels/{channel}/messages")
async def create_message(
    fake: FakeDiscord, match: re.Match[str], _: web.Request, body: Any
) -> web.Response:
    channel = fake.channel(match["channel"])
    fake.check_may_post(channel)
    message = fake.new_message(channel["id"], body)
    fake.messages.setdefault(channel["id"], []).append(message)
    return reply(message)


@route("PATCH", "/channels/{channel}/messages/{message}")
async def edit_message(
    fake: FakeDiscord, match: re.Match[str], _: web.Request, body: Any
) -> web.Response:
    channel = fake.channel(match["channel"])
    message = fake.message(channel["id"], match["message"])
    message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
    message["edited_timestamp"] = TIMESTAMP
    return reply(message)


@route("POST", "/users/@me/channels")
async def open_dm(fake: FakeDiscord, _: re.Match[str], __: web.Request, body: Any) -> web.Response:
    return reply(fake.dm_channel(str(body["recipient_id"])))


@route("POST", "/interactions/{id}/{token}/callback")
async def callback(
    fake: FakeDiscord, match: re.Match[str], request: web.Request, body: Any
) -> web.Response:
    interaction = fake.interaction(match["token"])
    if interaction.id != match["id"]:
        raise DiscordError(404, 10062, "Unknown interaction")
    if interaction.callback is not None:
        raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
    interaction.callback = body
    kind, data = body["type"], body.get("data") or {}
    message: JSON | None = None
    if kind == CHANNEL_MESSAGE:
        message = fake.new_message(interaction.channel_id, data)
        interaction.original = message
        if not int(data.get("flags", 0)) & EPHEMERAL:
            fake.messages.setdefault(interaction.channel_id, []).append(message)
    elif kind == DEFERRED_MESSAGE:
        message = fake.new_message(interaction.channel_id, {"flags": data.get("flags", 0)})
        message["_loading"] = True
        interaction.original = message
    elif kind == UPDATE_MESSAGE:
        target = interaction.payload.get("message") or {}
        message = fake.message(interaction.channel_id, target["id"])
        message.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
    elif kind not in (DEFERRED_UPDATE, MODAL, 8):
        raise DiscordError(400, 50035, f"Invalid callback type {kind}")
    interaction.answered.set()
    if request.query.get("with_response") not in ("1", "true"):
        return web.Response(status=204)
    response: JSON = {
        "interaction": {
            "id": interaction.id,
            "type": interaction.type,
            "response_message_loading": kind == DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(int(data.get("flags", 0)) & EPHEMERAL),
        }
    }
    if message is not None:
        response["interaction"]["response_message_id"] = message["id"]
        response["resource"] = {"type": kind, "message": _public(message)}
    return reply(response)


@route("POST", "/webhooks/{app}/{token}")
async def followup(
    fake: FakeDiscord, match: re.Match[str], _: web.Request, body: Any
) -> web.Response:
    interaction = fake.interaction(match["token"])
    if interaction.callback is None:
        raise DiscordError(404, 10015, "Unknown Webhook")
    message = fake.new_message(interaction.channel_id, body)
    original = interaction.original
    if original is not None and original.get("_loading"):
        # The first follow-up of a deferred answer takes the loading message's place.
        message["id"] = original["id"]
        message["flags"] = int(original.get("flags", 0)) | int(body.get("flags", 0))
        interaction.original = None
    interaction.followups.append(message)
    if not int(message.get("flags", 0)) & EPHEMERAL:
        fake.messages.setdefault(interaction.channel_id, []).append(message)
    return reply(_public(message))


@route("PATCH", "/webhooks/{app}/{token}/messages/@original")
async def edit_original(
    fake: FakeDiscord, match: re.Match[str], _: web.Request, body: Any
) -> web.Response:
    interaction = fake.interaction(match["token"])
    original = interaction.original
    if original is None:
        raise DiscordError(404, 10008, "Unknown Message")
    original.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
    original.pop("_loading", None)
    interaction.edits.append(body)
    return reply(_public(original))


@route("GET", "/webhooks/{app}/{token}/messages/@original")
async def get_original(fake: FakeDiscord, match: re.Match[str], *_: Any) -> web.Response:
    original = fake.interaction(match["token"]).original
    if original is None:
        raise DiscordError(404, 10008, "Unknown Message")
    return reply(_public(original))


def _public(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if not k.startswith("_")}
