"""The aiohttp BaseRequest against a tiny loopback server: bodies, errors, timeouts, uploads."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import BodyPartReader, web
from telegram import InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.config import Settings, TelegramSettings
from bot.telegram_adapter.aiohttp_request import AiohttpRequest, environment_proxy
from bot.telegram_adapter.app import build_application

Handler = Callable[[web.Request], Awaitable[web.Response]]


def failure(status: int, description: str, **parameters: Any) -> Handler:
    """A handler answering with a Bot API error body."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters

    async def handler(_: web.Request) -> web.Response:
        return web.json_response(body, status=status)

    return handler


async def garbage(_: web.Request) -> web.Response:
    """A proxy's error page instead of the Bot API's JSON."""
    return web.Response(status=502, text="<html>bad gateway</html>")


async def echo(request: web.Request) -> web.Response:
    """Everything the server received: method, headers, fields, and files with their names."""
    fields: dict[str, Any] = {}
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            content = await part.read()
            if part.filename is None:
                fields[part.name or ""] = content.decode()
            else:
                fields[part.name or ""] = {
                    "filename": part.filename,
                    "type": part.headers.get("Content-Type"),
                    "content": content.decode(),
                }
    elif request.content_type == "application/json":
        fields = await request.json()
    else:
        fields = dict(await request.post())
    return web.json_response(
        {
            "ok": True,
            "result": {
                "method": request.method,
                "content_type": request.content_type,
                "user_agent": request.headers.get("User-Agent"),
                "keep_alive": request.keep_alive,
                "fields": fields,
            },
        }
    )


async def slow(request: web.Request) -> web.Response:
    """Answers after a second: longer than the tests' read timeouts."""
    await asyncio.sleep(1)
    return web.json_response({"ok": True, "result": True})


ROUTES: dict[str, Handler] = {
    "/echo": echo,
    "/slow": slow,
    "/flood": failure(429, "Too Many Requests: retry after 7", retry_after=7),
    "/bad": failure(400, "Bad Request: message text is empty"),
    "/blocked": failure(403, "Forbidden: bot was blocked by the user"),
    "/migrated": failure(400, "Bad Request: group migrated", migrate_to_chat_id=-100123),
    "/garbage": garbage,
}


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """The loopback server's base URL."""
    app = web.Application()
    for path, handler in ROUTES.items():
        app.router.add_route("*", path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    """An initialized request object with short timeouts, shut down afterwards."""
    async with AiohttpRequest(read_timeout=0.2, connect_timeout=0.5) as request:
        yield request


def data(**parameters: object) -> RequestData:
    """PTB's request data for these parameters, as a Bot method builds it."""
    return RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])


async def test_parameters_go_as_json_and_the_result_comes_back(
    server: str, request_: AiohttpRequest
) -> None:
    result = await request_.post(
        f"{server}/echo", data(chat_id=-100, text="你好 <b>", reply_markup={"a": [1]})
    )
    assert isinstance(result, dict)
    assert result["method"] == "POST"
    assert result["content_type"] == "application/json"
    assert result["user_agent"] == BaseRequest.USER_AGENT
    assert result["keep_alive"] is True
    fields = result["fields"]
    assert fields == {"chat_id": "-100", "text": "你好 <b>", "reply_markup": '{"a": [1]}'}


async def test_a_request_without_parameters_is_an_empty_post(
    server: str, request_: AiohttpRequest
) -> None:
    result = await request_.post(f"{server}/echo")
    assert isinstance(result, dict)
    assert result["fields"] == {}


async def test_a_file_is_uploaded_as_multipart_with_its_name_and_type(
    server: str, request_: AiohttpRequest
) -> None:
    document = InputFile(b"%PDF-1.4 notes", filename='笔记 "v2".pdf', attach=False)
    result = await request_.post(f"{server}/echo", data(chat_id=7, document=document))
    assert isinstance(result, dict)
    assert result["content_type"] == "multipart/form-data"
    fields = result["fields"]
    assert fields["chat_id"] == "7"
    assert fields["document"] == {
        "filename": '笔记 "v2".pdf',
        "type": "application/pdf",
        "content": "%PDF-1.4 notes",
    }


