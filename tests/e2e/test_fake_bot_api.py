"""The fake Bot API is faithful: a real PTB Bot/Application talks to it over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from tests.fake_bot_api import (
    GROUP_ANONYMOUS_BOT_ID,
    FakeBotApi,
    FakeBotApiProcess,
    Fault,
    RateLimits,
)

GROUP = -100123
ALICE = 5001
BOB = 5002


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    """One row of callback buttons."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.upper(), callback_data=d) for d in data]])


def _bot(api: FakeBotApi, **kwargs: object) -> Bot:
    """A real PTB Bot pointed at the fake server."""
    return Bot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    """An initialized Bot with a group and two users in the fake world."""
    fake_api.add_user(ALICE, "Alice", username="alice")
    fake_api.add_user(BOB, "Bob")
    fake_api.add_chat(GROUP, "group", "Quiz night")
    async with _bot(fake_api) as real_bot:
        yield real_bot


# -- identity ---------------------------------------------------------------------------------


async def test_initialize_fetches_get_me(fake_api: FakeBotApi) -> None:
    real_bot = _bot(fake_api)
    await real_bot.initialize()
    try:
        assert real_bot.id == 123456
        assert real_bot.username == "quizbot_test_bot"
        assert real_bot.bot.is_bot is True
        assert real_bot.bot.can_join_groups is True
        assert real_bot.bot.can_read_all_group_messages is True
        assert real_bot.bot.supports_inline_queries is False
    finally:
        await real_bot.shutdown()
    [call] = fake_api.calls("getMe")
    assert call.ok and call.response["username"] == "quizbot_test_bot"
    spec = fake_api.spec
    assert spec.output_errors(("User",), call.response) == []


@pytest.mark.parametrize("token", ["654321:WRONG-token", "not-a-token"])
async def test_wrong_token_is_rejected(fake_api: FakeBotApi, token: str) -> None:
    real_bot = Bot(token, base_url=fake_api.base_url)
    try:
        with pytest.raises(InvalidToken):
            await real_bot.initialize()
    finally:
        await real_bot.shutdown()
    assert fake_api.requests == []


async def test_unknown_method_is_not_found(bot: Bot, fake_api: FakeBotApi) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathicMessage", api_kwargs={"chat_id": GROUP})
    assert fake_api.calls("sendTelepathicMessage")[0].status == 404


# -- parameters -------------------------------------------------------------------------------


async def test_send_message_is_recorded_decoded_with_sequential_ids(
    bot: Bot, fake_api: FakeBotApi
) -> None:
    first = await bot.send_message(GROUP, "Question 1", reply_markup=_keyboard("a", "b"))
    second = await bot.send_message(GROUP, "Question 2", disable_notification=True)
    fake_api.send_text(GROUP, ALICE, "hello")
    third = await bot.send_message(GROUP, "Question 3")
    elsewhere = await bot.send_message(ALICE, "Private hello")

    assert [first.message_id, second.message_id, third.message_id] == [1, 2, 4]
    assert elsewhere.message_id == 1
    assert first.reply_markup == _keyboard("a", "b")
    assert first.from_user is not None and first.from_user.id == bot.id
    call = fake_api.calls("sendMessage", chat_id=GROUP)[0]
    assert call.params == {
        "chat_id": GROUP,
        "text": "Question 1",
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "A", "callback_data": "a"}, {"text": "B", "callback_data": "b"}]
            ]
        },
    }
    assert fake_api.calls("sendMessage", chat_id=GROUP)[1].params["disable_notification"] is True
    assert [m["text"] for m in fake_api.messages(GROUP)] == [
        "Question 1",
        "Question 2",
        "Question 3",
    ]


async def test_unknown_parameter_is_rejected(bot: Bot, fake_api: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match="bogus"):
        await bot.send_message(GROUP, "hi", api_kwargs={"bogus": 1})
    assert fake_api.calls("sendMessage")[0].status == 400
    assert fake_api.messages(GROUP) == []


