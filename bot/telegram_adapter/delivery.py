"""Sending with Telegram's errors turned into refusals: 429 waited out once, timeouts retried."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.quiz.service import Refusal, RefusalKind
from bot.telegram_adapter.identity import address

log = logging.getLogger(__name__)
T = TypeVar("T")
NETWORK_RETRIES = 3
BACKOFF_SECONDS = 1.0
NOT_FOUND_MARKERS = ("chat not found", "chat_id is empty", "peer_id_invalid")
BACKGROUND_LIMIT = 32


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


class Deliverer:
    """Runs one send for one chat and says what Telegram's refusal means."""

    def __init__(self, backoff: float = BACKOFF_SECONDS) -> None:
        self.backoff = backoff
        self._background = asyncio.Semaphore(BACKGROUND_LIMIT)
        self.in_flight = 0
        """Best-effort requests started and not finished yet."""

    async def in_background(
        self,
        job: Coroutine[Any, Any, Any],
        start: Callable[[Coroutine[Any, Any, Any]], asyncio.Future[Any]] = asyncio.ensure_future,
    ) -> None:
        """Start a best-effort request without awaiting its answer; waits while too many run."""
        await self._background.acquire()
        try:
            task = start(job)
        except BaseException:
            self._background.release()
            raise
        self.in_flight += 1
        task.add_done_callback(self._finished)

    def _finished(self, _: asyncio.Future[Any]) -> None:
        self.in_flight -= 1
        self._background.release()

    async def send(self, chat_id: int, make: Callable[[int], Awaitable[T]]) -> T | Refusal:
        """Call `make(chat_id)`; its result, or the refusal that stopped it."""
        waited = False
        failures = 0
        while True:
            try:
                return await make(chat_id)
            except RetryAfter as exc:
                if waited:
                    log.warning("chat %s: still rate limited, giving up this message", chat_id)
                    return Refusal(RefusalKind.RETRY_LATER, "rate limited")
                waited = True
                await asyncio.sleep(_seconds(exc.retry_after))
            except ChatMigrated as exc:
                log.info("chat %s migrated to %s", chat_id, exc.new_chat_id)
                return Refusal(RefusalKind.MOVED, "migrated", address(exc.new_chat_id))
            except Forbidden as exc:
                return Refusal(RefusalKind.BLOCKED, exc.message[:200])
            except BadRequest as exc:
                if any(marker in exc.message.lower() for marker in NOT_FOUND_MARKERS):
                    return Refusal(RefusalKind.GONE, exc.message[:200])
                log.warning("chat %s: bad request: %s", chat_id, exc.message)
                return Refusal(RefusalKind.FAILED, exc.message[:200])
            except (TimedOut, NetworkError) as exc:
                failures += 1
                if failures > NETWORK_RETRIES:
                    log.warning("chat %s: network error, giving up: %s", chat_id, exc)
                    return Refusal(RefusalKind.RETRY_LATER, "network error")
                await asyncio.sleep(self.backoff * 2 ** (failures - 1))