async def test_a_file_handle_is_uploaded_too(
    server: str, request_: AiohttpRequest, tmp_path: Any
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"from a handle")
    with path.open("rb") as handle:
        document = InputFile(handle, read_file_handle=False, attach=False)
        result = await request_.post(f"{server}/echo", data(chat_id=7, document=document))
    assert isinstance(result, dict)
    assert result["fields"]["document"]["content"] == "from a handle"
    assert result["fields"]["document"]["filename"] == "a.txt"


@pytest.mark.parametrize(
    ("path", "error", "text"),
    [
        ("/bad", BadRequest, "Message text is empty"),
        ("/blocked", Forbidden, "bot was blocked"),
        ("/garbage", NetworkError, "Bad Gateway (502)"),
    ],
)
async def test_error_statuses_become_ptb_errors(
    server: str, request_: AiohttpRequest, path: str, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=re.escape(text)):
        await request_.post(f"{server}{path}", data(chat_id=1))


async def test_a_flood_answer_is_retry_after_and_a_migration_names_the_new_chat(
    server: str, request_: AiohttpRequest
) -> None:
    with pytest.raises(RetryAfter) as flood:
        await request_.post(f"{server}/flood", data(chat_id=1))
    assert flood.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    with pytest.raises(ChatMigrated) as moved:
        await request_.post(f"{server}/migrated", data(chat_id=1))
    assert moved.value.new_chat_id == -100123


async def test_a_slow_answer_times_out(server: str, request_: AiohttpRequest) -> None:
    with pytest.raises(TimedOut) as caught:
        await request_.post(f"{server}/slow")
    assert "Pool timeout" not in str(caught.value)
    # A longer read timeout for this call waits for the answer.
    assert await request_.post(f"{server}/slow", read_timeout=3) is True


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_connection_refused_is_a_network_error_not_a_timeout(
    request_: AiohttpRequest,
) -> None:
    with pytest.raises(NetworkError) as caught:
        await request_.post(f"http://127.0.0.1:{closed_port()}/echo", data(chat_id=1))
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in str(caught.value)


async def test_a_full_pool_times_out_without_sending(server: str) -> None:
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=0.05) as request:
        first = asyncio.create_task(request.post(f"{server}/slow", read_timeout=3))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.post(f"{server}/echo")
        assert await first is True
        # The place came back: the next request goes through.
        assert isinstance(await request.post(f"{server}/echo"), dict)


async def test_it_works_only_between_initialize_and_shutdown(server: str) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{server}/echo", "POST")
    await request.initialize()
    assert (await request.do_request(f"{server}/echo", "POST"))[0] == 200
    await request.shutdown()
    await request.shutdown()  # twice is harmless, as in PTB's HTTPXRequest
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{server}/echo", "POST")
    await request.initialize()
    status, body = await request.do_request(f"{server}/echo", "GET")
    assert status == 200
    assert json.loads(body)["result"]["method"] == "GET"
    await request.shutdown()


async def test_the_bot_sends_through_aiohttp_unless_told_httpx() -> None:
    settings = replace(Settings(), telegram=TelegramSettings(token="1:x", rate_limit=False))

    async def never() -> Any:
        raise AssertionError("not opened")

    app = build_application(settings, never, register_commands=False, schedule=False)
    assert isinstance(app.bot.request, AiohttpRequest)
    assert app.updater is not None
    assert isinstance(app.updater.bot._request[0], AiohttpRequest)  # getUpdates' own
    httpx_settings = replace(settings, telegram=replace(settings.telegram, http_client="httpx"))
    app = build_application(httpx_settings, never, register_commands=False, schedule=False)
    assert isinstance(app.bot.request, HTTPXRequest)


async def test_a_proxy_from_the_environment_carries_the_requests(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loopback server plays the proxy: it gets the absolute URL and answers for it.
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server)
    async with AiohttpRequest() as request:
        result = await request.post("http://api.telegram.invalid/echo", data(chat_id=3))
    assert isinstance(result, dict)
    assert result["fields"] == {"chat_id": "3"}


def test_no_proxy_exempts_its_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,.internal")
    assert environment_proxy("https://api.telegram.org/bot1:x/getMe") == "http://proxy.invalid:3128"
    assert environment_proxy("https://bots.internal/bot1:x/getMe") is None
    assert environment_proxy("http://127.0.0.1:8081/bot1:x/getMe") is None
    assert environment_proxy("http://api.telegram.org/bot1:x/getMe") is None
