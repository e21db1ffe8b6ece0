"""The typed bot_data every handler reaches through `context.bot_data`."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings
from bot.gc_pacing import GcPacer
from bot.quiz.broadcast import Broadcaster
from bot.quiz.service import QuizService
from bot.telegram_adapter.delivery import Deliverer


class BotData:
    """Filled in by post_init: settings, the service, the deliverer and the broadcaster
    (and the garbage collection pacer, running from post_init to post_stop)."""

    def __init__(self) -> None:
        self.settings = Settings()
        self._service: QuizService | None = None
        self.deliverer = Deliverer()
        self.broadcaster: Broadcaster | None = None
        self.link_key = b""
        self.gc_pacer = GcPacer()

    @property
    def has_service(self) -> bool:
        """True once post_init opened the service."""
        return self._service is not None

    @property
    def service(self) -> QuizService:
        """The quiz service (opened in post_init)."""
        assert self._service is not None, "post_init has not run"
        return self._service

    @service.setter
    def service(self, service: QuizService) -> None:
        self._service = service


Context = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
