"""Garbage collection paced for latency (issue 16).

httpx/httpcore leave ~40 objects in reference cycles behind every request, which only the cyclic
collector frees. CPython counts young objects as allocations minus deallocations, so while a
backlog of updates is being worked off (each processed update freed) that count hardly grows:
after a burst of 10,000 answers, ~430,000 dead objects had piled up and one collection then
froze the event loop for 0.5-0.6 s, the p99 of the next paced minute (benchmark 1, PostgreSQL).

Two remedies, both cheap: the objects alive after start-up (modules, the bank, PTB's handlers;
~100,000 here) are frozen out of every later full collection (`gc.freeze`), and a young
collection runs every second, so dead cycles are freed a second's worth at a time (a few ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc

PACE_SECONDS = 1.0


def freeze_startup() -> None:
    """Collect once, then keep what survived start-up out of later collections."""
    gc.collect()
    gc.freeze()


class GcPacer:
    """A task collecting the young generations every `seconds`, started and stopped with the bot."""

    def __init__(self, seconds: float = PACE_SECONDS) -> None:
        self.seconds = seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="gc-pacer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            gc.collect(1)
