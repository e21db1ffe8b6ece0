"""Wire the PTB Application: builder, defaults, typed context, handlers, jobs, lifecycle."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.config import Settings
from bot.quiz.broadcast import Broadcaster, Sender
from bot.quiz.service import QuizService
from bot.telegram_adapter import handlers, privacy
from bot.telegram_adapter.aiohttp_request import AiohttpRequest
from bot.telegram_adapter.context import BotData
from bot.telegram_adapter.identity import PLATFORM
from bot.telegram_adapter.links import link_key
from bot.telegram_adapter.sender import TelegramSender

log = logging.getLogger(__name__)
LIMITED_PREFIXES = ("send", "copy", "forward", "edit")
DEFAULTS = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
)

COMMANDS = {
    "en": {
        "private": [
            ("quiz", "practise one question"),
            ("answer", "show the reference answer"),
            ("score", "your score"),
            ("subscribe", "one question a day: [HH:MM] [Area/City]"),
            ("unsubscribe", "stop the daily question"),
            ("settings", "time, zone, days, topics, language"),
            ("forget", "see and delete what I keep about you"),
            ("help", "how this works"),
        ],
        "group": [
            ("answer", "get the answer privately (no points)"),
            ("score", "your standing here"),
            ("top", "leaderboard: [week|month|all]"),
            ("help", "how this works"),
        ],
        "admin": [
            ("subscribe", "daily question: [HH:MM] [Area/City]"),
            ("unsubscribe", "stop the daily question"),
            ("settings", "time, zone, days, topics, reveal, language"),
        ],
    },
    "zh": {
        "private": [
            ("quiz", "练一道题"),
            ("answer", "查看参考答案"),
            ("score", "我的成绩"),
            ("subscribe", "每日一题：[HH:MM] [地区/城市]"),
            ("unsubscribe", "取消每日一题"),
            ("settings", "时间、时区、星期、主题、语言"),
            ("forget", "查看并删除我的数据"),
            ("help", "使用说明"),
        ],
        "group": [
            ("answer", "私信获取答案（不计分）"),
            ("score", "我在本群的成绩"),
            ("top", "排行榜：[week|month|all]"),
            ("help", "使用说明"),
        ],
        "admin": [
            ("subscribe", "每日一题：[HH:MM] [地区/城市]"),
            ("unsubscribe", "取消每日一题"),
            ("settings", "时间、时区、星期、主题、公布、语言"),
        ],
    },
}


async def _register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    scopes = {
        "private": BotCommandScopeAllPrivateChats(),
        "group": BotCommandScopeAllGroupChats(),
        "admin": BotCommandScopeAllChatAdministrators(),
    }
    for language, sets in COMMANDS.items():
        for name, scope in scopes.items():
            commands = sets[name] if name != "admin" else sets["group"] + sets["admin"]
            await application.bot.set_my_commands(
                [BotCommand(c, d) for c, d in commands],
                scope=scope,
                language_code=None if language == "en" else language,
            )


class MessageRateLimiter(AIORateLimiter):
    """Telegram's flood limits count messages: reactions, button answers and look-ups pass."""

    def __init__(self, max_retries: int = 0) -> None:
        # 30/s as 10 per 1/3 s: PTB's 30-message burst lets jitter on the way to Telegram bunch
        # a second's worth into a 429; a burst of 10 still makes up for a 0.3 s stall.
        super().__init__(overall_max_rate=10, overall_time_period=1 / 3, max_retries=max_retries)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Rate-limit sends and edits; anything else goes out at once."""
        if endpoint.startswith(LIMITED_PREFIXES) and endpoint != "sendChatAction":
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        return await callback(*args, **kwargs)


def build_application(
    settings: Settings,
    open_service: Callable[[], Awaitable[QuizService]],
    *,
    register_commands: bool = True,
    schedule: bool = True,
    route: Callable[[Sender], Sender] | None = None,
    platforms: Sequence[str] = (PLATFORM,),
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The whole bot: PTB application with handlers, the tick job and the store's lifecycle."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    context_types = ContextTypes(bot_data=BotData)

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        data: BotData = application.bot_data
        data.settings = settings
        data.service = await open_service()
        data.link_key = link_key(settings.telegram.token)
        data.gc_pacer.start()
        if register_commands:
            await _register_commands(application)
        sender = TelegramSender(
            application.bot, data.deliverer, settings.quiz.default_language, data.link_key
        )
        # Beside other platforms in one process, the tick sends through a router (bot.platforms).
        routed: Sender = route(sender) if route is not None else sender
        broadcaster = Broadcaster(
            data.service, routed, lambda: application.running, platforms=platforms
        )
        data.broadcaster = broadcaster

        async def tick(_: object) -> None:
            await broadcaster.tick()

        assert application.job_queue is not None
        if schedule:
            application.job_queue.run_repeating(
                tick, interval=settings.quiz.tick_seconds, first=0.2, name="tick"
            )

    async def post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        data: BotData = application.bot_data
        await data.gc_pacer.stop()
        if data.broadcaster is not None:
            await data.broadcaster.wait()

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        data: BotData = application.bot_data
        if data.has_service:
            await data.service.close()

    builder = (
        ApplicationBuilder()
        .token(settings.telegram.token)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .defaults(DEFAULTS)
        .context_types(context_types)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .concurrent_updates(False)
    )
    if settings.telegram.http_client == "aiohttp":
        # PTB's defaults otherwise: 256 connections for calls, 1 for getUpdates, same timeouts.
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    if settings.telegram.rate_limit:
        builder = builder.rate_limiter(MessageRateLimiter(max_retries=0))  # type: ignore[arg-type]
    application = builder.build()
    add_handlers(application)
    return application


def add_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every command, message, button, poll and membership handler."""
    commands: list[tuple[str, Callable[[Update, Any], Coroutine[Any, Any, None]]]] = [
        ("start", handlers.start),
        ("help", handlers.help_command),
        ("quiz", handlers.quiz),
        ("answer", handlers.answer),
        ("score", handlers.score),
        ("top", handlers.top),
        ("subscribe", handlers.subscribe),
        ("unsubscribe", handlers.unsubscribe),
        ("settings", handlers.settings_command),
        ("reload", handlers.reload),
        ("stats", handlers.stats),
    ]
    # Answers first: they are most of the updates, and PTB tries the handlers in order. No
    # other handler takes a text that is no command.
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & filters.REPLY & filters.TEXT & ~filters.COMMAND,
            handlers.group_reply,
        )
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, handlers.private_text
        )
    )
    # Before /start's own handler: the deep link a group's /forget gives opens the prompt.
    forget_link = filters.ChatType.PRIVATE & filters.Regex(rf"^/start {privacy.START_PAYLOAD}$")
    application.add_handler(CommandHandler("start", privacy.forget, forget_link))
    application.add_handler(CommandHandler("forget", privacy.forget))
    application.add_handler(CallbackQueryHandler(privacy.forget_button, pattern=r"^f:"))
    for name, callback in commands:
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migrated))
    application.add_handler(CallbackQueryHandler(handlers.show_answer_button, pattern=r"^a:\d+$"))
    application.add_handler(CallbackQueryHandler(handlers.settings_button, pattern=r"^s:"))
    application.add_handler(PollAnswerHandler(handlers.poll_answer))
    application.add_handler(
        ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(handlers.on_error)


ALLOWED_UPDATES = Update.ALL_TYPES
