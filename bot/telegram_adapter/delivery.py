"""Sending with Telegram's refusals handled: 429 waited out, 403 unsubscribes, migrations move."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.quiz.service import QuizService

log = logging.getLogger(__name__)
T = TypeVar("T")
NETWORK_RETRIES = 3
BACKOFF_SECONDS = 1.0
NOT_FOUND_MARKERS = ("chat not found", "chat_id is empty", "peer_id_invalid")
BACKGROUND_LIMIT = 32


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


class Deliverer:
    """Runs one send for one chat and turns Telegram's errors into service calls."""

    def __init__(self, service: QuizService, backoff: float = BACKOFF_SECONDS) -> None:
        self.service = service
        self.backoff = backoff
        self._background = asyncio.Semaphore(BACKGROUND_LIMIT)

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
        task.add_done_callback(lambda _: self._background.release())

    async def send(self, chat_id: int, make: Callable[[int], Awaitable[T]]) -> tuple[int, T] | None:
        """Call `make(chat_id)`; return (the chat id it reached, its result), or None."""
        waited = False
        migrated = False
        failures = 0
        while True:
            try:
                return chat_id, await make(chat_id)
            except RetryAfter as exc:
                if waited:
                    log.warning("chat %s: still rate limited, giving up this message", chat_id)
                    return None
                waited = True
                await asyncio.sleep(_seconds(exc.retry_after))
            except ChatMigrated as exc:
                if migrated:
                    return None
                migrated = True
                log.info("chat %s migrated to %s", chat_id, exc.new_chat_id)
                await self.service.migrate_chat(chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
            except Forbidden as exc:
                log.info("chat %s unreachable: %s", chat_id, exc.message)
                await self.service.chat_unreachable(chat_id, exc.message[:200])
                return None
            except BadRequest as exc:
                if any(marker in exc.message.lower() for marker in NOT_FOUND_MARKERS):
                    await self.service.chat_failed(chat_id, exc.message[:200])
                else:
                    log.warning("chat %s: bad request: %s", chat_id, exc.message)
                return None
            except (TimedOut, NetworkError) as exc:
                failures += 1
                if failures > NETWORK_RETRIES:
                    log.warning("chat %s: network error, giving up: %s", chat_id, exc)
                    return None
                await asyncio.sleep(self.backoff * 2 ** (failures - 1))
