"""A fake Discord on loopback: REST checked against openapi.json, a gateway, users who act."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from tests.fake_discord.gateway import Gateway
from tests.fake_discord.rest import ROUTES, DiscordError, reply, unknown_channel
from tests.fake_discord.spec import load_spec
from tests.fake_discord.state import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    EPHEMERAL,
    EVERYONE,
    JSON,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    TIMESTAMP,
    Guild,
    Interaction,
    Snowflakes,
    user_json,
)

T = TypeVar("T")
API = "/api/v10"


@dataclass
class Fault:
    """An error answer for the next `times` requests matching a method and path."""

    method: str
    path: re.Pattern[str]
    status: int
    body: JSON
    times: int = 1
    hits: int = 0


@dataclass
class Request:
    """A REST request as the fake saw it, and its answer's status."""

    method: str
    path: str
    body: Any
    status: int = 0
    problems: list[str] = field(default_factory=list)


class FakeDiscord:
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

    # ----- users act ---------------------------------------------------------------------------

    async def slash(self, user_id: str, channel_id: str, name: str, **options: Any) -> Interaction:
        """A user runs a slash command; wait until the bot answered it completely."""
        return await self.run(self.command(user_id, channel_id, name, **options))

    def command(self, user_id: str, channel_id: str, name: str, **options: Any) -> Interaction:
        """A slash command interaction, made but not yet sent."""
        command = self.commands.get(name)
        assert command is not None, f"/{name} is not registered"
        types = {o["name"]: o["type"] for o in command.get("options") or []}
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [{"name": k, "type": types[k], "value": v} for k, v in options.items()],
        }
        return self.start(APPLICATION_COMMAND, user_id, channel_id, data)

    async def autocomplete(
        self, user_id: str, channel_id: str, name: str, option: str, typed: str
    ) -> list[JSON]:
        """A user types into an option; the choices the bot offers."""
        command = self.commands[name]
        types = {o["name"]: o["type"] for o in command.get("options") or []}
        focused = {"name": option, "type": types[option], "value": typed, "focused": True}
        data = {"id": command["id"], "name": name, "type": 1, "options": [focused]}
        interaction = await self.run(self.start(AUTOCOMPLETE, user_id, channel_id, data))
        assert interaction.callback is not None
        return list(interaction.callback["data"]["choices"])

    async def press(self, user_id: str, message: JSON, custom_id: str) -> Interaction:
        """A user presses a button on a message."""
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = self.start(MESSAGE_COMPONENT, user_id, message["channel_id"], data)
        interaction.payload["message"] = message
        return await self.run(interaction)

    async def submit(self, opened: Interaction, **values: str) -> Interaction:
        """The user fills in the modal the bot opened and submits it."""
        modal = opened.modal
        assert modal is not None, "the bot opened no modal"
        rows = []
        for row in modal["components"]:
            inner = row.get("components") or [row.get("component")]
            fields = [
                {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")}
                for c in inner
                if c and c.get("type") == 4
            ]
            if row["type"] == 18:
                rows.append({"type": 18, "component": fields[0]})
            else:
                rows.append({"type": 1, "components": fields})
        data = {"custom_id": modal["custom_id"], "components": rows}
        interaction = self.start(MODAL_SUBMIT, opened.user_id, opened.channel_id, data)
        if "message" in opened.payload:
            interaction.payload["message"] = opened.payload["message"]
        return await self.run(interaction)

    def start(self, kind: int, user_id: str, channel_id: str, data: JSON) -> Interaction:
        """Make an interaction (not yet sent)."""
        interaction_id, token = self.new_id(), "itoken." + secrets.token_urlsafe(16)
        channel = self.channel(channel_id)
        payload: JSON = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "channel": channel,
            "channel_id": channel_id,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "attachment_size_limit": 10_485_760,
            "entitlements": [],
            "authorizing_integration_owners": {"0": channel.get("guild_id", "0")},
        }
        if "guild_id" in channel:
            guild = self.guilds[channel["guild_id"]]
            payload["guild_id"] = guild.id
            payload["guild_locale"] = "en-US"
            payload["context"] = 0
            payload["app_permissions"] = str(guild.permissions(self.application_id))
            payload["member"] = {
                "user": self.users[user_id],
                "roles": guild.members[user_id],
                "permissions": str(guild.permissions(user_id)),
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "nick": None,
                "avatar": None,
            }
        else:
            payload["user"] = self.users[user_id]
            payload["context"] = 1
            payload["app_permissions"] = str(EPHEMERAL | (1 << 11) | (1 << 14))
        interaction = Interaction(interaction_id, token, kind, user_id, channel_id, payload)
        self.interactions[interaction_id] = interaction
        return interaction

    async def send(self, interaction: Interaction) -> None:
        await self.gateway.dispatch("INTERACTION_CREATE", interaction.payload)

    async def run(self, interaction: Interaction) -> Interaction:
        await self.send(interaction)
        return await self.settle(interaction)

    async def settle(self, interaction: Interaction) -> Interaction:
        """Wait until the interaction is answered (and followed up) and the bot went quiet."""
        await self.wait_for(lambda: interaction.complete, what=f"an answer to {interaction.id}")
        await self.wait_idle()
        return interaction

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 15, what: str = "") -> T:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if self.internal_errors:
                raise AssertionError(f"the fake failed: {self.internal_errors}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.01)
        return value

    async def wait_idle(self, quiet: float = 0.1, timeout: float = 15) -> None:  # noqa: ASYNC109
        """Wait until no request is in flight and none came for `quiet` seconds."""
        await self.wait_for(
            lambda: self._in_flight == 0 and time.monotonic() - self._last_activity >= quiet,
            timeout,
            "the bot to go quiet",
        )

    def channel_messages(self, channel_id: str) -> list[JSON]:
        return list(self.messages.get(channel_id, []))

    def calls(self, method: str, path: str) -> list[Request]:
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.search(r.path)]

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