async def test_missing_required_parameter_is_rejected(bot: Bot, fake_api: FakeBotApi) -> None:
    with (
        pytest.warns(PTBUserWarning, match="send_poll"),
        pytest.raises(BadRequest, match="options"),
    ):
        await bot.do_api_request("send_poll", api_kwargs={"chat_id": GROUP, "question": "Q?"})
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(GROUP, "")
    with pytest.raises(BadRequest, match=r"(?i)can't parse reply_markup"):
        await bot.send_message(GROUP, "x", api_kwargs={"reply_markup": '{"inline_keyboard": ['})
    assert fake_api.messages(GROUP) == []


async def test_raw_http_json_body_and_case_insensitive_method(fake_api: FakeBotApi) -> None:
    fake_api.add_chat(GROUP, "group")
    url = f"{fake_api.base_url}{fake_api.token}"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/SENDMESSAGE", json={"chat_id": GROUP, "text": "hi"}) as r:
            assert r.status == 200
            body = await r.json()
        async with session.get(f"{url}/noSuchMethod") as r:
            missing = await r.json()
    assert body["ok"] is True and body["result"]["chat"]["id"] == GROUP
    assert missing == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert fake_api.calls("sendMessage")[0].params == {"chat_id": GROUP, "text": "hi"}


# -- formatting and edits ---------------------------------------------------------------------


