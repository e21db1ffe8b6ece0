"""A fake Discord on loopback: REST checked against openapi.json, a gateway, users who act."""

from __future__ import annotations

import json
import re
import secrets
import time
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.fake_discord.gateway import Gateway
from tests.fake_discord.rest import ROUTES, DiscordError, reply, unknown_channel
from tests.fake_discord.spec import load_spec
from tests.fake_discord.state import (
    EVERYONE,
    JSON,
    TIMESTAMP,
    Fault,
    Guild,
    Interaction,
    Request,
    Snowflakes,
    user_json,
)
from tests.fake_discord.users import Users

API = "/api/v10"


class FakeDiscord(Users):
    """Start with `async with FakeDiscord() as fake:`; `base_url` is what Route.BASE takes."""

    def __init__(self) -> None:
        self.new_id = Snowflakes()
        self.token = "fake." + secrets.token_urlsafe(24)
        self.application_id = self.new_id()
        self.bot_user = user_json(self.application_id, "quizbot", bot=True)
        self.owner_id = self.new_id()
        self.users: dict[str, JSON] = {self.owner_id: user_json(self.owner_id, "Owner")}
        self.guilds: dict[str, Guild] = {}
        self.dm_channels: dict[str, JSON] = {}  # user id -> DM channel
        self.deleted: set[str] = set()
        self.messages: dict[str, list[JSON]] = {}
        self.commands: dict[str, JSON] = {}
        self.command_syncs = 0
        self.interactions: dict[str, Interaction] = {}
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.internal_errors: list[str] = []
        self.mention_problems: list[str] = []
        self.spec = load_spec()
        self.gateway = Gateway(self.token, self._ready, self._guild_payloads, self.new_id)
        self._runner: web.AppRunner | None = None
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self.port = 0

    # ----- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def problems(self) -> list[str]:
        """Everything the bot did that Discord would refuse or that the fake could not handle."""
        found = [p for r in self.requests for p in r.problems]
        return found + self.internal_errors + self.mention_problems + self.gateway.errors

    # ----- the world ---------------------------------------------------------------------------

    def add_user(self, name: str) -> str:
        user_id = self.new_id()
        self.users[user_id] = user_json(user_id, name)
        return user_id

    def add_guild(self, name: str, owner: str | None = None) -> Guild:
        guild = Guild(self.new_id(), name, owner or self.owner_id)
        guild.roles[guild.id] = _role(guild.id, "@everyone", EVERYONE)
        guild.members[self.application_id] = []
        guild.members[guild.owner_id] = []
        self.guilds[guild.id] = guild
        return guild

    def add_role(self, guild: Guild, name: str, permissions: int) -> str:
        role_id = self.new_id()
        guild.roles[role_id] = _role(role_id, name, permissions)
        return role_id

    def add_member(self, guild: Guild, user_id: str, *roles: str) -> None:
        guild.members[user_id] = list(roles)

    def add_channel(self, guild: Guild, name: str) -> str:
        channel_id = self.new_id()
        guild.channels[channel_id] = {
            "id": channel_id,
            "type": 0,
            "guild_id": guild.id,
            "name": name,
            "position": len(guild.channels),
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }
        return channel_id

    def delete_channel(self, channel_id: str) -> None:
        self.deleted.add(channel_id)

    def dm_channel(self, user_id: str) -> JSON:
        if user_id not in self.users:
            raise DiscordError(400, 50033, "Invalid Recipient(s)")
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = {
                "id": self.new_id(),
                "type": 1,
                "recipients": [self.users[user_id]],
                "last_message_id": None,
                "flags": 0,
            }
        return self.dm_channels[user_id]

    def channel(self, channel_id: str) -> JSON:
        if channel_id not in self.deleted:
            for guild in self.guilds.values():
                if channel_id in guild.channels:
                    return guild.channels[channel_id]
            for dm in self.dm_channels.values():
                if dm["id"] == channel_id:
                    return dm
        raise unknown_channel()

    def check_may_post(self, channel: JSON) -> None:
        if "guild_id" in channel:
            guild = self.guilds[channel["guild_id"]]
            if self.application_id not in guild.members:
                raise DiscordError(403, 50001, "Missing Access")

    def message(self, channel_id: str, message_id: str) -> JSON:
        for message in self.messages.get(channel_id, []):
            if message["id"] == message_id:
                return message
        for interaction in self.interactions.values():
            for answer in [interaction.original, *interaction.followups]:
                if answer is not None and answer["id"] == message_id:
                    return answer
        raise DiscordError(404, 10008, "Unknown Message")

    def new_message(self, channel_id: str, body: JSON) -> JSON:
        if body.get("content") or body.get("embeds"):
            mentions = body.get("allowed_mentions")
            if mentions is None or mentions.get("parse") != [] or mentions.get("replied_user"):
                self.mention_problems.append(f"allowed_mentions {mentions!r} in {channel_id}")
        channel = self.channel(channel_id) if channel_id not in self.deleted else {}
        message = {
            "id": self.new_id(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 19 if body.get("message_reference") else 0,
            "flags": int(body.get("flags") or 0),
        }
        if "guild_id" in channel:
            message["guild_id"] = channel["guild_id"]
        if body.get("message_reference"):
            reference = body["message_reference"]
            message["message_reference"] = {
                k: str(v) if k.endswith("_id") else v for k, v in reference.items()
            }
        return message

    def interaction(self, token: str) -> Interaction:
        for interaction in self.interactions.values():
            if interaction.token == token:
                return interaction
        raise DiscordError(404, 10015, "Unknown Webhook")

    def fail(self, method: str, path: str, status: int, body: JSON, times: int = 1) -> Fault:
        """Answer the next `times` requests to `method path` (a regex) with an error."""
        fault = Fault(method, re.compile(path), status, body, times)
        self.faults.append(fault)
        return fault

    def rate_limit(self, method: str, path: str, retry_after: float = 0.05) -> Fault:
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        return self.fail(method, path, 429, {**body, "code": 0})

    # ----- the HTTP side -----------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        self._in_flight += 1
        self._last_activity = time.monotonic()
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            text = await request.text()
            body = json.loads(text) if request.content_type == "application/json" else text
        record = Request(request.method, path, body)
        self.requests.append(record)
        try:
            response = await self._answer(request, record)
        except DiscordError as error:
            response = reply({"message": error.message, "code": error.code}, error.status)
        except Exception as exc:
            self.internal_errors.append(f"{request.method} {path}: {exc!r}")
            response = reply({"message": "internal", "code": 0}, 500)
        finally:
            self._in_flight -= 1
            self._last_activity = time.monotonic()
        record.status = response.status
        return response

    async def _answer(self, request: web.Request, record: Request) -> web.StreamResponse:
        record.problems = self.spec.problems(record.method, record.path, record.body)
        is_webhook = record.path.startswith(("/webhooks/", "/interactions/"))
        if not is_webhook and request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        for fault in self.faults:
            hit = fault.hits < fault.times and fault.method == record.method
            if hit and fault.path.search(record.path):
                fault.hits += 1
                headers = {"Via": "1.1 google"} if fault.status == 429 else {}
                if fault.status == 429:
                    headers["Retry-After"] = str(fault.body["retry_after"])
                return reply(fault.body, fault.status, headers)
        for candidate in ROUTES:
            match = candidate.pattern.match(record.path)
            if match and candidate.method == record.method:
                return await candidate.handler(self, match, request, record.body)
        self.internal_errors.append(f"the fake has no {record.method} {record.path}")
        raise DiscordError(404, 0, "404: Not Found")

    # ----- gateway payloads --------------------------------------------------------------------

    def _ready(self, session_id: str) -> JSON:
        return {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": g, "unavailable": True} for g in self.guilds],
            "session_id": session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    def _guild_payloads(self) -> list[JSON]:
        return [self._guild_payload(g) for g in self.guilds.values()]

    def _guild_payload(self, guild: Guild) -> JSON:
        members = [
            {
                "user": self.users.get(uid, self.bot_user),
                "roles": roles,
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
            for uid, roles in guild.members.items()
        ]
        return {
            "id": guild.id,
            "name": guild.name,
            "icon": None,
            "owner_id": guild.owner_id,
            "roles": list(guild.roles.values()),
            "channels": [c for c in guild.channels.values() if c["id"] not in self.deleted],
            "members": members,
            "member_count": len(members),
            "unavailable": False,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "preferred_locale": "en-US",
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "system_channel_flags": 0,
            "nsfw_level": 0,
            "joined_at": TIMESTAMP,
        }


def _role(role_id: str, name: str, permissions: int) -> JSON:
    return {
        "id": role_id,
        "name": name,
        "permissions": str(permissions),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
