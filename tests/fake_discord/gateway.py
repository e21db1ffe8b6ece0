"""The fake gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME, dispatches."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

JSON = dict[str, Any]
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


@dataclass
class Session:
    """A gateway session: every dispatch it was sent, numbered, so RESUME can replay the gap."""

    id: str
    events: list[JSON] = field(default_factory=list)
    socket: web.WebSocketResponse | None = None

    @property
    def seq(self) -> int:
        return len(self.events)


class Gateway:
    """One bot's WebSocket connections; `ready` and `guilds` build the payloads."""

    def __init__(
        self,
        token: str,
        ready: Callable[[str], JSON],
        guilds: Callable[[], list[JSON]],
        new_id: Callable[[], str],
    ) -> None:
        self.token = token
        self._ready = ready
        self._guilds = guilds
        self._new_id = new_id
        self.session: Session | None = None
        self.identifies: list[JSON] = []
        self.resumes: list[JSON] = []
        self.heartbeats = 0
        self.errors: list[str] = []
        self.connected = asyncio.Event()
        self._open = asyncio.Event()
        self._open.set()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """One connection: HELLO (when the gateway is up), then the client's opcodes."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await self._open.wait()
        await socket.send_json({"op": HELLO, "d": {"heartbeat_interval": 41250}})
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            await self._receive(socket, payload)
        if self.session is not None and self.session.socket is socket:
            self.session.socket = None
            self.connected.clear()
        return socket

    async def _receive(self, socket: web.WebSocketResponse, payload: JSON) -> None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == HEARTBEAT:
            self.heartbeats += 1
            await socket.send_json({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(socket, data)
        elif op == RESUME:
            await self._resume(socket, data)
        else:
            self.errors.append(f"unexpected opcode {op}")

    async def _identify(self, socket: web.WebSocketResponse, data: JSON) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        if int(data.get("intents", 0)) & PRIVILEGED_INTENTS:
            self.errors.append(f"privileged intents asked for: {data.get('intents')}")
        self.session = Session(self._new_id())
        self.session.socket = socket
        await self.dispatch("READY", self._ready(self.session.id))
        for guild in self._guilds():
            await self.dispatch("GUILD_CREATE", guild)
        self.connected.set()

    async def _resume(self, socket: web.WebSocketResponse, data: JSON) -> None:
        self.resumes.append(data)
        session = self.session
        if (
            data.get("token") != self.token
            or session is None
            or data.get("session_id") != session.id
        ):
            await socket.send_json({"op": INVALID_SESSION, "d": False})
            return
        session.socket = socket
        for event in session.events[int(data.get("seq") or 0) :]:
            await socket.send_json(event)
        await self.dispatch("RESUMED", {})
        self.connected.set()

    async def dispatch(self, name: str, data: JSON) -> None:
        """Number an event and send it; with no connection it waits in the log for RESUME."""
        session = self.session
        if session is None:
            self.errors.append(f"{name} dispatched before IDENTIFY")
            return
        event = {"op": DISPATCH, "t": name, "s": session.seq + 1, "d": data}
        session.events.append(event)
        if session.socket is not None and not session.socket.closed:
            await session.socket.send_json(event)

    @contextlib.asynccontextmanager
    async def down(self) -> AsyncIterator[None]:
        """The connection drops and new ones get no HELLO until the block ends."""
        self._open.clear()
        session = self.session
        socket = session.socket if session else None
        if session is not None:
            session.socket = None
        self.connected.clear()
        if socket is not None:
            await socket.close(code=4000, message=b"dropped by the test")
        try:
            yield
        finally:
            self._open.set()

    async def close(self) -> None:
        """Close the live connection, if any."""
        self._open.set()
        if self.session is not None and self.session.socket is not None:
            await self.session.socket.close()
