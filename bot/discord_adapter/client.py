"""The discord.py client: REST and gateway URLs, commands synced when changed, dynamic buttons,
and the broadcast tick. No privileged intent: slash commands, buttons and modals need none."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import DiscordSettings
from bot.discord_adapter.commands import Localizer, build_tree
from bot.discord_adapter.context import NO_MENTIONS, Runtime
from bot.discord_adapter.forget import ForgetButton
from bot.discord_adapter.identity import PLATFORM
from bot.discord_adapter.sender import DiscordSender
from bot.discord_adapter.views import DYNAMIC_ITEMS
from bot.quiz.broadcast import Broadcaster, PlatformRouter, Sender
from bot.quiz.service import QuizService

log = logging.getLogger(__name__)
DISCORD_API = "https://discord.com/api/v10"
FIRST_TICK = 1.0
COMMAND_KEYS = (
    "name",
    "name_localizations",
    "description",
    "description_localizations",
    "options",
    "default_member_permissions",
    "type",
    "nsfw",
)


class QuizClient(discord.Client):
    """One Discord bot over the shared service; `tick_seconds` 0 leaves ticking to the caller."""

    def __init__(
        self,
        service: QuizService,
        settings: DiscordSettings,
        *,
        default_language: str = "zh",
        tick_seconds: float = 20.0,
        route: Callable[[Sender], Sender] | None = None,
        receive: bool = True,
        **options: Any,
    ) -> None:
        options.setdefault("intents", discord.Intents.default())
        super().__init__(allowed_mentions=NO_MENTIONS, **options)
        self.settings = settings
        self.runtime = Runtime(service, default_language)
        self.tree = build_tree(self)
        self.sender = DiscordSender(self, default_language)
        # Alone, the tick claims Discord's chats only; a router (bot.platforms) serves several.
        routed = route(self.sender) if route else PlatformRouter({PLATFORM: self.sender})
        self.broadcaster = Broadcaster(
            service, routed, lambda: not self.is_closed(), platforms=None if route else (PLATFORM,)
        )
        self.tick_seconds = tick_seconds
        self.receive = receive  # False: the scheduler role, REST only, commands left alone
        self._ticking: asyncio.Task[None] | None = None

    async def login(self, token: str) -> None:
        """Point discord.py's REST routes at the configured API before the first request."""
        Route.BASE = self.settings.api_base_url.rstrip("/")
        await super().login(token)

    async def setup_hook(self) -> None:
        """Gateway URL, buttons, commands (synced once, when changed), then the tick."""
        await self._point_gateway()
        self.add_dynamic_items(*DYNAMIC_ITEMS, ForgetButton)
        await self.tree.set_translator(Localizer())
        if self.settings.sync_commands and self.receive:
            await self.sync_commands()
        if self.tick_seconds > 0:
            self._ticking = asyncio.create_task(self._tick_forever(), name="discord-tick")

    async def _point_gateway(self) -> None:
        """Route.BASE does not move the gateway: a plain Client connects to DEFAULT_GATEWAY, so
        take it from the configuration, or from the configured API's GET /gateway/bot."""
        if self.settings.gateway_url:
            url = self.settings.gateway_url
        elif self.settings.api_base_url.rstrip("/") != DISCORD_API:
            _, url, _ = await self.http.get_bot_gateway()
        else:
            return
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def sync_commands(self) -> bool:
        """Register the commands unless Discord already has exactly these; True when synced.
        Creating commands is rate-limited per day, so this runs at start, not on connect."""
        assert self.application_id is not None
        translator = self.tree.translator
        wanted = [
            await c.get_translated_payload(self.tree, translator)
            if translator
            else c.to_dict(self.tree)
            for c in self.tree.get_commands()
        ]
        route = Route(
            "GET", "/applications/{application_id}/commands", application_id=self.application_id
        )
        current = await self.http.request(route, params={"with_localizations": "true"})
        if _canonical(current) == _canonical(wanted):
            log.info("slash commands unchanged")
            return False
        await self.tree.sync()
        log.info("slash commands registered (%d)", len(wanted))
        return True

    async def _tick_forever(self) -> None:
        await asyncio.sleep(FIRST_TICK)
        while not self.is_closed():
            try:
                await self.broadcaster.tick()
            except Exception:
                log.exception("discord tick failed")
            await asyncio.sleep(self.tick_seconds)

    async def close(self) -> None:
        """Stop ticking, let the broadcast under way finish, then disconnect."""
        if self._ticking is not None:
            self._ticking.cancel()
            await asyncio.gather(self._ticking, return_exceptions=True)
        await self.broadcaster.wait()
        await super().close()


def _canonical(commands: list[dict[str, Any]]) -> str:
    """Commands as Discord and discord.py both describe them, without ids and defaults."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {k: clean(v) for k, v in value.items() if v not in (None, False, [], {})}
            return {
                k: v
                for k, v in kept.items()
                if k not in ("id", "application_id", "version", "guild_id")
            }
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    reduced = [{k: c.get(k) for k in COMMAND_KEYS} for c in commands]
    for command in reduced:
        command["type"] = command.get("type") or 1
        permissions = command.get("default_member_permissions")
        command["default_member_permissions"] = None if permissions is None else str(permissions)
    return json.dumps(sorted((clean(c) for c in reduced), key=lambda c: c["name"]), sort_keys=True)
