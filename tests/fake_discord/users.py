"""What users do in the fake Discord: run commands, press buttons, submit forms; and waiting."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tests.fake_discord.gateway import Gateway
from tests.fake_discord.state import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    EPHEMERAL,
    JSON,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    TIMESTAMP,
    Guild,
    Interaction,
    Request,
    Snowflakes,
)

T = TypeVar("T")


class Users:
    """The user side of FakeDiscord (a mixin: the world and the server live there)."""

    new_id: Snowflakes
    application_id: str
    users: dict[str, JSON]
    guilds: dict[str, Guild]
    commands: dict[str, JSON]
    interactions: dict[str, Interaction]
    messages: dict[str, list[JSON]]
    requests: list[Request]
    internal_errors: list[str]
    gateway: Gateway
    _in_flight: int
    _last_activity: float

    def channel(self, channel_id: str) -> JSON:
        raise NotImplementedError

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
