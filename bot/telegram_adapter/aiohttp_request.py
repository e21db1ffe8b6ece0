"""PTB's BaseRequest on aiohttp: the HTTP client under every Bot API call, cheaper than httpx."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON = "application/json"
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)


class AiohttpRequest(BaseRequest):
    """Mirrors PTB's HTTPXRequest (pool, four timeouts, HTTP/1.1 keep-alive, multipart uploads).

    Differences that aiohttp imposes: the pool is a semaphore of our own, so that waiting for a
    connection has its own timeout and message as in httpx; aiohttp has no write timeout, so the
    write timeout bounds the whole request together with the others (connect + write + read).
    BaseRequest maps HTTP status codes to PTB's errors; this class maps transport failures:
    a timeout is TimedOut, any other client error NetworkError.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._pool = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._pool = asyncio.Semaphore(self._pool_size)  # bound to this loop, none waiting
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            # Not trust_env: aiohttp would then read .netrc and the proxy variables in a thread
            # for every request; the proxy is looked up once per origin instead (_proxy_for).
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the status code and the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        data: aiohttp.FormData | aiohttp.BytesPayload | None = None
        if files:
            data = _form(fields or {}, files)
        elif fields:
            # A JSON body (the Bot API takes one, PTB's RequestData.json_payload) costs a tenth
            # of urlencoding the same fields, which quotes non-ASCII text byte by byte in Python.
            data = aiohttp.BytesPayload(json.dumps(fields).encode(), content_type=JSON)

        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._write_timeout if not files else self._media_write_timeout
        parts = (connect_timeout, write_timeout, read_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p or 0.0 for p in parts),
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )

        await self._acquire(pool_timeout)
        try:
            async with session.request(
                method, url, data=data, timeout=timeout, proxy=self._proxy_for(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name helps where aiohttp's message is empty, as in PTB's httpx mapping.
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            self._pool.release()

    def _proxy_for(self, url: str) -> str | None:
        """The proxy for this URL's origin from the environment, read once per origin."""
        origin = url[: url.find("/", url.find("//") + 2)]
        if origin not in self._proxies:
            self._proxies[origin] = environment_proxy(url)
        return self._proxies[origin]

    async def _acquire(self, pool_timeout: float | None) -> None:
        """A place in the pool, or TimedOut if none frees within `pool_timeout`."""
        if not self._pool.locked():
            await self._pool.acquire()
            return
        try:
            async with asyncio.timeout(pool_timeout):
                await self._pool.acquire()
        except TimeoutError as err:
            raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from err


def environment_proxy(url: str) -> str | None:
    """HTTPS_PROXY, HTTP_PROXY or ALL_PROXY for `url` unless NO_PROXY covers its host (as httpx)."""
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    """A multipart body: the JSON-encoded parameters, then each file with its name and type."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