async def test_parse_modes_produce_entities_and_reject_bad_markup(
    bot: Bot, fake_api: FakeBotApi
) -> None:
    html = await bot.send_message(GROUP, "<b>Bold</b> &amp; /start", parse_mode=ParseMode.HTML)
    assert html.text == "Bold & /start"
    assert [(e.type, e.offset, e.length) for e in html.entities] == [
        ("bold", 0, 4),
        ("bot_command", 7, 6),
    ]
    md = await bot.send_message(GROUP, r"*Score:* 3\.5", parse_mode=ParseMode.MARKDOWN_V2)
    assert md.text == "Score: 3.5"
    assert [(e.type, e.offset, e.length) for e in md.entities] == [("bold", 0, 6)]
    with pytest.raises(BadRequest, match=r"(?i)character '.' is reserved"):
        await bot.send_message(GROUP, "Score: 3.5", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "3"'):
        await bot.send_message(GROUP, "I <3 quizzes", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't find end of the entity"):
        await bot.send_message(GROUP, "user_name", parse_mode=ParseMode.MARKDOWN)
    assert len(fake_api.messages(GROUP)) == 2


async def test_edits_follow_telegram_rules(bot: Bot, fake_api: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "Pick one", reply_markup=_keyboard("a"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Pick one", chat_id=GROUP, message_id=sent.message_id, reply_markup=_keyboard("a")
        )
    edited = await bot.edit_message_text("Answered", chat_id=GROUP, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    assert edited.reply_markup is None  # editing text without reply_markup drops the keyboard
    await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=_keyboard("b"))
    assert fake_api.messages(GROUP)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "B"
    user_message = fake_api.send_text(GROUP, ALICE, "mine")["message"]["message_id"]
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("hacked", chat_id=GROUP, message_id=user_message)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=GROUP, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(GROUP, "x", reply_markup=_keyboard("x" * 65))
    assert await bot.delete_message(GROUP, sent.message_id) is True
    assert fake_api.is_deleted(GROUP, sent.message_id) and fake_api.messages(GROUP) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(GROUP, sent.message_id)


# -- polls, buttons, updates -------------------------------------------------------------------


async def test_send_poll_quiz_roundtrip(bot: Bot, fake_api: FakeBotApi) -> None:
    message = await bot.send_poll(
        GROUP,
        "Capital of France?",
        ["Berlin", "Paris", "Rome"],
        type="quiz",
        correct_option_ids=[1],
        explanation="It is <b>Paris</b>",
        explanation_parse_mode=ParseMode.HTML,
        is_anonymous=False,
    )
    poll = message.poll
    assert poll is not None
    assert poll.type == "quiz" and poll.correct_option_ids == (1,)
    assert [o.text for o in poll.options] == ["Berlin", "Paris", "Rome"]
    assert [o.voter_count for o in poll.options] == [0, 0, 0]
    assert poll.total_voter_count == 0 and not poll.is_closed and not poll.is_anonymous
    assert not poll.allows_multiple_answers and not poll.allows_revoting
    assert poll.explanation == "It is Paris"
    assert fake_api.calls("sendPoll")[0].params["options"] == [
        {"text": "Berlin"},
        {"text": "Paris"},
        {"text": "Rome"},
    ]

    answer = fake_api.answer_poll(ALICE, poll.id, [1])
    updates = await bot.get_updates()
    assert updates[0].update_id == answer["update_id"]
    assert updates[0].poll_answer is not None
    assert updates[0].poll_answer.option_ids == (1,)
    assert updates[0].poll_answer.user is not None and updates[0].poll_answer.user.id == ALICE
    assert updates[1].poll is not None and updates[1].poll.options[1].voter_count == 1
    with pytest.raises(ValueError, match="does not allow changing"):
        fake_api.answer_poll(ALICE, poll.id, [2])

    stopped = await bot.stop_poll(GROUP, message.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    assert fake_api.messages(GROUP)[0]["poll"]["is_closed"] is True
    with pytest.raises(BadRequest, match="already been closed"):
        await bot.stop_poll(GROUP, message.message_id)


async def test_get_updates_offsets_confirm_and_long_poll(bot: Bot, fake_api: FakeBotApi) -> None:
    pushed = [fake_api.send_text(GROUP, ALICE, f"answer {i}") for i in range(3)]
    ids = [u["update_id"] for u in pushed]

    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert (
        fake_api.pending_updates == 0 and (await bot.get_webhook_info()).pending_update_count == 0
    )

    async def push_later() -> None:
        await asyncio.sleep(0.1)
        fake_api.send_text(GROUP, BOB, "late")

    loop = asyncio.get_running_loop()
    started = loop.time()
    pusher = asyncio.create_task(push_later())
    [late] = await bot.get_updates(offset=ids[2] + 1, timeout=3)
    await pusher
    assert late.message is not None and late.message.text == "late"
    assert loop.time() - started < 2

    fake_api.redeliver(pushed[0])
    [again] = await bot.get_updates(offset=late.update_id + 1)
    assert again.update_id == ids[0]
    assert await bot.get_updates(offset=late.update_id + 1) == ()

    fake_api.edit_text(GROUP, ALICE, pushed[0]["message"]["message_id"], "answer 0, edited")
    [edit] = await bot.get_updates(offset=late.update_id + 1)
    assert edit.edited_message is not None and edit.edited_message.text == "answer 0, edited"
    assert edit.edited_message.edit_date is not None


async def test_application_polling_handles_commands_and_text(fake_api: FakeBotApi) -> None:
    fake_api.add_chat(GROUP, "group", "Quiz night")
    seen: list[str] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        seen.append(f"command:{update.effective_message.text}")
        await update.effective_message.reply_text("Welcome!")

    async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        seen.append(f"text:{update.effective_message.text}")

    application = (
        Application.builder()
        .token(fake_api.token)
        .base_url(fake_api.base_url)
        .base_file_url(fake_api.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        command = fake_api.send_text(GROUP, ALICE, "/start@quizbot_test_bot")
        fake_api.send_text(GROUP, BOB, "Paris")
        [reply] = await fake_api.wait_for(lambda: fake_api.messages(GROUP))
        await fake_api.wait_for(lambda: len(seen) == 2)
        await application.updater.stop()
        await application.stop()

    assert seen == ["command:/start@quizbot_test_bot", "text:Paris"]
    assert reply["text"] == "Welcome!"
    entity = command["message"]["entities"][0]
    assert entity == {"type": "bot_command", "offset": 0, "length": 23}
    methods = [r.method for r in fake_api.requests]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    polls = fake_api.calls("getUpdates")
    assert polls[0].params.get("timeout") == 1
    assert polls[-1].params["offset"] > command["update_id"] + 1  # the last one confirmed all
    assert fake_api.pending_updates == 0


async def test_buttons_and_callback_answers(bot: Bot, fake_api: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "Pick", reply_markup=_keyboard("a", "b"))
    with pytest.raises(ValueError, match="no button"):
        fake_api.press_button(GROUP, ALICE, sent.message_id, "zzz")
    fake_api.press_button(GROUP, ALICE, sent.message_id, "b")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "b" and query.from_user.id == ALICE
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("Noted") is True
    assert fake_api.callback_answers[query.id]["text"] == "Noted"
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("twice")


async def test_anonymous_admin_and_membership(bot: Bot, fake_api: FakeBotApi) -> None:
    fake_api.send_anonymous_admin_text(GROUP, "/quiz")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.from_user is not None
    assert update.message.from_user.id == GROUP_ANONYMOUS_BOT_ID
    assert update.message.sender_chat is not None and update.message.sender_chat.id == GROUP

    fake_api.set_admin(GROUP, ALICE, "creator")
    fake_api.set_admin(GROUP, BOB)
    fake_api.set_admin(GROUP, bot.id)
    fake_api.add_user(5003, "Carol")
    assert isinstance(await bot.get_chat_member(GROUP, ALICE), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP, BOB), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(GROUP, 5003), ChatMemberLeft)
    fake_api.send_text(GROUP, 5003, "hi")
    assert isinstance(await bot.get_chat_member(GROUP, 5003), ChatMemberMember)
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.user.id for a in admins] == [ALICE, BOB, bot.id]
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Quiz night" and chat.type == "group"


async def test_bot_removed_and_group_migration_change_the_world(
    bot: Bot, fake_api: FakeBotApi
) -> None:
    fake_api.bot_removed(ALICE, ALICE)
    fake_api.migrate_group(GROUP, -1001234567890, by_user_id=BOB)
    updates = await bot.get_updates()
    member = updates[0].my_chat_member
    assert member is not None and isinstance(member.new_chat_member, ChatMemberBanned)
    assert updates[1].message is not None
    assert updates[1].message.migrate_to_chat_id == -1001234567890
    assert updates[2].message is not None and updates[2].message.migrate_from_chat_id == GROUP

    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(ALICE, "still there?")
    fake_api.add_user(5009, "Stranger", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(5009, "hello?")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(GROUP, "old group")
    assert migrated.value.new_chat_id == -1001234567890
    moved = await bot.send_message(migrated.value.new_chat_id, "new home")
    assert moved.chat.type == "supergroup" and moved.chat.title == "Quiz night"


# -- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected", "text"),
    [
        (Fault.too_many_requests(7), RetryAfter, "Flood control exceeded"),
        (Fault.blocked(), Forbidden, "blocked by the user"),
        (Fault.kicked(), Forbidden, "kicked from the group chat"),
        (Fault.migrated(-1009876543210), ChatMigrated, "migrated"),
        (Fault.chat_not_found(), BadRequest, "Chat not found"),
        (Fault.server_error(500), NetworkError, "Internal Server Error"),
        (Fault.server_error(502), NetworkError, "Bad Gateway"),
    ],
)
async def test_injected_faults_map_to_ptb_exceptions(
    bot: Bot,
    fake_api: FakeBotApi,
    fault: Fault,
    expected: type[TelegramError],
    text: str,
) -> None:
    injection = fake_api.inject("sendMessage", chat_id=GROUP, error=fault)
    await bot.send_message(ALICE, "other chats are unaffected")
    with pytest.raises(TelegramError, match=text) as caught:
        await bot.send_message(GROUP, "hi")
    assert type(caught.value) is expected
    if isinstance(caught.value, RetryAfter):
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
    if isinstance(caught.value, ChatMigrated):
        assert caught.value.new_chat_id == -1009876543210
    assert injection.hits == 1 and not injection.active
    assert (await bot.send_message(GROUP, "recovered")).message_id == 1
    assert fake_api.too_many_requests == (1 if expected is RetryAfter else 0)


async def test_injected_faults_count_down(bot: Bot, fake_api: FakeBotApi) -> None:
    fake_api.inject("*", error=Fault.server_error(), times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_chat_action(GROUP, "typing")
    assert await bot.send_chat_action(GROUP, "typing") is True


async def test_slow_answer_times_out_but_is_still_processed(fake_api: FakeBotApi) -> None:
    fake_api.add_chat(GROUP, "group")
    fake_api.inject("sendMessage", error=Fault.slow(1.0))
    async with _bot(fake_api, request=HTTPXRequest(read_timeout=0.2)) as real_bot:
        with pytest.raises(TimedOut):
            await real_bot.send_message(GROUP, "slow")
    messages = await fake_api.wait_for(lambda: fake_api.messages(GROUP), timeout=3)
    assert messages[0]["text"] == "slow"  # like Telegram: a timeout does not mean "not sent"


# -- flood limits -----------------------------------------------------------------------------


async def test_enforced_limits_answer_429_beyond_20_messages_per_minute_in_a_group() -> None:
    now = [1000.0]
    async with FakeBotApi(enforce_limits=True, clock=lambda: now[0]) as api:
        api.add_chat(GROUP, "group")
        api.add_chat(-100999, "group")
        async with _bot(api) as real_bot:
            for i in range(20):
                await real_bot.send_message(GROUP, f"message {i}")
            with pytest.raises(RetryAfter) as caught:
                await real_bot.send_message(GROUP, "one too many")
            assert caught.value.retry_after == dtm.timedelta(seconds=2)  # 1 - slack at 20/min
            await real_bot.send_message(-100999, "another group is fine")
            now[0] += 2
            await real_bot.send_message(GROUP, "after waiting")
    assert api.too_many_requests == 1
    assert len(api.messages(GROUP)) == 21


async def test_enforced_limits_cover_private_bursts_and_the_global_rate() -> None:
    limits = RateLimits(private_burst=3)
    now = [1000.0]
    async with FakeBotApi(enforce_limits=True, limits=limits, clock=lambda: now[0]) as api:
        api.add_user(ALICE, "Alice")
        for index in range(3):
            api.add_chat(-200 - index, "group")
        async with _bot(api) as real_bot:
            for _ in range(3):
                await real_bot.send_message(ALICE, "burst")
            with pytest.raises(RetryAfter):
                await real_bot.send_message(ALICE, "too fast")
            for index in range(27):
                await real_bot.send_message(-200 - index % 3, "spread")
            with pytest.raises(RetryAfter):
                await real_bot.send_message(-200, "over 30 per second")
    assert api.too_many_requests == 2


# -- in a process of its own ------------------------------------------------------------------


async def test_a_server_in_its_own_process_serves_a_real_bot_and_answers_calls() -> None:
    with FakeBotApiProcess() as server:
        server.call(FakeBotApi.add_chat, GROUP, "group", "Quiz night")
        async with Bot(server.token, base_url=server.base_url) as real_bot:
            await real_bot.send_message(GROUP, "<b>hello</b>", parse_mode=ParseMode.HTML)
        messages = await server.acall(FakeBotApi.messages, GROUP)
        with pytest.raises(RuntimeError, match="unknown chat 999"):
            server.call(FakeBotApi.chat, 999)
    assert [m["text"] for m in messages] == ["hello"]


# -- hygiene ----------------------------------------------------------------------------------


async def test_schema_checker_catches_incomplete_objects(fake_api: FakeBotApi) -> None:
    spec = fake_api.spec
    assert spec.output_errors(("Message",), {"message_id": 1}) != []
    assert spec.output_errors(("User",), {"id": 1, "is_bot": False, "first_name": "A", "x": 1})
    user = {"id": 1, "is_bot": False, "first_name": "A"}
    assert spec.output_errors(("User",), user) == []


async def test_token_never_logged(fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.add_chat(GROUP, "group")
    fake_api.inject("sendMessage", error=Fault.server_error())
    async with _bot(fake_api) as real_bot:
        with pytest.raises(NetworkError):
            await real_bot.send_message(GROUP, "x")
    wrong = Bot("999:wrong-token", base_url=fake_api.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()
    server_logs = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("tests.fake_bot_api", "aiohttp"))
    ]
    assert not any(fake_api.token in line or "wrong-token" in line for line in server_logs)
